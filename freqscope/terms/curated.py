"""The curated term data of ``data/terms/`` (format: docs/class-lists.md), read and checked.

Six CSV files with a header: ``everyday.csv`` (everyday names of a class, with their tier and origin),
``block.csv`` (phrases that count for no class), ``heads.csv`` (head nouns that make a phrase of any counted
term of a list and the head name something else: food101's "box" blocks "pizza box", "donut box"…), ``context.csv`` (the context words a class's context terms
need), ``tiers.csv`` (a curated tier for a term, overriding the automatic rule) and ``generic.csv`` (a parent
name counted as a separate figure for its sub-classes). A row names its class by list, index and name, and is
refused when the two disagree: a bad row is one FreqscopeError naming file and line.
"""
from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from freqscope.errors import FreqscopeError
from freqscope.paths import TERMS_DATA_DIR
from freqscope.terms.taxonomy import BlockHead, BlockPhrase

LIST_SEPARATOR = ";"
EVERYDAY_COLUMNS = ("taxonomy", "class_index", "class", "term", "tier", "origin", "evidence")
BLOCK_COLUMNS = ("phrase", "origin", "reason")
CONTEXT_COLUMNS = ("taxonomy", "class_index", "class", "term", "context", "origin")
TIERS_COLUMNS = ("taxonomy", "class_index", "class", "term", "tier", "reason")
GENERIC_COLUMNS = ("taxonomy", "term", "classes", "origin")
HEADS_COLUMNS = ("taxonomy", "head", "origin", "reason")
EVERYDAY_TIERS = ("name", "specific", "context")
OVERRIDE_TIERS = ("name", "specific", "context", "blocked")


@dataclass(frozen=True)
class EverydayName:
    term: str
    tier: str
    origin: str
    evidence: str


@dataclass(frozen=True)
class TierOverride:
    tier: str
    reason: str


@dataclass(frozen=True)
class GenericName:
    term: str
    class_indexes: tuple[int, ...]
    origin: str


@dataclass
class CuratedTerms:
    """What the curated files say of one list."""

    everyday: dict[int, list[EverydayName]] = field(default_factory=dict)
    context: dict[int, list[tuple[str, str]]] = field(default_factory=dict)  # class -> (context, origin)
    tiers: dict[tuple[int, str], TierOverride] = field(default_factory=dict)  # (class, term lower-cased)
    generic: list[GenericName] = field(default_factory=list)
    heads: list[BlockHead] = field(default_factory=list)

    def tier_of(self, index: int, term: str) -> TierOverride | None:
        """The tier tiers.csv curates for class ``index``'s term ``term`` (in any case), if any."""
        return self.tiers.get((index, term.lower()))


def _rows(path: Path, columns: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) of a curated file, its header checked; a missing file has no rows."""
    if not path.is_file():
        return
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = tuple(column.strip() for column in next(reader, []))
        if header != tuple(columns):
            raise FreqscopeError(f"{path}: the header is {','.join(header) or 'empty'}; it must be {','.join(columns)}")
        for record in reader:
            if not record:
                continue
            if len(record) != len(columns):
                raise FreqscopeError(f"{path}, line {reader.line_num}: {len(record)} fields, not {len(columns)}; "
                                     "quote fields that hold commas")
            yield reader.line_num, {column: value.strip() for column, value in zip(columns, record)}


def _class_at(path: Path, line: int, row: dict[str, str], class_names: Sequence[str]) -> int:
    """The row's class index, checked against its name."""
    try:
        index = int(row["class_index"])
    except ValueError:
        raise FreqscopeError(f"{path}, line {line}: class_index {row['class_index']!r} is not a number") from None
    if not 0 <= index < len(class_names) or class_names[index] != row["class"]:
        found = class_names[index] if 0 <= index < len(class_names) else "no class"
        raise FreqscopeError(f"{path}, line {line}: class {index} of {row['taxonomy']} is {found!r}, not "
                             f"{row['class']!r}; fix the index or the name")
    return index


def _require(path: Path, line: int, value: str, what: str) -> str:
    if not value:
        raise FreqscopeError(f"{path}, line {line}: empty {what}")
    return value


def _tier(path: Path, line: int, tier: str, allowed: Sequence[str]) -> str:
    if tier not in allowed:
        raise FreqscopeError(f"{path}, line {line}: tier {tier!r} is not one of {', '.join(allowed)}")
    return tier


def read_curated(list_name: str, class_names: Sequence[str], directory: Path = TERMS_DATA_DIR) -> CuratedTerms:
    """The curated rows of one list (checked against its class names)."""
    curated = CuratedTerms()
    path = directory / "everyday.csv"
    for line, row in _rows(path, EVERYDAY_COLUMNS):
        if row["taxonomy"] == list_name:
            index = _class_at(path, line, row, class_names)
            curated.everyday.setdefault(index, []).append(EverydayName(
                _require(path, line, row["term"], "term"), _tier(path, line, row["tier"], EVERYDAY_TIERS),
                _require(path, line, row["origin"], "origin"), row["evidence"]))
    path = directory / "context.csv"
    for line, row in _rows(path, CONTEXT_COLUMNS):
        if row["taxonomy"] == list_name:
            index = _class_at(path, line, row, class_names)
            words = [w.strip() for w in row["context"].split(LIST_SEPARATOR) if w.strip()]
            if not words:
                raise FreqscopeError(f"{path}, line {line}: no context words; give them `;`-separated")
            curated.context.setdefault(index, []).extend((word, row["origin"] or "curated") for word in words)
    path = directory / "tiers.csv"
    for line, row in _rows(path, TIERS_COLUMNS):
        if row["taxonomy"] == list_name:
            index = _class_at(path, line, row, class_names)
            term = _require(path, line, row["term"], "term").lower()
            curated.tiers[(index, term)] = TierOverride(_tier(path, line, row["tier"], OVERRIDE_TIERS), row["reason"])
    path = directory / "generic.csv"
    position = {name: index for index, name in reversed(list(enumerate(class_names)))}
    for line, row in _rows(path, GENERIC_COLUMNS):
        if row["taxonomy"] == list_name:
            names = [name.strip() for name in row["classes"].split(LIST_SEPARATOR) if name.strip()]
            unknown = [name for name in names if name not in position]
            if unknown or not names:
                raise FreqscopeError(f"{path}, line {line}: {', '.join(map(repr, unknown)) or 'no classes'}: not "
                                     f"class names of {list_name}; list its classes `;`-separated")
            curated.generic.append(GenericName(_require(path, line, row["term"], "term"),
                                               tuple(position[name] for name in names), row["origin"] or "curated"))
    path = directory / "heads.csv"
    for line, row in _rows(path, HEADS_COLUMNS):
        if row["taxonomy"] == list_name:
            curated.heads.append(BlockHead(_require(path, line, row["head"], "head"), row["origin"] or "curated",
                                           _require(path, line, row["reason"], "reason")))
    return curated


@lru_cache(maxsize=4)
def curated_block_phrases(directory: Path = TERMS_DATA_DIR) -> tuple[BlockPhrase, ...]:
    """block.csv's phrases, for every built-in list."""
    path = directory / "block.csv"
    return tuple(BlockPhrase(_require(path, line, row["phrase"], "phrase"), row["origin"] or "curated", row["reason"])
                 for line, row in _rows(path, BLOCK_COLUMNS))

