"""``freqscope index``: read corpora once, match every class list, store the matches in DuckDB.

The work is split into shards (row-group ranges of a parquet file, or ranges of documents of a file of another
format, cut as it is read: ``engines.shards``).
For each shard not yet done for every requested class list, an engine (``engines``: local or Ray) reads and
matches it, and ``ShardWriter`` writes it in one transaction that also marks the shard done. So a killed run
leaves only whole shards behind, a re-run skips them, and a changed file replaces its rows.
"""
from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import polars as pl

from freqscope import readers
from freqscope.terms.classes import builtin_class_lists, load_class_list
from freqscope.engines import IndexEngine, index_engine
from freqscope.engines.shards import (
    DEFAULT_SHARD_ROWS, MatchedBatch, Shard, ShardJob, matcher_for, plan_shards, release_matcher, source_shards,
    sum_counts,
)
from freqscope.errors import FreqscopeError, Interrupted
from freqscope.matcher import Matcher, MatchRules, pattern_set_id
from freqscope.progress import Progress
from freqscope.readers.uris import ObjectLocation
from freqscope.store import (
    DELETE_UNUSED_PATTERNS_SQL, SOURCE_ROW_TABLES, open_database, read_class_list, resolve_db_path, rollback,
    store_class_lists, transaction,
)
from freqscope.terms.taxonomy import ClassList

OPEN_THREADS = 8
SKIPPED_NAMED = 3  # skipped shards named each on a line of their own; more are counted on one
# DuckDB keeps the blocks it writes cached up to its memory limit, 80% of RAM by default: without a limit of its
# own the index grows by the size of the database it writes (~3.5 MB per million captions of the benchmark
# corpus), where its other memory stays flat. Writing needs much less: a batch's row groups and small queries.
INDEX_MEMORY_LIMIT_SQL = "SET memory_limit = '512MiB'"
FIND_CORPUS_SQL = "SELECT rules FROM corpora WHERE corpus = ?"
DELETE_CORPUS_SQL = "DELETE FROM corpora WHERE corpus = ?"
INSERT_CORPUS_SQL = "INSERT INTO corpora (corpus, format, kind, text_column, rules) VALUES (?, ?, ?, ?, ?)"
FIND_SOURCES_SQL = "SELECT source_id, path, row_start, row_end, fingerprint, status FROM sources WHERE corpus = ?"
DONE_TAXONOMIES_SQL = """
SELECT st.taxonomy FROM source_taxonomies st JOIN taxonomies t
  ON t.taxonomy = st.taxonomy AND t.fingerprint = st.taxonomy_fingerprint
WHERE st.source_id = ?
"""
DELETE_SOURCE_SQL = [*(f"DELETE FROM {table} WHERE source_id = ?" for table in SOURCE_ROW_TABLES),
                     "DELETE FROM sources WHERE source_id = ?"]
