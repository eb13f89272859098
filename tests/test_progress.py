"""The index's progress: one bar for the run, its total where the shards' sizes are known, within 80 columns."""
from __future__ import annotations

from io import StringIO

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from rich.console import Console

import freqscope.indexer as indexer_module
from freqscope.indexer import index
from freqscope.progress import Progress, clock, compact
from freqscope.paths import CORPORA_DIR

CC3M = CORPORA_DIR / "cc3m_validation" / "Validation_GCC-1.1.0-Validation.tsv"


@pytest.fixture
def bars(monkeypatch) -> list[Progress]:
    """The Progress of each index run, drawn on an 80-column terminal of its own."""
    made = []

    class Recorded(Progress):
        def __init__(self, **options) -> None:
            super().__init__(console=Console(file=StringIO(), width=80, force_terminal=True), **options)
            made.append(self)

    monkeypatch.setattr(indexer_module, "Progress", Recorded)
    return made


def parts(folder, sizes: list[int]):
    folder.mkdir()
    captions = CC3M.read_text(encoding="utf-8").splitlines()
    start = 0
    for number, size in enumerate(sizes):
        text = [line.split("\t")[0] for line in captions[start:start + size]]
        pq.write_table(pa.table({"TEXT": text}), folder / f"part-{number}.parquet")
        start += size
    return folder


def final_line(progress: Progress) -> str:
    """The bar as it stands, drawn on 80 columns."""
    screen = Console(file=StringIO(), width=80, record=True)
    screen.print(progress._progress.make_tasks_table(progress._progress.tasks))
    return screen.export_text()


def test_one_bar_for_the_run_with_the_total_of_its_shards(tmp_path, bars):
    corpus = parts(tmp_path / "corpus", [3_000, 2_000, 1_000])
    index([corpus], db=tmp_path / "db.duckdb", classes=["cifar10"], quiet=False)
    (progress,) = bars
    (task,) = progress._progress.tasks
    assert (task.total, task.completed) == (6_000, 6_000)
    assert task.description == "3/3 part-2.parquet"
    assert task.finished_speed > 0
    line = final_line(progress)
    assert line.rstrip("\n").count("\n") == 0 and len(line.rstrip("\n")) <= 80
    assert "3/3 part-2.parquet" in line and "6.0k/6.0k" in line and "k docs/s" in line and "…" not in line


def test_a_file_of_unknown_size_gets_its_total_at_the_end_and_keeps_its_rate(tmp_path, bars):
    index([CC3M], db=tmp_path / "db.duckdb", classes=["cifar10"], quiet=False)
    (task,) = bars[0]._progress.tasks
    assert (task.total, task.completed) == (15_833, 15_833)
    assert task.description == CC3M.name and task.finished_speed > 0
    assert "15.8k/15.8k" in final_line(bars[0]) and "– docs/s" not in final_line(bars[0])


def test_a_long_shard_name_is_cut_short_after_its_position(tmp_path, bars):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    name = "laion2B-en-part-00001-of-00128-with-a-long-name.parquet"
    for number in range(2):
        pq.write_table(pa.table({"TEXT": ["a dog", "a cat"]}), corpus / f"{number}-{name}")
    index([corpus], db=tmp_path / "db.duckdb", classes=["cifar10"], quiet=False)
    line = final_line(bars[0])
    assert len(line.rstrip("\n")) <= 80 and "2/2 1-laion2B" in line and "…" in line and "docs/s" in line


def test_skipped_shards_are_named_each_or_counted_on_one_line(tmp_path, bars, monkeypatch):
    monkeypatch.setattr(indexer_module, "SKIPPED_NAMED", 2)
    db = tmp_path / "db.duckdb"
    few, many = parts(tmp_path / "few", [100, 100]), parts(tmp_path / "many", [100, 100, 100])
    for corpus in (few, many, few, many):
        index([corpus], db=db, classes=["cifar10"], quiet=False)
    again_few, again_many = (" ".join(progress.console.file.getvalue().split()) for progress in bars[2:])
    assert again_few.count("skipped part-") == 2 and "already indexed" in again_few
    assert "skipped 3 shards already indexed for these class lists (part-0.parquet, part-1.parquet, ...)" in again_many
    assert all(progress._progress.tasks == [] for progress in bars[2:])  # no bar when there is nothing to do


def test_compact_counts_and_clock():
    assert [compact(n) for n in (950, 12_345, 4_500_000, 2_300_000_000)] == ["950", "12.3k", "4.5M", "2.3G"]
    assert [clock(s) for s in (None, 5.9, 65, 3_725)] == ["-:--", "0:05", "1:05", "1:02:05"]
