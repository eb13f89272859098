"""How often two readers agree: the labels of the second held-out draw against a blind second annotator's, on
the share of it both labelled (`quality_sample.py second`).

    PYTHONPATH=$PWD python benchmarks/quality_agreement.py [--labels data/quality/labelled]

A precision or recall measured on one reader's labels can say no more than readers agree: where two careful
readers of the same protocol disagree on one pair in ten, a figure of 0.95 is within their disagreement.

- Pairs (`second-pairs.csv` against `heldout2-01.csv`, row by row by id): the table of the two readers' labels,
  their raw agreement and Cohen's kappa, and freqscope's precision on these pairs by each reader (the share of
  `yes` among the pairs labelled yes or no, each corpus weighted by the draw's design, heldout2-sample.csv, as
  bench_quality.py does).
- Recall captions (`second-recall.csv` against recall-20..25, by id): per list, the classes each reader marks as
  mentioned (sure, not `?`), how many both mark, their positive agreement (2 |both| / (|first| + |second|)), and
  freqscope's recall of the web ImageNet-1k mentions by each reader (captions weighted by corpus size over the
  captions annotated in it).
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Mapping, Sequence

from bench_quality import LABELLED_DIR, AnnotatedCaption, JudgedPair, annotated_caption, heldout_precision, score
from quality_data import (HELDOUT_DRAWS, LABELS, LISTS, MATCH_COLUMNS, QUALITY_DIR, RECALL_COLUMNS, QualityDataError,
                          read_rows)

SECOND_PAIRS = "second-pairs.csv"
SECOND_RECALL = "second-recall.csv"
FIRST_DRAW = HELDOUT_DRAWS[1]  # the draw the second annotator's rows were taken from
GOAL_LIST = "imagenet1k"


def kappa(first: Sequence[str], second: Sequence[str]) -> float:
    """Cohen's kappa of two readers' labels of the same items: agreement beyond what their label frequencies
    give by chance (1: always agree; 0: as chance)."""
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second)) / n
    counts_first, counts_second = Counter(first), Counter(second)
    expected = sum(counts_first[label] * counts_second[label] for label in counts_first) / (n * n)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def paired_rows(first_rows: Sequence[dict[str, str]], second_rows: Sequence[dict[str, str]], second_path: Path,
                key_columns: Sequence[str]) -> list[tuple[dict[str, str], dict[str, str]]]:
    """The second reader's rows with the first reader's of the same id; a row that is not the same item, or an id
    the first reader never had, is refused."""
    by_id = {row["id"]: row for row in first_rows}
    pairs = []
    for line, row in enumerate(second_rows, 2):
        first = by_id.get(row["id"])
        if first is None or any(first[c] != row[c] for c in key_columns):
            raise QualityDataError(f"{second_path}:{line}: row {row['id']} is not the item drawn under that id; copy "
                                   "the rows of to_label/ unchanged")
        pairs.append((first, row))
    return pairs


def pair_agreement(pairs: Sequence[tuple[dict[str, str], dict[str, str]]], design: Mapping[str, dict[str, str]]
                   ) -> list[str]:
    """The lines of the pairs' part (see the module's docstring)."""
    labelled = [(a["label"].strip().lower(), b["label"].strip().lower(), a) for a, b in pairs]
    labelled = [(x, y, row) for x, y, row in labelled if x and y]
    for x, y, row in labelled:
        if x not in LABELS or y not in LABELS:
            raise QualityDataError(f"row {row['id']}: labels {x!r} / {y!r} are not all of {', '.join(LABELS)}")
    first, second = [x for x, _, _ in labelled], [y for _, y, _ in labelled]
    table = Counter(zip(first, second))
    lines = [f"pairs labelled by both readers: {len(labelled)}",
             "first \\ second " + " ".join(f"{label:>7s}" for label in LABELS)]
    lines += [f"{x:14s} " + " ".join(f"{table[(x, y)]:7d}" for y in LABELS) for x in LABELS]
    agree = sum(x == y for x, y in zip(first, second))
    sure = [(x, y) for x, y in zip(first, second) if x != "unsure" and y != "unsure"]
    lines.append(f"agreement {agree / len(labelled):.3f} ({agree} of {len(labelled)}), Cohen's kappa "
                 f"{kappa(first, second):.3f}; where both are sure: {sum(x == y for x, y in sure) / len(sure):.3f} "
                 f"({sum(x == y for x, y in sure)} of {len(sure)})")
    # freqscope counted every pair of the draw: its precision by a reader is bench_quality's held-out precision
    # of the pairs under that reader's labels
    rows = [row for _, _, row in labelled]
    drawn = {taxonomy: {((row["corpus"], row["doc_key"]), int(row["class_index"])) for row in rows
                        if row["taxonomy"] == taxonomy} for taxonomy in LISTS}
    for name, labels in (("first", first), ("second", second)):
        judged = [JudgedPair((row["corpus"], row["doc_key"]), row["taxonomy"], int(row["class_index"]), label,
                             design[row["id"]]["stratum"], int(design[row["id"]]["stratum_pairs"]),
                             frozenset({int(row["class_index"])})) for label, row in zip(labels, rows)]
        precision = heldout_precision(judged, drawn)[-1].precision
        lines.append(f"freqscope's precision on these pairs by the {name} reader: {precision.value:.3f}")
    return lines


def recall_agreement(pairs: Sequence[tuple[AnnotatedCaption, AnnotatedCaption]],
                     counted: Mapping[tuple[int, int], str]) -> list[str]:
    """The lines of the recall captions' part (see the module's docstring); ``counted``: freqscope's
    (position in ``pairs``, class) pairs of GOAL_LIST."""
    lines = [f"recall captions annotated by both readers: {len(pairs)}"]
    for taxonomy in LISTS:
        first = {(n, c) for n, (a, _) in enumerate(pairs) for c in a.mentions[taxonomy]}
        second = {(n, c) for n, (_, b) in enumerate(pairs) for c in b.mentions[taxonomy]}
        both = first & second
        positive = 2 * len(both) / (len(first) + len(second)) if first or second else float("nan")
        lines.append(f"{taxonomy:10s} mentions: first {len(first):3d}, second {len(second):3d}, both {len(both):3d}; "
                     f"positive agreement {positive:.3f}")
    # bench_quality's recall-set recall, under each reader's annotations in turn
    found = {"freqscope": {taxonomy: set() for taxonomy in LISTS}}
    found["freqscope"][GOAL_LIST] = {(pairs[n][0].caption, index) for n, index in counted}
    for name, side in (("first", 0), ("second", 1)):
        scores = score([], [pair[side] for pair in pairs], found, ["freqscope"])
        recall = next(r for r in scores if r.scope == "all" and r.taxonomy == GOAL_LIST)
        lines.append(f"freqscope's recall of {GOAL_LIST} mentions by the {name} reader: "
                     f"{recall.recall.value:.3f} ({recall.mentions} mentions)")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", type=Path, default=LABELLED_DIR, help="folder of labelled chunks")
    parser.add_argument("--design", type=Path, default=QUALITY_DIR / FIRST_DRAW.design,
                        help="the draw's design (heldout2-sample.csv)")
    args = parser.parse_args(argv)
    from quality_methods import class_names, freqscope_pairs

    try:
        for name in (SECOND_PAIRS, SECOND_RECALL):
            if not (args.labels / name).is_file():
                raise QualityDataError(f"{args.labels / name}: not labelled yet; label data/quality/to_label/{name} "
                                       "first (a reader who has not seen the first labels)")
        names = {taxonomy: class_names(taxonomy) for taxonomy in LISTS}
        first_pairs = [row for path in sorted(args.labels.glob(f"{FIRST_DRAW.prefix}-*.csv"))
                       for row in read_rows(path, MATCH_COLUMNS)]
        pairs = paired_rows(first_pairs, read_rows(args.labels / SECOND_PAIRS, MATCH_COLUMNS),
                            args.labels / SECOND_PAIRS, ("corpus", "doc_key", "taxonomy", "class_index"))
        design = {row["id"]: row for row in read_rows(args.design, ("id", "stratum", "stratum_pairs"))}
        first_recall: list[dict[str, str]] = []
        where: dict[str, tuple[Path, int]] = {}
        for number in FIRST_DRAW.recall_chunks:
            path = args.labels / f"recall-{number:02d}.csv"
            if path.is_file():
                rows = read_rows(path, RECALL_COLUMNS)
                first_recall += rows
                where.update({row["id"]: (path, line) for line, row in enumerate(rows, 2)})
        second_path = args.labels / SECOND_RECALL
        captions = paired_rows(first_recall, read_rows(second_path, RECALL_COLUMNS), second_path,
                               ("corpus", "doc_key"))
        annotated = []
        for line, (a, b) in enumerate(captions, 2):
            if any(not a[t].strip() or not b[t].strip() for t in LISTS):
                continue
            annotated.append((annotated_caption(*where[a["id"]], a, names),
                              annotated_caption(second_path, line, b, names)))
        texts = [a["caption"] for a, b in captions if all(a[t].strip() and b[t].strip() for t in LISTS)]
    except QualityDataError as error:
        print(f"quality_agreement: {error}", file=sys.stderr)
        return 2
    print("\n".join(pair_agreement(pairs, design)))
    print()
    print("\n".join(recall_agreement(annotated, freqscope_pairs(texts, [GOAL_LIST])[GOAL_LIST])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
