"""``freqscope demo``: the main job on the bundled data, start to finish, in under a minute.

Index the three bundled caption corpora → import FDP's published per-class accuracies of CLIP models and
their LAION-400M / CC-3M counts → write a report relating exposure to accuracy.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from freqscope.accuracy import import_accuracy, import_counts
from freqscope.indexer import IndexSummary, index
from freqscope.paths import CORPORA_DIR, DATA_DIR
from freqscope.report import write_report

# corpus name -> bundled file
BUNDLED_CORPORA = {
    "coco_captions": CORPORA_DIR / "coco_captions_val2017" / "captions_val2017.json",
    "cc3m": CORPORA_DIR / "cc3m_validation" / "Validation_GCC-1.1.0-Validation.tsv",
    "laion": CORPORA_DIR / "laion_sample" / "test_10000.parquet",
}
FDP_DIR = DATA_DIR / "published" / "fdp"
# the class lists FDP's bundled files cover, by FDP's dataset name
FDP_TAXONOMIES = {"cifar10": "cifar10", "cifar100": "cifar100", "flowers102": "flowers102", "food101": "food101"}
FDP_CORPORA = ("cc3m", "laion400m")
# CLIP models trained on the corpora the bundled samples come from (CC-3M; LAION-400M)
DEMO_MODELS = ("backboneRN50_pretrainedcc3m", "backboneViT-B-32_pretrainedlaion400m")


@dataclass
class DemoResult:
    db: Path
    report: Path
    indexed: list[IndexSummary]


def demo(out: str | os.PathLike = "demo", *, quiet: bool = True) -> DemoResult:
    """Run the demo into folder ``out`` (database and report); re-running reuses what is already done."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    db = out / "freqscope.duckdb"
    indexed = [
        index([path], db=db, corpus=corpus, classes=list(FDP_TAXONOMIES.values()), quiet=quiet)
        for corpus, path in BUNDLED_CORPORA.items()
    ]
    for dataset, taxonomy in FDP_TAXONOMIES.items():
        import_accuracy(db, FDP_DIR / "zero_shot_evaluations" / f"{dataset}_ensemble_results.json", taxonomy, format="fdp")
        for corpus in FDP_CORPORA:
            counts = FDP_DIR / "search_counts" / f"{dataset}_{corpus}_integrated_tlemmatized_i0.7_search_counts.json"
            import_counts(db, counts, corpus=f"{corpus}-fdp", taxonomy=taxonomy)
    report = write_report(
        db, out / "report.pdf", taxonomies=list(FDP_TAXONOMIES.values()), corpora=["cc3m"], models=list(DEMO_MODELS)
    )
    return DemoResult(db=db, report=report, indexed=indexed)