INSERT_SOURCE_SQL = """
INSERT INTO sources (corpus, path, row_start, row_end, bytes, fingerprint, pattern_set, status, indexed_at)
VALUES (?, ?, ?, ?, ?, ?, ?, 'running', current_timestamp) RETURNING source_id
"""
INSERT_FAILED_SOURCE_SQL = """
INSERT INTO sources (corpus, path, row_start, row_end, bytes, fingerprint, status, error, indexed_at)
VALUES (?, ?, ?, ?, ?, ?, 'failed', ?, current_timestamp)
"""
FINISH_SOURCE_SQL = """
UPDATE sources SET status = 'done', row_end = ?, n_docs = ?, n_rows = ?, n_invalid_utf8 = ?,
  indexed_at = current_timestamp
WHERE source_id = ?
"""
MARK_TAXONOMIES_DONE_SQL = """
INSERT INTO source_taxonomies (source_id, taxonomy, taxonomy_fingerprint)
SELECT ?, unnest(?::VARCHAR[]), unnest(?::VARCHAR[])
"""
INSERT_MATCHES_SQL = "INSERT INTO pattern_matches SELECT ?, doc, pattern_id, n FROM batch_matches"
INSERT_ROLE_MATCHES_SQL = """
INSERT INTO pattern_matches_by_role SELECT ?, doc, role, pattern_id, n FROM batch_matches
"""
INSERT_CONTEXT_SQL = """
INSERT INTO context_docs (source_id, doc, taxonomy, class_index) SELECT DISTINCT ?, doc, taxonomy, class_index FROM batch_context
"""
INSERT_KEYS_SQL = "INSERT INTO document_keys (source_id, doc, doc_key) SELECT ?, doc, doc_key FROM batch_keys"
HAS_PATTERN_SET_SQL = "SELECT count(*) FROM patterns WHERE pattern_set = ?"
INSERT_PATTERNS_SQL = """
INSERT INTO patterns (pattern_set, pattern_id, words, taxonomy, class_index, term_id)
SELECT ?, pattern_id, words, taxonomy, class_index, term_id FROM new_patterns
"""
INSERT_COUNTS_SQL = """
INSERT INTO source_counts BY NAME SELECT ? AS source_id, * FROM shard_counts
"""
# The summary's classes seen per list and most exposed classes, from one scan of the view
CORPUS_EXPOSURE_SQL = "SELECT taxonomy, class, docs FROM exposure WHERE corpus = ?"


@dataclass
class IndexSummary:
    corpus: str
    db: str
    engine: str = "local"
    shards_indexed: int = 0
    shards_skipped: int = 0
    skipped_paths: list[str] = field(default_factory=list)  # shard names (a path, or a path and its rows)
    shards_failed: list[tuple[str, str]] = field(default_factory=list)  # (shard name, error)
    docs_read: int = 0
    invalid_utf8: int = 0
    classes_seen: dict[str, tuple[int, int]] = field(default_factory=dict)  # taxonomy -> (seen, total)
    top_classes: list[tuple[str, str, int]] = field(default_factory=list)  # (taxonomy, class, docs)


class ShardsFailed(FreqscopeError):
    """Some shards still failed after their retries; every other shard was written. ``summary`` says what."""

    def __init__(self, summary: IndexSummary) -> None:
        self.summary = summary
        (first, error), more = summary.shards_failed[0], len(summary.shards_failed) - 1
        super().__init__(
            f"{len(summary.shards_failed)} shard(s) failed after their retries and were not indexed: {first} ({error})"
            + (f" and {more} more (see sources.status = 'failed')" if more else "")
            + f"; the other {summary.shards_indexed} were written: fix the cause and run the same command again "
            "to index just the failed ones"
        )


def default_corpus_name(paths: Sequence[str | os.PathLike]) -> str:
    """The file's stem (compression and format suffixes dropped), a folder's name, or a glob's folder."""
    if len(paths) != 1:
        raise FreqscopeError("several paths were given: name the corpus they form with --corpus NAME")
    text = str(paths[0])
    if readers.is_uri(text):  # named by its bucket (or host) and path, without scheme and query
        location = ObjectLocation.parse(text)
        text = f"{location.netloc}/{location.path}"
    if any(ch in text for ch in "*?["):
        return Path(text.split("*")[0].split("?")[0].split("[")[0]).parent.name or "corpus"
    path = Path(text)
    if path.is_dir():
        return path.resolve().name
    name = path.name
    for suffix in (".gz", ".zst", ".zstd"):
        name = name.removesuffix(suffix)
    return Path(name).stem


