#!/usr/bin/env python3
"""Where indexing spends its time, stage by stage, on the benchmark corpus (distinct or repeating captions).

    python benchmarks/bench_stages.py [--rows 1000000] [--distinct] [--workdir DIR] [--repeat 3]

Builds the corpus with ../shared/bench/make_corpus.py (``--distinct``: spliced captions, ~95% unique), then,
in one thread, batch by batch (500,000 rows, every built-in list, the memo always used): reading the batch
(Polars' parquet reader), numbering its texts in the memo (``TextMemo.assign``), searching the new ones (the C
scan, with the context words of the texts that hold a context term, and the Polars normalisation of texts not
in ASCII), ``tally`` (context terms settled there), gathering matches per row (``expand`` and the frame),
per-class counts and the documents where a context term counted, and inserting the matches into DuckDB as the
writer does. Each stage's CPU seconds per million captions (the process's, so the threads a stage starts count
too) and its share of the total; best of --repeat passes. Then the rates of what the local engine runs in one
thread each, reading and the writer (``index()`` of matches computed beforehand), which bound it however many
threads match; a bare DuckDB scan of the same column in the same run is the yardstick.
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import ReplayEngine, benchmark_corpus  # noqa: E402
from freqscope import phrases, readers  # noqa: E402
from freqscope.engines.shards import (  # noqa: E402
    BATCH_ROWS, caption_counts, context_documents, matcher_for, plan_shards, shard_result)
from freqscope.indexer import index, load_class_lists  # noqa: E402
from freqscope.matcher import Located, MatchRules  # noqa: E402

BASELINE_SQL = "SELECT count(*), sum(length(lower(TEXT))) FROM read_parquet(?)"
STAGES = ("read", "memo", "search", "tally", "occurrences", "counts", "insert")
# What the local engine runs in parallel (--workers threads); reading and writing are one thread each.
MATCHING = ("memo", "search", "tally", "occurrences", "counts")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one_pass(path: Path) -> tuple[dict[str, float], float]:
    """CPU seconds of each stage over the whole corpus, and the wall seconds of reading."""
    matcher = matcher_for(tuple(load_class_lists(None)), MatchRules())
    seen = matcher.new_memo()
    connection = duckdb.connect()
    connection.execute("CREATE TABLE pattern_matches (source_id INTEGER, doc BIGINT, pattern_id UINTEGER, n UINTEGER)")
    spent = dict.fromkeys(STAGES, 0.0)
    read_wall = 0.0
    batches = readers.SourceReader(path, batch_rows=BATCH_ROWS).batches()
    while True:
        start, wall = cpu_seconds(), time.perf_counter()
        batch = next(batches, None)
        spent["read"] += cpu_seconds() - start
        read_wall += time.perf_counter() - wall
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
        searched = matcher._search(texts, views, new_rows)
        spent["search"] += cpu_seconds() - start
        start = cpu_seconds()
        seen.found = seen.found.extended(matcher._tallied(len(new_rows), *searched))
        located = Located(numbers, seen.found)
        spent["tally"] += cpu_seconds() - start
        start = cpu_seconds()
        occurrences = located.occurrences()
        matches = occurrences.select(batch["doc"].gather(occurrences["row"]), "pattern_id", "n")
        spent["occurrences"] += cpu_seconds() - start
        start = cpu_seconds()
        caption_counts(located, matcher)
        context_documents(located, batch["doc"], matcher)
        spent["counts"] += cpu_seconds() - start
        start = cpu_seconds()
        connection.register("batch_matches", matches.to_arrow())
        connection.execute("INSERT INTO pattern_matches SELECT 1, doc, pattern_id, n FROM batch_matches")
        connection.unregister("batch_matches")
        spent["insert"] += cpu_seconds() - start
    connection.close()
    return spent, read_wall


def writer_seconds(path: Path, workdir: Path) -> float:
    """Wall seconds of index() writing matches computed beforehand (the one writer alone, with planning,
    fingerprinting, storing the lists and the summary) into a fresh database."""
    lists, rules = load_class_lists(None), MatchRules()
    shards = plan_shards([readers.SourceReader(path)])
    results = {shard.row_start: shard_result(shard, lists, rules) for shard in shards}
    db = workdir / "stages_writer.duckdb"
    db.unlink(missing_ok=True)
    start = time.perf_counter()
    index([path], db=db, corpus="bench", engine=ReplayEngine(results))
    seconds = time.perf_counter() - start
    db.unlink(missing_ok=True)
    return seconds


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
    best = {stage: min(p[stage] for p, _ in passes) for stage in STAGES}
    read_wall = min(wall for _, wall in passes)
    write_wall = min(writer_seconds(path, workdir) for _ in range(args.repeat))
    total = sum(best.values())
    per_million = 1e6 / args.rows
    scan = min(baseline_seconds(path) for _ in range(args.repeat))
    kind = "distinct" if args.distinct else "repeating"
    print(f"{args.rows:,} {kind} captions ({path.name}); CPU seconds per million captions, best of {args.repeat}")
    for stage in STAGES:
        print(f"  {stage:<12} {best[stage] * per_million:>7.3f}  {best[stage] / total:>6.1%}")
    print(f"  {'total':<12} {total * per_million:>7.3f}")
    matching = sum(best[stage] for stage in MATCHING)
    print(f"matching (parallel in the local engine): {matching * per_million:.3f} CPU s per million = "
          f"{args.rows / matching:,.0f} captions/s per core")
    print(f"  without the memo (the engine leaves it out on nearly all new captions): "
          f"{(matching - best['memo']) * per_million:.3f} CPU s per million = "
          f"{args.rows / (matching - best['memo']):,.0f} captions/s per core")
    print(f"reading (one thread; Polars decodes on its own threads): {args.rows / read_wall:,.0f} captions/s")
    print(f"the one writer (index() of matches computed beforehand, all included): {args.rows / write_wall:,.0f} "
          "captions/s")
    print(f"bare DuckDB scan ({BASELINE_SQL.split(' FROM')[0]}): {scan * per_million:.3f} s wall per million")


if __name__ == "__main__":
    main()
