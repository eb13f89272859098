#!/usr/bin/env python3
"""Where indexing spends its time, stage by stage, on the benchmark corpus (distinct or repeating captions).

    python benchmarks/bench_stages.py [--rows 1000000] [--distinct] [--workdir DIR] [--repeat 3]

Builds the corpus with ../shared/bench/make_corpus.py (``--distinct``: spliced captions, ~95% unique), then,
in one thread, batch by batch (500,000 rows, every built-in list): reading the batch (Polars' parquet
reader), numbering its texts in the memo (``TextMemo.assign``), searching the new ones (the C scan, and the
Polars normalisation of texts not in ASCII), ``tally``, gathering matches per row (``expand`` and the frame),
per-class counts, and inserting the matches into DuckDB as the writer does. Each stage's CPU seconds per
million captions (the process's, so the threads a stage starts count too) and its share of the total; best
of --repeat passes. A bare DuckDB scan of the same column in the same run is the yardstick.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import benchmark_corpus  # noqa: E402
from freqscope import phrases, readers  # noqa: E402
from freqscope._matchcore import tally  # noqa: E402
from freqscope.engines.shards import BATCH_ROWS, caption_counts, matcher_for  # noqa: E402
from freqscope.indexer import load_class_lists  # noqa: E402
from freqscope.matcher import Located, MatchRules, TextsFound  # noqa: E402

BASELINE_SQL = "SELECT count(*), sum(length(lower(TEXT))) FROM read_parquet(?)"
STAGES = ("read", "memo", "search", "tally", "occurrences", "counts", "insert")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one_pass(path: Path) -> dict[str, float]:
    """CPU seconds of each stage over the whole corpus."""
    matcher = matcher_for(tuple(load_class_lists(None)), MatchRules())
    seen = matcher.new_memo()
    connection = duckdb.connect()
    connection.execute("CREATE TABLE pattern_matches (source_id INTEGER, doc BIGINT, pattern_id UINTEGER, n UINTEGER)")
    spent = dict.fromkeys(STAGES, 0.0)
    batches = readers.SourceReader(path, batch_rows=BATCH_ROWS).batches()
    while True:
        start = cpu_seconds()
        batch = next(batches, None)
        spent["read"] += cpu_seconds() - start
        if batch is None:
            break
        texts = batch["text"].fill_null("")
        start = cpu_seconds()
        views = phrases.text_views(texts)
        seen.make_room(len(texts))
        numbers, new_rows = seen.memo.assign(*views)
        numbers, new_rows = np.frombuffer(numbers, np.uint32), np.frombuffer(new_rows, np.uint32)
        spent["memo"] += cpu_seconds() - start
        start = cpu_seconds()
        positions, patterns = matcher._search(texts, views, new_rows)
        spent["search"] += cpu_seconds() - start
        start = cpu_seconds()
        seen.found = seen.found.extended(TextsFound.from_tally(
            tally(len(new_rows), positions, patterns, matcher._class_start, matcher._class_keys)))
        located = Located(numbers, seen.found)
        spent["tally"] += cpu_seconds() - start
        start = cpu_seconds()
        occurrences = located.occurrences()
        matches = occurrences.select(batch["doc"].gather(occurrences["row"]), "pattern_id", "n")
        spent["occurrences"] += cpu_seconds() - start
        start = cpu_seconds()
        caption_counts(located, matcher)
        spent["counts"] += cpu_seconds() - start
        start = cpu_seconds()
        connection.register("batch_matches", matches.to_arrow())
        connection.execute("INSERT INTO pattern_matches SELECT 1, doc, pattern_id, n FROM batch_matches")
        connection.unregister("batch_matches")
        spent["insert"] += cpu_seconds() - start
    connection.close()
    return spent


def baseline_seconds(path: Path) -> float:
    connection = duckdb.connect()
    connection.execute(BASELINE_SQL, [str(path)]).fetchall()  # the page cache
    start = time.perf_counter()
    connection.execute(BASELINE_SQL, [str(path)]).fetchall()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--distinct", action="store_true")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="freqscope-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    path = benchmark_corpus(workdir, args.rows, distinct=args.distinct)
    passes = [one_pass(path) for _ in range(args.repeat)]
    best = {stage: min(p[stage] for p in passes) for stage in STAGES}
    total = sum(best.values())
    per_million = 1e6 / args.rows
    scan = min(baseline_seconds(path) for _ in range(args.repeat))
    kind = "distinct" if args.distinct else "repeating"
    print(f"{args.rows:,} {kind} captions ({path.name}); CPU seconds per million captions, best of {args.repeat}")
    for stage in STAGES:
        print(f"  {stage:<12} {best[stage] * per_million:>7.3f}  {best[stage] / total:>6.1%}")
    print(f"  {'total':<12} {total * per_million:>7.3f}")
    print(f"bare DuckDB scan ({BASELINE_SQL.split(' FROM')[0]}): {scan * per_million:.3f} s wall per million")


if __name__ == "__main__":
    main()
