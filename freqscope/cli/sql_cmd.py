"""``freqscope sql``, ``freqscope query`` and ``freqscope audit``: asking the exposure tables questions."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

from freqscope.cli.app import DbOption, app, console, stdout
from freqscope.errors import FreqscopeError

if TYPE_CHECKING:
    from freqscope.audit import AuditSample

# sql_query.OUTPUT_FORMATS, written out so that `--help` and the other commands do not import DuckDB and Polars
# (tests/test_cli_imports.py checks that the two are equal)
OUTPUT_FORMATS = ("table", "csv", "json", "parquet")

FormatOption = Annotated[str, typer.Option("--format", "-f", help=f"Output: {', '.join(OUTPUT_FORMATS)}.")]
OutputOption = Annotated[
    Optional[Path], typer.Option("--output", "-o", help="Write to this file instead of stdout (parquet needs one).")
]

AllowFilesOption = Annotated[
    bool, typer.Option("--allow-files", help="Let the SQL read other files (read_csv, read_parquet, ...).")
]


def _check_format(format: str) -> None:
    if format not in OUTPUT_FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(OUTPUT_FORMATS)}", param_hint="--format")


@app.command("sql")
def sql_command(
    query: Annotated[str, typer.Argument(help="SQL over the views and tables of docs/schema.md.")],
    db: DbOption = None,
    format: FormatOption = "table",
    output: OutputOption = None,
    write: Annotated[bool, typer.Option("--write", help="Allow statements that change the database.")] = False,
    allow_files: AllowFilesOption = False,
) -> None:
    """Run SQL on the database (read-only unless --write: no other file read or written, no extension loaded)."""
    from freqscope.sql_query import check_read_only, open_for_sql, write_sql_result

    _check_format(format)
    connection = open_for_sql(db, write=write, locked=True, allow_files=allow_files)
    try:
        if not write:
            check_read_only(query, allow_files=allow_files, connection=connection)
        write_sql_result(connection, query, format, output)
    finally:
        connection.close()


@app.command("query")
def query_command(
    name: Annotated[Optional[str], typer.Argument(help="A saved query (see --list), or a .sql file in that format.")] = None,
    params: Annotated[
        Optional[list[str]], typer.Option("--param", "-p", help="key=value for a parameter; repeat for several.")
    ] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the saved queries and their parameters.")] = False,
    db: DbOption = None,
    format: FormatOption = "table",
    output: OutputOption = None,
    allow_files: AllowFilesOption = False,
) -> None:
    """Run a saved query from queries/*.sql with its parameters (defaults for those not given); read-only."""
    if list_:
        _print_query_list()
        return
    from freqscope.saved_queries import load_query, parse_assignments, run_saved_query
    from freqscope.sql_query import check_read_only, open_for_sql, write_result

    if name is None:
        raise FreqscopeError("name a saved query, e.g. `freqscope query top-classes`; `freqscope query --list` lists them")
    _check_format(format)
    saved = load_query(name)
    values = parse_assignments(params or [])
    saved.bind(values)  # a bad parameter is reported before the database is opened
    connection = open_for_sql(db, locked=True, allow_files=allow_files)
    try:
        check_read_only(saved.sql, allow_files=allow_files, connection=connection)
        write_result(run_saved_query(connection, saved, values), format, output)
    finally:
        connection.close()


def _print_query_list() -> None:
    from freqscope.saved_queries import list_queries

    table = Table(show_lines=True)
    table.add_column("query", no_wrap=True)
    table.add_column("description")
    table.add_column("parameters (default)")
    for saved in list_queries():
        params = "\n".join(
            f"{p.name} {p.type} = {p.default if not p.required else '(required)'}" + (f": {p.help}" if p.help else "")
            for p in saved.params
        )
        table.add_row(saved.name, saved.description, params)
    stdout.print(table)


@app.command("audit")
def audit_command(
    class_spec: Annotated[
        Optional[str], typer.Argument(metavar="CLASS", help="A class name, or TAXONOMY:INDEX (e.g. cifar10:5).")
    ] = None,
    taxonomy: Annotated[Optional[str], typer.Option(help="The class list, where several have the class name.")] = None,
    corpus: Annotated[Optional[str], typer.Option(help="Sample from this corpus only (default: every corpus).")] = None,
    n: Annotated[int, typer.Option("--n", help="Documents to sample.")] = 20,
    seed: Annotated[int, typer.Option(help="Sampling seed: the same seed gives the same documents.")] = 0,
    export: Annotated[
        Optional[Path], typer.Option("--export", help="Write the sample as a CSV sheet to label (relevant: yes/no).")
    ] = None,
    import_path: Annotated[
        Optional[Path], typer.Option("--import", help="Store the judgements of a labelled sheet.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Read a sample of the documents that matched a class, matched words highlighted; label and import them."""
    from freqscope.audit import audit, export_labels
    from freqscope.sql_query import open_for_sql

    if import_path is not None:
        if class_spec is not None or export is not None:
            raise FreqscopeError("--import stores a labelled sheet on its own: drop CLASS and --export")
        _import_labels(db, import_path)
        return
    if class_spec is None:
        raise FreqscopeError("name a class to audit (`freqscope audit dog`), or --import a labelled sheet")
    connection = open_for_sql(db)
    try:
        sample = audit(connection, class_spec, taxonomy=taxonomy, corpus=corpus, n=n, seed=seed)
    finally:
        connection.close()
    _print_sample(sample)
    if export is not None:
        rows = export_labels(sample, export)
        console.print(f"wrote {rows} row(s) to {export}: fill in `relevant` (yes/no), then "
                      f"`freqscope audit --import {export}`", highlight=False)


def _print_sample(sample: AuditSample) -> None:
    where = f" in {sample.corpus}" if sample.corpus else ""
    console.print(
        f"[bold]{sample.audit_class}[/]: {len(sample.documents)} of {sample.n_matched:,} matched documents{where} "
        f"(seed {sample.seed})",
        highlight=False,
    )
    for number, document in enumerate(sample.documents, start=1):
        location = f"{document.corpus}  {Path(document.path).name}:{document.doc}"
        if document.doc_key:
            location += f"  key {document.doc_key}"
        if document.role:
            location += f"  role {document.role}"
        terms = ", ".join(f"{term} ({origin})" for term, origin in document.terms)
        stdout.print(Text(f"[{number}] {location}  term: {terms}", style="dim"))
        text = Text(document.text)
        for start, end in document.spans:
            text.stylize("bold black on yellow", start, end)
        stdout.print(text)


def _import_labels(db, path: Path) -> None:
    from freqscope.audit import import_labels
    from freqscope.sql_query import open_for_sql

    connection = open_for_sql(db, write=True)
    try:
        summary = import_labels(connection, path)
    finally:
        connection.close()
    console.print(f"stored {summary.stored} judgement(s) from {summary.path}; {summary.unlabelled} row(s) "
                  f"without `relevant` skipped", highlight=False)
    table = Table("corpus", "class list", "class", "judged", "precision", title="Judged precision",
                  title_justify="left")
    for corpus, taxonomy, class_index, name, n_judged, precision in summary.judged.iter_rows():
        table.add_row(corpus, taxonomy, f"{name} ({class_index})", str(n_judged), f"{precision:.2f}")
    stdout.print(table)
