"""The local engine: shards matched one after the other in this process, each streamed into its transaction."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from freqscope.engines import ShardSink
from freqscope.engines.shards import MatchedBatch, ShardJob, match_shard
from freqscope.matcher import MatchRules
from freqscope.progress import Progress
from freqscope.taxonomy import ClassList


def _advancing(batches: Iterable[MatchedBatch], progress: Progress, task: int) -> Iterator[MatchedBatch]:
    for batch in batches:
        yield batch
        progress.advance(task, batch.n_docs)


class LocalEngine:
    """A failing shard stops the run (its transaction rolls back), as a bad file should on one machine."""

    name = "local"

    def run(self, jobs: list[ShardJob], class_lists: Mapping[str, ClassList], rules: MatchRules,
            sink: ShardSink, progress: Progress) -> list[tuple[ShardJob, str]]:
        for job in jobs:
            task = progress.add_task(job.shard.label, total=job.shard.n_docs_hint)
            batches = match_shard(job.shard, [class_lists[name] for name in job.lists], rules)
            sink.write(job, _advancing(batches, progress, task))
            progress.finish(task)
        return []
