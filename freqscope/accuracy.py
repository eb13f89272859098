"""Importing published numbers: per-class accuracy (CSV, JSON, FDP) and per-class counts (FDP search counts).

Both files name classes by their text, so both go through the same alias step (``match_class_names``) that joins
a name to a class of the list: exact name first, then the normalised name (case, punctuation, underscores and
hyphens folded away by ``freqscope.text.normalize_words``), then a short table of known aliases (CIFAR-10's
"plane" for "airplane", ...). A name that reaches no class, or several, is reported in the ``ImportResult``;
it is never dropped silently.
"""
from __future__ import annotations

import csv
import difflib
import json
import math
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from freqscope.errors import FreqscopeError
from freqscope.store import open_database, removed_if_new, store_class_list, transaction
from freqscope.terms.taxonomy import ClassEntry, ClassList, Term
from freqscope.text import normalize_words

ACCURACY_FORMATS = ("csv", "json", "fdp")
ACCURACY_SCALES = ("percent", "fraction")
# Names that match no class are reported one per line up to this many, the rest counted.
UNMATCHED_NAMED = 20
NEAREST_CUTOFF = 0.6
LIST_NAME_CUTOFF = 0.85  # "cifar1O" and "cifar10" score 0.86  # difflib's default: "cra" and "crab" score 0.86
INT32_MAX = 2**31 - 1  # accuracy_imports.n, class_index (INTEGER)
INT64_MAX = 2**63 - 1  # imported_counts.docs (BIGINT)

# Names used by published result files for classes that class lists spell otherwise. Keys and values are compared
# after normalisation; an alias is used only when its target is a class of the list and the name itself is not.
KNOWN_ALIASES: dict[str, str] = {
    "plane": "airplane",  # CIFAR-10 in CLIP's and FDP's result files
    "car": "automobile",  # CIFAR-10 in CLIP's and FDP's result files
    "pink yellow dahlia": "pink and yellow dahlia",  # Flowers102, FDP vs CLIP_benchmark
    "sunglass": "sunglasses",  # ImageNet class 836 in FDP vs CLIP's list
    "projectile": "missile",  # ImageNet class 744 ("projectile, missile")
    "aeroplane": "airplane",
    "motorbike": "motorcycle",
    "tv": "television",
}

CLASSES_SQL = "SELECT class_index, class FROM classes WHERE taxonomy = ? ORDER BY class_index"
TAXONOMY_NAMES_SQL = "SELECT taxonomy FROM taxonomies"
TAXONOMY_EXISTS_SQL = "SELECT count(*) FROM taxonomies WHERE taxonomy = ?"
CORPUS_KIND_SQL = "SELECT kind FROM corpora WHERE corpus = ?"
DELETE_ACCURACY_SQL = "DELETE FROM accuracy_imports WHERE model = ? AND taxonomy = ?"
INSERT_ACCURACY_SQL = """
INSERT INTO accuracy_imports (model, taxonomy, class_index, accuracy, n, source_file)
SELECT model, taxonomy, class_index, accuracy, n, source_file FROM new_accuracy
"""
DELETE_COUNTS_SQL = "DELETE FROM imported_counts WHERE corpus = ? AND taxonomy = ?"
INSERT_COUNTS_SQL = """
INSERT INTO imported_counts (corpus, taxonomy, class_index, docs, source_file)
SELECT corpus, taxonomy, class_index, docs, source_file FROM new_counts
"""
INSERT_IMPORTED_CORPUS_SQL = """
INSERT INTO corpora (corpus, format, kind, text_column, rules) VALUES (?, 'imported', 'imported', NULL, '{}')
ON CONFLICT DO NOTHING
"""


@dataclass
class NameMatch:
    """How the names of a file were joined to a class list."""

    indices: dict[str, int]  # file name -> class_index
    aliased: dict[str, str]  # file name -> class name, where the name was not the class's own
    unmatched: list[str]  # names that reach no class
    ambiguous: list[str]  # names that reach several classes (duplicate names), or a class another name reached


