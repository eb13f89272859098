"""`freqscope report`: a multi-page PDF (or one HTML file) of the analyses, as defined in reports/NAME.toml.

A report definition lists section kinds (SECTIONS below) in order. Each section turns the report's data into
blocks (a figure, a table or preformatted text); the PDF writer draws one page per figure and as many pages as a
table or text needs, the HTML writer embeds figures as PNG.
"""
from __future__ import annotations

import base64
import html
import io
import json
import os
import platform
import textwrap
import tomllib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import duckdb
import polars as pl
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

import freqscope
from freqscope import plots
from freqscope.accuracy import connection_for
from freqscope.analysis import (
    FDP_BINS, FDP_DROP_HIGH, FDP_DROP_LOW, analysis_sql, analyze, class_exposure, class_table, coverage,
    database_fingerprint, default_corpora, models_for, query_frame,
)
from freqscope.errors import FreqscopeError
from freqscope.paths import REPORTS_DIR
from freqscope.store import open_database, resolve_db_path

REPORT_FORMATS = ("pdf", "html")
PACKAGES = ("numpy", "scipy", "polars", "duckdb", "matplotlib", "pyarrow")

SETTINGS_SQL = {
    "corpora_rules": "SELECT corpus, kind, format, text_column, rules FROM corpora WHERE list_contains($corpora, corpus) ORDER BY corpus",
    "taxonomy_sources": "SELECT taxonomy, source, n_classes, n_terms, fingerprint FROM taxonomies WHERE list_contains($taxonomies, taxonomy) ORDER BY taxonomy",
    "term_origins": """SELECT taxonomy, origin, tier, count(*) AS terms, count(*) FILTER (WHERE ambiguous) AS ambiguous
FROM terms WHERE list_contains($taxonomies, taxonomy) GROUP BY ALL ORDER BY taxonomy, origin, tier""",
}
# Which SQL each section's numbers come from (the "sql" section prints them).
SECTION_SQL = {
    "summary": ("class_exposure", "model_accuracy"),
    "scatter": ("class_exposure", "model_accuracy"),
    "binned": ("class_exposure", "model_accuracy"),
    "models": ("class_exposure", "model_accuracy"),
    "head_tail": ("class_exposure", "model_accuracy"),
    "decades": ("class_exposure", "model_accuracy"),
    "distribution": ("class_exposure",),
    "most_exposed": ("class_exposure", "model_accuracy"),
    "least_exposed": ("class_exposure", "model_accuracy"),
    "never_mentioned": ("class_exposure",),
    "sensitivity": ("class_exposure", "model_accuracy"),
    "settings": ("corpora_rules", "taxonomy_sources", "term_origins"),
}
TABLE_ROWS_PER_PAGE = 30
TEXT_LINES_PER_PAGE = 44
TEXT_WIDTH = 110


@dataclass
class Block:
    title: str
    figure: Figure | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    text: str | None = None
    caption: str = ""


@dataclass
class ReportData:
    connection: duckdb.DuckDBPyConnection
    taxonomies: list[str]
    corpora: list[str]
    models: list[str]
    results: dict[str, dict]  # model -> analysis result
    table: pl.DataFrame  # classes with accuracy of the first model
    exposure: pl.DataFrame  # every class of the lists, exposure summed over the corpora
    fingerprint: str
    options: dict


def load_definition(definition: str | os.PathLike) -> dict:
    """reports/NAME.toml, or a .toml path."""
    path = Path(definition)
    if path.suffix != ".toml":
        path = REPORTS_DIR / f"{definition}.toml"
    try:
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        known = ", ".join(sorted(p.stem for p in REPORTS_DIR.glob("*.toml")))
        raise FreqscopeError(f"no report definition {path}; use one of: {known}, or a .toml path") from None
    except tomllib.TOMLDecodeError as exc:
        raise FreqscopeError(f"report definition {path} is not valid TOML: {exc}") from None
    unknown = [s for s in spec.get("sections", []) if s not in SECTIONS]
    if not spec.get("sections") or unknown:
        raise FreqscopeError(f"report definition {path}: sections must be a list of {', '.join(SECTIONS)}"
                             + (f"; unknown: {', '.join(unknown)}" if unknown else ""))
    return spec


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _r(stat: dict) -> str:
    if stat["r"] is None:
        return "n/a"
    interval = f" [{stat['ci_low']:.2f}, {stat['ci_high']:.2f}]" if stat.get("ci_low") is not None else ""
    return f"{stat['r']:.2f}{interval}"