def load_class_lists(specs: Sequence[str] | None) -> list[ClassList]:
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
    engine: str | IndexEngine = "local",
    address: str | None = None,
    workers: int | None = None,
    shard_rows: int = DEFAULT_SHARD_ROWS,
) -> IndexSummary:
    """Index corpus files into the database; see the module docstring. Returns what was done.

    ``paths`` are files, folders and globs, local or as URIs that pyarrow's filesystems reach (``s3://``,
    ``gs://``, ``file://``, ...; ``readers.uris``): an engine's workers open each shard from its path or URI.
    ``classes`` names built-in lists or CSV paths (default: every built-in list); ``class_lists`` passes
    ready-made ``ClassList`` objects instead. ``engine`` is "local" (``workers``: threads matching batches at
    once, default every core; the tables are the same whatever their number), "ray" (with ``address`` and
    ``workers``, see ``engines.ray_index``) or an engine object. A parquet file of several row groups is split into shards
    of about ``shard_rows`` rows, a file of another format into shards of ``shard_rows`` documents as it is read. With the Ray engine, shards that fail after their retries are recorded as
    failed and ``ShardsFailed`` is raised once the others are written.
    """
    corpus = corpus or default_corpus_name(paths)
    runner = index_engine(engine, address=address, workers=workers) if isinstance(engine, str) else engine
    files = readers.expand_paths(paths)
    # A new database has nothing indexed yet: its first shard is sure to be a job, and the engine may start on
    # it while the database is created and the lists stored.
    new_database = not resolve_db_path(db).exists()
    with ExitStack() as cleanup, ThreadPoolExecutor(3) as background:
        # Ctrl-C is acted on between batches, where the shard's transaction can roll back cleanly: a signal
        # that reached Polars' reader or DuckDB mid-call could end a stream early without an error.
        interrupt = cleanup.enter_context(deferred_interrupt())
        # DuckDB's start and the schema (~0.06 s) overlap loading the lists and opening the files; a new
        # database that a bad list or file stops before a shard is written is removed again.
        opened = background.submit(_open_for_indexing, db)
        setup: SetupTransaction | None = None
        nothing_kept = False  # a file failed mid-run and what the run had committed was deleted again

        def close_database() -> None:
            if opened.exception() is None:
                if setup is not None:
                    setup.rollback()  # (where no shard committed it)
                opened.result().close()
                if new_database and (setup is None or not setup.committed or nothing_kept):
                    _remove_database(db)

        cleanup.callback(close_database)
        cleanup.callback(release_matcher)
        lists = list(class_lists) if class_lists is not None else load_class_lists(classes)
        # The matcher the first jobs use is built meanwhile (a failure surfaces where it is needed).
        built = background.submit(matcher_for, tuple(lists), rules)
        # Validate every file (format, text column) before anything is written; a few at once, since each
        # object named by URI costs a few round trips to its store (metadata, parquet footer).
        with ThreadPoolExecutor(OPEN_THREADS) as pool:
            sources = list(pool.map(lambda path: readers.SourceReader(path, format=format, text_column=text_column),
                                    files))
        formats = {s.format for s in sources}
        kinds = {s.kind for s in sources}
        if len(kinds) > 1:
            raise FreqscopeError(
                f"corpus {corpus!r} mixes caption and instruction files ({', '.join(sorted(formats))}): index them "
                "as two corpora"
            )
        planned = None
        if new_database:
            # The first shard is read and matched from now on. What it waits for comes first: the matcher; the
            # database has time until the shard is matched, so the lists are stored after the matcher is
            # built, and the files fingerprinted after that (nothing needs them before the shard is written).
            first_shard = source_shards(sources[0], text_column, shard_rows)[0]
            cleanup.enter_context(runner.ahead_of_jobs(first_shard, lists, rules))
            built.result()
        else:
            # hashlib releases the GIL: the files are fingerprinted while the lists are stored
            planned = background.submit(plan_shards, sources, text_column, shard_rows)
        fingerprints = {class_list.name: class_list.fingerprint() for class_list in lists}
        connection = opened.result()
        # The corpus and the lists are committed with the first shard written: a run that fails or is stopped
        # before it (a bad file found mid-stream) leaves the database as it was, and a new file is removed.
        setup = SetupTransaction(connection)
        new_corpus = _register_corpus(connection, corpus, sources[0], rules, formats)
        store_class_lists(connection, lists, fingerprints)
        if new_database:
            # the patterns of its first shard (a job, matched against these lists) go with the lists
            _store_patterns(connection, pattern_set_id(fingerprints.items(), rules), built.result())
        else:
            # a set no source uses: stored with a run's lists whose first shard was recorded as failed (Ray)
            connection.execute(DELETE_UNUSED_PATTERNS_SQL)
        shards = planned.result() if planned is not None else plan_shards(sources, text_column, shard_rows)
        try:
            return _index_shards(connection, setup, corpus, db, shards, lists, fingerprints, rules, runner, quiet,
                                 interrupt, new_corpus)
        except _NothingKept as nothing:
            # the only shards written were the failed file's, and are gone again: a new database goes with them
            nothing_kept = True
            raise nothing.error from None


