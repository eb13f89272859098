"""Streamed shards: every format but parquet is cut into shards of ``shard_rows`` documents as it is read, each
committed on its own; the tables equal those of the file read as one shard, and a killed run resumes to them."""
from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import polars as pl
import pytest

from freqscope.engines.local import LocalEngine
from freqscope.engines.shards import plan_shards, read_shard
from freqscope.errors import FreqscopeError
from freqscope.indexer import index
from freqscope.paths import CORPORA_DIR, REPO_ROOT
from freqscope.readers import SourceReader, lines

CC3M = CORPORA_DIR / "cc3m_validation" / "Validation_GCC-1.1.0-Validation.tsv"
COCO = CORPORA_DIR / "coco_captions_val2017" / "captions_val2017.json"
LISTS = ["cifar10", "imagenet1k"]

# Every indexed table, keyed by what a document is (file, doc) rather than by source_id, which differs with the
# shard size; and the sources themselves, added up per file.
DUMP_SQL = {
    "matches": "SELECT s.path, m.doc, m.doc_key, m.role, m.taxonomy, m.class_index, m.term_id, m.n "
               "FROM matches_all_terms m JOIN sources s USING (source_id)",
    "context_docs": "SELECT s.path, c.doc, c.taxonomy, c.class_index FROM context_docs c JOIN sources s USING (source_id)",
    "document_keys": "SELECT s.path, k.doc, k.doc_key FROM document_keys k JOIN sources s USING (source_id)",
    "exposure": "SELECT * FROM exposure",
    "exposure_tiers": "SELECT * FROM exposure_tiers",
    "corpus_sizes": "SELECT corpus, n_docs FROM corpus_sizes",
    "files": "SELECT path, sum(n_docs), sum(n_rows), sum(n_invalid_utf8), min(row_start), count(*) - count(row_end) "
             "FROM sources WHERE status = 'done' GROUP BY path",
    "corpora": "SELECT corpus, format, kind, text_column, rules FROM corpora",
}


def dump(db: Path) -> dict[str, list[str]]:
    with duckdb.connect(str(db), read_only=True) as connection:
        return {name: sorted(map(repr, connection.execute(sql).fetchall())) for name, sql in DUMP_SQL.items()}


