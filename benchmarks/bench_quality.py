"""Count quality: precision, recall and F1 of freqscope and of the peers' rules, on the labels of data/quality/.

    PYTHONPATH=$PWD python benchmarks/bench_quality.py [--labels data/quality/labelled] [--replicates 2000]
    PYTHONPATH=$PWD python benchmarks/bench_quality.py --errors web   # freqscope's errors on the labels, listed

Inputs: the labelled chunks (`matches-NN.csv`, `recall-NN.csv` in --labels, written under
data/quality/PROTOCOL.md), the sample's design (`data/quality/matches-sample.csv`: stratum sizes) and, for the
Flickr8k rows whose text is not shipped, the corpus in ../shared (those rows are skipped where it is absent).
Every method is run afresh on the labelled captions: freqscope through its public API
(`quality_methods.freqscope_pairs`, the one place that says what freqscope counts) and the three peers
(`quality_peers`).

- Precision (matches): of the pairs a method counts, the share judged `yes`, from the judged pairs it counts,
  weighted by stratum (pairs in the stratum / pairs labelled there); `unsure` left out, and a lower bound with
  unsure counted as `no`. Pairs a method counts today that were not in the sampled union (a new term) are not
  judged: their number in the judged captions is printed as `new` (0 for the methods the sample was drawn from).
- Precision, recall (recall set): every class the captions mention is annotated, so each method's true and false
  positives and misses are known there; captions weighted by corpus size / captions annotated in the corpus.
- F1: from the matches precision and the recall-set recall (the larger sample for each).
- Intervals: 95% percentile bootstrap, resampling within each stratum (corpus x list for matches, corpus for
  the recall set), seed fixed.

The held-out draws (each made after a curation pass; never read while curating: `HELDOUT_DRAWS`) are scored apart
where their labels are present: freqscope's precision on each draw's pairs (`heldout-NN.csv`, design
`heldout-sample.csv`; `heldoutN-NN.csv`, design `heldoutN-sample.csv`, for the later draws N = 2, 3, 4;
`heldout_precision`) and on all of them, and the recall of every method on each draw's recall chunks
(`HeldoutDraw.recall_chunks`) and on all of them, beside that on the other chunks and the
pooled (`recall_by_draw`); the issue's goals are judged on the held-out draws together. The main table pools every
recall chunk. The development pairs (`dev-NN.csv`, design `dev-sample.csv`: web pairs of every list; `dev2-NN.csv`,
design `dev2-sample.csv`, and `dev3`: web ImageNet-1k pairs; all drawn for curating, `DEV_DRAWS`) are scored like the
held-out ones, apart.

Scopes: every corpus present, and the web captions (CC3M + LAION). The issue's goals are printed as PASS/FAIL on
the point estimates, with their intervals.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from quality_data import (CORPORA, CORPUS_CAPTIONS, DEV_DRAWS, HELDOUT_DRAWS, LABELS, LISTS, MATCH_COLUMNS,
                          QUALITY_DIR, RECALL_COLUMNS, WEB_CORPORA, HeldoutDraw, QualityDataError, corpus_available,
                          fill_captions, read_rows)

SAMPLE_PATH = QUALITY_DIR / "matches-sample.csv"

# The held-out draws (quality_data.HELDOUT_DRAWS) are printed apart, to show whether the curation generalises.
HELDOUT_SAMPLE_PATH = QUALITY_DIR / HELDOUT_DRAWS[0].design
LABELLED_DIR = QUALITY_DIR / "labelled"
SCOPES = {"all": CORPORA, "web": WEB_CORPORA}
GOAL_PRECISION = 0.95
GOAL_RECALL = 0.90
GOAL_LIST = "imagenet1k"
GOAL_SCOPE = "web"
# Below this many annotated mentions a list's recall (and so its F1) is not measured, whatever its interval says.
FEW_MENTIONS = 30
REPLICATES = 2000
SEED = 13
# A labelled recall item: "853", "853:television" or either with a trailing "?" (unsure).
_ITEM = re.compile(r"^\s*(\d+)\s*(?::(.*?))?\s*(\?)?\s*$")

Caption = tuple[str, str]  # (corpus, doc_key)
Counted = Mapping[str, Mapping[str, set[tuple[Caption, int]]]]  # method -> list -> {(caption, class_index)}


@dataclass(frozen=True)
class JudgedPair:
    caption: Caption
    taxonomy: str
    class_index: int
    label: str
    stratum: str
    stratum_pairs: int
    union_classes: frozenset[int]  # the classes of the list the sampled union held for this caption


@dataclass
class AnnotatedCaption:
    caption: Caption
    mentions: dict[str, set[int]] = field(default_factory=dict)  # list -> classes mentioned
    unsure: dict[str, set[int]] = field(default_factory=dict)  # list -> classes the annotator could not decide
    generic: set[tuple[str, str]] = field(default_factory=set)  # (list, parent word) named instead of a class
    heldout: str = ""  # the held-out draw whose recall chunk it is from (HeldoutDraw.name), "" for none


def _where(path: Path, line: int) -> str:
    return f"{path}:{line}"


def load_matches(labelled_dir: Path, sample_path: Path, class_names: Mapping[str, Sequence[str]], *,
                 prefix: str = "matches") -> tuple[list[JudgedPair], dict[Caption, str], int]:
    """The judged pairs, the captions' texts, and the number of rows not labelled yet.

    ``prefix``: the chunks read (``PREFIX-NN.csv``), judged against the design ``sample_path``; the held-out
    draw (``heldout``, data/quality/heldout-sample.csv) has no sampled union: each pair's is its own class.
    """
    union = prefix == "matches"
    design = {row["id"]: row for row in read_rows(sample_path, ("id", "corpus", "doc_key", "taxonomy",
                                                               "class_index", "stratum", "stratum_pairs",
                                                               *(("union_classes",) if union else ())))}
    judged, texts, unlabelled = [], {}, 0
    for path in sorted(labelled_dir.glob(f"{prefix}-*.csv")):
        rows = read_rows(path, MATCH_COLUMNS)
        for line, row in enumerate(rows, 2):
            drawn = design.get(row["id"])
            if drawn is None or any(drawn[c] != row[c] for c in ("corpus", "doc_key", "taxonomy", "class_index")):
                raise QualityDataError(f"{_where(path, line)}: row {row['id']} is not the pair drawn under that id in "
                                       f"{sample_path}; copy the rows of to_label/ unchanged")
            _check_class(path, line, row["taxonomy"], int(row["class_index"]), row["class"], class_names)
            label = row["label"].strip().lower()
            if not label:
                unlabelled += 1
                continue
            if label not in LABELS:
                raise QualityDataError(f"{_where(path, line)}: label {row['label']!r} is not one of "
                                       f"{', '.join(LABELS)}; fix the label")
            classes = drawn["union_classes"].split("|") if union else [row["class_index"]]
            judged.append(JudgedPair((row["corpus"], row["doc_key"]), row["taxonomy"], int(row["class_index"]),
                                     label, drawn["stratum"], int(drawn["stratum_pairs"]),
                                     frozenset(int(i) for i in classes if i)))
        texts.update(_texts(rows))
    return judged, texts, unlabelled


def load_recall(labelled_dir: Path, class_names: Mapping[str, Sequence[str]], drawn_dir: Path | None = None
                ) -> tuple[list[AnnotatedCaption], dict[Caption, str], int]:
    """The annotated captions, their texts, and the number of rows not annotated yet (a list column empty).

    With ``drawn_dir`` (the chunks as drawn, to_label/), each row must be the caption drawn under its id.
    """
    drawn: dict[str, Caption] = {}
    if drawn_dir is not None:
        for path in drawn_dir.glob("recall-*.csv"):
            drawn.update({row["id"]: (row["corpus"], row["doc_key"]) for row in read_rows(path, RECALL_COLUMNS)})
    annotated, texts, unannotated = [], {}, 0
    for path in sorted(labelled_dir.glob("recall-*.csv")):
        rows = read_rows(path, RECALL_COLUMNS)
        for line, row in enumerate(rows, 2):
            if drawn_dir is not None and drawn.get(row["id"]) != (row["corpus"], row["doc_key"]):
                raise QualityDataError(f"{_where(path, line)}: row {row['id']} is not the caption drawn under that id "
                                       f"in {drawn_dir}; copy the rows of to_label/ unchanged")
            if any(not row[taxonomy].strip() for taxonomy in LISTS):
                unannotated += 1
                continue
            annotated.append(annotated_caption(path, line, row, class_names, heldout=heldout_draw_of(path)))
        texts.update(_texts(rows))
    return annotated, texts, unannotated


def annotated_caption(path: Path, line: int, row: Mapping[str, str], class_names: Mapping[str, Sequence[str]], *,
                      heldout: str = "") -> AnnotatedCaption:
    """One annotated recall row (at ``path``:``line``, for the errors) as the classes it mentions per list, those
    marked unsure and the generic names."""
    entry = AnnotatedCaption((row["corpus"], row["doc_key"]), heldout=heldout)
    for taxonomy in LISTS:
        entry.mentions[taxonomy], entry.unsure[taxonomy] = _parse_classes(path, line, taxonomy, row[taxonomy],
                                                                          class_names)
    entry.generic = _parse_generic(path, line, row["generic"])
    return entry


def heldout_draw_of(path: Path) -> str:
    """The held-out draw a recall chunk (recall-NN.csv) is of: the name of the draw with NN among its recall
    chunks, or "" for a chunk of no held-out draw."""
    number = path.stem.rpartition("-")[2]
    return next((draw.name for draw in HELDOUT_DRAWS if number.isdigit() and int(number) in draw.recall_chunks), "")


def _chunk_range(chunks: range) -> str:
    return f"recall-{chunks[0]:02d}..{chunks[-1]:02d}"


def _texts(rows: list[dict[str, str]]) -> dict[Caption, str]:
    return {(row["corpus"], row["doc_key"]): row["caption"] for row in fill_captions(rows, skip_unavailable=True)}


def _check_class(path: Path, line: int, taxonomy: str, index: int, name: str,
                 class_names: Mapping[str, Sequence[str]]) -> None:
    names = class_names.get(taxonomy)
    if names is None:
        raise QualityDataError(f"{_where(path, line)}: unknown list {taxonomy!r}; one of {', '.join(LISTS)}")
    if not 0 <= index < len(names):
        raise QualityDataError(f"{_where(path, line)}: {taxonomy} has no class {index}; it has 0..{len(names) - 1}")
    if name and name.strip().lower() != names[index].lower():
        raise QualityDataError(f"{_where(path, line)}: {taxonomy} class {index} is {names[index]!r}, not "
                               f"{name.strip()!r}; fix the index or the name (data/classes/{taxonomy}.csv)")


def _parse_classes(path: Path, line: int, taxonomy: str, cell: str, class_names: Mapping[str, Sequence[str]]
                   ) -> tuple[set[int], set[int]]:
    sure, unsure = set(), set()
    if cell.strip().lower() == "none":
        return sure, unsure
    for item in cell.split("|"):
        if not item.strip():
            continue
        parsed = _ITEM.match(item)
        if parsed is None:
            raise QualityDataError(f"{_where(path, line)}: {taxonomy} item {item!r} is not 'index:class' (or "
                                   "'index:class?' when unsure); fix the cell")
        index = int(parsed.group(1))
        _check_class(path, line, taxonomy, index, parsed.group(2) or "", class_names)
        (unsure if parsed.group(3) else sure).add(index)
    return sure, unsure - sure


def _parse_generic(path: Path, line: int, cell: str) -> set[tuple[str, str]]:
    found = set()
    for item in cell.split("|"):
        if not item.strip():
            continue
        taxonomy, _, word = item.strip().partition(":")
        if taxonomy not in LISTS or not word.strip():
            raise QualityDataError(f"{_where(path, line)}: generic item {item!r} is not 'list:word' with a list of "
                                   f"{', '.join(LISTS)}; fix the cell")
        found.add((taxonomy, word.strip().lower()))
    return found


def generic_summary(annotated: Sequence[AnnotatedCaption], top: int = 8) -> list[str]:
    """Per list, the parent names the recall captions use instead of a class, most frequent first."""
    lines = []
    for taxonomy in LISTS:
        counts: dict[str, int] = defaultdict(int)
        for entry in annotated:
            for list_name, word in entry.generic:
                if list_name == taxonomy:
                    counts[word] += 1
        captions = sum(1 for entry in annotated if any(t == taxonomy for t, _ in entry.generic))
        common = ", ".join(f"{w} {n}" for w, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:top])
        lines.append(f"generic names for {taxonomy} classes: in {captions} of {len(annotated)} captions ({common})")
    return lines


# --- scoring ------------------------------------------------------------------------------------------------------

@dataclass
class Estimate:
    value: float
    low: float
    high: float

    def __str__(self) -> str:
        if np.isnan(self.value):
            return "     -              "
        return f"{self.value:.3f} [{self.low:.3f}, {self.high:.3f}]"


def _estimate(point: np.ndarray, replicates: np.ndarray) -> Estimate:
    finite = replicates[np.isfinite(replicates)]
    if not np.isfinite(point) or finite.size == 0:
        return Estimate(float(point), float("nan"), float("nan"))
    low, high = np.percentile(finite, [2.5, 97.5])
    return Estimate(float(point), float(low), float(high))


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan)


def stratified_sums(strata: Sequence[str], values: np.ndarray, replicates: int, rng: np.random.Generator
                    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per stratum: the column sums of ``values`` (units x quantities) and ``replicates`` bootstrap replicates of
    them (replicates x quantities), each resampling the stratum's units with replacement."""
    by_stratum: dict[str, list[int]] = defaultdict(list)
    for row, stratum in enumerate(strata):
        by_stratum[stratum].append(row)
    sums = {}
    for stratum in sorted(by_stratum):
        block = values[by_stratum[stratum]]
        draws = rng.multinomial(len(block), np.full(len(block), 1 / len(block)), size=replicates)
        sums[stratum] = (block.sum(axis=0), draws @ block)
    return sums


