"""The typer application every command module registers on, and the options they share."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from typer.core import TyperArgument, TyperCommand, TyperGroup

import freqscope

# Words a user may put after a switch as if it took a value (`--case-sensitive true`).
BOOLEAN_WORDS = {"true", "false", "yes", "no", "on", "off", "1", "0"}


def _no_switch_type(params: list) -> list:
    """typer shows `<bool>` beside a switch, which takes no value: an empty metavar shows nothing."""
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


class FreqscopeGroup(TyperGroup):
    """typer's group, its --help shown without a `<bool>` type."""

    def get_help_option(self, ctx: typer.Context):  # noqa: ANN201 (typer's own option type)
        option = super().get_help_option(ctx)
        return _no_switch_type([option])[0] if option is not None else None


class FreqscopeCommand(TyperCommand):
    """typer's command, with help and usage as a reader expects: switches show no `<bool>` type, arguments read
    `PATHS...` rather than `{paths}...`, and a switch followed by true/false says that it takes no value."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _no_switch_type(self.params)

    def get_help_option(self, ctx: typer.Context):  # noqa: ANN201 (typer's own option type)
        option = super().get_help_option(ctx)
        return _no_switch_type([option])[0] if option is not None else None

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, TyperArgument):
                name = (param.metavar or param.name or "").upper() + ("..." if param.nargs != 1 else "")
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        switches = {name for param in self.params if getattr(param, "is_flag", False) for name in param.opts}
        for switch, value in zip(args, args[1:]):
            if switch in switches and value.lower() in BOOLEAN_WORDS:
                raise typer.BadParameter(f"a switch takes no value: write {switch} to turn it on, or leave it out "
                                         f"(got '{switch} {value}')", ctx=ctx, param_hint=switch)
        return super().parse_args(ctx, args)


class FreqscopeTyper(typer.Typer):
    """A Typer whose commands are FreqscopeCommand and whose groups are FreqscopeGroup."""

    def __init__(self, *args: Any, cls: type[TyperGroup] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, cls=cls or FreqscopeGroup, **kwargs)

    def command(self, *args: Any, cls: type[TyperCommand] | None = None, **kwargs: Any):  # noqa: ANN201 (decorator)
        return super().command(*args, cls=cls or FreqscopeCommand, **kwargs)


app = FreqscopeTyper(
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


def _print_version(value: bool) -> None:
    if value:
        stdout.print(f"freqscope {freqscope.__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def freqscope_root(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True, metavar="",
                                          help="Print the version and exit.")] = False,
) -> None:
    """Measure how often benchmark classes are seen in training text, and how that explains accuracy."""
