"""``freqscope demo``."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from freqscope.cli.app import app, console, stdout
from freqscope.cli.index_cmd import print_summary


@app.command("demo")
def demo_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the database and the report.")] = Path("demo"),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars and no summaries.")] = False,
) -> None:
    """The main job on the bundled data: index 3 caption corpora, import published accuracies, write a report."""
    from freqscope.demo import demo

    result = demo(out, quiet=quiet)
    if not quiet:
        for summary in result.indexed:
            print_summary(summary)
    console.print(f"database: {result.db}\nreport:   {result.report}", highlight=False)
    console.print(f'next: freqscope sql --db {result.db} "SELECT * FROM exposure ORDER BY docs DESC LIMIT 10"',
                  highlight=False)
    # the headline last, on stdout: what the demo found
    for line in result.headline:
        stdout.print(line, highlight=False, soft_wrap=True)
