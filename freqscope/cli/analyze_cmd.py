"""Commands `accuracy import`, `counts import`, `analyze` and `report`: thin calls into accuracy, analysis, report."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from freqscope.cli.app import DbOption, FreqscopeTyper, app, console, stdout

accuracy_app = FreqscopeTyper(help="Per-class accuracy brought in from files.", no_args_is_help=True)
counts_app = FreqscopeTyper(help="Published per-class counts brought in as the exposure of a named corpus.",
                            no_args_is_help=True)
app.add_typer(accuracy_app, name="accuracy")
app.add_typer(counts_app, name="counts")

TaxonomyOption = Annotated[str, typer.Option("--taxonomy", "-t", help="Class list: in the database, built-in, or a CSV.")]
AliasOption = Annotated[Optional[list[str]], typer.Option(
    "--alias", help="NAME=CLASS: join the file's NAME to the list's CLASS (repeatable; known aliases are built in).")]


def _aliases(pairs: list[str] | None) -> dict[str, str]:
    from freqscope.errors import FreqscopeError

    aliases = {}
    for pair in pairs or []:
        name, sep, target = pair.partition("=")
        if not sep or not name.strip() or not target.strip():
            raise FreqscopeError(f"--alias {pair!r}: write NAME=CLASS, e.g. --alias plane=airplane")
        aliases[name.strip()] = target.strip()
    return aliases


def _print_import(result, what: str) -> None:
    console.print(f"{what}: {result.n_rows} rows for {', '.join(result.target[:5])}"
                  f"{' ...' if len(result.target) > 5 else ''} on {result.taxonomy} ({result.n_classes} classes)"
                  + (f", read as {result.scale}" if result.scale else "")
                  + (f"; list {result.taxonomy} created from the file's names" if result.created_taxonomy else ""),
                  highlight=False)
    if result.aliased:
        console.print("joined by alias: " + ", ".join(f"{k} -> {v}" for k, v in list(result.aliased.items())[:20]),
                      highlight=False)
    for line in result.warnings():
        console.print(f"[yellow]warning:[/] {line}", highlight=False, soft_wrap=True)


@accuracy_app.command("import")
def accuracy_import(
    file: Annotated[Path, typer.Argument(help="CSV (class, accuracy[, n][, class_index]), JSON {class: accuracy}, or FDP results.")],
    taxonomy: TaxonomyOption,
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Model name (CSV/JSON: default the file's stem; FDP: import only this key).")] = None,
    format: Annotated[Optional[str], typer.Option("--format", "-f", help="csv | json | fdp (default: guessed from the file).")] = None,
    alias: AliasOption = None,
    scale: Annotated[Optional[str], typer.Option("--scale", help="percent | fraction (default: read from the values).")] = None,
    db: DbOption = None,
) -> None:
    """Import per-class accuracy (percent or fractions; stored as fractions)."""
    from freqscope.accuracy import import_accuracy

    _print_import(import_accuracy(db, file, taxonomy=taxonomy, model=model, format=format, aliases=_aliases(alias),
                                  scale=scale), "accuracy imported")


@counts_app.command("import")
def counts_import(
    file: Annotated[Path, typer.Argument(help="JSON {class: count}, such as FDP's search_counts files.")],
    corpus: Annotated[str, typer.Option("--corpus", "-c", help="Name the counts go under (a corpus of kind 'imported').")],
    taxonomy: TaxonomyOption,
    alias: AliasOption = None,
    new_list: Annotated[bool, typer.Option("--new-list", help="Create the list from the file even where its name is close to a known list's.")] = False,
    db: DbOption = None,
) -> None:
    """Import published per-class counts as a corpus's exposure; an unknown list is created from the file."""
    from freqscope.accuracy import import_counts

    _print_import(import_counts(db, file, corpus=corpus, taxonomy=taxonomy, aliases=_aliases(alias), new_list=new_list),
                  "counts imported")


def _stat(s: dict) -> str:
    if s["r"] is None:
        return "n/a"
    interval = f" [{s['ci_low']:.3f}, {s['ci_high']:.3f}]" if s.get("ci_low") is not None else ""
    return f"{s['r']:.3f}{interval}" + (f"  p={s['p']:.2g}" if s.get("p") is not None else "")


