"""FDP's binned log-linear fit, reproduced from their released files (docs/analysis.md: "Reproducing FDP").

FDP's plots print r = 0.99 for LAION-400M ViT-B-32 and r = 0.96 for CC-3M RN50, pooled over 18 datasets with the
integrated counts and the ensemble prompts. The defaults of analyze (12 bins, drop-low 1, drop-high 1) give both.
"""
from __future__ import annotations

import pytest

from freqscope.accuracy import import_accuracy, import_counts
from freqscope.analysis import analyze
from freqscope.paths import DATA_DIR
from freqscope.store import open_database
from conftest import SHARED_FDP, require_shared

FDP_DATASETS = ("imagenet", "cifar10", "cifar100", "caltech101", "caltech256", "sun397", "birdsnap", "country211",
                "cub", "dtd", "eurosat", "fgvcaircraft", "flowers102", "food101", "imagenet-sketch", "oxfordpets",
                "stanfordcars", "ucf101")
COUNTS = "search_counts/{dataset}_{corpus}_integrated_tlemmatized_i0.7_search_counts.json"
RESULTS = "zero_shot_evaluations/{dataset}_ensemble_results.json"


def import_fdp(connection, root, datasets, corpora):
    for dataset in datasets:
        for corpus in corpora:
            import_counts(connection, root / COUNTS.format(dataset=dataset, corpus=corpus), corpus=corpus,
                          taxonomy=f"fdp-{dataset}")
        result = import_accuracy(connection, root / RESULTS.format(dataset=dataset), taxonomy=f"fdp-{dataset}")
        assert not result.unmatched and not result.ambiguous and not result.missing_classes, dataset


@pytest.mark.shared
@pytest.mark.parametrize("corpus, model, printed", [
    ("laion400m", "backboneViT-B-32_pretrainedlaion400m", 0.99),
    ("cc3m", "backboneRN50_pretrainedcc3m", 0.96),
])
def test_fdp_binned_fit_reproduces_the_published_r(tmp_path, corpus, model, printed):
    root = require_shared(SHARED_FDP)
    connection = open_database(tmp_path / "fdp.duckdb")
    import_fdp(connection, root, FDP_DATASETS, [corpus])
    result = analyze(connection, [f"fdp-{d}" for d in FDP_DATASETS], [corpus], model, n_boot=0, sensitivity=False)
    assert result["n_classes"] == 4469
    assert result["binned_pearson"]["n"] == 10
    assert round(result["binned_pearson"]["r"], 2) == printed


def test_bundled_fdp_subset_gives_a_positive_trend(tmp_path):
    connection = open_database(tmp_path / "bundled.duckdb")
    datasets = ("cifar10", "cifar100", "flowers102", "food101")
    import_fdp(connection, DATA_DIR / "published" / "fdp", datasets, ["cc3m"])
    result = analyze(connection, [f"fdp-{d}" for d in datasets], ["cc3m"], "backboneRN50_pretrainedcc3m",
                     n_boot=0, sensitivity=False)
    assert result["n_classes"] == 313
    assert result["spearman"]["r"] > 0.3 and result["head_accuracy"] > result["tail_accuracy"]
