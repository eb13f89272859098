"""The automatic tier rule: how far each term of a class is trusted, and why (docs/class-lists.md).

Judged on the base form (an inflected form inherits its base term's tier):
- **name**: the cleaned class name; a one-word name cut from a qualified one ("kite (bird of prey)") is a
  **context** term instead, needing a word of the qualifier or of the class's other context in the same text;
- **specific**: a term of several words, a synonym the list gives, or a WordNet lemma whose most frequent noun
  sense (index.noun lists senses by frequency) is this class's synset and that is not chiefly another part of
  speech (cntlist.rev's tagged uses as a verb, adjective or adverb outnumber those as a noun);
- **context**: such a lemma that is chiefly another part of speech;
- **blocked**: a WordNet lemma whose most frequent noun sense is another synset (promontory ← "head",
  lighter ← "light"): matched, so that it still hides shorter terms inside it, but never counted.
Curated decisions (data/terms/tiers.csv) override the rule. A class's context words are its name's qualifier,
the lemmas of its synset's hypernyms two levels up, and the curated ones (data/terms/context.csv).

Verbs: a term that is chiefly a verb also gets the block phrase "to X" ("to suit", "to drop"), and its "-s"
form, as often the verb's third person as the plural ("flies through the air"), is a context term.
"""
from __future__ import annotations

import re

from freqscope.terms.wordnet import WordNet

# Words of a qualifier that say nothing of the class on their own.
QUALIFIER_STOPWORDS = frozenset({"a", "an", "and", "for", "in", "of", "on", "or", "the", "to", "with"})
HYPERNYM_LEVELS = 2
_PARENTHETICAL = re.compile(r"\(([^()]*)\)")
_POS_NAMES = {"v": "verb", "a": "adjective", "r": "adverb"}


def qualifiers(name: str) -> list[str]:
    """The parenthetical qualifiers of a class name: "kite (bird of prey)" → ["bird of prey"]."""
    return [" ".join(text.split()) for text in _PARENTHETICAL.findall(name) if text.strip()]


def qualifier_context(name: str) -> list[str]:
    """Context words from a name's qualifiers: each whole and its words that carry meaning."""
    words: list[str] = []
    for qualifier in qualifiers(name):
        for word in [qualifier, *qualifier.split()]:
            if word.lower() not in QUALIFIER_STOPWORDS and word not in words:
                words.append(word)
    return words


def hypernym_context(wordnet: WordNet, wnid: str) -> list[str]:
    """The lemmas of the synset's hypernyms, up to HYPERNYM_LEVELS levels ("kite" → hawk, bird of prey, raptor)."""
    words: list[str] = []
    frontier = [wnid]
    for _ in range(HYPERNYM_LEVELS):
        following = []
        for current in frontier:
            synset = wordnet.synset(current)
            for parent in synset.hypernyms if synset else ():
                following.append(parent)
                for lemma in wordnet.synset(parent).lemmas:
                    text = lemma.replace("_", " ")
                    if text not in words:
                        words.append(text)
        frontier = following
    return words


def other_part_of_speech(wordnet: WordNet, text: str) -> tuple[str, int, int] | None:
    """(part of speech, its tagged uses, the noun's) where the text is chiefly another part of speech."""
    counts = wordnet.tag_counts(text)
    noun = counts.get("n", 0)
    others = [(count, pos) for pos, count in counts.items() if pos != "n"]
    if not others:
        return None
    count, pos = max(others)
    return (_POS_NAMES[pos], count, noun) if count > noun else None


def name_tier(text: str, class_name: str, wordnet: WordNet | None) -> tuple[str, str]:
    """The tier of a cleaned class name (or a list's synonym, with ``class_name`` the synonym)."""
    if len(text.split()) == 1 and qualifiers(class_name):
        return "context", f"cut from the qualified name {class_name!r}: needs a context word"
    return "name", "the class name"


def lemma_tier(text: str, wnid: str, wordnet: WordNet) -> tuple[str, str]:
    """The tier of a WordNet lemma of the synset ``wnid``."""
    if len(text.split()) > 1:
        return "specific", "several words"
    first = wordnet.first_noun_sense(text)
    if first != wnid:
        other = wordnet.synset(first) if first else None
        sense = f"{first} ({', '.join(other.lemmas[:3])})" if other else "none"
        return "blocked", f"WordNet's most frequent noun sense of {text!r} is {sense}, not this class's {wnid}"
    chiefly = other_part_of_speech(wordnet, text)
    if chiefly is not None:
        pos, count, noun = chiefly
        return "context", f"chiefly {'an' if pos[0] in 'aeiou' else 'a'} {pos} in WordNet ({count} tagged uses against {noun} as a noun)"
    return "specific", f"WordNet's most frequent noun sense of {text!r} is this class"


def is_chiefly_verb(wordnet: WordNet | None, text: str) -> bool:
    """A one-word term that WordNet's tagged uses say is chiefly a verb."""
    if wordnet is None or len(text.split()) != 1:
        return False
    chiefly = other_part_of_speech(wordnet, text)
    return chiefly is not None and chiefly[0] == "verb"
