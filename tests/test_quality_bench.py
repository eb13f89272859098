"""The count-quality benchmark (benchmarks/bench_quality.py): the peers' rules, the label files, the scoring."""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

from conftest import require_shared
from freqscope.paths import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

import bench_quality  # noqa: E402
import quality_data  # noqa: E402
from bench_quality import AnnotatedCaption, JudgedPair, load_matches, load_recall, score  # noqa: E402
from quality_data import MATCH_COLUMNS, RECALL_COLUMNS, QualityDataError, write_rows  # noqa: E402
from quality_peers import fdp_pairs, metaclip_pairs, vlmclassifier_pairs  # noqa: E402
from quality_sample import FRESH_DRAWS, HELDOUT_SAMPLE_COLUMNS, read_in_curation  # noqa: E402

NAMES = ["tench", "golden retriever", "kite (bird of prey)", "hot dog", "dog", "tacos"]


# --- peers --------------------------------------------------------------------------------------------------------

def test_vlmclassifier_counts_contiguous_lowercased_words():
    captions = ["A Golden Retriever on grass", "retriever, golden", "a hot dog stand", "Tench."]
    found = vlmclassifier_pairs(captions, NAMES)
    assert (0, 1) in found  # case folded, contiguous
    assert (1, 1) not in found  # both words, wrong order
    assert {(2, 3), (2, 4)} <= found  # no longest-match rule: "dog" inside "hot dog" counts too
    assert (3, 0) in found  # "." is its own token


def test_metaclip_substring_is_case_sensitive_and_padded():
    captions = ["tench, caught today", "Tench caught", "tenches in a pond", "a dog\tand a cat"]
    found = metaclip_pairs(captions, NAMES)
    assert (0, 0) in found  # "," is spaced apart
    assert (1, 0) not in found  # case as written
    assert (2, 0) not in found  # " tench " is not in " tenches "
    assert (3, 4) in found  # tab made a space


def test_fdp_is_a_bag_of_lemmas():
    captions = ["prey of a bird: the kite", "a kite on the beach", "two taco plates", "dogs that are hot"]
    found = fdp_pairs(captions, NAMES)
    assert (0, 2) in found  # kite + bird, "of" and "prey)" dropped as FDP's index drops them
    assert (1, 2) not in found  # no bird
    assert (2, 5) in found  # the class "tacos" is lemmatized to taco
    assert (3, 3) in found  # order does not matter: hot + dog


# --- label files --------------------------------------------------------------------------------------------------

CLASS_NAMES = {"imagenet1k": ["tench", "goldfish", "great white shark"], "cifar100": ["apple", "aquarium fish"],
               "food101": ["apple pie"]}
SAMPLE_COLUMNS = ("id", "corpus", "doc_key", "taxonomy", "class_index", "stratum", "stratum_pairs", "union_classes")


def labelled_set(tmp_path: Path, labels=("yes", "no", "unsure", "")) -> tuple[Path, Path]:
    labelled = tmp_path / "labelled"
    labelled.mkdir()
    pairs = [("m1", "cc3m", "1", "imagenet1k", 0, "tench"), ("m2", "cc3m", "2", "imagenet1k", 1, "goldfish"),
             ("m3", "laion", "7", "cifar100", 0, "apple"), ("m4", "coco", "9", "food101", 0, "apple pie")]
    sample = write_rows(tmp_path / "sample.csv", SAMPLE_COLUMNS, [
        {"id": i, "corpus": c, "doc_key": k, "taxonomy": t, "class_index": x, "stratum": f"{c}/{t}",
         "stratum_pairs": 10, "union_classes": str(x)} for i, c, k, t, x, _ in pairs])
    write_rows(labelled / "matches-01.csv", MATCH_COLUMNS, [
        {"id": i, "corpus": c, "doc_key": k, "caption": f"caption {k}", "taxonomy": t, "class_index": x, "class": n,
         "matched": n, "label": label} for (i, c, k, t, x, n), label in zip(pairs, labels)])
    write_rows(labelled / "recall-01.csv", RECALL_COLUMNS, [
        {"id": "r1", "corpus": "cc3m", "doc_key": "3", "caption": "a tench and maybe a shark",
         "imagenet1k": "0:tench|2:great white shark?", "cifar100": "none", "food101": "none"},
        {"id": "r2", "corpus": "laion", "doc_key": "4", "caption": "not done", "imagenet1k": "", "cifar100": "",
         "food101": ""}])
    return labelled, sample