def _index_shards(connection: duckdb.DuckDBPyConnection, setup: SetupTransaction, corpus: str,
                  db: str | os.PathLike | None, shards: list[Shard], lists: list[ClassList],
                  fingerprints: dict[str, str], rules: MatchRules, runner: IndexEngine, quiet: bool,
                  interrupt: InterruptRequest, new_corpus: bool) -> IndexSummary:
    """The rest of ``index``, once the setup transaction holds the corpus and the lists: plan, run, summarise."""
    summary = IndexSummary(corpus=corpus, db=str(resolve_db_path(db)), engine=runner.name)
    jobs, stale = _plan_jobs(connection, corpus, shards, lists, summary)
    known = {l.name: l for l in lists}
    extra = sorted({name for job in jobs for name in job.lists} - set(known))
    known.update({name: read_class_list(connection, name) for name in extra})
    fingerprints.update({name: known[name].fingerprint() for name in extra})
    writer = ShardWriter(connection, corpus, known, fingerprints, rules, stale, summary, setup, interrupt)
    with Progress(quiet=quiet) as progress:
        _note_skipped(progress, summary.skipped_paths)
        for path in sorted(set(stale) - {job.shard.path for job in jobs}):
            writer.drop_stale(path)
        try:
            runner.run(jobs, known, rules, writer, progress)
        except FreqscopeError as error:
            if writer.failed_job() is None or not setup.committed:
                raise  # (not a file's fault, or nothing was committed: the database is as it was)
            _keep_whole_files(writer, error, new_corpus, db)
    setup.commit()  # (where no shard did: every shard was skipped)
    _summarise(connection, summary)
    if summary.shards_failed:
        raise ShardsFailed(summary)
    return summary


class _NothingKept(Exception):
    """A file failed mid-run and nothing this run wrote stays: ``error`` is what to report."""

    def __init__(self, error: FreqscopeError) -> None:
        self.error = error


def _keep_whole_files(writer: ShardWriter, error: FreqscopeError, new_corpus: bool,
                      db: str | os.PathLike | None) -> None:
    """A file that failed mid-run (a bad input met mid-stream) after other shards were committed.

    The corpus keeps whole files only: the failed file's shards written in this run are deleted again, so that
    leaving the file out cannot leave part of it counted. Other files' finished shards stay, so the same
    command resumes after them once the file is fixed; where none stay, a corpus this run added goes too (no
    corpus without documents), and the error is raised as it was. Raises the error, saying what was kept.
    """
    failed = writer.failed_job().shard
    writer.remove_written(failed.path)
    kept_files = sorted(writer.written)
    if not kept_files:
        if new_corpus:
            writer.remove_corpus()
        raise _NothingKept(error)
    kept_shards = sum(len(ids) for ids in writer.written.values())
    failed_name, db_option = readers.file_name(failed.path), f" --db {resolve_db_path(db)}" if db is not None else ""
    removal = f", or drop the corpus with `freqscope corpus remove {writer.corpus}{db_option}`" if new_corpus else ""
    raise FreqscopeError(
        f"{error}; kept in corpus {writer.corpus!r}: the {kept_shards} shard(s) of {len(kept_files)} other file(s) "
        f"finished in this run, nothing of {failed_name}: fix {failed_name} or leave it out and run the same "
        f"command again to resume{removal}"
    ) from None