@dataclass
class ImportResult:
    taxonomy: str
    source_file: str
    target: list[str]  # the models (accuracy) or the corpus (counts) written
    n_rows: int  # rows written
    n_classes: int  # classes in the list
    scale: str | None = None  # accuracy only: "percent" or "fraction", as found in the file
    created_taxonomy: bool = False  # the list did not exist and was made from the file's names
    aliased: dict[str, str] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    missing_classes: list[str] = field(default_factory=list)  # classes of the list the file does not give
    nearest: dict[str, str] = field(default_factory=dict)  # unmatched name -> the class it most resembles

    def warnings(self) -> list[str]:
        """One line per problem a user should see (and per name that was not imported, up to a point)."""
        lines = []
        for name in self.unmatched[:UNMATCHED_NAMED]:
            line = f"{name!r} of {self.source_file} matches no class of {self.taxonomy} and was not imported"
            if name in self.nearest:
                line += f"; nearest class {self.nearest[name]!r}: pass --alias '{name}={self.nearest[name]}' if it is that"
            lines.append(line)
        if len(self.unmatched) > UNMATCHED_NAMED:
            lines.append(f"{len(self.unmatched) - UNMATCHED_NAMED} more name(s) match no class of {self.taxonomy}: "
                         "is it the right --taxonomy?")
        if self.ambiguous:
            lines.append(f"{len(self.ambiguous)} name(s) match several classes of {self.taxonomy} and were not "
                         f"imported (give class_index in a CSV): {', '.join(self.ambiguous[:20])}")
        if self.missing_classes:
            lines.append(f"{len(self.missing_classes)} class(es) of {self.taxonomy} have no value in "
                         f"{self.source_file}: {', '.join(self.missing_classes[:20])}"
                         + (" ..." if len(self.missing_classes) > 20 else ""))
        return lines


def nearest_classes(names: list[str], classes: list[tuple[int, str]]) -> dict[str, str]:
    """For each name, the class name most like it (difflib's ratio of their normalised forms, at least 0.6),
    where there is one: "cra" -> "crab"."""
    by_key = {name_key(name): name for _, name in classes}
    nearest = {}
    for name in names:
        close = difflib.get_close_matches(name_key(name), list(by_key), n=1, cutoff=NEAREST_CUTOFF)
        if close:
            nearest[name] = by_key[close[0]]
    return nearest


def name_key(name: str) -> str:
    """A class name as the alias step compares it: normalised words joined by single spaces."""
    return " ".join(normalize_words(name))


def match_class_names(
    names: list[str], classes: list[tuple[int, str]], aliases: Mapping[str, str] | None = None
) -> NameMatch:
    """Join file names to (class_index, class) pairs: exact, then normalised, then user and known aliases."""
    by_name: dict[str, list[int]] = {}
    by_key: dict[str, list[int]] = {}
    class_name = dict(classes)
    for index, name in classes:
        by_name.setdefault(name, []).append(index)
        by_key.setdefault(name_key(name), []).append(index)
    alias_keys = {name_key(k): name_key(v) for k, v in KNOWN_ALIASES.items()}
    alias_keys.update({name_key(k): name_key(v) for k, v in (aliases or {}).items()})

    result = NameMatch(indices={}, aliased={}, unmatched=[], ambiguous=[])
    for name in names:
        key = name_key(name)
        candidates = by_name.get(name) or by_key.get(key) or by_key.get(alias_keys.get(key, ""), [])
        if len(candidates) == 1 and candidates[0] in result.indices.values():
            result.ambiguous.append(name)  # a second name for a class already reached: keep neither silently
        elif len(candidates) == 1:
            index = candidates[0]
            result.indices[name] = index
            if class_name[index] != name:
                result.aliased[name] = class_name[index]
        elif candidates:
            result.ambiguous.append(name)
        else:
            result.unmatched.append(name)
    return result