@dataclass
class MethodScore:
    scope: str
    taxonomy: str
    method: str
    precision: Estimate
    precision_unsure_as_no: float
    judged: int  # pairs judged yes/no that the method counts
    unsure: int
    new_pairs: int  # pairs the method counts in the judged captions that were never drawn: not judged
    recall_set_precision: Estimate
    recall: Estimate
    f1: Estimate
    mentions: int  # mentions in the recall set (its denominator), unweighted


def score(judged: Sequence[JudgedPair], annotated: Sequence[AnnotatedCaption], counted: Counted,
          methods: Sequence[str], *, replicates: int = REPLICATES, seed: int = SEED) -> list[MethodScore]:
    """Every method's scores per scope and list (see the module docstring for the estimators)."""
    rng = np.random.default_rng(seed)
    m = len(methods)
    by_caption: dict[tuple[str, str], dict[Caption, set[int]]] = defaultdict(lambda: defaultdict(set))
    for method in methods:
        for taxonomy in LISTS:
            for caption, index in counted[method][taxonomy]:
                by_caption[(method, taxonomy)][caption].add(index)

    # Matches: per pair and method, weighted yes / yes-or-no / any-label indicators of the pairs it counts.
    labelled_per_stratum: dict[str, int] = defaultdict(int)
    for pair in judged:
        labelled_per_stratum[pair.stratum] += 1
    match_values = np.zeros((len(judged), 3 * m))
    for row, pair in enumerate(judged):
        weight = pair.stratum_pairs / labelled_per_stratum[pair.stratum]
        for k, method in enumerate(methods):
            if (pair.caption, pair.class_index) in counted[method][pair.taxonomy]:
                match_values[row, k] = weight * (pair.label == "yes")
                match_values[row, m + k] = weight * (pair.label != "unsure")
                match_values[row, 2 * m + k] = weight
    match_sums = stratified_sums([p.stratum for p in judged], match_values, replicates, rng)

    # Recall set: per caption, list and method, weighted true positives, false positives, misses.
    annotated_per_corpus: dict[str, int] = defaultdict(int)
    for entry in annotated:
        annotated_per_corpus[entry.caption[0]] += 1
    recall_values = np.zeros((len(annotated), len(LISTS), 3 * m + 1))
    for row, entry in enumerate(annotated):
        weight = CORPUS_CAPTIONS[entry.caption[0]] / annotated_per_corpus[entry.caption[0]]
        for t, taxonomy in enumerate(LISTS):
            gold, unsure = entry.mentions[taxonomy], entry.unsure[taxonomy]
            recall_values[row, t, 3 * m] = len(gold)
            for k, method in enumerate(methods):
                found = by_caption[(method, taxonomy)].get(entry.caption, set()) - unsure
                recall_values[row, t, k] = weight * len(found & gold)
                recall_values[row, t, m + k] = weight * len(found - gold)
                recall_values[row, t, 2 * m + k] = weight * len(gold - found)
    recall_sums = stratified_sums([e.caption[0] for e in annotated], recall_values.reshape(len(annotated), len(LISTS) * (3 * m + 1)),
                                  replicates, rng)

    sampled_union = {(pair.caption, pair.taxonomy): pair.union_classes for pair in judged}
    results = []
    for scope, scope_corpora in SCOPES.items():
        for t, taxonomy in enumerate(LISTS):
            match_point, match_boot = _combine(match_sums, [f"{c}/{taxonomy}" for c in scope_corpora], 3 * m, replicates)
            recall_point, recall_boot = _combine(recall_sums, scope_corpora, len(LISTS) * (3 * m + 1), replicates)
            recall_point = recall_point.reshape(len(LISTS), -1)[t]
            recall_boot = recall_boot.reshape(replicates, len(LISTS), -1)[:, t]
            for k, method in enumerate(methods):
                precision = _ratio(match_point[k], match_point[m + k])
                precision_boot = _ratio(match_boot[:, k], match_boot[:, m + k])
                tp, fp, fn = recall_point[k], recall_point[m + k], recall_point[2 * m + k]
                tp_b, fp_b, fn_b = recall_boot[:, k], recall_boot[:, m + k], recall_boot[:, 2 * m + k]
                recall = _ratio(tp, tp + fn)
                recall_b = _ratio(tp_b, tp_b + fn_b)
                in_scope = [p for p in judged if p.taxonomy == taxonomy and p.caption[0] in scope_corpora
                            and (p.caption, p.class_index) in counted[method][taxonomy]]
                new = sum(len(by_caption[(method, taxonomy)].get(caption, set()) - union)
                          for (caption, list_name), union in sampled_union.items()
                          if list_name == taxonomy and caption[0] in scope_corpora)
                results.append(MethodScore(
                    scope=scope, taxonomy=taxonomy, method=method,
                    precision=_estimate(precision, precision_boot),
                    precision_unsure_as_no=float(_ratio(match_point[k], match_point[2 * m + k])),
                    judged=sum(1 for p in in_scope if p.label != "unsure"),
                    unsure=sum(1 for p in in_scope if p.label == "unsure"),
                    new_pairs=new,
                    recall_set_precision=_estimate(_ratio(tp, tp + fp), _ratio(tp_b, tp_b + fp_b)),
                    recall=_estimate(recall, recall_b),
                    f1=_estimate(_f1(precision, recall), _f1(precision_boot, recall_b)),
                    mentions=int(sum(recall_values[row, t, 3 * m] for row, e in enumerate(annotated)
                                     if e.caption[0] in scope_corpora)),
                ))
    return results


