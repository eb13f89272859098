"""Find the terms of class lists in batches of text: whole words, leftmost-longest, each distinct text once.

Text and terms are normalised the same way (``freqscope.text``). Under the default rules the search is the
C core's (``phrases``, ``_matchcore.c``): words cut at every byte that is not an ASCII letter or digit, looked
up in a hash table of the patterns' words, the longest pattern from each word taken, leftmost first; texts
not in ASCII are normalised by Polars first. Under ``substrings`` or ``overlapping`` Polars does it all: every
word wrapped in its own pair of spaces, so that the Aho-Corasick pattern " sea  lion " can only match whole
words and two adjacent matches never compete for a space, and ``extract_many`` with the patterns longest
first (its leftmost-first is then leftmost-longest).

The lists matched together share one vocabulary: the longest match wins across lists, so "hot dog"
(Food-101, ImageNet) hides "dog" (CIFAR-10) and "sea lion" (ImageNet) hides CIFAR-100's "lion". A caption
about a hot dog is not evidence of a dog. The index therefore always matches a shard against every list
its corpus has, so counts never depend on the order in which lists were added.
"""
from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from freqscope import phrases
from freqscope._matchcore import TextMemo, class_totals, expand, tally
from freqscope.rules import AMBIGUOUS_CHOICES, MatchRules  # noqa: F401  (the matcher's rules, re-exported)
from freqscope.errors import FreqscopeError
from freqscope.terms.taxonomy import ACCEPTED_TIERS, INFLECTED_ORIGINS, ClassList, terms_frame
from freqscope.text import joined_words, normalized_padded, normalized_padded_expr

MATCH_SCHEMA = {"row": pl.UInt32, "taxonomy": pl.String, "class_index": pl.Int32, "term_id": pl.Int32, "n": pl.UInt32}
OCCURRENCES_SCHEMA = {"row": pl.UInt32, "pattern_id": pl.UInt32, "n": pl.UInt32}
CLASS_ROWS_SCHEMA = {"row": pl.UInt32, "class_key": pl.UInt32, "n": pl.UInt32}
CLASS_DOCUMENTS_SCHEMA = {"class_key": pl.UInt32, "docs": pl.Int64, "mentions": pl.Int64}


# What a class is counted under, each a range of class keys: class k of n has key VARIANT * n + k. A term counts
# by its tier (TIER_VARIANTS): a name or specific term for DEFAULT; a context term's matches only in a text where
# a context word of its class occurs, and then for DEFAULT and CONTEXT_MET (so that those texts can be told apart:
# `context_docs`); a blocked term and a generic parent name for nothing here (a generic name's figure is read from
# the stored matches, `exposure_tiers.generic_docs`: "dog" stands for 118 ImageNet classes, and an entry per class and
# text made distinct captions ~2x slower to index and ~2.7x the memory). One entry per class and text for the usual
# name or specific match keeps the tally as small as before tiers; the "names only" and "every term" variants
# are read from the stored matches (`matches_all_terms`), like the other variants of analyses.
DEFAULT, CONTEXT_MET = range(2)
N_VARIANTS = 2
TIER_VARIANTS = {"name": (DEFAULT,), "specific": (DEFAULT,), "context": (CONTEXT_MET,), "blocked": (), "generic": ()}


