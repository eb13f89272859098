"""Re-reading earlier labels under a later protocol rule (benchmarks/quality_rereading.py)."""
from __future__ import annotations

import csv
import sys

import pytest

from freqscope.paths import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

import quality_rereading  # noqa: E402
from quality_data import MATCH_COLUMNS, QUALITY_DIR, RECALL_COLUMNS, QualityDataError, read_rows, write_rows  # noqa: E402


def pair(row_id: str, caption: str, taxonomy: str, index: str, name: str, label: str = "yes", corpus: str = "laion"):
    return {"id": row_id, "corpus": corpus, "doc_key": row_id, "caption": caption, "taxonomy": taxonomy,
            "class_index": index, "class": name, "matched": name, "label": label, "note": ""}


def recall(row_id: str, caption: str, imagenet1k: str = "none"):
    return {"id": row_id, "corpus": "cc3m", "doc_key": row_id, "caption": caption, "suggestions": "",
            "imagenet1k": imagenet1k, "cifar100": "none", "food101": "none", "generic": "", "note": ""}


@pytest.fixture
def labelled(tmp_path):
    folder = tmp_path / "labelled"
    write_rows(folder / "matches-01.csv", MATCH_COLUMNS, [
        pair("m1", "Red-wool-gift-coat", "imagenet1k", "911", "wool", label="no"),
        pair("m2", "Alka-Seltzer Fruit Chews Orange Lemon", "imagenet1k", "951", "lemon"),
        pair("m3", "Cover For Apple iPod Touch 5", "imagenet1k", "605", "iPod"),
        pair("m4", "a lemon on a table", "imagenet1k", "951", "lemon"),  # no new rule's word: not re-read
        pair("m5", "lemon cake with a candle", "imagenet1k", "951", "lemon", label="no"),
        pair("m6", "a dog in a sauce pan", "imagenet1k", "207", "golden retriever"),  # no food class, no accessory
    ])
    write_rows(folder / "recall-01.csv", RECALL_COLUMNS, [
        recall("r1", "woman in a velvet dress"),
        recall("r2", "strawberry yogurt in a bowl", "950:strawberry"),
        recall("r3", "a cat on a sofa", "831:studio couch"),
    ])
    return folder


def test_rows_are_picked_by_caption_and_class_never_by_label(labelled):
    rows = quality_rereading.select(labelled, {})
    assert [row["source"] for row in rows] == ["matches-01.csv:m1", "matches-01.csv:m2", "matches-01.csv:m3",
                                               "matches-01.csv:m5", "recall-01.csv:r1", "recall-01.csv:r2"]
    assert all("label" not in row and "imagenet1k" not in row for row in rows)  # the reader is blind to labels
    assert [row["id"] for row in rows] == [f"x{n:04d}" for n in range(1, 7)]


def test_the_text_of_a_corpus_not_shipped_decides_the_pick_but_is_not_written(tmp_path):
    folder = tmp_path / "labelled"
    write_rows(folder / "matches-01.csv", MATCH_COLUMNS, [pair("m1", "", "imagenet1k", "605", "iPod", corpus="flickr8k")])
    rows = quality_rereading.select(folder, {("flickr8k", "m1"): "a case for an iPod"})
    assert [(row["source"], row["caption"]) for row in rows] == [("matches-01.csv:m1", "")]


def reread_file(folder, rows):
    return write_rows(folder / quality_rereading.REREAD_FILE,
                      ("id", "source", "taxonomy", "class_index", "class", "label", "rule", "rules"), rows)


def test_a_label_changes_only_where_a_new_rule_decided_a_different_one(labelled):
    path = reread_file(labelled, [
        {"id": "x1", "source": "matches-01.csv:m1", "taxonomy": "imagenet1k", "class_index": "911", "class": "wool",
         "label": "yes", "rule": "material"},
        {"id": "x2", "source": "matches-01.csv:m2", "taxonomy": "imagenet1k", "class_index": "951", "class": "lemon",
         "label": "no", "rule": "flavour"},
        {"id": "x3", "source": "matches-01.csv:m3", "taxonomy": "imagenet1k", "class_index": "605", "class": "iPod",
         "label": "no", "rule": "none"},  # a different reading, but not by a new rule: kept
        {"id": "x4", "source": "matches-01.csv:m5", "taxonomy": "imagenet1k", "class_index": "951", "class": "lemon",
         "label": "no", "rule": "flavour"},  # the same label: no change
    ])
    changes = quality_rereading.apply(labelled, path)
    assert [(c["source"], c["old"], c["new"], c["rule"]) for c in changes] == [
        ("matches-01.csv:m1", "no", "yes", "material"), ("matches-01.csv:m2", "yes", "no", "flavour")]
    labels = {row["id"]: row["label"] for row in read_rows(labelled / "matches-01.csv", MATCH_COLUMNS)}
    assert labels == {"m1": "yes", "m2": "no", "m3": "yes", "m4": "yes", "m5": "no", "m6": "yes"}