def test_load_matches_reads_labels_and_counts_unlabelled_rows(tmp_path):
    labelled, sample = labelled_set(tmp_path)
    judged, texts, unlabelled = load_matches(labelled, sample, CLASS_NAMES)
    assert [(p.label, p.stratum, p.union_classes) for p in judged] == [
        ("yes", "cc3m/imagenet1k", frozenset({0})), ("no", "cc3m/imagenet1k", frozenset({1})),
        ("unsure", "laion/cifar100", frozenset({0}))]
    assert unlabelled == 1
    assert texts[("cc3m", "1")] == "caption 1"


def test_load_recall_parses_classes_unsure_and_none(tmp_path):
    labelled, _ = labelled_set(tmp_path)
    annotated, texts, unannotated = load_recall(labelled, CLASS_NAMES)
    assert len(annotated) == 1 and unannotated == 1
    assert annotated[0].mentions == {"imagenet1k": {0}, "cifar100": set(), "food101": set()}
    assert annotated[0].unsure["imagenet1k"] == {2}


@pytest.mark.parametrize("label, message", [("maybe", "is not one of yes, no, unsure")])
def test_bad_label_is_one_clear_error(tmp_path, label, message):
    labelled, sample = labelled_set(tmp_path, labels=(label, "no", "yes", "yes"))
    with pytest.raises(QualityDataError, match=message):
        load_matches(labelled, sample, CLASS_NAMES)


def test_a_row_that_is_not_the_drawn_pair_is_refused(tmp_path):
    labelled, sample = labelled_set(tmp_path)
    rows = list(csv.DictReader((labelled / "matches-01.csv").open(encoding="utf-8")))
    rows[0]["class_index"] = "1"
    rows[0]["class"] = "goldfish"
    write_rows(labelled / "matches-01.csv", MATCH_COLUMNS, rows)
    with pytest.raises(QualityDataError, match="matches-01.csv:2: row m1 is not the pair drawn"):
        load_matches(labelled, sample, CLASS_NAMES)


def test_a_class_name_that_is_not_the_index_is_refused(tmp_path):
    labelled, _ = labelled_set(tmp_path)
    write_rows(labelled / "recall-01.csv", RECALL_COLUMNS, [
        {"id": "r1", "corpus": "cc3m", "doc_key": "3", "caption": "x", "imagenet1k": "1:tench", "cifar100": "none",
         "food101": "none"}])
    with pytest.raises(QualityDataError, match="imagenet1k class 1 is 'goldfish', not 'tench'"):
        load_recall(labelled, CLASS_NAMES)


# --- scoring ------------------------------------------------------------------------------------------------------

def pair(corpus, key, taxonomy, index, label, stratum_pairs, union=()):
    return JudgedPair((corpus, key), taxonomy, index, label, f"{corpus}/{taxonomy}", stratum_pairs,
                      frozenset(union) or frozenset({index}))


def by_key(results):
    return {(r.scope, r.taxonomy, r.method): r for r in results}


def test_matches_precision_is_stratum_weighted_and_leaves_unsure_out():
    judged = [pair("cc3m", "1", "imagenet1k", 0, "yes", 10), pair("cc3m", "2", "imagenet1k", 0, "no", 10),
              pair("laion", "3", "imagenet1k", 0, "yes", 2), pair("laion", "4", "imagenet1k", 0, "yes", 2),
              pair("laion", "5", "imagenet1k", 0, "unsure", 2)]
    every = {(p.caption, 0) for p in judged}
    counted = {"a": {"imagenet1k": every, "cifar100": set(), "food101": set()},
               "b": {"imagenet1k": {(("cc3m", "1"), 0)}, "cifar100": set(), "food101": set()}}
    results = by_key(score(judged, [], counted, ["a", "b"], replicates=50))
    a = results[("web", "imagenet1k", "a")]
    # cc3m: weight 10/2 per pair, 1 yes of 2; laion: weight 2/3, 2 yes of 2 judged (the unsure left out)
    assert a.precision.value == pytest.approx((5 + 2 * 2 / 3) / (10 + 2 * 2 / 3))
    assert a.precision_unsure_as_no == pytest.approx((5 + 2 * 2 / 3) / (10 + 3 * 2 / 3))
    assert (a.judged, a.unsure, a.new_pairs) == (4, 1, 0)
    assert a.precision.low <= a.precision.value <= a.precision.high
    assert results[("web", "imagenet1k", "b")].precision.value == 1.0
    assert results[("all", "imagenet1k", "b")].judged == 1