@dataclass(frozen=True)
class TextsFound:
    """What the texts numbered 0..n-1 contain, in compressed rows: the patterns of text t are entries
    ``pattern_start[t]`` to ``pattern_start[t + 1]`` of ``pattern_id`` and ``pattern_n`` (how often), its classes
    (found through any of their patterns) entries ``class_start[t]`` to ``class_start[t + 1]`` of ``class_key``
    and ``class_n`` (the class's matches). Only ever replaced, never changed, so that a batch can keep the one it
    was located against."""

    pattern_start: np.ndarray  # int64, n + 1
    pattern_id: np.ndarray  # uint32
    pattern_n: np.ndarray  # uint32
    class_start: np.ndarray  # int64, n + 1
    class_key: np.ndarray  # uint32
    class_n: np.ndarray  # uint32
    context_met: np.ndarray  # bool, n: whether a context term of one of the text's classes counted there

    @classmethod
    def empty(cls) -> TextsFound:
        no_entries = np.zeros(0, np.uint32)
        return cls(np.zeros(1, np.int64), no_entries, no_entries, np.zeros(1, np.int64), no_entries, no_entries,
                   np.zeros(0, bool))

    @classmethod
    def from_tally(cls, tallied: tuple[bytes, ...]) -> TextsFound:
        """What ``_matchcore.tally`` returns (int64 starts, uint32 entries, a byte a text), as arrays."""
        dtypes = (np.int64, np.uint32, np.uint32, np.int64, np.uint32, np.uint32, np.bool_)
        return cls(*(np.frombuffer(data, dtype) for data, dtype in zip(tallied, dtypes)))

    @property
    def n_texts(self) -> int:
        return len(self.pattern_start) - 1

    def extended(self, more: TextsFound) -> TextsFound:
        """These texts, then ``more`` numbered after them."""
        return TextsFound(
            np.concatenate([self.pattern_start, more.pattern_start[1:] + self.pattern_start[-1]]),
            np.concatenate([self.pattern_id, more.pattern_id]),
            np.concatenate([self.pattern_n, more.pattern_n]),
            np.concatenate([self.class_start, more.class_start[1:] + self.class_start[-1]]),
            np.concatenate([self.class_key, more.class_key]),
            np.concatenate([self.class_n, more.class_n]),
            np.concatenate([self.context_met, more.context_met]),
        )


