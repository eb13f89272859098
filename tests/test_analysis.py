"""Every statistic against scipy (or a hand computation) on known data, and analyze() on a hand-built database."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from freqscope.analysis import (
    TIERS_COUNTED, analyze, binned_fit, class_table, correlation, database_fingerprint, decade_bins, head_tail, log_exposure,
)
from freqscope.errors import FreqscopeError
from tests.helpers_analysis import accuracy_rows, small_database

RNG = np.random.default_rng(42)
COUNTS = np.floor(np.exp(RNG.uniform(0, 12, 200))) - 1  # 0 .. ~160k, zeros included
ACCURACY = np.clip(0.05 * np.log(np.maximum(COUNTS, 1)) + RNG.normal(0, 0.15, 200), 0, 1)


@pytest.mark.parametrize("method, reference", [
    ("spearman", lambda x, y: stats.spearmanr(x, y)),
    ("kendall", lambda x, y: stats.kendalltau(x, y)),
    ("pearson_log", lambda x, y: stats.pearsonr(np.log(np.maximum(x, 1)), y)),
])
def test_correlations_match_scipy(method, reference):
    expected = reference(COUNTS, ACCURACY)
    result = correlation(COUNTS, ACCURACY, method, n_boot=0)
    assert result["r"] == pytest.approx(expected[0]) and result["p"] == pytest.approx(expected[1])
    assert result["n"] == 200 and result["ci_low"] is None


def test_bootstrap_interval_matches_scipy_and_is_seeded():
    result = correlation(COUNTS, ACCURACY, "spearman", n_boot=300, seed=7)
    expected = stats.bootstrap((COUNTS, ACCURACY), lambda x, y: stats.spearmanr(x, y)[0], paired=True,
                               vectorized=False, n_resamples=300, method="percentile",
                               rng=np.random.default_rng(7)).confidence_interval
    assert (result["ci_low"], result["ci_high"]) == pytest.approx((expected.low, expected.high))
    assert result["ci_low"] < result["r"] < result["ci_high"]
    assert correlation(COUNTS, ACCURACY, "spearman", n_boot=300, seed=7) == result


def test_correlation_is_undefined_on_constant_input():
    assert correlation(np.ones(10), np.arange(10.0), "spearman")["r"] is None


def test_log_exposure_takes_zero_as_one():
    assert log_exposure([0, 1, math.e]) == pytest.approx([0, 0, 1])


def test_binned_fit_by_hand():
    # log counts 0, 0, 0.5, 1.5, 2.5, 4 (a count of 0 counts as 1); 5 points -> edges 0, 1, 2, 3, 4.
    counts = np.array([0, 1, *np.exp([0.5, 1.5, 2.5, 4.0])])
    accuracy = np.array([0.1, 0.3, 0.4, 0.5, 0.7, 0.65])
    fit = binned_fit(counts, accuracy, bins=5, drop_low=1, drop_high=1)
    assert [b["n"] for b in fit["bins"]] == [2, 1, 1, 1, 1]  # bin 0 holds both classes at the minimum
    assert fit["bins"][0]["mean_accuracy"] == pytest.approx(0.2)
    assert [b["kept"] for b in fit["bins"]] == [False, True, True, True, False]
    expected = stats.pearsonr([1, 2, 3], [0.4, 0.5, 0.7])
    assert fit["r"] == pytest.approx(expected[0]) and fit["p"] == pytest.approx(expected[1])
    assert fit["slope"] == pytest.approx(stats.linregress([1, 2, 3], [0.4, 0.5, 0.7]).slope)
    whole = binned_fit(counts, accuracy, bins=5, drop_low=0, drop_high=0)
    assert whole["r"] == pytest.approx(stats.pearsonr([0, 1, 2, 3, 4], [0.2, 0.4, 0.5, 0.7, 0.65])[0])


def test_binned_fit_skips_empty_bins_and_checks_options():
    fit = binned_fit(np.array([1.0, 2.0, 3.0, 1e6]), np.array([0.1, 0.2, 0.3, 0.9]), bins=10, drop_low=0, drop_high=0)
    assert sum(b["n"] for b in fit["bins"]) == 4 and fit["n_bins_kept"] == 3
    with pytest.raises(FreqscopeError):
        binned_fit(COUNTS, ACCURACY, bins=4, drop_low=2, drop_high=2)


def test_head_tail_matches_scipy():
    split = head_tail(COUNTS, ACCURACY, tail_fraction=0.2)
    order = np.argsort(COUNTS, kind="stable")
    tail, head = ACCURACY[order[:40]], ACCURACY[order[40:]]
    assert split["n_tail"] == 40 and split["n_head"] == 160
    assert split["tail_accuracy"] == pytest.approx(tail.mean()) and split["head_accuracy"] == pytest.approx(head.mean())
    u = stats.mannwhitneyu(head, tail, alternative="two-sided")
    t = stats.ttest_ind(head, tail, equal_var=False)
    assert split["mannwhitney_u"] == pytest.approx(u.statistic) and split["mannwhitney_p"] == pytest.approx(u.pvalue)
    assert split["welch_t"] == pytest.approx(t.statistic) and split["welch_p"] == pytest.approx(t.pvalue)
    assert split["tail_max_exposure"] == COUNTS[order[39]]


def test_head_tail_never_splits_tied_classes():
    # 6 of 10 classes never mentioned: a 20% tail would cut through the zeros, so all six form the tail
    counts = np.array([0, 5, 0, 0, 9, 0, 0, 7, 0, 8])
    accuracy = np.array([0.1, 0.9, 0.2, 0.1, 0.8, 0.3, 0.2, 0.7, 0.1, 0.9])
    split = head_tail(counts, accuracy, tail_fraction=0.2)
    assert (split["n_tail"], split["n_head"], split["tail_max_exposure"]) == (6, 4, 0)
    assert split["tail_share"] == pytest.approx(0.6)
    assert split["tail_accuracy"] == pytest.approx(accuracy[counts == 0].mean())
    assert split["head_accuracy"] == pytest.approx(accuracy[counts > 0].mean())
    # the same classes in another order give the same split (list order decides nothing)
    order = np.argsort(-accuracy, kind="stable")
    assert head_tail(counts[order], accuracy[order], tail_fraction=0.2)["tail_accuracy"] == split["tail_accuracy"]
    # a tie reaching the most exposed class leaves the tail below it; all equal: no split
    top = head_tail(np.array([1, 3, 3, 3, 3]), np.array([0.1, 0.2, 0.3, 0.4, 0.5]), tail_fraction=0.5)
    assert (top["n_tail"], top["tail_max_exposure"]) == (1, 1)
    flat = head_tail(np.ones(5), np.arange(5.0), tail_fraction=0.2)
    assert flat["n_tail"] == 0 and flat["tail_accuracy"] is None and flat["tail_max_exposure"] is None


def test_decade_bins():
    rows = decade_bins(np.array([0, 9, 10, 99, 100, 5000]), np.array([0.1, 0.3, 0.5, 0.7, 0.2, 0.4]))
    assert [(r["lower"], r["upper"], r["n"]) for r in rows] == [(0, 10, 2), (10, 100, 2), (100, 1000, 1), (1000, 10000, 1)]
    assert [r["mean_accuracy"] for r in rows] == pytest.approx([0.2, 0.6, 0.2, 0.4])


def test_analyze_on_a_hand_built_database(db_path):
    connection = small_database(db_path)
    table = class_table(connection, ["zoo"], ["captions"], "model-a")
    assert table.height == 30
    assert table.filter(table["class"] == "cat")["exposure"].item() == 0
    assert table.filter(table["class_index"] == 1)["exposure"].item() == 3  # the ambiguous "pet" documents count
    result = analyze(connection, ["zoo"], ["captions"], "model-a", n_boot=50)
    expected = stats.spearmanr(table["exposure"].to_numpy(), table["accuracy"].to_numpy())[0]
    assert result["spearman"]["r"] == pytest.approx(expected)
    assert set(result) >= {"n_classes", "spearman", "kendall", "pearson_log", "binned_pearson", "head_accuracy",
                           "tail_accuracy"}
    assert result["head_accuracy"] > result["tail_accuracy"]
    json.dumps(result)  # the whole result is JSON
    variants = {v["variant"]: v for v in result["sensitivity"]}
    assert "ambiguous terms skipped" in variants
    stored = connection.execute("SELECT statistic, value FROM analysis_statistics WHERE analysis_id = ? "
                                "AND variant = 'main' ORDER BY statistic", [result["analysis_id"]]).fetchall()
    assert dict(stored)["spearman"] == pytest.approx(expected)
    assert connection.execute("SELECT count(*) FROM analysis_bins WHERE binning = 'log'").fetchall() == [(12,)]


def test_analyze_sums_corpora_and_compares_with_imported_counts(db_path, tmp_path):
    from freqscope.accuracy import import_counts

    connection = small_database(db_path)
    counts = tmp_path / "pub.json"
    counts.write_text(json.dumps({f"animal {i}": 10 * i for i in range(1, 30)} | {"cat": 5}))
    import_counts(connection, counts, corpus="captions-published", taxonomy="zoo")
    import_counts(connection, counts, corpus="other", taxonomy="zoo")
    summed = class_table(connection, ["zoo"], ["captions", "captions-published"], "model-a")
    assert summed.filter(summed["class"] == "cat")["exposure"].item() == 5
    assert summed.filter(summed["class_index"] == 2)["exposure"].item() == 20
    result = analyze(connection, ["zoo"], ["captions"], "model-a", n_boot=0, store=False)
    # the same source counted under another name is a variant; an unrelated corpus is not
    assert [v["variant"] for v in result["sensitivity"]] == ["captions-published instead", "ambiguous terms skipped",
                                                             "names only"]
    assert all(v["explanation"] for v in result["sensitivity"])
    both = analyze(connection, ["zoo"], ["captions", "other"], "model-a", n_boot=0, store=False)
    assert [v["variant"] for v in both["sensitivity"]][:3] == ["captions alone", "other alone",
                                                                 "captions-published instead"]
    assert result["tiers_counted"] == TIERS_COUNTED["docs"]


def test_tier_variants_read_their_own_counts(db_path):
    """names only / every term: exposure_tiers' docs_names and docs_all_terms (class 1's three documents that
    name it only by its synonym "pet" are not names)."""
    connection = small_database(db_path)
    default, names, every = (class_table(connection, ["zoo"], ["captions"], "model-a", count)
                             for count in ("docs", "names", "all_terms"))
    of_class = lambda table, index: table.filter(table["class_index"] == index)["exposure"].item()  # noqa: E731
    assert of_class(names, 1) == of_class(default, 1) - 3
    assert of_class(every, 1) == of_class(default, 1)
    assert of_class(names, 5) == of_class(default, 5)
    result = analyze(connection, ["zoo"], ["captions"], "model-a", count="names", n_boot=0, store=False)
    assert result["tiers_counted"] == "name only"
    assert {v["variant"]: v["count"] for v in result["sensitivity"]}["default"] == "docs"


def test_analyze_refuses_unclear_selections(db_path):
    connection = small_database(db_path)
    with pytest.raises(FreqscopeError, match="name the model"):
        analyze(connection, ["zoo"], ["captions"])
    with pytest.raises(FreqscopeError, match="no exposure for nothere/zoo"):
        analyze(connection, ["zoo"], ["nothere"], "model-a")
    with pytest.raises(FreqscopeError, match="no accuracy of model"):
        analyze(connection, ["zoo"], ["captions"], "model-z")


def test_fingerprint_follows_contents_not_analyses(db_path):
    connection = small_database(db_path)
    before = database_fingerprint(connection)
    analyze(connection, ["zoo"], ["captions"], "model-a", n_boot=0)
    assert database_fingerprint(connection) == before
    connection.execute("UPDATE accuracy_imports SET accuracy = 0.5 WHERE class_index = 3 AND model = 'model-a'")
    assert database_fingerprint(connection) != before


def test_cli_analyze_json(db_path):
    from typer.testing import CliRunner

    from freqscope.cli import app

    small_database(db_path).close()
    result = CliRunner().invoke(app, ["analyze", "-t", "zoo", "-m", "model-a", "--bootstrap", "20", "--format", "json",
                                      "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n_classes"] == 30


def test_one_database_handle_serves_the_whole_api(db_path):
    import freqscope

    small_database(db_path).close()
    with freqscope.connect(db_path) as fs:  # read-only
        by_path = freqscope.analyze(db_path, ["zoo"], ["captions"], "model-a", n_boot=0)
        by_handle = freqscope.analyze(fs, ["zoo"], ["captions"], "model-a", n_boot=0)
        by_connection = freqscope.analyze(fs.connection, ["zoo"], ["captions"], "model-a", n_boot=0)
        assert by_path["spearman"] == by_handle["spearman"] == by_connection["spearman"]
        assert "analysis_id" not in by_handle  # a read-only handle stores nothing unless asked
        assert fs.analyze(["zoo"], ["captions"], "model-a", n_boot=0)["n_classes"] == 30
        with pytest.raises(FreqscopeError, match="read-only.*store=False"):
            freqscope.analyze(fs, ["zoo"], ["captions"], "model-a", n_boot=0, store=True)
    with freqscope.connect(db_path, read_only=False) as fs:
        assert "analysis_id" in freqscope.analyze(fs, ["zoo"], ["captions"], "model-a", n_boot=0)


def test_exposure_of_an_unknown_corpus_names_the_corpora(db_path):
    import freqscope

    small_database(db_path).close()
    with freqscope.connect(db_path) as fs:
        assert fs.exposure(corpus="captions").height == 30
        with pytest.raises(FreqscopeError, match="no corpus 'laion'.*corpora: captions"):
            fs.exposure(corpus="laion")
        with pytest.raises(FreqscopeError, match="no taxonomy 'imagenet'.*lists: zoo"):
            fs.exposure(taxonomy="imagenet")


def test_analyze_without_accuracy_says_to_import_or_infer_it(db_path):
    connection = small_database(db_path)
    connection.execute("DELETE FROM accuracy_imports")
    with pytest.raises(FreqscopeError, match="no model has accuracy on zoo: import it .*freqscope infer"):
        analyze(connection, ["zoo"], ["captions"])
    with pytest.raises(FreqscopeError, match="no list imagenet in the database; lists .*: zoo"):
        analyze(connection, ["imagenet"], ["captions"])


def test_without_corpora_a_model_is_analysed_against_the_corpus_its_name_names(db_path, tmp_path):
    from freqscope.accuracy import import_counts
    from tests.helpers_analysis import indexed_corpus

    connection = small_database(db_path)
    indexed_corpus(connection, "webtext", "zoo", {i: [i] for i in range(30)})
    counts = tmp_path / "pub.json"
    counts.write_text(json.dumps({f"animal {i}": i for i in range(1, 30)} | {"cat": 0}))
    import_counts(connection, counts, corpus="webtext-published", taxonomy="zoo")
    accuracy_rows(connection, "clip_pretrainedwebtext", "zoo", {i: i / 30 for i in range(30)})
    own = analyze(connection, ["zoo"], model="clip_pretrainedwebtext", n_boot=0, store=False)
    assert own["corpora"] == ["webtext"]  # the indexed corpus its name names, not captions, not summed
    other = analyze(connection, ["zoo"], model="model-a", n_boot=0, store=False)
    assert other["corpora"] == ["captions", "webtext"]  # no corpus named: the indexed corpora summed, as before


def test_a_path_open_elsewhere_in_the_process_gives_one_clear_line(db_path):
    import duckdb

    small_database(db_path).close()
    other = duckdb.connect(str(db_path), read_only=True)  # not through freqscope.connect: no handle to reuse
    try:
        with pytest.raises(FreqscopeError, match="already open in this process with other settings: pass that "
                                                 "connection"):
            analyze(db_path, ["zoo"], ["captions"], "model-a", n_boot=0)
    finally:
        other.close()
