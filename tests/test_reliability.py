"""Issue 17's promises: no silent loss on Ctrl-C, no half-made database after a kill, read-only SQL that holds,
and bad input that leaves the database as it was. benchmarks/trial_reliability.py repeats the kill and
interrupt trials at many random moments."""
from __future__ import annotations

import importlib.util
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import freqscope

import freqscope.engines.local as local_engine
from freqscope.errors import FreqscopeError, Interrupted
from freqscope.indexer import deferred_interrupt, index
from freqscope.paths import CORPORA_DIR, REPO_ROOT
from freqscope.readers.frames import Chunk
from freqscope.readers.parquet import ParquetReader
from freqscope.sql_query import check_read_only, open_for_sql, run_sql
from freqscope.store import open_database

CC3M = CORPORA_DIR / "cc3m_validation" / "Validation_GCC-1.1.0-Validation.tsv"
_spec = importlib.util.spec_from_file_location("bad_inputs", REPO_ROOT / "benchmarks" / "bad_inputs.py")
bad_inputs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bad_inputs)


def all_rows(db: Path) -> dict[str, list[str]]:
    """Every row of every table, by table: what "the database is as it was" compares."""
    with duckdb.connect(str(db), read_only=True) as connection:
        tables = [name for (name,) in connection.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()]
        return {name: sorted(map(repr, connection.execute(f'SELECT * FROM "{name}"').fetchall())) for name in tables}


def run_cli(*args: str, cwd: Path = REPO_ROOT) -> tuple[int, str, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    result = subprocess.run([sys.executable, "-m", "freqscope", *args], cwd=cwd, capture_output=True, text=True,
                            env=env)
    return result.returncode, result.stdout, result.stderr.strip()


def parquet_corpus(path: Path, rows: int = 30_000, row_group: int = 5_000) -> Path:
    texts = [f"a photo of a {'dog' if i % 3 else 'cat'} number {i}" for i in range(rows)]
    pq.write_table(pa.table({"TEXT": texts}), path, row_group_size=row_group)
    return path


@pytest.fixture
def indexed_db(tmp_path: Path) -> Path:
    db = tmp_path / "db.duckdb"
    index([CC3M], db=db, corpus="cc3m", classes=["cifar10"])
    return db


# --- 1. Ctrl-C: nothing marked done that was not read -------------------------------------------------------

def test_a_stream_that_ends_short_is_an_error_and_nothing_is_marked_done(tmp_path, monkeypatch):
    corpus = parquet_corpus(tmp_path / "c.parquet")
    db = tmp_path / "db.duckdb"
    whole = ParquetReader.chunks

    def short(self):  # what Polars' stream did on SIGINT: ends early, without an error
        for chunk in whole(self):
            yield Chunk(chunk.frame.head(1_000), 1_000, 0)
            return

    monkeypatch.setattr(ParquetReader, "chunks", short)
    with pytest.raises(FreqscopeError, match=r"read 1,000 of the 10,000 documents"):
        index([corpus], db=db, classes=["cifar10"], shard_rows=10_000)
    assert not db.exists()
    monkeypatch.undo()
    summary = index([corpus], db=db, classes=["cifar10"], shard_rows=10_000)
    assert summary.docs_read == 30_000 and summary.shards_indexed == 3


def test_sigint_is_noted_once_and_raised_the_second_time():
    with deferred_interrupt() as request:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        assert request.requested
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.5)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_mid_shard_rolls_the_shard_back_and_keeps_those_written(tmp_path, monkeypatch):
    corpus = parquet_corpus(tmp_path / "c.parquet")
    db = tmp_path / "db.duckdb"
    index([CC3M], db=db, corpus="cc3m", classes=["cifar10"])
    advancing = local_engine._advancing

    def interrupting(batches, progress, task):
        for batch in advancing(batches, progress, task):
            if batch.matches["doc"].min() >= 10_000:  # the second shard's first batch: Ctrl-C
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.05)
            yield batch

    monkeypatch.setattr(local_engine, "_advancing", interrupting)
    with pytest.raises(Interrupted, match=r"1 shard\(s\) written in this run are kept"):
        index([corpus], db=db, corpus="c", classes=["cifar10"], shard_rows=10_000)
    with duckdb.connect(str(db), read_only=True) as connection:
        rows = connection.execute(
            "SELECT row_start, row_end, n_docs, status FROM sources WHERE corpus = 'c' ORDER BY row_start").fetchall()
    assert rows == [(0, 10_000, 10_000, "done")]
    monkeypatch.undo()
    summary = index([corpus], db=db, corpus="c", classes=["cifar10"], shard_rows=10_000)
    assert (summary.shards_skipped, summary.shards_indexed, summary.docs_read) == (1, 2, 20_000)


