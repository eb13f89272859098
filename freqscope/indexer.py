"""``freqscope index``: read corpora once, match every class list, store the matches in DuckDB.

For each shard (a file, or a row-group range of a large parquet file) that is not yet done for every
requested class list: read ─► match ─► write, in one transaction that also marks the shard done. So a
killed run leaves only whole shards behind, a re-run skips them, and a changed file replaces its rows.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from freqscope import readers
from freqscope.errors import FreqscopeError
from freqscope.matcher import Matcher, MatchRules
from freqscope.progress import Progress
from freqscope.store import open_database, read_class_list, resolve_db_path, store_class_list, transaction
from freqscope.taxonomy import ClassList

# Matching runs in a worker thread (Polars releases the GIL) while the main thread reads and writes.
# One is enough: Polars already spreads each operation over the cores, and two workers measured
# slower (benchmarks/bench_index.py) because they then fight over the same cores.
MAX_PENDING_BATCHES = 2

WRITER_SETTINGS_SQL = "SET threads = 1"
FIND_CORPUS_SQL = "SELECT rules FROM corpora WHERE corpus = ?"
INSERT_CORPUS_SQL = "INSERT INTO corpora (corpus, format, kind, text_column, rules) VALUES (?, ?, ?, ?, ?)"
FIND_SHARDS_SQL = """
SELECT source_id, row_start, fingerprint FROM sources WHERE corpus = ? AND path = ? AND status = 'done'
"""
DONE_TAXONOMIES_SQL = """
SELECT st.taxonomy FROM source_taxonomies st JOIN taxonomies t
  ON t.taxonomy = st.taxonomy AND t.fingerprint = st.taxonomy_fingerprint
WHERE st.source_id = ?
"""
DELETE_SOURCE_SQL = [
    "DELETE FROM matches WHERE source_id = ?",
    "DELETE FROM source_counts WHERE source_id = ?",
    "DELETE FROM source_taxonomies WHERE source_id = ?",
    "DELETE FROM sources WHERE source_id = ?",
]
INSERT_SOURCE_SQL = """
INSERT INTO sources (corpus, path, row_start, row_end, bytes, fingerprint, status, indexed_at)
VALUES (?, ?, ?, ?, ?, ?, 'running', current_timestamp) RETURNING source_id
"""
FINISH_SOURCE_SQL = """
UPDATE sources SET status = 'done', n_docs = ?, n_rows = ?, n_invalid_utf8 = ?, indexed_at = current_timestamp
WHERE source_id = ?
"""
MARK_TAXONOMY_DONE_SQL = """
INSERT INTO source_taxonomies (source_id, taxonomy, taxonomy_fingerprint) VALUES (?, ?, ?)
"""
INSERT_MATCHES_SQL = """
INSERT INTO matches (source_id, doc, doc_key, role, taxonomy, class_index, term_id, n)
SELECT ?, doc, doc_key, role, taxonomy, class_index, term_id, n FROM batch_matches
"""
INSERT_COUNTS_SQL = """
INSERT INTO source_counts (source_id, taxonomy, class_index, docs, mentions, docs_human, mentions_human, docs_gpt, mentions_gpt)
SELECT ?, taxonomy, class_index, docs, mentions, docs_human, mentions_human, docs_gpt, mentions_gpt FROM shard_counts
"""
TOP_CLASSES_SQL = """
SELECT taxonomy, class, docs FROM exposure WHERE corpus = ? AND docs > 0 ORDER BY docs DESC, taxonomy, class LIMIT ?
"""
CLASSES_SEEN_SQL = """
SELECT taxonomy, count(*) FILTER (WHERE docs > 0), count(*) FROM exposure WHERE corpus = ? GROUP BY taxonomy ORDER BY taxonomy
"""


@dataclass
class IndexSummary:
    corpus: str
    db: str
    shards_indexed: int = 0
    shards_skipped: int = 0
    skipped_paths: list[str] = field(default_factory=list)
    docs_read: int = 0
    invalid_utf8: int = 0
    classes_seen: dict[str, tuple[int, int]] = field(default_factory=dict)  # taxonomy -> (seen, total)
    top_classes: list[tuple[str, str, int]] = field(default_factory=list)  # (taxonomy, class, docs)


def default_corpus_name(paths: Sequence[str | os.PathLike]) -> str:
    """The file's stem (compression and format suffixes dropped), a folder's name, or a glob's folder."""
    if len(paths) != 1:
        raise FreqscopeError("several paths were given: name the corpus they form with --corpus NAME")
    text = str(paths[0])
    if any(ch in text for ch in "*?["):
        return Path(text.split("*")[0].split("?")[0].split("[")[0]).parent.name or "corpus"
    path = Path(text)
    if path.is_dir():
        return path.resolve().name
    name = path.name
    for suffix in (".gz", ".zst", ".zstd"):
        name = name.removesuffix(suffix)
    return Path(name).stem


