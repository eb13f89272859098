"""The matcher's search under the default rules: whole-word, leftmost-longest, in C (``_matchcore.c``).

Polars' regex word-break normalisation and its Aho-Corasick ``extract_many`` each run at about 110 MB/s of
captions here and were most of what indexing new captions cost; the C scan reads the raw bytes once, in place
(Polars' own string views, no copy), cutting words and looking each up in a hash table of the patterns'
words: about 4x faster than the two together (90,174 distinct real captions: 0.04 s against 0.17 s). It
defines words as the matching rules do only for ASCII text and for text already normalised by
``Matcher.normalize`` (NFKC, case folding, every non-letter non-digit a space): it skips other texts and says
which, and the matcher normalises those and searches them again. Patterns are given as their normalised
words. The rules it does not know (substrings, overlapping matches) keep the Polars path.
"""
from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
import numpy.ma  # noqa: F401  Polars makes Series of numpy arrays through numpy.ma, whose first import is ~8 ms
import polars as pl
import pyarrow as pa

from freqscope._matchcore import PhraseIndex

# The scan releases the GIL: many texts are cut into parts searched at once, each at least this many, so that
# a few texts are not split for nothing.
MIN_PART_TEXTS = 20_000
MAX_PARTS = min(os.cpu_count() or 1, 8)


class TextViews(NamedTuple):
    """Texts as the C core reads them: per chunk of the column, its Arrow string views (16 bytes a text) and the
    data buffers they point into."""

    views: list[memoryview]
    data: list[list[pa.Buffer]]

    @property
    def n_texts(self) -> int:
        return sum(len(chunk) for chunk in self.views) // 16


def text_views(texts: pl.Series) -> TextViews:
    """The texts' string views, chunk by chunk as Polars holds them: no copy (a batch read from several row
    groups is several chunks, which one array would have to copy together). Nulls are empty texts."""
    # a frame's columns go to Arrow chunk by chunk; Series.to_arrow would rechunk
    column = texts.fill_null("").to_frame().to_arrow(compat_level=pl.CompatLevel.newest()).column(0)
    if column.type != pa.string_view():
        column = column.cast(pa.string_view())
    views, data = [], []
    for chunk in column.chunks:
        buffers = chunk.buffers()
        if buffers[1] is None:  # an empty chunk
            continue
        views.append(memoryview(buffers[1])[chunk.offset * 16:(chunk.offset + len(chunk)) * 16])
        data.append(buffers[2:])
    return TextViews(views, data)


class Found(NamedTuple):
    """What a search found, as uint32 arrays: matches (position in the rows searched, pattern id), the positions
    of the texts skipped for not being ASCII, and the context words (position, word number) of the texts where a
    pattern that asks for them matched."""

    positions: np.ndarray
    patterns: np.ndarray
    skipped: np.ndarray
    context_positions: np.ndarray
    context_words: np.ndarray


class PhraseSearch:
    """Patterns (their normalised words, space-separated; pattern i has id i) searched in texts.

    ``silent``: a flag a pattern, for those that win by the longest-match rule but are not reported (block
    phrases); ``asking``: a flag a pattern, for those whose match has its text searched for ``context_words``
    too (context terms), every one at every word, while the text is in the cache. ``heads``: head words (one
    normalised word each) and the bit mask of the head groups each belongs to; ``pattern_heads``: a uint32 mask a
    pattern, of the groups whose head word right after its match makes that match silent, the head word with it
    (the lists' head nouns: "beach" + "towel").
    """

    def __init__(self, pattern_words: Sequence[str], *, case_sensitive: bool, silent: np.ndarray | None = None,
                 asking: np.ndarray | None = None, context_words: Sequence[str] = (),
                 heads: Mapping[str, int] | None = None, pattern_heads: np.ndarray | None = None) -> None:
        context = PhraseIndex([words.encode() for words in context_words], case_sensitive) if context_words else None
        flags = [None if f is None else np.ascontiguousarray(f, dtype=np.uint8) for f in (silent, asking)]
        head_arguments = {}
        if heads and pattern_heads is not None:
            head_arguments = dict(heads=[head.encode() for head in heads],
                                  head_groups=np.fromiter(heads.values(), np.uint32, len(heads)),
                                  pattern_head_groups=np.ascontiguousarray(pattern_heads, dtype=np.uint32))
        self._index = PhraseIndex([words.encode() for words in pattern_words], case_sensitive, silent=flags[0],
                                  asking=flags[1], context=context, **head_arguments)

    def find(self, texts: TextViews, rows: np.ndarray | None = None, *, normalized: bool = False,
             every: bool = False) -> Found:
        """Every match in the texts at ``rows`` (uint32 positions; None: all), in order (``Found``); no text is
        skipped if ``normalized`` (the texts come from the Polars normalisation). ``every``: every pattern at every
        word, overlapping (default: leftmost-longest)."""
        n_texts = texts.n_texts if rows is None else len(rows)
        parts = max(1, min(MAX_PARTS, n_texts // MIN_PART_TEXTS))
        if rows is None and parts > 1:
            rows = np.arange(n_texts, dtype=np.uint32)
        bounds = np.linspace(0, n_texts, parts + 1).astype(np.int64)

        def search(first: int, last: int) -> Found:
            part = None if rows is None else rows[first:last]
            found = Found(*(np.frombuffer(result, np.uint32)
                            for result in self._index.search(texts.views, texts.data, part, normalized, every)))
            offset = np.uint32(first)
            return found._replace(positions=found.positions + offset, skipped=found.skipped + offset,
                                  context_positions=found.context_positions + offset)

        if parts == 1:
            return search(0, n_texts)
        with ThreadPoolExecutor(parts) as pool:
            results = list(pool.map(search, bounds[:-1], bounds[1:]))
        return Found(*(np.concatenate(arrays) for arrays in zip(*results)))
