"""freqscope audit: reproducible samples, highlighted matches, and the labels round trip."""
from __future__ import annotations

import shutil
import subprocess
import sys

import polars as pl
import pytest
from typer.testing import CliRunner

from freqscope.audit import (
    SHEET_COLUMNS, MatchLocator, audit, export_labels, import_labels, resolve_class,
)
from freqscope.cli.app import app
from freqscope.errors import FreqscopeError
from freqscope.matcher import Matcher, MatchRules
from freqscope.paths import CORPORA_DIR, REPO_ROOT
from freqscope.store import open_database, read_class_list
from freqscope.terms.taxonomy import ClassEntry, ClassList, Term
from freqscope.text import normalize_words

from conftest import SHARED_CORPORA, require_shared


@pytest.fixture
def writable(exposure_db, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copy(exposure_db, copy)
    connection = open_database(copy)
    yield connection
    connection.close()


def toy_list(name: str, classes: list[tuple[str, list[str]]]) -> ClassList:
    entries = [ClassEntry(i, class_name) for i, (class_name, _) in enumerate(classes)]
    terms = [Term(i, term, "name" if term == class_name else "synonym")
             for i, (class_name, names) in enumerate(classes) for term in [class_name, *names]]
    return ClassList(name, f"test:{name}", entries, terms)


def sample_keys(sample) -> list[tuple[int, int]]:
    return [(d.source_id, d.doc) for d in sample.documents]


def test_resolve_class_by_name_index_and_taxonomy(con):
    assert resolve_class(con, "dog") == resolve_class(con, "cifar10:5")
    assert resolve_class(con, "Dog").name == "dog"
    with pytest.raises(FreqscopeError, match="ambiguous.*cifar100:6, imagenet1k:309.*--taxonomy"):
        resolve_class(con, "bee")
    assert resolve_class(con, "bee", taxonomy="imagenet1k").class_index == 309
    with pytest.raises(FreqscopeError, match="ambiguous.*imagenet1k:657, imagenet1k:744.*TAXONOMY:INDEX"):
        resolve_class(con, "missile")
    with pytest.raises(FreqscopeError, match="no class named 'dragon'"):
        resolve_class(con, "dragon")
    with pytest.raises(FreqscopeError, match="cifar10 has no class 10"):
        resolve_class(con, "cifar10:10")


def test_the_same_seed_gives_the_same_sample(con):
    first = audit(con, "dog", n=15, seed=7)
    again = audit(con, "dog", n=15, seed=7)
    other = audit(con, "dog", n=15, seed=8)
    assert len(first.documents) == 15
    assert sample_keys(first) == sample_keys(again)
    assert [d.text for d in first.documents] == [d.text for d in again.documents]
    assert sample_keys(first) != sample_keys(other)
    assert len(set(sample_keys(first))) == 15
    # the sample is drawn from every corpus, not the first rows of the first file
    assert len({d.corpus for d in audit(con, "dog", n=40, seed=1).documents}) > 1
    assert first.n_matched == con.execute(
        "SELECT count(DISTINCT (source_id, doc)) FROM matches WHERE taxonomy = 'cifar10' AND class_index = 5"
    ).fetchall()[0][0]


def test_sampled_documents_matched_the_class_and_show_its_words(con):
    sample = audit(con, "cat", taxonomy="cifar10", corpus="coco_captions", n=20, seed=2)
    assert {d.corpus for d in sample.documents} == {"coco_captions"}
    for document in sample.documents:
        assert con.execute(
            "SELECT count(*) FROM matches WHERE source_id = ? AND doc = ? AND taxonomy = 'cifar10' AND class_index = 3",
            [document.source_id, document.doc],
        ).fetchall()[0][0] > 0
        assert document.doc_key is not None  # COCO image ids
        assert document.spans, document.text
        highlighted = {" ".join(normalize_words(document.text[a:b])) for a, b in document.spans}
        assert highlighted <= {term for term, _ in document.terms} | {"cat", "cats"}


def test_fewer_matches_than_n_gives_them_all(con):
    sample = audit(con, "imagenet1k:340", n=1000)  # zebra
    assert 0 < len(sample.documents) == sample.n_matched < 1000


def test_instruction_documents_show_the_turns_of_the_roles_that_matched(con):
    require_shared(SHARED_CORPORA / "llava_samples")
    sample = audit(con, "dog", corpus="llava", n=10, seed=0)
    assert len(sample.documents) == 10
    for document in sample.documents:
        assert document.role in ("human", "gpt", "human+gpt")
        for line in document.text.splitlines()[:1]:
            assert line.split(":")[0] in document.role.split("+")
        assert document.spans


def test_locator_follows_leftmost_longest_across_lists():
    pets = toy_list("pets", [("dog", []), ("cat", [])])
    food = toy_list("food", [("hot dog", ["frankfurter"])])
    locator = MatchLocator([pets, food], MatchRules())
    text = "A hot dog, and a DOG; then a Hot-Dog."
    assert [text[a:b] for a, b in locator.spans(text, "pets", 0)] == ["DOG"]
    assert [text[a:b] for a, b in locator.spans(text, "food", 0)] == ["hot dog", "Hot-Dog"]
    # the spans index the original text, also where normalisation changes characters
    wide = "ａ ＤＯＧ and a cafe\u0301 cat"
    assert [wide[a:b] for a, b in locator.spans(wide, "pets", 0)] == ["ＤＯＧ"]
    assert [wide[a:b] for a, b in locator.spans(wide, "pets", 1)] == ["cat"]
    overlapping = MatchLocator([pets, food], MatchRules(overlapping=True))
    assert [text[a:b] for a, b in overlapping.spans(text, "pets", 0)] == ["dog", "DOG", "Dog"]
    substrings = MatchLocator([pets], MatchRules(substrings=True))
    assert [t[a:b] for t in ["catalogue of dogs"] for a, b in substrings.spans(t, "pets", 1)] == ["catalogue"]


def test_locator_agrees_with_the_matcher_on_real_captions(con):
    lists = [read_class_list(con, t) for t in ("cifar10", "cifar100", "imagenet1k")]
    captions = pl.read_parquet(CORPORA_DIR / "laion_sample" / "test_10000.parquet")["TEXT"]
    found = Matcher(lists, MatchRules()).match(captions)
    counts = found.group_by("row", "taxonomy", "class_index").agg(pl.col("n").sum())
    locator = MatchLocator(lists, MatchRules())
    assert counts.height > 100
    for row, taxonomy, class_index, n in counts.iter_rows():
        assert len(locator.spans(captions[row], taxonomy, class_index)) == n, (captions[row], taxonomy, class_index)


def test_labels_round_trip_into_precision_weighted_exposure(writable, tmp_path):
    sample = audit(writable, "dog", corpus="coco_captions", n=10, seed=4)
    sheet = tmp_path / "labels.csv"
    assert export_labels(sample, sheet) == 10
    exported = pl.read_csv(sheet, infer_schema=False)
    assert tuple(exported.columns) == SHEET_COLUMNS
    assert exported["relevant"].null_count() == 10
    assert exported["text"].to_list() == [d.text for d in sample.documents]

    judgements = ["yes"] * 6 + ["no"] * 2 + [None, None]
    exported.with_columns(relevant=pl.Series(judgements)).write_csv(sheet)
    summary = import_labels(writable, sheet)
    assert (summary.stored, summary.unlabelled) == (8, 2)
    assert summary.judged.select("class", "n_judged", "precision").rows() == [("dog", 8, 0.75)]
    docs, precision, weighted = writable.execute(
        "SELECT docs, precision, precision_weighted FROM exposure_weighted "
        "WHERE corpus = 'coco_captions' AND taxonomy = 'cifar10' AND class_index = 5"
    ).fetchall()[0]
    assert (precision, weighted) == (0.75, pytest.approx(docs * 0.75))

    # judging a document again replaces its judgement
    exported.with_columns(relevant=pl.Series(["no"] * 8 + [None, None])).write_csv(sheet)
    import_labels(writable, sheet)
    assert writable.execute("SELECT count(*), bool_or(relevant) FROM audit_labels").fetchall()[0] == (8, False)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"relevant": ["maybe"]}, r"labels.csv, row 2: relevant must be yes or no, not 'maybe'"),
        ({"doc": ["x"]}, r"labels.csv, row 2: doc must be a whole number"),
        ({"doc": ["999999"]}, r"labels.csv, row 2: that document did not match that class"),
        ({"class_index": ["4"]}, r"labels.csv, row 2: that document did not match that class"),
        ({"doc": ["²"]}, r"labels.csv, row 2: doc must be a whole number"),  # "²".isdigit() is True
        ({"source_id": ["9999999999"]}, r"labels.csv, row 2: source_id must be a whole number from 0 to 2,147,483,647"),
    ],
)
def test_a_bad_row_names_the_file_and_row_and_stores_nothing(writable, tmp_path, change, message):
    sample = audit(writable, "dog", corpus="laion", n=3, seed=0)
    sheet = tmp_path / "labels.csv"
    export_labels(sample, sheet)
    rows = pl.read_csv(sheet, infer_schema=False).with_columns(relevant=pl.lit("yes"))
    # the bad value goes in the first data row, which a spreadsheet shows as row 2
    for column, values in change.items():
        rows = rows.with_columns(pl.concat([pl.Series(column, values), rows[column].slice(1)]))
    rows.write_csv(sheet)
    with pytest.raises(FreqscopeError, match=message):
        import_labels(writable, sheet)
    assert writable.execute("SELECT count(*) FROM audit_labels").fetchall()[0][0] == 0


