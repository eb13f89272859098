#!/usr/bin/env python3
"""How long the CLI takes to answer its quick commands, against a bare interpreter started in the same run.

    python benchmarks/bench_cli_startup.py [--repeat 10]

Times, wall clock, each in a fresh process: `python -c pass` (the floor), `freqscope --help`,
`freqscope sql "select 1"` (on a small database made here), `freqscope query --list` (issue 14: each under
0.3 s, GOAL_SECONDS), and the least `sql` can take (importing the CLI and DuckDB, and the query); and, with
`python -X importtime`, the microseconds of importing `freqscope.cli` and the modules that cost most in each
command. Runs are interleaved and the best of --repeat is printed, with the median beside it: the machine is
shared, and a run slowed by a neighbour says nothing about the code.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


REPO = Path(__file__).resolve().parent.parent
FREQSCOPE = [sys.executable, "-m", "freqscope"]
GOAL_SECONDS = 0.3  # issue 14, for the three quick commands
QUICK = ("freqscope --help", 'freqscope sql "select 1"', "freqscope query --list")


def commands(db: Path) -> dict[str, list[str]]:
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "freqscope --help": [*FREQSCOPE, "--help"],
        'freqscope sql "select 1"': [*FREQSCOPE, "sql", "--db", str(db), "select 1"],
        "freqscope query --list": [*FREQSCOPE, "query", "--list"],
        # the least `sql` can take: the CLI, DuckDB and the query, without typer's command dispatch
        "cli + duckdb select 1": [sys.executable, "-c", "import sys, freqscope.cli, duckdb; "
                                  "duckdb.connect(sys.argv[1], read_only=True).execute('select 1').fetchall()",
                                  str(db)],
    }


def seconds(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def costliest_imports(command: list[str], cwd: Path, top: int = 5) -> list[tuple[str, int]]:
    """The top-level imports of ``command`` that took longest (cumulative microseconds), from -X importtime."""
    child = subprocess.run([command[0], "-X", "importtime", *command[1:]], cwd=cwd, capture_output=True, text=True,
                           check=True)
    found = []
    for line in child.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|")
        if cumulative.strip().isdigit() and not name.startswith("  "):  # a top-level import
            found.append((name.strip(), int(cumulative)))
    return sorted(found, key=lambda item: -item[1])[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="freqscope-startup-") as folder:
        workdir = Path(folder)
        db = workdir / "small.duckdb"
        subprocess.run([*FREQSCOPE, "index", str(REPO / "data" / "corpora" / "laion_sample" / "test_10000.parquet"),
                        "--db", str(db), "--classes", "cifar10", "--quiet", "--workers", "1"], cwd=REPO, check=True)
        runs = commands(db)
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.repeat):  # interleaved: a slow spell touches every command alike
            for name, command in runs.items():
                times[name].append(seconds(command, workdir))
        floor = min(times["python -c pass"])
        print(f"{'command':<28} {'best s':>7} {'median s':>9} {'best - python':>14}  goal {GOAL_SECONDS} s")
        for name, values in times.items():
            goal = ("met" if min(values) < GOAL_SECONDS else "not met") if name in QUICK else ""
            print(f"{name:<28} {min(values):>7.3f} {statistics.median(values):>9.3f} {min(values) - floor:>14.3f}  {goal}")
        cli_import = costliest_imports([sys.executable, "-c", "import freqscope.cli"], workdir, top=1)
        print(f"(load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())})")
        print(f"\nimporting freqscope.cli: {cli_import[0][1] / 1000:.0f} ms (-X importtime, one run)")
        for name, command in list(runs.items())[1:4]:
            listed = ", ".join(f"{module} {micros / 1000:.0f} ms" for module, micros in costliest_imports(command, workdir))
            print(f"{name}: costliest imports: {listed}")


if __name__ == "__main__":
    main()
