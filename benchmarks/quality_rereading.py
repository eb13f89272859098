"""Re-reading earlier labels under a rule the protocol settled later (data/quality/PROTOCOL.md, "Re-reading under
later rules").

    PYTHONPATH=$PWD python benchmarks/quality_sample.py rereading        # to_label/rereading-01.csv
    PYTHONPATH=$PWD python benchmarks/quality_sample.py apply-rereading  # labelled/ updated, relabelled.csv

The rows a new rule could touch are picked by what their caption and class are, never by their label or by a
matcher: a pair (matches, development, held-out, second-reader files) whose class is a material class; whose class
is a food and whose caption has a flavour, scent or blended-product word; or whose caption has an accessory word;
a recall caption with a material, flavour or accessory word. A reader who sees neither the old labels nor the
methods labels them again: a pair's `label` with the `rule` that decided it (`material`, `flavour`, `accessory`,
or `none` where no new rule did), a recall caption's classes decided by a new rule in `rules`
(`LIST:INDEX:CLASS=yes|no:RULE` items separated by `;`). A label changes only where the reader's differs and a new
rule decided it; every change is kept with its old and new label.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from quality_data import MATCH_COLUMNS, QUALITY_DIR, RECALL_COLUMNS, QualityDataError, read_rows, write_rows

NEW_RULES = ("material", "flavour", "accessory")
RULE_NONE = "none"
REREAD_PAIR_COLUMNS = ("id", "source", "corpus", "doc_key", "caption", "taxonomy", "class_index", "class", "label",
                       "rule", "note")
REREAD_RECALL_COLUMNS = ("id", "source", "corpus", "doc_key", "caption", "rules", "note")
CHANGE_COLUMNS = ("source", "taxonomy", "class_index", "class", "old", "new", "rule")
REREAD_FILE = "rereading-01.csv"
CHANGES_FILE = "relabelled.csv"
# ImageNet-1k's classes that are a material: a thing made of it shows it (PROTOCOL.md).
MATERIAL_CLASSES = {("imagenet1k", "velvet fabric"), ("imagenet1k", "wool")}
MATERIAL_WORDS = ("wool", "woolen", "woollen", "merino", "velvet", "velour")
# The food classes of each list: every Food-101 class; CIFAR-100's fruit and vegetables; ImageNet-1k's dishes,
# fruit, vegetables and drinks (its food synsets, by name).
CIFAR100_FOODS = {"apple", "orange", "pear", "sweet pepper", "mushroom"}
IMAGENET1K_FOODS = {
    "guacamole", "consomme", "hot pot", "trifle", "ice cream", "popsicle", "baguette", "bagel", "pretzel",
    "cheeseburger", "hot dog", "mashed potatoes", "cabbage", "broccoli", "cauliflower", "zucchini",
    "spaghetti squash", "acorn squash", "butternut squash", "cucumber", "artichoke", "bell pepper", "cardoon",
    "mushroom", "Granny Smith apple", "strawberry", "orange", "lemon", "fig", "pineapple", "banana", "jackfruit",
    "cherimoya (custard apple)", "pomegranate", "carbonara", "chocolate syrup", "dough", "meatloaf", "pizza",
    "pot pie", "burrito", "red wine", "espresso", "eggnog", "corn", "acorn", "rose hip", "corn cob",
}
FLAVOUR_WORDS = (
    "flavor", "flavors", "flavour", "flavours", "flavored", "flavoured", "scent", "scents", "scented", "aroma",
    "fragrance", "perfume", "lotion", "soap", "candle", "candles", "shampoo", "balm", "sauce", "dressing", "juice",
    "jam", "jelly", "syrup", "yogurt", "yoghurt", "smoothie", "tea", "soda", "lemonade", "marmalade", "candy",
    "candies", "drops", "chews", "gum", "liquid", "vape", "extract", "liqueur", "pops",
)
ACCESSORY_WORDS = (
    "case", "cases", "cover", "covers", "charger", "chargers", "holder", "holders", "mount", "mounts", "protector",
    "protectors", "adapter", "adapters", "adaptor", "skin", "skins", "sleeve", "sleeves", "strap", "straps", "dock",
    "cable", "cables", "replacement", "compatible", "battery", "batteries", "pouch", "accessories", "accessory",
    "parts", "kit",
)


def words_pattern(words: Iterable[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, words)) + r")(?![a-z0-9])")


MATERIAL_RE, FLAVOUR_RE, ACCESSORY_RE = map(words_pattern, (MATERIAL_WORDS, FLAVOUR_WORDS, ACCESSORY_WORDS))


def is_food(taxonomy: str, name: str) -> bool:
    return (taxonomy == "food101" or (taxonomy == "cifar100" and name in CIFAR100_FOODS)
            or (taxonomy == "imagenet1k" and name in IMAGENET1K_FOODS))


def pair_to_reread(caption: str, taxonomy: str, name: str) -> bool:
    """Whether a judged pair is one a new rule could decide, from its caption and class alone."""
    text = caption.lower()
    return ((taxonomy, name) in MATERIAL_CLASSES or (is_food(taxonomy, name) and FLAVOUR_RE.search(text) is not None)
            or ACCESSORY_RE.search(text) is not None)


def caption_to_reread(caption: str) -> bool:
    """Whether a recall caption holds a word a new rule could decide."""
    text = caption.lower()
    return any(pattern.search(text) for pattern in (MATERIAL_RE, FLAVOUR_RE, ACCESSORY_RE))


def labelled_files(labelled: Path) -> tuple[list[Path], list[Path]]:
    """The labelled pair files and recall files, in name order."""
    files = [f for f in sorted(labelled.glob("*.csv")) if f.name != REREAD_FILE]
    recall = [f for f in files if f.name.startswith("recall-") or f.name == "second-recall.csv"]
    return [f for f in files if f not in recall], recall


def select(labelled: Path, captions: dict[tuple[str, str], str]) -> list[dict]:
    """The rows to re-read, without their labels: ``captions`` gives the text of rows whose corpus is not shipped
    (the row's own `caption` is kept as it is, empty for those)."""
    pair_files, recall_files = labelled_files(labelled)
    rows: list[dict] = []
    for path in pair_files:
        for row in read_rows(path, MATCH_COLUMNS):
            text = captions.get((row["corpus"], row["doc_key"]), row["caption"])
            if pair_to_reread(text, row["taxonomy"], row["class"]):
                rows.append({"source": f"{path.name}:{row['id']}", **{c: row[c] for c in (
                    "corpus", "doc_key", "caption", "taxonomy", "class_index", "class")}})
    for path in recall_files:
        for row in read_rows(path, RECALL_COLUMNS):
            text = captions.get((row["corpus"], row["doc_key"]), row["caption"])
            if caption_to_reread(text):
                rows.append({"source": f"{path.name}:{row['id']}", "corpus": row["corpus"], "doc_key": row["doc_key"],
                             "caption": row["caption"], "taxonomy": "recall"})
    return [{**row, "id": f"x{number:04d}"} for number, row in enumerate(rows, 1)]


def write_selection(rows: list[dict], to_label: Path) -> Path:
    """One file for the reader: pairs first (their columns), then recall captions, told apart by `taxonomy`
    ("recall" for a caption, whose classes go in `rules`)."""
    columns = ("id", "source", "corpus", "doc_key", "caption", "taxonomy", "class_index", "class", "label", "rule",
               "rules", "note")
    return write_rows(to_label / REREAD_FILE, columns, rows)


def parse_rules(cell: str, where: str) -> list[tuple[str, str, str, str, str]]:
    """`LIST:INDEX:CLASS=yes|no:RULE;...` as (list, index, class, yes|no, rule) items."""
    items = []
    if cell.strip() == RULE_NONE:  # the reader found nothing a new rule decides
        return items
    for item in filter(None, (part.strip() for part in cell.split(";"))):
        match = re.fullmatch(r"([a-z0-9]+):(\d+):([^=]+)=(yes|no):([a-z]+)", item)
        if match is None or match.group(5) not in NEW_RULES:
            raise QualityDataError(f"{where}: rules item {item!r} is not LIST:INDEX:CLASS=yes|no:RULE with RULE one of "
                                   f"{', '.join(NEW_RULES)}; fix the re-read file")
        items.append(match.groups())
    return items


def recall_items(cell: str) -> list[str]:
    return [] if cell in ("", "none") else cell.split("|")


def apply(labelled: Path, reread_path: Path) -> list[dict]:
    """Applies the re-read labels to the labelled files in place; returns the changes (CHANGE_COLUMNS)."""
    reread = read_rows(reread_path, ("id", "source", "taxonomy", "class_index", "class", "label", "rule", "rules"))
    by_file: dict[str, dict[str, dict]] = {}
    for row in reread:
        name, _, row_id = row["source"].partition(":")
        by_file.setdefault(name, {})[row_id] = row
    changes: list[dict] = []
    updated: list[tuple[Path, tuple[str, ...], list[dict]]] = []
    for name, rows_by_id in sorted(by_file.items()):
        path = labelled / name
        recall = name.startswith("recall-") or name == "second-recall.csv"
        columns = RECALL_COLUMNS if recall else MATCH_COLUMNS
        rows = read_rows(path, columns)
        for row in rows:
            new = rows_by_id.get(row["id"])
            if new is None:
                continue
            where = f"{reread_path.name} {new['id']} ({new['source']})"
            if recall:
                changes += _apply_recall(row, parse_rules(new["rules"], where), new["source"])
            else:
                changes += _apply_pair(row, new, where)
        updated.append((path, columns, rows))
    # written only once every row is read and checked: a bad row changes no file
    for path, columns, rows in updated:
        write_rows(path, columns, rows)
    return changes


def _apply_pair(row: dict, new: dict, where: str) -> list[dict]:
    if new["rule"] not in (*NEW_RULES, RULE_NONE) or new["label"] not in ("yes", "no", "unsure"):
        raise QualityDataError(f"{where}: label {new['label']!r} / rule {new['rule']!r}: a label is yes, no or unsure "
                               f"and a rule one of {', '.join((*NEW_RULES, RULE_NONE))}; fix the re-read file")
    if new["rule"] == RULE_NONE or new["label"] == row["label"]:
        return []
    change = {"source": new["source"], "taxonomy": row["taxonomy"], "class_index": row["class_index"],
              "class": row["class"], "old": row["label"], "new": new["label"], "rule": new["rule"]}
    row["label"] = new["label"]
    return [change]


def _apply_recall(row: dict, items: list[tuple[str, str, str, str, str]], source: str) -> list[dict]:
    changes = []
    for taxonomy, index, name, verdict, rule in items:
        if taxonomy not in ("imagenet1k", "cifar100", "food101"):
            raise QualityDataError(f"{source}: rules item for list {taxonomy!r}: one of imagenet1k, cifar100, food101")
        present = recall_items(row[taxonomy])
        indices = [item.split(":", 1)[0].rstrip("?") for item in present]
        old = "yes" if index in indices else "no"
        if old == verdict:
            continue
        if verdict == "yes":
            present.append(f"{index}:{name}")
        else:
            present = [item for item, i in zip(present, indices) if i != index]
        row[taxonomy] = "|".join(present) if present else "none"
        changes.append({"source": source, "taxonomy": taxonomy, "class_index": index, "class": name, "old": old,
                        "new": verdict, "rule": rule})
    return changes
