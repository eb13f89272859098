"""The Ray index engine against the local engine on the same corpus, plus the figures a cluster is sized from.

    python benchmarks/bench_ray.py [--rows 1000000] [--shard-rows 250000] [--workers 1 2] [--distinct] [--workdir DIR]

Builds the benchmark corpus with ../shared/bench/make_corpus.py (real captions, LAION layout, row groups of
100,000), then, with every built-in class list and the same shard plan:

- the local engine (this process; Polars uses every core);
- the Ray engine with 1 and 2 workers (a local Ray with that many CPUs, one CPU and one Polars thread per
  worker), after a warm-up run that starts the worker processes, so Ray's start-up is not counted;
- what a cluster is sized from: the matching rate of one core (the 1-worker run), the shard read rate of one
  core (reading the text column alone, POLARS_MAX_THREADS=1), the driver's fingerprint rate, the bytes sent
  back per caption (the Arrow tables of ``ShardResult``) and the rate at which the one driver writes them.

The benchmark corpus draws 1M captions from ~90,000 distinct ones, so the matcher's memo of captions already
searched answers most of them; ``--distinct`` splices two real captions into each row (make_corpus.py), which
makes nearly every caption new to the matcher: the rate of a corpus with few repeats.

Prints captions/s and the ratios to the local engine; every run's counts are checked equal to the local one.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from freqscope.engines.ray_index import RayEngine  # noqa: E402
from freqscope.engines.shards import file_fingerprint, plan_shards, shard_result  # noqa: E402
from freqscope.indexer import index, load_class_lists  # noqa: E402
from freqscope.matcher import MatchRules  # noqa: E402
from freqscope.readers import SourceReader  # noqa: E402
from common import ReplayEngine, benchmark_corpus  # noqa: E402

EXPOSURE_SQL = "SELECT taxonomy, class_index, docs, mentions FROM exposure ORDER BY ALL"
READ_RATE_SCRIPT = """
import sys, time
from pathlib import Path
from freqscope.readers import SourceReader
source = SourceReader(Path(sys.argv[1]))
start = time.perf_counter()
rows = sum(batch.height for batch in source.batches())
print(rows / (time.perf_counter() - start))
"""


def exposure(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as connection:
        return connection.execute(EXPOSURE_SQL).fetchall()


def timed_index(corpus: Path, db: Path, shard_rows: int, engine) -> float:
    start = time.perf_counter()
    summary = index([corpus], db=db, corpus="bench", shard_rows=shard_rows, engine=engine)
    seconds = time.perf_counter() - start
    assert summary.shards_indexed == len(plan_shards([SourceReader(corpus)], shard_rows=shard_rows))
    return seconds


def read_rate_one_core(corpus: Path) -> float:
    """Rows per second reading the text column alone with one Polars thread (a fresh process: the thread
    count is fixed when Polars is imported)."""
    env = dict(os.environ, POLARS_MAX_THREADS="1", PYTHONPATH=str(REPO))
    output = subprocess.run([sys.executable, "-c", READ_RATE_SCRIPT, str(corpus)], check=True, env=env,
                            capture_output=True, text=True).stdout
    return float(output.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--shard-rows", type=int, default=250_000, help="rows per shard (the same plan for every engine)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--distinct", action="store_true", help="make every caption distinct (few repeats, as in LAION)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the corpus here between runs")
    args = parser.parse_args()
    import ray

    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        corpus = benchmark_corpus(workdir, args.rows, distinct=args.distinct)
        warmup = benchmark_corpus(workdir, 1_000)
        megabytes = corpus.stat().st_size / 1e6
        shards = plan_shards([SourceReader(corpus)], shard_rows=args.shard_rows)
        print(f"corpus: {args.rows:,}{' distinct' if args.distinct else ''} captions, {megabytes:.1f} MB, {len(shards)} shards of {args.shard_rows:,} rows; "
              f"{os.cpu_count()} cores; every built-in class list")

        start = time.perf_counter()
        file_fingerprint(corpus)
        fingerprint_rate = megabytes / (time.perf_counter() - start)
        read_rate = read_rate_one_core(corpus)

        local_db = workdir / "local.duckdb"
        local_db.unlink(missing_ok=True)
        local_seconds = timed_index(corpus, local_db, args.shard_rows, "local")
        reference = exposure(local_db)
        local_rate = args.rows / local_seconds
        print(f"{'engine':<22}{'seconds':>9}{'captions/s':>14}{'vs local':>10}")
        print(f"{'local':<22}{local_seconds:>9.2f}{local_rate:>14,.0f}{1.0:>10.2f}")

        rates = {}
        for workers in args.workers:
            ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
            try:
                engine = RayEngine(workers=workers)
                # a fresh database, or the warm-up finds its shard done and no worker is started
                warmup_db = workdir / f"warmup{workers}.duckdb"
                warmup_db.unlink(missing_ok=True)
                index([warmup], db=warmup_db, corpus="warmup", engine=engine)
                db = workdir / f"ray{workers}.duckdb"
                db.unlink(missing_ok=True)
                seconds = timed_index(corpus, db, args.shard_rows, engine)
            finally:
                ray.shutdown()
            assert exposure(db) == reference, f"Ray with {workers} workers counted differently"
            rates[workers] = args.rows / seconds
            print(f"{f'ray, {workers} worker(s)':<22}{seconds:>9.2f}{rates[workers]:>14,.0f}{rates[workers] / local_rate:>10.2f}")

        # What crosses the network, and what the one driver can write.
        lists, rules = load_class_lists(None), MatchRules()
        start = time.perf_counter()
        results = {shard.row_start: shard_result(shard, lists, rules) for shard in shards}
        in_process = time.perf_counter() - start
        sent = sum(r.matches.nbytes + r.counts.nbytes for r in results.values())
        replay_db = workdir / "replay.duckdb"
        replay_db.unlink(missing_ok=True)
        start = time.perf_counter()
        index([corpus], db=replay_db, corpus="bench", shard_rows=args.shard_rows, engine=ReplayEngine(results))
        write_seconds = time.perf_counter() - start
        assert exposure(replay_db) == reference
        n_matches = sum(r.matches.num_rows for r in results.values())

        print()
        if 1 in rates:
            print(f"matching, one core (Ray, 1 worker):  {rates[1]:,.0f} captions/s")
        if 1 in rates and 2 in rates:
            print(f"scaling 1 -> 2 workers:              {rates[2] / rates[1]:.2f}x")
        print(f"shard read rate, one core:           {read_rate:,.0f} captions/s ({read_rate * megabytes / args.rows:,.1f} MB/s of parquet)")
        print(f"shard_result in this process:        {args.rows / in_process:,.0f} captions/s")
        print(f"driver fingerprint (xxh3-128):       {fingerprint_rate:,.0f} MB/s")
        print(f"sent back per caption:               {sent / args.rows:.1f} bytes ({n_matches / args.rows:.2f} match rows; "
              f"{megabytes * 1e6 / args.rows:.1f} bytes of parquet read per caption)")
        print(f"driver write rate (index incl. plan): {args.rows / write_seconds:,.0f} captions/s "
              f"({n_matches / write_seconds:,.0f} match rows/s)")


if __name__ == "__main__":
    main()
