#!/usr/bin/env python3
"""Streamed shards at scale: `freqscope index` on a large TSV and a large JSONL, peak memory and speed as ratios
to baselines measured in the same run, and a run killed at a random moment then resumed, against a clean run.

    python benchmarks/bench_streams.py [--rows 10000000] [--workdir DIR] [--seed 0] [--formats tsv jsonl]

The captions are those of ../shared/bench/make_corpus.py --distinct (real words, ~95% unique at 10M), written
as `caption<TAB>url` lines (CC3M's layout) and as `{"id": ..., "text": ...}` lines. Per format, each a fresh
database, every built-in list, the command end to end in a child process (peak RSS from its rusage):

- streamed: `freqscope index FILE` (shards of 1,000,000 documents, each committed as it is read);
- one shard: the same file read as one transaction (`index(..., shard_rows=10**12)`), as before streamed shards;
- parquet: the same captions as the parquet file `freqscope index` reads by row groups (the speed baseline);
- killed: the streamed command SIGKILLed at a random moment of its clean run's duration, then run again; its
  `exposure` must equal the clean run's.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, make_corpus  # noqa: E402

ONE_SHARD = 10 ** 12  # shard_rows larger than any file: the file is one transaction, as before streamed shards
EXPOSURE_SQL = "SELECT corpus, taxonomy, class_index, docs, mentions FROM exposure ORDER BY ALL"
SOURCES_SQL = "SELECT count(*), sum(n_docs) FROM sources WHERE status = 'done'"


def write_streams(parquet: Path, workdir: Path, formats: list[str]) -> dict[str, Path]:
    """The parquet corpus's captions as a TSV and a JSON lines file, written a row group at a time."""
    paths = {"tsv": workdir / "captions.tsv", "jsonl": workdir / "captions.jsonl"}
    handles = {kind: open(paths[kind], "w", encoding="utf-8") for kind in formats}
    number = 0
    for batch in pq.ParquetFile(parquet).iter_batches(columns=["URL", "TEXT"], batch_size=100_000):
        urls, texts = batch.column("URL").to_pylist(), batch.column("TEXT").to_pylist()
        if "tsv" in handles:  # CC3M's layout; a tab or line break inside a caption would cut it, so they go
            handles["tsv"].writelines(f"{' '.join(t.split())}\t{u}\n" for t, u in zip(texts, urls))
        if "jsonl" in handles:
            handles["jsonl"].writelines(json.dumps({"id": number + i, "text": t}) + "\n" for i, t in enumerate(texts))
        number += len(texts)
    for handle in handles.values():
        handle.close()
    return {kind: paths[kind] for kind in formats}


def child(argv: list[str]) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, *argv], cwd=REPO, env=env, stdout=subprocess.DEVNULL)


def index_argv(path: Path, db: Path, shard_rows: int | None = None) -> list[str]:
    if shard_rows is None:  # the command itself
        return ["-m", "freqscope", "index", str(path), "--db", str(db), "--corpus", "c", "-q"]
    return ["-c", f"from freqscope.indexer import index; index([{str(path)!r}], db={str(db)!r}, corpus='c', "
                  f"shard_rows={shard_rows})"]


def measured(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB) of a child process ``python ARGV``, which must succeed."""
    start = time.perf_counter()
    process = child(argv)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"a benchmark run failed (exit {process.returncode}): python {' '.join(argv)}")
    return seconds, usage.ru_maxrss / 1024


def table(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--workdir", type=Path, help="keep the corpus files here (default: a temporary folder)")
    parser.add_argument("--seed", type=int, default=0, help="draws the moment of the kill")
    parser.add_argument("--formats", nargs="+", default=["tsv", "jsonl"], choices=["tsv", "jsonl"])
    args = parser.parse_args()
    draw = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        parquet = workdir / f"distinct_{args.rows}.parquet"
        if not parquet.exists():
            make_corpus(parquet, args.rows, distinct=True)
        streams = write_streams(parquet, workdir, args.formats)
        print(f"{args.rows:,} --distinct captions; {', '.join(f'{k} {p.stat().st_size / 2**20:,.0f} MiB' for k, p in streams.items())}")
        db = workdir / "bench.duckdb"

        def fresh() -> Path:
            for leftover in (db, db.with_name(db.name + ".wal")):
                leftover.unlink(missing_ok=True)
            return db

        parquet_seconds, parquet_rss = measured(index_argv(parquet, fresh()))
        print(f"{'run':<22}{'seconds':>9}{'captions/s':>13}{'peak MiB':>10}{'time / parquet':>16}{'RSS / one shard':>17}")
        print(f"{'parquet':<22}{parquet_seconds:>9.1f}{args.rows / parquet_seconds:>13,.0f}{parquet_rss:>10,.0f}")
        for kind, path in streams.items():
            one_seconds, one_rss = measured(index_argv(path, fresh(), ONE_SHARD))
            seconds, rss = measured(index_argv(path, fresh()))
            clean = table(db, EXPOSURE_SQL)
            shards, docs = table(db, SOURCES_SQL)[0]
            assert docs == args.rows, f"{kind}: {docs:,} documents indexed of {args.rows:,}"
            for name, (s, r) in {f"{kind}, one shard": (one_seconds, one_rss), f"{kind}, streamed": (seconds, rss)}.items():
                print(f"{name:<22}{s:>9.1f}{args.rows / s:>13,.0f}{r:>10,.0f}{s / parquet_seconds:>16.2f}{r / one_rss:>17.2f}")
            # killed at a random moment of a clean run's duration, then run again
            moment = draw.uniform(0.1, 0.9) * seconds
            process = child(index_argv(path, fresh()))
            time.sleep(moment)
            process.send_signal(signal.SIGKILL)
            process.wait()
            kept = table(db, SOURCES_SQL)[0] if db.exists() else (0, None)
            resumed_seconds, resumed_rss = measured(index_argv(path, db))
            equal = table(db, EXPOSURE_SQL) == clean
            print(f"{kind}, killed at {moment:.1f} s ({kept[0]} of {shards} shards kept, {kept[1] or 0:,} documents), "
                  f"run again: {resumed_seconds:.1f} s, peak {resumed_rss:,.0f} MiB; exposure equal to the clean "
                  f"run: {equal}")
            assert equal, f"{kind}: the resumed run counted differently from the clean run"


if __name__ == "__main__":
    main()
