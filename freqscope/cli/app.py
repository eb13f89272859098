"""The typer application every command module registers on, and the options they share."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

app = typer.Typer(
    name="freqscope",
    help="Measure how often benchmark classes are seen in training text, and how that explains accuracy.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Results go to stdout; progress, summaries and errors to stderr, so `> file` captures data only.
console = Console(stderr=True)
stdout = Console()

DbOption = Annotated[
    Optional[Path],
    typer.Option("--db", help="DuckDB file (default: $FREQSCOPE_DB, else ./freqscope.duckdb)."),
]


@app.callback()
def freqscope_root() -> None:
    """Measure how often benchmark classes are seen in training text, and how that explains accuracy."""
