"""``freqscope demo``: the main job on the bundled data, start to finish, in under a minute.

Index the three bundled caption corpora → import FDP's published per-class accuracies of CLIP models and
their LAION-400M / CC-3M counts → write a report relating exposure to accuracy, each model against its own
pretraining corpus (our samples of it, and FDP's published counts over the whole of it).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from freqscope.accuracy import import_accuracy, import_counts
from freqscope.analysis import analyze
from freqscope.indexer import IndexSummary, index
from freqscope.paths import CORPORA_DIR, DATA_DIR
from freqscope.plots import short_model
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
# FDP's names that the alias step cannot place by itself: CIFAR-100's "crab" is "cra" in FDP's files, and
# Flowers-102's class 92, "air plant" in CLIP's names, is "ball moss" there (checked by class order)
FDP_ALIASES = {"cifar100": {"cra": "crab"}, "flowers102": {"ball moss": "air plant"}}
# CLIP models trained on the corpora the bundled samples come from (CC-3M; LAION-400M); the report pairs each with
# the corpora its name names (cc3m and cc3m-fdp; laion and laion400m-fdp)
DEMO_MODELS = ("backboneRN50_pretrainedcc3m", "backboneViT-B-32_pretrainedlaion400m")
# The statistic `freqscope demo` ends with: RN50 against our counts in the CC3M sample, and against FDP's counts
HEADLINE_MODEL = "backboneRN50_pretrainedcc3m"
HEADLINE_CORPORA = ("cc3m", "cc3m-fdp")
REPORT_BOOTSTRAP = 200  # as reports/demo.toml, so that the headline's interval is the report's


@dataclass
class DemoResult:
    db: Path
    report: Path
    indexed: list[IndexSummary]
    headline: list[str]


def headline(db: Path) -> list[str]:
    """One line per corpus of HEADLINE_CORPORA: the headline model's Spearman ρ with its interval, binned r."""
    lines = []
    for corpus in HEADLINE_CORPORA:
        r = analyze(db, list(FDP_TAXONOMIES.values()), [corpus], HEADLINE_MODEL, n_boot=REPORT_BOOTSTRAP,
                    sensitivity=False, store=False)
        s = r["spearman"]
        lines.append(f"{short_model(HEADLINE_MODEL)}, accuracy against exposure in {corpus}: "
                     f"Spearman ρ = {s['r']:.2f} "
                     f"[{s['ci_low']:.2f}, {s['ci_high']:.2f}] over {r['n_classes']} classes "
                     f"({r['n_never_mentioned']} never mentioned), binned r = {r['binned_pearson']['r']:.2f}")
    return lines


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
        aliases = FDP_ALIASES.get(dataset)
        import_accuracy(db, FDP_DIR / "zero_shot_evaluations" / f"{dataset}_ensemble_results.json", taxonomy,
                        format="fdp", aliases=aliases)
        for corpus in FDP_CORPORA:
            counts = FDP_DIR / "search_counts" / f"{dataset}_{corpus}_integrated_tlemmatized_i0.7_search_counts.json"
            import_counts(db, counts, corpus=f"{corpus}-fdp", taxonomy=taxonomy, aliases=aliases)
    report = write_report(db, out / "report.pdf", taxonomies=list(FDP_TAXONOMIES.values()), models=list(DEMO_MODELS),
                          definition="demo")
    return DemoResult(db=db, report=report, indexed=indexed, headline=headline(db))
