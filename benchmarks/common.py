"""What the benchmarks share: the benchmark corpus and best-of-N timing."""
from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"
REPEATS = 3


def make_corpus(path: Path, rows: int, *, seed: int = 0, row_group: int = 100_000) -> None:
    """The benchmark corpus of the issues: ``rows`` real captions in LAION layout (../shared/bench)."""
    subprocess.run([sys.executable, str(MAKE_CORPUS), str(path), "--rows", str(rows), "--seed", str(seed),
                    "--row-group", str(row_group)], check=True, stdout=subprocess.DEVNULL)


def best_seconds(run: Callable[[], object], repeats: int = REPEATS) -> float:
    """The fastest of ``repeats`` runs: the least disturbed by the rest of a shared machine."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best
