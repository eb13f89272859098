"""Two readers' agreement on the second held-out draw (benchmarks/quality_agreement.py)."""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

from freqscope.paths import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
import quality_agreement  # noqa: E402
from quality_data import CORPUS_CAPTIONS, MATCH_COLUMNS, RECALL_COLUMNS, write_rows  # noqa: E402
from quality_sample import HELDOUT_SAMPLE_COLUMNS  # noqa: E402



def test_kappa_is_one_for_agreement_zero_for_chance_and_below_for_less():
    assert quality_agreement.kappa(["yes", "no", "yes"], ["yes", "no", "yes"]) == 1.0
    # each reader says yes half the time, independently of the other: chance agreement, 0.5, observed
    assert quality_agreement.kappa(["yes", "yes", "no", "no"], ["yes", "no", "yes", "no"]) == 0.0
    assert quality_agreement.kappa(["yes", "no"], ["no", "yes"]) == pytest.approx(-1.0)
    # 8 of 10 agree; first says yes 6 times, second 6 times: chance 0.36 + 0.16 = 0.52
    first = ["yes"] * 5 + ["no"] * 3 + ["yes", "no"]
    second = ["yes"] * 5 + ["no"] * 3 + ["no", "yes"]
    assert quality_agreement.kappa(first, second) == pytest.approx((0.8 - 0.52) / (1 - 0.52))


def labelled_pair_set(tmp_path: Path) -> tuple[Path, Path]:
    """Four held-out pairs (cc3m: 3 of a 30-pair stratum, laion: 1 of 10) labelled by two readers, and two recall
    captions annotated by both."""
    labelled = tmp_path / "labelled"
    labelled.mkdir()
    pairs = [("g1", "cc3m", "1", 0, "tench", "a tench", "yes", "yes"),
             ("g2", "cc3m", "2", 1, "goldfish", "goldfish crackers", "no", "no"),
             ("g3", "cc3m", "3", 1, "goldfish", "a goldfish print", "yes", "unsure"),
             ("g4", "laion", "4", 0, "tench", "Tench Lures", "no", "yes")]
    design = write_rows(tmp_path / "heldout2-sample.csv", HELDOUT_SAMPLE_COLUMNS, [
        {"id": i, "corpus": c, "doc_key": k, "taxonomy": "imagenet1k", "class_index": x, "class": n,
         "stratum": f"{c}/imagenet1k", "stratum_pairs": 30 if c == "cc3m" else 10} for i, c, k, x, n, *_ in pairs])
    for name, side in (("heldout2-01.csv", 6), ("second-pairs.csv", 7)):
        write_rows(labelled / name, MATCH_COLUMNS, [
            {"id": p[0], "corpus": p[1], "doc_key": p[2], "caption": p[5], "taxonomy": "imagenet1k",
             "class_index": p[3], "class": p[4], "matched": p[4], "label": p[side]} for p in pairs])
    captions = [("r1", "cc3m", "11", "a tench and a small orange fish", "0:tench|1:goldfish", "0:tench"),
                ("r2", "laion", "12", "great white shark poster", "2:great white shark", "2:great white shark")]
    for name, side in (("recall-20.csv", 4), ("second-recall.csv", 5)):
        write_rows(labelled / name, RECALL_COLUMNS, [
            {"id": r[0], "corpus": r[1], "doc_key": r[2], "caption": r[3], "imagenet1k": r[side], "cifar100": "none",
             "food101": "none"} for r in captions])
    return labelled, design


def test_main_prints_the_readers_agreement_and_freqscopes_figures_by_each(tmp_path, capsys):
    labelled, design = labelled_pair_set(tmp_path)
    assert quality_agreement.main(["--labels", str(labelled), "--design", str(design)]) == 0
    out = capsys.readouterr().out
    assert "pairs labelled by both readers: 4" in out
    assert "agreement 0.500 (2 of 4)" in out and "where both are sure: 0.667 (2 of 3)" in out
    # first reader: cc3m 2 yes of 3 (weight 10 each), laion no (weight 10): 20 / 40; second: cc3m 1 yes of 2 sure,
    # laion yes: (10 + 10) / (20 + 10)
    assert "precision on these pairs by the first reader: 0.500" in out
    assert "precision on these pairs by the second reader: 0.667" in out
    assert "imagenet1k mentions: first   3, second   2, both   2; positive agreement 0.800" in out
    # freqscope finds the tench and the shark, not the goldfish the first reader saw in "a small orange fish";
    # captions weigh as their corpus's size (one caption annotated in each)
    assert "recall of imagenet1k mentions by the second reader: 1.000 (2 mentions)" in out
    cc3m, laion = CORPUS_CAPTIONS["cc3m"], CORPUS_CAPTIONS["laion"]
    assert (f"recall of imagenet1k mentions by the first reader: {(cc3m + laion) / (2 * cc3m + laion):.3f} "
            "(3 mentions)") in out


def test_a_second_row_that_is_not_the_first_readers_item_is_refused(tmp_path, capsys):
    labelled, design = labelled_pair_set(tmp_path)
    rows = list(csv.DictReader((labelled / "second-pairs.csv").open(encoding="utf-8")))
    rows[2]["class_index"] = "2"
    write_rows(labelled / "second-pairs.csv", MATCH_COLUMNS, rows)
    assert quality_agreement.main(["--labels", str(labelled), "--design", str(design)]) == 2
    assert "second-pairs.csv:4: row g3 is not the item drawn under that id" in capsys.readouterr().err


def test_missing_second_labels_is_one_clear_line(tmp_path, capsys):
    labelled, design = labelled_pair_set(tmp_path)
    (labelled / "second-recall.csv").unlink()
    assert quality_agreement.main(["--labels", str(labelled), "--design", str(design)]) == 2
    err = capsys.readouterr().err
    assert "second-recall.csv: not labelled yet; label data/quality/to_label/second-recall.csv first" in err
    assert len(err.strip().splitlines()) == 1