class SetupTransaction:
    """The transaction that registers the corpus and stores its lists, left open for the first shard's
    transaction to commit: until a shard is written, the database is as it was before the run."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self.connection = connection
        connection.execute("BEGIN TRANSACTION")
        self.open = True
        self.committed = False

    @contextmanager
    def completed(self) -> Iterator[None]:
        """The block runs in the setup's transaction, which commits with it or rolls back with it."""
        try:
            yield
        except BaseException:
            self.rollback()
            raise
        self.commit()

    def commit(self) -> None:
        if self.open:
            self.connection.execute("COMMIT")
            self.open, self.committed = False, True

    def rollback(self) -> None:
        if self.open:
            rollback(self.connection)
            self.open = False


class InterruptRequest:
    """Whether Ctrl-C was pressed; ``deferred_interrupt`` sets it, the writer acts on it between batches."""

    def __init__(self) -> None:
        self.requested = False


@contextmanager
def deferred_interrupt() -> Iterator[InterruptRequest]:
    """SIGINT noted instead of raised, for the block; a second one raises KeyboardInterrupt at once.

    Raised where it lands, KeyboardInterrupt can be swallowed: Polars' batch stream, checking for signals, can
    end early without an error (seen 9 of 60 times), which once marked a shard done with a fraction of its
    rows. A handler can only be installed in the main thread; elsewhere the block runs unchanged.
    """
    request = InterruptRequest()
    if threading.current_thread() is not threading.main_thread():
        yield request
        return

    def note(signum: int, frame: object) -> None:
        if request.requested:
            raise KeyboardInterrupt
        request.requested = True

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield request
    finally:
        signal.signal(signal.SIGINT, previous)


def _note_skipped(progress: Progress, names: Sequence[str]) -> None:
    """One line per shard skipped, or one line for them all where they are many (a re-run over LAION's files)."""
    if len(names) <= SKIPPED_NAMED:
        for name in names:
            progress.note(f"skipped {readers.file_name(name)}: already indexed for these class lists")
        return
    first = ", ".join(readers.file_name(name) for name in names[:SKIPPED_NAMED])
    progress.note(f"skipped {len(names):,} shards already indexed for these class lists ({first}, ...)")


def _open_for_indexing(db: str | os.PathLike | None) -> duckdb.DuckDBPyConnection:
    connection = open_database(db)
    connection.execute(INDEX_MEMORY_LIMIT_SQL)
    return connection


def _remove_database(db: str | os.PathLike | None) -> None:
    """A database this run created and could not use (closed): its file and write-ahead log."""
    path = resolve_db_path(db)
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def _register_corpus(connection, corpus: str, source: readers.SourceReader, rules: MatchRules,
                     formats: set[str]) -> bool:
    """The corpus's row, added where it is new (in the setup transaction): True if it was."""
    row = connection.execute(FIND_CORPUS_SQL, [corpus]).fetchone()
    if row is None:
        connection.execute(
            INSERT_CORPUS_SQL,
            [corpus, "+".join(sorted(formats)), source.kind, source.text_column, json.dumps(rules.to_dict())],
        )
        return True
    if json.loads(row[0]) != rules.to_dict():
        raise FreqscopeError(
            f"corpus {corpus!r} was indexed with other matching rules ({row[0]}); "
            f"index these rules under another name with --corpus NAME"
        )
    return False


