"""Run the user's SQL on the database and write the result as a table, CSV, JSON or Parquet.

The database opens read-only unless the caller asks to write: DuckDB itself then refuses any statement
that would change it, and that refusal is turned into one line saying to pass ``--write``.
"""
from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO

import duckdb
import polars as pl
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from freqscope.errors import FreqscopeError
from freqscope.store import open_database, resolve_db_path

OUTPUT_FORMATS = ("table", "csv", "json", "parquet")
# A terminal table beyond this many rows is unreadable; the rest is counted, and csv/json/parquet give all.
TABLE_MAX_ROWS = 200

_READ_ONLY_REFUSAL = re.compile(r'statement of type "(\w+)".*read-only mode', re.IGNORECASE)
# DuckDB's multi-line messages point at the error with a line of carets: meaningless on one line.
_CARET_LINE = re.compile(r"^\s*\^+\s*$")


def duckdb_message(exc: duckdb.Error) -> str:
    """DuckDB's own message, on one line."""
    lines = [line.strip() for line in str(exc).splitlines()]
    return " ".join(line for line in lines if line and not _CARET_LINE.match(line))


def open_for_sql(db: str | os.PathLike | None, *, write: bool = False) -> duckdb.DuckDBPyConnection:
    """The database, read-only unless ``write``; it must exist either way (SQL on an empty file is a typo)."""
    path = resolve_db_path(db)
    if not path.exists():
        raise FreqscopeError(f"no database at {path}: run `freqscope index CORPUS --db {path}` first, or pass --db")
    return open_database(path, read_only=not write)


def run_sql(
    connection: duckdb.DuckDBPyConnection, query: str, params: Mapping[str, object] | None = None
) -> pl.DataFrame:
    """The result of the query's last statement as a Polars frame (empty for a statement with no result)."""
    try:
        relation = connection.sql(query, params=dict(params) if params else None)
        if relation is None:
            return pl.DataFrame()
        frame = relation.pl()
    except duckdb.Error as exc:
        message = duckdb_message(exc)
        refused = _READ_ONLY_REFUSAL.search(message)
        if refused:
            raise FreqscopeError(
                f"refused: {refused.group(1)} changes the database, which is opened read-only; "
                f"pass --write (Python: read_only=False) to allow statements that write"
            ) from None
        raise FreqscopeError(message) from None
    return plain_numbers(frame)


def plain_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    """DuckDB sums integers into HUGEINT, which arrives as a Decimal: make whole decimals integers, others floats.

    Decimals would otherwise be written as strings in JSON and shown with trailing zeros in tables.
    """
    casts = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Decimal):
            target = pl.Int64 if dtype.scale == 0 else pl.Float64
            casts.append(pl.col(name).cast(target, strict=False))
    return frame.with_columns(casts) if casts else frame


def write_result(frame: pl.DataFrame, format: str, output: Path | None = None, *, stdout: IO[str] | None = None) -> None:
    """Write ``frame`` in ``format`` to ``output``, or to stdout (parquet needs a file)."""
    if format not in OUTPUT_FORMATS:
        raise FreqscopeError(f"unknown --format {format!r}: use one of {', '.join(OUTPUT_FORMATS)}")
    stream = stdout or sys.stdout
    if format == "parquet":
        if output is None:
            raise FreqscopeError("--format parquet writes a file: pass -o FILE.parquet")
        frame.write_parquet(output)
        return
    if format == "table":
        if output is None:
            print_table(frame, Console(file=stream))
        else:
            with open(output, "w", encoding="utf-8") as handle:
                print_table(frame, Console(file=handle, width=200, no_color=True))
        return
    try:
        text = frame.write_csv() if format == "csv" else frame.write_json()
    except pl.exceptions.PolarsError as exc:
        raise FreqscopeError(
            f"cannot write the result as {format}: {str(exc).splitlines()[0]}; try --format json or parquet"
        ) from None
    if output is None:
        stream.write(text if text.endswith("\n") else text + "\n")
    else:
        Path(output).write_text(text, encoding="utf-8")


def print_table(frame: pl.DataFrame, console: Console, *, max_rows: int = TABLE_MAX_ROWS) -> None:
    """A readable table: numbers right-aligned, NULL dimmed, rows beyond ``max_rows`` counted, not shown."""
    table = Table(header_style="bold")
    numeric = {name: dtype.is_numeric() for name, dtype in frame.schema.items()}
    for name in frame.columns:
        table.add_column(name, justify="right" if numeric[name] else "left", overflow="fold")
    for row in frame.head(max_rows).iter_rows():
        table.add_row(*[_cell(value) for value in row])
    console.print(table)
    hidden = frame.height - min(frame.height, max_rows)
    note = f"{frame.height:,} row(s)"
    if hidden:
        note += f", {hidden:,} not shown: use --format csv, json or parquet for all of them"
    Console(stderr=True).print(note, style="dim", highlight=False)


def _cell(value: object) -> str:
    if value is None:
        return "[dim]NULL[/]"
    if isinstance(value, float):
        return f"{value:.6g}"
    # rich markup in data (a caption with "[dog]") must print as text
    return escape(str(value))
