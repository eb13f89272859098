"""Accuracy and counts imports, and the class-name alias step."""
from __future__ import annotations

import json

import pytest

from freqscope.accuracy import import_accuracy, import_counts, match_class_names
from freqscope.errors import FreqscopeError
from freqscope.paths import DATA_DIR
from freqscope.store import open_database, store_class_list, transaction
from tests.helpers_analysis import class_list

CIFAR10 = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
BUNDLED_FDP = DATA_DIR / "published" / "fdp"


@pytest.fixture
def cifar_db(db_path):
    connection = open_database(db_path)
    with transaction(connection):
        store_class_list(connection, class_list("cifar10", CIFAR10))
    yield connection
    connection.close()


def accuracies(connection, model):
    return dict(connection.execute("SELECT class, accuracy FROM class_accuracy WHERE model = ? ORDER BY class_index",
                                   [model]).fetchall())


def test_alias_step_joins_by_name_normalised_name_and_known_alias():
    classes = [(0, "airplane"), (1, "American Pit Bull Terrier"), (2, "globe flower"), (3, "crane"), (4, "crane")]
    match = match_class_names(["plane", "american_pit_bull_terrier", "Globe-Flower", "crane", "unicorn"], classes)
    assert match.indices == {"plane": 0, "american_pit_bull_terrier": 1, "Globe-Flower": 2}
    assert match.aliased == {"plane": "airplane", "american_pit_bull_terrier": "American Pit Bull Terrier",
                             "Globe-Flower": "globe flower"}
    assert match.unmatched == ["unicorn"]
    assert match.ambiguous == ["crane"]  # two classes share the name: never guessed


def test_alias_step_takes_user_aliases_and_refuses_two_names_for_one_class():
    match = match_class_names(["auto", "car", "Car"], [(0, "car")], aliases={"auto": "car"})
    assert match.indices == {"auto": 0}
    assert sorted(match.ambiguous) == ["Car", "car"]


def test_csv_in_percent_is_stored_as_fractions_and_unmatched_names_are_reported(cifar_db, tmp_path):
    path = tmp_path / "acc.csv"
    path.write_text("class,accuracy,n\nplane,95.5,1000\nAutomobile,80,1000\nbird,12,1000\nunicorn,50,10\n")
    result = import_accuracy(cifar_db, path, taxonomy="cifar10", model="m")
    assert result.scale == "percent" and result.n_rows == 3
    assert result.unmatched == ["unicorn"]
    assert "unicorn" in result.warnings()[0]
    assert len(result.missing_classes) == 7
    assert accuracies(cifar_db, "m") == pytest.approx({"airplane": 0.955, "automobile": 0.8, "bird": 0.12})
    assert cifar_db.execute("SELECT n FROM accuracy_imports WHERE class_index = 0").fetchall() == [(1000,)]


def test_json_fractions_stay_fractions_and_reimport_replaces(cifar_db, tmp_path):
    path = tmp_path / "model-x.json"
    path.write_text(json.dumps({"cat": 0.5, "dog": 0.25}))
    result = import_accuracy(cifar_db, path, taxonomy="cifar10")
    assert result.scale == "fraction" and result.target == ["model-x"]
    path.write_text(json.dumps({"cat": 0.75}))
    import_accuracy(cifar_db, path, taxonomy="cifar10")
    assert accuracies(cifar_db, "model-x") == {"cat": 0.75}


def test_fdp_file_imports_every_model_under_its_key(cifar_db):
    file = BUNDLED_FDP / "zero_shot_evaluations" / "cifar10_ensemble_results.json"
    published = json.loads(file.read_text())
    result = import_accuracy(cifar_db, file, taxonomy="cifar10")
    assert sorted(result.target) == sorted(published) and result.n_rows == 10 * len(published)
    assert result.aliased == {"plane": "airplane", "car": "automobile"} and not result.unmatched
    key = "backboneRN50_pretrainedcc3m"
    assert accuracies(cifar_db, key)["airplane"] == pytest.approx(published[key]["classwise"]["plane"] / 100)
    only = import_accuracy(cifar_db, file, taxonomy="cifar10", model=key)
    assert only.target == [key]


