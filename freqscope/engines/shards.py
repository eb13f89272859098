"""The unit of indexing work, shared by every engine: the shard plan and the matching of one shard.

    plan_shards(sources) ─► [Shard] ─► match_shard(shard, lists, rules) ─► MatchedBatch ... (driver writes them)

A shard is a row range of a file: whole row groups of about ``shard_rows`` rows of a parquet file, planned
from its footer; or ``shard_rows`` documents of any other file (CSV/TSV, JSON lines, text, LLaVA...), which
is read as one stream (one job) and cut into shards as it is read, each written as soon as it is read. A file
with fewer rows is one shard (rows 0 to NULL, "to the end"), and so is the last shard of a stream. The plan
depends only on the files, never on the engine, so the ``sources`` table is the same whichever engine ran.
``match_shard`` reads and matches and touches no database: the local engine streams its batches into the
open transaction, the Ray engine runs it on a worker and ships back ``ShardResult`` (matches and counts as
Arrow tables, never the captions).
"""
from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

import numpy as np
import polars as pl
import pyarrow as pa
import xxhash

from freqscope import readers
from freqscope.errors import FreqscopeError
from freqscope.matcher import CONTEXT_MET, DEFAULT, N_VARIANTS, Located, Matcher, MatchRules, SeenTexts, pattern_set_id
from freqscope.readers.uris import ObjectLocation, object_fingerprint, require_file
from freqscope.terms.taxonomy import ClassList

DEFAULT_SHARD_ROWS = 1_000_000
# Rows per batch: each batch pays fixed costs (joins against the memo of seen captions, an Aho-Corasick
# automaton built per call). Measured with benchmarks/bench_index.py (10M captions, 2 cores): 500,000 beat
# 250,000 by 16% and 125,000 by 38%; 1,000,000 gained 2% more but peaked at 980 MiB on distinct captions.
BATCH_ROWS = 500_000
# A streamed format's batches are smaller: its reader holds more per row than Polars' parquet reader (Python
# strings of JSON, pyarrow's CSV blocks). benchmarks/bench_streams.py, 10M --distinct captions, in one process:
# TSV peak 981 MiB at 500,000 rows, 809 at 250,000; JSON lines 1,145 and 905.
STREAM_BATCH_ROWS = 250_000
# Matching runs in a worker thread (Polars releases the GIL) while the calling thread reads. One is enough:
# Polars already spreads each operation over the cores (benchmarks/bench_index.py measured two slower).
MAX_PENDING_BATCHES = 2
FINGERPRINT_THREADS = 4
FINGERPRINT_CHUNK = 1 << 20  # bytes read at a time (a reused buffer)

# (docs, mentions) columns of each counting variant but the default's (which has its per-role columns too)
VARIANT_COLUMNS = {CONTEXT_MET: ("docs_context", "mentions_context")}
COUNT_COLUMNS = ("docs", "mentions", "docs_human", "mentions_human", "docs_gpt", "mentions_gpt",
                 *(column for pair in VARIANT_COLUMNS.values() for column in pair))
# What is stored per match: the pattern found (``Matcher.pattern_words``), not the classes it stands for; the
# `matches` view expands patterns to classes and terms (``patterns`` table). A caption's "dog" is one row, not
# one per list that has a dog, which makes the rows to write half as many.
MATCHES_SCHEMA = {"doc": pl.Int64, "role": pl.String, "pattern_id": pl.UInt32, "n": pl.UInt32}
KEYS_SCHEMA = {"doc": pl.Int64, "doc_key": pl.String}
# The documents where a class's context term counted (its context word was there): the `matches` view's proof.
CONTEXT_SCHEMA = {"doc": pl.Int64, "taxonomy": pl.String, "class_index": pl.Int32}
Counters = tuple[int, int, int]  # a batch's documents, rows, and texts whose invalid UTF-8 was replaced
COUNTS_SCHEMA = {"taxonomy": pl.String, "class_index": pl.Int32, **{c: pl.Int64 for c in COUNT_COLUMNS}}


