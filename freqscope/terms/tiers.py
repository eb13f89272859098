"""The automatic tier rule: how far each term of a class is trusted, and why (docs/class-lists.md).

Judged on the base form (an inflected form inherits its base term's tier):
- **name**: the cleaned class name; a one-word name cut from a qualified one ("kite (bird of prey)"), or a
  one-word alternative of a split name whose most frequent WordNet sense is another synset ("shorts" of
  "swim trunks / shorts"), is a **context** term instead, needing a context word of its class in the same text;
- **specific**: a term of several words, a synonym the list gives, or a WordNet lemma whose most frequent noun
  sense (index.noun lists senses by frequency; for a lower-case word, among those not spelled as a proper name)
  is this class's synset and that is not chiefly another part of
  speech (cntlist.rev's tagged uses as a verb, adjective or adverb outnumber those as a noun, and are at least
  MIN_OTHER_USES);
- **context**: such a lemma that is chiefly another part of speech;
- **blocked**: a WordNet lemma whose most frequent noun sense is another synset (promontory ← "head",
  lighter ← "light"): matched, so that it still hides shorter terms inside it, but never counted.
Curated decisions (data/terms/tiers.csv) override the rule. A class's context words are its name's qualifier,
the lemmas of its synset's hypernyms two levels up, and the curated ones (data/terms/context.csv).

Verbs: a one-word term that WordNet's tagged uses say is often a verb (its verb uses at least half its noun
uses, and at least MIN_OTHER_USES) gets the block phrase "to X" ("to suit", "to park", not "to school"), and
"next to" and its like are blocked with them, so that "next to train tracks" keeps its train; the "-s" form of one that is
chiefly a verb, as often the verb's third person as the plural ("flies through the air"), is a context term.
"""
from __future__ import annotations

import re

from freqscope.terms.wordnet import WordNet, lemma_key

# Words of a qualifier that say nothing of the class on their own.
QUALIFIER_STOPWORDS = frozenset({"a", "an", "and", "for", "in", "of", "on", "or", "the", "to", "with"})
HYPERNYM_LEVELS = 2
# Tagged uses of another part of speech below this are too few to call a word chiefly that ("crane": 2 as a
# verb, none as a common noun).
MIN_OTHER_USES = 5
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
    return (_POS_NAMES[pos], count, noun) if count > noun and count >= MIN_OTHER_USES else None


def name_tier(text: str, class_name: str, wnid: str | None, wordnet: WordNet | None,
              alternatives: int = 1) -> tuple[str, str]:
    """The tier of a cleaned class name (or a list's synonym, with ``class_name`` the synonym), one of
    ``alternatives`` it was split into ("swim trunks / shorts")."""
    if len(text.split()) == 1 and qualifiers(class_name):
        return "context", f"cut from the qualified name {class_name!r}: needs a context word"
    if alternatives > 1 and len(text.split()) == 1 and wordnet is not None and wnid is not None:
        first = most_frequent_sense(text, wordnet)
        if first is not None and first != wnid:
            return "context", (f"one of the alternatives of {class_name!r}, whose most frequent noun sense in WordNet "
                               f"is {first}, not this class's {wnid}: needs a context word")
    return "name", "the class name"


def most_frequent_sense(text: str, wordnet: WordNet) -> str | None:
    """The wnid of the text's most frequent noun sense; for a lower-case word, of the senses that spell it in
    lower case: "crane" the machine, not Stephen Crane, whom index.noun lists first."""
    senses = wordnet.noun_sense_wnids(text)
    if text[:1].islower():
        key = lemma_key(text)
        common = [wnid for wnid in senses
                  if any(lemma == key or lemma.lower() == key and lemma[:1].islower()
                         for lemma in wordnet.synset(wnid).lemmas)]
        senses = common or senses
    return senses[0] if senses else None


def lemma_tier(text: str, wnid: str, wordnet: WordNet) -> tuple[str, str]:
    """The tier of a WordNet lemma of the synset ``wnid``."""
    if len(text.split()) > 1:
        return "specific", "several words"
    first = most_frequent_sense(text, wordnet)
    if first != wnid:
        other = wordnet.synset(first) if first else None
        sense = f"{first} ({', '.join(other.lemmas[:3])})" if other else "none"
        return "blocked", f"WordNet's most frequent noun sense of {text!r} is {sense}, not this class's {wnid}"
    chiefly = other_part_of_speech(wordnet, text)
    if chiefly is not None:
        pos, count, noun = chiefly
        return "context", f"chiefly {'an' if pos[0] in 'aeiou' else 'a'} {pos} in WordNet ({count} tagged uses against {noun} as a noun)"
    return "specific", f"WordNet's most frequent noun sense of {text!r} is this class"


# "to X" is blocked where X's verb uses are at least this share of its noun uses; these phrases, blocked too,
# are matched before it (leftmost), so that "next to train tracks" keeps its train.
OFTEN_VERB_SHARE = 0.5
PREPOSITIONS_WITH_TO = ("next to", "close to", "due to", "according to", "prior to", "up to", "thanks to")


def is_often_verb(wordnet: WordNet | None, text: str) -> bool:
    """A one-word term whose tagged uses as a verb are at least OFTEN_VERB_SHARE of those as a noun."""
    if wordnet is None or len(text.split()) != 1:
        return False
    verb = wordnet.tag_counts(text).get("v", 0)
    return verb >= MIN_OTHER_USES and verb >= OFTEN_VERB_SHARE * wordnet.tag_counts(text).get("n", 0)


def is_chiefly_verb(wordnet: WordNet | None, text: str) -> bool:
    """A one-word term that WordNet's tagged uses say is chiefly a verb."""
    if wordnet is None or len(text.split()) != 1:
        return False
    chiefly = other_part_of_speech(wordnet, text)
    return chiefly is not None and chiefly[0] == "verb"


# A compound's parts: at least this many letters each ("mini skirt", not "t shirt").
MIN_COMPOUND_PART = 3


def compound_spellings(text: str, wordnet: WordNet | None) -> list[str]:
    """The other spellings of a compound a caption may use: a two-word lower-case term joined ("trash can" →
    "trashcan", "smart phone" → "smartphone"; not "Canis familiaris"), and
    a one-word lower-case term split where both parts are tagged as nouns in WordNet's concordance and are not
    chiefly another part of speech ("flowerpot" → "flower pot"; not "greenhouse" → "green house", a house that is
    green, nor "banana" → "ban ana", nor "Airedale"). Without WordNet, only the joined forms."""
    words = text.split()
    if len(words) == 2 and all(word.isalpha() and word.islower() for word in words):
        return ["".join(words)]
    if len(words) != 1 or not (text.isalpha() and text.islower()) or wordnet is None:
        return []
    return [f"{text[:i]} {text[i:]}" for i in range(MIN_COMPOUND_PART, len(text) - MIN_COMPOUND_PART + 1)
            if all(_common_noun(wordnet, part) for part in (text[:i], text[i:]))]


def _common_noun(wordnet: WordNet, word: str) -> bool:
    """A word WordNet's concordance tagged as a noun, and not chiefly as another part of speech: a part of a
    compound a caption may write apart ("flower" "pot"), not a chance cut ("ban" "ana", "pal" "ace")."""
    return wordnet.tag_counts(word).get("n", 0) > 0 and other_part_of_speech(wordnet, word) is None
