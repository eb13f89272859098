"""Class lists and the exact terms that stand for each class: what ``freqscope index`` searches for.

A list is a built-in name (``data/classes/lists.json``) or a CSV with the columns ``name`` (required),
``wnid`` and ``synonyms`` (``;``-separated). The terms of a class are its cleaned name, its synonyms, the
lemmas of its WordNet synset (and optionally of every hyponym below it), and the English plural of each
of those; see docs/class-lists.md for the rules.

Built-in lists are shipped pre-expanded (``<name>.terms.csv``, made by scripts/build_class_lists.py from
WordNet 3.0), so loading them with the default options needs no WordNet and takes milliseconds; other
options expand the shipped ``<name>.csv`` the same way a custom CSV is expanded.
"""
from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from freqscope.errors import FreqscopeError
from freqscope.paths import CLASS_LISTS_DIR
from freqscope.terms.plurals import plural_forms
from freqscope.terms.taxonomy import TERM_ORIGINS, ClassEntry, ClassList, Term
from freqscope.text import normalize_words
from freqscope.terms.wordnet import WNID_PATTERN, WordNet, find_wordnet, require_wordnet

BUILTIN_INDEX_FILE = CLASS_LISTS_DIR / "lists.json"
CSV_COLUMNS = ("name", "wnid", "synonyms")
TERMS_CSV_COLUMNS = ("class_index", "term", "origin", "ambiguous", "wordnet_senses")
SYNONYM_SEPARATOR = ";"

# A parenthetical qualifier is not part of a term: "kite (bird of prey)" is searched as "kite".
_PARENTHETICAL = re.compile(r"\([^()]*\)")
# "/" between spaced words separates alternatives ("baluster / handrail"); inside a word it is a word
# break like "-" ("Ram C/V Cargo Van", "F/A-18"), which normalisation already gives.
_ALTERNATIVES = re.compile(r"\s+/\s*|\s*/\s+")
_ORIGIN_RANK = {origin: rank for rank, origin in enumerate(TERM_ORIGINS)}


@dataclass(frozen=True)
class ClassRow:
    """One class as a list file gives it, with the line it came from (for error messages)."""

    name: str
    wnid: str | None
    synonyms: tuple[str, ...]
    line: int


def clean_name(name: str) -> list[str]:
    """The terms a class name or synonym stands for: qualifiers dropped, alternatives split, "_" a space."""
    without_qualifiers = _PARENTHETICAL.sub(" ", name)
    alternatives = []
    for part in _ALTERNATIVES.split(without_qualifiers):
        text = " ".join(part.replace("_", " ").split())
        if text and text not in alternatives:
            alternatives.append(text)
    return alternatives


def lemma_text(lemma: str) -> str:
    """A WordNet lemma as text: "Tinca_tinca" → "Tinca tinca"."""
    return lemma.replace("_", " ")


# ---------------------------------------------------------------------------------------------- reading


