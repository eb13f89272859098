"""Index throughput and peak memory against a bare DuckDB scan of the same column, in the same run.

    python benchmarks/bench_index.py [--rows 1000000 10000000] [--workdir DIR] [--classes LIST ...] [--distinct]
                                     [--repeat 3]

For each size: builds the benchmark corpus with ../shared/bench/make_corpus.py (real captions, LAION layout,
row groups of 100,000; --distinct makes every caption unique with a " #row" suffix, as in a web corpus with
few repeats), times `SELECT sum(length(lower(TEXT)))` over it in DuckDB (the baseline), then indexes it with
every built-in class list into a fresh database, twice, each in a child process:

- `index()`: the Python API call, file to committed database (reading, matching, writing, the summary),
  timed inside the child after its imports, like the baseline's query;
- `CLI`: the whole `freqscope index` command, interpreter start and imports included (~0.4 s here).

Each figure is the best of --repeat runs (the baseline's too): this machine is shared, and a run slowed by a
neighbour says nothing about the code. Prints captions/s for each, their ratios to the baseline, and the peak
resident memory of the CLI run (the largest of its runs).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from common import benchmark_corpus  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BASELINE_SQL = "SELECT sum(length(lower(TEXT))) FROM read_parquet(?)"
PEAK_WRAPPER = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)
# Runs in a child process: the seconds of the index() call alone (freqscope imports its submodules lazily:
# taking the attribute imports them before the clock starts).
API_TIMER = (
    "import sys, time; import freqscope; index = freqscope.index; start = time.perf_counter(); "
    "index([sys.argv[1]], db=sys.argv[2], classes=sys.argv[3:] or None, quiet=True); "
    "print(time.perf_counter() - start)"
)


def time_baseline(path: Path) -> float:
    connection = duckdb.connect()
    connection.execute(BASELINE_SQL, [str(path)]).fetchall()  # warm the page cache
    start = time.perf_counter()
    connection.execute(BASELINE_SQL, [str(path)]).fetchall()
    return time.perf_counter() - start


def time_api(path: Path, db: Path, classes: list[str]) -> float:
    """Seconds of the index() call in a fresh child process, into a fresh database."""
    db.unlink(missing_ok=True)
    child = subprocess.run([sys.executable, "-c", API_TIMER, str(path), str(db), *classes], check=True, cwd=REPO,
                           capture_output=True, text=True)
    return float(child.stdout.split()[-1])


def time_cli(path: Path, db: Path, classes: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of the whole `freqscope index` command, into a fresh database."""
    db.unlink(missing_ok=True)
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
    parser.add_argument("--distinct", action="store_true", help="every caption unique (no repeats to reuse)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best is printed")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="freqscope-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"{'captions':>11} {'baseline/s':>11} {'index()/s':>10} {'ratio':>6} {'CLI/s':>10} {'ratio':>6} {'peak MiB':>9}")
    for rows in sorted(args.rows):
        corpus = benchmark_corpus(workdir, rows, distinct=args.distinct)
        db = workdir / f"bench_{rows}.duckdb"
        # interleaved, so that a slow spell of the machine touches every measurement alike
        baselines, apis, clis, peaks = [], [], [], []
        for _ in range(args.repeat):
            baselines.append(time_baseline(corpus))
            apis.append(time_api(corpus, db, args.classes))
            cli_seconds, cli_peak = time_cli(corpus, db, args.classes)
            clis.append(cli_seconds)
            peaks.append(cli_peak)
        baseline, api, cli, peak = min(baselines), min(apis), min(clis), max(peaks)
        db.unlink(missing_ok=True)
        print(f"{rows:>11,} {rows / baseline:>11,.0f} {rows / api:>10,.0f} {baseline / api:>6.3f} "
              f"{rows / cli:>10,.0f} {baseline / cli:>6.3f} {peak:>9,.0f}")


if __name__ == "__main__":
    main()
