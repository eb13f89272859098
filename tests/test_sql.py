"""freqscope sql and freqscope.connect: read-only by default, DuckDB's errors on one line, four formats."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

import freqscope
from freqscope.cli.app import app
from freqscope.errors import FreqscopeError
from freqscope.paths import REPO_ROOT
from freqscope.sql_query import open_for_sql, plain_numbers, run_sql, write_result, write_sql_result

SIZES_SQL = "SELECT corpus, n_docs FROM corpus_sizes ORDER BY corpus"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "freqscope", *args], capture_output=True, text=True, cwd=REPO_ROOT)


@pytest.fixture
def writable_db(exposure_db, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copy(exposure_db, copy)
    return copy


def test_a_writing_statement_is_refused_without_write(exposure_db):
    connection = open_for_sql(exposure_db)
    try:
        before = connection.execute("SELECT count(*) FROM matches").fetchall()[0][0]
        for statement in ("DELETE FROM pattern_matches", "CREATE TABLE mine AS SELECT 1", "DROP VIEW exposure"):
            with pytest.raises(FreqscopeError, match=r"^refused: \w+ changes the database.*pass --write"):
                run_sql(connection, statement)
        assert connection.execute("SELECT count(*) FROM matches").fetchall()[0][0] == before
    finally:
        connection.close()


def test_cli_refusal_is_one_line_and_write_allows_it(writable_db):
    refused = cli("sql", "DELETE FROM audit_labels", "--db", str(writable_db))
    assert refused.returncode == 1
    assert refused.stderr.strip().count("\n") == 0 and "--write" in refused.stderr
    allowed = CliRunner().invoke(app, ["sql", "CREATE TABLE notes AS SELECT 'seen' AS note", "--write",
                                       "--db", str(writable_db), "-f", "csv"])
    assert allowed.exit_code == 0, allowed.output
    connection = duckdb.connect(str(writable_db), read_only=True)
    assert connection.execute("SELECT note FROM notes").fetchall() == [("seen",)]
    connection.close()


def test_bad_sql_gives_duckdbs_message_on_one_line(exposure_db):
    result = cli("sql", "SELECT * FROM exposures", "--db", str(exposure_db))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "Catalog Error: Table with name exposures does not exist" in result.stderr
    result = cli("sql", "SELEC 1", "--db", str(exposure_db))
    assert result.returncode == 1 and "Parser Error" in result.stderr and result.stderr.strip().count("\n") == 0


def test_a_missing_database_is_an_error_not_a_new_file(tmp_path):
    with pytest.raises(FreqscopeError, match="no database at"):
        open_for_sql(tmp_path / "absent.duckdb", write=True)
    assert not (tmp_path / "absent.duckdb").exists()


def test_formats_carry_the_same_rows(exposure_db, tmp_path):
    runner = CliRunner()
    expected = duckdb.connect(str(exposure_db), read_only=True).sql(SIZES_SQL).pl()
    csv = runner.invoke(app, ["sql", SIZES_SQL, "--db", str(exposure_db), "--format", "csv"])
    assert pl.read_csv(csv.stdout.encode()).equals(expected)
    as_json = runner.invoke(app, ["sql", SIZES_SQL, "--db", str(exposure_db), "--format", "json"])
    assert json.loads(as_json.stdout) == expected.to_dicts()
    out = tmp_path / "sizes.parquet"
    parquet = runner.invoke(app, ["sql", SIZES_SQL, "--db", str(exposure_db), "-f", "parquet", "-o", str(out)])
    assert parquet.exit_code == 0 and pl.read_parquet(out).equals(expected)
    table = runner.invoke(app, ["sql", SIZES_SQL, "--db", str(exposure_db)])
    for corpus, n_docs in expected.iter_rows():
        assert corpus in table.stdout and str(n_docs) in table.stdout
    to_file = tmp_path / "sizes.json"
    runner.invoke(app, ["sql", SIZES_SQL, "--db", str(exposure_db), "-f", "json", "-o", str(to_file)])
    assert json.loads(to_file.read_text()) == expected.to_dicts()
    no_file = runner.invoke(app, ["sql", SIZES_SQL, "--db", str(exposure_db), "-f", "parquet"])
    assert "pass -o" in str(no_file.exception)


def test_sums_arrive_as_integers_not_decimals(exposure_db):
    connection = open_for_sql(exposure_db)
    frame = run_sql(connection, "SELECT sum(n) AS n, sum(n) / 2 AS half FROM matches")
    connection.close()
    assert frame.schema == {"n": pl.Int64, "half": pl.Float64}
    assert plain_numbers(pl.DataFrame({"d": [1.5]}, schema={"d": pl.Decimal(10, 2)})).schema["d"] == pl.Float64


def test_table_output_escapes_markup_and_counts_hidden_rows(capsys):
    frame = pl.DataFrame({"text": ["a [bold]dog[/bold]"] * 250, "x": [None] * 250}, schema={"text": pl.String, "x": pl.Int64})
    write_result(frame, "table")
    captured = capsys.readouterr()
    assert "[bold]dog[/bold]" in captured.out and "NULL" in captured.out
    assert "250 row(s), 50 not shown" in captured.err


TYPES_SQL = """
SELECT 1 AS i, 2.50::DECIMAL(10, 2) AS d, 7::DECIMAL(10, 0) AS whole, sum(x) AS total, 1.5::FLOAT AS f,
       0.1234567 AS r, INTERVAL 1 DAY AS span, NULL::INTEGER AS nothing, [1, 2] AS l, {'k': 'v'} AS s,
       'a [bold]b[/bold]' AS t, DATE '2024-01-02' AS day