def test_ctrl_c_from_the_command_line_is_one_line_and_exit_130(tmp_path):
    folder = tmp_path / "shards"
    folder.mkdir()
    for shard in range(12):
        parquet_corpus(folder / f"part-{shard:02d}.parquet", rows=200_000, row_group=50_000)
    db = tmp_path / "db.duckdb"
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    process = subprocess.Popen([sys.executable, "-m", "freqscope", "index", str(folder), "--db", str(db), "-q",
                                "--classes", "cifar10"], cwd=REPO_ROOT, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not db.exists() and time.monotonic() < deadline:  # the run is under way once its database exists
        time.sleep(0.05)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    if process.returncode == 0:
        pytest.skip("the run finished before the signal")
    assert process.returncode == 130, (process.returncode, stderr)
    assert len(stderr.strip().splitlines()) == 1 and stderr.startswith("error: interrupted"), stderr
    if db.exists():
        with duckdb.connect(str(db), read_only=True) as connection:
            short = connection.execute(
                "SELECT count(*) FROM sources WHERE status = 'done' AND n_docs <> 200000").fetchall()[0][0]
        assert short == 0


def _python_with_freqscope(script: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    return subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_ctrl_c_while_the_cli_imports_its_first_libraries_is_one_line_and_exit_130():
    """The handler stands before typer and rich are imported (they were the first tenth of a second uncovered)."""
    script = (
        "import importlib.abc, os, signal, sys, time\n"
        "class InterruptOnRich(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'rich':\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n"
        "            time.sleep(0.5)\n"
        "        return None\n"
        "sys.meta_path.insert(0, InterruptOnRich())\n"
        "import freqscope.cli\n"
    )
    result = _python_with_freqscope(script)
    assert result.returncode == 130, (result.returncode, result.stderr)
    assert result.stderr == "error: interrupted while starting: nothing was done\n"


def test_ctrl_c_once_the_command_has_ended_changes_nothing():
    """Python puts back the default action (killed without a word) while it shuts down: the CLI ignores SIGINT
    from the end of the command on, so a finished run exits 0 however late Ctrl-C comes."""
    script = (
        "import os, signal, sys, time\n"
        "sys.argv = ['freqscope', '--version']\n"
        "from freqscope.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as end:\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    time.sleep(0.2)\n"
        "    raise\n"
    )
    result = _python_with_freqscope(script)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    assert result.stdout.startswith("freqscope ")


def test_ctrl_c_landing_in_exec_code_still_exits_130_under_python_m(tmp_path):
    """An interrupt raised inside exec() of a string (as dataclasses builds its methods, during an import)
    made `python -m` die of SIGINT (-2) after printing its line: CPython's unhandled-interrupt flag."""
    (tmp_path / "interrupted_in_exec.py").write_text(
        "import sys\n"
        "import freqscope.cli as cli\n"
        "def interrupted(*args, **kwargs):\n"
        "    exec('raise KeyboardInterrupt')\n"
        "cli.app = interrupted\n"
        "cli.main()\n"
    )
    env = dict(os.environ, PYTHONPATH=f"{REPO_ROOT}{os.pathsep}{tmp_path}")
    result = subprocess.run([sys.executable, "-m", "interrupted_in_exec"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 130, (result.returncode, result.stderr)
    assert result.stderr == "error: interrupted: what was in flight was rolled back\n"


def test_ctrl_c_after_a_failure_keeps_its_one_line():
    script = (
        "import os, signal, sys, time\n"
        "sys.argv = ['freqscope', 'sql', 'SELECT 1', '--db', '/nonexistent/folder/x.duckdb']\n"
        "from freqscope.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    time.sleep(0.2)\n"
        "    raise\n"
    )
    result = _python_with_freqscope(script)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("error: ")


# --- 2. a database killed while being created ------------------------------------------------------------

@pytest.mark.parametrize("left", [b"", b"\0" * 8 + b"DUCK" + b"\0" * 4084])
def test_a_database_whose_creation_was_killed_is_made_again(tmp_path, left):
    """What a kill at creation leaves: a 0-byte or header-only file, and the marker of a process now gone."""
    db = tmp_path / "db.duckdb"
    dead_pid = 2 ** 22 + 12345  # above Linux's pid_max default: no such process
    marker = tmp_path / f".db.duckdb.{dead_pid}.creating"
    db.write_bytes(left)
    marker.write_bytes(b"")
    summary = index([CC3M], db=db, classes=["cifar10"])
    assert summary.docs_read == 15_833 and not marker.exists()
    assert [p.name for p in tmp_path.iterdir() if "creating" in p.name] == []


def test_the_marker_stands_while_the_schema_is_made_and_goes_after(tmp_path, monkeypatch):
    import freqscope.store as store

    db = tmp_path / "db.duckdb"
    seen = []
    create_schema = store._create_schema

    def watching(connection):
        seen.append(sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".creating")))
        create_schema(connection)

    monkeypatch.setattr(store, "_create_schema", watching)
    open_database(db).close()
    assert seen == [[f".db.duckdb.{os.getpid()}.creating"]]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".creating")] == []


