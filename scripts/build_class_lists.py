"""Regenerate the built-in class lists in data/classes/ from the shared source files and WordNet 3.0.

    python scripts/build_class_lists.py            # rewrite data/classes/
    python scripts/build_class_lists.py --out DIR  # write elsewhere (tests compare DIR with data/classes/)

Writes, per list, ``<name>.csv`` (the classes: name, wnid) and ``<name>.terms.csv`` (the terms expanded with
the default options and the curated term data of data/terms/, with their tiers), ``<name>.context.csv``,
``<name>.block.csv`` and ``<name>.heads.csv`` where the list has context words, block phrases or head words, plus ``lists.json`` (the index of
lists). Sources and licences are described in data/classes/SOURCE.md; the LICENSE-* files there are kept by
hand.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from freqscope.terms.classes import BUILTIN_KINDS_FROM, ClassRow, expand_class_list, write_expanded_terms  # noqa: E402
from freqscope.paths import CLASS_LISTS_DIR, SHARED_DIR  # noqa: E402
from freqscope.terms.wordnet import WordNet, require_wordnet  # noqa: E402

CLIP_BENCHMARK = "clip_benchmark/en_classnames.json"
OPENAI_CLIP = "openai_clip/DERIVED_clip_prompts_classes_templates.json"
IMAGENET_WNIDS = "imagenet_timm/imagenet_synsets.txt"


@dataclass(frozen=True)
class BuiltinList:
    name: str
    origin: str  # where the class names come from, for lists.json and `freqscope classes`
    licence: str
    read_names: Callable[[Path], list[str]]
    read_wnids: Callable[[Path], list[str]] | None = None


def _json_list(relative: str, *keys: str) -> Callable[[Path], list[str]]:
    def read(classes_dir: Path) -> list[str]:
        value = json.loads((classes_dir / relative).read_text(encoding="utf-8"))
        for key in keys:
            value = value[key]
        return list(value)

    return read


def _imagenet_wnids(classes_dir: Path) -> list[str]:
    return (classes_dir / IMAGENET_WNIDS).read_text(encoding="utf-8").split()


BUILTIN_LISTS = (
    BuiltinList("imagenet1k", "CLIP_benchmark en_classnames.json imagenet1k (= OpenAI CLIP, VLMClassifier); "
                "wnids from timm", "MIT; wnids Apache-2.0", _json_list(CLIP_BENCHMARK, "imagenet1k"),
                _imagenet_wnids),
    BuiltinList("flowers102", "CLIP_benchmark en_classnames.json flowers (= OpenAI CLIP, VLMClassifier)", "MIT",
                _json_list(CLIP_BENCHMARK, "flowers")),
    BuiltinList("stanfordcars", "OpenAI CLIP prompts StanfordCars (torchvision names, as CLIP_benchmark cars)",
                "MIT", _json_list(OPENAI_CLIP, "StanfordCars", "classes")),
    BuiltinList("stanfordcars-vlmclassifier", "VLMClassifier data/cars_classes.json (year first)", "MIT",
                _json_list("vlmclassifier/cars_classes.json")),
    BuiltinList("caltech101", "CLIP_benchmark en_classnames.json caltech101 (= OpenAI CLIP)", "MIT",
                _json_list(CLIP_BENCHMARK, "caltech101")),
    BuiltinList("caltech101-vtab", "CLIP_benchmark en_classnames.json caltech101_vtab (vtab/caltech101 order)",
                "MIT", _json_list(CLIP_BENCHMARK, "caltech101_vtab")),
    BuiltinList("caltech101-vlmclassifier", "VLMClassifier data/caltech_classes.json (100 classes)", "MIT",
                _json_list("vlmclassifier/caltech_classes.json")),
    BuiltinList("food101", "OpenAI CLIP prompts Food101 (torchvision names with '_' as ' ', as CLIP_benchmark)",
                "MIT", _json_list(OPENAI_CLIP, "Food101", "classes")),
    BuiltinList("cifar10", "OpenAI CLIP prompts CIFAR10 (torchvision names, as CLIP_benchmark)", "MIT",
                _json_list(OPENAI_CLIP, "CIFAR10", "classes")),
    BuiltinList("cifar100", "OpenAI CLIP prompts CIFAR100 (torchvision names with '_' as ' ')", "MIT",
                _json_list(OPENAI_CLIP, "CIFAR100", "classes")),
    BuiltinList("oxfordpets", "CLIP_benchmark en_classnames.json pets", "MIT", _json_list(CLIP_BENCHMARK, "pets")),
    BuiltinList("country211", "CLIP_benchmark en_classnames.json country211", "MIT",
                _json_list(CLIP_BENCHMARK, "country211")),
    BuiltinList("eurosat", "CLIP_benchmark en_classnames.json eurosat", "MIT", _json_list(CLIP_BENCHMARK, "eurosat")),
    BuiltinList("gtsrb", "CLIP_benchmark en_classnames.json gtsrb", "MIT", _json_list(CLIP_BENCHMARK, "gtsrb")),
    BuiltinList("fer2013", "CLIP_benchmark en_classnames.json fer2013", "MIT", _json_list(CLIP_BENCHMARK, "fer2013")),
    BuiltinList("dtd", "OpenAI CLIP prompts DescribableTextures", "MIT",
                _json_list(OPENAI_CLIP, "DescribableTextures", "classes")),
    BuiltinList("fgvcaircraft", "OpenAI CLIP prompts FGVCAircraft (variants)", "MIT",
                _json_list(OPENAI_CLIP, "FGVCAircraft", "classes")),
    BuiltinList("sun397", "OpenAI CLIP prompts SUN397", "MIT", _json_list(OPENAI_CLIP, "SUN397", "classes")),
    BuiltinList("resisc45", "OpenAI CLIP prompts RESISC45", "MIT", _json_list(OPENAI_CLIP, "RESISC45", "classes")),
    BuiltinList("stl10", "OpenAI CLIP prompts STL10", "MIT", _json_list(OPENAI_CLIP, "STL10", "classes")),
    BuiltinList("voc2007", "OpenAI CLIP prompts PascalVOC2007", "MIT",
                _json_list(OPENAI_CLIP, "PascalVOC2007", "classes")),
    BuiltinList("birdsnap", "OpenAI CLIP prompts Birdsnap", "MIT", _json_list(OPENAI_CLIP, "Birdsnap", "classes")),
)


def write_classes(names: list[str], wnids: list[str] | None, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("name", "wnid"))
        for position, name in enumerate(names):
            writer.writerow((name, wnids[position] if wnids else ""))


def _curated_wnids(name: str, names: list[str]) -> list[str | None] | None:
    """The wnids curated into the checked-in ``<name>.csv`` of a list whose source has none (CIFAR; the
    curated data of issue 13), kept where its names are the source's."""
    path = CLASS_LISTS_DIR / f"{name}.csv"
    if not path.is_file():
        return None
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if [row["name"] for row in rows] != names or not any(row["wnid"] for row in rows):
        return None
    return [row["wnid"] or None for row in rows]  # "" where WordNet has no synset (CIFAR-100 aquarium fish)