def _print_table(result: dict) -> None:
    split = result["head_tail"]
    table = Table(title=f"{result['model']} on {', '.join(result['taxonomies'])}; exposure: {' + '.join(result['corpora'])}",
                  show_header=True, header_style="bold")
    table.add_column("statistic")
    table.add_column("value")
    table.add_row("classes", f"{result['n_classes']} ({result['n_never_mentioned']} never mentioned)")
    table.add_row("term tiers counted", result["tiers_counted"])
    table.add_row("Spearman ρ [95%]", _stat(result["spearman"]))
    table.add_row("Kendall τ [95%]", _stat(result["kendall"]))
    table.add_row("Pearson r on log exposure [95%]", _stat(result["pearson_log"]))
    table.add_row(f"binned Pearson r ({result['binned_pearson']['n']} bins)", _stat(result["binned_pearson"]))
    if split["tail_max_exposure"] is not None:
        table.add_row(f"tail: exposure <= {split['tail_max_exposure']:,.0f} ({split['n_tail']} classes, "
                      f"{split['tail_share']:.0%}; ties kept together)", f"{result['tail_accuracy'] * 100:.1f}%")
        table.add_row(f"head: the other {split['n_head']} classes", f"{result['head_accuracy'] * 100:.1f}%")
    if split["mannwhitney_p"] is not None:
        table.add_row("head vs tail", f"Mann-Whitney p={split['mannwhitney_p']:.2g}, Welch p={split['welch_p']:.2g}")
    for d in result["decades"]:
        if d["n"]:
            table.add_row(f"exposure [{d['lower']:,.0f}, {d['upper']:,.0f})",
                          f"{d['mean_accuracy'] * 100:.1f}% over {d['n']} classes")
    for t in result["per_taxonomy"]:
        table.add_row(f"{t['taxonomy']} alone ({t['n_classes']} classes)", f"Spearman ρ={_stat(t['spearman'])}")
    for v in result["sensitivity"]:
        table.add_row(f"variant: {v['variant']}", f"ρ={_stat({'r': v['spearman']['r']})}, "
                      f"binned r={_stat({'r': v['binned_pearson']['r']})}, n={v['n_classes']}")
    stdout.print(table)


@app.command("analyze")
def analyze_command(
    taxonomy: Annotated[list[str], typer.Option("--taxonomy", "-t", help="Class list; repeat to pool lists.")],
    corpus: Annotated[Optional[list[str]], typer.Option("--corpus", "-c", help="Corpus; repeat to sum exposures (default: the corpora the model's name names, else every indexed corpus with exposure for the lists).")] = None,
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Model (default: the only one with accuracy on the lists).")] = None,
    bins: Annotated[int, typer.Option(help="Binned fit: equally spaced points over log count (FDP: 12).")] = 12,
    drop_low: Annotated[int, typer.Option(help="Binned fit: lowest bins left out (FDP: 1, the classes at the minimum count).")] = 1,
    drop_high: Annotated[int, typer.Option(help="Binned fit: highest bins left out (FDP: 1).")] = 1,
    tail: Annotated[float, typer.Option(help="Fraction of least exposed classes that form the tail.")] = 0.2,
    count: Annotated[str, typer.Option(help="docs | unambiguous | precision | names | all_terms: the counting variant used as exposure (docs: the accepted tiers).")] = "docs",
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples for the 95% intervals (0: none).")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    format: Annotated[str, typer.Option("--format", "-f", help="table | json")] = "table",
    store: Annotated[bool, typer.Option("--store/--no-store", help="Also write the result to the analyses tables.")] = True,
    db: DbOption = None,
) -> None:
    """Correlate exposure with per-class accuracy: Spearman, Kendall, Pearson on log, FDP's binned fit, head/tail."""
    from freqscope.analysis import analyze
    from freqscope.errors import FreqscopeError

    if format not in ("table", "json"):
        raise FreqscopeError(f"--format {format!r}: use table or json")
    result = analyze(db, taxonomy, corpus, model, bins=bins, drop_low=drop_low, drop_high=drop_high,
                     tail_fraction=tail, count=count, n_boot=bootstrap, seed=seed, store=store)
    if format == "json":
        stdout.print_json(json.dumps(result))
    else:
        _print_table(result)


@app.command("report")
def report_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write (report.pdf or report.html).")] = Path("report.pdf"),
    taxonomy: Annotated[Optional[list[str]], typer.Option("--taxonomy", "-t", help="Class list; repeat to pool (default: every list with exposure and accuracy).")] = None,
    corpus: Annotated[Optional[list[str]], typer.Option("--corpus", "-c", help="Corpus; repeat to sum (default: the indexed corpora covering the lists).")] = None,
    model: Annotated[Optional[list[str]], typer.Option("--model", "-m", help="Model; repeat (default: every model with accuracy on the lists, each against the corpora its name names).")] = None,
    pair: Annotated[Optional[list[str]], typer.Option("--pair", help="MODEL=CORPUS (or MODEL=C1+C2, summed): analyse this model against this corpus; repeat.")] = None,
    format: Annotated[Optional[str], typer.Option("--format", "-f", help="pdf | html (default: from the output's suffix).")] = None,
    definition: Annotated[str, typer.Option("--definition", help="Report definition: reports/NAME.toml or a .toml path.")] = "default",
    bins: Annotated[int, typer.Option(help="Binned fit: equally spaced points over log count.")] = 12,
    drop_low: Annotated[int, typer.Option(help="Binned fit: lowest bins left out.")] = 1,
    drop_high: Annotated[int, typer.Option(help="Binned fit: highest bins left out.")] = 1,
    db: DbOption = None,
) -> None:
    """Write a multi-page PDF (or HTML) report: summary, plots, most/least exposed classes, settings, SQL."""
    from freqscope.report import write_report

    with console.status("report: reading the database", spinner="dots") as status:
        path = write_report(db, output, taxonomies=taxonomy, corpora=corpus, models=model, format=format,
                            definition=definition, pairs=pair, bins=bins, drop_low=drop_low, drop_high=drop_high,
                            progress=lambda line: status.update(f"report: {line}"))
    console.print(f"report written to {path}", highlight=False)
