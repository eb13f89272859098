"""Run the user's SQL on the database and write the result as a table, CSV, JSON or Parquet.

The database opens read-only unless the caller asks to write: DuckDB itself then refuses any statement
that would change it, and that refusal is turned into one line saying to pass ``--write``. Read-only SQL
from the command line (``freqscope sql``, ``freqscope query``, whose ``.sql`` files get shared) is locked
down further with DuckDB's own settings (``LOCKED_DOWN``): no other file is read or written (no ATTACH,
COPY, EXPORT), no extension installed or loaded, and the settings cannot be changed back; ``allow_files``
lets it read other files, and then only SELECT statements run.

Polars is imported only for what needs it (a frame for the Python API; CSV, JSON and Parquet output): the
terminal table, ``freqscope sql``'s default, is printed from DuckDB's rows, so that a quick question answers
without loading Polars and pyarrow (~0.2 s of the command's start, benchmarks/bench_cli_startup.py).
"""
from __future__ import annotations

import decimal
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

import duckdb
from rich.console import Console
from rich.markup import escape

from freqscope.errors import FreqscopeError
from freqscope.paths import resolve_db_path

if TYPE_CHECKING:
    import polars as pl

OUTPUT_FORMATS = ("table", "csv", "json", "parquet")
# A terminal table beyond this many rows is unreadable; the rest is counted, and csv/json/parquet give all.
TABLE_MAX_ROWS = 200
# A table written to a pipe is as wide as its content needs, up to this (rich sizes a table to its console).
PIPED_TABLE_WIDTH = 100_000

# DuckDB's settings for read-only SQL (https://duckdb.org/docs/stable/operations_manual/securing_duckdb/overview):
# enable_external_access=false stops every file and network access (ATTACH, COPY TO, EXPORT DATABASE,
# read_csv, INSTALL); extensions are neither fetched nor loaded behind the user's back; lock_configuration keeps
# a statement from setting any of it back.
LOCKED_DOWN: dict[str, object] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "lock_configuration": True,
}
ATTACHED_NAME = "freqscope"  # the database's name in read-only SQL's own DuckDB instance
# With --allow-files DuckDB may read files, and so could also write them (COPY) or attach another database:
# only statements of these types run then. EXPLAIN is not one: EXPLAIN ANALYZE executes its statement.
FILE_READING_STATEMENTS = ("SELECT",)
# Without file access DuckDB's settings already stop writes beyond the database, which is read-only.
READ_ONLY_STATEMENTS = ("SELECT", "EXPLAIN", "PRAGMA")
_TEXT_ONLY_TYPES = re.compile(r"\b(INTERVAL|UNION|BIT)\b")
_READ_ONLY_REFUSAL = re.compile(r'statement of type "(\w+)".*read-only mode', re.IGNORECASE)
# DuckDB's multi-line messages point at the error with a line of carets: meaningless on one line.
_CARET_LINE = re.compile(r"^\s*\^+\s*$")
# DuckDB's numeric types (DuckDBPyType.id): right-aligned in a table, as Polars' numeric types are
NUMERIC_TYPE_IDS = frozenset({"tinyint", "smallint", "integer", "bigint", "hugeint", "utinyint", "usmallint",
                              "uinteger", "ubigint", "uhugeint", "float", "double", "decimal", "varint", "bignum"})


def duckdb_message(exc: duckdb.Error) -> str:
    """DuckDB's own message, on one line."""
    lines = [line.strip() for line in str(exc).splitlines()]
    return " ".join(line for line in lines if line and not _CARET_LINE.match(line))