@dataclass
class HeldoutPrecision:
    """freqscope's precision on the held-out pairs of one stratum or all of them (see heldout_precision)."""

    scope: str
    precision: Estimate
    precision_unsure_as_no: float
    judged: int  # drawn pairs still counted, judged yes/no
    unsure: int
    dropped: dict[str, int]  # label -> drawn pairs freqscope no longer counts
    new_pairs: int  # pairs counted now in the held-out captions that were never drawn: not judged

    def __str__(self) -> str:
        dropped = ", ".join(f"{label} {self.dropped.get(label, 0)}" for label in LABELS)
        return (f"{self.scope:18s} {str(self.precision):27s} judged {self.judged:4d}  unsure {self.unsure:3d}  "
                f"P unsure=no {self.precision_unsure_as_no:.3f}  no longer counted: {dropped}  "
                f"new (unjudged) {self.new_pairs}")


def heldout_precision(judged: Sequence[JudgedPair], counted: Mapping[str, set[tuple[Caption, int]]], *,
                      replicates: int = REPLICATES, seed: int = SEED, overall: str = "all held-out"
                      ) -> list[HeldoutPrecision]:
    """freqscope's precision on the held-out pairs (or another draw of its pairs: the development ones), per
    stratum and over all of them (the scope named ``overall``).

    The held-out pairs were drawn from what freqscope counted at the draw; precision now is the stratum-weighted
    share of `yes` among the drawn pairs it still counts (weight: pairs in the stratum / pairs labelled there;
    `unsure` left out, and a lower bound with it as `no`). Drawn pairs it no longer counts drop out (their labels
    are tallied: a `no` dropped is a false positive removed, a `yes` a true one lost); pairs it counts now in the
    held-out captions that were not drawn are reported as new, unjudged: they may be pairs it counted at the draw
    and the draw missed, or pairs a change added.
    """
    rng = np.random.default_rng(seed)
    per_stratum: dict[str, int] = defaultdict(int)
    for pair in judged:
        per_stratum[pair.stratum] += 1
    values = np.zeros((len(judged), 3))
    for row, pair in enumerate(judged):
        if (pair.caption, pair.class_index) in counted[pair.taxonomy]:
            weight = pair.stratum_pairs / per_stratum[pair.stratum]
            values[row] = (weight * (pair.label == "yes"), weight * (pair.label != "unsure"), weight)
    sums = stratified_sums([p.stratum for p in judged], values, replicates, rng)
    drawn = {(p.caption, p.taxonomy, p.class_index) for p in judged}
    results = []
    for scope in [*sorted(per_stratum), overall]:
        strata = sorted(per_stratum) if scope == overall else [scope]
        point, boot = _combine(sums, strata, 3, replicates)
        pairs = [p for p in judged if p.stratum in strata]
        still = [p for p in pairs if (p.caption, p.class_index) in counted[p.taxonomy]]
        dropped: dict[str, int] = defaultdict(int)
        for p in pairs:
            if (p.caption, p.class_index) not in counted[p.taxonomy]:
                dropped[p.label] += 1
        captions = {(p.caption, p.taxonomy) for p in pairs}
        new = sum(1 for taxonomy in {t for _, t in captions} for caption, index in counted[taxonomy]
                  if (caption, taxonomy) in captions and (caption, taxonomy, index) not in drawn)
        results.append(HeldoutPrecision(
            scope, _estimate(_ratio(point[0], point[1]), _ratio(boot[:, 0], boot[:, 1])),
            float(_ratio(point[0], point[2])), sum(1 for p in still if p.label != "unsure"),
            sum(1 for p in still if p.label == "unsure"), dict(dropped), new))
    return results