@dataclass(frozen=True)
class ShardRows:
    """What a shard reads: rows ``row_start`` to ``row_end`` (exclusive; None: the whole file) of a file.

    With ``stream_rows``, the file is streamed (every format but parquet): rows 0 to None are the whole file,
    read as one job and cut into shards of ``stream_rows`` documents, those starting at ``skipped`` (done by
    an earlier run) read past without being matched; rows ``row_start`` to ``row_start + stream_rows`` are one
    of those shards (``part``), whose ``row_end`` is recorded as None when the file ends in it.
    """

    path: str  # absolute, or a normalised URI (readers.stored_path)
    format: str  # as detected (or given) on the driver
    text_column: str | None  # as given (--text-column), or None: each reader finds its own
    row_start: int
    row_end: int | None
    stream_rows: int | None = field(default=None, kw_only=True)
    skipped: tuple[int, ...] = field(default=(), kw_only=True)

    @property
    def name(self) -> str:
        """How the shard is named in progress and errors: the path, plus the row range of a split file."""
        if self.row_end is None:
            return self.path
        return f"{self.path} rows {self.row_start:,}-{self.row_end:,}"

    @property
    def is_stream(self) -> bool:
        """Whether these are the rows of a whole streamed file, to be cut into shards as they are read."""
        return self.stream_rows is not None and self.row_end is None

    def shard_start(self, doc: int) -> int:
        """The first row of the shard that document ``doc`` (read by these rows) belongs to."""
        return doc - doc % self.stream_rows if self.is_stream else self.row_start

    def first_matched(self) -> int:
        """The first row of the first shard these rows match (a stream's first not skipped): where a failure of
        the whole read is recorded, so that it takes the place of no shard done before."""
        start = self.row_start
        while self.is_stream and start in self.skipped:
            start += self.stream_rows
        return start

    def open(self, batch_rows: int = BATCH_ROWS) -> readers.SourceReader:
        if self.is_stream:  # no batch spans two shards
            return readers.SourceReader(self.path, format=self.format, text_column=self.text_column,
                                        batch_rows=min(batch_rows, STREAM_BATCH_ROWS), shard_docs=self.stream_rows,
                                        skipped_shards=self.skipped)
        return readers.SourceReader(self.path, format=self.format, text_column=self.text_column,
                                    batch_rows=batch_rows, row_start=self.row_start, row_end=self.row_end)


@dataclass(frozen=True)
class Shard(ShardRows):
    """One unit of work: its rows, and what the database records of its file."""

    fingerprint: str  # content hash of the whole file; size and mtime of an object named by URI
    bytes: int  # size of the whole file
    n_docs_hint: int | None  # documents in the shard where the file says so up front (parquet)

    @property
    def rows(self) -> ShardRows:
        return ShardRows(**{f.name: getattr(self, f.name) for f in fields(ShardRows)})

    def part(self, row_start: int) -> Shard:
        """The shard of this stream that starts at ``row_start``."""
        return replace(self, row_start=row_start, row_end=row_start + self.stream_rows, skipped=())

    def recorded_row_end(self, n_docs: int, ends_read: bool) -> int | None:
        """The ``row_end`` to record for the shard once ``n_docs`` documents of it were read (``ends_read``: the
        read ended in it). A shard that read fewer documents than its range holds is an error: a stream that
        ended early without one must not be marked done, for a re-run would skip it."""
        if self.stream_rows is not None:
            if ends_read:  # a stream is read to the end of its file: its last shard runs to the end
                return None
            expected = self.row_end - self.row_start
        else:
            expected = self.n_docs_hint
        if expected is not None and n_docs != expected:
            holds = "the shard holds" if self.stream_rows is not None else "the file says it holds"
            raise FreqscopeError(
                f"{self.name}: read {n_docs:,} of the {expected:,} documents {holds}; nothing of it was stored: "
                "run the same command again"
            )
        return self.row_end