def _p(value: float | None) -> str:
    return "" if value is None else f"{value:.2g}"


def _sql_caption(section: str) -> str:
    return "SQL: " + ", ".join(SECTION_SQL[section]) + " (see the SQL section)"


# --- sections ------------------------------------------------------------------------------------------------


def section_summary(data: ReportData) -> list[Block]:
    columns = ["model", "classes", "Spearman ρ [95%]", "Kendall τ [95%]", "Pearson r log [95%]", "binned r",
               "head %", "tail %", "p (MWU)"]
    rows = [[model, str(r["n_classes"]), _r(r["spearman"]), _r(r["kendall"]), _r(r["pearson_log"]),
             _r(r["binned_pearson"]), _pct(r["head_accuracy"]), _pct(r["tail_accuracy"]),
             _p(r["head_tail"]["mannwhitney_p"])] for model, r in data.results.items()]
    return [Block("Summary: exposure against per-class accuracy", columns=columns, rows=rows,
                  caption=f"Lists: {', '.join(data.taxonomies)}. Exposure: {' + '.join(data.corpora)}. "
                          + _sql_caption("summary"))]


def _first(data: ReportData) -> dict:
    return data.results[data.models[0]]


def section_scatter(data: ReportData) -> list[Block]:
    return [Block("Accuracy against exposure", plots.accuracy_vs_exposure(data.table, _first(data)),
                  caption=_sql_caption("scatter"))]


def section_binned(data: ReportData) -> list[Block]:
    return [Block("Binned log-linear fit", plots.binned_means(_first(data)), caption=_sql_caption("binned"))]


def section_models(data: ReportData) -> list[Block]:
    shown = dict(list(data.results.items())[: data.options["max_models"]])
    caption = _sql_caption("models")
    if len(shown) < len(data.results):
        caption = f"The first {len(shown)} of {len(data.results)} models. " + caption
    return [Block("Models side by side", plots.models_side_by_side(shown), caption=caption)]


def section_head_tail(data: ReportData) -> list[Block]:
    return [Block("Head and tail", plots.head_and_tail(data.table, _first(data)), caption=_sql_caption("head_tail"))]


def section_decades(data: ReportData) -> list[Block]:
    return [Block("Accuracy by exposure decade", plots.decade_means(_first(data)), caption=_sql_caption("decades"))]


def section_distribution(data: ReportData) -> list[Block]:
    title = f"{plots.lists_label(data.taxonomies)}; exposure: {' + '.join(data.corpora)}"
    return [Block("Exposure distribution", plots.exposure_distribution(data.exposure, title),
                  caption=_sql_caption("distribution"))]


def _exposed(data: ReportData, descending: bool, section: str) -> list[Block]:
    table = data.exposure.join(data.table.select("taxonomy", "class_index", "accuracy"),
                               on=["taxonomy", "class_index"], how="left")
    top = table.sort(["exposure", "taxonomy", "class_index"], descending=[descending, False, False]).head(
        data.options["top_n"])
    rows = [[t, str(i), c, f"{e:,.0f}", _pct(a)] for t, i, c, e, a in
            top.select("taxonomy", "class_index", "class", "exposure", "accuracy").iter_rows()]
    which = "Most" if descending else "Least"
    return [Block(f"{which} exposed classes", columns=["list", "index", "class", "exposure", f"{data.models[0]} %"],
                  rows=rows, caption=_sql_caption(section))]


def section_most_exposed(data: ReportData) -> list[Block]:
    return _exposed(data, True, "most_exposed")


def section_least_exposed(data: ReportData) -> list[Block]:
    return _exposed(data, False, "least_exposed")


def section_never_mentioned(data: ReportData) -> list[Block]:
    never = data.exposure.filter(pl.col("exposure") == 0).sort("taxonomy", "class_index")
    lines = [f"{never.height} of {data.exposure.height} classes are never mentioned in {' + '.join(data.corpora)}.", ""]
    for taxonomy, group in never.group_by("taxonomy", maintain_order=True):
        names = ", ".join(group["class"].to_list())
        lines += [f"{taxonomy[0]} ({group.height}):", *textwrap.wrap(names, TEXT_WIDTH - 2, initial_indent="  ",
                                                                    subsequent_indent="  "), ""]
    return [Block("Classes never mentioned", text="\n".join(lines), caption=_sql_caption("never_mentioned"))]


