"""The Ray engines in Ray's local mode: the same tables as the local engine, retries, failures and resume.

One local Ray instance serves the whole module (starting one takes seconds); every test that needs it takes
the ``ray_cluster`` fixture, so the tests that need no Ray run where it is not installed.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from freqscope.engines.ray_index import RayEngine
from freqscope.engines.ray_runtime import require_ray
from freqscope.errors import FreqscopeError
from freqscope.indexer import ShardsFailed, index
from freqscope.paths import CORPORA_DIR
from conftest import SHARED_CORPORA, require_shared
from tests.ray_helpers import FAIL_ALWAYS, FAIL_ONCE, flaky_shard_result

COCO = CORPORA_DIR / "coco_captions_val2017" / "captions_val2017.json"
CC3M = CORPORA_DIR / "cc3m_validation" / "Validation_GCC-1.1.0-Validation.tsv"
LAION = CORPORA_DIR / "laion_sample" / "test_10000.parquet"
LLAVA = SHARED_CORPORA / "llava_samples" / "scienceqa_llava_format.json"
LISTS = ["cifar10", "cifar100", "imagenet1k"]

# Every indexed table, keyed by what a shard is (path, row_start) rather than by source_id, which follows the
# order shards complete in.
DUMP_SQL = {
    "sources": "SELECT corpus, path, row_start, row_end, bytes, fingerprint, status, n_docs, n_rows, n_invalid_utf8, "
               "error FROM sources",
    "matches": "SELECT s.path, s.row_start, m.doc, m.doc_key, m.role, m.taxonomy, m.class_index, m.term_id, m.n "
               "FROM matches m JOIN sources s USING (source_id)",
    "source_counts": "SELECT s.path, s.row_start, c.* EXCLUDE (source_id) FROM source_counts c JOIN sources s USING (source_id)",
    "source_taxonomies": "SELECT s.path, s.row_start, t.taxonomy, t.taxonomy_fingerprint "
                         "FROM source_taxonomies t JOIN sources s USING (source_id)",
    "exposure": "SELECT corpus, taxonomy, class_index, docs, mentions, docs_human, mentions_human, docs_gpt, "
                "mentions_gpt FROM exposure",
}


def dump(db: Path) -> dict[str, list]:
    with duckdb.connect(str(db), read_only=True) as connection:
        return {name: sorted(map(repr, connection.execute(sql).fetchall())) for name, sql in DUMP_SQL.items()}


# --- index -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [COCO, CC3M, LAION, LLAVA], ids=["coco", "cc3m", "laion", "llava"])
def test_ray_index_equals_the_local_engine(ray_cluster, tmp_path, path):
    require_shared(path)
    local, on_ray = tmp_path / "local.duckdb", tmp_path / "ray.duckdb"
    index([path], db=local, corpus="c", classes=LISTS)
    summary = index([path], db=on_ray, corpus="c", classes=LISTS, engine="ray")
    assert summary.engine == "ray" and summary.shards_indexed == 1
    local_tables, ray_tables = dump(local), dump(on_ray)
    assert ray_tables == local_tables
    assert len(ray_tables["matches"]) > 100 and len(ray_tables["exposure"]) == 10 + 100 + 1000


def _write_row_groups(path: Path, rows: int, row_group: int) -> None:
    captions = [a["caption"] for a in json.loads(COCO.read_text())["annotations"]]
    texts = [captions[i % len(captions)] for i in range(rows)]
    pq.write_table(pa.table({"URL": [f"u{i}" for i in range(rows)], "TEXT": texts}), path, row_group_size=row_group)


def test_a_parquet_file_split_into_row_group_shards(ray_cluster, tmp_path):
    corpus = tmp_path / "big.parquet"
    _write_row_groups(corpus, rows=50_000, row_group=5_000)
    whole, local, on_ray = tmp_path / "whole.duckdb", tmp_path / "local.duckdb", tmp_path / "ray.duckdb"
    index([corpus], db=whole, classes=LISTS, shard_rows=1_000_000)
    index([corpus], db=local, classes=LISTS, shard_rows=12_000)
    summary = index([corpus], db=on_ray, classes=LISTS, shard_rows=12_000, engine="ray", workers=2)
    assert summary.shards_indexed == 4 and summary.docs_read == 50_000
    ray_tables = dump(on_ray)
    assert ray_tables == dump(local)
    with duckdb.connect(str(on_ray), read_only=True) as connection:
        ranges = connection.execute("SELECT row_start, row_end, n_docs FROM sources ORDER BY row_start").fetchall()
    assert ranges == [(0, 15_000, 15_000), (15_000, 30_000, 15_000), (30_000, 45_000, 15_000), (45_000, 50_000, 5_000)]
    # Shards give the documents of the whole file: the same doc ids, the same counts.
    whole_tables = dump(whole)
    assert whole_tables["exposure"] == ray_tables["exposure"]
    strip_shard = lambda rows: sorted(r.split(", ", 2)[2] for r in rows)  # noqa: E731  (drop path, row_start)
    assert strip_shard(whole_tables["matches"]) == strip_shard(ray_tables["matches"])
    # Another shard size replaces the earlier shards of the file instead of adding to them.
    index([corpus], db=on_ray, classes=LISTS, shard_rows=1_000_000, engine="ray")
    assert dump(on_ray) == whole_tables


def test_a_streamed_file_on_ray_gives_the_shards_of_the_local_engine(ray_cluster, tmp_path):
    local, on_ray = tmp_path / "local.duckdb", tmp_path / "ray.duckdb"
    index([CC3M], db=local, corpus="c", classes=["cifar10"], shard_rows=4_000)
    summary = index([CC3M], db=on_ray, corpus="c", classes=["cifar10"], shard_rows=4_000, engine="ray")
    assert summary.shards_indexed == 4 and summary.docs_read == 15_833
    assert dump(on_ray) == dump(local)
    with duckdb.connect(str(on_ray), read_only=True) as connection:
        ranges = connection.execute("SELECT row_start, row_end FROM sources ORDER BY row_start").fetchall()
    assert ranges == [(0, 4_000), (4_000, 8_000), (8_000, 12_000), (12_000, None)]


def _three_shards(folder: Path) -> list[Path]:
    folder.mkdir()
    paths = [folder / f"part-{i}.parquet" for i in range(3)]
    for i, path in enumerate(paths):
        _write_row_groups(path, rows=4_000 + 1_000 * i, row_group=10_000)
    return paths


def test_a_shard_that_fails_once_is_retried(ray_cluster, tmp_path):
    paths = _three_shards(tmp_path / "parts")
    flag = Path(str(paths[1]) + FAIL_ONCE)
    flag.touch()
    on_ray, local = tmp_path / "ray.duckdb", tmp_path / "local.duckdb"
    summary = index([tmp_path / "parts"], db=on_ray, classes=["cifar10"],
                    engine=RayEngine(max_retries=1, shard_task=flaky_shard_result))
    assert not flag.exists()  # the first attempt ran and failed
    assert summary.shards_indexed == 3 and not summary.shards_failed
    index([tmp_path / "parts"], db=local, classes=["cifar10"])
    assert dump(on_ray) == dump(local)


def test_a_shard_that_keeps_failing_is_reported_and_a_rerun_does_only_it(ray_cluster, tmp_path):
    paths = _three_shards(tmp_path / "parts")
    flag = Path(str(paths[2]) + FAIL_ALWAYS)
    flag.touch()
    on_ray, clean = tmp_path / "ray.duckdb", tmp_path / "clean.duckdb"
    engine = RayEngine(max_retries=1, shard_task=flaky_shard_result)
    with pytest.raises(ShardsFailed, match=r"1 shard\(s\) failed .*part-2\.parquet \(OSError: injected permanent") as failed:
        index([tmp_path / "parts"], db=on_ray, classes=["cifar10"], engine=engine)
    assert failed.value.summary.shards_indexed == 2
    with duckdb.connect(str(on_ray), read_only=True) as connection:
        statuses = connection.execute("SELECT path, status, error FROM sources ORDER BY path").fetchall()
        sizes = connection.execute("SELECT n_docs FROM corpus_sizes").fetchall()
    assert [(Path(p).name, s) for p, s, _ in statuses] == [
        ("part-0.parquet", "done"), ("part-1.parquet", "done"), ("part-2.parquet", "failed")]
    assert "injected permanent failure" in statuses[2][2]
    assert sizes == [(4_000 + 5_000,)]  # a failed shard counts nothing
    flag.unlink()
    rerun = index([tmp_path / "parts"], db=on_ray, classes=["cifar10"], engine=engine)
    assert (rerun.shards_indexed, rerun.shards_skipped) == (1, 2)
    index([tmp_path / "parts"], db=clean, classes=["cifar10"])
    assert dump(on_ray) == dump(clean)


def test_a_list_added_later_on_ray_equals_one_clean_local_run(ray_cluster, tmp_path):
    later, clean = tmp_path / "later.duckdb", tmp_path / "clean.duckdb"
    index([COCO], db=later, corpus="coco", classes=["cifar10"], engine="ray")
    index([COCO], db=later, corpus="coco", classes=["food101"], engine="ray")
    index([COCO], db=clean, corpus="coco", classes=["cifar10", "food101"])
    assert dump(later)["exposure"] == dump(clean)["exposure"]
    assert dump(later)["matches"] == dump(clean)["matches"]


def test_cli_engine_ray(ray_cluster, tmp_path):
    from typer.testing import CliRunner

    from freqscope.cli import app

    result = CliRunner().invoke(app, ["index", str(CC3M), "--db", str(tmp_path / "a.duckdb"), "--classes", "cifar10",
                                      "--engine", "ray", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "15,833 documents read from 1 shard(s) (ray engine)" in " ".join(result.output.split())


# --- without Ray -------------------------------------------------------------------------------------------

def test_without_ray_the_engine_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(FreqscopeError, match=r"--engine ray needs Ray.*pip install -e '\.\[ray\]'"):
        require_ray()
    with pytest.raises(FreqscopeError, match="needs Ray"):
        index([CC3M], db=tmp_path / "db.duckdb", classes=["cifar10"], engine="ray")
    assert index([CC3M], db=tmp_path / "db.duckdb", classes=["cifar10"]).docs_read == 15_833


def test_an_address_needs_the_ray_engine(tmp_path):
    with pytest.raises(FreqscopeError, match="--address is for --engine ray"):
        index([CC3M], db=tmp_path / "db.duckdb", classes=["cifar10"], address="auto")
    with pytest.raises(FreqscopeError, match="--engine spark is not one of local, ray"):
        index([CC3M], db=tmp_path / "db.duckdb", classes=["cifar10"], engine="spark")


# --- infer -------------------------------------------------------------------------------------------------

PREDICTIONS_SQL = "SELECT image, label_index, predicted_index, answer, score, error FROM predictions ORDER BY image"


def _predictions(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as connection:
        return connection.execute(PREDICTIONS_SQL).fetchall()


@pytest.mark.parametrize("method", ["likelihood", "open"])
def test_ray_infer_gives_the_local_predictions_and_resumes(ray_cluster, tmp_path, method):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from freqscope.infer import infer, synthetic
    from tests.infer_helpers import TOY_NAMES, toy_class_list

    model = str(synthetic.save_tiny_llava(tmp_path / "tiny-llava", TOY_NAMES))
    images = synthetic.write_image_folder(tmp_path / "imgs", ["golden retriever", "n00000001", "goldfish", "sea_lion"], 2)
    (images / "goldfish" / "corrupt.jpg").write_bytes(b"this is not a JPEG")
    options = dict(classes=toy_class_list(), method=method, batch_size=2, device="cpu", max_new_tokens=4)
    local = infer(model, images, db=tmp_path / "local.duckdb", **options)
    on_ray = tmp_path / "ray.duckdb"
    partial = infer(model, images, db=on_ray, engine="ray", workers=2, limit=4, **options)
    assert (partial.n_new, partial.status) == (4, "running")
    rest = infer(model, images, db=on_ray, engine="ray", workers=2, **options)
    assert (rest.n_new, rest.status, rest.resumed, rest.run_id) == (5, "done", True, partial.run_id)
    assert rest.accuracy == local.accuracy and rest.n_errors == local.n_errors == 1
    got, expected = _predictions(on_ray), _predictions(tmp_path / "local.duckdb")
    assert [row[:4] + row[5:] for row in got] == [row[:4] + row[5:] for row in expected]
    # Scores agree up to float summation order (a Ray worker runs torch with one thread).
    assert [row[4] for row in got] == pytest.approx([row[4] for row in expected], abs=1e-5)


def test_ray_infer_options_need_the_ray_engine(tmp_path):
    pytest.importorskip("torch")
    from freqscope.infer import infer
    from tests.infer_helpers import toy_class_list

    with pytest.raises(FreqscopeError, match="--address, --workers and --gpus-per-worker are for --engine ray"):
        infer("model", tmp_path, classes=toy_class_list(), workers=2, db=tmp_path / "db.duckdb")
