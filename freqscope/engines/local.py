"""The local engine: shards read in turn by one thread, their batches matched by several threads at once, and
each shard streamed into its transaction by the one writer, in reading order.

    reader thread ─► batch, batch, ... ─► N matching threads (each with its own memo) ─► writer (in order)

The C core and Polars release the GIL, so threads are enough to keep the cores busy; the writer gets every
batch in the order it was read, so the tables are the same whatever the number of workers. A streamed file
(any format but parquet) is one job read once, and each of its shards is committed as soon as it is read.
"""
from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from freqscope import readers
from freqscope.engines import ShardSink
from freqscope.engines.shards import (
    BATCH_ROWS, MatchedBatch, ShardJob, ShardRows, match_batch, matcher_for, read_shard,
)
from freqscope.errors import FreqscopeError
from freqscope.matcher import Matcher, MatchRules
from freqscope.progress import Progress
from freqscope.terms.taxonomy import ClassList


def default_workers() -> int:
    """Every core this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _advancing(batches: Iterable[MatchedBatch], progress: Progress, task: int) -> Iterator[MatchedBatch]:
    for batch in batches:
        yield batch
        progress.advance(task, batch.n_docs)


class MatchPipeline:
    """Shards added with ``add`` are read one after the other by a reader thread; each batch read is matched by
    one of ``workers`` threads; ``shards`` hands the shards of what was added next back, each with its matched
    batches in reading order (a streamed file is added once and gives back several).

    At most ``workers + 1`` batches are read and not yet written, and one more is being read (what memory holds
    is bounded). Each matching
    thread keeps its own memo of the texts it has seen (``Matcher.new_memo``): a memo serves one batch at a
    time, and one shared memo would make the threads wait for each other.
    """

    _END_OF_JOB = object()

    def __init__(self, rules: MatchRules, workers: int, batch_rows: int = BATCH_ROWS) -> None:
        self.rules = rules
        self.batch_rows = batch_rows
        self.first: tuple[ShardRows, tuple[str, ...]] | None = None  # what was added first (``serves``)
        self._shards: queue.Queue = queue.Queue()  # (rows, class lists) to read, None: no more
        # (ReadBatch without its frame, Future) | _END_OF_JOB | error: with the batch the writer waits on,
        # enough for every worker
        self._matched: queue.Queue = queue.Queue(workers)
        self._stop = threading.Event()
        self._memos = threading.local()
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="freqscope-match")
        self._reader = threading.Thread(target=self._read, name="freqscope-read", daemon=True)
        self._reader.start()

    def add(self, rows: ShardRows, class_lists: Sequence[ClassList]) -> None:
        """Reads and matches ``rows`` against ``class_lists`` after the shards added before."""
        lists = tuple(class_lists)
        if self.first is None:
            self.first = (rows, tuple(class_list.name for class_list in lists))
        self._shards.put((rows, lists))

    def serves(self, job: ShardJob) -> bool:
        """Whether the first shard added is ``job``'s (its rows, against the same lists)."""
        return self.first == (job.shard.rows, job.lists)

    def shards(self) -> Iterator[tuple[int, Iterator[MatchedBatch]]]:
        """The shards of the next job added, each as its first row and its batches in reading order, which must
        be consumed before the next shard is asked for; an error of reading or matching is raised here.

        A shard's batches end with the one that ends it (``ReadBatch.ends_shard``: the writer commits a
        stream's shard as soon as it is read), at the first batch of another shard, or with the job."""
        item = self._next()
        while item is not self._END_OF_JOB:
            start = item[0].row_start

            def batches() -> Iterator[MatchedBatch]:
                nonlocal item
                while True:
                    read, future = item
                    yield read.matched(future.result())
                    if read.ends_shard:
                        item = None  # the next is fetched when the next shard is asked for
                        return
                    item = self._next()
                    if item is self._END_OF_JOB or item[0].row_start != start:
                        return

            yield start, batches()
            if item is None:
                item = self._next()

    def _next(self) -> object:
        item = self._matched.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self) -> None:
        """Stops reading and matching where they are, and waits for the threads."""
        self._stop.set()
        self._shards.put(None)
        while self._reader.is_alive():
            try:
                while True:
                    self._matched.get_nowait()  # unblocks a waiting put
            except queue.Empty:
                pass
            # (returns as soon as the reader ends: a wait on the queue instead cost every run its timeout)
            self._reader.join(timeout=0.05)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _read(self) -> None:
        while (item := self._shards.get()) is not None:
            rows, class_lists = item
            try:
                # built by a matching thread (or found cached) while the first batch is read
                built = self._pool.submit(matcher_for, class_lists, self.rules)
                for read in read_shard(rows, self.batch_rows):
                    # (the batch that only ends a read tells the writer where a stream ends)
                    future = read.submit_match(
                        lambda frame, one_row_per_doc: self._pool.submit(self._match, frame, built, one_row_per_doc))
                    # the frame is the matching thread's to hold, not the queue's
                    if not self._put((read._replace(frame=None), future)):
                        return
                if not self._put(self._END_OF_JOB):
                    return
            except BaseException as error:  # handed to the writer, who raises it
                self._put(error)
                return

    def _match(self, batch, built: Future[Matcher], one_row_per_doc: bool) -> tuple:
        matcher, memos = built.result(), self._memos
        if getattr(memos, "matcher", None) is not matcher:  # this thread's first batch, or other lists
            memos.matcher, memos.seen = matcher, matcher.new_memo()
        return match_batch(batch, built, one_row_per_doc, memos.seen)

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._matched.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False