def read_class_csv(path: Path) -> list[ClassRow]:
    """The rows of a class-list CSV, checked: a bad row raises a FreqscopeError naming file and line."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise FreqscopeError(f"cannot read class list {path}: {exc.strerror}") from None
    with handle:
        # csv.reader, not DictReader: every `freqscope index` reads the 22 built-in lists (~3,500 rows)
        reader = csv.reader(handle)
        header = [column.strip() for column in next(reader, [])]
        if "name" not in header:
            raise FreqscopeError(
                f"{path}: the header has no `name` column (found {', '.join(header) or 'nothing'}); "
                f"the columns are {', '.join(CSV_COLUMNS)}, of which only `name` is required"
            )
        unknown = [column for column in header if column not in CSV_COLUMNS]
        if unknown:
            raise FreqscopeError(
                f"{path}: unknown column(s) {', '.join(unknown)}; the columns are {', '.join(CSV_COLUMNS)}"
            )
        name_at = header.index("name")
        # a missing optional column reads as the empty field past the row's end
        wnid_at = header.index("wnid") if "wnid" in header else len(header)
        synonyms_at = header.index("synonyms") if "synonyms" in header else len(header)
        missing = [""] * (len(header) + 1)
        rows = []
        for record in reader:
            if not record:  # a blank line, which DictReader also skips
                continue
            line = reader.line_num
            if len(record) > len(header):
                raise FreqscopeError(f"{path}, line {line}: more fields than header columns; quote names with commas")
            record += missing[len(record):]  # short rows: the fields not given are empty
            name = record[name_at].strip()
            if not name:
                raise FreqscopeError(f"{path}, line {line}: empty class name; every row needs a `name`")
            wnid = record[wnid_at].strip() or None
            if wnid is not None and not WNID_PATTERN.match(wnid):
                raise FreqscopeError(
                    f"{path}, line {line}: malformed wnid {wnid!r} for {name!r}; a wnid is 'n' and 8 digits, "
                    "e.g. n02084071"
                )
            field = record[synonyms_at]
            synonyms = tuple(s.strip() for s in field.split(SYNONYM_SEPARATOR) if s.strip()) if field else ()
            rows.append(ClassRow(name, wnid, synonyms, line))
    if not rows:
        raise FreqscopeError(f"{path}: no classes; add one row per class below the header")
    return rows


# -------------------------------------------------------------------------------------------- expanding


def _check_wnids(rows: list[ClassRow], wordnet: WordNet, source: str) -> None:
    for row in rows:
        if row.wnid is not None and wordnet.synset(row.wnid) is None:
            raise FreqscopeError(
                f"{source}, line {row.line}: wnid {row.wnid} of {row.name!r} is not a WordNet 3.0 noun synset; "
                "fix the id or leave the wnid empty"
            )


def _resolve_wnid(row: ClassRow, wordnet: WordNet) -> str | None:
    for alternative in clean_name(row.name):
        wnid = wordnet.first_noun_sense(alternative)
        if wnid is not None:
            return wnid
    return None


def _base_terms(row: ClassRow, wnid: str | None, wordnet: WordNet | None, hyponyms: bool) -> list[tuple[str, str]]:
    """(term, origin) pairs before plurals, in origin precedence order."""
    pairs = [(text, "name") for text in clean_name(row.name)]
    pairs += [(text, "synonym") for synonym in row.synonyms for text in clean_name(synonym)]
    if wordnet is not None and wnid is not None:
        synset = wordnet.synset(wnid)
        pairs += [(lemma_text(lemma), "wordnet") for lemma in synset.lemmas]
        if hyponyms:
            pairs += [
                (lemma_text(lemma), "hyponym")
                for hyponym in wordnet.hyponym_closure(wnid)
                for lemma in wordnet.synset(hyponym).lemmas
            ]
    return pairs


def _class_terms(
    index: int, base: list[tuple[str, str]], wordnet: WordNet | None, irregular: dict | None
) -> list[Term]:
    """One class's terms: each normalised word sequence once, by origin precedence, then the plurals."""
    seen: set[tuple[str, ...]] = set()
    kept: list[Term] = []

    def keep(text: str, origin: str, senses: int | None) -> None:
        words = tuple(normalize_words(text))
        if words and words not in seen:
            seen.add(words)
            kept.append(Term(index, text, origin, wordnet_senses=senses))

    for text, origin in sorted(base, key=lambda pair: _ORIGIN_RANK[pair[1]]):
        keep(text, origin, wordnet.noun_senses(text) if wordnet is not None else None)
    for term in list(kept):
        for plural in plural_forms(term.term, irregular):
            keep(plural, "plural", term.wordnet_senses)
    return kept


def flag_ambiguous(terms: list[Term]) -> list[Term]:
    """Mark the terms whose normalised words stand for more than one class of the list."""
    classes_of: dict[tuple[str, ...], set[int]] = defaultdict(set)
    for term in terms:
        classes_of[term.words].add(term.class_index)
    return [
        Term(t.class_index, t.term, t.origin, len(classes_of[t.words]) > 1, t.wordnet_senses) for t in terms
    ]


def _class_entries(rows: list[ClassRow], wnids: list[str | None], guessed: list[bool]) -> list[ClassEntry]:
    name_counts = Counter(row.name for row in rows)
    return [
        ClassEntry(index, row.name, wnid, name_counts[row.name] > 1, was_guessed)
        for index, (row, wnid, was_guessed) in enumerate(zip(rows, wnids, guessed))
    ]