def _plan_jobs(connection, corpus: str, shards: Sequence[Shard], lists: Sequence[ClassList],
               summary: IndexSummary) -> tuple[list[ShardJob], dict[str, list[int]]]:
    """The shards to (re)index, and per file the earlier rows that no planned shard keeps.

    A shard is kept when a done row has its exact rows and fingerprint. A kept shard done for every requested
    list is skipped; one missing a list is matched again against all its lists, since matches are resolved
    over all of a shard's lists together. Every other row of a planned file (an edited file, another shard
    size, a failed shard) is stale: it is deleted with the first shard of its file that is written.
    """
    existing: dict[str, dict[int, tuple]] = {}
    for source_id, path, row_start, row_end, fingerprint, status in connection.execute(FIND_SOURCES_SQL, [corpus]).fetchall():
        existing.setdefault(path, {})[row_start] = (source_id, row_end, fingerprint, status)
    requested = tuple(l.name for l in lists)
    jobs: list[ShardJob] = []
    kept: set[int] = set()
    for shard in shards:
        if shard.is_stream:
            job = _plan_stream(connection, shard, existing.get(shard.path, {}), requested, kept, summary)
            if job is not None:
                jobs.append(job)
            continue
        old = existing.get(shard.path, {}).get(shard.row_start)
        if old is None or old[1:] != (shard.row_end, shard.fingerprint, "done"):
            jobs.append(ShardJob(shard, requested))
            continue
        source_id = old[0]
        kept.add(source_id)
        done = {name for (name,) in connection.execute(DONE_TAXONOMIES_SQL, [source_id]).fetchall()}
        if set(requested) <= done:
            summary.shards_skipped += 1
            summary.skipped_paths.append(shard.name)
            continue
        jobs.append(ShardJob(shard, requested + tuple(sorted(done - set(requested))), (source_id,)))
    stale = {}
    for path in {shard.path for shard in shards}:
        ids = [row[0] for row in existing.get(path, {}).values() if row[0] not in kept]
        if ids:
            stale[path] = ids
    return jobs, stale


def _plan_stream(connection, shard: Shard, rows: dict[int, tuple], requested: tuple[str, ...], kept: set[int],
                 summary: IndexSummary) -> ShardJob | None:
    """The job of a streamed file (None: all done), whose earlier rows are ``rows`` (by row_start).

    Its shards done before are kept where they follow each other from row 0 at this shard size and
    fingerprint (what an interrupted run leaves): a kept shard done for every requested list is read past,
    one missing a list matched again against all of them (``ShardJob.rematched``); the stream is read on
    from where they end, unless the last kept one runs to the end of the file.
    """
    start, skipped, rematched, extra = 0, [], [], set()
    while (old := rows.get(start)) is not None and old[2:] == (shard.fingerprint, "done") and (
            old[1] is None or old[1] - start == shard.stream_rows):
        source_id, row_end = old[:2]
        kept.add(source_id)
        done = {name for (name,) in connection.execute(DONE_TAXONOMIES_SQL, [source_id]).fetchall()}
        if set(requested) <= done:
            skipped.append(start)
            summary.shards_skipped += 1
            summary.skipped_paths.append(shard.part(start).name if row_end is not None or start else shard.name)
        else:
            rematched.append((start, source_id))
            extra |= done - set(requested)
        if row_end is None:
            if not rematched:
                return None
            break
        start = row_end
    return ShardJob(replace(shard, skipped=tuple(skipped)), requested + tuple(sorted(extra)),
                    rematched=tuple(rematched))