def open_for_sql(db: str | os.PathLike | None, *, write: bool = False,
                 locked: bool = False, allow_files: bool = False) -> duckdb.DuckDBPyConnection:
    """The database, read-only unless ``write``; it must exist either way (SQL on an empty file is a typo).

    ``locked`` (read-only only): DuckDB's LOCKED_DOWN settings, other files readable where ``allow_files``.
    """
    path = resolve_db_path(db)
    if not path.exists():
        raise FreqscopeError(f"no database at {path}: run `freqscope index CORPUS --db {path}` first, or pass --db")
    if not locked or write:
        from freqscope.store import open_database  # (Polars and the term model: not needed to read)

        return open_database(path, read_only=not write)
    # The file is attached read-only to an in-memory database, and only then locked down (ATTACH is a file
    # access): a DuckDB instance of its own, so that the settings never clash with another connection to the
    # file in this process (DuckDB refuses two configurations of one file's cached instance).
    connection = duckdb.connect(":memory:")
    try:
        connection.execute(f"ATTACH {_sql_string(str(path))} AS {ATTACHED_NAME} (READ_ONLY)")
        connection.execute(f"USE {ATTACHED_NAME}")
        for name, value in LOCKED_DOWN.items():
            if not (allow_files and name == "enable_external_access"):  # (on by default; DuckDB refuses to set it on)
                connection.execute(f"SET {name} = {str(value).lower()}")
    except duckdb.Error as exc:
        connection.close()
        message = duckdb_message(exc)
        hint = ("wait for the process that writes it to finish" if "lock" in message.lower()
                else "is it a freqscope database?")
        raise FreqscopeError(f"cannot open database {path}: {message}; {hint}") from None
    return connection


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def check_read_only(query: str, *, allow_files: bool, connection: duckdb.DuckDBPyConnection | None = None) -> None:
    """Refuse, before running anything, a statement that read-only SQL does not run (``--write`` runs it).
    ``connection``: one to parse with (else DuckDB's default connection, a database instance of its own to start:
    ~25 ms)."""
    allowed = FILE_READING_STATEMENTS if allow_files else READ_ONLY_STATEMENTS
    try:
        statements = (connection or duckdb).extract_statements(query)
    except duckdb.Error as exc:
        raise FreqscopeError(duckdb_message(exc)) from None
    for statement in statements:
        kind = statement.type.name
        if kind not in allowed:
            files = " with --allow-files" if allow_files else ""
            raise FreqscopeError(
                f"refused: read-only SQL{files} runs {', '.join(allowed)} statements, not {kind}; "
                "pass --write to change the database"
            )


def run_sql(
    connection: duckdb.DuckDBPyConnection, query: str, params: Mapping[str, object] | None = None
) -> pl.DataFrame:
    """The result of the query's last statement as a Polars frame (empty for a statement with no result)."""
    import polars as pl

    with _duckdb_errors():
        relation = connection.sql(query, params=dict(params) if params else None)
        if relation is None:
            return pl.DataFrame()
        frame = as_text_where_needed(relation).pl()
    return plain_numbers(frame)


def write_sql_result(connection: duckdb.DuckDBPyConnection, query: str, format: str, output: Path | None = None,
                     *, stdout: IO[str] | None = None) -> None:
    """``write_result(run_sql(connection, query), format, output)``; the table format from DuckDB's rows, without
    Polars."""
    if format != "table":
        write_result(run_sql(connection, query), format, output, stdout=stdout)
        return
    with _duckdb_errors():
        relation = connection.sql(query)
        if relation is None:
            columns, numeric, rows = [], [], []
        else:
            relation = as_text_where_needed(relation)
            columns = relation.columns
            numeric = [dtype.id in NUMERIC_TYPE_IDS for dtype in relation.dtypes]
            rows = relation.fetchall()
    _print_rows_to(columns, numeric, [tuple(map(_plain_number, row)) for row in rows], output, stdout)


def _plain_number(value: object) -> object:
    """``plain_numbers`` for one value: a whole decimal as an integer, any other as a float."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value.as_tuple().exponent >= 0 else float(value)  # (the exponent is the column's scale)
    return value


@contextmanager
def _duckdb_errors() -> Iterator[None]:
    """DuckDB's errors in the block as one line each, read-only refusals saying what to pass."""
    try:
        yield
    except duckdb.Error as exc:
        message = duckdb_message(exc)
        refused = _READ_ONLY_REFUSAL.search(message)
        if isinstance(exc, duckdb.PermissionException):
            raise FreqscopeError(
                f"refused: {message}; read-only SQL reads only the database: pass --allow-files to read other files"
            ) from None
        if refused:
            raise FreqscopeError(
                f"refused: {refused.group(1)} changes the database, which is opened read-only; "
                f"pass --write (Python: read_only=False) to allow statements that write"
            ) from None
        raise FreqscopeError(message) from None


