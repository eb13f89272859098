"""`freqscope index` end to end against a bare DuckDB scan of the same column, in the same run.

    python benchmarks/bench_index.py [--rows 1000000 10000000] [--distinct] [--workers 1 2] [--workdir DIR]
                                     [--classes LIST ...] [--repeat 3] [--compare-with OTHER_CHECKOUT]

For each size: builds the benchmark corpus with ../shared/bench/make_corpus.py (real captions, LAION layout,
row groups of 100,000; --distinct splices two real captions into each row, ~95% unique at 10M, as web
alt-text rarely repeats), then, interleaved --repeat times so that a slow spell of the shared machine touches
every measurement alike:

- the baseline: `SELECT count(*), sum(length(lower(TEXT)))` over the file in DuckDB (every core; the file in
  the page cache). On the repeating corpus DuckDB lower-cases each parquet dictionary once, so that scan is
  not a fair floor there;
- the whole `freqscope index` command (interpreter start and imports included) into a fresh database with
  every built-in list, once per --workers value;
- with --compare-with, the same command of another checkout (its root on PYTHONPATH, without --workers):
  e.g. the main branch, to check that a change is no slower.

Each checkout's package is byte-compiled first, as `pip install` does: where PYTHONDONTWRITEBYTECODE is set
(as on this machine), every run would otherwise compile its modules again, and the larger package pay more.

Prints, per run: captions/s (best run), its ratio to the best baseline, the median ratio (how noisy it was),
cores busy (CPU seconds of the command / its wall seconds, on the best run), the least CPU seconds of its runs,
and peak resident memory (the largest of its runs). With --compare-with, then the other checkout's best wall
and least CPU seconds over each --workers run's (above 1: this checkout is faster): on a machine shared with
other work, the CPU seconds move less than the wall clock.
"""
from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from common import REPO, benchmark_corpus  # noqa: E402

BASELINE_SQL = "SELECT count(*), sum(length(lower(TEXT))) FROM read_parquet(?)"
# A child per run reports its own CPU seconds and peak RSS: RUSAGE_CHILDREN of a wrapper that ran only it.
WRAPPER = (
    "import resource, subprocess, sys, time; start = time.perf_counter(); "
    "subprocess.run(sys.argv[1:], check=True); wall = time.perf_counter() - start; "
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)"
)


@dataclass
class Runs:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_kib: list[int] = field(default_factory=list)


def time_baseline(path: Path) -> float:
    connection = duckdb.connect()
    connection.execute(BASELINE_SQL, [str(path)]).fetchall()  # warm the page cache
    start = time.perf_counter()
    connection.execute(BASELINE_SQL, [str(path)]).fetchall()
    return time.perf_counter() - start


def run_index(path: Path, db: Path, classes: list[str], workers: int | None, root: Path, runs: Runs) -> None:
    """One `freqscope index` of ``root``'s checkout into a fresh database."""
    db.unlink(missing_ok=True)
    command = [sys.executable, "-m", "freqscope", "index", str(path), "--db", str(db), "--quiet"]
    for name in classes:
        command += ["--classes", name]
    if workers is not None:
        command += ["--workers", str(workers)]
    environment = {**os.environ, "PYTHONPATH": str(root)}
    child = subprocess.run([sys.executable, "-c", WRAPPER, *command], check=True, cwd=root, capture_output=True,
                           text=True, env=environment)
    wall, cpu, peak = child.stdout.split()[-3:]
    runs.wall.append(float(wall))
    runs.cpu.append(float(cpu))
    runs.peak_kib.append(int(peak))
    db.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--distinct", action="store_true", help="spliced captions, nearly all unique")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--workdir", type=Path, default=None, help="keep corpora here between runs")
    parser.add_argument("--classes", nargs="*", default=[], help="default: every built-in list")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best is printed")
    parser.add_argument("--compare-with", type=Path, default=None, help="another checkout's root, run alike")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="freqscope-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    variants: dict[str, tuple[int | None, Path]] = {f"--workers {w}": (w, REPO) for w in args.workers}
    if args.compare_with is not None:
        variants[f"{args.compare_with.name} (other checkout)"] = (None, args.compare_with.resolve())
    for root in {root for _, root in variants.values()}:
        compileall.compile_dir(root / "freqscope", quiet=1)
    print(f"{'captions':>11} {'run':<26} {'captions/s':>11} {'ratio':>6} {'median':>7} {'cores':>6} {'CPU s':>6} "
          f"{'peak MiB':>9}")
    for rows in sorted(args.rows):
        corpus = benchmark_corpus(workdir, rows, distinct=args.distinct)
        db = workdir / f"bench_{rows}.duckdb"
        baselines: list[float] = []
        measured = {name: Runs() for name in variants}
        for _ in range(args.repeat):
            baselines.append(time_baseline(corpus))
            for name, (workers, root) in variants.items():
                run_index(corpus, db, args.classes, workers, root, measured[name])
        baseline = min(baselines)
        print(f"{rows:>11,} {'DuckDB scan':<26} {rows / baseline:>11,.0f} {1:>6.3f} "
              f"{baseline / statistics.median(baselines):>7.3f}")
        for name, runs in measured.items():
            best = runs.wall.index(min(runs.wall))
            print(f"{rows:>11,} {name:<26} {rows / runs.wall[best]:>11,.0f} {baseline / runs.wall[best]:>6.3f} "
                  f"{baseline / statistics.median(runs.wall):>7.3f} {runs.cpu[best] / runs.wall[best]:>6.2f} "
                  f"{min(runs.cpu):>6.2f} {max(runs.peak_kib) / 1024:>9,.0f}")
        if args.compare_with is not None:
            other = measured[f"{args.compare_with.name} (other checkout)"]
            for workers in args.workers:
                runs = measured[f"--workers {workers}"]
                print(f"{rows:>11,} --workers {workers} against {args.compare_with.name}: "
                      f"wall {min(other.wall) / min(runs.wall):.3f}, CPU {min(other.cpu) / min(runs.cpu):.3f} "
                      "(the other's best / this one's; above 1: faster)")
    print(f"(load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB peak in this process)")


if __name__ == "__main__":
    main()
