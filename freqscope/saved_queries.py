"""Saved queries: ``queries/NAME.sql`` files whose header comment describes them and their parameters.

Header format (the leading ``--`` lines of the file)::

    -- description: The most exposed classes of a corpus.
    --   (indented lines continue the description)
    -- param corpus VARCHAR = NULL: the corpus (NULL: every corpus)
    -- param limit INTEGER = 20: rows per corpus and class list

A parameter is ``param NAME [TYPE] [= DEFAULT][: help]``; TYPE is VARCHAR (the default), INTEGER, DOUBLE or
BOOLEAN; a DEFAULT of NULL binds SQL NULL; without a default the parameter is required. The query refers to
parameters as DuckDB named parameters (``$corpus``) and values are bound, never pasted into the SQL.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from freqscope.errors import FreqscopeError
from freqscope.paths import QUERIES_DIR

if TYPE_CHECKING:  # `freqscope query --list` reads the files only: DuckDB and Polars are for running a query
    import duckdb
    import polars as pl

PARAM_TYPES = ("VARCHAR", "INTEGER", "DOUBLE", "BOOLEAN")
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}

_PARAM_LINE = re.compile(
    r"^param\s+(?P<name>[A-Za-z_]\w*)(?:\s+(?P<type>[A-Za-z]+))?(?:\s*=\s*(?P<default>.*?))?\s*(?::\s*(?P<help>.*))?$"
)
_PARAM_USE = re.compile(r"\$([A-Za-z_]\w*)")


@dataclass(frozen=True)
class QueryParam:
    name: str
    type: str
    default: str | None  # as written in the header; None: required
    help: str = ""

    @property
    def required(self) -> bool:
        return self.default is None

    def convert(self, value: object, where: str) -> object:
        """A value given as text (``--param k=v``) in the parameter's type; other Python values pass through."""
        if value is None or not isinstance(value, str):
            return value
        if value == "NULL":
            return None
        try:
            if self.type == "INTEGER":
                return int(value)
            if self.type == "DOUBLE":
                return float(value)
        except ValueError:
            raise FreqscopeError(f"{where}: {self.name}={value!r} is not {self.type}; give a number") from None
        if self.type == "BOOLEAN":
            lowered = value.lower()
            if lowered in _TRUE | _FALSE:
                return lowered in _TRUE
            raise FreqscopeError(f"{where}: {self.name}={value!r} is not BOOLEAN; give true or false")
        return value


@dataclass(frozen=True)
class SavedQuery:
    name: str
    path: Path
    description: str
    params: tuple[QueryParam, ...]
    sql: str

    def bind(self, values: Mapping[str, object]) -> dict[str, object]:
        """Every declared parameter's value: given, else its default; unknown or missing ones are errors."""
        declared = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(declared))
        if unknown:
            known = ", ".join(declared) or "none"
            raise FreqscopeError(f"query {self.name} has no parameter {unknown[0]!r}; its parameters: {known}")
        bound: dict[str, object] = {}
        for param in self.params:
            if param.name in values:
                bound[param.name] = param.convert(values[param.name], f"query {self.name}")
            elif param.required:
                raise FreqscopeError(
                    f"query {self.name} needs --param {param.name}=VALUE ({param.help or param.type})"
                )
            else:
                bound[param.name] = param.convert(param.default, f"{self.path}")
        return bound

    def used_params(self) -> set[str]:
        """The ``$names`` the SQL body refers to (comments excluded)."""
        body = "\n".join(line.split("--", 1)[0] for line in self.sql.splitlines())
        return set(_PARAM_USE.findall(body))


def parse_query_file(path: Path) -> SavedQuery:
    text = path.read_text(encoding="utf-8")
    description: list[str] = []
    params: list[QueryParam] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("--"):
            break
        content = line[2:]
        stripped = content.strip()
        if stripped.startswith("description:"):
            description.append(stripped.removeprefix("description:").strip())
        elif stripped.startswith("param ") or stripped == "param":
            params.append(_parse_param(stripped, path, line_number))
        elif description and not params and content.startswith("   ") and stripped:
            description.append(stripped)
    if not description:
        raise FreqscopeError(f"{path}: the header has no '-- description: ...' line; add one at the top")
    query = SavedQuery(path.stem, path, " ".join(description), tuple(params), text)
    undeclared = sorted(query.used_params() - {p.name for p in params})
    if undeclared:
        raise FreqscopeError(f"{path}: ${undeclared[0]} is used but not declared; add '-- param {undeclared[0]} ...'")
    return query


def _parse_param(line: str, path: Path, line_number: int) -> QueryParam:
    match = _PARAM_LINE.match(line)
    if not match:
        raise FreqscopeError(f"{path}, line {line_number}: write parameters as '-- param NAME [TYPE] [= DEFAULT]: help'")
    param_type = (match["type"] or "VARCHAR").upper()
    if param_type not in PARAM_TYPES:
        raise FreqscopeError(
            f"{path}, line {line_number}: parameter type {match['type']!r} is not one of {', '.join(PARAM_TYPES)}"
        )
    default = match["default"]
    return QueryParam(match["name"], param_type, default if default else None, (match["help"] or "").strip())


def list_queries(directory: Path = QUERIES_DIR) -> list[SavedQuery]:
    return [parse_query_file(path) for path in sorted(directory.glob("*.sql"))]


def load_query(name: str, directory: Path = QUERIES_DIR) -> SavedQuery:
    """A saved query by name, or a ``.sql`` file of the same format by path."""
    as_file = Path(name)
    if name.endswith(".sql") and as_file.is_file():
        return parse_query_file(as_file)
    path = directory / f"{name}.sql"
    if not path.is_file():
        names = ", ".join(q.stem for q in sorted(directory.glob("*.sql")))
        raise FreqscopeError(f"no saved query {name!r}; the saved queries are: {names}")
    return parse_query_file(path)


def parse_assignments(assignments: Iterable[str]) -> dict[str, str]:
    """``["corpus=laion", "limit=5"]`` (the repeated ``--param key=value``) as a dict."""
    values: dict[str, str] = {}
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        if not sep or not key.strip():
            raise FreqscopeError(f"--param {assignment!r}: write it as key=value")
        values[key.strip()] = value
    return values


def run_saved_query(
    connection: duckdb.DuckDBPyConnection, query: SavedQuery | str, values: Mapping[str, object] | None = None
) -> pl.DataFrame:
    """Run a saved query (or one named) with its parameters bound: given values, else the defaults."""
    from freqscope.sql_query import run_sql

    if isinstance(query, str):
        query = load_query(query)
    bound = query.bind(values or {})
    # DuckDB refuses values for parameters the statement does not use.
    used = query.used_params()
    return run_sql(connection, query.sql, {name: value for name, value in bound.items() if name in used})