@pytest.mark.parametrize("content", [b"", b"DUCK" * 1024])
def test_a_foreign_file_that_is_not_duckdb_is_refused_in_one_line(tmp_path, content):
    db = tmp_path / "other.duckdb"
    db.write_bytes(content)
    code, _, stderr = run_cli("index", str(CC3M), "--db", str(db), "--classes", "cifar10", "-q")
    assert code == 1 and len(stderr.splitlines()) == 1 and "another --db" in stderr, stderr
    assert db.read_bytes() == content


@pytest.mark.parametrize("clash", ["sources", "exposure", "freqscope_meta", "classes view", "unrelated table"])
def test_a_duckdb_file_of_another_program_is_refused_and_left_unchanged(tmp_path, clash):
    db = tmp_path / "other.duckdb"
    bad_inputs.write_foreign_database(db, clash)
    before = all_rows(db)
    code, _, stderr = run_cli("index", str(CC3M), "--db", str(db), "--classes", "cifar10", "-q")
    assert code == 1 and len(stderr.splitlines()) == 1, stderr
    assert "Traceback" not in stderr and ("not made by freqscope" in stderr or "schema version" in stderr)
    assert all_rows(db) == before


# --- 3. read-only SQL: no write of any kind ----------------------------------------------------------------

ESCAPES = {
    "attach and insert": "ATTACH '{other}' AS o (READ_WRITE); INSERT INTO o.x VALUES (1)",
    "attach a hard link": "ATTACH '{link}' AS h; DELETE FROM h.sources",
    "copy to a file": "COPY (SELECT 1) TO '{out}'",
    "export database": "EXPORT DATABASE '{folder}'",
    "install an extension": "INSTALL httpfs",
    "load an extension": "LOAD httpfs",
    "read another file": "SELECT * FROM read_csv('/etc/passwd')",
    "set a setting back": "SET enable_external_access = true",
    "unlock": "SET lock_configuration = false",
    "delete": "DELETE FROM sources",
    "explain analyze copy": "EXPLAIN ANALYZE COPY (SELECT 1) TO '{out}'",
}


