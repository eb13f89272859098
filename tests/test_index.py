"""freqscope index end to end: formats on the real samples, counts against the reference, reliability."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from freqscope.terms.classes import load_class_list
from freqscope.cli import app
from freqscope.errors import FreqscopeError
import freqscope.indexer as indexer_module
from freqscope.indexer import index
from freqscope.matcher import DEFAULT, MatchRules
from freqscope.paths import CORPORA_DIR, REPO_ROOT
from reference_matcher import reference_counted, reference_counted_matches, reference_match
from conftest import SHARED_CORPORA, require_shared

COCO = CORPORA_DIR / "coco_captions_val2017" / "captions_val2017.json"
CC3M = CORPORA_DIR / "cc3m_validation" / "Validation_GCC-1.1.0-Validation.tsv"
LAION = CORPORA_DIR / "laion_sample" / "test_10000.parquet"
SMALL_LISTS = ["cifar10", "cifar100", "imagenet1k"]


def exposure(db, corpus: str | None = None) -> dict[tuple, tuple]:
    with duckdb.connect(str(db), read_only=True) as connection:
        rows = connection.execute(
            "SELECT corpus, taxonomy, class_index, docs, mentions, docs_human, docs_gpt FROM exposure"
            + (" WHERE corpus = ?" if corpus else ""), [corpus] if corpus else []
        ).fetchall()
    return {row[:3]: row[3:] for row in rows}


def table_dump(db) -> dict[str, list]:
    with duckdb.connect(str(db), read_only=True) as connection:
        return {
            table: sorted(map(repr, connection.execute(f"SELECT * EXCLUDE ({ts}) FROM {table}").fetchall()))
            for table, ts in [("matches", "n"), ("sources", "indexed_at"), ("source_counts", "docs"),
                              ("corpora", "created_at"), ("terms", "wordnet_senses")]
        }


def corpus_size(db, corpus: str) -> int:
    with duckdb.connect(str(db), read_only=True) as connection:
        return connection.execute("SELECT n_docs FROM corpus_sizes WHERE corpus = ?", [corpus]).fetchall()[0][0]


# --- formats: the real samples, with their document counts -----------------------------------------------

@pytest.mark.parametrize(
    "path, n_docs",
    [(COCO, 25_014), (CC3M, 15_833), (LAION, 10_000),
     (SHARED_CORPORA / "flickr8k" / "Flickr8k.token.txt", 40_460),
     (SHARED_CORPORA / "llava_samples" / "scienceqa_llava_format.json", 4_241),
     (SHARED_CORPORA / "llava_samples" / "DERIVED_coco2014_val_gpt4_qa_30x3.llava_format.json", 90)],
    ids=["coco", "cc3m", "laion", "flickr8k", "llava-scienceqa", "llava-coco"],
)
def test_each_format_on_the_real_samples(tmp_path, path, n_docs):
    require_shared(path)
    summary = index([path], db=tmp_path / "db.duckdb", corpus="c", classes=["cifar10", "imagenet1k"])
    assert summary.docs_read == n_docs
    assert corpus_size(tmp_path / "db.duckdb", "c") == n_docs
    assert summary.classes_seen["imagenet1k"][0] > 0


def test_counts_equal_the_reference_implementation(tmp_path):
    captions = [a["caption"] for a in json.loads(COCO.read_text())["annotations"]]
    lists = [load_class_list(name) for name in SMALL_LISTS]
    db = tmp_path / "db.duckdb"
    index([COCO], db=db, corpus="coco", class_lists=lists)
    reference = reference_counted(captions, lists)
    docs: Counter = Counter()
    mentions: Counter = Counter()
    for (row, taxonomy, class_index, variant), n in reference.items():
        if variant == DEFAULT:
            mentions[(taxonomy, class_index)] += n
            docs[(taxonomy, class_index)] += 1
    names: Counter = Counter()
    every: Counter = Counter()
    for row, taxonomy, class_index in {(r, t, c) for r, t, c, term_id in reference_match(captions, lists)}:
        every[(taxonomy, class_index)] += 1
    terms_of = {l.name: l.terms for l in lists}
    for row, taxonomy, class_index in {(r, t, c) for r, t, c, term_id in reference_match(captions, lists)
                                       if terms_of[t][term_id].tier == "name"}:
        names[(taxonomy, class_index)] += 1
    generic_docs = Counter((t, c) for r, t, c in {(r, t, c) for r, t, c, term_id in reference_match(captions, lists, generic=True)
                                                  if terms_of[t][term_id].tier == "generic"})
    got = exposure(db, "coco")
    assert len(got) == sum(len(l.classes) for l in lists)
    for (_, taxonomy, class_index), (got_docs, got_mentions, *_) in got.items():
        assert (got_docs, got_mentions) == (docs[(taxonomy, class_index)], mentions[(taxonomy, class_index)])
    assert sum(docs.values()) > 10_000
    with duckdb.connect(str(db), read_only=True) as connection:
        generic = dict(((t, c), g) for t, c, g in connection.execute(
            "SELECT taxonomy, class_index, generic_docs FROM exposure_tiers").fetchall())
        tiers = {(t, c): (n, a) for t, c, n, a in connection.execute(
            "SELECT taxonomy, class_index, docs_names, docs_all_terms FROM exposure_tiers").fetchall()}
    assert generic == {key: generic_docs[key] for key in generic} and sum(generic.values()) > 0
    assert {key: value for key, value in tiers.items() if value != (0, 0)} == {
        key: (names[key], every[key]) for key in every}
    assert sum(every.values()) > sum(docs.values()) > sum(names.values())  # every term counts more


def test_the_matches_view_equals_the_reference_match_for_match(tmp_path):
    """Stored once per pattern, expanded by the view: every (document, class, term) of the reference, and no other."""
    captions = [a["caption"] for a in json.loads(COCO.read_text())["annotations"]]
    lists = [load_class_list(name) for name in SMALL_LISTS]
    db = tmp_path / "db.duckdb"
    index([COCO], db=db, corpus="coco", class_lists=lists)
    with duckdb.connect(str(db), read_only=True) as connection:
        rows = connection.execute("SELECT doc, taxonomy, class_index, term_id, n FROM matches").fetchall()
        stored = connection.execute("SELECT count(*) FROM pattern_matches").fetchall()[0][0]
        every_term = connection.execute("SELECT doc, taxonomy, class_index, term_id, n FROM matches_all_terms").fetchall()
        generic = connection.execute("SELECT count(*) FROM matches_all_terms WHERE tier = 'generic'").fetchall()[0][0]
    assert Counter({(doc, t, c, term): n for doc, t, c, term, n in rows}) == reference_counted_matches(captions, lists)
    assert len(rows) == len(set(r[:4] for r in rows))
    assert Counter({(doc, t, c, term): n for doc, t, c, term, n in every_term}) == reference_match(captions, lists,
                                                                                                 generic=True)
    assert generic > 0  # "elephant", apart
    assert stored < len(every_term)  # a "dog" is one stored row for cifar10, cifar100's absence aside, and imagenet1k


def test_repeated_captions_are_counted_once_per_document(tmp_path):
    """Counts are taken per distinct caption and multiplied by its copies, within and across batches."""
    from freqscope.engines.shards import class_counts, match_shard, matcher_for, plan_shards, sum_counts
    from freqscope.readers import SourceReader

    captions = [a["caption"] for a in json.loads(COCO.read_text())["annotations"]][:400]
    texts = [captions[(i * 7) % 150] if i % 3 else captions[i % 400] for i in range(3_000)]
    corpus = tmp_path / "repeated.txt"
    corpus.write_text("\n".join(texts) + "\n")
    lists = [load_class_list(name) for name in SMALL_LISTS]
    (shard,) = plan_shards([SourceReader(str(corpus))])
    batches = list(match_shard(shard, lists, MatchRules(), batch_rows=700))
    assert len(batches) == 6 and batches[-1].n_docs == 0  # the last: the end of the read
    assert [b.ends_read for b in batches] == [False] * 5 + [True]
    got = sum_counts([b.counts for b in batches])
    # the general path (per document, roles and all) on the same matches gives the same counts
    matcher = matcher_for(tuple(lists), MatchRules())
    general = sum_counts([class_counts(b.matches, matcher, b.context) for b in batches])
    assert got.sort("taxonomy", "class_index").equals(general.sort("taxonomy", "class_index"))
    reference = {key: n for key, n in reference_counted(texts, lists).items() if key[3] == DEFAULT}
    docs = Counter((t, c) for (_, t, c, _) in reference)
    mentions: Counter = Counter()
    for (_, t, c, _), n in reference.items():
        mentions[(t, c)] += n
    assert {(r["taxonomy"], r["class_index"]): (r["docs"], r["mentions"]) for r in got.iter_rows(named=True)
            if r["docs"]} == {
        key: (docs[key], mentions[key]) for key in docs}


def test_matches_trace_counts_back_to_captions(tmp_path):
    db = tmp_path / "db.duckdb"
    index([COCO], db=db, corpus="coco", classes=["cifar10"])
    captions = json.loads(COCO.read_text())["annotations"]
    with duckdb.connect(str(db), read_only=True) as connection:
        rows = connection.execute(
            "SELECT m.doc, m.doc_key, t.term FROM matches m JOIN terms t USING (taxonomy, term_id) "
            "WHERE m.taxonomy = 'cifar10' ORDER BY m.doc LIMIT 50").fetchall()
    for doc, doc_key, term in rows:
        assert doc_key == str(captions[doc]["image_id"])
        assert term.split()[-1] in captions[doc]["caption"].lower().replace("-", " ")


def test_instruction_data_is_counted_per_role(tmp_path):
    path = require_shared(SHARED_CORPORA / "llava_samples" / "DERIVED_coco2014_val_gpt4_qa_30x3.llava_format.json")
    db = tmp_path / "db.duckdb"
    index([path], db=db, corpus="llava", classes=["cifar100"])
    got = exposure(db, "llava")
    assert all(h is not None and g is not None for _, _, h, g in got.values())
    assert sum(g for _, _, _, g in got.values()) > sum(h for _, _, h, _ in got.values()) > 0
    assert all(d >= max(h, g) for d, _, h, g in got.values())
    captions = exposure(index([COCO], db=db, corpus="coco", classes=["cifar100"]).db, "coco")
    assert all(h is None for _, _, h, _ in captions.values())
    with duckdb.connect(str(db), read_only=True) as connection:
        roles = dict(connection.execute("SELECT corpus, list(DISTINCT role ORDER BY role) FROM matches "
                                        "JOIN sources USING (source_id) GROUP BY corpus").fetchall())
    assert roles == {"llava": ["gpt", "human"], "coco": [None]}


# --- reliability ------------------------------------------------------------------------------------------

def test_the_same_file_again_is_skipped_and_counts_nothing_twice(tmp_path):
    db = tmp_path / "db.duckdb"
    index([CC3M], db=db, corpus="cc3m", classes=SMALL_LISTS)
    before = table_dump(db)
    summary = index([CC3M], db=db, corpus="cc3m", classes=SMALL_LISTS)
    assert (summary.shards_skipped, summary.shards_indexed) == (1, 0)
    assert table_dump(db) == before


def test_a_changed_file_replaces_its_own_rows(tmp_path):
    corpus = tmp_path / "captions.txt"
    corpus.write_text("a dog on a sofa\ntwo cats\n")
    db = tmp_path / "db.duckdb"
    index([corpus], db=db, classes=["cifar10"])
    corpus.write_text("a horse\na horse and a dog\nthree horses\n")
    index([corpus], db=db, classes=["cifar10"])
    counts = {k[2]: v[0] for k, v in exposure(db).items() if v[0]}
    assert counts == {5: 1, 7: 3}  # dog, horse
    assert corpus_size(db, "captions") == 3


def test_a_list_added_later_equals_one_clean_run(tmp_path):
    later, clean = tmp_path / "later.duckdb", tmp_path / "clean.duckdb"
    index([COCO], db=later, corpus="coco", classes=["cifar10"])
    index([COCO], db=later, corpus="coco", classes=["food101"])
    index([COCO], db=clean, corpus="coco", classes=["cifar10", "food101"])
    assert exposure(later) == exposure(clean)
    # "hot dog" (Food-101) hides "dog" (CIFAR-10): the later list changed the earlier list's counts
    only_cifar = tmp_path / "only.duckdb"
    index([COCO], db=only_cifar, corpus="coco", classes=["cifar10"])
    assert exposure(only_cifar)[("coco", "cifar10", 5)][0] > exposure(clean)[("coco", "cifar10", 5)][0]


def test_a_changed_list_hides_its_old_matches_until_its_sources_are_indexed_again(tmp_path):
    animals = tmp_path / "animals.csv"
    animals.write_text("name\ndog\ncat\n")
    db = tmp_path / "db.duckdb"
    index([COCO], db=db, corpus="coco", classes=[str(animals)])
    query = "SELECT count(*) FROM matches WHERE taxonomy = 'animals' AND class_index = ?"
    with duckdb.connect(str(db), read_only=True) as connection:
        cats = connection.execute(query, [1]).fetchall()[0][0]
    assert cats > 100
    animals.write_text("name\ndog\nhorse\n")  # class 1 is now horse: cat matches must not show as horse
    index([CC3M], db=db, corpus="cc3m", classes=[str(animals)])
    with duckdb.connect(str(db), read_only=True) as connection:
        assert connection.execute(query + " AND source_id IN (SELECT source_id FROM sources WHERE corpus = 'coco')",
                                  [1]).fetchall()[0][0] == 0
    index([COCO], db=db, corpus="coco", classes=[str(animals)])
    fresh = tmp_path / "fresh.duckdb"
    index([COCO], db=fresh, corpus="coco", classes=[str(animals)])
    with duckdb.connect(str(db), read_only=True) as a, duckdb.connect(str(fresh), read_only=True) as b:
        rows = "SELECT doc, class_index, term_id, n FROM matches m JOIN sources s USING (source_id) WHERE corpus = 'coco' ORDER BY ALL"
        assert a.execute(rows).fetchall() == b.execute(rows).fetchall()
        # the pattern set of the old list went with the last source that used it
        assert a.execute("SELECT count(DISTINCT pattern_set) FROM patterns").fetchall()[0][0] == 1


def test_a_new_database_stores_its_first_pattern_set_with_the_lists_and_only_that_one(tmp_path):
    """The pattern set stored with the lists (before the first shard) is the one the shard's writer looks for:
    had their ids differed, the writer would have stored a second set."""
    db = tmp_path / "db.duckdb"
    index([COCO], db=db, corpus="coco", classes=["cifar10", "imagenet1k"])
    with duckdb.connect(str(db), read_only=True) as connection:
        stored = connection.execute("SELECT DISTINCT pattern_set FROM patterns").fetchall()
        used = connection.execute("SELECT DISTINCT pattern_set FROM sources").fetchall()
        assert stored == used and len(stored) == 1
        assert connection.execute("SELECT count(*) FROM matches").fetchall()[0][0] > 0


def _all_rows(db) -> dict[str, list]:
    """Every row of every table, by table: what "the database is as it was" compares."""
    with duckdb.connect(str(db), read_only=True) as connection:
        tables = [name for (name,) in connection.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()]
        return {name: sorted(map(repr, connection.execute(f'SELECT * FROM "{name}"').fetchall())) for name in tables}


def test_a_run_stopped_before_its_first_shard_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    db = tmp_path / "db.duckdb"

    def fail(self, job, batches):
        raise OSError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr(indexer_module.ShardWriter, "write", fail)
        with pytest.raises(OSError):
            index([COCO], db=db, corpus="coco", classes=["cifar10"])
    assert not db.exists()  # a new database: not left behind
    index([CC3M], db=db, corpus="cc3m", classes=["stl10"])
    before = _all_rows(db)
    with monkeypatch.context() as patched:
        patched.setattr(indexer_module.ShardWriter, "write", fail)
        with pytest.raises(OSError):  # another corpus, another list: neither stays
            index([COCO], db=db, corpus="coco", classes=["cifar10"])
    assert _all_rows(db) == before
    index([COCO], db=db, corpus="coco", classes=["cifar10"])
    with duckdb.connect(str(db), read_only=True) as connection:
        # (ordered: DISTINCT gives its rows in any order, and there are two sets here, one per corpus)
        stored = connection.execute("SELECT DISTINCT pattern_set FROM patterns ORDER BY 1").fetchall()
        assert stored == connection.execute("SELECT DISTINCT pattern_set FROM sources ORDER BY 1").fetchall()


def test_a_database_of_another_schema_version_is_refused_in_one_line(tmp_path):
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as connection:
        connection.execute("CREATE TABLE freqscope_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
        connection.execute("INSERT INTO freqscope_meta VALUES ('schema_version', '1')")
    with pytest.raises(FreqscopeError, match=r"schema version 1.*new database \(--db"):
        index([CC3M], db=db, corpus="cc3m", classes=["cifar10"])


def test_other_rules_need_another_corpus_name(tmp_path):
    db = tmp_path / "db.duckdb"
    index([CC3M], db=db, corpus="cc3m", classes=["imagenet1k"])
    with pytest.raises(FreqscopeError, match="other matching rules.*--corpus"):
        index([CC3M], db=db, corpus="cc3m", classes=["imagenet1k"], rules=MatchRules(ambiguous="skip"))
    index([CC3M], db=db, corpus="cc3m-skip", classes=["imagenet1k"], rules=MatchRules(ambiguous="skip"))
    counted, skipped = exposure(db, "cc3m"), exposure(db, "cc3m-skip")
    assert sum(v[0] for v in skipped.values()) < sum(v[0] for v in counted.values())


def _write_shards(folder: Path, n_shards: int, rows: int) -> None:
    captions = [a["caption"] for a in json.loads(COCO.read_text())["annotations"]]
    folder.mkdir()
    for shard in range(n_shards):
        texts = [captions[(shard * rows + i) % len(captions)] for i in range(rows)]
        pq.write_table(pa.table({"URL": [f"u{i}" for i in range(rows)], "TEXT": texts}),
                       folder / f"part-{shard:03d}.parquet", row_group_size=20_000)


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [1.5, 3.0])
def test_killed_at_any_moment_then_run_again_counts_like_a_clean_run(tmp_path, kill_after):
    shards = tmp_path / "laion"
    _write_shards(shards, n_shards=6, rows=60_000)
    killed, clean = tmp_path / "killed.duckdb", tmp_path / "clean.duckdb"
    command = [sys.executable, "-m", "freqscope", "index", str(shards), "--classes", "cifar10",
               "--classes", "imagenet1k", "--quiet"]
    process = subprocess.Popen(command + ["--db", str(killed)], cwd=REPO_ROOT)
    time.sleep(kill_after)
    process.send_signal(signal.SIGKILL)
    process.wait()
    subprocess.run(command + ["--db", str(killed)], cwd=REPO_ROOT, check=True)
    subprocess.run(command + ["--db", str(clean)], cwd=REPO_ROOT, check=True)
    assert exposure(killed) == exposure(clean)
    assert table_dump(killed)["matches"] == table_dump(clean)["matches"]


# --- bad input: one line, non-zero exit, database untouched ------------------------------------------------

def run_cli(*args: str) -> tuple[int, str]:
    result = subprocess.run([sys.executable, "-m", "freqscope", *args], cwd=REPO_ROOT, capture_output=True, text=True)
    return result.returncode, result.stderr.strip()


@pytest.fixture
def indexed_db(tmp_path):
    db = tmp_path / "db.duckdb"
    index([CC3M], db=db, corpus="cc3m", classes=["cifar10"])
    return db


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    corrupt = tmp_path / "corrupt.parquet"
    corrupt.write_bytes(LAION.read_bytes()[: 200_000])
    no_text = tmp_path / "urls.parquet"
    pq.write_table(pa.table({"URL": ["a"], "WIDTH": [3]}), no_text)
    wrong_shape = tmp_path / "records.jsonl"
    wrong_shape.write_text('{"text": "a dog"}\n{"text": "a cat"}\n[1, 2]\n')
    return {
        "missing": (tmp_path / "nowhere.parquet", "no such file"),
        "corrupt parquet": (corrupt, "corrupt.parquet"),
        "no text column": (no_text, "URL, WIDTH"),
        "wrong JSON shape": (wrong_shape, "records.jsonl"),
    }


@pytest.mark.parametrize("case", ["missing", "corrupt parquet", "no text column", "wrong JSON shape"])
def test_bad_input_gives_one_line_and_leaves_the_database_as_it_was(tmp_path, indexed_db, case):
    path, expected = _bad_inputs(tmp_path)[case]
    before = table_dump(indexed_db)
    code, stderr = run_cli("index", str(path), "--db", str(indexed_db), "--corpus", "cc3m", "--classes", "cifar10")
    assert code != 0
    assert "Traceback" not in stderr
    assert len(stderr.splitlines()) == 1 and stderr.startswith("error:"), stderr
    assert expected in stderr
    assert table_dump(indexed_db) == before


@pytest.mark.parametrize("case", ["missing", "corrupt parquet", "no text column", "unknown class list"])
def test_bad_input_into_a_new_database_leaves_no_database(tmp_path, case):
    """The database is created while the lists and files are checked: a run they stop removes it again."""
    path, _ = _bad_inputs(tmp_path).get(case, (CC3M, ""))
    classes = "no-such-list" if case == "unknown class list" else "cifar10"
    db = tmp_path / "new.duckdb"
    code, stderr = run_cli("index", str(path), "--db", str(db), "--classes", classes)
    assert code != 0 and len(stderr.splitlines()) == 1, stderr
    assert not db.exists() and not Path(f"{db}.wal").exists()


def test_a_database_held_by_another_process(tmp_path, indexed_db):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); time.sleep(30)",
         str(indexed_db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        code, stderr = run_cli("index", str(CC3M), "--db", str(indexed_db), "--classes", "cifar10")
    finally:
        holder.kill()
        holder.wait()
    assert code == 1 and "in use by another process" in stderr and len(stderr.splitlines()) == 1


def test_null_empty_non_string_invalid_utf8_and_huge_captions(tmp_path):
    path = tmp_path / "odd.parquet"
    texts = pa.array([None, "", "a dog", "a cat " + "x" * 1_000_000 + " a horse",
                      b"a \xff\xfe dog".decode("utf-8", "replace")], pa.string())
    pq.write_table(pa.table({"TEXT": texts}), path)
    db = tmp_path / "db.duckdb"
    summary = index([path], db=db, classes=["cifar10"])
    assert summary.docs_read == 5
    counts = {k[2]: v[0] for k, v in exposure(db).items() if v[0]}
    assert counts == {3: 1, 5: 2, 7: 1}  # cat, dog, horse


def test_cli_prints_a_summary_and_quiet_prints_nothing(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["index", str(CC3M), "--db", str(tmp_path / "a.duckdb"), "--classes", "cifar10"])
    assert result.exit_code == 0, result.output
    assert "15,833 documents" in result.output and "Most exposed classes" in result.output
    quiet = runner.invoke(app, ["index", str(CC3M), "--db", str(tmp_path / "b.duckdb"), "--classes", "cifar10", "-q"])
    assert quiet.exit_code == 0 and quiet.output == ""


def test_db_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FREQSCOPE_DB", str(tmp_path / "env.duckdb"))
    summary = index([CC3M], classes=["cifar10"])
    assert Path(summary.db) == tmp_path / "env.duckdb" and (tmp_path / "env.duckdb").exists()


def test_the_first_shard_matched_ahead_gives_what_matching_it_in_turn_gives(tmp_path, monkeypatch):
    """Into a new database the first shard is matched while the database is created; into an existing one
    (even empty of this corpus) it is matched in turn: the rows must be the same."""
    import freqscope.engines.local as local

    taken = []
    serves = local.MatchPipeline.serves
    monkeypatch.setattr(local.MatchPipeline, "serves", lambda self, job: taken.append(serves(self, job)) or taken[-1])
    ahead, in_turn = tmp_path / "ahead.duckdb", tmp_path / "in_turn.duckdb"
    index([CC3M], db=ahead, corpus="cc3m", classes=["cifar10", "imagenet1k"])
    assert taken == [True]
    index([COCO], db=in_turn, corpus="coco", classes=["cifar10", "imagenet1k"])  # the database exists now
    index([CC3M], db=in_turn, corpus="cc3m", classes=["cifar10", "imagenet1k"])
    assert taken == [True, True]
    rows = "SELECT doc, taxonomy, class_index, term_id, n FROM matches JOIN sources USING (source_id) WHERE corpus = 'cc3m' ORDER BY ALL"
    with duckdb.connect(str(ahead), read_only=True) as a, duckdb.connect(str(in_turn), read_only=True) as b:
        assert a.execute(rows).fetchall() == b.execute(rows).fetchall()


def test_a_run_that_fails_after_matching_ahead_stops_the_matching(tmp_path, monkeypatch):
    import threading

    def failing_store(*args, **kwargs):
        raise FreqscopeError("the lists could not be stored")

    monkeypatch.setattr(indexer_module, "store_class_lists", failing_store)
    with pytest.raises(FreqscopeError, match="could not be stored"):
        index([CC3M], db=tmp_path / "new.duckdb", classes=["cifar10"])
    assert not any(thread.name.startswith(("freqscope-read", "freqscope-match")) for thread in threading.enumerate())
    assert not (tmp_path / "new.duckdb").exists()


def test_the_index_writes_under_a_memory_limit_of_its_own(tmp_path, monkeypatch):
    """DuckDB's default limit is 80% of RAM, up to which it keeps the blocks it writes: the index sets its own,
    into a new database and an existing one, so that its memory does not grow with the database it writes."""
    limits = []
    summarise = indexer_module._summarise

    def recording(connection, summary, *args, **kwargs):
        limits.append(connection.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])
        return summarise(connection, summary, *args, **kwargs)

    monkeypatch.setattr(indexer_module, "_summarise", recording)
    db = tmp_path / "limited.duckdb"
    index([CC3M], db=db, classes=["cifar10"])
    index([COCO], db=db, classes=["cifar10"])
    assert limits == ["512.0 MiB", "512.0 MiB"]