def test_a_sheet_without_its_columns_is_refused(writable, tmp_path):
    sheet = tmp_path / "labels.csv"
    sheet.write_text("corpus,taxonomy,doc\nlaion,cifar10,1\n")
    with pytest.raises(FreqscopeError, match="column 'class_index' is missing"):
        import_labels(writable, sheet)


def test_cli_audit_prints_exports_and_imports(exposure_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copy(exposure_db, db)
    sheet = tmp_path / "labels.csv"
    runner = CliRunner()
    result = runner.invoke(app, ["audit", "cat", "--taxonomy", "cifar10", "--corpus", "cc3m", "--n", "3",
                                 "--seed", "5", "--export", str(sheet), "--db", str(db)])
    assert result.exit_code == 0, result.output
    labels = pl.read_csv(sheet)
    assert labels.height == 3
    for text in labels["text"]:
        assert text in result.stdout
    labels.with_columns(relevant=pl.Series(["yes", "no", "yes"])).write_csv(sheet)
    result = runner.invoke(app, ["audit", "--import", str(sheet), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "0.67" in result.stdout


def test_cli_errors_are_one_line_with_a_non_zero_exit(exposure_db):
    result = subprocess.run(
        [sys.executable, "-m", "freqscope", "audit", "bee", "--db", str(exposure_db)],
        capture_output=True, text=True, cwd=REPO_ROOT,
    )
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "ambiguous" in result.stderr


def test_a_document_judged_yes_and_no_is_refused_and_twice_alike_counts_once(writable, tmp_path):
    sample = audit(writable, "dog", corpus="coco_captions", n=3, seed=1)
    sheet = tmp_path / "labels.csv"
    export_labels(sample, sheet)
    exported = pl.read_csv(sheet, infer_schema=False)
    doubled = pl.concat([exported, exported])
    doubled.with_columns(relevant=pl.Series(["yes"] * 3 + ["no"] + ["yes"] * 2)).write_csv(sheet)
    with pytest.raises(FreqscopeError, match=r"labels.csv, rows 2, 5: the same document is judged both yes and no"):
        import_labels(writable, sheet)
    doubled.with_columns(relevant=pl.Series(["yes"] * 6)).write_csv(sheet)
    summary = import_labels(writable, sheet)
    assert summary.stored == 3
    assert writable.execute("SELECT count(*) FROM audit_labels").fetchall()[0][0] == 3


def test_a_name_that_is_no_class_lists_the_classes_it_could_mean(con):
    with pytest.raises(FreqscopeError) as refused:
        resolve_class(con, "crane")
    message = str(refused.value)
    assert "imagenet1k:134" in message and "imagenet1k:517" in message and "construction crane" in message
    assert "freqscope audit imagenet1k:134" in message
    with pytest.raises(FreqscopeError, match=r"did you mean 'airplane'"):
        resolve_class(con, "airplan")