@contextmanager
def connection_for(db: str | os.PathLike | duckdb.DuckDBPyConnection | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Use an open connection as is, or open (and afterwards close) the database at a path."""
    if isinstance(db, duckdb.DuckDBPyConnection):
        yield db
        return
    with removed_if_new(db):  # a failed import leaves no new database behind
        connection = open_database(db)
        try:
            yield connection
        finally:
            connection.close()


def _load_named_list(name: str) -> ClassList | None:
    """A built-in list or CSV by that name, or None where there is none (freqscope.terms.classes is imported lazily)."""
    try:
        from freqscope.terms.classes import load_class_list
    except ModuleNotFoundError:
        return None
    looks_like_path = name.endswith(".csv") or Path(name).exists()
    try:
        return load_class_list(name)
    except FreqscopeError:
        if looks_like_path:
            raise
        return None


def _one_letter_apart(name: str, other: str) -> bool:
    """A typo of the name: the same letters but one ("cifar1O" for "cifar10"), or the same but for case. One
    letter more or less is another list as often as not (cifar10, cifar100)."""
    a, b = name.lower(), other.lower()
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) <= 1


def _known_list_names(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """The lists in the database and the built-in ones (freqscope.terms.classes is imported lazily)."""
    names = [name for (name,) in connection.execute(TAXONOMY_NAMES_SQL).fetchall()]
    try:
        from freqscope.terms.classes import builtin_class_lists
    except ModuleNotFoundError:
        return names
    return sorted(set(names) | set(builtin_class_lists()))


def ensure_taxonomy(
    connection: duckdb.DuckDBPyConnection, taxonomy: str, file_names: list[str] | None = None, source_file: str = "",
    new_list: bool = False,
) -> tuple[str, bool]:
    """Make sure the list is in the database; returns its name there and whether it was created from file_names.

    Order: the database, then ``load_class_list`` (built-ins and CSVs), then, if file_names is given, a new list
    with one class per name (source "import:FILE"); a new list whose name is close to a known one ("cifar1O")
    is a typo until ``new_list`` says otherwise.
    """
    if connection.execute(TAXONOMY_EXISTS_SQL, [taxonomy]).fetchall()[0][0]:
        return taxonomy, False
    class_list = _load_named_list(taxonomy)
    created = False
    if class_list is None:
        if file_names is None:
            raise FreqscopeError(
                f"class list {taxonomy!r} is neither in the database nor a built-in list or CSV; "
                "name a built-in list (e.g. imagenet1k), a CSV, or import counts for it first"
            )
        close = [name for name in _known_list_names(connection) if _one_letter_apart(name, taxonomy)]
        if close and not new_list:
            raise FreqscopeError(
                f"there is no class list {taxonomy!r}, but there is {close[0]!r}: pass -t {close[0]}, or --new-list "
                f"to create {taxonomy!r} from the names of {source_file}"
            )
        class_list = ClassList(
            name=taxonomy,
            source=f"import:{source_file}",
            classes=[ClassEntry(i, name) for i, name in enumerate(file_names)],
            terms=[Term(i, name, "name") for i, name in enumerate(file_names)],
        )
        created = True
    store_class_list(connection, class_list)
    return class_list.name, created


def _check_name_agrees(path: Path, name: str, index: int, classes: list[tuple[int, str]],
                       aliases: Mapping[str, str] | None) -> None:
    """A row's class name and its class_index must be the same class, where the name is one of the list's."""
    reached = match_class_names([name], classes, aliases).indices.get(name)
    if reached is not None and reached != index:
        names = dict(classes)
        raise FreqscopeError(
            f"{path}: the row of {name!r} gives class_index {index}, which is {names[index]!r} ({name!r} is "
            f"class_index {reached}); fix the name or the index"
        )


def _classes(connection: duckdb.DuckDBPyConnection, taxonomy: str) -> list[tuple[int, str]]:
    return [(int(i), str(c)) for i, c in connection.execute(CLASSES_SQL, [taxonomy]).fetchall()]


def _read_text(path: Path, encoding: str = "utf-8") -> str:
    if path.is_dir():
        raise FreqscopeError(f"{path} is a folder: name the file in it to import")
    try:
        return path.read_text(encoding=encoding)
    except FileNotFoundError:
        raise FreqscopeError(f"no file {path}: check the path") from None
    except UnicodeDecodeError as exc:
        raise FreqscopeError(
            f"{path} is not UTF-8 (byte {exc.start}: {exc.object[exc.start:exc.start + 1]!r}); save it as UTF-8 "
            "(e.g. `iconv -f latin1 -t utf-8`)"
        ) from None


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object whose keys are unique: with duplicates, json would keep the last value silently."""
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        duplicate = next(key for key in keys if keys.count(key) > 1)
        raise ValueError(f"the key {duplicate!r} appears {keys.count(duplicate)} times; keep one")
    return dict(pairs)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number JSON allows; give a finite number")


def _read_json(path: Path) -> object:
    text = _read_text(path)
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise FreqscopeError(f"{path} is not valid JSON ({exc}); pass --format csv for a CSV file") from None
    except ValueError as exc:
        raise FreqscopeError(f"{path}: {exc}") from None


def guess_accuracy_format(path: Path) -> str:
    """csv by extension; for JSON, fdp when values are {"full": ..., "classwise": {...}} objects."""
    if path.suffix.lower() in (".csv", ".tsv"):
        return "csv"
    data = _read_json(path)
    if isinstance(data, dict) and data and all(isinstance(v, dict) and "classwise" in v for v in data.values()):
        return "fdp"
    return "json"


# One accuracy table: class name -> (accuracy as given, images or None); per model (None: the --model name).
AccuracyTable = dict[str, tuple[float, int | None]]


def _number(value: object, where: str) -> float:
    if isinstance(value, bool):  # JSON true is not 1.0
        raise FreqscopeError(f"{where}: {json.dumps(value)} is not a number; accuracies must be numbers")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise FreqscopeError(f"{where}: {value!r} is not a number; accuracies must be numbers") from None
    if not math.isfinite(number):
        raise FreqscopeError(f"{where}: accuracy is {number}; remove the row or give a finite number")
    return number


def _whole(value: object, where: str, column: str, limit: int = INT32_MAX) -> int:
    """A count or an index: a whole number from 0 to ``limit`` (5.9 is not 5, -3 is no count)."""
    if isinstance(value, bool):
        raise FreqscopeError(f"{where}: {column} {json.dumps(value)} is not a whole number")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise FreqscopeError(f"{where}: {column} {value!r} is not a whole number") from None
    if not math.isfinite(number) or number != int(number) or not 0 <= number <= limit:
        raise FreqscopeError(f"{where}: {column} {value!r} must be a whole number from 0 to {limit:,}")
    return int(number)


def read_accuracy_csv(path: Path) -> tuple[AccuracyTable, dict[str, int]]:
    """CSV with columns class, accuracy and optionally n and class_index (to tell duplicate names apart)."""
    text = _read_text(path, "utf-8-sig")
    dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    rows = list(csv.DictReader(text.splitlines(), dialect=dialect))
    if not rows or not {"class", "accuracy"} <= set(rows[0]):
        raise FreqscopeError(f"{path}: a CSV of accuracies needs a header with columns class and accuracy (and optionally n)")
    table: AccuracyTable = {}
    given_indices: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        name = (row["class"] or "").strip()
        if not name:
            raise FreqscopeError(f"{path}:{line}: empty class name")
        n = row.get("n")
        key = name
        if row.get("class_index") not in (None, ""):
            index = _whole(row["class_index"], f"{path}:{line}", "class_index")
            key = f"{name}\x00{index}"  # duplicate names stay distinct rows when the index is given
            given_indices[key] = index
        if key in table:
            raise FreqscopeError(f"{path}:{line}: class {name!r} appears twice; give class_index to tell them apart")
        table[key] = (_number(row["accuracy"], f"{path}:{line}"),
                      _whole(n, f"{path}:{line}", "n") if n not in (None, "") else None)
    return table, given_indices


def read_accuracy_file(path: Path, format: str) -> tuple[dict[str | None, AccuracyTable], dict[str, int]]:
    """The accuracy tables of a file by model (None: to be named by --model) and CSV class indices given."""
    if format == "csv":
        table, given = read_accuracy_csv(path)
        return {None: table}, given
    data = _read_json(path)
    if format == "json":
        if not isinstance(data, dict) or not all(isinstance(v, (int, float)) for v in data.values()):
            raise FreqscopeError(f"{path}: a JSON accuracy file is one object {{class: accuracy}}; use --format fdp "
                                 "for FDP's {model: {full, classwise}} files")
        return {None: {name: (_number(v, f"{path}: {name}"), None) for name, v in data.items()}}, {}
    if format == "fdp":
        if not isinstance(data, dict) or not all(isinstance(v, dict) and isinstance(v.get("classwise"), dict) for v in data.values()):
            raise FreqscopeError(f"{path}: not FDP's format {{model: {{\"full\": ..., \"classwise\": {{class: acc%}}}}}}")
        return {model: {name: (_number(v, f"{path}: {model}/{name}"), None) for name, v in entry["classwise"].items()}
                for model, entry in data.items()}, {}
    raise FreqscopeError(f"unknown accuracy format {format!r}; use one of {', '.join(ACCURACY_FORMATS)}")


def accuracy_scale(values: list[float], format: str, where: str, scale: str | None = None) -> str:
    """'percent' or 'fraction': ``scale`` where given, FDP files are percent; otherwise values above 1 mean
    percent, unless they are few among fractions (a typo of 1.2 would turn 0.5 into 0.005): that is refused."""
    low, high = min(values), max(values)
    limit = 1 if scale == "fraction" else 100
    if low < 0 or high > limit:
        raise FreqscopeError(f"{where}: accuracies range over [{low}, {high}]; give fractions in [0, 1] or percent in [0, 100]")
    if scale is not None:
        return scale
    if format == "fdp" or high <= 1:
        return "percent" if format == "fdp" else "fraction"
    above = sum(value > 1 for value in values)
    if above * 2 < len(values):
        raise FreqscopeError(
            f"{where}: {above} of {len(values)} accuracies are above 1 (up to {high}) and the rest are fractions; "
            "fix those values, or pass --scale percent (or fraction) to say which the file holds"
        )
    return "percent"


def import_accuracy(
    db: str | os.PathLike | duckdb.DuckDBPyConnection | None,
    file: str | os.PathLike,
    taxonomy: str,
    model: str | None = None,
    format: str | None = None,
    aliases: Mapping[str, str] | None = None,
    scale: str | None = None,
) -> ImportResult:
    """Import per-class accuracy into ``accuracy_imports`` (as fractions), replacing that model's earlier import.

    ``scale`` ("percent" or "fraction") says what the file holds; by default it is read from the values.

    CSV and JSON files hold one model, named by ``model`` (default: the file's stem). FDP files hold many: all
    are imported under their own keys, or only ``model`` where it is given.
    """
    path = Path(file)
    if scale not in (None, *ACCURACY_SCALES):
        raise FreqscopeError(f"unknown --scale {scale!r}: use one of {', '.join(ACCURACY_SCALES)}")
    format = format or guess_accuracy_format(path)
    tables, given_indices = read_accuracy_file(path, format)
    if format == "fdp":
        if model is not None:
            if model not in tables:
                raise FreqscopeError(f"{path} has no model {model!r}; it has {', '.join(tables)}")
            tables = {model: tables[model]}
    else:
        tables = {model or path.stem: tables[None]}

    with connection_for(db) as connection, transaction(connection):
        taxonomy, _ = ensure_taxonomy(connection, taxonomy)
        classes = _classes(connection, taxonomy)
        names = sorted({name for table in tables.values() for name in table if name not in given_indices})
        match = match_class_names(names, classes, aliases)
        valid_indices = {i for i, _ in classes}
        rows: dict[str, list] = {k: [] for k in ("model", "taxonomy", "class_index", "accuracy", "n", "source_file")}
        found_scale = None
        for model_name, table in tables.items():
            found_scale = accuracy_scale([v for v, _ in table.values()], format, f"{path} ({model_name})", scale)
            divisor = 100.0 if found_scale == "percent" else 1.0
            for name, (value, n) in table.items():
                index = given_indices.get(name, match.indices.get(name))
                if index is None:
                    continue
                if index not in valid_indices:
                    raise FreqscopeError(f"{path}: class_index {index} is not a class of {taxonomy}")
                if name in given_indices:
                    _check_name_agrees(path, name.split("\x00")[0], index, classes, aliases)
                for key, item in zip(rows, (model_name, taxonomy, index, value / divisor, n, str(path))):
                    rows[key].append(item)
        if not rows["class_index"]:
            raise FreqscopeError(f"no class name of {path} matches a class of {taxonomy}: is it the right --taxonomy?")
        frame = pl.DataFrame(rows, schema={"model": pl.String, "taxonomy": pl.String, "class_index": pl.Int32,
                                           "accuracy": pl.Float64, "n": pl.Int32, "source_file": pl.String})
        for model_name in tables:
            connection.execute(DELETE_ACCURACY_SQL, [model_name, taxonomy])
        connection.register("new_accuracy", frame)
        connection.execute(INSERT_ACCURACY_SQL)
        connection.unregister("new_accuracy")
    covered = set(frame["class_index"].to_list())
    return ImportResult(
        taxonomy=taxonomy, source_file=str(path), target=list(tables), n_rows=frame.height, n_classes=len(classes),
        scale=found_scale, aliased=match.aliased, unmatched=match.unmatched, ambiguous=match.ambiguous,
        missing_classes=[name for i, name in classes if i not in covered],
        nearest=nearest_classes(match.unmatched, classes),
    )


def read_counts_file(path: Path) -> dict[str, int]:
    data = _read_json(path)
    if not isinstance(data, dict):
        raise FreqscopeError(f"{path}: a counts file is one JSON object {{class: count}} with counts >= 0")
    return {name: _whole(value, f"{path}: {name}", "count", INT64_MAX) for name, value in data.items()}


def import_counts(
    db: str | os.PathLike | duckdb.DuckDBPyConnection | None,
    file: str | os.PathLike,
    corpus: str,
    taxonomy: str,
    aliases: Mapping[str, str] | None = None,
    new_list: bool = False,
) -> ImportResult:
    """Import published {class: count} as the exposure of corpus ``corpus`` (kind 'imported') for ``taxonomy``.

    Where the list exists nowhere (database, built-ins, CSV) it is created from the file's class names; with a
    name close to a known list's, only where ``new_list`` says so.
    """
    path = Path(file)
    counts = read_counts_file(path)
    with connection_for(db) as connection, transaction(connection):
        kinds = connection.execute(CORPUS_KIND_SQL, [corpus]).fetchall()
        if kinds and kinds[0][0] != "imported":
            raise FreqscopeError(f"corpus {corpus!r} is an indexed corpus ({kinds[0][0]}); import published counts under another --corpus name")
        taxonomy, created = ensure_taxonomy(connection, taxonomy, list(counts), str(path), new_list)
        classes = _classes(connection, taxonomy)
        match = match_class_names(list(counts), classes, aliases)
        if not match.indices:
            raise FreqscopeError(f"no class name of {path} matches a class of {taxonomy}: is it the right --taxonomy?")
        frame = pl.DataFrame(
            {"corpus": corpus, "taxonomy": taxonomy, "class_index": list(match.indices.values()),
             "docs": [counts[name] for name in match.indices], "source_file": str(path)},
            schema={"corpus": pl.String, "taxonomy": pl.String, "class_index": pl.Int32, "docs": pl.Int64,
                    "source_file": pl.String},
        )
        connection.execute(INSERT_IMPORTED_CORPUS_SQL, [corpus])
        connection.execute(DELETE_COUNTS_SQL, [corpus, taxonomy])
        connection.register("new_counts", frame)
        connection.execute(INSERT_COUNTS_SQL)
        connection.unregister("new_counts")
    covered = set(match.indices.values())
    return ImportResult(
        taxonomy=taxonomy, source_file=str(path), target=[corpus], n_rows=frame.height, n_classes=len(classes),
        created_taxonomy=created, aliased=match.aliased, unmatched=match.unmatched, ambiguous=match.ambiguous,
        missing_classes=[name for i, name in classes if i not in covered],
        nearest=nearest_classes(match.unmatched, classes),
    )
