"""Corpus files named by URI, read through pyarrow's filesystems.

No object store is reachable here, so ``file://`` URIs stand in for ``s3://``/``gs://``: they take the same
path through the code (listing with FileSelector, pyarrow reading, size-and-mtime fingerprints, URIs stored
and sent to Ray workers as given). Only the S3 error path is exercised against a closed local port.
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from freqscope.audit import audit
from freqscope.errors import FreqscopeError
from freqscope.indexer import default_corpus_name, index
from freqscope.paths import CORPORA_DIR, REPO_ROOT
from freqscope.readers import SourceReader, expand_paths

COCO = CORPORA_DIR / "coco_captions_val2017" / "captions_val2017.json"
CC3M = CORPORA_DIR / "cc3m_validation" / "Validation_GCC-1.1.0-Validation.tsv"
LAION = CORPORA_DIR / "laion_sample" / "test_10000.parquet"
LISTS = ["cifar10", "cifar100", "imagenet1k"]

# What indexing found, without what names a file (its path or URI, its fingerprint): equal for a file read
# by path and by URI. Shards are keyed by their rows.
FOUND_SQL = {
    "sources": "SELECT row_start, row_end, bytes, status, n_docs, n_rows, n_invalid_utf8 FROM sources",
    "matches": "SELECT s.row_start, m.doc, m.doc_key, m.role, m.taxonomy, m.class_index, m.term_id, m.n "
               "FROM matches m JOIN sources s USING (source_id)",
    "source_counts": "SELECT s.row_start, c.* EXCLUDE (source_id) FROM source_counts c JOIN sources s USING (source_id)",
    "exposure": "SELECT corpus, taxonomy, class_index, docs, mentions, docs_human, mentions_human, docs_gpt, "
                "mentions_gpt FROM exposure",
}


def found(db: Path) -> dict[str, list]:
    with duckdb.connect(str(db), read_only=True) as connection:
        return {name: sorted(map(repr, connection.execute(sql).fetchall())) for name, sql in FOUND_SQL.items()}


def stored_sources(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as connection:
        return connection.execute("SELECT path, row_start, fingerprint, status FROM sources ORDER BY path, row_start").fetchall()


def uri(path: Path) -> str:
    return path.resolve().as_uri()


def coco_captions() -> list[str]:
    return [a["caption"] for a in json.loads(COCO.read_text())["annotations"]]


def write_row_groups(path: Path, rows: int = 20_000, row_group: int = 2_500, invalid_every: int = 997) -> None:
    """COCO captions in a binary text column of several row groups, a few of them with invalid UTF-8."""
    captions = coco_captions()
    texts = [captions[i % len(captions)].encode() + (b" \xff\xfe" if i % invalid_every == 0 else b"")
             for i in range(rows)]
    pq.write_table(pa.table({"URL": [f"u{i}" for i in range(rows)], "TEXT": pa.array(texts, pa.binary())}), path,
                   row_group_size=row_group)


@pytest.fixture(scope="module")
def sharded(tmp_path_factory) -> Path:
    """A folder of parquet shards as a dataset ships them: data beside notes, a subfolder, a hidden file."""
    root = tmp_path_factory.mktemp("laion") / "laion 2b"  # a space: quoted in the URI
    (root / "extra").mkdir(parents=True)
    table = pq.read_table(LAION)
    for i, part in enumerate((table.slice(0, 4_000), table.slice(4_000, 4_000))):
        pq.write_table(part, root / f"part-{i}.parquet", row_group_size=1_000)
    pq.write_table(table.slice(8_000), root / "extra" / "part-2.parquet")
    shutil.copy(root / "part-0.parquet", root / ".part-3.parquet")
    (root / "README.txt").write_text("not a corpus")
    return root


# --- reading -----------------------------------------------------------------------------------------------

def test_a_parquet_file_read_by_uri_gives_the_same_documents(tmp_path):
    corpus = tmp_path / "big.parquet"
    write_row_groups(corpus)
    by_path, by_uri = SourceReader(corpus, batch_rows=3_000), SourceReader(uri(corpus), batch_rows=3_000)
    assert by_uri.path == uri(corpus) and by_uri.format == "parquet" and by_uri.text_column == "TEXT"
    assert by_uri.row_group_rows() == by_path.row_group_rows() == [2_500] * 8
    read = [list(reader.batches()) for reader in (by_path, by_uri)]
    assert [r for batch in read[1] for r in batch.rows()] == [r for batch in read[0] for r in batch.rows()]
    assert (by_uri.n_docs, by_uri.n_invalid_utf8) == (by_path.n_docs, by_path.n_invalid_utf8) == (20_000, 21)
    # A row range (a shard) inside row groups, and documents picked out again (audit).
    part = SourceReader(uri(corpus), row_start=5_000, row_end=12_500)
    rows = [r for batch in part.batches() for r in batch.rows()]
    assert rows == [r for batch in read[0] for r in batch.rows()][5_000:12_500]
    assert part.read_docs([0, 12_345]).rows() == SourceReader(corpus).read_docs([0, 12_345]).rows()


@pytest.mark.parametrize("name, write", [
    ("captions.jsonl.gz", lambda path, texts: path.write_bytes(
        gzip.compress("".join(json.dumps({"id": i, "caption": t}) + "\n" for i, t in enumerate(texts)).encode()))),
    ("captions.tsv", lambda path, texts: path.write_text("".join(f"{t}\thttp://x/{i}\n" for i, t in enumerate(texts)))),
], ids=["jsonl.gz", "tsv"])
def test_other_formats_are_read_by_uri_through_the_filesystem(tmp_path, name, write):
    path = tmp_path / name
    write(path, [t.replace("\t", " ").replace("\n", " ") for t in coco_captions()[:5_000]])
    by_path, by_uri = SourceReader(path), SourceReader(uri(path))
    assert by_uri.format == by_path.format
    assert [r for b in by_uri.batches() for r in b.rows()] == [r for b in by_path.batches() for r in b.rows()]
    assert by_uri.n_docs == 5_000


def test_folder_and_glob_uris_expand_like_local_paths(sharded):
    base = uri(sharded)
    assert "%20" in base
    everything = [f"{base}/extra/part-2.parquet", f"{base}/part-0.parquet", f"{base}/part-1.parquet"]
    assert expand_paths([base]) == expand_paths([base + "/"]) == everything  # no README, no hidden file
    assert expand_paths([base + "/part-*.parquet"]) == everything[1:]  # * stays within a folder
    assert expand_paths([base + "/**/part-*.parquet"]) == everything
    assert expand_paths([base + "/*/part-[0-9].parquet"]) == everything[:1]
    assert expand_paths([base + "/.part-*.parquet"]) == [f"{base}/.part-3.parquet"]
    # Duplicates go; a URI names the same objects as the local glob; local files come first.
    assert expand_paths([everything[1], base + "/part-*.parquet"]) == everything[1:]
    assert [Path(p.removeprefix("file://").replace("%20", " ")) for p in everything[1:]] == \
        expand_paths([sharded / "part-*.parquet"])
    assert expand_paths([base + "/part-0.parquet", sharded / "part-1.parquet"]) == \
        [(sharded / "part-1.parquet").resolve(), f"{base}/part-0.parquet"]
    assert default_corpus_name([base + "/part-*.parquet"]) == default_corpus_name([base]) == "laion 2b"
    assert default_corpus_name(["s3://bucket/laion/part-0.parquet?region=eu-west-1"]) == "part-0"


# --- indexing ----------------------------------------------------------------------------------------------

def test_index_by_uri_finds_what_the_path_finds(tmp_path):
    corpus = tmp_path / "big.parquet"
    write_row_groups(corpus)
    by_path, by_uri = tmp_path / "path.duckdb", tmp_path / "uri.duckdb"
    index([corpus], db=by_path, corpus="c", classes=LISTS, shard_rows=5_000)
    summary = index([uri(corpus)], db=by_uri, corpus="c", classes=LISTS, shard_rows=5_000)
    assert summary.shards_indexed == 4 and summary.invalid_utf8 == 21
    assert found(by_uri) == found(by_path)
    assert len(found(by_uri)["matches"]) > 1_000
    size, mtime = corpus.stat().st_size, corpus.stat().st_mtime_ns
    assert {row[0] for row in stored_sources(by_uri)} == {uri(corpus)}
    assert {row[2] for row in stored_sources(by_uri)} == {f"size={size} mtime_ns={mtime}"}


def test_index_a_folder_uri_of_the_laion_sample(tmp_path, sharded):
    by_path, by_uri = tmp_path / "path.duckdb", tmp_path / "uri.duckdb"
    index([sharded], db=by_path, corpus="laion", classes=LISTS, shard_rows=2_000)
    summary = index([uri(sharded)], db=by_uri, corpus="laion", classes=LISTS, shard_rows=2_000)
    assert summary.docs_read == 10_000 and summary.shards_indexed == 5
    assert found(by_uri) == found(by_path)


def test_a_rerun_skips_and_a_changed_object_is_redone(tmp_path):
    corpus = tmp_path / "big.parquet"
    write_row_groups(corpus, rows=10_000)
    db = tmp_path / "db.duckdb"
    index([uri(corpus)], db=db, corpus="c", classes=LISTS, shard_rows=5_000)
    first = stored_sources(db)
    again = index([uri(corpus)], db=db, corpus="c", classes=LISTS, shard_rows=5_000)
    assert (again.shards_indexed, again.shards_skipped) == (0, 2)
    assert stored_sources(db) == first

    stat = corpus.stat()  # the same bytes, touched: a new modification time
    os.utime(corpus, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    touched = index([uri(corpus)], db=db, corpus="c", classes=LISTS, shard_rows=5_000)
    assert (touched.shards_indexed, touched.shards_skipped) == (2, 0)
    assert [row[2] for row in stored_sources(db)] != [row[2] for row in first]

    write_row_groups(corpus, rows=7_500)  # other contents, another size
    changed = index([uri(corpus)], db=db, corpus="c", classes=LISTS, shard_rows=5_000)
    fresh = tmp_path / "fresh.duckdb"
    index([corpus], db=fresh, corpus="c", classes=LISTS, shard_rows=5_000)
    assert changed.shards_indexed == 2 and changed.docs_read == 7_500
    assert found(db) == found(fresh)  # the old rows went with the old object


def test_audit_reads_the_documents_back_from_the_uri(tmp_path):
    db = tmp_path / "db.duckdb"
    index([uri(LAION)], db=db, corpus="laion", classes=["cifar10"])
    with duckdb.connect(str(db), read_only=True) as connection:
        sample = audit(connection, "dog", taxonomy="cifar10", n=5, seed=0)
    assert len(sample.documents) == 5
    assert all("dog" in document.text.lower() for document in sample.documents)


# --- the Ray engine: workers open the URI themselves ----------------------------------------------------

def test_ray_engine_on_a_uri_equals_the_local_engine(ray_cluster, tmp_path, sharded):
    local, on_ray = tmp_path / "local.duckdb", tmp_path / "ray.duckdb"
    index([uri(sharded)], db=local, corpus="laion", classes=LISTS, shard_rows=2_000)
    summary = index([uri(sharded)], db=on_ray, corpus="laion", classes=LISTS, shard_rows=2_000, engine="ray")
    assert summary.engine == "ray" and summary.shards_indexed == 5
    assert found(on_ray) == found(local)
    assert stored_sources(on_ray) == stored_sources(local)
    assert all(path.startswith("file://") for path, *_ in stored_sources(on_ray))


# --- errors: one line naming the URI -------------------------------------------------------------------

def run_cli(*args: str) -> tuple[int, str]:
    result = subprocess.run([sys.executable, "-m", "freqscope", *args], cwd=REPO_ROOT, capture_output=True, text=True)
    return result.returncode, result.stderr.strip()


@pytest.mark.parametrize("target, expected", [
    ("file:///nowhere/part-0.parquet", "no such object: file:///nowhere/part-0.parquet"),
    ("GLOB", "matches no object"),
    ("http://example.com/part-0.parquet", "http:// URIs are not read by pyarrow's filesystems"),
], ids=["missing", "glob", "scheme"])
def test_bad_uris_give_one_line(tmp_path, sharded, target, expected):
    target = uri(sharded) + "/part-9*.parquet" if target == "GLOB" else target
    code, stderr = run_cli("index", target, "--db", str(tmp_path / "db.duckdb"), "--corpus", "c", "--classes", "cifar10")
    assert code == 1 and "Traceback" not in stderr
    assert len(stderr.splitlines()) == 1 and stderr.startswith("error:"), stderr
    assert expected in stderr


def test_an_object_gone_before_a_worker_reads_it_names_the_uri(tmp_path):
    corpus = tmp_path / "gone.parquet"
    write_row_groups(corpus, rows=1_000)
    reader = SourceReader(uri(corpus))
    corpus.unlink()
    with pytest.raises(FreqscopeError, match=r"^no such object: file://.*gone\.parquet; check the URI"):
        SourceReader(reader.path)


def test_an_unreachable_object_store_names_the_uri_and_the_credentials(monkeypatch):
    # Nothing listens on port 9; credentials in the environment keep the SDK from looking for others.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    target = "s3://bucket/laion/part-0.parquet?region=us-east-1&endpoint_override=127.0.0.1:9&scheme=http"
    with pytest.raises(FreqscopeError) as error:
        expand_paths([target])
    message = str(error.value)
    assert message.startswith(f"cannot reach {target}: ") and "AWS_ACCESS_KEY_ID" in message
    assert "\n" not in message