@dataclass(frozen=True)
class ShardJob:
    """A shard to (re)index: the class lists to match it against, and the rows it replaces when written.

    The job of a stream covers all its shards: ``rematched`` names those done by an earlier run for fewer lists
    (row_start, source_id), matched again; ``part`` is the job of one of its shards.
    """

    shard: Shard
    lists: tuple[str, ...]  # class list names, all matched together
    replaces: tuple[int, ...] = ()  # source_ids of this shard's earlier rows
    rematched: tuple[tuple[int, int], ...] = ()

    def part(self, row_start: int) -> ShardJob:
        """The job of the shard that starts at ``row_start``: the job itself, but for a stream."""
        if not self.shard.is_stream:
            return self
        return ShardJob(self.shard.part(row_start), self.lists,
                        tuple(source_id for start, source_id in self.rematched if start == row_start))


@dataclass(frozen=True)
class MatchedBatch:
    """One batch's reading counters, its matches located in the file, and its per-class counts; the first row of
    the shard it belongs to, and whether it is the empty batch that ends a read (``read_shard``)."""

    n_docs: int
    n_rows: int
    n_invalid_utf8: int
    matches: pl.DataFrame  # MATCHES_SCHEMA
    keys: pl.DataFrame  # KEYS_SCHEMA: the source's own id of each matched document that has one
    counts: pl.DataFrame  # COUNTS_SCHEMA, summed over the batch
    context: pl.DataFrame  # CONTEXT_SCHEMA
    row_start: int = 0
    ends_read: bool = False


@dataclass(frozen=True)
class ShardResult:
    """A whole shard's matches and counts, as Arrow tables: what a remote worker sends back."""

    n_docs: int
    n_rows: int
    n_invalid_utf8: int
    matches: pa.Table
    keys: pa.Table
    counts: pa.Table
    context: pa.Table
    row_start: int = 0
    ends_read: bool = False

    def as_batch(self) -> MatchedBatch:
        return MatchedBatch(self.n_docs, self.n_rows, self.n_invalid_utf8, pl.from_arrow(self.matches),
                            pl.from_arrow(self.keys), pl.from_arrow(self.counts), pl.from_arrow(self.context),
                            self.row_start, self.ends_read)


def file_fingerprint(path: Path) -> str:
    """A content hash: a copy of the same file is the same source, an edited file is a new one."""
    # XXH3-128: ~5 GB/s here against SHA-256's 1.2 (hardware-accelerated). A fingerprint has no adversary to
    # resist, and every run hashes every local file of its corpus: 27 ms of the 0.4 s of indexing 1M captions.
    digest = xxhash.xxh3_128()
    chunk = bytearray(FINGERPRINT_CHUNK)
    view = memoryview(chunk)
    with open(path, "rb") as handle:
        while size := handle.readinto(chunk):
            digest.update(view[:size])
    return digest.hexdigest()


def file_identity(file: readers.CorpusFile) -> tuple[int, str]:
    """The file's size and fingerprint. An object named by URI is not downloaded for this: its fingerprint is
    its size and modification time from the filesystem (``uris.object_fingerprint``)."""
    if readers.is_uri(file):
        info = require_file(ObjectLocation.parse(file))
        return info.size, object_fingerprint(info)
    return Path(file).stat().st_size, file_fingerprint(Path(file))


def row_ranges(group_rows: Sequence[int], shard_rows: int) -> list[tuple[int, int]]:
    """Consecutive whole row groups gathered into ranges of at least ``shard_rows`` rows (the last may be less)."""
    ranges, start, end = [], 0, 0
    for rows in group_rows:
        end += rows
        if end - start >= shard_rows:
            ranges.append((start, end))
            start = end
    if end > start or not ranges:
        ranges.append((start, end))
    return ranges