FROM range(3) t(x)
"""


@pytest.mark.parametrize("query", [TYPES_SQL, "SELECT range AS n, 'row ' || range AS name FROM range(250)",
                                   "SELECT 1 WHERE false"], ids=["types", "hidden-rows", "empty"])
def test_the_table_from_duckdbs_rows_equals_the_table_from_the_frame(query, capsys):
    """`freqscope sql`'s default table is printed without Polars: the same table as from the frame."""
    connection = duckdb.connect()
    write_result(run_sql(connection, query), "table")
    from_frame = capsys.readouterr()
    write_sql_result(connection, query, "table")
    from_rows = capsys.readouterr()
    assert from_rows.out == from_frame.out and from_rows.err == from_frame.err
    assert "row(s)" in from_rows.err
    with pytest.raises(FreqscopeError, match="Catalog Error"):
        write_sql_result(connection, "SELECT * FROM absent", "table")


def test_connect_gives_the_connection_and_polars_helpers(exposure_db):
    with freqscope.connect(exposure_db) as fs:
        assert isinstance(fs.connection, duckdb.DuckDBPyConnection)
        exposure = fs.exposure(corpus="coco_captions", taxonomy="cifar10")
        assert isinstance(exposure, pl.DataFrame) and exposure.height == 10
        assert {"docs", "mentions", "precision_weighted"} <= set(exposure.columns)
        dog_docs = exposure.filter(pl.col("class") == "dog")["docs"][0]
        matches = fs.matches("dog", taxonomy="cifar10", corpus="coco_captions")
        assert matches.select("source_id", "doc").n_unique() == dog_docs
        # puppy: a curated everyday name; German Shepherd Dog: ImageNet-1k's term for a kind of dog (origin hyponym)
        assert set(matches["term"]) == {"dog", "dogs", "puppy", "puppies", "German Shepherd Dog"}
        # CIFAR-10's dog has a WordNet id now: its synset's lemmas too
        terms = fs.terms(class_="cifar10:5")
        kinds = {t.term for t in freqscope.load_class_list("cifar10").terms
                 if t.class_index == 5 and "a kind of the class" in t.tier_reason}
        assert set(terms["term"]) - kinds == {
            "dog", "dogs", "puppy", "puppies", "domestic dog", "domestic dogs", "Canis familiaris", "domesticdog",
            "domesticdogs"}  # joined by the compound rule
        assert "German Shepherd Dog" in set(terms.filter(pl.col("origin") == "hyponym")["term"])
        assert fs.terms("cifar100").height == fs.sql(
            "SELECT n_terms FROM taxonomies WHERE taxonomy = $t", t="cifar100")["n_terms"][0]
        assert fs.query("top-classes", taxonomy="cifar10", corpus="laion", limit=1)["class"][0] == \
            exposure_of_top(fs, "laion")
        with pytest.raises(FreqscopeError, match="pass --write"):
            fs.sql("DELETE FROM pattern_matches")


def exposure_of_top(fs, corpus: str) -> str:
    return fs.exposure(corpus=corpus, taxonomy="cifar10").sort(["docs", "class_index"], descending=[True, False])["class"][0]


def test_connect_can_write_when_asked(writable_db):
    with freqscope.connect(writable_db, read_only=False) as fs:
        fs.sql("CREATE TABLE mine AS SELECT 1 AS x")
        assert fs.sql("SELECT x FROM mine")["x"].to_list() == [1]