def test_bad_inputs_are_one_line_errors(cifar_db, tmp_path):
    with pytest.raises(FreqscopeError, match="no file"):
        import_accuracy(cifar_db, tmp_path / "missing.json", taxonomy="cifar10")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,score\ncat,1\n")
    with pytest.raises(FreqscopeError, match="columns class and accuracy"):
        import_accuracy(cifar_db, bad, taxonomy="cifar10")
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"unicorn": 0.5}))
    with pytest.raises(FreqscopeError, match="no class name"):
        import_accuracy(cifar_db, wrong, taxonomy="cifar10")
    above = tmp_path / "above.json"
    above.write_text(json.dumps({"cat": 150}))
    with pytest.raises(FreqscopeError, match="percent"):
        import_accuracy(cifar_db, above, taxonomy="cifar10")
    with pytest.raises(FreqscopeError, match="neither in the database"):
        import_accuracy(cifar_db, wrong, taxonomy="no-such-list")


def test_counts_import_creates_the_list_and_an_imported_corpus(db_path):
    file = BUNDLED_FDP / "search_counts" / "cifar100_laion400m_integrated_tlemmatized_i0.7_search_counts.json"
    published = json.loads(file.read_text())
    connection = open_database(db_path)
    result = import_counts(connection, file, corpus="laion400m-fdp", taxonomy="fdp-cifar100")
    assert result.created_taxonomy and result.n_rows == 100 and not result.unmatched
    assert connection.execute("SELECT kind, format, rules FROM corpora").fetchall() == [("imported", "imported", "{}")]
    exposure = dict(connection.execute("SELECT class, docs FROM exposure WHERE corpus = 'laion400m-fdp'").fetchall())
    assert exposure == published
    assert connection.execute("SELECT source FROM taxonomies").fetchall()[0][0] == f"import:{file}"
    again = import_counts(connection, file, corpus="laion400m-fdp", taxonomy="fdp-cifar100")
    assert not again.created_taxonomy
    assert connection.execute("SELECT count(*) FROM imported_counts").fetchall() == [(100,)]


def test_counts_into_an_existing_list_go_through_the_alias_step(cifar_db, tmp_path):
    path = tmp_path / "counts.json"
    path.write_text(json.dumps({"plane": 7, "cat": 3, "griffin": 1}))
    result = import_counts(cifar_db, path, corpus="pub", taxonomy="cifar10")
    assert not result.created_taxonomy and result.unmatched == ["griffin"]
    rows = cifar_db.execute("SELECT class, docs FROM exposure WHERE docs > 0 ORDER BY class").fetchall()
    assert rows == [("airplane", 7), ("cat", 3)]


def test_counts_cannot_overwrite_an_indexed_corpus(cifar_db, tmp_path):
    cifar_db.execute("INSERT INTO corpora (corpus, format, kind, rules) VALUES ('coco', 'coco', 'captions', '{}')")
    path = tmp_path / "counts.json"
    path.write_text(json.dumps({"cat": 3}))
    with pytest.raises(FreqscopeError, match="indexed corpus"):
        import_counts(cifar_db, path, corpus="coco", taxonomy="cifar10")


def test_cli_imports_and_warns(db_path, tmp_path):
    from typer.testing import CliRunner

    from freqscope.cli import app

    path = tmp_path / "acc.csv"
    path.write_text("class,accuracy\ncat,0.5\nunicorn,0.1\n")
    with transaction(connection := open_database(db_path)):
        store_class_list(connection, class_list("cifar10", CIFAR10))
    connection.close()
    result = CliRunner().invoke(app, ["accuracy", "import", str(path), "-t", "cifar10", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "unicorn" in result.output