def as_text_where_needed(relation: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """Columns of types Polars has no form for (INTERVAL's months, UNION, BIT; also inside lists and structs)
    as DuckDB's text for them; the others unchanged."""
    columns = []
    for name, dtype in zip(relation.columns, relation.dtypes):
        quoted = '"' + name.replace('"', '""') + '"'
        needs_text = _TEXT_ONLY_TYPES.search(str(dtype)) is not None
        columns.append(f"CAST({quoted} AS VARCHAR) AS {quoted}" if needs_text else quoted)
    if len(columns) == sum(not c.startswith("CAST(") for c in columns):
        return relation
    return relation.project(", ".join(columns))


def plain_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    """DuckDB sums integers into HUGEINT, which arrives as a Decimal: make whole decimals integers, others floats.

    Decimals would otherwise be written as strings in JSON and shown with trailing zeros in tables.
    """
    import polars as pl

    casts = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Decimal):
            target = pl.Int64 if dtype.scale == 0 else pl.Float64
            cast = frame[name].cast(target, strict=False)
            if cast.null_count() > frame[name].null_count():  # beyond Int64: kept exact, as text
                target = pl.String
            casts.append(pl.col(name).cast(target))
    return frame.with_columns(casts) if casts else frame


def write_result(frame: pl.DataFrame, format: str, output: Path | None = None, *, stdout: IO[str] | None = None) -> None:
    """Write ``frame`` in ``format`` to ``output``, or to stdout (parquet needs a file)."""
    import polars as pl

    if format not in OUTPUT_FORMATS:
        raise FreqscopeError(f"unknown --format {format!r}: use one of {', '.join(OUTPUT_FORMATS)}")
    stream = stdout or sys.stdout
    if format == "parquet":
        if output is None:
            raise FreqscopeError("--format parquet writes a file: pass -o FILE.parquet")
        frame.write_parquet(output)
        return
    if format == "table":
        numeric = [dtype.is_numeric() for dtype in frame.dtypes]
        _print_rows_to(frame.columns, numeric, frame.head(TABLE_MAX_ROWS).rows(), output, stdout, total=frame.height)
        return
    _refuse_binary(frame, format)
    if format == "json":
        _refuse_non_finite(frame)
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


def _print_rows_to(columns: Sequence[str], numeric: Sequence[bool], rows: Sequence[tuple], output: Path | None,
                   stdout: IO[str] | None, *, total: int | None = None) -> None:
    """``print_rows`` to the terminal, a pipe or a file (``total``: the result's rows, if more than ``rows``)."""
    stream = stdout or sys.stdout
    if output is None and stream.isatty():
        print_rows(columns, numeric, rows, Console(file=stream), total=total)
    elif output is None:
        # Piped (`| cat`, `| less`): rows at their full width, never wrapped to the terminal's columns, as
        # sqlite-utils prints tables through tabulate, which sizes columns to their content only.
        print_rows(columns, numeric, rows, Console(file=stream, width=PIPED_TABLE_WIDTH, no_color=True), total=total)
    else:
        with open(output, "w", encoding="utf-8") as handle:
            print_rows(columns, numeric, rows, Console(file=handle, width=200, no_color=True), total=total)


def _refuse_binary(frame: pl.DataFrame, format: str) -> None:
    """Bytes (BLOB) have no CSV or JSON form (Polars panics writing them to JSON)."""
    import polars as pl

    for name, dtype in frame.schema.items():
        if dtype == pl.Binary:
            raise FreqscopeError(
                f"column {name!r} holds bytes (BLOB), which {format.upper()} cannot hold: use --format parquet, or "
                f"encode them in the SQL (hex({name}), base64({name}))"
            )


def _refuse_non_finite(frame: pl.DataFrame) -> None:
    """JSON has no inf or NaN: Polars would write null, which reads as a missing value."""
    for name, dtype in frame.schema.items():
        if dtype.is_float() and (frame[name].is_infinite().any() or frame[name].is_nan().any()):
            raise FreqscopeError(
                f"column {name!r} holds inf or NaN, which JSON cannot hold (it would become null): use --format "
                "csv or parquet, or turn them into NULL or text in the SQL"
            )


def print_rows(columns: Sequence[str], numeric: Sequence[bool], rows: Sequence[tuple], console: Console, *,
               max_rows: int = TABLE_MAX_ROWS, total: int | None = None) -> None:
    """A readable table: numbers (columns flagged ``numeric``) right-aligned, NULL dimmed, rows beyond
    ``max_rows`` counted, not shown (``total``: the result's rows, where ``rows`` holds only the first)."""
    from rich.table import Table

    table = Table(header_style="bold")
    for name, is_numeric in zip(columns, numeric):
        table.add_column(name, justify="right" if is_numeric else "left", overflow="fold")
    for row in rows[:max_rows]:
        table.add_row(*[_cell(value) for value in row])
    console.print(table)
    height = len(rows) if total is None else total
    hidden = height - min(height, max_rows)
    note = f"{height:,} row(s)"
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
