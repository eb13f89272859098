"""The README's main command: index the bundled corpora, import the bundled accuracies, write a report."""
from __future__ import annotations

import shutil
import subprocess

import duckdb
from typer.testing import CliRunner

from freqscope.cli import app


def test_demo_runs_the_main_job_on_the_bundled_data(tmp_path):
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report.pdf").stat().st_size > 10_000
    with duckdb.connect(str(tmp_path / "freqscope.duckdb"), read_only=True) as connection:
        corpora = dict(connection.execute("SELECT corpus, n_docs FROM corpus_sizes").fetchall())
        assert corpora == {"coco_captions": 25_014, "cc3m": 15_833, "laion": 10_000}
        seen = connection.execute(
            "SELECT count(*) FROM exposure WHERE corpus = 'cc3m' AND taxonomy = 'cifar10' AND docs > 0").fetchall()[0][0]
        assert seen == 10
        models = connection.execute("SELECT count(DISTINCT model) FROM class_accuracy").fetchall()[0][0]
        assert models == 21
        # FDP's "cra" and "ball moss" are CIFAR-100's crab and Flowers-102's air plant: no class left out
        placed = dict(connection.execute(
            "SELECT taxonomy, count(DISTINCT class_index) FROM class_accuracy GROUP BY taxonomy").fetchall())
        assert placed == {"cifar10": 10, "cifar100": 100, "flowers102": 102, "food101": 101}
    # the headline statistic ends the output: RN50 against our CC3M sample and against FDP's CC-3M counts
    last = result.stdout.strip().splitlines()[-2:]
    assert last[0].startswith("RN50 (cc3m), accuracy against exposure in cc3m: Spearman ρ = ") and "never mentioned" in last[0]
    assert last[1].startswith("RN50 (cc3m), accuracy against exposure in cc3m-fdp: Spearman ρ = ")
    # re-running reuses the indexed corpora and gives the same database contents
    again = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--quiet"])
    assert again.exit_code == 0, again.output


def test_demo_report_pairs_each_model_with_its_corpus_and_states_fdps_values(tmp_path):
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 0, result.output
    if shutil.which("pdftotext") is None:
        return  # the pairing itself is tested in test_report; the text needs poppler-utils
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    # each model against its own pretraining corpus: never ViT-B-32 (LAION-400M) against CC3M
    assert "RN50 (cc3m) against cc3m " in text and "ViT-B-32 (laion400m) against laion " in text
    assert "ViT-B-32 (laion400m) against cc3m" not in text and "RN50 (cc3m) against laion" not in text
    # what each corpus is, and FDP's published values beside what the bundled files give
    assert "the CC3M validation split" in text and "15,833" in text
    assert "Published results against this database" in text and "0.99" in text and "0.96" in text
    assert "Our counts against published counts" in text
