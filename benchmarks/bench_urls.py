#!/usr/bin/env python3
"""A corpus read by path and by URI, as ratios to the path in the same run.

    python benchmarks/bench_urls.py [CORPUS.parquet] [--rows 2000000] [--files 4]

A ``file://`` URI takes the object-store code path (pyarrow filesystem, pyarrow reading, size-and-mtime
fingerprint) without a network, so this measures what that path costs in CPU, not a store's latency or
bandwidth. Without a corpus, ``--files`` shards are built with ../shared/bench/make_corpus.py (real captions,
LAION layout). Figures: streaming the text column (SourceReader), the driver's planning (open every file and
fingerprint it: ``plan_shards``), and a whole ``index`` with cifar10 + imagenet1k.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from freqscope.engines.shards import plan_shards  # noqa: E402
from freqscope.indexer import index  # noqa: E402
from freqscope.readers import SourceReader, expand_paths  # noqa: E402
from common import REPEATS, best_seconds, make_corpus  # noqa: E402

LISTS = ["cifar10", "imagenet1k"]


def stream(files: list) -> None:
    for file in files:
        for _ in SourceReader(file).batches():
            pass


def plan(files: list) -> None:
    plan_shards([SourceReader(file) for file in files])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path)
    parser.add_argument("--rows", type=int, default=2_000_000, help="captions in all (built corpus)")
    parser.add_argument("--files", type=int, default=4, help="files to split them into (built corpus)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.corpus is None:
            for i in range(args.files):
                make_corpus(Path(folder) / f"part-{i}.parquet", args.rows // args.files, seed=i)
            local = [Path(folder)]
        else:
            local = [args.corpus]
        uri = [path.resolve().as_uri() for path in local]
        files = {"path": expand_paths(local), "URI": expand_paths(uri)}
        rows = sum(SourceReader(file).total_docs() for file in files["path"])
        timings: dict[str, dict[str, float]] = {"stream": {}, "plan": {}, "index": {}}
        for name, named in files.items():
            timings["stream"][name] = best_seconds(lambda: stream(named))
            timings["plan"][name] = best_seconds(lambda: plan(named))
            db = Path(folder) / f"{name}.duckdb"
            start = time.perf_counter()
            index(local if name == "path" else uri, db=db, corpus="bench", classes=LISTS)
            timings["index"][name] = time.perf_counter() - start
    print(f"{rows:,} captions in {len(files['path'])} file(s); best of {REPEATS} (index: one run)")
    for figure, by_name in timings.items():
        path, by_uri = by_name["path"], by_name["URI"]
        print(f"  {figure:7s} path {path:7.3f} s ({rows / path / 1e6:5.2f} M captions/s)   "
              f"URI {by_uri:7.3f} s ({rows / by_uri / 1e6:5.2f} M captions/s)   URI / path time {by_uri / path:.2f}x")


if __name__ == "__main__":
    main()