def source_shards(source: readers.SourceReader, text_column: str | None, shard_rows: int) -> list[ShardRows]:
    """The rows of a file's shards: the whole file, row-group ranges of a large parquet file, or the whole file
    as a stream of shards of ``shard_rows`` documents (every format but parquet).

    ``text_column`` is the one the source was opened with (None: each format's default).
    """
    if shard_rows < 1:
        raise ValueError(f"shard_rows must be positive, not {shard_rows}")
    path = readers.stored_path(source.path)
    if source.streamed:
        return [ShardRows(path, source.format, text_column, 0, None, stream_rows=shard_rows)]
    groups = source.row_group_rows()
    ranges = row_ranges(groups, shard_rows) if groups else []
    if len(ranges) <= 1:  # a whole file: no row range, as when a file is one shard
        return [ShardRows(path, source.format, text_column, 0, None)]
    return [ShardRows(path, source.format, text_column, start, end) for start, end in ranges]


def plan_shards(sources: Sequence[readers.SourceReader], text_column: str | None = None,
                shard_rows: int = DEFAULT_SHARD_ROWS) -> list[Shard]:
    """The shards of the given files (``source_shards``), in file order, with their files' identities."""
    # xxhash releases the GIL on large reads (and an object store answers in parallel), so a few threads
    # fingerprint several files at once.
    with ThreadPoolExecutor(FINGERPRINT_THREADS) as pool:
        identities = list(pool.map(file_identity, [s.path for s in sources]))
    shards = []
    for source, (size, fingerprint) in zip(sources, identities):
        for rows in source_shards(source, text_column, shard_rows):
            docs = source.total_docs() if rows.row_end is None else rows.row_end - rows.row_start
            shards.append(Shard(**asdict(rows), fingerprint=fingerprint, bytes=size, n_docs_hint=docs))
    return shards


def _named(counts: pl.DataFrame, matcher: Matcher) -> pl.DataFrame:
    """Counts per class key (every variant's, ``matcher.TIER_VARIANTS``) as counts per (taxonomy, class_index),
    one column pair per variant, in COUNTS_SCHEMA."""
    n = matcher.n_classes
    key = counts["class_key"].to_numpy().astype(np.int64) - 1
    variant, base = key // n, key % n
    # a table by class and variant, rows of classes with any count kept
    columns = {}
    for name in counts.columns[1:]:
        table = np.zeros((N_VARIANTS, n), np.int64)
        table[variant, base] = counts[name].to_numpy()
        columns[name] = table
    seen = np.unique(base)
    wide = {name: columns[name][DEFAULT, seen] for name in counts.columns[1:]}
    for variant_index, (docs, mentions) in VARIANT_COLUMNS.items():
        wide[docs], wide[mentions] = columns["docs"][variant_index, seen], columns["mentions"][variant_index, seen]
    names = matcher.class_keys.select("taxonomy", "class_index")[seen]
    return pl.concat([names, pl.DataFrame(wide)], how="horizontal").select(list(COUNTS_SCHEMA)).cast(COUNTS_SCHEMA)


def caption_counts(located: Located, matcher: Matcher) -> pl.DataFrame:
    """Documents and mentions per class in a batch of one-row documents without roles, taken per distinct
    text: a caption repeated k times adds k documents."""
    return _named(located.class_documents().with_columns(
        pl.lit(0).alias(name) for name in ("docs_human", "mentions_human", "docs_gpt", "mentions_gpt")
    ), matcher)