def expand_class_list(
    name: str,
    source: str,
    rows: list[ClassRow],
    *,
    hyponyms: bool = False,
    use_wordnet: bool = True,
    wordnet_resolve: bool = False,
    irregular_plurals: dict | None = None,
) -> ClassList:
    """Build a list's classes and terms from its rows (WordNet is read where the options need it)."""
    wordnet: WordNet | None = None
    if use_wordnet:
        if any(row.wnid for row in rows):
            wordnet = require_wordnet(f"for the wnids of {source} (or pass --no-wordnet)")
        elif wordnet_resolve:
            wordnet = require_wordnet(f"for --wordnet-resolve on {source}")
        else:
            wordnet = find_wordnet()  # only for the sense counts; a list without wnids works without it
    if wordnet is not None:
        _check_wnids(rows, wordnet, source)
    wnids = [row.wnid for row in rows]
    guessed = [False] * len(rows)
    if wordnet is not None and wordnet_resolve:
        for position, row in enumerate(rows):
            if row.wnid is None:
                wnids[position] = _resolve_wnid(row, wordnet)
                guessed[position] = wnids[position] is not None
    terms: list[Term] = []
    for index, row in enumerate(rows):
        base = _base_terms(row, wnids[index], wordnet, hyponyms)
        terms.extend(_class_terms(index, base, wordnet, irregular_plurals))
    options = {
        "hyponyms": hyponyms,
        "wordnet": use_wordnet,
        "wordnet_resolve": wordnet_resolve,
        "wordnet_senses": wordnet is not None,
    }
    return ClassList(name, source, _class_entries(rows, wnids, guessed), flag_ambiguous(terms), options)


# -------------------------------------------------------------------------------------------- built-ins


@lru_cache(maxsize=1)
def _builtin_index() -> dict[str, dict]:
    return json.loads(BUILTIN_INDEX_FILE.read_text(encoding="utf-8"))


def builtin_class_lists() -> dict[str, int]:
    """The built-in lists and their number of classes, in the shipped order."""
    return {name: info["classes"] for name, info in _builtin_index().items()}


def builtin_list_info(name: str) -> dict:
    """What lists.json says of a built-in list: classes, terms, origin, licence."""
    return dict(_builtin_index()[name])


def builtin_classes_file(name: str) -> Path:
    return CLASS_LISTS_DIR / f"{name}.csv"


def builtin_terms_file(name: str) -> Path:
    return CLASS_LISTS_DIR / f"{name}.terms.csv"


def _read_expanded_terms(path: Path) -> list[Term]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        if tuple(next(rows, ())) != TERMS_CSV_COLUMNS:
            raise FreqscopeError(f"{path}: not a terms file of this freqscope version (header is not "
                                 f"{','.join(TERMS_CSV_COLUMNS)}); rebuild it with scripts/build_class_lists.py")
        # positional, not DictReader: every `freqscope index` reads these ~12,000 rows
        return [Term(int(class_index), term, origin, ambiguous == "1", int(senses) if senses else None)
                for class_index, term, origin, ambiguous, senses in rows]


def write_expanded_terms(class_list: ClassList, path: Path) -> None:
    """The shipped form of a list's terms (what ``_read_expanded_terms`` reads back)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(TERMS_CSV_COLUMNS)
        for t in class_list.terms:
            senses = "" if t.wordnet_senses is None else t.wordnet_senses
            writer.writerow([t.class_index, t.term, t.origin, int(t.ambiguous), senses])


def _load_builtin_expanded(name: str) -> ClassList:
    rows = read_class_csv(builtin_classes_file(name))
    wnids = [row.wnid for row in rows]
    options = {"hyponyms": False, "wordnet": True, "wordnet_resolve": False, "wordnet_senses": True}
    return ClassList(
        name, f"builtin:{name}", _class_entries(rows, wnids, [False] * len(rows)),
        _read_expanded_terms(builtin_terms_file(name)), options,
    )


def _unknown_list(spec: str) -> FreqscopeError:
    return FreqscopeError(
        f"unknown class list {spec!r}: not a built-in list and no such CSV file; built-in lists: "
        f"{', '.join(builtin_class_lists())}"
    )


def load_class_list(
    spec: str | Path,
    *,
    hyponyms: bool = False,
    use_wordnet: bool = True,
    wordnet_resolve: bool = False,
) -> ClassList:
    """A built-in list by name, or a CSV list (named after the file's stem), with its expanded terms."""
    text = str(spec)
    if not isinstance(spec, Path) and text in _builtin_index():
        if use_wordnet and not hyponyms and not wordnet_resolve:
            return _load_builtin_expanded(text)
        return expand_class_list(
            text, f"builtin:{text}", read_class_csv(builtin_classes_file(text)),
            hyponyms=hyponyms, use_wordnet=use_wordnet, wordnet_resolve=wordnet_resolve,
        )
    path = Path(spec)
    if not path.is_file():
        raise _unknown_list(text)
    return expand_class_list(
        path.stem, str(path), read_class_csv(path),
        hyponyms=hyponyms, use_wordnet=use_wordnet, wordnet_resolve=wordnet_resolve,
    )
