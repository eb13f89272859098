"""`freqscope classes`: the available class lists, or one list's classes and the terms searched for."""
from __future__ import annotations

import csv
import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.table import Table

from freqscope.cli.app import app, stdout

if TYPE_CHECKING:
    from freqscope.terms.taxonomy import ClassList

CSV_OUTPUT_COLUMNS = ("class_index", "class", "wnid", "term", "origin", "ambiguous", "wordnet_senses", "tier",
                      "tier_reason", "context")
# How the table marks a term's tier (a name or a specific term is unmarked: it counts wherever it matches).
TIER_MARKS = {"name": "", "specific": "", "context": " (context)", "blocked": " (blocked)", "generic": " (generic)"}


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"


def _print_available(output: OutputFormat) -> None:
    from freqscope.terms.classes import builtin_class_lists, builtin_list_info

    rows = [(name, n, builtin_list_info(name)) for name, n in builtin_class_lists().items()]
    if output is OutputFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(("list", "classes", "terms", "origin", "licence"))
        writer.writerows((name, n, info["terms"], info["origin"], info["licence"]) for name, n, info in rows)
        return
    table = Table(title="Built-in class lists (or pass a CSV path: name[,wnid][,synonyms])")
    for column in ("list", "classes", "terms", "origin"):
        table.add_column(column, justify="right" if column in ("classes", "terms") else "left")
    for name, n, info in rows:
        table.add_row(name, str(n), str(info["terms"]), info["origin"])
    stdout.print(table)


def _print_csv(class_list: ClassList) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_OUTPUT_COLUMNS)
    context = {index: ";".join(words) for index, words in class_list.context_words().items()}
    for term in class_list.terms:
        entry = class_list.classes[term.class_index]
        senses = "" if term.wordnet_senses is None else term.wordnet_senses
        writer.writerow((entry.index, entry.name, entry.wnid or "", term.term, term.origin,
                         str(term.ambiguous).lower(), senses, term.tier, term.tier_reason,
                         context.get(term.class_index, "") if term.tier == "context" else ""))


def _print_table(class_list: ClassList) -> None:
    terms_of: dict[int, list[str]] = {}
    for term in class_list.terms:
        label = term.term + ("*" if term.ambiguous else "")
        if term.wordnet_senses is not None and term.origin not in ("plural", "singular"):
            label += f" [{term.wordnet_senses}]"
        terms_of.setdefault(term.class_index, []).append(label + TIER_MARKS[term.tier])
    context = class_list.context_words()
    table = Table(
        title=f"{class_list.name}: {len(class_list.classes)} classes, {len(class_list.terms)} terms, "
              f"{len(class_list.block)} block phrases, {len(class_list.heads)} head words",
        caption="* ambiguous: the term stands for several classes   \\[n] WordNet noun senses   "
                "! duplicate class name   ? wnid guessed   (context): counted only with a context word   "
                "(blocked): never counted   (generic): a parent name, counted apart   "
                "(--format csv: each term's tier and reason)",
    )
    for column in ("index", "class", "wnid", "terms", "context words"):
        table.add_column(column, overflow="fold")
    for entry in class_list.classes:
        marks = ("!" if entry.duplicate_name else "") + ("?" if entry.wordnet_guessed else "")
        table.add_row(str(entry.index), entry.name + marks, entry.wnid or "", ", ".join(terms_of.get(entry.index, [])),
                      ", ".join(context.get(entry.index, [])))
    stdout.print(table)


@app.command("classes")
def classes_command(
    class_list: Annotated[
        Optional[str], typer.Argument(help="A built-in list name or a CSV path; none: list the built-in lists.")
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="table, or csv: one row per term.")] = OutputFormat.table,
    hyponyms: Annotated[bool, typer.Option("--hyponyms", help="Add the lemmas of every hyponym of each synset.")] = False,
    wordnet: Annotated[
        bool, typer.Option("--wordnet/--no-wordnet", help="Use WordNet lemmas and sense counts (--no-wordnet: names and synonyms only).")
    ] = True,
    wordnet_resolve: Annotated[
        bool, typer.Option("--wordnet-resolve", help="Give a class without wnid its first WordNet noun sense (flagged as guessed).")
    ] = False,
) -> None:
    """Show the available class lists, or a list's classes and the exact terms `index` searches for."""
    from freqscope.terms.classes import load_class_list

    if class_list is None:
        _print_available(output)
        return
    loaded = load_class_list(class_list, hyponyms=hyponyms, use_wordnet=wordnet, wordnet_resolve=wordnet_resolve)
    if output is OutputFormat.csv:
        _print_csv(loaded)
    else:
        _print_table(loaded)
