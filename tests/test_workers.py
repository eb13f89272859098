"""The local engine's workers: batches matched by several threads at once give the same database as one."""
from __future__ import annotations

import subprocess
import sys
import threading

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import freqscope
import freqscope.engines.local as local
from freqscope.engines.local import LocalEngine
from freqscope.errors import FreqscopeError
from freqscope.indexer import index
from freqscope.paths import CORPORA_DIR, REPO_ROOT

CC3M = CORPORA_DIR / "cc3m_validation" / "Validation_GCC-1.1.0-Validation.tsv"
LAION = CORPORA_DIR / "laion_sample" / "test_10000.parquet"
LISTS = ["cifar10", "cifar100", "imagenet1k", "food101"]
BATCH_ROWS = 1_500


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[str]:
    """Two parquet files of small row groups (several shards of several batches each, captions repeated across
    batches and shards, some not in ASCII) and a TSV (streamed: several shards of several batches)."""
    folder = tmp_path_factory.mktemp("corpus")
    laion = pq.read_table(LAION, columns=["TEXT"])
    pq.write_table(laion, folder / "laion.parquet", row_group_size=1_000)
    captions = pl.read_csv(CC3M, separator="\t", has_header=False, quote_char=None)["column_1"].head(4_000)
    repeated = pl.concat([captions, captions.reverse(), pl.Series(["Un café au lait — a cat on a sofa"] * 500)])
    pq.write_table(pa.table({"caption": repeated.to_arrow()}), folder / "repeated.parquet", row_group_size=700)
    tsv = folder / "cc3m.tsv"
    tsv.write_bytes(CC3M.read_bytes())
    return [str(folder / "laion.parquet"), str(folder / "repeated.parquet"), str(tsv)]


def database_rows(db) -> dict[str, list[tuple]]:
    """Every table's rows, in one order, without the times of writing."""
    with duckdb.connect(str(db), read_only=True) as connection:
        tables = [name for (name,) in connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1").fetchall()]
        dump = {}
        for table in tables:
            columns = [name for name, kind in connection.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
                "ORDER BY ordinal_position", [table]).fetchall() if not kind.startswith("TIMESTAMP")]
            dump[table] = connection.execute(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY ALL").fetchall()
    return dump


def test_every_number_of_workers_writes_the_same_tables_row_for_row(tmp_path, corpus):
    dumps = {}
    for workers in (1, 2, 3):
        db = tmp_path / f"workers{workers}.duckdb"
        summary = index(corpus, db=db, corpus="mixed", classes=LISTS, shard_rows=3_000,
                        engine=LocalEngine(workers, batch_rows=BATCH_ROWS))
        assert summary.shards_indexed > 5
        dumps[workers] = database_rows(db)
    assert len(dumps[1]["pattern_matches"]) > 10_000 and len(dumps[1]["source_counts"]) > 100
    assert dumps[2] == dumps[1]
    assert dumps[3] == dumps[1]


def test_batches_are_matched_by_several_threads(tmp_path, corpus, monkeypatch):
    threads = set()
    match_batch = local.match_batch

    def recording(*args, **kwargs):
        threads.add(threading.current_thread().name)
        return match_batch(*args, **kwargs)

    monkeypatch.setattr(local, "match_batch", recording)
    index(corpus, db=tmp_path / "a.duckdb", corpus="mixed", classes=["cifar10"],
          engine=LocalEngine(3, batch_rows=BATCH_ROWS))
    assert len(threads) == 3
    threads.clear()
    index(corpus, db=tmp_path / "b.duckdb", corpus="mixed", classes=["cifar10"],
          engine=LocalEngine(1, batch_rows=BATCH_ROWS))
    assert len(threads) == 1


def test_the_api_takes_workers_and_defaults_to_every_core(tmp_path, corpus, monkeypatch):
    one = tmp_path / "one.duckdb"
    freqscope.index(corpus, db=one, corpus="mixed", classes=["cifar10"], workers=1, shard_rows=3_000)
    two = tmp_path / "two.duckdb"
    freqscope.index(corpus, db=two, corpus="mixed", classes=["cifar10"], workers=2, shard_rows=3_000)
    assert database_rows(one) == database_rows(two)
    monkeypatch.setattr(local, "default_workers", lambda: 5)
    assert LocalEngine().workers == 5 and LocalEngine(2).workers == 2


def test_a_failing_batch_stops_the_run_and_every_thread(tmp_path, corpus, monkeypatch):
    calls = []
    match_batch = local.match_batch

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 14:  # in laion's second shard: the TSV (first) is 11 batches in 6 shards, the next 2
            raise FreqscopeError("matching failed")
        return match_batch(*args, **kwargs)

    monkeypatch.setattr(local, "match_batch", failing)
    db = tmp_path / "f.duckdb"
    with pytest.raises(FreqscopeError, match="matching failed.*kept in corpus 'mixed': the 6 shard"):
        index(corpus, db=db, corpus="mixed", classes=["cifar10"], shard_rows=3_000,
              engine=LocalEngine(2, batch_rows=BATCH_ROWS))
    assert not any(thread.name.startswith(("freqscope-read", "freqscope-match")) for thread in threading.enumerate())
    # the files before the failing batch's, whole; none of its file (its first shard was written, and removed)
    with duckdb.connect(str(db), read_only=True) as connection:
        done = connection.execute("SELECT count(*), sum(n_docs) FROM sources WHERE status = 'done'").fetchall()[0]
    assert done == (6, 15_833)


def test_workers_below_one_are_refused_in_one_line(tmp_path, corpus):
    with pytest.raises(FreqscopeError, match="--workers 0: give at least 1"):
        index(corpus, db=tmp_path / "x.duckdb", corpus="mixed", workers=0)
    result = subprocess.run([sys.executable, "-m", "freqscope", "index", corpus[0], "--workers", "0",
                             "--db", str(tmp_path / "y.duckdb")], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode != 0 and "--workers" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.duckdb").exists() and not (tmp_path / "y.duckdb").exists()
