"""Engines: how the work of ``index`` and ``infer`` is executed, on this machine or on a Ray cluster.

``index`` plans shards (``shards.plan_shards``), and an engine runs ``shards.match_shard`` on each and hands
the results to the one writer (``freqscope.indexer.ShardWriter``):

- ``local``: in this process, batches matched by several threads at once (``--workers``, default every core)
  and each shard's batches streamed into its open transaction in reading order;
- ``ray``: one Ray task per shard on a local Ray or a cluster (``--address``); the driver writes each shard
  as it completes.

``infer --engine ray`` runs the model in a Ray Data actor pool (``ray_infer``). Ray is optional: it is
imported only when a Ray engine runs (``ray_runtime.require_ray``).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

from freqscope.errors import FreqscopeError

if TYPE_CHECKING:  # the CLI reads ENGINES for its help: this module imports nothing heavy to run
    from freqscope.engines.shards import MatchedBatch, ShardJob, ShardRows
    from freqscope.matcher import MatchRules
    from freqscope.progress import Progress
    from freqscope.terms.taxonomy import ClassList

ENGINES = ("local", "ray")


class ShardSink(Protocol):
    """Where an engine puts each shard's results: the database writer."""

    def write(self, job: ShardJob, batches: Iterable[MatchedBatch]) -> None: ...

    def write_failed(self, job: ShardJob, error: str) -> None: ...

    def reading(self, job: ShardJob | None) -> None:
        """The job whose shards are read from now on (None when all are), for an error raised between writes."""
        ...


class IndexEngine(Protocol):
    name: str

    def ahead_of_jobs(self, rows: ShardRows, class_lists: Sequence[ClassList],
                      rules: MatchRules) -> AbstractContextManager[None]:
        """Within it, the engine may start on ``rows`` (sure to be the first job, matched against these lists)
        before ``run`` is called; a hint, which an engine may ignore."""
        ...

    def run(self, jobs: list[ShardJob], class_lists: Mapping[str, ClassList], rules: MatchRules,
            sink: ShardSink, progress: Progress) -> list[tuple[ShardJob, str]]:
        """Match every job's shard and write it to ``sink``; returns the shards that failed, with why."""
        ...


def index_engine(engine: str, *, address: str | None = None, workers: int | None = None) -> IndexEngine:
    """The engine named by ``--engine``, with its ``--address`` and ``--workers``."""
    if engine == "local":
        if address is not None:
            raise FreqscopeError("--address is for --engine ray: drop it, or add --engine ray")
        from freqscope.engines.local import LocalEngine

        return LocalEngine(workers)
    if engine == "ray":
        from freqscope.engines.ray_index import RayEngine

        return RayEngine(address=address, workers=workers)
    raise FreqscopeError(f"--engine {engine} is not one of {', '.join(ENGINES)}")