def class_counts(matches: pl.DataFrame, matcher: Matcher, context: pl.DataFrame) -> pl.DataFrame:
    """Documents and mentions per class, overall and per role, in one batch (a document never spans two), from
    its matches (MATCHES_SCHEMA) and the documents where its context terms counted (CONTEXT_SCHEMA)."""
    located = matches.join(matcher.pattern_classes, on="pattern_id")
    n = matcher.n_classes
    pending = (pl.col("class_key") > CONTEXT_MET * n) & (pl.col("class_key") <= (CONTEXT_MET + 1) * n)
    if not context.is_empty():
        met = context.join(matcher.class_keys, on=["taxonomy", "class_index"]).select(
            "doc", (pl.col("class_key") + CONTEXT_MET * n).alias("class_key"))
        kept = located.filter(pending).join(met, on=["doc", "class_key"], how="semi")
        located = pl.concat([located.filter(~pending), kept,
                             kept.with_columns(pl.col("class_key") - CONTEXT_MET * n)])
    else:
        located = located.filter(~pending)
    human, gpt = pl.col("role") == "human", pl.col("role") == "gpt"
    per_doc = located.group_by("doc", "class_key").agg(
        pl.col("n").sum().alias("mentions"),
        pl.col("n").filter(human).sum().alias("mentions_human"),
        pl.col("n").filter(gpt).sum().alias("mentions_gpt"),
    )
    return _named(per_doc.group_by("class_key").agg(
        pl.len().alias("docs"),
        pl.col("mentions").sum(),
        (pl.col("mentions_human") > 0).sum().alias("docs_human"),
        pl.col("mentions_human").sum(),
        (pl.col("mentions_gpt") > 0).sum().alias("docs_gpt"),
        pl.col("mentions_gpt").sum(),
    ), matcher)


def context_documents(located: Located, docs: pl.Series, matcher: Matcher) -> pl.DataFrame:
    """The documents where a context term counted for its class (CONTEXT_SCHEMA), each with its class once."""
    rows = located.context_rows(matcher.n_classes)
    if rows.is_empty():
        return pl.DataFrame(schema=CONTEXT_SCHEMA)
    named = matcher.named(rows["class_key"])
    return pl.DataFrame({"doc": docs.gather(rows["row"])}).hstack(named.select("taxonomy", "class_index")).unique(
        maintain_order=True).cast(CONTEXT_SCHEMA)