@pytest.fixture
def escape_setup(indexed_db, tmp_path):
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as connection:
        connection.execute("CREATE TABLE x (v INTEGER)")
    link = tmp_path / "link.duckdb"
    os.link(indexed_db, link)
    paths = {"other": other, "link": link, "out": tmp_path / "out.csv", "folder": tmp_path / "exported"}
    return indexed_db, paths


def _files_state(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("escape", sorted(ESCAPES))
def test_read_only_sql_refuses_every_escape_before_running_it(escape_setup, escape):
    db, paths = escape_setup
    query = ESCAPES[escape].format(**paths)
    before = _files_state(db.parent)
    code, _, stderr = run_cli("sql", query, "--db", str(db))
    assert code == 1 and len(stderr.splitlines()) == 1 and stderr.startswith("error: refused"), stderr
    assert _files_state(db.parent) == before


@pytest.mark.parametrize("escape", sorted(ESCAPES))
def test_duckdb_settings_alone_stop_every_escape(escape_setup, escape):
    """The second line of defence: the locked-down connection, with no statement check in front of it."""
    db, paths = escape_setup
    before = _files_state(db.parent)
    connection = open_for_sql(db, locked=True)
    try:
        with pytest.raises(FreqscopeError):
            for statement in ESCAPES[escape].format(**paths).split("; "):
                run_sql(connection, statement)
    finally:
        connection.close()
    assert _files_state(db.parent) == before


def test_allow_files_reads_files_and_still_writes_nothing(escape_setup, tmp_path):
    db, paths = escape_setup
    table = tmp_path / "t.csv"
    table.write_text("a\n1\n2\n")
    code, stdout, _ = run_cli("sql", f"SELECT sum(a) AS s FROM read_csv('{table}')", "--db", str(db),
                              "--allow-files", "--format", "csv")
    assert code == 0 and stdout.split() == ["s", "3"]
    before = _files_state(db.parent)
    for escape in ("attach and insert", "copy to a file", "export database", "explain analyze copy"):
        code, _, stderr = run_cli("sql", ESCAPES[escape].format(**paths), "--db", str(db), "--allow-files")
        assert code == 1 and "refused" in stderr, stderr
    assert _files_state(db.parent) == before


def test_a_saved_query_file_is_held_to_the_same_rules(escape_setup, tmp_path):
    db, paths = escape_setup
    query = tmp_path / "sneaky.sql"
    query.write_text(f"-- description: looks harmless\nCOPY (SELECT 1) TO '{paths['out']}'\n")
    code, _, stderr = run_cli("query", str(query), "--db", str(db))
    assert code == 1 and "refused" in stderr and not paths["out"].exists()


def test_read_only_statements_pass_the_check():
    check_read_only("SELECT 1; WITH a AS (SELECT 2) SELECT * FROM a; EXPLAIN SELECT 1; PRAGMA version",
                    allow_files=False)
    with pytest.raises(FreqscopeError, match="not EXPLAIN"):
        check_read_only("EXPLAIN SELECT 1", allow_files=True)


# --- 4. bad input: one line, exit 1, the database as it was -------------------------------------------------

BAD_CORPORA = sorted([
    "garbage .json", "garbage .jsonl", "garbage .csv", "garbage .tsv", "JSONL malformed at line 6",
    "LLaVA without conversations", "conversations a string", "a turn not an object", "raw NUL in JSONL",
    "truncated .gz", "truncated .zst", "corrupt text page in parquet"])


@pytest.fixture(scope="module")
def bad_corpora(tmp_path_factory) -> dict[str, Path]:
    return bad_inputs.write_bad_corpora(tmp_path_factory.mktemp("bad"))


def test_every_bad_corpus_of_the_issue_is_written(bad_corpora):
    assert sorted(bad_corpora) == BAD_CORPORA


@pytest.mark.parametrize("case", BAD_CORPORA)
def test_a_bad_corpus_leaves_no_ghost_corpus(bad_corpora, indexed_db, tmp_path, case):
    before = all_rows(indexed_db)
    for db in (indexed_db, tmp_path / "new.duckdb"):
        code, _, stderr = run_cli("index", str(bad_corpora[case]), "--db", str(db), "--classes", "cifar100", "-q")
        assert code == 1 and len(stderr.splitlines()) == 1 and stderr.startswith("error:"), stderr
    assert all_rows(indexed_db) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("new", ".new"))) == []


