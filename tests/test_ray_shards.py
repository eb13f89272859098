"""The shard plan and row-range reading that both engines share (no Ray needed)."""
from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from freqscope.engines.shards import plan_shards, row_ranges
from freqscope.readers import SourceReader
from freqscope.readers.frames import empty_frame

from conftest import string_array_with_raw_bytes


def read(reader: SourceReader) -> pl.DataFrame:
    frames = list(reader.batches())
    return pl.concat(frames) if frames else empty_frame()


def test_row_groups_gather_into_ranges_of_at_least_shard_rows():
    assert row_ranges([5_000] * 10, 12_000) == [(0, 15_000), (15_000, 30_000), (30_000, 45_000), (45_000, 50_000)]
    assert row_ranges([5_000] * 10, 1_000_000) == [(0, 50_000)]
    assert row_ranges([7, 3, 10], 10) == [(0, 10), (10, 20)]
    assert row_ranges([], 10) == [(0, 0)]


@pytest.fixture
def three_row_groups(tmp_path) -> Path:
    """18 rows in row groups of 6: valid, invalid UTF-8 (Polars refuses it: pyarrow takes over), valid."""
    path = tmp_path / "p.parquet"
    bad = string_array_with_raw_bytes([b"sea \xff lion", None, b"ok", b"\xc3(", b"fine", b""])
    with pq.ParquetWriter(path, pa.schema([("TEXT", pa.string())])) as writer:
        writer.write_table(pa.table({"TEXT": pa.array(["a dog", None, "a cat"] * 2)}))
        writer.write_table(pa.table({"TEXT": bad}))
        writer.write_table(pa.table({"TEXT": pa.array([f"caption {i}" for i in range(12, 18)])}))
    return path


@pytest.mark.parametrize("row_start, row_end", [(0, 18), (0, 6), (6, 12), (12, 18), (3, 9), (7, 8), (13, 17), (5, 5)])
def test_a_row_range_reads_exactly_those_rows_with_file_doc_ids(three_row_groups, row_start, row_end):
    whole = read(SourceReader(three_row_groups, batch_rows=4))
    reader = SourceReader(three_row_groups, batch_rows=4, row_start=row_start, row_end=row_end)
    assert reader.total_docs() == row_end - row_start
    part = read(reader)
    assert part.to_dicts() == whole.slice(row_start, row_end - row_start).to_dicts()
    assert (reader.n_docs, reader.n_rows) == (row_end - row_start, row_end - row_start)
    assert reader.n_invalid_utf8 == len({6, 9} & set(range(row_start, row_end)))


def test_shards_of_a_file_add_up_to_the_file(three_row_groups):
    source = SourceReader(three_row_groups)
    assert source.row_group_rows() == [6, 6, 6]
    shards = plan_shards([source], shard_rows=10)
    assert [(s.row_start, s.row_end, s.n_docs_hint) for s in shards] == [(0, 12, 12), (12, 18, 6)]
    assert len({s.fingerprint for s in shards}) == 1 and shards[1].name.endswith("rows 12-18")
    parts = pl.concat([read(s.open(batch_rows=5)) for s in shards])
    assert parts.to_dicts() == read(SourceReader(three_row_groups)).to_dicts()


def test_a_small_or_non_parquet_file_is_one_whole_shard(tmp_path, three_row_groups):
    text = tmp_path / "captions.txt"
    text.write_text("a dog\na cat\n")
    shards = plan_shards([SourceReader(text), SourceReader(three_row_groups)], shard_rows=1_000)
    assert [(Path(s.path).name, s.row_start, s.row_end, s.n_docs_hint) for s in shards] == [
        ("captions.txt", 0, None, None), ("p.parquet", 0, None, 18)]
    with pytest.raises(ValueError, match="only parquet files can be read by row range"):
        SourceReader(text, row_start=1)
    with pytest.raises(ValueError, match="outside its 18 rows"):
        SourceReader(three_row_groups, row_start=10, row_end=19)


def test_the_matcher_and_its_memo_are_reused_for_the_same_lists_as_new_objects():
    """A Ray worker gets each task's class lists as new objects: its matcher (and memo) must carry over."""
    import copy
    import pickle

    from freqscope.terms.classes import load_class_list
    from freqscope.engines.shards import matcher_for, release_matcher
    from freqscope.matcher import MatchRules

    lists = (load_class_list("cifar10"), load_class_list("stl10"))
    try:
        first = matcher_for(lists, MatchRules())
        first.locate(["a dog on a sofa"])
        assert matcher_for(pickle.loads(pickle.dumps(lists)), MatchRules()) is first
        assert matcher_for(lists, MatchRules()) is first
        changed = copy.deepcopy(lists)
        changed[0].terms.pop()
        assert matcher_for(changed, MatchRules()) is not first
        assert matcher_for(lists, MatchRules(plurals=False)) is not first
    finally:
        release_matcher()
