"""A term's other grammatical number: the plural of a singular name, the singular of a plural one.

By lemminflect (pure Python, its own English dictionary of inflections, from AGID), on the term's last word:
- a word its dictionary knows as a plural noun gets its singular ("tacos" → "taco", "cup cakes" → "cup cake");
- a word it knows as a singular noun gets its plurals ("goose" → "geese", "cactus" → "cactuses", "cacti");
  where the dictionary's first plural is the word itself, the word is uninflected or a mass noun and gets none
  ("deer", "sheep", "sushi", "furniture"): no "deers";
- a word it does not know: none for a scientific name ("Tinca tinca": a capitalised first word, a lower-case
  last one), nor for a word ending in "s" that may already be plural or Latin ("hummus"), the singular of a
  regular English plural ("churros" → "churro"), otherwise lemminflect's rules for unknown nouns ("paella" →
  "paellas").
Where WordNet is at hand, the irregular plurals of its noun exception list (noun.exc) are added to a singular's
("ox" → "oxen" beside lemminflect's "oxes"). A form is never built on a form (no "tacoses", "cup cakeses", "nachoses"), and an inflected form inherits its
base term's tier. ``freqscope index --no-plurals`` searches neither form.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from lemminflect import getAllInflections, getAllInflectionsOOV, getAllLemmas, getAllLemmasOOV

# The last word of a term: a run of letters at its end (a term ending in a number is not inflected).
_LAST_WORD = re.compile(r"([^\W\d_]+)$")
_SCIENTIFIC_NAME = re.compile(r"^[A-Z][a-z]+(?: [a-z]+)+$")


def _match_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1 and word.startswith(template.lower()):
        return template + word[len(template):]  # TV → TVs
    return word[:1].upper() + word[1:] if template[:1].isupper() else word


def _other_forms(word: str, term: str) -> tuple[str, list[str]]:
    """(origin, forms) of one lower-case last word of ``term``."""
    lemmas = getAllLemmas(word, upos="NOUN").get("NOUN", ())
    if lemmas:
        if word not in lemmas:  # a plural form the dictionary knows
            return "singular", [lemmas[0]]
        # (a few words it knows only as lemmas, "can", take the rules for unknown nouns)
        plurals = getAllInflections(word, upos="NOUN").get("NNS") or getAllInflectionsOOV(word, upos="NOUN")["NNS"]
        if plurals[0] == word:  # uninflected or a mass noun
            return "plural", []
        return "plural", [p for p in plurals if p != word]
    if _SCIENTIFIC_NAME.match(term):
        return "plural", []
    if word.endswith("s"):
        if word.endswith(("ss", "us", "is")):
            return "plural", []
        return "singular", [lemma for lemma in getAllLemmasOOV(word, upos="NOUN").get("NOUN", ()) if lemma != word][:1]
    return "plural", [p for p in getAllInflectionsOOV(word, upos="NOUN").get("NNS", ()) if p != word][:1]


def inflections(term: str, irregular: Mapping[str, tuple[str, ...]] | None = None) -> list[tuple[str, str]]:
    """(surface form, "plural" | "singular") of the term's other number, in a stable order; none where its last
    word is not a word of two letters or more. ``irregular``: ``WordNet.irregular_plurals()``, where at hand."""
    match = _LAST_WORD.search(term)
    if match is None or len(match.group(1)) < 2:
        return []
    head, last = term[: match.start()], match.group(1)
    origin, forms = _other_forms(last.lower(), term)
    if origin == "plural" and forms and irregular:
        forms += [form for form in irregular.get(last.lower(), ()) if form not in forms]
    unique: list[tuple[str, str]] = []
    for form in forms:
        text = head + _match_case(last, form)
        if text != term and (text, origin) not in unique:
            unique.append((text, origin))
    return unique
