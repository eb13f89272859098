"""Labelled image datasets for ``infer``: an image folder, a CSV / JSONL manifest, or a saved HF dataset.

Every dataset becomes a list of ``ImageItem`` (a stable key, the true class index, where the image is) in a
fixed order, so ``--limit`` and resume always see the same images. Images are opened only when predicted:
a missing or corrupt file is an error recorded for that image, not for the run.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from freqscope.errors import FreqscopeError
from freqscope.terms.taxonomy import ClassList
from freqscope.text import normalize_words

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm"}
MANIFEST_SUFFIXES = {".csv", ".tsv", ".jsonl", ".json"}
IMAGE_COLUMNS = ("image", "path", "image_path", "file", "filename")
LABEL_COLUMNS = ("label", "class", "class_name", "wnid")
# Files `datasets.Dataset.save_to_disk` / `DatasetDict.save_to_disk` write.
HF_MARKERS = ("state.json", "dataset_dict.json")


@dataclass(frozen=True)
class ImageItem:
    key: str  # stored in predictions.image: the path as the dataset names it, or "split/row"
    label_index: int
    location: Path | int  # a file, or a row of the HF dataset


@dataclass
class ImageDataset:
    name: str  # what runs.dataset records: the resolved path (a run is resumed only on the same one)
    kind: str  # folder | manifest | hf
    items: list[ImageItem]
    _hf_rows: Any = field(default=None, repr=False)
    _hf_image_column: str | None = None

    def open_image(self, item: ImageItem) -> Any:
        """The item's image as RGB; raises whatever PIL or the filesystem raises for a bad one."""
        from PIL import Image

        if isinstance(item.location, Path):
            with Image.open(item.location) as image:
                return image.convert("RGB")
        value = self._hf_rows[item.location][self._hf_image_column]
        if isinstance(value, dict):  # an undecoded Image feature: {"bytes": ..., "path": ...}
            import io

            value = Image.open(io.BytesIO(value["bytes"])) if value.get("bytes") else Image.open(value["path"])
        return value.convert("RGB")


def _label_text(value: str) -> str:
    return " ".join(normalize_words(value.replace("_", " ")))


class LabelResolver:
    """Maps a dataset's labels to class indices: by WordNet id, by name (case and punctuation folded), or by index."""

    def __init__(self, class_list: ClassList) -> None:
        self.class_list = class_list
        self.by_wnid = {c.wnid: c.index for c in class_list.classes if c.wnid}
        self.by_name: dict[str, list[int]] = {}
        for c in class_list.classes:
            self.by_name.setdefault(_label_text(c.name), []).append(c.index)
        self.indices = {c.index for c in class_list.classes}

    def resolve(self, label: Any) -> int | None:
        """The class index, or None when the label is not a class of the list."""
        if isinstance(label, bool):
            return None
        if isinstance(label, int):
            return label if label in self.indices else None
        text = str(label).strip()
        if text in self.by_wnid:
            return self.by_wnid[text]
        named = self.by_name.get(_label_text(text))
        if named:
            if len(named) > 1:
                raise FreqscopeError(
                    f"label {text!r} names classes {named} of {self.class_list.name}: "
                    "label those images by class index or WordNet id instead"
                )
            return named[0]
        if text.isdigit() and int(text) in self.indices:
            return int(text)
        return None

    def resolve_all(self, labels: Iterable[Any], where: str) -> list[int]:
        resolved, unknown = [], []
        for label in labels:
            index = self.resolve(label)
            if index is None:
                unknown.append(label)
            resolved.append(index)
        if unknown:
            shown = ", ".join(repr(u) for u in list(dict.fromkeys(unknown))[:5])
            raise FreqscopeError(
                f"{len(unknown)} labels in {where} are not classes of {self.class_list.name} (e.g. {shown}): "
                "label images by class name, class index or WordNet id, or pick the matching --classes"
            )
        return resolved


def load_image_dataset(
    spec: str | Path, class_list: ClassList, *, split: str | None = None, image_root: str | Path | None = None
) -> ImageDataset:
    """Open a dataset by its path; the kind is told by what is there."""
    path = Path(spec).expanduser()
    if not path.exists():
        raise FreqscopeError(f"dataset {path} does not exist: pass an image folder, a CSV/JSONL manifest or a saved HF dataset")
    resolver = LabelResolver(class_list)
    if path.is_dir() and any((path / marker).exists() for marker in HF_MARKERS):
        return _hf_dataset(path, resolver, split)
    if path.is_dir():
        if split is not None:
            raise FreqscopeError(f"--split {split} given, but {path} is an image folder, which has no splits: drop --split")
        return _image_folder(path, resolver)
    if path.suffix.lower() in MANIFEST_SUFFIXES:
        return _manifest(path, resolver, split, Path(image_root) if image_root else path.parent)
    raise FreqscopeError(
        f"cannot tell what dataset {path} is: expected a folder, a .csv/.tsv/.jsonl manifest or a saved HF dataset"
    )


