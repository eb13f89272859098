"""English plurals of a term: the only other word form a term stands for.

The last word is inflected by the regular rules (dog → dogs, box → boxes, butterfly → butterflies) and by
the irregular plurals of WordNet 3.0's noun exception list (goose → geese, wolf → wolves, cactus → cacti).
A whole multi-word term listed there gets its listed plural too (attorney general → attorneys general).
An irregular plural replaces the regular one only where the regular form is wrong and would match another
word form (wolfs, mans, foots are verbs): -f/-fe → -ves, -man → -men, -ouse → -ice, -oo- → -ee-, and
+(r)en (oxen, children). Classical plurals sit beside the regular one (cacti and cactuses, aquaria and
aquariums), as in current English.

The table is derived from WordNet's noun.exc by ``scripts/build_class_lists.py`` and shipped, so plurals
need no WordNet at run time.
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache

from freqscope.paths import CLASS_LISTS_DIR
from freqscope.terms.wordnet import lemma_key

IRREGULAR_PLURALS_FILE = CLASS_LISTS_DIR / "wordnet-noun-plurals.tsv"

# The last word of a term: a run of letters at its end (a term ending in a number has no plural).
_LAST_WORD = re.compile(r"([^\W\d_]+)$")
_SIBILANT_ENDINGS = ("s", "x", "z", "ch", "sh")
_VOWELS = "aeiou"
# (singular ending, plural ending) pairs whose irregular plural makes the regular one wrong.
_REPLACING_PATTERNS = (("f", "ves"), ("fe", "ves"), ("man", "men"), ("ouse", "ice"), ("oot", "eet"),
                       ("ooth", "eeth"), ("oose", "eese"))


def is_noun_plural_exception(inflected: str, base: str) -> bool:
    """Whether a noun.exc row is a plural (it also lists gerunds such as crying → cry, and no-ops)."""
    return inflected != base and not inflected.endswith(("ing", "ings")) and "." not in inflected


@lru_cache(maxsize=1)
def irregular_plurals() -> dict[str, tuple[str, ...]]:
    """{singular lemma key: its irregular plurals}, from the shipped table."""
    table: dict[str, list[str]] = {}
    with IRREGULAR_PLURALS_FILE.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            table.setdefault(row["singular"], []).append(row["plural"])
    return {singular: tuple(plurals) for singular, plurals in table.items()}


def regular_plural(word: str) -> list[str]:
    """The regular plural(s) of one lower- or mixed-case word."""
    lower = word.lower()
    if lower.endswith(_SIBILANT_ENDINGS):
        return [word + "es"]
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in _VOWELS:
        return [word[:-1] + "ies"]
    if lower.endswith("man") and len(lower) > 3:
        # fireman → firemen, but German → Germans: both are produced; the wrong one is not a word.
        return [word[:-2] + "en", word + "s"]
    return [word + "s"]


def _replaces_regular(singular: str, plural: str) -> bool:
    if plural in (singular + "en", singular + "ren"):
        return True
    return any(
        singular.endswith(s_end) and plural.endswith(p_end) and singular[: -len(s_end)] == plural[: -len(p_end)]
        for s_end, p_end in _REPLACING_PATTERNS
    )


def _match_case(template: str, word: str) -> str:
    return word[:1].upper() + word[1:] if template[:1].isupper() else word


def plural_forms(term: str, irregular: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """The plural surface forms of a term, in a stable order; none where its last word is not a word.

    ``irregular`` replaces the shipped table (the build script passes the one it has just derived).
    """
    match = _LAST_WORD.search(term)
    if match is None or len(match.group(1)) < 2:
        return []
    head, last = term[: match.start()], match.group(1)
    table = irregular_plurals() if irregular is None else irregular
    forms: list[str] = []
    whole = table.get(lemma_key(term.replace("-", " ")), ())
    forms.extend(plural.replace("_", " ") for plural in whole)
    irregular = table.get(last.lower(), ())
    forms.extend(head + _match_case(last, plural) for plural in irregular)
    if not any(_replaces_regular(last.lower(), plural) for plural in irregular):
        forms.extend(head + plural for plural in regular_plural(last))
    unique: list[str] = []
    for form in forms:
        if form != term and form not in unique:
            unique.append(form)
    return unique