class ShardWriter:
    """The one writer, driver side: each shard in one transaction (replacing its earlier rows), in the order
    the engine delivers them. A file's stale rows go with the first of its shards written."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, corpus: str, class_lists: Mapping[str, ClassList],
                 fingerprints: Mapping[str, str], rules: MatchRules, stale: dict[str, list[int]],
                 summary: IndexSummary, setup: SetupTransaction | None = None,
                 interrupt: InterruptRequest | None = None) -> None:
        self.connection = connection
        self.setup = setup
        self.interrupt = interrupt or InterruptRequest()
        self.corpus = corpus
        self.class_lists = class_lists
        self.fingerprints = fingerprints  # name -> ClassList.fingerprint() of every list in class_lists
        self.rules = rules
        self.stored_pattern_sets: set[str] = set()
        self.stale = dict(stale)
        self.summary = summary
        self.written: dict[str, list[int]] = {}  # path -> source ids of its shards committed in this run
        self.writing: ShardJob | None = None  # the job being written (an error of its file ends the run)
        self.reading_job: ShardJob | None = None  # the job whose shards the engine reads (``reading``)

    def _delete_sources(self, source_ids: Sequence[int]) -> bool:
        """Deletes these sources' rows (in the open transaction); True if there were any."""
        for source_id in source_ids:
            for statement in DELETE_SOURCE_SQL:
                self.connection.execute(statement, [source_id])
        return bool(source_ids)

    def _delete_old_rows(self, job: ShardJob) -> bool:
        """The rows the job's shard replaces, and its file's stale ones (in the open transaction)."""
        return self._delete_sources([*job.replaces, *self.stale.get(job.shard.path, [])])

    def _drop_unused_patterns(self) -> None:
        """Pattern sets no source refers to any more, after sources were deleted (in the same transaction)."""
        self.connection.execute(DELETE_UNUSED_PATTERNS_SQL)
        self.stored_pattern_sets.clear()

    def _pattern_set(self, job: ShardJob) -> str:
        """The id of the job's pattern set, its patterns stored (in the open transaction) where they are not."""
        pattern_set = pattern_set_id([(name, self.fingerprints[name]) for name in job.lists], self.rules)
        if pattern_set in self.stored_pattern_sets:
            return pattern_set
        if not self.connection.execute(HAS_PATTERN_SET_SQL, [pattern_set]).fetchall()[0][0]:
            # the engines' matcher for the same list objects: the local engine reuses it for the shard
            _store_patterns(self.connection, pattern_set,
                            matcher_for(tuple(self.class_lists[name] for name in job.lists), self.rules))
        self.stored_pattern_sets.add(pattern_set)
        return pattern_set

    def _transaction(self) -> AbstractContextManager:
        """A shard's transaction: the setup's, where it is still open (the first shard commits it)."""
        if self.setup is not None and self.setup.open:
            return self.setup.completed()
        return transaction(self.connection)

    def _stop_if_interrupted(self, shard: Shard) -> None:
        if self.interrupt.requested:
            raise Interrupted(
                f"interrupted: {self.summary.shards_indexed} shard(s) written in this run are kept, "
                f"{readers.file_name(shard.name)} is not; run the same command again to resume"
            )

    def drop_stale(self, path: str) -> None:
        """Stale rows of a file none of whose shards is written this run (e.g. an old failed shard)."""
        with self._transaction():
            if self._delete_sources(self.stale.get(path, [])):
                self._drop_unused_patterns()
        self.stale.pop(path, None)

    def reading(self, job: ShardJob | None) -> None:
        """The job whose shards the engine reads from now on (None: every job is read). A reading error raised
        before or between its shards' writes (a corrupt row group, a bad line past a stream's first shard) is
        its file's."""
        self.reading_job = job

    def failed_job(self) -> ShardJob | None:
        """The job an error raised now belongs to: the one being written, else the one being read."""
        return self.writing or self.reading_job

    def remove_written(self, path: str) -> None:
        """The shards of ``path`` committed in this run, deleted again (one transaction)."""
        source_ids = self.written.pop(path, [])
        if source_ids:
            with transaction(self.connection):
                self._delete_sources(source_ids)
                self._drop_unused_patterns()

    def remove_corpus(self) -> None:
        """The corpus's row, where this run added it and nothing of it is kept."""
        with transaction(self.connection):
            self.connection.execute(DELETE_CORPUS_SQL, [self.corpus])

    def write(self, job: ShardJob, batches: Iterable[MatchedBatch]) -> None:
        """Consumes ``batches`` inside the shard's transaction, so a local engine streams straight into it."""
        shard, connection = job.shard, self.connection
        n_docs = n_rows = n_invalid = 0
        self._stop_if_interrupted(shard)
        self.writing = job
        with self._transaction():
            deleted = self._delete_old_rows(job)
            source_id = connection.execute(
                INSERT_SOURCE_SQL, [self.corpus, shard.path, shard.row_start, shard.row_end, shard.bytes,
                                    shard.fingerprint, self._pattern_set(job)]
            ).fetchone()[0]
            counts = []
            ends_read = False
            for batch in batches:
                self._stop_if_interrupted(shard)
                ends_read = ends_read or batch.ends_read
                n_docs, n_rows, n_invalid = n_docs + batch.n_docs, n_rows + batch.n_rows, n_invalid + batch.n_invalid_utf8
                if not batch.matches.is_empty():
                    if batch.matches["role"].null_count() == batch.matches.height:
                        _insert_frame(connection, "batch_matches", batch.matches.drop("role"), INSERT_MATCHES_SQL, source_id)
                    else:
                        _insert_frame(connection, "batch_matches", batch.matches, INSERT_ROLE_MATCHES_SQL, source_id)
                    counts.append(batch.counts)
                    if not batch.context.is_empty():
                        _insert_frame(connection, "batch_context", batch.context, INSERT_CONTEXT_SQL, source_id)
                if not batch.keys.is_empty():
                    _insert_frame(connection, "batch_keys", batch.keys, INSERT_KEYS_SQL, source_id)
            self._stop_if_interrupted(shard)
            row_end = shard.recorded_row_end(n_docs, ends_read)  # raises where fewer rows were read than it holds
            if counts:
                _insert_frame(connection, "shard_counts", sum_counts(counts), INSERT_COUNTS_SQL, source_id)
            connection.execute(FINISH_SOURCE_SQL, [row_end, n_docs, n_rows, n_invalid, source_id])
            connection.execute(MARK_TAXONOMIES_DONE_SQL,
                               [source_id, list(job.lists), [self.fingerprints[name] for name in job.lists]])
            if deleted:
                self._drop_unused_patterns()
        self.writing = None
        self.written.setdefault(shard.path, []).append(source_id)
        self.stale.pop(shard.path, None)
        self.summary.shards_indexed += 1
        self.summary.docs_read += n_docs
        self.summary.invalid_utf8 += n_invalid

    def write_failed(self, job: ShardJob, error: str) -> None:
        """A ``failed`` row in place of the shard's earlier ones: not counted, retried by the next run."""
        shard = job.shard
        with self._transaction():
            deleted = self._delete_old_rows(job)
            self.connection.execute(
                INSERT_FAILED_SOURCE_SQL,
                [self.corpus, shard.path, shard.row_start, shard.row_end, shard.bytes, shard.fingerprint, error],
            )
            if deleted:
                self._drop_unused_patterns()
        self.stale.pop(shard.path, None)
        self.summary.shards_failed.append((shard.name, error))