def test_pairs_outside_the_sampled_union_are_reported_as_new():
    judged = [pair("coco", "1", "cifar100", 0, "yes", 5, union={0})]
    counted = {"a": {"imagenet1k": set(), "cifar100": {(("coco", "1"), 0), (("coco", "1"), 1)}, "food101": set()}}
    result = by_key(score(judged, [], counted, ["a"], replicates=10))[("all", "cifar100", "a")]
    assert result.new_pairs == 1 and result.precision.value == 1.0


def test_recall_set_true_false_positives_and_misses():
    gold = AnnotatedCaption(("cc3m", "1"), {"imagenet1k": {1, 2}, "cifar100": set(), "food101": set()},
                            {"imagenet1k": {3}, "cifar100": set(), "food101": set()})
    other = AnnotatedCaption(("cc3m", "2"), {"imagenet1k": set(), "cifar100": set(), "food101": set()},
                             {"imagenet1k": set(), "cifar100": set(), "food101": set()})
    counted = {"a": {"imagenet1k": {(("cc3m", "1"), 1), (("cc3m", "1"), 3), (("cc3m", "1"), 4)},
                     "cifar100": set(), "food101": set()}}
    result = by_key(score([], [gold, other], counted, ["a"], replicates=20))[("web", "imagenet1k", "a")]
    # true positive 1; 3 is unsure (ignored); 4 a false positive; 2 missed
    assert result.recall.value == pytest.approx(0.5)
    assert result.recall_set_precision.value == pytest.approx(0.5)
    assert result.mentions == 2
    assert result.precision.value != result.precision.value  # no judged matches: NaN, not a number made up


def test_f1_combines_matches_precision_and_recall_set_recall():
    judged = [pair("laion", "1", "food101", 0, "yes", 4), pair("laion", "2", "food101", 0, "no", 4)]
    gold = AnnotatedCaption(("laion", "3"), {"imagenet1k": set(), "cifar100": set(), "food101": {0, 1}},
                            {"imagenet1k": set(), "cifar100": set(), "food101": set()})
    counted = {"a": {"imagenet1k": set(), "cifar100": set(),
                     "food101": {(("laion", "1"), 0), (("laion", "2"), 0), (("laion", "3"), 0)}}}
    result = by_key(score(judged, [gold], counted, ["a"], replicates=20))[("web", "food101", "a")]
    assert result.precision.value == pytest.approx(0.5) and result.recall.value == pytest.approx(0.5)
    assert result.f1.value == pytest.approx(0.5)


def test_goals_pass_and_fail_on_the_point_estimates():
    judged = [pair("cc3m", str(i), "imagenet1k", 0, "yes", 10) for i in range(3)]
    gold = [AnnotatedCaption(("laion", str(i)), {"imagenet1k": {0}, "cifar100": set(), "food101": set()},
                             {"imagenet1k": set(), "cifar100": set(), "food101": set()}) for i in range(2)]
    hits = {(p.caption, 0) for p in judged} | {(("laion", "0"), 0)}
    counted = {"freqscope": {"imagenet1k": hits, "cifar100": set(), "food101": set()},
               "peer": {"imagenet1k": set(hits), "cifar100": set(), "food101": set()}}
    lines = dict(bench_quality.goals(score(judged, gold, counted, ["freqscope", "peer"], replicates=10)))
    verdicts = {line.split(":")[0]: passed for line, passed in lines.items()}
    assert verdicts["freqscope precision >= 0.95 on imagenet1k over the web captions (CC3M + LAION)"] is True
    assert verdicts["freqscope recall >= 0.90 on imagenet1k over the web captions (CC3M + LAION)"] is False
    assert verdicts["freqscope best F1 on imagenet1k (web)"] is True  # a tie is not beaten
    assert verdicts["freqscope best F1 on cifar100 (web)"] is None  # nothing labelled there


# --- end to end ---------------------------------------------------------------------------------------------------

def test_freqscope_pairs_reads_what_the_index_counts():
    from quality_methods import freqscope_pairs

    found = freqscope_pairs(["a tench in the pond", "nothing here", "two tenches"], ["imagenet1k"])
    assert found["imagenet1k"][(0, 0)] == "tench"
    assert found["imagenet1k"][(2, 0)] == "tenches"
    assert not any(doc == 1 for doc, _ in found["imagenet1k"])


def test_main_scores_a_labelled_folder(tmp_path, capsys):
    labelled, sample = labelled_set(tmp_path)
    assert bench_quality.main(["--labels", str(labelled), "--sample", str(sample), "--replicates", "20"]) == 0
    out = capsys.readouterr().out
    assert "3 judged pairs (1 rows not labelled yet" in out
    assert "web   imagenet1k freqscope" in out
    assert "freqscope precision >= 0.95" in out


