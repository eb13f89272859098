"""The data model of a class list: its classes and the terms that stand for them.

A ``ClassList`` is what ``freqscope.classes.load_class_list`` builds (from a built-in list or a CSV) and
what the matcher and the database consume. Terms carry their surface text; the matcher derives their words
with ``freqscope.text.normalize_words`` under the rules in force, so one list serves every rule variant.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

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
        digest = hashlib.blake2b(digest_size=16)
        for c in self.classes:
            digest.update(repr((c.index, c.name, c.wnid, c.duplicate_name, c.wordnet_guessed)).encode())
        for t in self.terms:
            digest.update(repr((t.class_index, t.term, t.origin, t.ambiguous, t.wordnet_senses)).encode())
        return digest.hexdigest()
