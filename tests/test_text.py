"""Normalisation: the vectorised Polars form equals the reference on every code point; the ASCII fast path
of the reference equals its general path."""
from __future__ import annotations

import json
import random
import sys
import unicodedata

import polars as pl
import pytest

from freqscope import text
from freqscope.text import normalize_words, normalized_padded, normalized_padded_expr


def padded(words: list[str]) -> str:
    """A word sequence in the Polars path's layout: every word wrapped in its own pair of spaces."""
    return " " + "  ".join(words) + " "


def slow_words(text: str, case_sensitive: bool = False) -> list[str]:
    """The rule spelled out character by character, with no fast path."""
    folded = unicodedata.normalize("NFKC", text)
    folded = folded if case_sensitive else folded.casefold()
    words, current = [], ""
    for char in folded:
        if unicodedata.category(char)[0] in "LN":
            current += char
        elif current:
            words.append(current)
            current = ""
    return words + [current] if current else words


def test_examples_from_the_issue():
    assert normalize_words("Sea-Lion") == normalize_words("sea lion") == normalize_words("SEA_LION") == ["sea", "lion"]
    assert normalize_words("dog's") == ["dog", "s"]
    assert normalize_words("lion123") == ["lion123"]
    assert normalize_words("Straße ﬁsh") == ["strasse", "fish"]


def test_ascii_fast_path_equals_the_general_rule():
    rng = random.Random(0)
    alphabet = [chr(c) for c in range(128)]
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        for case_sensitive in (False, True):
            assert normalize_words(text, case_sensitive=case_sensitive) == slow_words(text, case_sensitive), text


def test_vectorised_form_equals_the_reference_on_every_assigned_code_point():
    chars = [chr(c) for c in range(sys.maxunicode + 1)
             if not 0xD800 <= c <= 0xDFFF and unicodedata.category(chr(c)) != "Cn"]
    texts = ["a" + c + "b " + c.upper() + " Z" + c for c in chars]
    got = pl.DataFrame({"t": texts}).select(normalized_padded_expr("t")).to_series().to_list()
    bad = [(hex(ord(c)), g) for c, t, g in zip(chars, texts, got) if g != padded(slow_words(t))]
    assert bad == []


@pytest.mark.parametrize("case_sensitive", [False, True])
def test_the_series_form_takes_the_ascii_short_way_to_the_same_layout(case_sensitive):
    """normalized_padded skips NFKC and the fix-ups for ASCII texts: the same result as the full expression on
    mixed ASCII, non-ASCII, empty and null texts, in their order."""
    rng = random.Random(1)
    alphabet = [chr(c) for c in range(128)] + list("ßﬁΣςİéÅ漢字\u00a0\u2013")
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(3000)] + ["", None]
    series = pl.Series("t", texts, dtype=pl.String)
    expected = series.to_frame().select(normalized_padded_expr("t", case_sensitive=case_sensitive)).to_series()
    assert normalized_padded(series, case_sensitive=case_sensitive).to_list() == expected.to_list()


def test_the_shipped_casefold_table_equals_the_computation():
    table = json.loads(text.CASEFOLD_TABLE.read_text(encoding="utf-8"))
    if table["unidata_version"] != unicodedata.unidata_version:
        pytest.skip(f"casefold.json is for Unicode {table['unidata_version']}, this Python has "
                    f"{unicodedata.unidata_version}: the fix-ups are computed at run time")
    assert table["fixups"] == text.compute_casefold_fixups()
    assert text.casefold_fixups() == table["fixups"]
