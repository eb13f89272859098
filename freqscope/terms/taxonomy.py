"""The data model of a class list: its classes and the terms that stand for them.

A ``ClassList`` is what ``freqscope.terms.classes.load_class_list`` builds (from a built-in list or a CSV) and
what the matcher and the database consume. Terms carry their surface text; the matcher derives their words
with ``freqscope.text.normalize_words`` under the rules in force, so one list serves every rule variant.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from freqscope.text import normalize_words

# Where a term came from; also its precedence when one class reaches the same words twice.
TERM_ORIGINS = ("name", "synonym", "wordnet", "hyponym", "plural")


@dataclass(frozen=True)
class ClassEntry:
    index: int
    name: str
    wnid: str | None = None
    duplicate_name: bool = False  # another class of the list has the same name
    wordnet_guessed: bool = False  # wnid taken from the first noun sense (--wordnet-resolve), not given


@dataclass(frozen=True)
class Term:
    class_index: int
    term: str  # surface text: "Tinca tinca", "geese"
    origin: str  # one of TERM_ORIGINS
    ambiguous: bool = False  # its words stand for several classes of the list
    wordnet_senses: int | None = None  # number of WordNet noun senses of the term: a precision risk

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(normalize_words(self.term))


@dataclass
class ClassList:
    name: str
    source: str  # "builtin:imagenet1k" or the CSV path
    classes: list[ClassEntry]
    terms: list[Term]
    options: dict = field(default_factory=dict)  # how the terms were expanded (hyponyms, wordnet, ...)

    def fingerprint(self) -> str:
        """Changes whenever a class or a term changes: the index redoes a list whose fingerprint moved."""
        # one hashed string, fields joined by control characters no name contains: every index pays this
        fields = [f"{c.index}\x1f{c.name}\x1f{c.wnid}\x1f{c.duplicate_name:d}\x1f{c.wordnet_guessed:d}" for c in self.classes]
        fields.append("\x1d")
        fields += [f"{t.class_index}\x1f{t.term}\x1f{t.origin}\x1f{t.ambiguous:d}\x1f{t.wordnet_senses}" for t in self.terms]
        return hashlib.blake2b("\x1e".join(fields).encode(), digest_size=16).hexdigest()


TERMS_FRAME_SCHEMA = {"taxonomy": pl.String, "term_id": pl.Int32, "class_index": pl.Int32, "term": pl.String,
                      "origin": pl.String, "ambiguous": pl.Boolean, "wordnet_senses": pl.Int32}


def terms_frame(class_lists: Sequence[ClassList]) -> pl.DataFrame:
    """Every term of the lists, one row each, in list order (TERMS_FRAME_SCHEMA; term_id is the position in its
    list). Built column by column: three times faster than row by row for the ~9,000 built-in terms."""
    terms = [term for class_list in class_lists for term in class_list.terms]
    return pl.DataFrame(
        {
            "taxonomy": [class_list.name for class_list in class_lists for _ in class_list.terms],
            "term_id": [term_id for class_list in class_lists for term_id in range(len(class_list.terms))],
            "class_index": [term.class_index for term in terms],
            "term": [term.term for term in terms],
            "origin": [term.origin for term in terms],
            "ambiguous": [term.ambiguous for term in terms],
            "wordnet_senses": [term.wordnet_senses for term in terms],
        },
        schema=TERMS_FRAME_SCHEMA,
    )
