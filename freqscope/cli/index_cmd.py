"""``freqscope index``."""
from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from freqscope.cli.app import DbOption, app, console
from freqscope.engines import ENGINES
from freqscope.rules import AMBIGUOUS_CHOICES

if TYPE_CHECKING:
    from freqscope.indexer import IndexSummary


@app.command("index")
def index_command(
    paths: Annotated[list[str], typer.Argument(help="Corpus files, folders of shards, or globs (quoted); paths or URIs (s3://, gs://, file://, ...).")],
    db: DbOption = None,
    corpus: Annotated[Optional[str], typer.Option(help="Corpus name (default: the file's or folder's stem).")] = None,
    classes: Annotated[
        Optional[list[str]],
        typer.Option("--classes", help="A built-in list or a CSV path; repeat for several (default: every built-in list)."),
    ] = None,
    format: Annotated[Optional[str], typer.Option("--format", help="Override format detection.")] = None,
    text_column: Annotated[Optional[str], typer.Option(help="Column or field that holds the text.")] = None,
    ambiguous: Annotated[str, typer.Option(help=f"Terms of several classes: {' or '.join(AMBIGUOUS_CHOICES)}.")] = "count",
    case_sensitive: Annotated[bool, typer.Option("--case-sensitive", help="Do not fold case.")] = False,
    substrings: Annotated[bool, typer.Option("--substrings", help="Match inside words too.")] = False,
    no_plurals: Annotated[bool, typer.Option("--no-plurals", help="Terms do not stand for their plurals.")] = False,
    overlapping: Annotated[bool, typer.Option("--overlapping", help="Count nested and overlapping matches too.")] = False,
    engine: Annotated[str, typer.Option("--engine", help=f"Where shards are matched: {' or '.join(ENGINES)} (a Ray cluster; see docs/cluster.md).")] = "local",
    address: Annotated[Optional[str], typer.Option("--address", help="--engine ray: the cluster's head, HOST:6379 or auto (default: start a local Ray).")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, help="Batches matched at once: local, threads (default: every core; 1: one at a time); --engine ray, shards (default: one per CPU of the cluster).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary.")] = False,
) -> None:
    """Count class exposure in caption and instruction corpora, into the DuckDB database."""
    from freqscope.indexer import ShardsFailed, index
    from freqscope.rules import MatchRules

    if ambiguous not in AMBIGUOUS_CHOICES:
        raise typer.BadParameter(f"use one of {', '.join(AMBIGUOUS_CHOICES)}", param_hint="--ambiguous")
    rules = MatchRules(
        case_sensitive=case_sensitive, substrings=substrings, plurals=not no_plurals,
        overlapping=overlapping, ambiguous=ambiguous,
    )
    try:
        summary = index(
            paths, db=db, corpus=corpus, classes=classes, format=format, text_column=text_column, rules=rules,
            quiet=quiet, engine=engine, address=address, workers=workers,
        )
    except ShardsFailed as failed:
        if not quiet:  # what was written, then the error line (and exit 1) from the CLI's error handler
            print_summary(failed.summary)
        raise
    if not quiet:
        print_summary(summary)


def print_summary(summary: IndexSummary) -> None:
    from rich.table import Table

    console.print(
        f"[bold]{summary.corpus}[/]: {summary.docs_read:,} documents read from {summary.shards_indexed} "
        f"shard(s) ({summary.engine} engine), {summary.shards_skipped} already indexed; database {summary.db}",
        highlight=False,
    )
    if summary.invalid_utf8:
        console.print(f"{summary.invalid_utf8:,} texts had invalid UTF-8 (replaced)")
    seen = Table("class list", "classes seen", title="Classes with at least one document", title_justify="left")
    for taxonomy, (n_seen, total) in summary.classes_seen.items():
        seen.add_row(taxonomy, f"{n_seen} / {total}")
    console.print(seen)
    top = Table("class list", "class", "docs", title="Most exposed classes", title_justify="left")
    for taxonomy, name, docs in summary.top_classes:
        top.add_row(taxonomy, name, f"{docs:,}")
    console.print(top)