def _image_folder(root: Path, resolver: LabelResolver) -> ImageDataset:
    class_dirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not class_dirs:
        raise FreqscopeError(f"image folder {root} has no sub-folders: put each class's images in a folder named by the class")
    labels = resolver.resolve_all([d.name for d in class_dirs], f"the sub-folder names of {root}")
    items = []
    for class_dir, label in zip(class_dirs, labels):
        for file in sorted(class_dir.rglob("*")):
            if file.suffix.lower() in IMAGE_SUFFIXES and file.is_file():
                items.append(ImageItem(file.relative_to(root).as_posix(), label, file))
    if not items:
        raise FreqscopeError(f"image folder {root} has no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
    return ImageDataset(str(root.resolve()), "folder", items)


def _read_manifest(path: Path) -> list[dict]:
    try:
        if path.suffix.lower() in (".jsonl", ".json"):
            text = path.read_text(encoding="utf-8")
            if path.suffix.lower() == ".json" and text.lstrip().startswith("["):
                return json.loads(text)
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle, delimiter=delimiter))
    except (json.JSONDecodeError, csv.Error, UnicodeDecodeError) as exc:
        raise FreqscopeError(f"cannot read manifest {path}: {exc}; expected one record per line with image and label") from None


def _pick_column(columns: Iterable[str], wanted: tuple[str, ...], path: Path, what: str) -> str:
    present = list(columns)
    for name in wanted:
        if name in present:
            return name
    raise FreqscopeError(f"manifest {path} has no {what} column (one of {', '.join(wanted)}); it has {', '.join(present)}")


def _manifest(path: Path, resolver: LabelResolver, split: str | None, image_root: Path) -> ImageDataset:
    records = _read_manifest(path)
    if not records:
        raise FreqscopeError(f"manifest {path} is empty")
    image_column = _pick_column(records[0].keys(), IMAGE_COLUMNS, path, "image")
    label_column = _pick_column(records[0].keys(), LABEL_COLUMNS, path, "label")
    splits = sorted({str(r["split"]) for r in records if "split" in r})
    if split is None and len(splits) > 1:
        raise FreqscopeError(f"manifest {path} holds splits {', '.join(splits)}: pass --split to pick one")
    if split is not None:
        if not splits:
            raise FreqscopeError(f"--split {split} given, but manifest {path} has no split column: drop --split")
        if split not in splits:
            raise FreqscopeError(f"manifest {path} has no split {split!r}; it has {', '.join(splits)}")
        records = [r for r in records if str(r.get("split")) == split]
    labels = resolver.resolve_all([r[label_column] for r in records], f"manifest {path}")
    items = []
    for record, label in zip(records, labels):
        image = str(record[image_column])
        location = Path(image) if Path(image).is_absolute() else image_root / image
        items.append(ImageItem(image, label, location))
    name = str(path.resolve()) + (f"#{split}" if split else "")
    return ImageDataset(name, "manifest", items)


def _hf_dataset(path: Path, resolver: LabelResolver, split: str | None) -> ImageDataset:
    try:
        from datasets import ClassLabel, DatasetDict, Image, load_from_disk
    except ImportError:
        raise FreqscopeError(f"{path} is a saved Hugging Face dataset: run `pip install datasets` to read it") from None
    loaded = load_from_disk(str(path))
    if isinstance(loaded, DatasetDict):
        if split is None:
            if len(loaded) != 1:
                raise FreqscopeError(f"dataset {path} holds splits {', '.join(loaded)}: pass --split to pick one")
            split = next(iter(loaded))
        if split not in loaded:
            raise FreqscopeError(f"dataset {path} has no split {split!r}; it has {', '.join(loaded)}")
        rows = loaded[split]
    else:
        if split is not None:
            raise FreqscopeError(f"--split {split} given, but dataset {path} has a single split: drop --split")
        rows = loaded
    features = rows.features
    image_columns = [n for n, f in features.items() if isinstance(f, Image)]
    label_columns = [n for n, f in features.items() if isinstance(f, ClassLabel)] or [
        n for n in LABEL_COLUMNS if n in features
    ]
    if not image_columns or not label_columns:
        raise FreqscopeError(
            f"dataset {path} needs an Image column and a label column (ClassLabel or one of {', '.join(LABEL_COLUMNS)}); "
            f"it has {', '.join(features)}"
        )
    label_column = label_columns[0]
    raw_labels = list(rows[label_column])
    feature = features[label_column]
    if isinstance(feature, ClassLabel):
        # Map through the dataset's own names: its label order need not be the class list's.
        raw_labels = [feature.int2str(v) for v in raw_labels]
    labels = resolver.resolve_all(raw_labels, f"dataset {path}")
    prefix = split or "all"
    items = [ImageItem(f"{prefix}/{row}", label, row) for row, label in enumerate(labels)]
    name = str(path.resolve()) + (f"#{split}" if split else "")
    return ImageDataset(name, "hf", items, _hf_rows=rows, _hf_image_column=image_columns[0])