class LocalEngine:
    """A failing shard stops the run (its transaction rolls back), as a bad file should on one machine.

    ``workers``: threads matching batches at once (default: every core); 1 matches one batch at a time while
    the next is read. ``batch_rows``: rows per batch.
    """

    name = "local"

    def __init__(self, workers: int | None = None, batch_rows: int = BATCH_ROWS) -> None:
        if workers is not None and workers < 1:
            raise FreqscopeError(f"--workers {workers}: give at least 1 (or leave it out to use every core)")
        self.workers = workers or default_workers()
        self.batch_rows = batch_rows
        self._ahead: MatchPipeline | None = None

    @contextmanager
    def ahead_of_jobs(self, rows: ShardRows, class_lists: Sequence[ClassList], rules: MatchRules) -> Iterator[None]:
        """Reads and matches ``rows`` from now on, in the background, for ``run`` to take if it is its first
        job: into a new database nothing is indexed yet, so its first shard is sure to be a job, and reading
        and matching it overlaps creating the database and storing the lists (~0.2 s otherwise before the
        first batch is even read, benchmarks/bench_index.py). Stopped on leaving."""
        self._ahead = MatchPipeline(rules, self.workers, self.batch_rows)
        try:
            self._ahead.add(rows, class_lists)
            yield
        finally:
            self._ahead.close()
            self._ahead = None

    def run(self, jobs: list[ShardJob], class_lists: Mapping[str, ClassList], rules: MatchRules,
            sink: ShardSink, progress: Progress) -> list[tuple[ShardJob, str]]:
        if not jobs:
            return []
        # One bar for the run, named after the shard being read: its total (and so an ETA) where every shard's
        # size is known up front.
        hints = [job.shard.n_docs_hint for job in jobs]
        task = progress.add_task(_shard_description(jobs, 0), total=None if None in hints else sum(hints))
        taken = self._ahead is not None and self._ahead.serves(jobs[0])
        pipeline = self._ahead if taken else MatchPipeline(rules, self.workers, self.batch_rows)
        try:
            for job in jobs[1:] if taken else jobs:
                pipeline.add(job.shard.rows, [class_lists[name] for name in job.lists])
            for position, job in enumerate(jobs):
                progress.describe(task, _shard_description(jobs, position))
                sink.reading(job)
                for start, batches in pipeline.shards():
                    sink.write(job.part(start), _advancing(batches, progress, task))
            sink.reading(None)
        finally:
            if not taken:
                pipeline.close()
        progress.finish(task)
        return []


def _shard_description(jobs: list[ShardJob], position: int) -> str:
    """The file of the shard at ``position``, after where it stands among the run's shards when there are several
    (first, as a long name is cut short)."""
    name = readers.file_name(jobs[position].shard.path)
    return name if len(jobs) == 1 else f"{position + 1}/{len(jobs)} {name}"