def recall_by_draw(annotated: Sequence[AnnotatedCaption], counted: Counted, methods: Sequence[str], *,
                   replicates: int = REPLICATES) -> tuple[list[str], dict[str, dict[tuple[str, str, str], MethodScore]]]:
    """The recall-set recall of every method per scope and list, on the captions curated against (every chunk but
    the held-out ones), the held-out draws (each apart where there are several, then all of them: "held-out") and
    every caption ("pooled"): the table's lines, and the scores per draw and (scope, list, method)."""
    heldout_draws = sorted({e.heldout for e in annotated if e.heldout})
    draws = {"curated on": [e for e in annotated if not e.heldout],
             **({name: [e for e in annotated if e.heldout == name] for name in heldout_draws}
                if len(heldout_draws) > 1 else {}),
             "held-out": [e for e in annotated if e.heldout], "pooled": list(annotated)}
    scored = {draw: {(r.scope, r.taxonomy, r.method): r for r in score([], entries, counted, methods,
                                                                        replicates=replicates)}
              for draw, entries in draws.items()}
    header = (f"{'scope':5s} {'list':10s} {'method':13s} " + " ".join(
        f"{f'recall, {draw} ({len(entries)} captions)':>34s}" for draw, entries in draws.items()))
    lines = [header, "-" * len(header)]
    for key in scored["pooled"]:
        cells = " ".join(f"{str(scored[draw][key].recall):>24s} {scored[draw][key].mentions:4d} men."
                         for draw in draws)
        lines.append(f"{key[0]:5s} {key[1]:10s} {key[2]:13s} {cells}")
    return lines, scored


