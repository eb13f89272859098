"""Index throughput and peak memory against a bare DuckDB scan of the same column, in the same run.

    python benchmarks/bench_index.py [--rows 1000000 10000000] [--workdir DIR] [--classes LIST ...]

For each size: builds the benchmark corpus with ../shared/bench/make_corpus.py (real captions, LAION layout,
row groups of 100,000), times `SELECT sum(length(lower(TEXT)))` over it in DuckDB (the baseline), then runs
`freqscope index` on it with every built-in class list in a fresh database, in a child process whose peak
resident memory is read from the kernel. Prints captions/s for both, their ratio, and peak memory.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from common import make_corpus  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BASELINE_SQL = "SELECT sum(length(lower(TEXT))) FROM read_parquet(?)"
PEAK_WRAPPER = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def build_corpus(path: Path, rows: int) -> None:
    if not path.exists():
        make_corpus(path, rows)


def time_baseline(path: Path) -> float:
    connection = duckdb.connect()
    connection.execute(BASELINE_SQL, [str(path)]).fetchone()  # warm the page cache
    start = time.perf_counter()
    connection.execute(BASELINE_SQL, [str(path)]).fetchone()
    return time.perf_counter() - start


def time_index(path: Path, db: Path, classes: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of `freqscope index` in a child process."""
    command = [sys.executable, "-m", "freqscope", "index", str(path), "--db", str(db), "--quiet"]
    for name in classes:
        command += ["--classes", name]
    # A wrapper process per run, so that its RUSAGE_CHILDREN peak is this run's alone.
    start = time.perf_counter()
    wrapper = subprocess.run([sys.executable, "-c", PEAK_WRAPPER, *command], check=True, cwd=REPO,
                             capture_output=True, text=True)
    seconds = time.perf_counter() - start
    return seconds, int(wrapper.stdout.split()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--workdir", type=Path, default=None, help="keep corpora here between runs")
    parser.add_argument("--classes", nargs="*", default=[], help="default: every built-in list")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="freqscope-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"{'captions':>11} {'baseline/s':>12} {'index/s':>12} {'index/baseline':>15} {'peak MiB':>9}")
    for rows in sorted(args.rows):
        corpus = workdir / f"bench_{rows}.parquet"
        build_corpus(corpus, rows)
        db = workdir / f"bench_{rows}.duckdb"
        db.unlink(missing_ok=True)
        baseline = time_baseline(corpus)
        seconds, peak = time_index(corpus, db, args.classes)
        print(f"{rows:>11,} {rows / baseline:>12,.0f} {rows / seconds:>12,.0f} {baseline / seconds:>15.3f} {peak:>9,.0f}")
        db.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