def file_fingerprint(path: Path) -> str:
    """A content hash: a copy of the same file is the same source, an edited file is a new one."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "blake2b").hexdigest()[:32]


def load_class_lists(specs: Sequence[str] | None) -> list[ClassList]:
    from freqscope.classes import builtin_class_lists, load_class_list

    names = list(specs) if specs else list(builtin_class_lists())
    lists = [load_class_list(spec) for spec in names]
    seen: set[str] = set()
    for class_list in lists:
        if class_list.name in seen:
            raise FreqscopeError(f"class list {class_list.name!r} was given twice: pass each --classes once")
        seen.add(class_list.name)
    return lists


def index(
    paths: Sequence[str | os.PathLike],
    *,
    db: str | os.PathLike | None = None,
    corpus: str | None = None,
    classes: Sequence[str] | None = None,
    class_lists: Sequence[ClassList] | None = None,
    format: str | None = None,
    text_column: str | None = None,
    rules: MatchRules = MatchRules(),
    quiet: bool = True,
) -> IndexSummary:
    """Index corpus files into the database; see the module docstring. Returns what was done.

    ``classes`` names built-in lists or CSV paths (default: every built-in list); ``class_lists`` passes
    ready-made ``ClassList`` objects instead.
    """
    corpus = corpus or default_corpus_name(paths)
    files = readers.expand_paths(paths)
    lists = list(class_lists) if class_lists is not None else load_class_lists(classes)
    # Validate every file (format, text column) before anything is written.
    sources = [readers.SourceReader(path, format=format, text_column=text_column) for path in files]
    formats = {s.format for s in sources}
    kinds = {s.kind for s in sources}
    if len(kinds) > 1:
        raise FreqscopeError(
            f"corpus {corpus!r} mixes caption and instruction files ({', '.join(sorted(formats))}): index them as two corpora"
        )
    connection = open_database(db)
    # DuckDB's parallel insert only contends with the matching threads for the same cores.
    connection.execute(WRITER_SETTINGS_SQL)
    try:
        summary = IndexSummary(corpus=corpus, db=str(resolve_db_path(db)))
        with transaction(connection):
            _register_corpus(connection, corpus, sources[0], rules, formats)
            for class_list in lists:
                store_class_list(connection, class_list)
        with Progress(quiet=quiet) as progress:
            for source in sources:
                _index_file(connection, corpus, source, lists, rules, progress, summary)
        _summarise(connection, summary)
        return summary
    finally:
        connection.close()


def _register_corpus(connection, corpus: str, source: readers.SourceReader, rules: MatchRules, formats: set[str]) -> None:
    row = connection.execute(FIND_CORPUS_SQL, [corpus]).fetchone()
    if row is None:
        connection.execute(
            INSERT_CORPUS_SQL,
            [corpus, "+".join(sorted(formats)), source.kind, source.text_column, json.dumps(rules.to_dict())],
        )
    elif json.loads(row[0]) != rules.to_dict():
        raise FreqscopeError(
            f"corpus {corpus!r} was indexed with other matching rules ({row[0]}); "
            f"index these rules under another name with --corpus NAME"
        )


def _index_file(connection, corpus, source, lists, rules, progress, summary) -> None:
    path = str(source.path.resolve())
    fingerprint = file_fingerprint(source.path)
    known = connection.execute(FIND_SHARDS_SQL, [corpus, path]).fetchall()
    current = [source_id for source_id, _, old in known if old == fingerprint]
    stale = [source_id for source_id, _, old in known if old != fingerprint]
    shard_lists = list(lists)
    if current:
        done = {name for (name,) in connection.execute(DONE_TAXONOMIES_SQL, [current[0]]).fetchall()}
        if {l.name for l in lists} <= done:
            summary.shards_skipped += 1
            summary.skipped_paths.append(path)
            progress.note(f"skipped {source.path.name}: already indexed for these class lists")
            return
        # Matches are resolved over all of a shard's lists together, so a new list means matching again
        # against the lists it already had as well.
        requested = {l.name for l in lists}
        shard_lists += [read_class_list(connection, name) for name in sorted(done - requested)]
        stale += current
    matcher = Matcher(shard_lists, rules)
    with transaction(connection):
        for source_id in stale:
            for statement in DELETE_SOURCE_SQL:
                connection.execute(statement, [source_id])
        source_id = connection.execute(
            INSERT_SOURCE_SQL, [corpus, path, 0, None, source.path.stat().st_size, fingerprint]
        ).fetchone()[0]
        task = progress.add_task(source.path.name, total=source.total_docs())
        counts = []
        for batch_docs, located, batch_counts in _match_batches(source, matcher):
            if not located.is_empty():
                _insert_matches(connection, source_id, located)
                counts.append(batch_counts)
            progress.advance(task, batch_docs)
        progress.finish(task)
        _insert_counts(connection, source_id, counts)
        connection.execute(FINISH_SOURCE_SQL, [source.n_docs, source.n_rows, source.n_invalid_utf8, source_id])
        for class_list in shard_lists:
            connection.execute(MARK_TAXONOMY_DONE_SQL, [source_id, class_list.name, class_list.fingerprint()])
    summary.shards_indexed += 1
    summary.docs_read += source.n_docs
    summary.invalid_utf8 += source.n_invalid_utf8


def _class_counts(located: pl.DataFrame) -> pl.DataFrame:
    """Documents and mentions per class in one batch (a document never spans two batches)."""
    human, gpt = pl.col("role") == "human", pl.col("role") == "gpt"
    per_doc = located.group_by("doc", "taxonomy", "class_index").agg(
        pl.col("n").sum().alias("mentions"),
        pl.col("n").filter(human).sum().alias("mentions_human"),
        pl.col("n").filter(gpt).sum().alias("mentions_gpt"),
    )
    return per_doc.group_by("taxonomy", "class_index").agg(
        pl.len().alias("docs"),
        pl.col("mentions").sum(),
        (pl.col("mentions_human") > 0).sum().alias("docs_human"),
        pl.col("mentions_human").sum(),
        (pl.col("mentions_gpt") > 0).sum().alias("docs_gpt"),
        pl.col("mentions_gpt").sum(),
    )


def _match_batches(source: readers.SourceReader, matcher: Matcher) -> Iterator[tuple[int, pl.DataFrame, pl.DataFrame]]:
    """(documents, located matches, class counts) per batch in reading order; matching overlaps reading."""
    pending: list[Future] = []
    with ThreadPoolExecutor(1) as pool:
        for batch in source.batches():
            pending.append(pool.submit(_match_batch, batch, matcher))
            if len(pending) >= MAX_PENDING_BATCHES:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


def _match_batch(batch: pl.DataFrame, matcher: Matcher) -> tuple[int, pl.DataFrame, pl.DataFrame]:
    found = matcher.match(batch["text"])
    located = found.join(batch.select("doc", "doc_key", "role").with_row_index("row"), on="row").drop("row")
    docs = batch["doc"].n_unique() if batch["role"].null_count() < batch.height else batch.height
    return docs, located, _class_counts(located)


def _insert_matches(connection: duckdb.DuckDBPyConnection, source_id: int, located: pl.DataFrame) -> None:
    connection.register("batch_matches", located.to_arrow())
    try:
        connection.execute(INSERT_MATCHES_SQL, [source_id])
    finally:
        connection.unregister("batch_matches")


def _insert_counts(connection: duckdb.DuckDBPyConnection, source_id: int, counts: list[pl.DataFrame]) -> None:
    if not counts:
        return
    totals = pl.concat(counts).group_by("taxonomy", "class_index").sum()
    connection.register("shard_counts", totals.to_arrow())
    try:
        connection.execute(INSERT_COUNTS_SQL, [source_id])
    finally:
        connection.unregister("shard_counts")


def _summarise(connection, summary: IndexSummary, top: int = 10) -> None:
    summary.classes_seen = {
        taxonomy: (seen, total) for taxonomy, seen, total in connection.execute(CLASSES_SEEN_SQL, [summary.corpus]).fetchall()
    }
    summary.top_classes = connection.execute(TOP_CLASSES_SQL, [summary.corpus, top]).fetchall()