def build(out_dir: Path, classes_dir: Path, wordnet: WordNet) -> None:
    """Write every generated file of data/classes/ into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    index = {}
    built = {}
    for spec in BUILTIN_LISTS:
        names = spec.read_names(classes_dir)
        wnids = spec.read_wnids(classes_dir) if spec.read_wnids else _curated_wnids(spec.name, names)
        if wnids is not None and len(wnids) != len(names):
            raise SystemExit(f"{spec.name}: {len(names)} names but {len(wnids)} wnids")
        write_classes(names, wnids, out_dir / f"{spec.name}.csv")
        rows = [ClassRow(name, wnids[i] if wnids else None, (), i + 2) for i, name in enumerate(names)]
        class_list = expand_class_list(spec.name, f"builtin:{spec.name}", rows, curated=True,
                                       kinds_from=built.get(BUILTIN_KINDS_FROM.get(spec.name, "")))
        built[spec.name] = class_list
        write_expanded_terms(class_list, out_dir / f"{spec.name}.terms.csv")
        index[spec.name] = {"classes": len(names), "terms": len(class_list.terms), "origin": spec.origin,
                            "licence": spec.licence}
        print(f"{spec.name}: {len(names)} classes, {len(class_list.terms)} terms", file=sys.stderr)
    (out_dir / "lists.json").write_text(json.dumps(index, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CLASS_LISTS_DIR, help="output directory")
    parser.add_argument("--shared", type=Path, default=SHARED_DIR / "data" / "classes",
                        help="the shared class files (clip_benchmark/, openai_clip/, imagenet_timm/, vlmclassifier/)")
    args = parser.parse_args()
    build(args.out, args.shared, require_wordnet("to build the class lists"))


if __name__ == "__main__":
    main()
