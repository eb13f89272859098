"""The Ray engine for ``index``: one Ray task per shard; the driver writes each shard as it completes.

Out to the workers go the shard (a path and a row range, read by the worker from its own filesystem), the
class lists (put in the object store once per set of lists) and the rules; back come only the matches and
per-class counts as Arrow tables (``ShardResult``), never the captions. A streamed file (any format but
parquet) is one task, which returns a result per shard of it. A task that raises or whose worker
dies is retried ``max_retries`` times; a shard that still fails is recorded as a ``failed`` row in ``sources``
and returned, so ``index`` raises once the other shards are written, and a re-run retries just those shards.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext

from freqscope.engines import ShardSink
from freqscope.engines.ray_runtime import ray_session, require_ray
from freqscope.engines.shards import ShardJob, ShardResult, ShardRows, shard_results
from freqscope.matcher import MatchRules
from freqscope.progress import Progress
from freqscope.terms.taxonomy import ClassList

DEFAULT_MAX_RETRIES = 2


def _task_error(error: BaseException) -> str:
    """The first line of what went wrong in a task: the task's own exception rather than Ray's wrapper."""
    cause = getattr(error, "cause", None) or error
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else ''}".strip(": ")


class RayEngine:
    """Shards as Ray tasks on a local Ray instance, or on the cluster at ``address``.

    ``workers`` is the number of shards matched at once (default: the cluster's CPUs / ``cpus_per_worker``);
    each task reserves ``cpus_per_worker`` CPUs and lets Polars use that many threads. ``shard_task`` is what
    a task runs: ``shards.shard_results``, or a wrapper around it (the tests inject failures that way).
    """

    name = "ray"

    def __init__(self, *, address: str | None = None, workers: int | None = None, cpus_per_worker: int = 1,
                 max_retries: int = DEFAULT_MAX_RETRIES,
                 shard_task: Callable[..., list[ShardResult]] = shard_results) -> None:
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        require_ray()  # before anything is written
        self.address = address
        self.workers = workers
        self.cpus_per_worker = cpus_per_worker
        self.max_retries = max_retries
        self.shard_task = shard_task

    def ahead_of_jobs(self, rows: ShardRows, class_lists: Sequence[ClassList],
                      rules: MatchRules) -> AbstractContextManager[None]:
        """Nothing starts early: a cluster's start-up dwarfs the database's."""
        return nullcontext()

    def run(self, jobs: list[ShardJob], class_lists: Mapping[str, ClassList], rules: MatchRules,
            sink: ShardSink, progress: Progress) -> list[tuple[ShardJob, str]]:
        if not jobs:
            return []
        local_cpus = None if self.workers is None else self.workers * self.cpus_per_worker
        with ray_session(self.address, local_cpus) as ray:
            task = ray.remote(self.shard_task).options(
                num_cpus=self.cpus_per_worker, max_retries=self.max_retries, retry_exceptions=True,
                # Polars would otherwise start a thread per core of the node in every task.
                runtime_env={"env_vars": {"POLARS_MAX_THREADS": str(self.cpus_per_worker)}},
            )
            workers = self.workers or max(1, int(ray.cluster_resources().get("CPU", 1)) // self.cpus_per_worker)
            list_refs = {names: ray.put([class_lists[name] for name in names]) for names in {j.lists for j in jobs}}
            rules_ref = ray.put(rules)
            hints = [job.shard.n_docs_hint for job in jobs]
            bar = progress.add_task(f"{len(jobs)} shards on Ray ({workers} workers)",
                                    total=None if None in hints else sum(hints))
            waiting = list(reversed(jobs))
            running: dict = {}
            failed: list[tuple[ShardJob, str]] = []
            while waiting or running:
                # At most `workers` shards in flight: the rest wait here, not in the object store.
                while waiting and len(running) < workers:
                    job = waiting.pop()
                    running[task.remote(job.shard, list_refs[job.lists], rules_ref)] = job
                (done,), _ = ray.wait(list(running), num_returns=1)
                job = running.pop(done)
                if waiting:  # keep the workers busy while this shard is written
                    next_job = waiting.pop()
                    running[task.remote(next_job.shard, list_refs[next_job.lists], rules_ref)] = next_job
                try:
                    results: list[ShardResult] = ray.get(done)
                except ray.exceptions.RayError as error:  # the task's error (or its worker's death) after its last retry
                    failed.append((job, _task_error(error)))
                    sink.write_failed(job.part(job.shard.first_matched()), failed[-1][1])
                    continue
                for result in results:
                    sink.write(job.part(result.row_start), [result.as_batch()])
                    progress.advance(bar, result.n_docs)
            progress.finish(bar)
        return failed