def section_sensitivity(data: ReportData) -> list[Block]:
    columns = ["model", "variant", "classes", "Spearman ρ", "Kendall τ", "Pearson r log", "binned r", "head %", "tail %"]
    rows = []
    for model, result in data.results.items():
        for v in [{"variant": f"main ({result['count']})", **result}, *result["sensitivity"]]:
            rows.append([model, v["variant"], str(v["n_classes"]), _r({"r": v["spearman"]["r"]}),
                         _r({"r": v["kendall"]["r"]}), _r({"r": v["pearson_log"]["r"]}), _r(v["binned_pearson"]),
                         _pct(v["head_accuracy"]), _pct(v["tail_accuracy"])])
    counted = "; ".join(dict.fromkeys(f"{result['count']}: {result['tiers_counted']}" for result in data.results.values()))
    return [Block("Sensitivity to the counting variant", columns=columns, rows=rows,
                  caption=f"Term tiers counted in the main variant ({counted}). Variants present in the database: "
                          "each corpus alone, names only, default (name, specific, context terms with a context "
                          "word) and every term (indexed corpora), ambiguous terms skipped (indexed corpora), "
                          "precision-weighted (where audited). " + _sql_caption("sensitivity"))]


def _frame_lines(frame: pl.DataFrame) -> list[str]:
    return [" | ".join(frame.columns)] + [" | ".join("" if v is None else str(v) for v in row) for row in frame.iter_rows()]


def section_settings(data: ReportData) -> list[Block]:
    parameters = {"taxonomies": data.taxonomies}
    versions = {"python": platform.python_version(), "freqscope": freqscope.__version__}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    first = _first(data)
    lines = [
        f"database: {data.options['db']}",
        f"database fingerprint: {data.fingerprint}",
        f"written: {datetime.now(timezone.utc).isoformat(timespec='seconds')}",
        f"lists: {', '.join(data.taxonomies)}", f"corpora (summed): {', '.join(data.corpora)}",
        f"models: {', '.join(data.models)}",
        f"analysis settings: {json.dumps(first['settings'])}", "",
        "package versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()), "",
        "corpora and their matching rules:",
    ]
    for corpus, kind, fmt, column, rules in query_frame(data.connection, SETTINGS_SQL["corpora_rules"],
                                                        {"corpora": data.corpora}).iter_rows():
        lines.append(f"  {corpus} ({kind}, {fmt}{', column ' + column if column else ''}): {rules}")
    lines += ["", "class lists:"]
    lines += ["  " + line for line in _frame_lines(query_frame(data.connection, SETTINGS_SQL["taxonomy_sources"], parameters))]
    lines += ["", "term origins (terms searched for, and how many are ambiguous within their list):"]
    lines += ["  " + line for line in _frame_lines(query_frame(data.connection, SETTINGS_SQL["term_origins"], parameters))]
    return [Block("Settings", text="\n".join(lines), caption=_sql_caption("settings"))]


def section_sql(data: ReportData) -> list[Block]:
    parts = []
    for name in ("class_exposure", "model_accuracy", "coverage"):
        users = [s for s, names in SECTION_SQL.items() if name in names]
        parts.append(f"-- ===== {name}.sql (used by: {', '.join(users) or 'choosing defaults'}) =====\n"
                     + analysis_sql(name).strip())
    for name, sql in SETTINGS_SQL.items():
        parts.append(f"-- ===== {name} (used by: settings) =====\n{sql}")
    return [Block("The SQL behind each figure and table", text="\n\n".join(parts),
                  caption="Views exposure, exposure_weighted and class_accuracy are defined in freqscope/sql/views.sql.")]


SECTIONS: dict[str, Callable[[ReportData], list[Block]]] = {
    "summary": section_summary, "scatter": section_scatter, "binned": section_binned, "models": section_models,
    "head_tail": section_head_tail, "decades": section_decades, "distribution": section_distribution,
    "most_exposed": section_most_exposed, "least_exposed": section_least_exposed,
    "never_mentioned": section_never_mentioned, "sensitivity": section_sensitivity,
    "settings": section_settings, "sql": section_sql,
}


# --- writers -------------------------------------------------------------------------------------------------


def _wrapped_lines(text: str) -> list[str]:
    lines: list[str] = []
    for line in text.splitlines():
        lines += textwrap.wrap(line, TEXT_WIDTH, subsequent_indent="    ", replace_whitespace=False,
                               drop_whitespace=False) or [""]
    return lines


def _page(title: str, caption: str) -> tuple[Figure, object]:
    figure = Figure(figsize=plots.FIGSIZE)
    figure.text(0.04, 0.96, title, fontsize=13, weight="bold", va="top")
    if caption:
        figure.text(0.04, 0.025, "\n".join(textwrap.wrap(caption, 140)), fontsize=7, va="bottom", style="italic")
    return figure, figure.add_axes((0.04, 0.08, 0.92, 0.82))


