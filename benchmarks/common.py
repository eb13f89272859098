"""What the benchmarks share: the benchmark corpus and best-of-N timing."""
from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"
REPEATS = 3


def make_corpus(path: Path, rows: int, *, seed: int = 0, row_group: int = 100_000, distinct: bool = False) -> None:
    """The benchmark corpus of the issues: ``rows`` real captions in LAION layout (../shared/bench); ``distinct``:
    each row splices the first words of one real caption to the last words of another (~95% unique at 10M)."""
    subprocess.run([sys.executable, str(MAKE_CORPUS), str(path), "--rows", str(rows), "--seed", str(seed),
                    "--row-group", str(row_group), *(["--distinct"] if distinct else [])],
                   check=True, stdout=subprocess.DEVNULL)


def benchmark_corpus(workdir: Path, rows: int, *, distinct: bool = False) -> Path:
    """The benchmark corpus of ``rows`` captions in ``workdir``, built once (repeating: ~91,000 real captions
    drawn again and again; ``distinct``: spliced, as web alt-text that rarely repeats)."""
    path = workdir / f"bench_{'distinct_' if distinct else ''}{rows}.parquet"
    if not path.exists():
        make_corpus(path, rows, distinct=distinct)
    return path


def best_seconds(run: Callable[[], object], repeats: int = REPEATS) -> float:
    """The fastest of ``repeats`` runs: the least disturbed by the rest of a shared machine."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


class ReplayEngine:
    """Writes results computed beforehand: times the driver's writing alone."""

    name = "replay"

    def __init__(self, results: dict) -> None:
        self.results = results

    def ahead_of_jobs(self, rows, class_lists, rules):
        return nullcontext()  # nothing to match: the results are there

    def run(self, jobs, class_lists, rules, sink, progress):
        for job in jobs:
            sink.write(job, [self.results[job.shard.row_start].as_batch()])
        return []