def test_main_refuses_a_bad_label_in_one_line(tmp_path, capsys):
    labelled, sample = labelled_set(tmp_path, labels=("Y", "no", "yes", "yes"))
    assert bench_quality.main(["--labels", str(labelled), "--sample", str(sample)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "label 'Y' is not one of yes, no, unsure" in err


# --- the shipped label set ----------------------------------------------------------------------------------------

def test_shipped_chunks_are_the_drawn_sample_and_hold_no_flickr8k_text():
    sample = {row["id"]: row for row in csv.DictReader((quality_data.QUALITY_DIR / "matches-sample.csv").open())}
    chunk_ids = []
    for folder in ("to_label", "labelled"):
        for path in sorted((quality_data.QUALITY_DIR / folder).glob("*-[0-9][0-9].csv")):
            for row in csv.DictReader(path.open(encoding="utf-8")):
                if row["corpus"] in quality_data.TEXT_NOT_SHIPPED:
                    assert row["caption"] == "", f"{path}: {row['id']} ships the text of {row['corpus']}"
                if path.name.startswith("matches") and folder == "to_label":
                    chunk_ids.append(row["id"])
                    assert sample[row["id"]]["doc_key"] == row["doc_key"]
    assert sorted(chunk_ids) == sorted(sample) and len(chunk_ids) >= 1000


def test_the_fourth_heldout_draw_skips_only_the_captions_read_before_it():
    # a pass after the draw appends its captions to read-in-curation.csv; the draw must still reproduce
    before = read_in_curation(FRESH_DRAWS["heldout4"].read_in_curation_passes)
    every = read_in_curation(("ninth", "eleventh", "fifteenth"))
    assert len(before) == 4200 and len(every) == 6600 and before < every
    assert read_in_curation(()) == frozenset()


def test_corpus_sizes_and_keys_match_the_shared_files():
    require_shared(quality_data.SHARED_CORPORA)
    for corpus, size in quality_data.CORPUS_CAPTIONS.items():
        rows = quality_data.read_corpus(corpus)
        assert len(rows) == size
        assert len({key for key, _ in rows}) == size  # keys name one caption each


def test_generic_names_are_parsed_and_summarised(tmp_path):
    labelled, _ = labelled_set(tmp_path)
    write_rows(labelled / "recall-01.csv", RECALL_COLUMNS, [
        {"id": "r1", "corpus": "cc3m", "doc_key": "3", "caption": "x", "imagenet1k": "none", "cifar100": "none",
         "food101": "none", "generic": "imagenet1k:Dog|imagenet1k:horse"},
        {"id": "r2", "corpus": "cc3m", "doc_key": "4", "caption": "y", "imagenet1k": "none", "cifar100": "none",
         "food101": "none", "generic": "imagenet1k:dog"}])
    annotated, _, _ = load_recall(labelled, CLASS_NAMES)
    assert annotated[0].generic == {("imagenet1k", "dog"), ("imagenet1k", "horse")}
    assert bench_quality.generic_summary(annotated)[0] == "generic names for imagenet1k classes: in 2 of 2 captions (dog 2, horse 1)"
    write_rows(labelled / "recall-01.csv", RECALL_COLUMNS, [
        {"id": "r1", "corpus": "cc3m", "doc_key": "3", "caption": "x", "imagenet1k": "none", "cifar100": "none",
         "food101": "none", "generic": "dog"}])
    with pytest.raises(QualityDataError, match="generic item 'dog' is not 'list:word'"):
        load_recall(labelled, CLASS_NAMES)


def test_a_recall_row_that_is_not_the_drawn_caption_is_refused(tmp_path):
    labelled, _ = labelled_set(tmp_path)
    drawn = tmp_path / "to_label"
    drawn.mkdir()
    write_rows(drawn / "recall-01.csv", RECALL_COLUMNS, [{"id": "r1", "corpus": "cc3m", "doc_key": "3"},
                                                        {"id": "r2", "corpus": "laion", "doc_key": "4"}])
    assert len(load_recall(labelled, CLASS_NAMES, drawn)[0]) == 1
    write_rows(drawn / "recall-01.csv", RECALL_COLUMNS, [{"id": "r1", "corpus": "cc3m", "doc_key": "30"}])
    with pytest.raises(QualityDataError, match="recall-01.csv:2: row r1 is not the caption drawn"):
        load_recall(labelled, CLASS_NAMES, drawn)


# --- the held-out draw --------------------------------------------------------------------------------------------



def write_heldout_draw(labelled: Path, tmp_path: Path, prefix: str, pairs: list[tuple], stratum_pairs: int,
                       recall_chunk: int, recall: dict) -> Path:
    """A held-out draw: its design (``PREFIX-sample.csv``, every stratum of ``stratum_pairs`` pairs, 2 drawn), its
    labelled chunk ``PREFIX-01.csv`` of (id, corpus, doc_key, class_index, class, caption, label) web ImageNet-1k
    pairs, and the recall chunk ``recall_chunk`` of one annotated caption; returns the design's path."""
    sample = write_rows(tmp_path / f"{prefix}-sample.csv", HELDOUT_SAMPLE_COLUMNS, [
        {"id": i, "corpus": c, "doc_key": k, "taxonomy": "imagenet1k", "class_index": x, "class": n,
         "stratum": f"{c}/imagenet1k", "stratum_pairs": stratum_pairs, "stratum_sampled": 2}
        for i, c, k, x, n, _, _ in pairs])
    write_rows(labelled / f"{prefix}-01.csv", MATCH_COLUMNS, [
        {"id": i, "corpus": c, "doc_key": k, "caption": text, "taxonomy": "imagenet1k", "class_index": x, "class": n,
         "matched": n, "label": label} for i, c, k, x, n, text, label in pairs])
    write_rows(labelled / f"recall-{recall_chunk:02d}.csv", RECALL_COLUMNS,
               [{**recall, "cifar100": "none", "food101": "none"}])
    return sample


def heldout_set(labelled: Path, tmp_path: Path) -> Path:
    """A held-out chunk of 4 web ImageNet-1k pairs (one not labelled yet) and a held-out recall chunk."""
    pairs = [("h1", "cc3m", "11", 0, "tench", "a tench in the pond", "yes"),
             ("h2", "cc3m", "12", 1, "goldfish", "Goldfish Crackers snack pack", "no"),
             ("h3", "laion", "13", 0, "tench", "no fish named here", "yes"),
             ("h4", "laion", "14", 2, "great white shark", "a great white shark", "")]
    return write_heldout_draw(labelled, tmp_path, "heldout", pairs, 30, 8, {
        "id": "r8", "corpus": "laion", "doc_key": "15", "caption": "a goldfish and a tench",
        "imagenet1k": "0:tench|1:goldfish"})


def test_heldout_precision_drops_pairs_no_longer_counted_and_reports_new_ones():
    judged = [pair("cc3m", "1", "imagenet1k", 0, "yes", 30), pair("cc3m", "2", "imagenet1k", 1, "no", 30),
              pair("cc3m", "3", "imagenet1k", 2, "no", 30), pair("laion", "4", "imagenet1k", 0, "yes", 6),
              pair("laion", "5", "imagenet1k", 0, "unsure", 6)]
    # pair 3 (a `no`) is no longer counted; caption 1 now also counts class 5, never drawn
    counted = {"imagenet1k": {(("cc3m", "1"), 0), (("cc3m", "1"), 5), (("cc3m", "2"), 1), (("laion", "4"), 0),
                              (("laion", "5"), 0)}}
    scores = {h.scope: h for h in bench_quality.heldout_precision(judged, counted, replicates=30)}
    overall = scores["all held-out"]
    # cc3m: weight 30/3, 1 yes of 2 still counted; laion: weight 6/2, 1 yes of 1 judged (the unsure left out)
    assert overall.precision.value == pytest.approx((10 + 3) / (20 + 3))
    assert overall.precision_unsure_as_no == pytest.approx((10 + 3) / (20 + 6))
    assert (overall.judged, overall.unsure, overall.dropped, overall.new_pairs) == (3, 1, {"no": 1}, 1)
    assert scores["laion/imagenet1k"].precision.value == 1.0 and scores["laion/imagenet1k"].new_pairs == 0
    assert scores["cc3m/imagenet1k"].dropped == {"no": 1}


def test_recall_chunks_of_a_heldout_draw_are_heldout(tmp_path):
    assert bench_quality.heldout_draw_of(Path("recall-07.csv")) == ""
    assert bench_quality.heldout_draw_of(Path("recall-08.csv")) == "held-out 1"
    assert bench_quality.heldout_draw_of(Path("recall-13.csv")) == "held-out 1"
    assert bench_quality.heldout_draw_of(Path("recall-14.csv")) == ""  # development captions, for curating
    assert bench_quality.heldout_draw_of(Path("recall-19.csv")) == ""
    assert bench_quality.heldout_draw_of(Path("recall-20.csv")) == "held-out 2"
    assert bench_quality.heldout_draw_of(Path("recall-25.csv")) == "held-out 2"
    assert bench_quality.heldout_draw_of(Path("recall-26.csv")) == "held-out 3"
    assert bench_quality.heldout_draw_of(Path("recall-28.csv")) == "held-out 3"
    assert bench_quality.heldout_draw_of(Path("recall-29.csv")) == "held-out 4"
    assert bench_quality.heldout_draw_of(Path("recall-31.csv")) == "held-out 4"
    assert bench_quality.heldout_draw_of(Path("recall-32.csv")) == "held-out 5"
    assert bench_quality.heldout_draw_of(Path("recall-34.csv")) == "held-out 5"
    assert bench_quality.heldout_draw_of(Path("recall-35.csv")) == ""
    labelled, _ = labelled_set(tmp_path)
    heldout_set(labelled, tmp_path)
    annotated, _, _ = load_recall(labelled, CLASS_NAMES)
    assert [(e.caption, e.heldout) for e in annotated] == [(("cc3m", "3"), ""), (("laion", "15"), "held-out 1")]


def test_recall_by_draw_scores_each_draw_and_both():
    def caption(key, heldout):
        return AnnotatedCaption(("laion", key), {"imagenet1k": {0}, "cifar100": set(), "food101": set()},
                                {"imagenet1k": set(), "cifar100": set(), "food101": set()}, heldout=heldout)
    annotated = [caption("1", ""), caption("2", ""), caption("3", "held-out 1")]
    counted = {"a": {"imagenet1k": {(("laion", "1"), 0), (("laion", "2"), 0)}, "cifar100": set(), "food101": set()}}
    lines, scored = bench_quality.recall_by_draw(annotated, counted, ["a"], replicates=10)
    assert scored["curated on"][("web", "imagenet1k", "a")].recall.value == 1.0
    assert scored["held-out"][("web", "imagenet1k", "a")].recall.value == 0.0
    assert scored["pooled"][("web", "imagenet1k", "a")].recall.value == pytest.approx(2 / 3)
    assert "held-out (1 captions)" in lines[0]


def test_main_prints_the_heldout_figures_apart(tmp_path, capsys):
    labelled, sample = labelled_set(tmp_path)
    heldout_sample = heldout_set(labelled, tmp_path)
    assert bench_quality.main(["--labels", str(labelled), "--sample", str(sample), "--heldout-sample",
                               str(heldout_sample), "--replicates", "20"]) == 0
    out = capsys.readouterr().out
    assert "held-out 1 labels: 3 judged pairs (1 rows not labelled yet), 1 annotated captions of recall-08..13" in out
    # h1 (yes) and h2 (no) are counted; h3's caption names no tench, so it drops out as a yes no longer counted
    assert "all held-out 1" in out and "no longer counted: yes 1, no 0, unsure 0" in out
    assert "FAIL  held-out: freqscope precision >= 0.95 on imagenet1k over the web captions: 0.500" in out
    assert "PASS  held-out: freqscope recall >= 0.90 on imagenet1k over the web captions: 1.000" in out
    assert "the held-out draws (held-out 1: recall-08..13) and all of them" in out
    assert "every draw" not in out  # one draw: nothing to pool


def test_main_scores_each_heldout_draw_and_judges_the_goals_on_both(tmp_path, capsys):
    labelled, sample = labelled_set(tmp_path)
    heldout_sample = heldout_set(labelled, tmp_path)
    # the second draw: two counted pairs, both yes, in a stratum of 40 pairs; a recall caption whose tench is missed
    pairs = [("g1", "cc3m", "21", 0, "tench", "a tench on a plate", "yes"),
             ("g2", "cc3m", "22", 1, "goldfish", "a goldfish bowl with a goldfish", "yes")]
    write_heldout_draw(labelled, tmp_path, "heldout2", pairs, 40, 20, {
        "id": "r20", "corpus": "cc3m", "doc_key": "25", "caption": "the fish we caught: a tinca",
        "imagenet1k": "0:tench"})
    assert bench_quality.main(["--labels", str(labelled), "--sample", str(sample), "--heldout-sample",
                               str(heldout_sample), "--replicates", "20"]) == 0
    out = capsys.readouterr().out
    assert "held-out 2 labels: 2 judged pairs (0 rows not labelled yet), 1 annotated captions of recall-20..25" in out
    assert "all held-out 2     1.000" in out
    # both draws, each stratum weighted by its own size: draw 1's cc3m stratum (30 pairs, h1 yes and h2 no) and
    # draw 2's (40 pairs, 2 of 2 yes): (15 + 40) / (30 + 40); draw 1's laion pair h3 is no longer counted
    assert "all held-out       0.786" in out
    assert "FAIL  held-out: freqscope precision >= 0.95 on imagenet1k over the web captions: 0.786" in out
    # recall: the first draw's goldfish and tench (a LAION caption) are found, the second draw's "tinca" (CC3M) is
    # missed; captions weigh as their corpus's size over the captions annotated in it
    assert "recall, held-out 1 (1 captions)" in out and "recall, held-out 2 (1 captions)" in out
    laion, cc3m = bench_quality.CORPUS_CAPTIONS["laion"], bench_quality.CORPUS_CAPTIONS["cc3m"]
    assert (f"FAIL  held-out: freqscope recall >= 0.90 on imagenet1k over the web captions: "
            f"{2 * laion / (2 * laion + cc3m):.3f}") in out


def test_a_heldout_row_that_is_not_the_drawn_pair_is_refused(tmp_path, capsys):
    labelled, sample = labelled_set(tmp_path)
    heldout_sample = heldout_set(labelled, tmp_path)
    rows = list(csv.DictReader((labelled / "heldout-01.csv").open(encoding="utf-8")))
    rows[1]["doc_key"] = "99"
    write_rows(labelled / "heldout-01.csv", MATCH_COLUMNS, rows)
    assert bench_quality.main(["--labels", str(labelled), "--sample", str(sample), "--heldout-sample",
                               str(heldout_sample)]) == 2
    assert "heldout-01.csv:3: row h2 is not the pair drawn under that id" in capsys.readouterr().err


def test_errors_lists_false_positives_and_misses(tmp_path, capsys):
    labelled, sample = labelled_set(tmp_path)
    heldout_set(labelled, tmp_path)
    rows = list(csv.DictReader((labelled / "matches-01.csv").open(encoding="utf-8")))
    rows[1]["caption"] = "a goldfish bowl"  # m2: goldfish, labelled no
    write_rows(labelled / "matches-01.csv", MATCH_COLUMNS, rows)
    assert bench_quality.main(["--labels", str(labelled), "--sample", str(sample), "--errors", "web"]) == 0
    out = capsys.readouterr().out
    assert "FP  'goldfish' <- 'goldfish'  cc3m:2  'a goldfish bowl'" in out
    assert "FN  'great white shark'" not in out  # unsure in the recall set: neither required nor held against
    assert "FN  'goldfish'" not in out and "web   imagenet1k" not in out  # errors instead of the figures


def test_errors_never_list_the_heldout_captions(tmp_path, capsys):
    labelled, sample = labelled_set(tmp_path)
    heldout_set(labelled, tmp_path)
    missed = {"caption": "the fish we caught: a tinca", "imagenet1k": "0:tench", "cifar100": "none", "food101": "none"}
    write_rows(labelled / "recall-02.csv", RECALL_COLUMNS, [{"id": "r2a", "corpus": "cc3m", "doc_key": "31", **missed}])
    write_rows(labelled / "recall-08.csv", RECALL_COLUMNS, [{"id": "r8", "corpus": "laion", "doc_key": "32", **missed}])
    assert bench_quality.main(["--labels", str(labelled), "--sample", str(sample), "--errors", "web"]) == 0
    out = capsys.readouterr().out
    assert "FN  'tench'  cc3m:31" in out  # a development caption: listed for curating
    assert "laion:32" not in out  # the held-out caption's miss is not
    assert "(the 1 annotated captions of the held-out draws are left out)" in out


def write_development_pairs(folder: Path, labelled: Path, pairs: list[tuple]) -> None:
    """dev-sample.csv (one pair drawn of 8 per stratum) and the labelled dev-01.csv of (id, corpus, doc_key,
    list, class_index, class, caption, label) tuples."""
    write_rows(folder / "dev-sample.csv", HELDOUT_SAMPLE_COLUMNS, [
        {"id": i, "corpus": c, "doc_key": k, "taxonomy": t, "class_index": x, "class": n, "stratum": f"{c}/{t}",
         "stratum_pairs": 8, "stratum_sampled": 1} for i, c, k, t, x, n, _, _ in pairs])
    write_rows(labelled / "dev-01.csv", MATCH_COLUMNS, [
        {"id": i, "corpus": c, "doc_key": k, "caption": text, "taxonomy": t, "class_index": x, "class": n,
         "matched": n, "label": label} for i, c, k, t, x, n, text, label in pairs])


def test_main_scores_development_pairs_apart(tmp_path, capsys):
    labelled, sample = labelled_set(tmp_path)
    pairs = [("d1", "cc3m", "21", "cifar100", 0, "apple", "an apple and a banana in a bowl", "yes"),
             ("d2", "laion", "22", "cifar100", 0, "apple", "Apple iPhone case", "no")]
    write_development_pairs(tmp_path, labelled, pairs)
    assert bench_quality.main(["--labels", str(labelled), "--sample", str(sample), "--replicates", "20"]) == 0
    out = capsys.readouterr().out
    assert "development labels: 2 judged pairs (0 rows not labelled yet)" in out
    # "apple" alone is a context term (Apple the company): the iPhone case drops out, as a `no`
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith(("cc3m/cifar100", "laion/cifar100"))}
    assert lines["cc3m/cifar100"].split()[1] == "1.000" and "no longer counted: yes 0, no 0" in lines["cc3m/cifar100"]
    assert "no longer counted: yes 0, no 1" in lines["laion/cifar100"]
    assert "all development" in out


def test_a_second_development_draw_is_pooled_with_its_strata_apart(tmp_path, capsys):
    labelled, sample = labelled_set(tmp_path)
    write_development_pairs(tmp_path, labelled, [
        ("d1", "laion", "21", "cifar100", 0, "apple", "fresh apples in a crate", "yes")])
    # dev2: one pair of 4 in its laion stratum, labelled no: pooled, each draw's stratum weighs as its size says
    write_rows(tmp_path / "dev2-sample.csv", HELDOUT_SAMPLE_COLUMNS, [
        {"id": "e1", "corpus": "laion", "doc_key": "22", "taxonomy": "cifar100", "class_index": 0, "class": "apple",
         "stratum": "laion/cifar100", "stratum_pairs": 4, "stratum_sampled": 1}])
    write_rows(labelled / "dev2-01.csv", MATCH_COLUMNS, [
        {"id": "e1", "corpus": "laion", "doc_key": "22", "caption": "red apples on a tree", "taxonomy": "cifar100",
         "class_index": 0, "class": "apple", "matched": "apples", "label": "no"}])
    assert bench_quality.main(["--labels", str(labelled), "--sample", str(sample), "--replicates", "20"]) == 0
    out = capsys.readouterr().out
    assert "development labels: 2 judged pairs (0 rows not labelled yet)" in out
    lines = [line.split() for line in out.splitlines() if line.startswith("laion/cifar100")]
    assert [words[:2] for words in lines] == [["laion/cifar100", "1.000"], ["laion/cifar100", "(dev2)"]]
    assert lines[1][2] == "0.000"
    all_dev = next(line for line in out.splitlines() if line.startswith("all development"))
    assert all_dev.split()[2] == f"{8 / 12:.3f}"


def test_errors_lists_the_development_pairs_counted_but_labelled_no(tmp_path, capsys):
    labelled, sample = labelled_set(tmp_path)
    pairs = [("d1", "laion", "21", "cifar100", 0, "apple", "fresh apples in a crate", "yes"),
             ("d2", "laion", "22", "cifar100", 0, "apple", "Red Apples Print Wall Art", "no"),
             ("d3", "laion", "23", "cifar100", 0, "apple", "Apple iPhone case", "no")]  # not counted: no error
    write_development_pairs(tmp_path, labelled, pairs)
    assert bench_quality.main(["--labels", str(labelled), "--sample", str(sample), "--errors", "web"]) == 0
    out = capsys.readouterr().out
    assert "== cifar100: 1 development pairs counted but labelled no" in out
    assert "DEV 'apple' <- 'apples'  laion:22  'Red Apples Print Wall Art'" in out
    assert "fresh apples" not in out and "iPhone" not in out


def test_a_heldout_recall_draw_skips_the_captions_earlier_draws_and_curation_took(tmp_path, monkeypatch):
    import quality_sample

    captions = {corpus: [(str(n), f"a photo number {n} of a tench") for n in range(200)] for corpus in ("cc3m", "laion")}
    drawn_before = [{"id": f"r{n:03d}", "corpus": "cc3m", "doc_key": str(n), "caption": "x"} for n in range(1, 21)]
    write_rows(tmp_path / "to_label" / "recall-01.csv", RECALL_COLUMNS, drawn_before)
    read = frozenset(("laion", str(n)) for n in range(25))
    monkeypatch.setattr(quality_sample, "QUALITY_DIR", tmp_path)
    rows = quality_sample.draw_more_recall(captions, 1, read)
    keys = {(row["corpus"], row["doc_key"]) for row in rows}
    assert len(keys) == sum(quality_sample.HELDOUT_RECALL.values())
    assert not keys & {("cc3m", row["doc_key"]) for row in drawn_before} and not keys & read
    # numbered after the captions drawn before, whatever curation read
    assert sorted(row["id"] for row in rows)[0] == "r021"
