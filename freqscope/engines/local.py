"""The local engine: shards matched one after the other in this process, each streamed into its transaction."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from freqscope import readers
from freqscope.engines import ShardSink
from freqscope.engines.shards import MatchAhead, MatchedBatch, ShardJob, ShardRows, match_shard
from freqscope.matcher import MatchRules
from freqscope.progress import Progress
from freqscope.terms.taxonomy import ClassList


def _advancing(batches: Iterable[MatchedBatch], progress: Progress, task: int) -> Iterator[MatchedBatch]:
    for batch in batches:
        yield batch
        progress.advance(task, batch.n_docs)


class LocalEngine:
    """A failing shard stops the run (its transaction rolls back), as a bad file should on one machine."""

    name = "local"

    def __init__(self) -> None:
        self._ahead: MatchAhead | None = None

    @contextmanager
    def ahead_of_jobs(self, rows: ShardRows, class_lists: Sequence[ClassList], rules: MatchRules) -> Iterator[None]:
        """Reads and matches ``rows`` from now on, in the background, for ``run`` to take if it is its first
        job; stopped on leaving, if ``run`` did not take it."""
        self._ahead = MatchAhead(rows, class_lists, rules)
        try:
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
        for position, job in enumerate(jobs):
            progress.describe(task, _shard_description(jobs, position))
            if position == 0 and self._ahead is not None and self._ahead.serves(job):
                batches = self._ahead.batches()
            else:
                batches = match_shard(job.shard, [class_lists[name] for name in job.lists], rules)
            sink.write(job, _advancing(batches, progress, task))
        progress.finish(task)
        return []


def _shard_description(jobs: list[ShardJob], position: int) -> str:
    """The file of the shard at ``position``, after where it stands among the run's shards when there are several
    (first, as a long name is cut short)."""
    name = readers.file_name(jobs[position].shard.path)
    return name if len(jobs) == 1 else f"{position + 1}/{len(jobs)} {name}"
