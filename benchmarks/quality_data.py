"""The caption corpora and the labelled files of the count-quality evaluation (data/quality/).

Every caption is named by (corpus, doc_key), a key the corpus file itself defines, so that the labels do not
depend on how freqscope's readers number documents:

- coco: the annotation id of the caption in captions_val2017.json;
- cc3m: the 0-based line number in Validation_GCC-1.1.0-Validation.tsv;
- laion: the 0-based row number in test_10000.parquet;
- flickr8k: the caption's own key, ``<image>.jpg#<n>``.

Flickr8k is for research use only, so its caption text is never stored in data/: its rows keep the key and an
empty caption, and the text is read from ../shared where that is present (``caption_texts``).
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import polars as pl

from freqscope.paths import DATA_DIR, SHARED_DIR

QUALITY_DIR = DATA_DIR / "quality"
SHARED_CORPORA = SHARED_DIR / "data" / "corpora"

CORPUS_FILES = {
    "coco": "coco_captions_val2017/captions_val2017.json",
    "cc3m": "cc3m_validation/Validation_GCC-1.1.0-Validation.tsv",
    "laion": "laion_sample/test_10000.parquet",
    "flickr8k": "flickr8k/Flickr8k.token.txt",
}
CORPORA = tuple(CORPUS_FILES)
WEB_CORPORA = ("cc3m", "laion")
# Captions in each corpus file: the population the recall captions were drawn from (a test checks them).
CORPUS_CAPTIONS = {"coco": 25_014, "cc3m": 15_833, "laion": 10_000, "flickr8k": 40_460}
# Corpora whose caption text may not be copied into the project (research-use licence).
TEXT_NOT_SHIPPED = frozenset({"flickr8k"})
LISTS = ("imagenet1k", "cifar100", "food101")

MATCH_COLUMNS = ("id", "corpus", "doc_key", "caption", "taxonomy", "class_index", "class", "matched", "label", "note")
RECALL_COLUMNS = ("id", "corpus", "doc_key", "caption", "suggestions", "imagenet1k", "cifar100", "food101",
                  "generic", "note")
LABELS = ("yes", "no", "unsure")


@dataclass(frozen=True)
class HeldoutDraw:
    """A held-out draw: web ImageNet-1k pairs freqscope counted at the draw (``PREFIX-NN.csv``, its design
    ``design``) and web recall captions (``recall-NN.csv`` for NN in ``recall_chunks``), none of them read by a
    curation decision."""

    name: str
    prefix: str
    design: str
    recall_chunks: range


# quality_sample.py heldout: after the tiers were curated on the first labels (recall-14..19 are development
# captions, drawn for curating); quality_sample.py heldout2 (and more-recall twice): after the third curation pass;
# quality_sample.py heldout3 (its recall captions recall-26..28): after the seventh; heldout4 (recall-29..31):
# after the fourteenth; heldout5 (recall-32..34): after the fifteenth and sixteenth and the first re-reading.
HELDOUT_DRAWS = (HeldoutDraw("held-out 1", "heldout", "heldout-sample.csv", range(8, 14)),
                 HeldoutDraw("held-out 2", "heldout2", "heldout2-sample.csv", range(20, 26)),
                 HeldoutDraw("held-out 3", "heldout3", "heldout3-sample.csv", range(26, 29)),
                 HeldoutDraw("held-out 4", "heldout4", "heldout4-sample.csv", range(29, 32)),
                 HeldoutDraw("held-out 5", "heldout5", "heldout5-sample.csv", range(32, 35)))
# The development draws of pairs (PREFIX-NN.csv, design PREFIX-sample.csv), for curating: quality_sample.py
# dev-matches (web pairs of every list, after the first curation) and dev2 (web ImageNet-1k pairs, after the
# seventh pass, most of them from LAION, where precision is lowest) and dev3 (the same, after the ninth and tenth).
DEV_DRAWS = ("dev", "dev2", "dev3")


class QualityDataError(Exception):
    """A labelled file or a corpus is missing or malformed: the message says which, where and what to do."""


def corpus_path(corpus: str) -> Path:
    return SHARED_CORPORA / CORPUS_FILES[corpus]


def corpus_available(corpus: str) -> bool:
    return corpus_path(corpus).is_file()


def read_corpus(corpus: str) -> list[tuple[str, str]]:
    """(doc_key, caption) of every caption of a corpus, in file order."""
    path = corpus_path(corpus)
    if not path.is_file():
        raise QualityDataError(f"corpus {corpus}: {path} is missing; the corpora are read from ../shared beside the repository")
    if corpus == "coco":
        annotations = json.loads(path.read_text(encoding="utf-8"))["annotations"]
        return [(str(a["id"]), a["caption"]) for a in annotations]
    if corpus == "cc3m":
        with path.open(encoding="utf-8", newline="") as handle:
            return [(str(n), line.rstrip("\n").split("\t", 1)[0]) for n, line in enumerate(handle)]
    if corpus == "laion":
        texts = pl.read_parquet(path, columns=["TEXT"])["TEXT"].to_list()
        return [(str(n), text) for n, text in enumerate(texts) if text is not None]
    if corpus == "flickr8k":
        rows = []
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                key, _, text = line.rstrip("\n").partition("\t")
                rows.append((key, text))
        return rows
    raise QualityDataError(f"unknown corpus {corpus!r}: one of {', '.join(CORPORA)}")


def caption_texts(corpus: str, keys: Iterable[str]) -> dict[str, str]:
    """The caption of each key, read from the corpus file; raises QualityDataError if a key is not in it."""
    wanted = set(keys)
    found = {key: text for key, text in read_corpus(corpus) if key in wanted}
    missing = wanted - found.keys()
    if missing:
        raise QualityDataError(f"corpus {corpus}: {len(missing)} keys not found in {corpus_path(corpus)} "
                               f"(e.g. {sorted(missing)[0]!r}); is it the same file the labels were drawn from?")
    return found


def write_rows(path: Path, columns: tuple[str, ...], rows: Iterable[dict]) -> Path:
    """Rows as a label CSV of ``columns`` (a column a row lacks is left empty); returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="raise")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


def read_rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of a label CSV; its header must hold every expected column."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise QualityDataError(f"{path}: missing columns {', '.join(missing)}; the header must be {','.join(columns)}")
        return [dict(row) for row in reader]


def fill_captions(rows: list[dict[str, str]], *, skip_unavailable: bool) -> Iterator[dict[str, str]]:
    """Rows with their caption text; rows of a corpus whose text is not shipped get it from ../shared.

    Rows of such a corpus are left out when the corpus is absent and ``skip_unavailable`` is true.
    """
    by_corpus: dict[str, list[str]] = {}
    for row in rows:
        if row["corpus"] in TEXT_NOT_SHIPPED:
            by_corpus.setdefault(row["corpus"], []).append(row["doc_key"])
    texts: dict[tuple[str, str], str] = {}
    for corpus, keys in by_corpus.items():
        if not corpus_available(corpus):
            if skip_unavailable:
                continue
            raise QualityDataError(f"corpus {corpus}: {corpus_path(corpus)} is missing and its captions are not shipped")
        texts.update({(corpus, k): t for k, t in caption_texts(corpus, keys).items()})
    for row in rows:
        if row["corpus"] in TEXT_NOT_SHIPPED:
            key = (row["corpus"], row["doc_key"])
            if key not in texts:
                continue
            row = {**row, "caption": texts[key]}
        yield row
