"""The ``freqscope`` command: a thin layer over the Python API, one module per group of verbs."""
from __future__ import annotations

import sys

from rich.markup import escape

from freqscope.cli.app import app, console
from freqscope.errors import FreqscopeError

# Importing a module registers its commands on ``app``.
from freqscope.cli import analyze_cmd  # noqa: E402,F401  (accuracy, counts, analyze, report)
from freqscope.cli import classes_cmd  # noqa: E402,F401
from freqscope.cli import demo_cmd  # noqa: E402,F401
from freqscope.cli import index_cmd  # noqa: E402,F401
from freqscope.cli import infer_cmd  # noqa: E402,F401
from freqscope.cli import sql_cmd  # noqa: E402,F401


def main() -> None:
    try:
        app()
    except FreqscopeError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(1)