def _mixed_folder(folder: Path) -> Path:
    """a.parquet and c.parquet sound; b.parquet's third row group (of four, a shard each) a corrupt page."""
    folder.mkdir()
    parquet_corpus(folder / "a.parquet", rows=10_000, row_group=5_000)
    bad_inputs._corrupt_parquet_page(folder / "b.parquet")
    parquet_corpus(folder / "c.parquet", rows=10_000, row_group=5_000)
    return folder


def _sources(db: Path, corpus: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as connection:
        return connection.execute("SELECT path, row_start, status, n_docs FROM sources WHERE corpus = ? ORDER BY ALL",
                                  [corpus]).fetchall()


def test_a_file_failing_mid_run_keeps_only_other_files_whole_and_says_how_to_resume_or_remove(tmp_path):
    folder = _mixed_folder(tmp_path / "mixed")
    db = tmp_path / "db.duckdb"
    with pytest.raises(FreqscopeError) as failed:
        index([folder], db=db, corpus="mix", classes=["cifar10"], shard_rows=5_000)
    message = str(failed.value)
    assert "b.parquet" in message and "kept in corpus 'mix': the 2 shard(s) of 1 other file(s)" in message
    assert "nothing of b.parquet" in message and f"freqscope corpus remove mix --db {db}" in message
    # b.parquet's first two shards were committed before its third failed: they are gone again
    assert [(Path(path).name, start, status) for path, start, status, _ in _sources(db, "mix")] == [
        ("a.parquet", 0, "done"), ("a.parquet", 5_000, "done")]
    # leaving b out resumes after a; the corpus is then what a clean run of a and c makes
    (folder / "b.parquet").rename(tmp_path / "b.parquet")
    summary = index([folder], db=db, corpus="mix", classes=["cifar10"], shard_rows=5_000)
    assert (summary.shards_skipped, summary.shards_indexed) == (2, 2)
    clean = tmp_path / "clean.duckdb"
    index([folder], db=clean, corpus="mix", classes=["cifar10"], shard_rows=5_000)
    with duckdb.connect(str(db), read_only=True) as resumed, duckdb.connect(str(clean), read_only=True) as fresh:
        sql = "SELECT taxonomy, class_index, docs, mentions FROM exposure ORDER BY ALL"
        assert resumed.execute(sql).fetchall() == fresh.execute(sql).fetchall()


def test_a_file_failing_mid_run_with_nothing_else_kept_leaves_the_database_as_it_was(indexed_db, tmp_path):
    bad = tmp_path / "b.parquet"
    bad_inputs._corrupt_parquet_page(bad)
    before = all_rows(indexed_db)
    for db in (indexed_db, tmp_path / "new.duckdb"):
        with pytest.raises(FreqscopeError) as failed:
            index([bad], db=db, corpus="bad", classes=["cifar10"], shard_rows=5_000)
        assert "kept" not in str(failed.value)
    assert all_rows(indexed_db) == before
    assert not (tmp_path / "new.duckdb").exists() and not list(tmp_path.glob(".new*"))


def test_corpus_remove_takes_away_the_corpus_and_all_that_hangs_on_it(tmp_path):
    db = tmp_path / "db.duckdb"
    index([CC3M], db=db, corpus="cc3m", classes=["cifar10"])
    before = all_rows(db)
    index([parquet_corpus(tmp_path / "c.parquet")], db=db, corpus="extra", classes=["cifar10", "cifar100"])
    code, _, stderr = run_cli("corpus", "remove", "extra", "--db", str(db))
    assert code == 0 and "removed corpus 'extra' (1 shard(s), 30,000 documents)" in stderr, stderr
    after = all_rows(db)
    # what stays of the run: the list it added (cifar100); every row of the corpus is gone
    for table in ("taxonomies", "classes", "terms", "context_words", "block_phrases", "block_heads"):
        after[table] = [row for row in after[table] if "'cifar100'" not in row]
    assert after == before
    code, _, stderr = run_cli("corpus", "remove", "extra", "--db", str(db))
    assert code == 1 and stderr == "error: no corpus 'extra' in the database (its corpora: cc3m): check the name"
    code, _, stderr = run_cli("corpus", "remove", "x", "--db", str(tmp_path / "none.duckdb"))
    assert code == 1 and "no database at" in stderr and not (tmp_path / "none.duckdb").exists()


def test_remove_corpus_in_the_api_is_the_command(tmp_path):
    db = tmp_path / "db.duckdb"
    index([CC3M], db=db, corpus="cc3m", classes=["cifar10"])
    before = all_rows(db)
    index([parquet_corpus(tmp_path / "c.parquet")], db=db, corpus="extra", classes=["cifar10"])
    assert freqscope.remove_corpus("extra", db=db) == (1, 30_000)
    assert all_rows(db) == before
    with pytest.raises(FreqscopeError, match="no corpus 'extra' in the database"):
        freqscope.remove_corpus("extra", db=db)


@pytest.mark.parametrize("stop", [KeyboardInterrupt, RuntimeError])
def test_infer_stopped_while_its_model_loads_leaves_no_database_and_no_run(tmp_path, monkeypatch, stop):
    pytest.importorskip("torch")
    import freqscope.infer.runner as runner
    from freqscope.infer import synthetic

    images = synthetic.write_image_folder(tmp_path / "imgs", ["cat", "dog"], 1)

    def loading(*args, **kwargs):
        raise stop("while loading")

    monkeypatch.setattr(runner, "load_model", loading)
    new = tmp_path / "new.duckdb"
    existing = tmp_path / "db.duckdb"
    index([CC3M], db=existing, corpus="cc3m", classes=["cifar10"])
    before = all_rows(existing)
    for db in (new, existing):
        with pytest.raises(stop):
            runner.infer("some/model", images, classes="cifar10", db=db, device="cpu")
    assert not new.exists() and not list(tmp_path.glob(".new*"))
    assert all_rows(existing) == before


# --- tracebacks and quiet misreadings of imports, SQL output and index ----------------------------------------

from freqscope.accuracy import import_accuracy, import_counts  # noqa: E402
from freqscope.sql_query import write_result  # noqa: E402


@pytest.mark.parametrize(("name", "content", "message"), [
    ("latin1.csv", "class,accuracy\ncaf\xe9,0.5\n".encode("latin-1"), r"is not UTF-8 .*save it as UTF-8"),
    ("big_n.csv", b"class,accuracy,n\ndog,0.5,3000000000\n", r"n '3000000000' must be a whole number from 0 to 2,147,483,647"),
    ("neg_n.csv", b"class,accuracy,n\ndog,0.5,-3\n", r"n '-3' must be a whole number"),
    ("frac_index.csv", b"class,accuracy,class_index\ndog,0.5,5.9\n", r"class_index '5.9' must be a whole number"),
    ("disagree.csv", b"class,accuracy,class_index\ndog,0.5,3\n", r"'dog' gives class_index 3, which is 'cat'"),
    ("mixed.csv", b"class,accuracy\ndog,0.5\ncat,1.2\nbird,0.4\n", r"1 of 3 accuracies are above 1 .*--scale percent"),
    ("true.json", b'{"dog": true, "cat": 0.5}', r"true is not a number"),
    ("dup.json", b'{"dog": 0.5, "dog": 0.7}', r"the key 'dog' appears 2 times"),
])
def test_a_bad_accuracy_file_is_one_line_and_leaves_no_new_database(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    db = tmp_path / "new.duckdb"
    with pytest.raises(FreqscopeError, match=message):
        import_accuracy(db, path, "cifar10")
    assert not db.exists() and not list(tmp_path.glob(".new*"))


def test_scale_settles_a_file_of_percent_with_values_below_one(tmp_path):
    path = tmp_path / "acc.csv"
    path.write_text("class,accuracy\ndog,0.5\ncat,12\nbird,0.4\n")
    result = import_accuracy(tmp_path / "db.duckdb", path, "cifar10", scale="percent")
    assert result.scale == "percent"
    with duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True) as connection:
        assert connection.execute("SELECT accuracy FROM accuracy_imports WHERE class_index = 5").fetchall() == [(0.005,)]


def test_a_name_matching_no_class_is_reported_with_the_nearest_class(tmp_path):
    path = tmp_path / "acc.csv"
    path.write_text("class,accuracy\ncra,0.5\nbear,0.4\nzzzz,0.3\n")
    result = import_accuracy(tmp_path / "db.duckdb", path, "cifar100")
    lines = result.warnings()
    assert any(line.startswith("'cra' of") and "--alias 'cra=crab'" in line for line in lines), lines
    assert any(line.startswith("'zzzz' of") and "--alias" not in line for line in lines), lines


@pytest.mark.parametrize(("content", "message"), [
    ('{"dog": Infinity, "cat": 3}', r"Infinity is not a number JSON allows"),
    ('{"dog": 1e30, "cat": 3}', r"count 1e\+30 must be a whole number from 0 to"),
    ('{"dog": 2.5}', r"count 2.5 must be a whole number"),
])
def test_bad_counts_are_one_line(tmp_path, content, message):
    path = tmp_path / "counts.json"
    path.write_text(content)
    with pytest.raises(FreqscopeError, match=message):
        import_counts(tmp_path / "db.duckdb", path, corpus="pub", taxonomy="cifar10")
    assert not (tmp_path / "db.duckdb").exists()


def test_a_folder_as_the_file_to_import_is_one_line(tmp_path):
    with pytest.raises(FreqscopeError, match="is a folder"):
        import_accuracy(tmp_path / "db.duckdb", tmp_path, "cifar10", format="json")


def test_a_list_name_a_letter_off_a_known_one_needs_new_list(tmp_path):
    path = tmp_path / "counts.json"
    path.write_text('{"dog": 3, "cat": 4}')
    with pytest.raises(FreqscopeError, match=r"there is 'cifar10': pass -t cifar10, or --new-list"):
        import_counts(tmp_path / "db.duckdb", path, corpus="pub", taxonomy="cifar1O")
    result = import_counts(tmp_path / "db.duckdb", path, corpus="pub", taxonomy="cifar1O", new_list=True)
    assert result.created_taxonomy


@pytest.fixture
def locked(indexed_db):
    connection = open_for_sql(indexed_db, locked=True)
    yield connection
    connection.close()


def test_results_polars_has_no_type_for_arrive_as_text(locked):
    frame = run_sql(locked, "SELECT INTERVAL 3 DAY AS i, union_value(k := 1) AS u, '101'::BIT AS b, "
                            "10000000000000000000000::HUGEINT AS h, 42::HUGEINT AS small")
    assert frame.rows() == [("3 days", "1", "101", "10000000000000000000000", 42)]


@pytest.mark.parametrize(("sql", "format", "message"), [
    ("SELECT 'inf'::DOUBLE AS x", "json", r"column 'x' holds inf or NaN"),
    ("SELECT 'nan'::DOUBLE AS x", "json", r"column 'x' holds inf or NaN"),
    ("SELECT 'ab'::BLOB AS b", "json", r"column 'b' holds bytes \(BLOB\), which JSON"),
    ("SELECT 'ab'::BLOB AS b", "csv", r"column 'b' holds bytes \(BLOB\), which CSV"),
])
def test_values_a_format_cannot_hold_are_refused_not_nulled(locked, sql, format, message):
    with pytest.raises(FreqscopeError, match=message):
        write_result(run_sql(locked, sql), format, stdout=io.StringIO())


def test_a_table_written_to_a_pipe_keeps_its_rows_whole(locked):
    long_text = "a caption that is much longer than any terminal is wide " * 4
    piped = io.StringIO()
    write_result(run_sql(locked, f"SELECT '{long_text}' AS caption, 1 AS n"), "table", stdout=piped)
    assert any(long_text.strip() in line for line in piped.getvalue().splitlines())


@pytest.mark.parametrize("target", ["folder", "missing folder", "read-only"])
def test_sql_output_to_a_place_it_cannot_write_is_one_line(indexed_db, tmp_path, target):
    output = {"folder": tmp_path, "missing folder": tmp_path / "missing" / "x.csv",
              "read-only": Path("/proc/version")}[target]
    code, _, stderr = run_cli("sql", "SELECT 1 AS x", "--db", str(indexed_db), "-f", "csv", "-o", str(output))
    assert code == 1 and len(stderr.splitlines()) == 1 and "Traceback" not in stderr, stderr


def test_format_given_that_does_not_fit_says_what_the_file_is(tmp_path):
    path = tmp_path / "records.json"
    path.write_text('[{"text": "a dog"}]')
    with pytest.raises(FreqscopeError, match=r"cannot be read as --format parquet .*it looks like json: pass "
                                             r"--format json") as refused:
        index([path], db=tmp_path / "db.duckdb", format="parquet")
    assert "or pass --format)" not in str(refused.value)


@pytest.mark.parametrize("suffix", [".txt", ".json", ".jsonl", ".csv", ".tsv", ".parquet"])
def test_an_empty_file_is_refused_in_every_format(tmp_path, suffix):
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    with pytest.raises(FreqscopeError, match=r"is empty \(0 bytes\)"):
        index([path], db=tmp_path / "db.duckdb", classes=["cifar10"])
    assert not (tmp_path / "db.duckdb").exists()


def test_a_symlink_loop_is_named_as_such(tmp_path):
    loop = tmp_path / "loop.jsonl"
    loop.symlink_to(loop)
    with pytest.raises(FreqscopeError, match="symbolic link that leads to no file"):
        index([loop], db=tmp_path / "db.duckdb", classes=["cifar10"])


@pytest.mark.parametrize(("name", "format"), [("long.jsonl", None), ("long.json", "jsonl")])
def test_jsonl_whose_first_line_is_over_1_mib_is_read_as_lines(tmp_path, name, format):
    path = bad_inputs.long_first_line_jsonl(tmp_path / name)
    summary = index([path], db=tmp_path / "db.duckdb", classes=["cifar10"], format=format)
    assert summary.docs_read == 6


def test_under_a_small_address_space_the_cli_says_so_in_one_line():
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    result = subprocess.run([sys.executable, "-m", "freqscope", "classes"], cwd=REPO_ROOT, env=env,
                            capture_output=True, text=True, preexec_fn=limit)
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    assert "ulimit -v" in result.stderr and "1.00 GiB" in result.stderr


def test_the_error_of_a_failed_insert_is_the_one_reported(monkeypatch):
    """Disk full: DuckDB aborts the transaction, and the unregister after the insert then raises 'transaction
    is aborted' over the 'No space left on device' that caused it."""
    import polars as pl

    from freqscope.indexer import _insert_frame

    class FullDisk:
        def register(self, name, frame):
            pass

        def execute(self, sql, params):
            raise duckdb.IOException('Could not write file "db.duckdb": No space left on device')

        def unregister(self, name):
            raise duckdb.TransactionException("Current transaction is aborted (please ROLLBACK)")

    with pytest.raises(duckdb.IOException, match="No space left on device"):
        _insert_frame(FullDisk(), "batch", pl.DataFrame({"x": [1]}), "INSERT ...", 1)