def source_rows(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as connection:
        return connection.execute(
            "SELECT row_start, row_end, n_docs, status FROM sources ORDER BY path, row_start").fetchall()


def cc3m_captions(n: int | None = None) -> list[str]:
    captions = pl.read_csv(CC3M, separator="\t", has_header=False, quote_char=None)["column_1"].to_list()
    return captions[:n] if n else captions


def write_jsonl(path: Path, captions: list[str]) -> Path:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8") as handle:
        for i, caption in enumerate(captions):
            if i % 97 == 5:
                handle.write("\n")  # a blank line: not a record, so record numbers and line numbers part
            handle.write(json.dumps({"id": f"k{i}", "caption": caption}) + "\n")
    return path


def write_llava(path: Path, captions: list[str]) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for i, caption in enumerate(captions):
            turns = [] if i % 11 == 3 else [  # a sample without turns: a document of no rows
                {"from": "human", "value": "<image>\nWhat is in the picture? A dog or a cat?"},
                {"from": "gpt", "value": caption}]
            handle.write(json.dumps({"id": str(i), "conversations": turns}) + "\n")
    return path


def write_csv(path: Path, captions: list[str]) -> Path:
    frame = pl.DataFrame({"key": [f"r{i}" for i in range(len(captions))],
                          # a value over two lines: a CSV row is not a line
                          "caption": [c + "\nsecond line" if i % 13 == 0 else c for i, c in enumerate(captions)]})
    frame.write_csv(path)
    return path


def write_json_list(path: Path, captions: list[str]) -> Path:
    path.write_text(json.dumps([{"id": i, "text": caption} for i, caption in enumerate(captions)], indent=1))
    return path


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("streams")
    captions = cc3m_captions(3_000)
    text = folder / "captions.txt"
    text.write_text("\n".join(captions[:2_000]) + "\n\n" + "\n".join(captions[2_000:]) + "\n")
    return {
        "tsv": CC3M,
        "jsonl": write_jsonl(folder / "captions.jsonl", captions),
        "jsonl.gz": write_jsonl(folder / "captions.jsonl.gz", captions[:2_000]),
        "text": text,
        "llava": write_llava(folder / "llava.jsonl", [a["caption"] for a in json.loads(COCO.read_text())["annotations"]][:2_000]),
        "csv": write_csv(folder / "captions.csv", captions[:2_000]),
        "json": write_json_list(folder / "records.json", captions[:2_000]),
        "coco": COCO,
    }


# --- the readers: batches never span two shards --------------------------------------------------------------

@pytest.mark.parametrize("kind", ["tsv", "jsonl", "jsonl.gz", "text", "llava", "csv", "json", "coco"])
def test_batches_are_bounded_and_never_span_two_shards(corpora, kind):
    path = corpora[kind]
    whole = pl.concat(list(SourceReader(path, batch_rows=100_000).batches()))
    reader = SourceReader(path, batch_rows=50, shard_docs=37)
    frames = []
    for frame in reader.batches():
        frames.append(frame)
        # what memory holds follows the batch, not the file: a LLaVA sample's two turns stay together
        assert frame.height <= (50 + 1 if kind == "llava" else 50)
        if frame.height:
            assert frame["doc"].min() // 37 == frame["doc"].max() // 37, "a batch spans two shards"
    # the same documents, numbered as when the file is read whole
    assert pl.concat(frames).equals(whole)
    assert max(frame.height for frame in frames) > 37 // 2  # cut at shard ends, not into single rows


@pytest.mark.parametrize("kind", ["jsonl", "jsonl.gz", "llava"])
def test_json_lines_of_skipped_shards_are_counted_not_parsed(corpora, kind, monkeypatch):
    monkeypatch.setattr(lines, "_READ_BYTES", 4 * 1024)  # many blocks, some wholly in skipped shards
    path = corpora[kind]
    whole_reader = SourceReader(path)
    whole = pl.concat(list(whole_reader.batches()))
    skipped = (0, 370, 740, 1_110)
    parsed = []
    reader = SourceReader(path, batch_rows=100, shard_docs=370, skipped_shards=skipped)
    rows_of = type(reader._reader)._rows_of
    monkeypatch.setattr(type(reader._reader), "_rows_of",
                        lambda self, value, batch, offset: parsed.append(1) or rows_of(self, value, batch, offset))
    frames = list(reader.batches())
    assert reader.n_docs == whole_reader.n_docs  # every record counted, parsed or not
    assert len(parsed) < reader.n_docs - 3 * 370  # most of the skipped shards' records were only counted
    wanted = pl.concat(frames).filter(~(pl.col("doc") // 370 * 370).is_in(skipped))
    assert wanted.equals(whole.filter(~(pl.col("doc") // 370 * 370).is_in(skipped)))
    assert all(f["doc"].min() // 370 == f["doc"].max() // 370 for f in frames if f.height)


def test_read_shard_names_each_batch_by_its_shard_and_where_shards_and_the_file_end(corpora):
    (stream,) = plan_shards([SourceReader(corpora["jsonl"])], shard_rows=1_000)
    assert (stream.row_start, stream.row_end, stream.stream_rows, stream.n_docs_hint) == (0, None, 1_000, None)
    events = list(read_shard(stream, batch_rows=300))
    assert [(e.row_start, e.counters[0], e.ends_shard, e.ends_read) for e in events] == [
        (0, 300, False, False), (0, 300, False, False), (0, 300, False, False), (0, 100, True, False),
        (1_000, 300, False, False), (1_000, 300, False, False), (1_000, 300, False, False), (1_000, 100, True, False),
        (2_000, 300, False, False), (2_000, 300, False, False), (2_000, 300, False, False),
        (2_000, 100, True, True),  # the file ends with its third shard, whole
    ]
    skipping = list(read_shard(replace(stream, skipped=(0, 2_000)), batch_rows=300))
    assert {e.row_start for e in skipping} == {1_000}  # read past, not handed on
    assert skipping[-1].ends_shard and not skipping[-1].ends_read  # the file does not end in that shard
    (tail,) = plan_shards([SourceReader(corpora["jsonl"])], shard_rows=1_200)
    last = list(read_shard(tail, batch_rows=1_000))[-2:]
    assert [(e.row_start, e.counters[0], e.frame is None, e.ends_shard, e.ends_read) for e in last] == [
        (2_400, 600, False, False, False), (2_400, 0, True, True, True)]  # a shard cut short: closed by an empty batch


# --- index: the same tables whatever the shard size ------------------------------------------------------------

@pytest.mark.parametrize("kind", ["tsv", "jsonl", "jsonl.gz", "text", "llava", "csv", "json", "coco"])
def test_small_shards_give_the_tables_of_the_file_read_whole(corpora, tmp_path, kind):
    path = corpora[kind]
    whole, sharded = tmp_path / "whole.duckdb", tmp_path / "sharded.duckdb"
    index([path], db=whole, corpus="c", classes=LISTS)
    summary = index([path], db=sharded, corpus="c", classes=LISTS, shard_rows=400,
                    engine=LocalEngine(2, batch_rows=150))
    n_docs = summary.docs_read
    assert summary.shards_indexed == -(-n_docs // 400) > 4
    assert source_rows(whole) == [(0, None, n_docs, "done")]  # a file of fewer rows: one shard, as before
    rows = source_rows(sharded)
    assert [row[:2] for row in rows] == [(start, start + 400) for start in range(0, n_docs - 400, 400)] + [
        (rows[-1][0], None)]  # back to back from row 0; the last runs to the end of the file
    assert all(row[2] == 400 for row in rows[:-1]) and sum(row[2] for row in rows) == n_docs
    tables = dump(sharded)
    assert len(tables["matches"]) > 500
    assert tables == dump(whole)


def test_a_file_of_exactly_whole_shards_ends_with_one_to_the_end(tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl", cc3m_captions(1_200))
    db = tmp_path / "db.duckdb"
    index([corpus], db=db, classes=["cifar10"], shard_rows=400)
    assert [row[:3] for row in source_rows(db)] == [(0, 400, 400), (400, 800, 400), (800, None, 400)]
    again = index([corpus], db=db, classes=["cifar10"], shard_rows=400)
    assert (again.shards_indexed, again.shards_skipped) == (0, 3)


def test_another_shard_size_a_changed_file_and_a_list_added_later(tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl", cc3m_captions(2_000))
    db, clean = tmp_path / "db.duckdb", tmp_path / "clean.duckdb"
    index([corpus], db=db, corpus="c", classes=["cifar10"], shard_rows=300)
    # another shard size replaces the file's shards instead of adding to them
    resized = index([corpus], db=db, corpus="c", classes=["cifar10"], shard_rows=700)
    assert (resized.shards_indexed, resized.shards_skipped) == (3, 0)
    assert [row[:2] for row in source_rows(db)] == [(0, 700), (700, 1_400), (1_400, None)]
    index([corpus], db=clean, corpus="c", classes=["cifar10"])
    assert dump(db) == dump(clean)
    # a list added later: every shard matched again against both lists
    added = index([corpus], db=db, corpus="c", classes=["cifar100"], shard_rows=700)
    assert (added.shards_indexed, added.shards_skipped) == (3, 0)
    clean.unlink()
    index([corpus], db=clean, corpus="c", classes=["cifar10", "cifar100"])
    assert dump(db) == dump(clean)
    # an edited file (new fingerprint): its shards replaced
    write_jsonl(corpus, cc3m_captions(1_500))
    edited = index([corpus], db=db, corpus="c", classes=["cifar10", "cifar100"], shard_rows=700)
    assert (edited.shards_indexed, edited.docs_read) == (3, 1_500)
    clean.unlink()
    index([corpus], db=clean, corpus="c", classes=["cifar10", "cifar100"])
    assert dump(db) == dump(clean)


def test_a_database_of_whole_files_is_skipped_not_redone(tmp_path):
    """A file indexed as one shard (rows 0 to NULL, as before streamed shards) is done, whatever the size now."""
    corpus = write_jsonl(tmp_path / "c.jsonl", cc3m_captions(900))
    db = tmp_path / "db.duckdb"
    index([corpus], db=db, classes=["cifar10"], shard_rows=10_000)
    again = index([corpus], db=db, classes=["cifar10"], shard_rows=100)
    assert (again.shards_indexed, again.shards_skipped) == (0, 1)


# --- bad input mid-stream ---------------------------------------------------------------------------------------

def test_a_bad_record_mid_file_is_one_line_and_keeps_nothing_of_the_file(tmp_path):
    corpus = tmp_path / "c.jsonl"
    lines = [json.dumps({"text": caption}) for caption in cc3m_captions(1_000)]
    lines[640] = '{"text": "a dog", '  # line 641: cut short
    corpus.write_text("\n".join(lines) + "\n")
    db = tmp_path / "db.duckdb"
    with pytest.raises(FreqscopeError, match=r"c\.jsonl: line 641 is not valid JSON .*fix the file") as error:
        index([corpus], db=db, corpus="c", classes=["cifar10"], shard_rows=300)
    assert "\n" not in str(error.value)
    # its two shards before the bad line were committed, then deleted again (a corpus holds whole files), and
    # with nothing else kept the new database goes too
    assert not db.exists()
    lines[640] = json.dumps({"text": "a dog"})
    corpus.write_text("\n".join(lines) + "\n")
    index([corpus], db=db, corpus="c", classes=["cifar10"], shard_rows=300)
    clean = tmp_path / "clean.duckdb"
    index([corpus], db=clean, corpus="c", classes=["cifar10"])
    assert dump(db) == dump(clean)


def test_a_truncated_stream_is_one_line_and_keeps_nothing_of_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(lines, "_READ_BYTES", 16 * 1024)  # several reads to the file, as in a large one
    whole = write_jsonl(tmp_path / "whole.jsonl.gz", cc3m_captions(3_000))
    corpus = tmp_path / "c.jsonl.gz"
    data = whole.read_bytes()
    corpus.write_bytes(data[:len(data) * 2 // 3])
    db = tmp_path / "db.duckdb"
    with pytest.raises(FreqscopeError, match=r"c\.jsonl\.gz: read failed after [\d,]+ documents.*truncated") as error:
        index([corpus], db=db, corpus="c", classes=["cifar10"], shard_rows=500)
    assert "\n" not in str(error.value)
    assert not db.exists()  # the whole shards read before the cut were deleted again, and the new database


def test_a_bad_record_in_the_first_shard_leaves_no_database(tmp_path):
    corpus = tmp_path / "c.tsv"
    corpus.write_bytes(b"caption\n" + b"a dog\n" * 50 + b"\xff\xfe\x00broken\tcolumns\textra\n" + b"a cat\n" * 50)
    db = tmp_path / "db.duckdb"
    with pytest.raises(FreqscopeError, match=r"c\.tsv"):
        index([corpus], db=db, corpus="c", classes=["cifar10"], shard_rows=1_000)
    assert not db.exists()


# --- killed at a random moment, then run again: the tables of a clean run -------------------------------------

CHILD = """
import sys
from freqscope.engines.local import LocalEngine
from freqscope.indexer import ShardWriter, index

write = ShardWriter.write

def announced(self, job, batches):  # one line per shard committed, for the parent to kill at a moment it picks
    write(self, job, batches)
    print("committed", job.shard.row_start, flush=True)

ShardWriter.write = announced
index([sys.argv[1]], db=sys.argv[2], corpus="c", classes=["cifar10"], shard_rows=int(sys.argv[3]),
      engine=LocalEngine(2, batch_rows=int(sys.argv[4])))
"""
KILL_SHARD_ROWS, KILL_BATCH_ROWS = 1_500, 500


@pytest.fixture(scope="module")
def kill_corpora(tmp_path_factory, corpora) -> dict[str, tuple[Path, Path]]:
    """Each format's file, and the database of a clean run over it."""
    folder = tmp_path_factory.mktemp("kill")
    jsonl = write_jsonl(folder / "cc3m.jsonl", cc3m_captions())
    found = {}
    for kind, path in {"tsv": CC3M, "jsonl": jsonl}.items():
        clean = folder / f"{kind}-clean.duckdb"
        index([path], db=clean, corpus="c", classes=["cifar10"])
        found[kind] = (path, clean)
    return found


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("kind", ["tsv", "jsonl"])
def test_killed_at_a_random_moment_and_run_again_equals_a_clean_run(kill_corpora, tmp_path, kind, seed):
    path, clean = kill_corpora[kind]
    draw = random.Random(f"{kind}-{seed}")
    n_shards = -(-15_833 // KILL_SHARD_ROWS)
    committed_before_kill = draw.randrange(n_shards - 1)  # kill after this many shards, a moment into the next
    db = tmp_path / "db.duckdb"
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(db), str(KILL_SHARD_ROWS),
                              str(KILL_BATCH_ROWS)], stdout=subprocess.PIPE, text=True, env=env, cwd=REPO_ROOT)
    committed = 0
    while committed < committed_before_kill and child.stdout.readline():
        committed += 1
    time.sleep(draw.uniform(0, 0.05))  # a moment into the next shard (of at least two left)
    child.kill()  # SIGKILL: no handler runs
    child.wait(timeout=60)
    child.stdout.close()
    resumed = index([path], db=db, corpus="c", classes=["cifar10"], shard_rows=KILL_SHARD_ROWS)
    assert resumed.shards_skipped >= committed  # a kill loses at most the shard in flight
    assert resumed.shards_indexed >= 1  # (the kill came before the end)
    assert resumed.shards_skipped + resumed.shards_indexed == n_shards
    assert dump(db) == dump(clean)
