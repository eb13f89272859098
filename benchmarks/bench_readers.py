#!/usr/bin/env python3
"""How fast SourceReader streams a parquet corpus, as a ratio to bare scans of the same column in the same run.

    python benchmarks/bench_readers.py [CORPUS.parquet] [--rows 1000000]

Without a corpus, one is built with ../shared/bench/make_corpus.py (real captions, LAION layout) in a
temporary folder. Baselines: a bare pyarrow scan (iter_batches of the text column, no conversion) and the
DuckDB scan the index benchmark compares against (SELECT sum(length(lower(TEXT)))).
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from freqscope.readers import SourceReader  # noqa: E402
from common import best_seconds, make_corpus  # noqa: E402


def pyarrow_scan(path: Path) -> None:
    for _ in pq.ParquetFile(path).iter_batches(batch_size=100_000, columns=["TEXT"]):
        pass


def duckdb_scan(path: Path) -> None:
    duckdb.sql(f"SELECT sum(length(lower(TEXT))) FROM read_parquet('{path}')").fetchall()


def reader_scan(path: Path) -> None:
    reader = SourceReader(path)
    for _ in reader.batches():
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.corpus
        if path is None:
            path = Path(folder) / "bench.parquet"
            make_corpus(path, args.rows)
        rows = pq.ParquetFile(path).metadata.num_rows
        timings = {"pyarrow scan": best_seconds(lambda: pyarrow_scan(path)),
                   "duckdb scan": best_seconds(lambda: duckdb_scan(path)),
                   "SourceReader": best_seconds(lambda: reader_scan(path))}
    print(f"{rows:,} captions from {path.name if args.corpus else 'make_corpus.py'}")
    for name, seconds in timings.items():
        print(f"  {name:14s} {seconds:7.3f} s  {rows / seconds / 1e6:6.2f} M captions/s")
    reader = timings["SourceReader"]
    print(f"  SourceReader / pyarrow scan time: {reader / timings['pyarrow scan']:.2f}x; "
          f"/ duckdb scan time: {reader / timings['duckdb scan']:.2f}x")
    print(f"  peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB (whole process)")


if __name__ == "__main__":
    main()