def _store_patterns(connection: duckdb.DuckDBPyConnection, pattern_set: str, matcher: Matcher) -> None:
    """The matcher's patterns under the id of their set (in the open transaction)."""
    words = pl.DataFrame({"words": matcher.pattern_words}).with_row_index("pattern_id")
    patterns = matcher.pattern_terms.join(words, on="pattern_id")
    _insert_frame(connection, "new_patterns", patterns, INSERT_PATTERNS_SQL, pattern_set)


def _insert_frame(connection: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame, sql: str, source_id: int) -> None:
    connection.register(name, frame.to_arrow())
    try:
        connection.execute(sql, [source_id])
    except BaseException:
        # a transaction DuckDB aborted (disk full) refuses even this: the error to report is the insert's
        with suppress(duckdb.Error):
            connection.unregister(name)
        raise
    connection.unregister(name)


def _summarise(connection, summary: IndexSummary, top: int = 10) -> None:
    rows = connection.execute(CORPUS_EXPOSURE_SQL, [summary.corpus]).fetchall()
    seen: dict[str, tuple[int, int]] = {}
    for taxonomy, _, docs in rows:
        n_seen, total = seen.get(taxonomy, (0, 0))
        seen[taxonomy] = (n_seen + (docs > 0), total + 1)
    summary.classes_seen = dict(sorted(seen.items()))
    summary.top_classes = sorted((row for row in rows if row[2] > 0), key=lambda row: (-row[2], row[0], row[1]))[:top]