def sum_counts(counts: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """Per-class counts of several batches added up (documents never span batches, so they add)."""
    if not counts:
        return pl.DataFrame(schema=COUNTS_SCHEMA)
    return pl.concat(counts).group_by("taxonomy", "class_index").sum().cast(COUNTS_SCHEMA)


def match_batch(batch: pl.DataFrame, built: Future[Matcher], one_row_per_doc: bool,
                seen: SeenTexts | None = None) -> tuple[pl.DataFrame, ...]:
    """A read batch's (matches, keys, counts) of MatchedBatch; ``seen``: the memo of seen texts to use (default:
    the matcher's own, which serves one batch at a time)."""
    matcher = built.result()  # built by a worker thread before its first batch, or ahead of the run
    located = matcher.locate(batch["text"], seen)
    occurrences = located.occurrences()
    # `row` indexes the batch: gathering by position is several times cheaper than a join
    rows = occurrences["row"]
    without_roles = batch["role"].null_count() == batch.height
    if without_roles:  # a caption batch: only its docs are gathered (a column of null strings costs more)
        matches = occurrences.select(batch["doc"].gather(rows), pl.lit(None, pl.String).alias("role"), "pattern_id", "n")
    else:
        matches = occurrences.with_columns(batch.select("doc", "role")[rows]).select(list(MATCHES_SCHEMA))
    matches = matches.cast(MATCHES_SCHEMA)
    if batch["doc_key"].null_count() == batch.height:
        keys = pl.DataFrame(schema=KEYS_SCHEMA)
    else:
        keys = batch.select("doc", "doc_key")[rows.unique()].drop_nulls().unique("doc").sort("doc")
    context = context_documents(located, batch["doc"], matcher)
    if one_row_per_doc and without_roles:
        counts = caption_counts(located, matcher)
    else:
        counts = class_counts(matches, matcher, context)
    return matches, keys, counts, context


@dataclass
class _CachedMatcher:
    object_key: tuple  # ids of the list objects, and the rules: the cheap test, enough within one process
    class_lists: tuple[ClassList, ...]  # held, so that their ids cannot be reused by other objects
    rules: MatchRules
    matcher: Matcher

    @cached_property
    def content_key(self) -> str:
        """pattern_set_id: the same lists arriving as new objects (a Ray task's arguments). Computed only when
        other list objects ask (hashing every term of the lists, ~7 ms for the built-in ones)."""
        return pattern_set_id([(c.name, c.fingerprint()) for c in self.class_lists], self.rules)


# The last matcher built: consecutive shards of a corpus (in this process, or in one Ray worker, whose
# tasks each get the lists as new objects) reuse it and its memo of captions seen, instead of rebuilding
# both; a worker's memo then spans all the shards it matches.
_last_matcher: _CachedMatcher | None = None
_last_matcher_lock = threading.Lock()


def matcher_for(class_lists: tuple[ClassList, ...], rules: MatchRules) -> Matcher:
    """The matcher of these lists under these rules: the last one built, when it was for the same lists."""
    global _last_matcher
    object_key = (tuple(map(id, class_lists)), rules)
    with _last_matcher_lock:
        cached = _last_matcher
        if cached is not None and cached.object_key == object_key:
            return cached.matcher
        if cached is not None and cached.rules == rules:
            content_key = pattern_set_id([(c.name, c.fingerprint()) for c in class_lists], rules)
            if cached.content_key == content_key:
                cached.object_key, cached.class_lists = object_key, class_lists
                return cached.matcher
        _last_matcher = _CachedMatcher(object_key, class_lists, rules, Matcher(class_lists, rules))
        return _last_matcher.matcher


def release_matcher() -> None:
    """Drop the cached matcher and its memo (up to ~100 MiB) once a run is over."""
    global _last_matcher
    with _last_matcher_lock:
        _last_matcher = None


class ReadBatch(NamedTuple):
    """A batch as read for a job (``read_shard``), before it is matched."""

    row_start: int  # first row of the shard it belongs to
    frame: pl.DataFrame | None  # None: no rows, only word that the read ended (``ends_read``)
    counters: Counters
    ends_shard: bool = False  # the last of its shard: the shard is whole, and may be written
    ends_read: bool = False  # the last of the read: the file ends in its shard (for a stream)

    def submit_match(self, submit: Callable[[pl.DataFrame, bool], Future]) -> Future:
        """The future of this batch's (matches, keys, counts, context): ``submit(frame, one_row_per_doc)`` for a
        batch of rows, an empty result at once for the batch that only ends a read."""
        if self.frame is None:
            future: Future = Future()
            future.set_result(no_matches())
            return future
        return submit(self.frame, self.counters[0] == self.frame.height)

    def matched(self, result: tuple[pl.DataFrame, ...]) -> MatchedBatch:
        """The batch once matched: its counters with ``result`` (``submit_match``'s)."""
        return MatchedBatch(*self.counters, *result, row_start=self.row_start, ends_read=self.ends_read)


def read_shard(rows: ShardRows, batch_rows: int = BATCH_ROWS) -> Iterator[ReadBatch]:
    """What a job reads, in reading order: the batches of the shards to match, each with the first row of its
    shard. A stream's shards done before (``rows.skipped``) are read past without being matched.

    A stream also says where each of its shards ends, for the writer to commit it at once and to record the
    last as running to the end of the file: the batch that completes a shard is held until the next batch is
    read (or the file ends); the last shard, cut short by the end of the file, is closed by an empty batch (as
    is a read of no batch at all). A read that fails leaves the held batch unwritten: the file keeps none of its
    shards anyway (``indexer._keep_whole_files``).
    """
    source = rows.open(batch_rows)
    read = (0, 0, 0)
    start = rows.row_start
    held: ReadBatch | None = None  # a stream's batch that completes its shard
    for batch in source.batches():
        # The reader's counters include the batch once it is yielded: the difference is this batch's.
        now = (source.n_docs, source.n_rows, source.n_invalid_utf8)
        counters = (now[0] - read[0], now[1] - read[1], now[2] - read[2])
        start = rows.shard_start(rows.row_start + read[0])  # no batch spans two shards (SourceReader.shard_docs)
        read = now
        if held is not None:
            yield held
            held = None
        if start in rows.skipped:
            continue
        if rows.is_stream and rows.shard_start(rows.row_start + now[0]) != start:
            held = ReadBatch(start, batch, counters, ends_shard=True)
        else:
            yield ReadBatch(start, batch, counters)
    if held is not None:
        yield held._replace(ends_read=True)
    elif (rows.is_stream or read == (0, 0, 0)) and start not in rows.skipped:
        yield ReadBatch(start, None, (0, 0, 0), ends_shard=True, ends_read=True)


def no_matches() -> tuple[pl.DataFrame, ...]:
    """The (matches, keys, counts, context) of MatchedBatch for a batch without documents: the end of a read."""
    return (pl.DataFrame(schema=MATCHES_SCHEMA), pl.DataFrame(schema=KEYS_SCHEMA), pl.DataFrame(schema=COUNTS_SCHEMA),
            pl.DataFrame(schema=CONTEXT_SCHEMA))


def match_shard(shard: ShardRows, class_lists: Sequence[ClassList], rules: MatchRules,
                batch_rows: int = BATCH_ROWS) -> Iterator[MatchedBatch]:
    """The shard's batches (a stream's: those of its shards to match), read and matched against all
    ``class_lists`` together, in reading order (``read_shard``).

    Pure: touches no database. Reading the next batch overlaps matching the previous one, and reading the first
    overlaps building the matcher (when it is not cached).
    """
    pending: deque[tuple[ReadBatch, Future]] = deque()

    def finish(entry: tuple[ReadBatch, Future]) -> MatchedBatch:
        read, future = entry
        return read.matched(future.result())

    with ThreadPoolExecutor(1) as pool:
        matcher = pool.submit(matcher_for, tuple(class_lists), rules)
        for read in read_shard(shard, batch_rows):
            pending.append((read, read.submit_match(
                lambda frame, one_row_per_doc: pool.submit(match_batch, frame, matcher, one_row_per_doc))))
            if len(pending) >= MAX_PENDING_BATCHES:
                yield finish(pending.popleft())
        while pending:
            yield finish(pending.popleft())


def shard_results(shard: ShardRows, class_lists: Sequence[ClassList], rules: MatchRules,
                  batch_rows: int = BATCH_ROWS) -> list[ShardResult]:
    """``match_shard`` gathered into one result per shard (a stream has several): the remote task of the Ray
    engine."""
    parts: dict[int, list[MatchedBatch]] = {}
    for batch in match_shard(shard, class_lists, rules, batch_rows):
        parts.setdefault(batch.row_start, []).append(batch)
    return [_gathered(batches) for batches in parts.values()]


def shard_result(shard: ShardRows, class_lists: Sequence[ClassList], rules: MatchRules,
                 batch_rows: int = BATCH_ROWS) -> ShardResult:
    """The result of a shard read as one (a parquet range, or a stream of one shard)."""
    (result,) = shard_results(shard, class_lists, rules, batch_rows)
    return result


def _gathered(batches: Sequence[MatchedBatch]) -> ShardResult:
    """One shard's batches as one result."""
    n_docs = n_rows = n_invalid = 0
    matches, keys, counts, context = [], [], [], []
    for batch in batches:
        n_docs, n_rows, n_invalid = n_docs + batch.n_docs, n_rows + batch.n_rows, n_invalid + batch.n_invalid_utf8
        if not batch.matches.is_empty():
            matches.append(batch.matches)
            keys.append(batch.keys)
            counts.append(batch.counts)
            context.append(batch.context)
    return ShardResult(
        n_docs, n_rows, n_invalid,
        (pl.concat(matches) if matches else pl.DataFrame(schema=MATCHES_SCHEMA)).to_arrow(),
        (pl.concat(keys) if keys else pl.DataFrame(schema=KEYS_SCHEMA)).to_arrow(),
        sum_counts(counts).to_arrow(),
        (pl.concat(context) if context else pl.DataFrame(schema=CONTEXT_SCHEMA)).to_arrow(),
        batches[0].row_start, any(batch.ends_read for batch in batches),
    )
