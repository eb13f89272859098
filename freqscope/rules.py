"""The matching rules (``MatchRules``): what the matcher, the index and its command share, cheap to import (the
CLI's help reads ``AMBIGUOUS_CHOICES``)."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from freqscope.terms.taxonomy import Term

AMBIGUOUS_CHOICES = ("count", "skip")


@dataclass(frozen=True)
class MatchRules:
    """The matching rules; the defaults are the documented ones, each flag switches one off."""

    case_sensitive: bool = False  # rule 1: fold case (NFKC always applies)
    substrings: bool = False  # rule 2: also match inside words ("cat" in "category")
    plurals: bool = True  # rule 3: terms also stand for their plurals
    overlapping: bool = False  # rule 4: count every occurrence, nested and overlapping ones too
    ambiguous: str = "count"  # rule 6: "count" for each class, or "skip" terms of several classes

    def __post_init__(self) -> None:
        if self.ambiguous not in AMBIGUOUS_CHOICES:
            raise ValueError(f"ambiguous must be one of {AMBIGUOUS_CHOICES}, not {self.ambiguous!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    def words_searched(self, term: Term) -> tuple[str, ...]:
        """The normalised words ``term`` is searched as under these rules; () where the rules leave it out
        (a plural without rule 3, an ambiguous term under ``ambiguous="skip"``) or it has no words."""
        from freqscope.terms.taxonomy import INFLECTED_ORIGINS  # with Polars, only where terms are searched

        if (term.origin in INFLECTED_ORIGINS and not self.plurals) or (term.ambiguous and self.ambiguous == "skip"):
            return ()
        from freqscope.text import normalize_words  # Polars: imported only where terms are searched

        return tuple(normalize_words(term.term, case_sensitive=self.case_sensitive))

    def words_of(self, text: str) -> tuple[str, ...]:
        """The normalised words of a block phrase or a context word under these rules."""
        from freqscope.text import normalize_words

        return tuple(normalize_words(text, case_sensitive=self.case_sensitive))
