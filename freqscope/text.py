"""Text normalisation shared by terms and documents, so that both are cut into words the same way.

Rule: Unicode NFKC, then case folding, then every run of characters that are neither a letter (L*) nor a
number (N*) is one word break. ``normalize_words`` is the plain reference; ``normalized_padded_expr`` is the
vectorised Polars form used on corpora, where every word is wrapped in its own spaces (" sea  lion ") so that
an Aho-Corasick pattern " word " can only match whole words and adjacent matches never share a space.
"""
from __future__ import annotations

import json
import re
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path

import polars as pl

# Python's re has no \p{L}; [^\W_] is "letter or digit" for str patterns, but \w also includes the
# connector punctuation and combining marks, so the reference tests each character's category instead.
_WORD_CHAR_CATEGORIES = ("L", "N")

WORD_BREAK_REGEX = r"[^\p{L}\p{N}]+"
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")


def _is_word_char(char: str) -> bool:
    return unicodedata.category(char)[0] in _WORD_CHAR_CATEGORIES


def fold(text: str, *, case_sensitive: bool = False) -> str:
    """NFKC, then (unless case_sensitive) full Unicode case folding."""
    text = unicodedata.normalize("NFKC", text)
    return text if case_sensitive else text.casefold()


def normalize_words(text: str, *, case_sensitive: bool = False) -> list[str]:
    """The words of ``text`` under the matching rules: the reference implementation."""
    if text.isascii():
        # In ASCII, NFKC is the identity, case folding is lowercasing, and the letters and digits are
        # exactly [A-Za-z0-9]: the same rule, 10x faster (class lists have thousands of terms).
        return _ASCII_WORD.findall(text if case_sensitive else text.lower())
    words: list[str] = []
    current: list[str] = []
    for char in fold(text, case_sensitive=case_sensitive):
        if _is_word_char(char):
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


# The fix-ups for the Unicode version of the Python that built it (scripts/build_casefold_table.py): computing
# them scans every code point, about 0.25 s, which would otherwise be paid by every `freqscope index`.
CASEFOLD_TABLE = Path(__file__).with_name("casefold.json")


def compute_casefold_fixups() -> dict[str, str]:
    """Characters whose case folding differs from lowercasing, as {lowercased: folded}.

    Polars lowercases (Rust's to_lowercase); casefold differs on a few hundred characters (ß → ss,
    final sigma, Cherokee, ligatures…). Replacing them after lowercasing makes the vectorised form equal
    Python's ``casefold`` on every code point (tested over the whole range).
    """
    fixups: dict[str, str] = {}
    for code_point in range(sys.maxunicode + 1):
        char = chr(code_point)
        if 0xD800 <= code_point <= 0xDFFF:
            continue
        lowered, folded = char.lower(), char.casefold()
        if lowered != folded:
            fixups.setdefault(lowered, folded)
        # a lowercase form that itself folds differently (ς → σ)
        if lowered.casefold() != lowered:
            fixups.setdefault(lowered, lowered.casefold())
    return fixups


@lru_cache(maxsize=1)
def casefold_fixups() -> dict[str, str]:
    """``compute_casefold_fixups()``, read from the shipped table where it was built for this Unicode version."""
    if CASEFOLD_TABLE.exists():
        table = json.loads(CASEFOLD_TABLE.read_text(encoding="utf-8"))
        if table["unidata_version"] == unicodedata.unidata_version:
            return table["fixups"]
    return compute_casefold_fixups()


def normalized_padded_expr(column: str, *, case_sensitive: bool = False) -> pl.Expr:
    """Polars expression: the column's text in the padded word layout (nulls become empty documents)."""
    expr = pl.col(column).fill_null("").str.normalize("NFKC")
    if not case_sensitive:
        expr = expr.str.to_lowercase()
        fixups = casefold_fixups()
        expr = expr.str.replace_many(list(fixups), list(fixups.values()))
    return " " + expr.str.replace_all(WORD_BREAK_REGEX, "  ").str.strip_chars(" ") + " "


def normalized_padded(texts: pl.Series, *, case_sensitive: bool = False) -> pl.Series:
    """``normalized_padded_expr`` of a series. ASCII texts, nearly all of a corpus or a class list, skip NFKC and
    the case-folding fix-ups, which change nothing there (half the time of the full expression)."""
    frame = pl.DataFrame({"text": texts})
    fast = pl.col("text").fill_null("")
    if not case_sensitive:
        fast = fast.str.to_lowercase()
    fast = " " + fast.str.replace_all(WORD_BREAK_REGEX, "  ").str.strip_chars(" ") + " "
    frame = frame.with_columns(is_ascii_expr("text").fill_null(True).alias("ascii"))
    normalized = frame.select(fast.alias("text")).to_series()
    non_ascii = frame.select(pl.arg_where(~pl.col("ascii"))).to_series()
    if len(non_ascii):
        slow = frame[non_ascii].select(normalized_padded_expr("text", case_sensitive=case_sensitive)).to_series()
        normalized = normalized.scatter(non_ascii, slow)
    return normalized


def joined_words(padded: pl.Expr) -> pl.Expr:
    """Words in the padded layout (" sea  lion ") joined by single spaces ("sea lion"), as ``Term.words`` are."""
    return padded.str.strip_chars(" ").str.replace_all("  ", " ", literal=True)


def is_ascii_expr(column: str) -> pl.Expr:
    return pl.col(column).str.len_bytes() == pl.col(column).str.len_chars()