TABLE_CHARACTERS_AT_8PT = 130  # characters that fit across a page at 8 pt


def _pdf_pages(block: Block) -> list[Figure]:
    if block.figure is not None:
        if block.caption:
            block.figure.text(0.01, 0.002, block.caption, fontsize=7, va="bottom", style="italic")
        return [block.figure]
    pages = []
    if block.text is not None:
        lines = _wrapped_lines(block.text)
        for start in range(0, max(len(lines), 1), TEXT_LINES_PER_PAGE):
            figure, ax = _page(block.title if not start else f"{block.title} (continued)", block.caption)
            ax.axis("off")
            ax.text(0, 1, "\n".join(lines[start:start + TEXT_LINES_PER_PAGE]), family="monospace", fontsize=6.2,
                    va="top", transform=ax.transAxes)
            pages.append(figure)
        return pages
    for start in range(0, max(len(block.rows), 1), TABLE_ROWS_PER_PAGE):
        figure, ax = _page(block.title if not start else f"{block.title} (continued)", block.caption)
        ax.axis("off")
        chunk = block.rows[start:start + TABLE_ROWS_PER_PAGE] or [["(none)"] + [""] * (len(block.columns) - 1)]
        # Columns as wide as their longest text, the whole table as wide as the page: long model names
        # shrink the font instead of running off the page.
        lengths = [max(len(str(value)) for value in column) + 3 for column in zip(block.columns, *chunk)]
        table = ax.table(cellText=chunk, colLabels=block.columns, loc="upper center", cellLoc="left",
                         colWidths=[length / sum(lengths) for length in lengths])
        table.auto_set_font_size(False)
        table.set_fontsize(min(8.0, max(4.5, 8.0 * TABLE_CHARACTERS_AT_8PT / sum(lengths))))
        for (row, _), cell in table.get_celld().items():
            cell.set_height(0.03)
            if row == 0:
                cell.set_text_props(weight="bold")
                cell.set_facecolor("0.88")
        pages.append(figure)
    return pages


def _title_page(spec: dict, data: ReportData) -> Figure:
    figure = Figure(figsize=plots.FIGSIZE)
    lines = [f"Lists: {plots.lists_label(data.taxonomies)}", f"Exposure: {' + '.join(data.corpora)}",
             f"Models: {len(data.models)} ({', '.join(data.models[:2])}{', ...' if len(data.models) > 2 else ''})",
             f"Database: {data.options['db']} (fingerprint {data.fingerprint})",
             f"Written {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} by freqscope {freqscope.__version__}"]
    figure.text(0.5, 0.62, "\n".join(textwrap.wrap(spec.get("title", "freqscope report"), 44)), ha="center",
                fontsize=18, weight="bold")
    figure.text(0.5, 0.4, "\n".join(lines), ha="center", va="top", fontsize=10)
    return figure


def write_pdf(output: Path, spec: dict, blocks: list[Block], data: ReportData) -> int:
    with PdfPages(output, metadata={"Title": spec.get("title", "freqscope report"), "Creator": "freqscope"}) as pdf:
        pages = [_title_page(spec, data)] + [page for block in blocks for page in _pdf_pages(block)]
        for page in pages:
            pdf.savefig(page)
    return len(pages)


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    return base64.b64encode(buffer.getvalue()).decode()


def write_html(output: Path, spec: dict, blocks: list[Block], data: ReportData) -> int:
    e = html.escape
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{e(spec.get('title', 'freqscope report'))}"
             "</title><style>body{font-family:sans-serif;max-width:60em;margin:auto}table{border-collapse:collapse;"
             "font-size:small}td,th{border:1px solid #999;padding:2px 6px;text-align:left}pre{font-size:small;"
             "white-space:pre-wrap}.caption{font-style:italic;font-size:small}</style></head><body>",
             f"<h1>{e(spec.get('title', 'freqscope report'))}</h1>",
             f"<p>Lists: {e(', '.join(data.taxonomies))}. Exposure: {e(' + '.join(data.corpora))}. "
             f"Database fingerprint: <code>{e(data.fingerprint)}</code>.</p>"]
    for block in blocks:
        parts.append(f"<section><h2>{e(block.title)}</h2>")
        if block.figure is not None:
            parts.append(f"<img alt='{e(block.title)}' style='max-width:100%' src='data:image/png;base64,{_png(block.figure)}'>")
        elif block.text is not None:
            parts.append(f"<pre>{e(block.text)}</pre>")
        else:
            parts.append("<table><tr>" + "".join(f"<th>{e(c)}</th>" for c in block.columns) + "</tr>")
            parts += ["<tr>" + "".join(f"<td>{e(v)}</td>" for v in row) + "</tr>" for row in block.rows]
            parts.append("</table>")
        if block.caption:
            parts.append(f"<p class='caption'>{e(block.caption)}</p>")
        parts.append("</section>")
    parts.append("</body></html>")
    output.write_text("\n".join(parts), encoding="utf-8")
    return len(blocks)


