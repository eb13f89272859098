"""What the benchmarks share: the benchmark corpus and best-of-N timing."""
from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parent.parent
MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"
REPEATS = 3


def make_corpus(path: Path, rows: int, *, seed: int = 0, row_group: int = 100_000) -> None:
    """The benchmark corpus of the issues: ``rows`` real captions in LAION layout (../shared/bench)."""
    subprocess.run([sys.executable, str(MAKE_CORPUS), str(path), "--rows", str(rows), "--seed", str(seed),
                    "--row-group", str(row_group)], check=True, stdout=subprocess.DEVNULL)


def benchmark_corpus(workdir: Path, rows: int, *, distinct: bool = False) -> Path:
    """The benchmark corpus of ``rows`` captions in ``workdir``, built once. ``distinct`` appends " #ROW" to
    every caption (digits match no class): each is then new to the matcher's memo of seen captions, as in a
    web corpus with few repeats; streamed row group by row group, so 10M rows need little memory."""
    drawn = workdir / f"bench_{rows}.parquet"
    if not drawn.exists():
        make_corpus(drawn, rows)
    if not distinct:
        return drawn
    path = workdir / f"bench_distinct_{rows}.parquet"
    if path.exists():
        return path
    source = pq.ParquetFile(drawn)
    with pq.ParquetWriter(path, source.schema_arrow) as writer:
        start = 0
        for group in range(source.num_row_groups):
            table = source.read_row_group(group)
            suffix = pc.cast(pa.array(range(start, start + table.num_rows)), pa.string())
            text = pc.binary_join_element_wise(table.column("TEXT"), suffix, " #")
            writer.write_table(table.set_column(table.schema.get_field_index("TEXT"), "TEXT", text))
            start += table.num_rows
    return path


def best_seconds(run: Callable[[], object], repeats: int = REPEATS) -> float:
    """The fastest of ``repeats`` runs: the least disturbed by the rest of a shared machine."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best