def test_recall_classes_are_added_and_removed_by_the_rule_items(labelled):
    path = reread_file(labelled, [
        {"id": "x5", "source": "recall-01.csv:r1", "taxonomy": "recall",
         "rules": "imagenet1k:885:velvet fabric=yes:material"},
        {"id": "x6", "source": "recall-01.csv:r2", "taxonomy": "recall",
         "rules": "imagenet1k:950:strawberry=no:flavour; imagenet1k:951:orange=no:flavour"},
    ])
    changes = quality_rereading.apply(labelled, path)
    assert [(c["source"], c["class"], c["old"], c["new"]) for c in changes] == [
        ("recall-01.csv:r1", "velvet fabric", "no", "yes"), ("recall-01.csv:r2", "strawberry", "yes", "no")]
    rows = {row["id"]: row["imagenet1k"] for row in read_rows(labelled / "recall-01.csv", RECALL_COLUMNS)}
    assert rows == {"r1": "885:velvet fabric", "r2": "none", "r3": "831:studio couch"}


@pytest.mark.parametrize("cell", ["imagenet1k:911:wool=maybe:material", "imagenet1k:911:wool=yes:colour", "wool"])
def test_a_malformed_rules_item_is_one_clear_error(labelled, cell):
    path = reread_file(labelled, [{"id": "x5", "source": "recall-01.csv:r1", "taxonomy": "recall", "rules": cell}])
    with pytest.raises(QualityDataError, match=r"rereading-01.csv x5 \(recall-01.csv:r1\): rules item"):
        quality_rereading.apply(labelled, path)


def test_a_pair_without_a_rule_is_refused(labelled):
    path = reread_file(labelled, [{"id": "x1", "source": "matches-01.csv:m1", "taxonomy": "imagenet1k",
                                   "class_index": "911", "class": "wool", "label": "yes", "rule": ""}])
    with pytest.raises(QualityDataError, match="a rule one of material, flavour, accessory, none"):
        quality_rereading.apply(labelled, path)


def test_the_shipped_changes_are_the_rereading_applied():
    """Every change in relabelled.csv is in the labelled files, and the re-read file names a new rule for it."""
    changes_path = QUALITY_DIR / quality_rereading.CHANGES_FILE
    if not changes_path.exists():
        pytest.skip("no re-reading applied yet")
    reread = {row["source"]: row for row in csv.DictReader(
        (QUALITY_DIR / "labelled" / quality_rereading.REREAD_FILE).open(encoding="utf-8"))}
    for change in csv.DictReader(changes_path.open(encoding="utf-8")):
        assert change["rule"] in quality_rereading.NEW_RULES
        name, _, row_id = change["source"].partition(":")
        recall_file = name.startswith("recall-") or name == "second-recall.csv"
        row = next(r for r in read_rows(QUALITY_DIR / "labelled" / name, RECALL_COLUMNS if recall_file
                                        else MATCH_COLUMNS) if r["id"] == row_id)
        if recall_file:
            present = change["class_index"] in [i.split(":")[0].rstrip("?") for i in row[change["taxonomy"]].split("|")]
            assert present == (change["new"] == "yes")
            assert f"{change['taxonomy']}:{change['class_index']}:" in reread[change["source"]]["rules"]
        else:
            assert row["label"] == change["new"] == reread[change["source"]]["label"]
            assert reread[change["source"]]["rule"] == change["rule"]


def test_a_bad_row_changes_no_file_even_after_good_ones(labelled):
    before = (labelled / "matches-01.csv").read_bytes()
    path = reread_file(labelled, [
        {"id": "x1", "source": "matches-01.csv:m1", "taxonomy": "imagenet1k", "class_index": "911", "class": "wool",
         "label": "yes", "rule": "material"},
        {"id": "x5", "source": "recall-01.csv:r1", "taxonomy": "recall", "rules": "velvet"},
    ])
    with pytest.raises(QualityDataError):
        quality_rereading.apply(labelled, path)
    assert (labelled / "matches-01.csv").read_bytes() == before


def test_none_says_no_new_rule_decides_the_caption(labelled):
    path = reread_file(labelled, [{"id": "x5", "source": "recall-01.csv:r1", "taxonomy": "recall", "rules": "none"}])
    assert quality_rereading.apply(labelled, path) == []