@dataclass(frozen=True)
class Located:
    """What a batch of texts contains: each row's text number, and what the numbered texts contain. Repeated
    captions are searched once, and per-class counts can be taken per distinct text."""

    row_text: np.ndarray  # uint32: every row's text number
    found: TextsFound

    def occurrences(self) -> pl.DataFrame:
        """One row per (row, pattern) found, with its count ``n`` (OCCURRENCES_SCHEMA), in row order."""
        found = self.found
        rows, patterns, counts = expand(self.row_text, found.pattern_start, found.pattern_id, found.pattern_n)
        return pl.DataFrame({"row": np.frombuffer(rows, np.uint32), "pattern_id": np.frombuffer(patterns, np.uint32),
                             "n": np.frombuffer(counts, np.uint32)}, schema=OCCURRENCES_SCHEMA)

    def class_rows(self) -> pl.DataFrame:
        """One row per (row, class key) found, with the class's matches (CLASS_ROWS_SCHEMA), in row order."""
        found = self.found
        rows, class_keys, n = expand(self.row_text, found.class_start, found.class_key, found.class_n)
        return pl.DataFrame({"row": np.frombuffer(rows, np.uint32), "class_key": np.frombuffer(class_keys, np.uint32),
                             "n": np.frombuffer(n, np.uint32)}, schema=CLASS_ROWS_SCHEMA)

    def context_rows(self, n_classes: int) -> pl.DataFrame:
        """(row, class key) where a context term of the class counted, the key of its CONTEXT_MET variant."""
        found = self.found
        rows = np.flatnonzero(found.context_met[self.row_text]).astype(np.uint32)
        texts = self.row_text[rows]
        lengths = found.class_start[texts + 1] - found.class_start[texts]
        # the entries of those rows' texts, one range per row, laid end to end
        offsets = np.repeat(found.class_start[texts] - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        keys = found.class_key[offsets]
        wanted = (keys > CONTEXT_MET * n_classes) & (keys <= (CONTEXT_MET + 1) * n_classes)
        return pl.DataFrame({"row": np.repeat(rows, lengths)[wanted], "class_key": keys[wanted]},
                            schema={"row": pl.UInt32, "class_key": pl.UInt32})

    def class_documents(self) -> pl.DataFrame:
        """Per class found, the rows (as one-row documents) that mention it and its matches in them
        (CLASS_DOCUMENTS_SCHEMA): a text's classes counted once and multiplied by its copies in the batch."""
        found = self.found
        docs, mentions = (np.frombuffer(totals, np.int64) for totals in
                          class_totals(self.row_text, found.class_start, found.class_key, found.class_n))
        seen = np.flatnonzero(docs)
        return pl.DataFrame({"class_key": seen.astype(np.uint32), "docs": docs[seen], "mentions": mentions[seen]},
                            schema=CLASS_DOCUMENTS_SCHEMA)


# A batch of at least MEMO_BYPASS_MIN_TEXTS texts of which this share or more are new (distinct web alt-text)
# shows that the memo does not pay: numbering a text costs about a third of searching it (benchmarks/
# bench_stages.py) and saves nothing when it is new. The next batches are searched whole, without it, and one in
# MEMO_PROBE_EVERY goes through it again, to see whether repeats came back. The memo pays below ~70% new.
MEMO_BYPASS_NEW_SHARE = 0.9
MEMO_BYPASS_MIN_TEXTS = 10_000
MEMO_PROBE_EVERY = 8


class SeenTexts:
    """The texts already searched, numbered, and what they contain: a repeated caption is searched only once.

    Web corpora repeat captions ("Image", product titles, templated alt-text). ``TextMemo`` (C) knows a text
    by two independent 64-bit hashes of it, not by its characters. Bounded: a batch that would take it past
    ``capacity`` texts starts it afresh. Left out for a while after a batch of nearly all new texts
    (MEMO_BYPASS_NEW_SHARE).
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.lock = threading.Lock()  # one batch at a time: numbering and recording go together
        self.memo = TextMemo()
        self.found = TextsFound.empty()
        self.bypass_left = 0  # batches still to search without the memo

    def take_bypass(self) -> bool:
        """Whether this batch is searched without the memo (counted down)."""
        if self.bypass_left <= 0:
            return False
        self.bypass_left -= 1
        return True

    def note_new(self, n_new: int, n_texts: int) -> None:
        """A batch through the memo had ``n_new`` new texts of ``n_texts``."""
        if n_texts >= MEMO_BYPASS_MIN_TEXTS and n_new >= MEMO_BYPASS_NEW_SHARE * n_texts:
            self.bypass_left = MEMO_PROBE_EVERY - 1

    def make_room(self, rows: int) -> None:
        if len(self.memo) + rows > self.capacity:
            self.memo.clear()
            self.found = TextsFound.empty()


def pattern_set_id(fingerprints: Iterable[tuple[str, str]], rules: MatchRules) -> str:
    """Names the patterns a ``Matcher`` builds from lists of these (name, fingerprint) under these rules: the
    same lists and rules always give the same patterns, in the same order, whatever the order of the lists."""
    digest = hashlib.blake2b(digest_size=12)
    digest.update(json.dumps([rules.to_dict(), sorted(fingerprints)], sort_keys=True).encode())
    return digest.hexdigest()


def _kept_by(rules: MatchRules) -> pl.Expr:
    """Which terms the rules search (the vectorised ``MatchRules.words_searched``, less the words)."""
    kept = pl.lit(True)
    if not rules.plurals:
        kept &= ~pl.col("origin").is_in(INFLECTED_ORIGINS)
    if rules.ambiguous == "skip":
        kept &= ~pl.col("ambiguous")
    return kept


class ContextSearch:
    """The context words of the lists' classes, and the rule they serve: a context term's match counts for its
    class only in a text where one of the class's context words occurs (whole words, anywhere, overlapping
    others; their own plurals are context words of their own).

    Only the few texts that hold a context term are searched for context words (~5% of distinct web captions),
    by the C scan itself (every word at every position, right after the text's own search), and ``tally``
    settles the context terms' entries as it builds them: settling them afterwards, in Polars over every entry
    of a batch, cost a third as much as searching the batch (benchmarks/bench_stages.py). ``found_in`` searches
    texts on their own, for the Polars path of the other rules."""

    def __init__(self, class_lists: Sequence[ClassList], class_keys: pl.DataFrame, rules: MatchRules) -> None:
        self.rules = rules
        distinct = {word.context for class_list in class_lists for word in class_list.context}
        normalized = {text: " ".join(rules.words_of(text)) for text in distinct}
        words = pl.DataFrame(
            [(class_list.name, word.class_index, normalized[word.context])
             for class_list in class_lists for word in class_list.context],
            schema={"taxonomy": pl.String, "class_index": pl.Int32, "words": pl.String}, orient="row",
        ).filter(pl.col("words") != "")
        # context word -> the keys (CONTEXT_MET variant) of the classes it serves, in compressed rows: word w
        # serves word_keys[word_start[w]:word_start[w + 1]]
        served = (words.join(class_keys, on=["taxonomy", "class_index"])
                  .select("words", (pl.col("class_key") + CONTEXT_MET * class_keys.height).cast(pl.UInt32))
                  .unique().sort("words", "class_key"))
        self.words = served["words"].unique(maintain_order=True).to_list()
        self.word_keys = served["class_key"].to_numpy()
        self.word_start = np.zeros(len(self.words) + 1, np.int64)
        np.cumsum(served.group_by("words", maintain_order=True).len()["len"].to_numpy(), out=self.word_start[1:])
        self._search = phrases.PhraseSearch(self.words, case_sensitive=rules.case_sensitive) if self.words else None

    def found_in(self, texts: pl.Series, views: phrases.TextViews, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every context word in the texts at ``rows``, overlapping, as (position in ``rows``, word number)."""
        if self._search is None or not len(rows):
            return np.zeros(0, np.uint32), np.zeros(0, np.uint32)
        found = search_whole_words(self._search, texts, views, rows, case_sensitive=self.rules.case_sensitive,
                                   every=True)
        return found.positions, found.patterns


def search_whole_words(search: phrases.PhraseSearch, texts: pl.Series, views: phrases.TextViews, rows: np.ndarray, *,
                       case_sensitive: bool, every: bool = False) -> phrases.Found:
    """The C scan's matches in the texts at ``rows`` (``views``: the texts' string views), texts not in ASCII
    normalised by Polars and searched again, so that none is left ``skipped``; ``every``: every pattern at every
    word, else leftmost-longest."""
    found = search.find(views, rows, every=every)
    skipped = found.skipped
    if not len(skipped):
        return found
    # not ASCII: normalised by Polars (NFKC, case folding, Unicode letters and digits), which leaves words the C
    # scan reads the same way
    normalized = texts.gather(rows[skipped]).to_frame("text").select(
        normalized_padded_expr("text", case_sensitive=case_sensitive)).to_series()
    again = search.find(phrases.text_views(normalized), normalized=True, every=every)
    return phrases.Found(np.concatenate([found.positions, skipped[again.positions]]),
                         np.concatenate([found.patterns, again.patterns]), np.zeros(0, np.uint32),
                         np.concatenate([found.context_positions, skipped[again.context_positions]]),
                         np.concatenate([found.context_words, again.context_words]))


class Matcher:
    """Built once from class lists and rules; ``match`` is then called on each batch of text."""

    def __init__(
        self, class_lists: Sequence[ClassList], rules: MatchRules = MatchRules(), *, memo_texts: int = 1_000_000
    ) -> None:
        self.rules = rules
        self.memo_texts = memo_texts
        self._seen = SeenTexts(memo_texts)
        # Every term the rules keep, with its normalised words (vectorised: the lists have ~9,000 terms). One
        # class reaching the same words through two terms (e.g. after case-sensitive normalisation) counts
        # once, under its first term.
        kept = terms_frame(class_lists).filter(_kept_by(rules))
        searched = (
            kept.with_columns(normalized_padded(kept["term"], case_sensitive=rules.case_sensitive).alias("padded"))
            .with_columns(joined_words(pl.col("padded")).alias("words"))
            .filter(pl.col("words") != "")
            .unique(["words", "taxonomy", "class_index"], keep="first", maintain_order=True)
        )
        # Block phrases are patterns that stand for no class: they win by the longest-match rule and count for
        # nothing; a term with a block phrase's very words is left out.
        # (each list carries the shared phrases: ~300 distinct among ~6,800, each normalised once)
        block = {" ".join(rules.words_of(phrase)) for phrase in {b.phrase for l in class_lists for b in l.block}}
        block = sorted(block - {""})
        searched = searched.filter(~pl.col("words").is_in(block))
        all_words = pl.concat([searched.select("words", "padded"), pl.DataFrame(
            {"words": block, "padded": [f" {'  '.join(words.split())} " for words in block]},
            schema={"words": pl.String, "padded": pl.String})])
        # Longest pattern first (extract_many's leftmost-first is then leftmost-longest), then in the order of
        # the words; pattern_id is the position in this order, so the same lists and rules always give the same
        # ids (the database keeps them: `patterns`).
        patterns = (
            all_words.unique("words")
            .sort(pl.col("padded").str.len_chars(), "words", descending=[True, False])
            .with_row_index("pattern_id")
        )
        self.pattern_words = patterns["words"].to_list()
        # Substring matching drops the outer spaces, so a pattern may start or end inside a word.
        self._patterns = (patterns["padded"].str.strip_chars(" ") if rules.substrings else patterns["padded"]).to_list()
        self.pattern_terms = searched.join(patterns.select("words", "pattern_id"), on="words").select(
            "pattern_id", "taxonomy", "class_index", "term_id", "tier"
        ).cast({"pattern_id": pl.UInt32, "class_index": pl.Int32, "term_id": pl.Int32})
        self._own_terms = self.pattern_terms.filter(pl.col("tier") != "generic")
        self._is_block = np.zeros(len(self._patterns), bool)
        self._is_block[patterns.filter(pl.col("words").is_in(block))["pattern_id"].to_numpy()] = True
        # Each (taxonomy, class_index) under one integer key k (1..n): counting groups by it, several times faster
        # than by the name and index; a match counts under the keys of its term's tier's variants.
        keyed = self.pattern_terms.with_columns(
            pl.struct("taxonomy", "class_index").rank("dense").cast(pl.UInt32).alias("class_key")
        )
        # by key: row k - 1 is class key k (the dense rank counts from 1), so that counts by key are named by a gather
        self.class_keys = keyed.select("class_key", "taxonomy", "class_index").unique("class_key").sort("class_key")
        self.n_classes = self.class_keys.height
        variants = pl.DataFrame({"tier": list(TIER_VARIANTS), "variant": [list(v) for v in TIER_VARIANTS.values()]},
                                schema={"tier": pl.String, "variant": pl.List(pl.UInt32)})
        self.pattern_classes = keyed.join(variants, on="tier").explode("variant").drop_nulls("variant").select(
            "pattern_id", (pl.col("variant") * self.n_classes + pl.col("class_key")).alias("class_key"))
        # each pattern's classes in compressed rows, for tally(): those of pattern p are entries
        # _class_start[p] to _class_start[p + 1] of _class_keys
        by_pattern = self.pattern_classes.unique().sort("pattern_id", "class_key")
        self._class_keys = by_pattern["class_key"].to_numpy()
        self._class_start = np.zeros(len(self._patterns) + 1, np.int64)
        np.cumsum(np.bincount(by_pattern["pattern_id"].to_numpy(), minlength=len(self._patterns)),
                  out=self._class_start[1:])
        # the patterns of context terms: a text that holds one is searched for context words
        asking = by_pattern.filter((pl.col("class_key") > CONTEXT_MET * self.n_classes)
                                   & (pl.col("class_key") <= (CONTEXT_MET + 1) * self.n_classes))["pattern_id"]
        self._asks_context = np.zeros(len(self._patterns), bool)
        self._asks_context[asking.to_numpy()] = True
        self._context = ContextSearch(class_lists, self.class_keys, rules)
        # The C scan knows whole words and leftmost-longest matches only; the other rules use Aho-Corasick, whose
        # matches are patterns' text, looked up here.
        self._phrases: phrases.PhraseSearch | None = None
        self._pattern_lookup: pl.DataFrame | None = None
        if rules.substrings or rules.overlapping:
            self._pattern_lookup = pl.DataFrame(
                {"pattern": self._patterns, "pattern_id": list(range(len(self._patterns)))},
                schema={"pattern": pl.String, "pattern_id": pl.UInt32},
            )
        else:
            heads, pattern_heads = self._head_groups(class_lists)
            self._phrases = phrases.PhraseSearch(self.pattern_words, case_sensitive=rules.case_sensitive,
                                                 silent=self._is_block, asking=self._asks_context,
                                                 context_words=self._context.words, heads=heads,
                                                 pattern_heads=pattern_heads)

    def _head_groups(self, class_lists: Sequence[ClassList]) -> tuple[dict[str, int], np.ndarray | None]:
        """The head rule as the C scan takes it: each list with head words is a group (a bit); a head word's mask
        is the groups it heads, a pattern's mask the groups of which it is a counted term (name, specific or
        context tier). The rule knows whole words and leftmost-longest matches: the default rules only."""
        with_heads = [class_list for class_list in class_lists if class_list.heads]
        if not with_heads:
            return {}, None
        if len(with_heads) > 32:
            raise FreqscopeError(f"{len(with_heads)} lists with head words matched together; at most 32 can be: "
                                 "index fewer lists at once")
        heads: dict[str, int] = {}
        group_of = {class_list.name: 1 << group for group, class_list in enumerate(with_heads)}
        for class_list in with_heads:
            for head in class_list.heads:
                words = self.rules.words_of(head.head)
                if len(words) == 1:
                    heads[words[0]] = heads.get(words[0], 0) | group_of[class_list.name]
        counted = self.pattern_terms.filter(pl.col("taxonomy").is_in(list(group_of))
                                            & pl.col("tier").is_in(list(ACCEPTED_TIERS)))
        pattern_heads = np.zeros(len(self._patterns), np.uint32)
        np.bitwise_or.at(pattern_heads, counted["pattern_id"].to_numpy(),
                         np.array([group_of[name] for name in counted["taxonomy"]], np.uint32))
        return heads, pattern_heads

    def normalize(self, texts: pl.Series) -> pl.Series:
        """The texts in the padded word layout (the Polars path)."""
        return normalized_padded(texts, case_sensitive=self.rules.case_sensitive)

    def new_memo(self) -> SeenTexts:
        """An empty memo of seen texts for ``locate``, as large as the matcher's own: each thread that locates
        batches at the same time as others needs one (a memo serves one batch at a time)."""
        return SeenTexts(self.memo_texts)

    def locate(self, texts: pl.Series | Sequence[str | None], seen: SeenTexts | None = None) -> Located:
        """Which texts of ``texts`` contain which patterns; each distinct text is searched once. ``seen``: the
        memo to use (from ``new_memo``; default: the matcher's own)."""
        if not isinstance(texts, pl.Series):
            texts = pl.Series("text", list(texts), dtype=pl.String)
        texts = texts.cast(pl.String).fill_null("")
        seen = self._seen if seen is None else seen
        views = phrases.text_views(texts)
        with seen.lock:
            bypass = seen.take_bypass()
            if not bypass:
                seen.make_room(len(texts))
                numbers, new_rows = seen.memo.assign(*views)
                new_rows = np.frombuffer(new_rows, np.uint32)
                if len(new_rows):
                    seen.found = seen.found.extended(self._found_in(texts, views, new_rows))
                seen.note_new(len(new_rows), len(texts))
                return Located(np.frombuffer(numbers, np.uint32), seen.found)
        every_row = np.arange(len(texts), dtype=np.uint32)  # each row its own text
        return Located(every_row, self._found_in(texts, views, every_row))

    def _found_in(self, texts: pl.Series, views: phrases.TextViews, rows: np.ndarray) -> TextsFound:
        """What the texts at ``rows`` contain, numbered in the order of ``rows``: block phrases count for nothing,
        context terms only where a context word of their class occurs."""
        return self._tallied(len(rows), *self._search(texts, views, rows))

    def _tallied(self, n_texts: int, positions: np.ndarray, patterns: np.ndarray, met_at: np.ndarray,
                 met_words: np.ndarray) -> TextsFound:
        """What each of ``n_texts`` texts contains, from what ``_search`` found in them."""
        return TextsFound.from_tally(tally(
            n_texts, positions, patterns, self._class_start, self._class_keys,
            context_offset=CONTEXT_MET * self.n_classes, met_texts=met_at, met_words=met_words,
            word_start=self._context.word_start, word_keys=self._context.word_keys))

    def match(self, texts: pl.Series | Sequence[str | None]) -> pl.DataFrame:
        """Matches in ``texts``: one row per (text row, taxonomy, class, term) with its count ``n``, for the classes'
        own terms of every tier but generic (a parent name is not a name of the class: an answer "elephant" is not
        an African elephant). What counts for each class is ``Located.class_rows``."""
        return (self.locate(texts).occurrences().join(self._own_terms, on="pattern_id").select(list(MATCH_SCHEMA)))

    def named(self, class_key: pl.Series) -> pl.DataFrame:
        """(variant, taxonomy, class_index) of class keys."""
        base = (class_key.cast(pl.Int64) - 1) % self.n_classes
        return pl.concat([pl.DataFrame({"variant": ((class_key.cast(pl.Int64) - 1) // self.n_classes).cast(pl.UInt32)}),
                          self.class_keys.select("taxonomy", "class_index")[base]], how="horizontal")

    def _search(self, texts: pl.Series, views: phrases.TextViews,
                rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every occurrence in the texts at ``rows`` that counts (block phrases win and are left out), as (position
        in ``rows``, pattern id) uint32 arrays, and the context words of the texts that hold a context term, as
        (position, context word number) (``views``: the texts' string views, for the C scan)."""
        if not self._patterns:
            return (np.zeros(0, np.uint32),) * 4
        if self._phrases is not None:
            found = search_whole_words(self._phrases, texts, views, rows, case_sensitive=self.rules.case_sensitive)
            return found.positions, found.patterns, found.context_positions, found.context_words
        found = self._find(self.normalize(texts.gather(rows)))
        positions, patterns = found["text_id"].to_numpy(), found["pattern_id"].to_numpy()
        counted = ~self._is_block[patterns]
        positions, patterns = positions[counted], patterns[counted]
        asking = np.unique(positions[self._asks_context[patterns]])
        met_at, met_words = self._context.found_in(texts, views, rows[asking])
        return positions, patterns, asking[met_at], met_words

    def _find(self, normalized: pl.Series) -> pl.DataFrame:
        """One row per occurrence in texts in the padded layout: (text_id, pattern_id). ``locate`` calls it only
        with texts to search."""
        return (
            pl.DataFrame({"text": normalized})
            .with_row_index("text_id")
            .select(
                "text_id",
                pl.col("text")
                .str.extract_many(
                    self._patterns, leftmost=not self.rules.overlapping, overlapping=self.rules.overlapping
                )
                .alias("pattern"),
            )
            .filter(pl.col("pattern").list.len() > 0)
            .explode("pattern")
            .join(self._pattern_lookup, on="pattern")
            .drop("pattern")
        )