def _combine(sums: dict[str, tuple[np.ndarray, np.ndarray]], strata: Sequence[str], width: int, replicates: int
             ) -> tuple[np.ndarray, np.ndarray]:
    point, boot = np.zeros(width), np.zeros((replicates, width))
    for stratum in strata:
        if stratum in sums:
            point += sums[stratum][0]
            boot += sums[stratum][1]
    return point, boot


def _f1(precision: np.ndarray, recall: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return 2 * precision * recall / (precision + recall)


def goals(results: Sequence[MethodScore]) -> list[tuple[str, bool | None]]:
    """The issue's goals as (line, passed); passed is None where the labels cannot decide it yet."""
    lines = []
    by_key = {(r.scope, r.taxonomy, r.method): r for r in results}
    target = by_key.get((GOAL_SCOPE, GOAL_LIST, "freqscope"))
    if target is not None:
        for name, estimate, bar in (("precision", target.precision, GOAL_PRECISION),
                                    ("recall", target.recall, GOAL_RECALL)):
            verdict = None if np.isnan(estimate.value) else estimate.value >= bar
            lines.append((f"freqscope {name} >= {bar:.2f} on {GOAL_LIST} over the web captions (CC3M + LAION): "
                          f"{estimate}", verdict))
    methods = sorted({r.method for r in results})
    for taxonomy in LISTS:
        for scope in SCOPES:
            ours = by_key.get((scope, taxonomy, "freqscope"))
            if ours is None:
                continue
            peers = [by_key[(scope, taxonomy, m)] for m in methods if m != "freqscope"]
            values = [p.f1.value for p in peers if not np.isnan(p.f1.value)]
            best = max(values) if values else float("nan")
            verdict = None if np.isnan(ours.f1.value) or np.isnan(best) else ours.f1.value >= best
            lines.append((f"freqscope best F1 on {taxonomy} ({scope}): {ours.f1.value:.3f} vs best peer {best:.3f}",
                          verdict))
    return lines


def freqscope_errors(judged: Sequence[JudgedPair], annotated: Sequence[AnnotatedCaption], texts: Mapping[Caption, str],
                     found: Mapping[str, Mapping[tuple[Caption, int], str]], class_names: Mapping[str, Sequence[str]],
                     corpora: Sequence[str], dev: Sequence[JudgedPair] = ()) -> list[str]:
    """freqscope's errors on the labels of ``corpora``, one line each, per list: the judged pairs it counts that
    are labelled `no` (false positives, with the terms that matched), the development pairs ``dev`` it counts that
    are labelled `no` (DEV lines), and in the recall set the mentions it misses (false negatives) and the classes
    it counts that the caption does not mention. ``found``: per list, {(caption, class_index): matched terms}.

    The listing is what curation reads, so the captions of the held-out draws are never in it (their number is
    said): a held-out figure holds only for captions no curation decision has seen."""
    heldout = sum(1 for entry in annotated if entry.heldout and entry.caption[0] in corpora)
    annotated = [entry for entry in annotated if not entry.heldout]
    lines = [f"(the {heldout} annotated captions of the held-out draws are left out)"] if heldout else []
    for taxonomy in LISTS:
        names, counted = class_names[taxonomy], found[taxonomy]
        for kind, pairs in (("FP ", judged), ("DEV", dev)):
            wrong = sorted((p for p in pairs if p.taxonomy == taxonomy and p.caption[0] in corpora and p.label == "no"
                            and (p.caption, p.class_index) in counted), key=lambda p: (names[p.class_index], p.caption))
            what = "judged pairs" if kind == "FP " else "development pairs"
            lines.append(f"== {taxonomy}: {len(wrong)} {what} counted but labelled no")
            lines += [f"{kind} {names[p.class_index]!r} <- {counted[(p.caption, p.class_index)]!r}  "
                      f"{p.caption[0]}:{p.caption[1]}  {texts[p.caption]!r}" for p in wrong]
        missed, extra = [], []
        for entry in annotated:
            if entry.caption[0] not in corpora:
                continue
            ours = {index for (caption, index) in counted if caption == entry.caption}
            gold, unsure = entry.mentions[taxonomy], entry.unsure[taxonomy]
            where = f"{entry.caption[0]}:{entry.caption[1]}  {texts[entry.caption]!r}"
            missed += [f"FN  {names[i]!r}  {where}" for i in sorted(gold - ours)]
            extra += [f"RFP {names[i]!r} <- {counted[(entry.caption, i)]!r}  {where}" for i in sorted(ours - gold - unsure)]
        lines.append(f"== {taxonomy}: {len(missed)} recall-set mentions missed, {len(extra)} counted but not annotated")
        lines += sorted(missed) + sorted(extra)
    return lines


def format_results(results: Sequence[MethodScore]) -> str:
    header = (f"{'scope':5s} {'list':10s} {'method':13s} {'precision (matches) [95%]':27s} {'judged':>6s} "
              f"{'unsure':>6s} {'P unsure=no':>11s} {'new':>5s} {'P (recall set)':>22s} {'recall [95%]':>22s} "
              f"{'F1 [95%]':>22s} {'mentions':>8s}")
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(f"{r.scope:5s} {r.taxonomy:10s} {r.method:13s} {str(r.precision):27s} {r.judged:6d} "
                     f"{r.unsure:6d} {r.precision_unsure_as_no:11.3f} {r.new_pairs:5d} {str(r.recall_set_precision):>22s} "
                     f"{str(r.recall):>22s} {str(r.f1):>22s} {r.mentions:8d}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", type=Path, default=LABELLED_DIR, help="folder of labelled chunks")
    parser.add_argument("--sample", type=Path, default=SAMPLE_PATH, help="the sample's design (matches-sample.csv)")
    parser.add_argument("--replicates", type=int, default=REPLICATES, help="bootstrap replicates")
    parser.add_argument("--heldout-sample", type=Path, help="the held-out draw's design (default: heldout-sample.csv "
                        "beside --sample)")
    parser.add_argument("--errors", choices=sorted(SCOPES), help="list freqscope's errors on the labels of a scope "
                        "instead of the figures")
    args = parser.parse_args(argv)
    from quality_methods import METHODS, class_names, freqscope_pairs, method_pairs

    try:
        if not args.labels.is_dir():
            raise QualityDataError(f"{args.labels}: no such folder of labelled chunks; label data/quality/to_label/ first")
        names = {taxonomy: class_names(taxonomy) for taxonomy in LISTS}
        judged, match_texts, unlabelled = load_matches(args.labels, args.sample, names)
        drawn_dir = args.sample.parent / "to_label"
        annotated, recall_texts, unannotated = load_recall(args.labels, names, drawn_dir if drawn_dir.is_dir() else None)
        # per held-out draw with labels: (judged pairs, rows not labelled yet)
        heldout: dict[HeldoutDraw, tuple[list[JudgedPair], int]] = {}
        heldout_texts: dict[Caption, str] = {}
        for draw in HELDOUT_DRAWS:
            if any(args.labels.glob(f"{draw.prefix}-*.csv")):
                design = (args.heldout_sample if draw == HELDOUT_DRAWS[0] and args.heldout_sample
                          else args.sample.parent / draw.design)
                pairs, draw_texts, unlabelled_pairs = load_matches(args.labels, design, names, prefix=draw.prefix)
                heldout[draw] = (pairs, unlabelled_pairs)
                heldout_texts.update(draw_texts)
        # The development draws (quality_data.DEV_DRAWS: web pairs freqscope counted, drawn like the held-out ones
        # but for curating terms), pooled with each later draw's strata apart, as the held-out draws are.
        dev, dev_texts, dev_unlabelled = [], {}, 0
        for draw in DEV_DRAWS:
            if any(args.labels.glob(f"{draw}-*.csv")):
                pairs, draw_texts, unlabelled_pairs = load_matches(args.labels, args.sample.parent / f"{draw}-sample.csv",
                                                                   names, prefix=draw)
                dev += pairs if draw == DEV_DRAWS[0] else [replace(p, stratum=f"{p.stratum} ({draw})") for p in pairs]
                dev_texts.update(draw_texts)
                dev_unlabelled += unlabelled_pairs
    except QualityDataError as error:
        print(f"bench_quality: {error}", file=sys.stderr)
        return 2
    texts = {**dev_texts, **heldout_texts, **match_texts, **recall_texts}
    missing = sorted({c for c in CORPORA if not corpus_available(c)})
    skipped_matches = sum(1 for p in judged if p.caption not in texts)
    skipped_recall = sum(1 for e in annotated if e.caption not in texts)
    judged = [p for p in judged if p.caption in texts]
    annotated = [e for e in annotated if e.caption in texts]
    for draw, (pairs, unlabelled_pairs) in heldout.items():
        print(f"{draw.name} labels: {len(pairs)} judged pairs ({unlabelled_pairs} rows not labelled yet), "
              f"{sum(e.heldout == draw.name for e in annotated)} annotated captions of "
              f"{_chunk_range(draw.recall_chunks)}")
    print(f"labels: {len(judged)} judged pairs ({unlabelled} rows not labelled yet, {skipped_matches} skipped: text "
          f"absent), {len(annotated)} annotated captions ({unannotated} not yet, {skipped_recall} skipped)")
    per_stratum: dict[str, int] = defaultdict(int)
    for pair in judged:
        per_stratum[pair.stratum] += 1
    print("labelled pairs per stratum: " + ", ".join(f"{s} {n}" for s, n in sorted(per_stratum.items())))
    per_corpus: dict[str, int] = defaultdict(int)
    for entry in annotated:
        per_corpus[entry.caption[0]] += 1
    print("annotated captions per corpus: " + ", ".join(f"{c} {n}" for c, n in sorted(per_corpus.items())))
    if missing:
        print(f"corpora absent from ../shared (their unshipped captions skipped): {', '.join(missing)}")
    if dev or dev_unlabelled:
        print(f"development labels: {len(dev)} judged pairs ({dev_unlabelled} rows not labelled yet)")
    if not judged and not annotated and not any(pairs for pairs, _ in heldout.values()) and not dev:
        print("nothing labelled yet: no figures")
        return 0
    captions = sorted(texts)
    if args.errors:
        found_terms = {taxonomy: {(captions[doc], index): matched for (doc, index), matched in pairs.items()}
                       for taxonomy, pairs in freqscope_pairs([texts[c] for c in captions], LISTS).items()}
        print("\n".join(freqscope_errors(judged, annotated, texts, found_terms, names, SCOPES[args.errors], dev)))
        return 0
    found = method_pairs([texts[c] for c in captions], LISTS)
    counted = {method: {taxonomy: {(captions[doc], index) for doc, index in pairs}
                        for taxonomy, pairs in per_list.items()} for method, per_list in found.items()}
    results = score(judged, annotated, counted, METHODS, replicates=args.replicates)
    print(format_results(results))
    print()
    few = sorted({f"{r.taxonomy} ({r.scope}: {r.mentions})" for r in results if r.mentions < FEW_MENTIONS})
    if few:
        print(f"recall rests on fewer than {FEW_MENTIONS} annotated mentions in: {', '.join(few)}; "
              "there the F1 says little more than the precision")
    for line in generic_summary(annotated):
        print(line)
    goal_lines = goals(results)
    if any(e.heldout for e in annotated):
        print()
        drawn = ", ".join(f"{draw.name}: {_chunk_range(draw.recall_chunks)}" for draw in HELDOUT_DRAWS
                          if any(e.heldout == draw.name for e in annotated))
        print(f"recall on the captions curated against (every recall chunk but the held-out ones), the held-out "
              f"draws ({drawn}) and all of them (the table above):")
        lines, by_draw = recall_by_draw(annotated, counted, METHODS, replicates=args.replicates)
        print("\n".join(lines))
        held = by_draw["held-out"][(GOAL_SCOPE, GOAL_LIST, "freqscope")].recall
        goal_lines.append((f"held-out: freqscope recall >= {GOAL_RECALL:.2f} on {GOAL_LIST} over the web captions: "
                           f"{held}", None if np.isnan(held.value) else held.value >= GOAL_RECALL))
    drawn_pairs = {draw: pairs for draw, (pairs, _) in heldout.items() if pairs}
    for draw, pairs in drawn_pairs.items():
        print()
        print(f"{draw.name} precision of freqscope ({draw.prefix}-NN.csv: web ImageNet-1k pairs it counted at the "
              f"draw):")
        heldout_scores = heldout_precision(pairs, counted["freqscope"], replicates=args.replicates,
                                           overall=f"all {draw.name}")
        print("\n".join(str(h) for h in heldout_scores))
    if len(drawn_pairs) > 1:
        print()
        print("held-out precision of freqscope, every draw (each draw's strata apart, so each weighs as its "
              "stratum sizes say):")
        heldout_scores = heldout_precision(
            [replace(p, stratum=f"{p.stratum} ({draw.name})") for draw, pairs in drawn_pairs.items() for p in pairs],
            counted["freqscope"], replicates=args.replicates)
        print(heldout_scores[-1])
    if drawn_pairs:
        overall = heldout_scores[-1].precision
        goal_lines.append((f"held-out: freqscope precision >= {GOAL_PRECISION:.2f} on {GOAL_LIST} over the web "
                           f"captions: {overall}", None if np.isnan(overall.value) else overall.value >= GOAL_PRECISION))
    if dev:
        print()
        print("precision of freqscope on the development pairs (dev-NN.csv, dev2-NN.csv, dev3-NN.csv: web pairs it counted at the "
              "draw, curated against):")
        print("\n".join(str(d) for d in heldout_precision(dev, counted["freqscope"], replicates=args.replicates,
                                                           overall="all development")))
    print()
    for line, passed in goal_lines:
        print(f"{'PASS' if passed else 'FAIL' if passed is False else 'n/a '}  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
