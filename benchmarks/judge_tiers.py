"""A judged sample of the captions matched by the terms the tier rule does not count as before (issue 13).

    python benchmarks/judge_tiers.py draw OUT.csv        # index the 4 bundled caption corpora, draw the sample
    python benchmarks/judge_tiers.py score JUDGED.csv    # before / after figures from a judged sample

`draw` indexes CC3M (validation), the LAION sample, COCO (val2017) and Flickr8k from ../shared against
ImageNet-1k, CIFAR-100 and Food-101 into a temporary database, takes the SAMPLE_TERMS terms of the blocked and
context tiers with the most matches, and draws PER_TERM captions matched by each (seeded; where a term counted
somewhere, one of those), writing them with an empty `means_class` column to fill by reading each caption
(yes / no: does the caption mean the class, the object itself?). `score` prints, of the judged captions, how
many mean the class, how many were counted before (all of them: every term counted) and after (the `counted`
column: a context term with its context word), and the same weighted by each term's matches.
The judged sample of the tier rule as shipped is benchmarks/tier_rule_sample.csv, drawn this way except for the
order of the terms tied at 46 matches (the query then had no tie-break) and its captions judged by reading.
"""
from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
from pathlib import Path

import duckdb

import freqscope
from freqscope.paths import SHARED_DIR
from freqscope.readers import SourceReader

CORPORA = {
    "cc3m": "cc3m_validation/Validation_GCC-1.1.0-Validation.tsv",
    "laion": "laion_sample/test_10000.parquet",
    "coco": "coco_captions_val2017/captions_val2017.json",
    "flickr8k": "flickr8k/Flickr8k.token.txt",
}
LISTS = ["imagenet1k", "cifar100", "food101"]
SAMPLE_TERMS = 40
PER_TERM = 3
SEED = 13
COLUMNS = ("id", "taxonomy", "class", "term", "tier", "matches", "counted", "caption", "means_class")

CHANGED_TERMS_SQL = """
SELECT a.taxonomy, a.class_index, c.class, t.term, a.tier, count(*) AS matches
FROM matches_all_terms a JOIN terms t USING (taxonomy, term_id)
JOIN classes c ON c.taxonomy = a.taxonomy AND c.class_index = a.class_index
WHERE a.tier IN ('blocked', 'context')
GROUP BY ALL ORDER BY matches DESC, a.taxonomy, a.class_index, t.term LIMIT ?
"""
TERM_MATCHES_SQL = """
SELECT a.source_id, a.doc, a.counted FROM matches_all_terms a JOIN terms t USING (taxonomy, term_id)
WHERE a.taxonomy = ? AND a.class_index = ? AND t.term = ? ORDER BY a.source_id, a.doc
"""


def draw(out: Path) -> None:
    corpora = SHARED_DIR / "data" / "corpora"
    with tempfile.TemporaryDirectory(prefix="freqscope-judge-") as work:
        db = Path(work) / "judge.duckdb"
        for corpus, relative in CORPORA.items():
            freqscope.index([corpora / relative], db=db, corpus=corpus, classes=LISTS, quiet=True)
        connection = duckdb.connect(str(db), read_only=True)
        texts: dict[tuple[int, int], str] = {}
        for source_id, path in connection.execute("SELECT source_id, path FROM sources").fetchall():
            for batch in SourceReader(path).batches():
                for doc, text in zip(batch["doc"], batch["text"]):
                    texts.setdefault((source_id, doc), text)
        rng = random.Random(SEED)
        rows = []
        for taxonomy, class_index, name, term, tier, matches in connection.execute(CHANGED_TERMS_SQL,
                                                                                    [SAMPLE_TERMS]).fetchall():
            found = connection.execute(TERM_MATCHES_SQL, [taxonomy, class_index, term]).fetchall()
            counted = [match for match in found if match[2]]
            pick = rng.sample(found, min(PER_TERM, len(found)))
            if counted and not any(match[2] for match in pick):  # the rare counted ones: one where there are any
                pick[-1] = rng.choice(counted)
            rows += [(taxonomy, name, term, tier, matches, was_counted, " ".join(texts[(source_id, doc)].split()))
                     for source_id, doc, was_counted in pick]
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows((position, *row, "") for position, row in enumerate(rows))
    print(f"{len(rows)} captions of {len(rows) // PER_TERM} terms written to {out}: judge the means_class column")


def score(judged: Path) -> None:
    with judged.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    unjudged = [row["id"] for row in rows if row["means_class"] not in ("yes", "no")]
    if unjudged:
        sys.exit(f"{judged}: rows {', '.join(unjudged[:10])} are not judged (means_class must be yes or no)")
    yes = [row for row in rows if row["means_class"] == "yes"]
    counted = [row for row in rows if row["counted"] == "True"]
    counted_yes = [row for row in counted if row["means_class"] == "yes"]
    print(f"{len(rows)} captions judged, {len(yes)} mean the class")
    print(f"before: all {len(rows)} counted, precision {len(yes) / len(rows):.2f}")
    print(f"after: {len(counted)} counted, {len(counted_yes)} of them mean the class; "
          f"{len(rows) - len(counted) - (len(yes) - len(counted_yes))} false matches no longer counted, "
          f"{len(yes) - len(counted_yes)} true matches lost")
    for tier in ("blocked", "context"):
        of_tier = [row for row in rows if row["tier"] == tier]
        print(f"  {tier}: {len(of_tier)} captions, {sum(r['means_class'] == 'yes' for r in of_tier)} mean the "
              f"class; after: {sum(r['counted'] == 'True' for r in of_tier)} counted, "
              f"{sum(r['counted'] == 'True' and r['means_class'] == 'yes' for r in of_tier)} meaning it")
    by_term: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        by_term.setdefault((row["class"], row["term"]), []).append(row)
    total = sum(int(group[0]["matches"]) for group in by_term.values())
    share = sum(int(group[0]["matches"]) * sum(r["means_class"] == "yes" for r in group) / len(group)
                for group in by_term.values()) / total
    print(f"weighted by each term's matches ({total} matches of {len(by_term)} terms): {share:.2f} mean the class")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("draw").add_argument("out", type=Path)
    commands.add_parser("score").add_argument("judged", type=Path)
    args = parser.parse_args()
    if args.command == "draw":
        draw(args.out)
    else:
        score(args.judged)


if __name__ == "__main__":
    main()