# --- the report ----------------------------------------------------------------------------------------------


def default_taxonomies(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Lists that have both exposure (some corpus) and accuracy (some model)."""
    table = coverage(connection)
    with_exposure = set(table.filter(pl.col("what") == "corpus")["taxonomy"].to_list())
    with_accuracy = set(table.filter(pl.col("what") == "model")["taxonomy"].to_list())
    return sorted(with_exposure & with_accuracy)


def collect(
    connection: duckdb.DuckDBPyConnection, taxonomies: Sequence[str] | None, corpora: Sequence[str] | None,
    models: Sequence[str] | None, options: dict, analysis_options: dict,
) -> ReportData:
    taxonomies = list(taxonomies or default_taxonomies(connection))
    if not taxonomies:
        raise FreqscopeError("no class list has both exposure and accuracy: index a corpus (or import counts) and "
                             "import accuracy first")
    corpora = list(corpora or default_corpora(connection, taxonomies))
    models = list(models or models_for(connection, taxonomies))
    if not models:
        raise FreqscopeError(f"no model has accuracy on all of {', '.join(taxonomies)}: pass --taxonomy or --model")
    results = {model: analyze(connection, taxonomies, corpora, model, n_boot=options["bootstrap"], store=False,
                              **analysis_options) for model in models}
    exposure = (class_exposure(connection, taxonomies, corpora).group_by("taxonomy", "class_index")
                .agg(pl.col("class").first(), pl.col("docs").sum().alias("exposure")).sort("taxonomy", "class_index"))
    return ReportData(connection=connection, taxonomies=taxonomies, corpora=corpora, models=models, results=results,
                      table=class_table(connection, taxonomies, corpora, models[0]), exposure=exposure,
                      fingerprint=database_fingerprint(connection), options=options)


def write_report(
    db: str | os.PathLike | duckdb.DuckDBPyConnection | None,
    output: str | os.PathLike,
    taxonomies: Sequence[str] | None = None,
    corpora: Sequence[str] | None = None,
    models: Sequence[str] | None = None,
    format: str | None = None,
    definition: str | os.PathLike = "default",
    *,
    bins: int = FDP_BINS,
    drop_low: int = FDP_DROP_LOW,
    drop_high: int = FDP_DROP_HIGH,
    tail_fraction: float = 0.2,
) -> Path:
    """Write the report; lists, corpora and models default to everything that has both exposure and accuracy.

    format: "pdf" or "html" (default: from the output's suffix, else pdf). Returns the path written.
    """
    output = Path(output)
    format = format or (output.suffix.lstrip(".").lower() if output.suffix.lower() in (".pdf", ".html") else "pdf")
    if format not in REPORT_FORMATS:
        raise FreqscopeError(f"--format {format!r}: use pdf or html")
    spec = load_definition(definition)
    options = {"top_n": 25, "max_models": 8, "bootstrap": 200, **spec.get("options", {})}
    analysis_options = {"bins": bins, "drop_low": drop_low, "drop_high": drop_high, "tail_fraction": tail_fraction}
    if isinstance(db, duckdb.DuckDBPyConnection):
        options["db"] = "(open connection)"
        context = connection_for(db)
    else:
        options["db"] = str(resolve_db_path(db))
        context = _read_only(db)
    with context as connection:
        data = collect(connection, taxonomies, corpora, models, options, analysis_options)
        blocks = [block for section in spec["sections"] for block in SECTIONS[section](data)]
        output.parent.mkdir(parents=True, exist_ok=True)
        (write_pdf if format == "pdf" else write_html)(output, spec, blocks, data)
    return output


@contextmanager
def _read_only(db: str | os.PathLike | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The report writes nothing to the database: open it read-only, so that an index may run beside it."""
    connection = open_database(db, read_only=True)
    try:
        yield connection
    finally:
        connection.close()
