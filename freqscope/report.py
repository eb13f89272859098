"""`freqscope report`: a multi-page PDF (or one HTML file) of the analyses, as defined in reports/NAME.toml.

A report analyses **pairings**: a model against the corpus its exposure is counted in. By default each model is
paired with the corpora its name names (FDP's ``backboneRN50_pretrainedcc3m`` with ``cc3m`` and ``cc3m-fdp``,
``analysis.model_trained_on``), one **primary** model per corpus (the definition's ``primary_models`` where present,
else the first by name); the figures show the primary pairings as small multiples, the tables every pairing. A
report definition lists section kinds (SECTIONS below) in order. Each section turns the report's data into blocks
(a figure, a table or preformatted text); the PDF writer draws one page per figure and as many pages as a table or
text needs, the HTML writer draws interactive figures (plotly, freqscope.plots_html).
"""
from __future__ import annotations

import json
import os
import platform
import sys
import textwrap
import tomllib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from scipy import stats

import freqscope
from freqscope import plots
from freqscope.analysis import (
    COUNT_LABELS, COUNT_VARIANTS, FDP_BINS, TIERS_COUNTED, FDP_DROP_HIGH, FDP_DROP_LOW, analysis_sql, analyze, check_taxonomies,
    class_exposure, class_table, corpora_covering, coverage, database, database_fingerprint, default_corpora,
    model_trained_on, models_for, query_frame, same_source,
)
from freqscope.errors import FreqscopeError
from freqscope.paths import REPORTS_DIR
from freqscope.plots import short_model
from freqscope.store import open_database, resolve_db_path

REPORT_FORMATS = ("pdf", "html")
PACKAGES = ("numpy", "scipy", "polars", "duckdb", "matplotlib", "plotly", "pyarrow")

SETTINGS_SQL = {
    "corpora_rules": "SELECT corpus, kind, format, text_column, rules FROM corpora WHERE list_contains($corpora, corpus) ORDER BY corpus",
    "taxonomy_sources": "SELECT taxonomy, source, n_classes, n_terms, fingerprint FROM taxonomies WHERE list_contains($taxonomies, taxonomy) ORDER BY taxonomy",
    "term_origins": """SELECT taxonomy, origin, tier, count(*) AS terms, count(*) FILTER (WHERE ambiguous) AS ambiguous
FROM terms WHERE list_contains($taxonomies, taxonomy) GROUP BY ALL ORDER BY taxonomy, origin, tier""",
    "audited_classes": "SELECT count(DISTINCT (taxonomy, class_index)) FROM audit_labels WHERE list_contains($taxonomies, taxonomy)",
}
# Which SQL each section's numbers come from (the "sql" section prints them).
SECTION_SQL = {
    "reading": ("class_exposure", "model_accuracy", "corpora"),
    "corpora": ("corpora",),
    "summary": ("class_exposure", "model_accuracy"),
    "per_dataset": ("class_exposure", "model_accuracy"),
    "published": ("class_exposure", "model_accuracy"),
    "scatter": ("class_exposure", "model_accuracy"),
    "binned": ("class_exposure", "model_accuracy"),
    "models": ("class_exposure", "model_accuracy"),
    "head_tail": ("class_exposure", "model_accuracy"),
    "decades": ("class_exposure", "model_accuracy"),
    "distribution": ("class_exposure",),
    "most_exposed": ("class_exposure", "model_accuracy", "corpora"),
    "least_exposed": ("class_exposure", "model_accuracy", "corpora"),
    "never_mentioned": ("class_exposure",),
    "sensitivity": ("class_exposure", "model_accuracy"),
    "settings": ("corpora_rules", "taxonomy_sources", "term_origins"),
}
TABLE_ROWS_PER_PAGE = 30
TEXT_LINES_PER_PAGE = 44
TEXT_WIDTH = 110
PANELS_PER_PAGE = 4
PROSE_WIDTH = 118  # characters of a line of prose at 9 pt
PROSE_LINES_PER_PAGE = 27
MODEL_LABEL_WIDTH = 30
DEFAULT_OPTIONS = {"top_n": 20, "max_models": 8, "bootstrap": 200, "primary_models": [], "published": [],
                   "corpus_notes": {}}


@dataclass
class Block:
    title: str
    figure: Callable[[], Figure] | None = None  # drawn only by the writer that needs it
    interactive: Callable[[], object] | None = None  # a plotly figure, for HTML
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    text: str | None = None
    caption: str = ""
    prose: bool = False  # text set as paragraphs in a proportional font (else preformatted)


@dataclass
class Pairing:
    """One model against the corpora its exposure is counted in (summed where several)."""
    model: str
    corpora: list[str]
    primary: bool
    result: dict
    table: pl.DataFrame  # classes with exposure and accuracy

    @property
    def label(self) -> str:
        return f"{short_model(self.model)} × {' + '.join(self.corpora)}"


@dataclass
class ReportData:
    connection: duckdb.DuckDBPyConnection
    taxonomies: list[str]
    pairings: list[Pairing]
    unpaired: list[str]  # models with accuracy that no corpus of the report was paired with
    pairing_rule: str  # how the pairings were chosen, for the reader
    corpora: pl.DataFrame  # corpora.sql: what each corpus of the report is
    exposure: pl.DataFrame  # class_exposure.sql for every corpus of the report
    fingerprint: str
    options: dict

    @property
    def primary(self) -> list[Pairing]:
        return [p for p in self.pairings if p.primary]

    def n_docs(self, corpus: str) -> int | None:
        row = self.corpora.filter(pl.col("corpus") == corpus)
        return None if row.is_empty() else row["n_docs"].item()


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


def _docs(n: int | None) -> str:
    return "not given" if n is None else f"{n:,}"


def _sql_caption(section: str) -> str:
    return "SQL: " + ", ".join(SECTION_SQL[section]) + " (see the SQL section)"


def _model(name: str) -> str:
    """A model's short name, cut to fit a table column."""
    label = short_model(name)
    return label if len(label) <= MODEL_LABEL_WIDTH else label[: MODEL_LABEL_WIDTH - 1] + "…"


def _file(path: str) -> str:
    name = Path(path).name
    return name if len(name) <= 40 else name[:39] + "…"


def _chunks(items: Sequence, size: int) -> list[Sequence]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [items]


def _panel_blocks(data: ReportData, title: str, draw: Callable, interactive: Callable | None, section: str,
                  caption: str = "") -> list[Block]:
    """One page of small multiples per (up to) four primary pairings."""
    blocks = []
    for i, chunk in enumerate(_chunks(data.primary, PANELS_PER_PAGE)):
        blocks.append(Block(
            title if not i else f"{title} (continued)",
            figure=lambda chunk=chunk: plots.panels(chunk, draw, title),
            interactive=(lambda chunk=chunk: interactive(chunk)) if interactive else None,
            caption=(caption + " " if caption else "") + _sql_caption(section)))
    return blocks


def _html_plots():  # plotly is imported only by the HTML writer's figures
    from freqscope import plots_html

    return plots_html


# --- sections ------------------------------------------------------------------------------------------------


def section_reading(data: ReportData) -> list[Block]:
    """What was measured on what, the headline of each primary pairing with its interval, and the caveats."""
    audited = data.connection.execute(SETTINGS_SQL["audited_classes"], {"taxonomies": data.taxonomies}).fetchall()[0][0]
    first = data.primary[0].result
    paragraphs = [
        f"Exposure is the number of documents of a corpus that mention a class (any of its terms); accuracy is a "
        f"model's per-class accuracy on {', '.join(data.taxonomies)} ({first['n_classes']} classes have both). "
        f"Each model is analysed against the corpora it was trained on. Pairings: {data.pairing_rule}.",
    ]
    for pairing in data.primary:
        r, s = pairing.result, pairing.result["spearman"]
        sizes = ", ".join(f"{c}: {_docs(data.n_docs(c))} documents" if data.n_docs(c) is not None else
                          f"{c}: published counts" for c in pairing.corpora)
        interval = f" [95% interval {s['ci_low']:.2f}, {s['ci_high']:.2f}]" if s.get("ci_low") is not None else ""
        split = r["head_tail"]
        line = (f"• {short_model(pairing.model)} against {' + '.join(pairing.corpora)} ({sizes}): Spearman ρ = "
                f"{_r({'r': s['r']})}{interval}; FDP's binned r = {_r(r['binned_pearson'])}; "
                f"{r['n_never_mentioned']} of {r['n_classes']} classes never mentioned")
        if split["tail_max_exposure"] is not None:
            line += (f"; the {split['n_tail']} classes mentioned at most {split['tail_max_exposure']:,.0f} times: "
                     f"{_pct(split['tail_accuracy'])}% accuracy, the others {_pct(split['head_accuracy'])}%")
        paragraphs.append(line + ".")
    caveats = ["Caveats: statistics rest on the classes that are mentioned at all (ties at 0 carry no order);"]
    samples = [c for p in data.primary for c in p.corpora if (data.n_docs(c) or 1_000_000) < 1_000_000]
    if samples:
        verb = "is a sample" if len(set(samples)) == 1 else "are samples"
        caveats.append(f"{', '.join(dict.fromkeys(samples))} {verb}"
                       " far smaller than any model's training data, so their counts are small and noisy;")
    caveats.append("a class counts wherever one of its terms appears, whatever the word means there ("
                   + (f"{audited} classes have audited precision" if audited else
                      "no count here is audited, so precision is unknown: see `freqscope audit`") + ").")
    paragraphs.append(" ".join(caveats))
    if data.unpaired:
        paragraphs.append("Models with accuracy but no corpus of theirs here, not analysed: "
                          + ", ".join(short_model(m) for m in data.unpaired) + ".")
    return [Block("What this report shows", text="\n\n".join(paragraphs), prose=True,
                  caption=_sql_caption("reading"))]


def section_corpora(data: ReportData) -> list[Block]:
    rows = []
    for corpus, kind, fmt, n_docs, _, a_file in data.corpora.iter_rows():
        models = [short_model(p.model) for p in data.pairings if corpus in p.corpora]
        note = data.options["corpus_notes"].get(corpus) or (f"published counts, {_file(a_file)}" if kind ==
                                                            "imported" else f"{fmt} file {_file(a_file)}")
        paired = ", ".join(models[:2]) + (f" and {len(models) - 2} more" if len(models) > 2 else "")
        rows.append([corpus, kind, _docs(n_docs), textwrap.shorten(note, 90, placeholder=" …"), paired or "(none)"])
    return [Block("The corpora", columns=["corpus", "kind", "documents", "what it is", "models paired"], rows=rows,
                  caption="Exposure is counted in each corpus separately; a model is analysed against its own. "
                          + _sql_caption("corpora"))]


def section_summary(data: ReportData) -> list[Block]:
    columns = ["", "model", "corpus", "classes", "never", "Spearman ρ [95%]", "Pearson r log [95%]", "binned r",
               "head %", "tail %", "p (MWU)"]
    rows = []
    for pairing in data.pairings:
        r = pairing.result
        rows.append(["★" if pairing.primary else "", _model(pairing.model), " + ".join(pairing.corpora),
                     str(r["n_classes"]), str(r["n_never_mentioned"]), _r(r["spearman"]), _r(r["pearson_log"]),
                     _r(r["binned_pearson"]), _pct(r["head_accuracy"]), _pct(r["tail_accuracy"]),
                     _p(r["head_tail"]["mannwhitney_p"])])
    return [Block("Summary: exposure against per-class accuracy", columns=columns, rows=rows,
                  caption=f"Lists pooled: {', '.join(data.taxonomies)}. ★ = the primary model of its corpus, drawn "
                          "in the figures; intervals only for those. never = classes never mentioned. "
                          + _sql_caption("summary"))]


def section_per_dataset(data: ReportData) -> list[Block]:
    columns = ["model", "corpus", "list", "classes", "never", "mean acc. %", "Spearman ρ [95%]", "Pearson r log"]
    rows = []
    for pairing in data.primary:
        for t in pairing.result["per_taxonomy"]:
            rows.append([_model(pairing.model), " + ".join(pairing.corpora), t["taxonomy"], str(t["n_classes"]),
                         str(t["n_never_mentioned"]), _pct(t["mean_accuracy"]), _r(t["spearman"]),
                         _r({"r": t["pearson_log"]["r"]})])
    if not rows:
        return []
    return [Block("Each list on its own", columns=columns, rows=rows,
                  caption="The pooled statistics mix lists of different difficulty; here each list alone. "
                          + _sql_caption("per_dataset"))]


def _count_agreement(data: ReportData) -> list[list[str]]:
    """Our counts against published counts of the same source, per list: Spearman over the classes."""
    rows = []
    corpora = data.corpora.select("corpus", "kind").rows()
    for ours, kind in corpora:
        for theirs, other_kind in corpora:
            if kind == "imported" or other_kind != "imported" or not same_source(ours, theirs):
                continue
            for taxonomy in data.taxonomies:
                a = data.exposure.filter((pl.col("corpus") == ours) & (pl.col("taxonomy") == taxonomy))
                b = data.exposure.filter((pl.col("corpus") == theirs) & (pl.col("taxonomy") == taxonomy))
                joined = a.join(b, on="class_index", suffix="_theirs")
                if joined.height < 3:
                    continue
                rho = stats.spearmanr(joined["docs"].to_numpy(), joined["docs_theirs"].to_numpy())[0]
                rows.append([ours, theirs, taxonomy, str(joined.height), str(int((joined["docs"] == 0).sum())),
                             str(int((joined["docs_theirs"] == 0).sum())),
                             "n/a" if not np.isfinite(rho) else f"{rho:.2f}"])
    return rows


def section_published(data: ReportData) -> list[Block]:
    """Published results the definition names ([[options.published]]) against what this database gives."""
    blocks = []
    rows = []
    for entry in data.options["published"]:
        pairing = next((p for p in data.pairings if p.model == entry["model"] and p.corpora == [entry["corpus"]]), None)
        if pairing is None:
            continue
        r = pairing.result
        rows.append([entry["corpus"], short_model(entry["model"]), f"{entry['r']:.2f}", entry.get("published_on", ""),
                     _r(r["binned_pearson"]), f"{r['n_classes']} classes of {', '.join(r['taxonomies'])}"])
    if rows:
        notes = [entry["note"] for entry in data.options["published"] if entry.get("note")]
        blocks.append(Block("Published results against this database", rows=rows,
                            columns=["counts", "model", "published r", "published on", "r here", "here on"],
                            caption=" ".join(dict.fromkeys(notes)) + " " + _sql_caption("published")))
    agreement = _count_agreement(data)
    if agreement:
        blocks.append(Block("Our counts against published counts", rows=agreement,
                            columns=["our corpus", "published", "list", "classes", "0 in ours", "0 in theirs",
                                     "Spearman ρ"],
                            caption="Rank agreement, per list, between the documents freqscope counts in a corpus "
                                    "and the counts published for the same source (a sample against the whole "
                                    "corpus, where ours is a sample). " + _sql_caption("published")))
    return blocks


def section_scatter(data: ReportData) -> list[Block]:
    return _panel_blocks(data, "Accuracy against exposure", plots.draw_scatter,
                         lambda chunk: _html_plots().scatter(chunk), "scatter",
                         f"Each circle a class; the {plots.OUTLIERS_LABELLED} classes furthest above and below the fit "
                         "are named. The fit is on log exposure with 0 taken as 1, as Pearson r log.")


def section_binned(data: ReportData) -> list[Block]:
    return _panel_blocks(data, "Binned log-linear fit (FDP)", plots.draw_binned,
                         lambda chunk: _html_plots().binned(chunk), "binned",
                         "Mean accuracy of the classes in each equal-width bin of log exposure, ± standard error.")


def section_models(data: ReportData) -> list[Block]:
    groups: dict[str, list[Pairing]] = {}
    for pairing in data.pairings:
        groups.setdefault(" + ".join(pairing.corpora), []).append(pairing)
    every = [(corpus, group) for corpus, group in groups.items() if len(group) > 1]
    if not every:
        return []
    limit = data.options["max_models"]
    blocks = []
    for i, chunk in enumerate(_chunks(every, PANELS_PER_PAGE)):
        title = "Models side by side: binned mean accuracy"
        drawn = [(corpus, group[:limit]) for corpus, group in chunk]  # the PDF's legend has room for `limit`
        blocks.append(Block(title if not i else f"{title} (continued)",
                            figure=lambda drawn=drawn, title=title: plots.panels(drawn, plots.draw_models, title),
                            interactive=lambda chunk=chunk: _html_plots().models(chunk),
                            caption=f"Every model paired with a corpus (the PDF draws at most {limit} per corpus, the "
                                    "HTML all; click a legend entry to hide a line). " + _sql_caption("models")))
    return blocks


def section_head_tail(data: ReportData) -> list[Block]:
    return _panel_blocks(data, "Head and tail", plots.draw_head_tail,
                         lambda chunk: _html_plots().head_tail(chunk), "head_tail",
                         "The tail is every class exposed at most as much as the class at the "
                         f"{data.pairings[0].result['head_tail']['tail_fraction']:.0%} quantile; classes of equal "
                         "exposure are never split, so with many zeros the tail is larger than that. The mean: ◇ "
                         "in the PDF, a dashed line in the HTML.")


def section_decades(data: ReportData) -> list[Block]:
    return _panel_blocks(data, "Accuracy by exposure decade", plots.draw_decades,
                         lambda chunk: _html_plots().decades(chunk), "decades")


def _corpus_counts(data: ReportData) -> dict[str, np.ndarray]:
    corpora = list(dict.fromkeys(c for p in data.primary for c in p.corpora))
    return {c: data.exposure.filter(pl.col("corpus") == c)["docs"].to_numpy().astype(float) for c in corpora}


def section_distribution(data: ReportData) -> list[Block]:
    title = f"Exposure distribution: {plots.lists_label(data.taxonomies)}"
    counts = _corpus_counts(data)
    return [Block(title, figure=lambda: plots.panels([counts], lambda ax, c, n: plots.draw_distribution(ax, c), title),
                  interactive=lambda: _html_plots().distribution(counts),
                  caption=_sql_caption("distribution"))]


def _ranked(data: ReportData, pairing: Pairing, descending: bool) -> tuple[pl.DataFrame, int]:
    """Classes of the pairing's corpora by exposure; ties by accuracy, highest first (a never-mentioned class the
    model still knows is the surprise worth reading)."""
    exposure = (data.exposure.filter(pl.col("corpus").is_in(pairing.corpora)).group_by("taxonomy", "class_index")
                .agg(pl.col("class").first(), pl.col("docs").sum().alias("exposure")))
    table = exposure.join(pairing.table.select("taxonomy", "class_index", "accuracy"), on=["taxonomy", "class_index"],
                          how="left")
    n_docs = [data.n_docs(c) for c in pairing.corpora]
    total = sum(n_docs) if None not in n_docs else None
    ranked = table.sort(["exposure", "accuracy", "taxonomy", "class_index"],
                        descending=[descending, True, False, False], nulls_last=True)
    return ranked, total


def _exposed(data: ReportData, descending: bool, section: str) -> list[Block]:
    blocks = []
    for pairing in data.primary:
        ranked, total = _ranked(data, pairing, descending)
        top = ranked.head(data.options["top_n"])
        rows = [[t, c, f"{e:,.0f}", "" if total is None else f"{e * 1e6 / total:,.1f}", _pct(a)]
                for t, c, e, a in top.select("taxonomy", "class", "exposure", "accuracy").iter_rows()]
        which = "Most" if descending else "Least"
        ties = int((ranked["exposure"] == top["exposure"][-1]).sum()) if top.height else 0
        caption = ("Per million documents: exposure / the corpus's documents (not given for published counts). "
                   + ("" if descending else f"Ordered by exposure, then accuracy, highest first; {ties} classes "
                      f"share the last exposure shown ({top['exposure'][-1]:,.0f})" + ". ")
                   + _sql_caption(section))
        blocks.append(Block(f"{which} exposed classes: {' + '.join(pairing.corpora)}", rows=rows, caption=caption,
                            columns=["list", "class", "documents", "per million", f"{short_model(pairing.model)} %"]))
    return blocks


def section_most_exposed(data: ReportData) -> list[Block]:
    return _exposed(data, True, "most_exposed")


def section_least_exposed(data: ReportData) -> list[Block]:
    return _exposed(data, False, "least_exposed")


def section_never_mentioned(data: ReportData) -> list[Block]:
    lines = []
    for corpus in dict.fromkeys(c for p in data.primary for c in p.corpora):
        exposure = data.exposure.filter(pl.col("corpus") == corpus)
        never = exposure.filter(pl.col("docs") == 0).sort("taxonomy", "class_index")
        lines += [f"{corpus}: {never.height} of {exposure.height} classes are never mentioned.", ""]
        for (taxonomy,), group in never.group_by("taxonomy", maintain_order=True):
            lines += [f"  {taxonomy} ({group.height}):",
                      *textwrap.wrap(", ".join(group["class"].to_list()), TEXT_WIDTH - 4, initial_indent="    ",
                                     subsequent_indent="    "), ""]
    return [Block("Classes never mentioned", text="\n".join(lines), caption=_sql_caption("never_mentioned"))]


def section_sensitivity(data: ReportData) -> list[Block]:
    columns = ["model × corpus", "variant", "classes", "Spearman ρ", "Kendall τ", "Pearson r log", "binned r",
               "head %", "tail %"]
    rows = []
    explained: dict[str, str] = {}
    for pairing in data.primary:
        result = pairing.result
        headline = {"variant": f"headline: {COUNT_LABELS.get(result['count'], result['count'])}", **result}
        explained[headline["variant"]] = (f"{COUNT_VARIANTS[result['count']]}, in the pairing's corpus: the count "
                                          "every other page of this report uses")
        for v in [headline, *result["sensitivity"]]:
            explained.setdefault(v["variant"], v.get("explanation", ""))
            rows.append([textwrap.shorten(pairing.label, 44, placeholder=" …"),
                         textwrap.shorten(v["variant"], 34, placeholder=" …"), str(v["n_classes"]),
                         _r({"r": v["spearman"]["r"]}), _r({"r": v["kendall"]["r"]}), _r({"r": v["pearson_log"]["r"]}),
                         _r(v["binned_pearson"]), _pct(v["head_accuracy"]), _pct(v["tail_accuracy"])])
    counted = "; ".join(dict.fromkeys(f"{COUNT_LABELS.get(p.result['count'], p.result['count'])}: "
                                      f"{TIERS_COUNTED[p.result['count']]}" for p in data.primary))
    paragraphs = [f"Term tiers counted in the headline ({counted}); docs/class-lists.md explains the tiers.",
                  "Each variant recomputes the statistics with exposure counted another way:",
                  *[f"• {name}: {explanation}." for name, explanation in explained.items()]]
    shown = {v["count"] for p in data.primary for v in [p.result, *p.result["sensitivity"]]}
    same = [f"{COUNT_LABELS.get(name, name)} ({COUNT_VARIANTS[name]})" for name in COUNT_VARIANTS if name not in shown]
    if same:
        paragraphs.append("Left out because they give the same counts as the headline here: " + "; ".join(same) + ".")
    return [Block("Sensitivity to the counting variant", columns=columns, rows=rows,
                  caption="Variants present in the database, for the primary pairings; the variants are explained on "
                          "the next page. " + _sql_caption("sensitivity")),
            Block("Sensitivity: the variants", text="\n\n".join(paragraphs), prose=True,
                  caption=_sql_caption("sensitivity"))]


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
    corpora = data.corpora["corpus"].to_list()
    lines = [
        f"database: {data.options['db']}",
        f"database fingerprint: {data.fingerprint}",
        f"written: {datetime.now(timezone.utc).isoformat(timespec='seconds')}",
        f"lists (pooled): {', '.join(data.taxonomies)}",
        "pairings: " + "; ".join(f"{p.model} × {' + '.join(p.corpora)}{' (primary)' if p.primary else ''}"
                                 for p in data.pairings),
        f"how they were chosen: {data.pairing_rule}",
        f"analysis settings: {json.dumps(data.pairings[0].result['settings'])}", "",
        "package versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()), "",
        "corpora and their matching rules:",
    ]
    for corpus, kind, fmt, column, rules in query_frame(data.connection, SETTINGS_SQL["corpora_rules"],
                                                        {"corpora": corpora}).iter_rows():
        lines.append(f"  {corpus} ({kind}, {fmt}{', column ' + column if column else ''}): {rules}")
    lines += ["", "class lists:"]
    lines += ["  " + line for line in _frame_lines(query_frame(data.connection, SETTINGS_SQL["taxonomy_sources"], parameters))]
    lines += ["", "term origins (terms searched for, and how many are ambiguous within their list):"]
    lines += ["  " + line for line in _frame_lines(query_frame(data.connection, SETTINGS_SQL["term_origins"], parameters))]
    return [Block("Settings", text="\n".join(lines), caption=_sql_caption("settings"))]


def section_sql(data: ReportData) -> list[Block]:
    parts = []
    for name in ("class_exposure", "model_accuracy", "corpora", "coverage"):
        users = [s for s, names in SECTION_SQL.items() if name in names]
        parts.append(f"-- ===== {name}.sql (used by: {', '.join(users) or 'choosing defaults'}) =====\n"
                     + analysis_sql(name).strip())
    for name, sql in SETTINGS_SQL.items():
        parts.append(f"-- ===== {name} (used by: settings) =====\n{sql}")
    return [Block("The SQL behind each figure and table", text="\n\n".join(parts),
                  caption="Views exposure, exposure_weighted and class_accuracy are defined in freqscope/sql/views.sql.")]


SECTIONS: dict[str, Callable[[ReportData], list[Block]]] = {
    "reading": section_reading, "corpora": section_corpora, "summary": section_summary,
    "per_dataset": section_per_dataset, "published": section_published, "scatter": section_scatter,
    "binned": section_binned, "models": section_models, "head_tail": section_head_tail, "decades": section_decades,
    "distribution": section_distribution, "most_exposed": section_most_exposed,
    "least_exposed": section_least_exposed, "never_mentioned": section_never_mentioned,
    "sensitivity": section_sensitivity, "settings": section_settings, "sql": section_sql,
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


TABLE_CHARACTERS_AT_8PT = 112  # characters that fit across a page at 8 pt (proportional: wide letters count)


def _pdf_pages(block: Block) -> list[Figure]:
    pages: list[Figure] = []
    if block.figure is not None:
        figure = block.figure()
        if block.caption:
            figure.text(0.01, 0.002, "\n".join(textwrap.wrap(block.caption, 150)), fontsize=6.5, va="bottom",
                        style="italic")
        return [figure]
    if block.text is not None and block.prose:
        lines = [line for paragraph in block.text.split("\n\n")
                 for line in [*textwrap.wrap(paragraph, PROSE_WIDTH, subsequent_indent="   "), ""]]
        for start in range(0, len(lines), PROSE_LINES_PER_PAGE):
            figure, ax = _page(block.title if not start else f"{block.title} (continued)", block.caption)
            ax.axis("off")
            ax.text(0, 1, "\n".join(lines[start:start + PROSE_LINES_PER_PAGE]), fontsize=9, va="top",
                    transform=ax.transAxes, linespacing=1.4)
            pages.append(figure)
        return pages
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
        # Columns as wide as their longest text, the whole table as wide as the page: long names shrink the
        # font instead of running off the page.
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


def _title_lines(data: ReportData) -> list[str]:
    return [f"Lists: {plots.lists_label(data.taxonomies)}",
            "Primary pairings: " + "; ".join(p.label for p in data.primary),
            f"{len(data.pairings)} pairings in all; database {data.options['db']} (fingerprint {data.fingerprint})",
            f"Written {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} by freqscope {freqscope.__version__}"]


def _title_page(spec: dict, data: ReportData) -> Figure:
    figure = Figure(figsize=plots.FIGSIZE)
    figure.text(0.5, 0.62, "\n".join(textwrap.wrap(spec.get("title", "freqscope report"), 44)), ha="center",
                fontsize=18, weight="bold")
    lines = [wrapped for line in _title_lines(data) for wrapped in textwrap.wrap(line, 100)]
    figure.text(0.5, 0.4, "\n".join(lines), ha="center", va="top", fontsize=9)
    return figure


def write_pdf(output: Path, spec: dict, blocks: list[Block], data: ReportData) -> int:
    with PdfPages(output, metadata={"Title": spec.get("title", "freqscope report"), "Creator": "freqscope"}) as pdf:
        pages = [_title_page(spec, data)] + [page for block in blocks for page in _pdf_pages(block)]
        for page in pages:
            pdf.savefig(page)
    return len(pages)


def write_html(output: Path, spec: dict, blocks: list[Block], data: ReportData) -> int:
    """One self-contained HTML file: plotly's JavaScript inlined once, so that it opens offline."""
    return _html_plots().write_html(output, spec.get("title", "freqscope report"), _title_lines(data), blocks)


# --- the report ----------------------------------------------------------------------------------------------


def default_taxonomies(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Lists that have both exposure (some corpus) and accuracy (some model)."""
    table = coverage(connection)
    with_exposure = set(table.filter(pl.col("what") == "corpus")["taxonomy"].to_list())
    with_accuracy = set(table.filter(pl.col("what") == "model")["taxonomy"].to_list())
    return sorted(with_exposure & with_accuracy)


def parse_pairs(pairs: Sequence[str]) -> list[tuple[str, list[str]]]:
    """MODEL=CORPUS[+CORPUS...] -> (model, corpora)."""
    parsed = []
    for pair in pairs:
        model, sep, corpora = pair.rpartition("=")
        if not sep or not model or not corpora:
            raise FreqscopeError(f"--pair {pair!r}: write MODEL=CORPUS (or MODEL=CORPUS+CORPUS to sum corpora)")
        parsed.append((model, corpora.split("+")))
    return parsed


def choose_pairings(
    connection: duckdb.DuckDBPyConnection, taxonomies: list[str], corpora: Sequence[str] | None,
    models: Sequence[str] | None, pairs: Sequence[str] | None, preferred: Sequence[str],
) -> tuple[list[tuple[str, list[str], bool]], list[str], str]:
    """(model, corpora, primary) for each pairing, the models left unpaired, and the rule used, in words."""
    candidates = list(models or models_for(connection, taxonomies))
    if not candidates:
        raise FreqscopeError(f"no model has accuracy on all of {', '.join(taxonomies)}: import it (`freqscope "
                             "accuracy import`) or measure it (`freqscope infer`), or pass --taxonomy")

    def with_primaries(chosen: list[tuple[str, list[str]]]) -> list[tuple[str, list[str], bool]]:
        seen: set[tuple[str, ...]] = set()
        ranked = sorted(chosen, key=lambda mc: (tuple(mc[1]), mc[0] not in preferred, mc[0]))
        marked = []
        for model, corpora_ in ranked:
            marked.append((model, corpora_, tuple(corpora_) not in seen))
            seen.add(tuple(corpora_))
        return marked

    if pairs:
        chosen = parse_pairs(pairs)
        return with_primaries(chosen), [], "as given with --pair"
    if corpora and models:
        return (with_primaries([(m, list(corpora)) for m in candidates]), [],
                f"every model named against {' + '.join(corpora)}, as given")
    names = list(corpora or corpora_covering(connection, taxonomies)["name"].to_list())
    chosen = [(m, [c]) for c in names for m in candidates if model_trained_on(m, c)]
    if chosen:
        paired = {m for m, _ in chosen}
        if models:  # a model the user named is analysed even where its name names no corpus
            summed = list(corpora or default_corpora(connection, taxonomies))
            chosen += [(m, summed) for m in candidates if m not in paired]
            paired = set(candidates)
        rule = ("each model against every corpus its name names (FDP's backboneRN50_pretrainedcc3m: cc3m, "
                "cc3m-fdp); the primary model of a corpus is "
                + ("the definition's primary_models where present, else " if preferred else "")
                + "the first by name"
                + ("; a model named with --model whose name names none, against the default corpora summed"
                   if models else "") + "; pass --pair MODEL=CORPUS to choose")
        return with_primaries(chosen), [m for m in candidates if m not in paired], rule
    summed = list(corpora or default_corpora(connection, taxonomies))
    return (with_primaries([(m, summed) for m in candidates]), [],
            f"no model's name names a corpus, so each is analysed against {' + '.join(summed)} summed; "
            "pass --pair MODEL=CORPUS to pair them")


def collect(
    connection: duckdb.DuckDBPyConnection, taxonomies: Sequence[str] | None, corpora: Sequence[str] | None,
    models: Sequence[str] | None, pairs: Sequence[str] | None, options: dict, analysis_options: dict,
    progress: Callable[[str], None],
) -> ReportData:
    taxonomies = list(taxonomies or default_taxonomies(connection))
    if not taxonomies:
        raise FreqscopeError("no class list has both exposure and accuracy: index a corpus (or import counts) and "
                             "import accuracy first")
    check_taxonomies(connection, taxonomies)
    chosen, unpaired, rule = choose_pairings(connection, taxonomies, corpora, models, pairs,
                                             options["primary_models"])
    pairings = []
    for i, (model, pair_corpora, primary) in enumerate(chosen, 1):
        progress(f"analysing {i}/{len(chosen)}: {short_model(model)} against {' + '.join(pair_corpora)}")
        result = analyze(connection, taxonomies, pair_corpora, model, store=False, sensitivity=primary,
                         n_boot=options["bootstrap"] if primary else 0, **analysis_options)
        pairings.append(Pairing(model, pair_corpora, primary, result, class_table(connection, taxonomies,
                                                                                   pair_corpora, model)))
    used = list(dict.fromkeys(c for p in pairings for c in p.corpora))
    used += [c for c in corpora_covering(connection, taxonomies)["name"].to_list()
             if c not in used and any(same_source(c, u) for u in used)]  # for the count comparison
    return ReportData(
        connection=connection, taxonomies=taxonomies, pairings=pairings, unpaired=unpaired, pairing_rule=rule,
        corpora=query_frame(connection, analysis_sql("corpora"), {"corpora": used}),
        exposure=class_exposure(connection, taxonomies, used), fingerprint=database_fingerprint(connection),
        options=options)


def output_format(output: Path, format: str | None) -> str:
    """pdf or html: --format, else the output's suffix; a format that contradicts the suffix is refused."""
    suffix = output.suffix.lstrip(".").lower()
    if format is not None and format not in REPORT_FORMATS:
        raise FreqscopeError(f"--format {format!r}: use pdf or html")
    if format is not None and suffix in REPORT_FORMATS and suffix != format:
        raise FreqscopeError(f"--format {format} but the output {output} ends in .{suffix}: name it "
                             f"{output.with_suffix('.' + format)}, or leave --format out")
    return format or (suffix if suffix in REPORT_FORMATS else "pdf")


def write_report(
    db: object,
    output: str | os.PathLike,
    taxonomies: Sequence[str] | None = None,
    corpora: Sequence[str] | None = None,
    models: Sequence[str] | None = None,
    format: str | None = None,
    definition: str | os.PathLike = "default",
    *,
    pairs: Sequence[str] | None = None,
    bins: int = FDP_BINS,
    drop_low: int = FDP_DROP_LOW,
    drop_high: int = FDP_DROP_HIGH,
    tail_fraction: float = 0.2,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write the report and return the path written.

    ``db``: a path, a DuckDB connection or a ``freqscope.connect()`` handle. Lists default to those with both
    exposure and accuracy; pairings to each model against the corpora its name names (``pairs``: "MODEL=CORPUS"
    strings to choose; ``corpora`` with ``models``: each model against those corpora summed). format: "pdf" or
    "html" (default: from the output's suffix, else pdf). ``progress`` is called with a line per step.
    """
    output = Path(output)
    format = output_format(output, format)
    spec = load_definition(definition)
    options = {**DEFAULT_OPTIONS, **spec.get("options", {})}
    analysis_options = {"bins": bins, "drop_low": drop_low, "drop_high": drop_high, "tail_fraction": tail_fraction}
    report_progress = progress or (lambda line: None)
    if db is None or isinstance(db, (str, os.PathLike)):
        options["db"] = str(resolve_db_path(db))
        context = _read_only(db)
    else:
        options["db"] = "(open connection)"
        context = database(db)
    with context as connection:
        data = collect(connection, taxonomies, corpora, models, pairs, options, analysis_options, report_progress)
        report_progress(f"drawing {len(spec['sections'])} sections into {output}")
        blocks = [block for section in spec["sections"] for block in SECTIONS[section](data)]
        output.parent.mkdir(parents=True, exist_ok=True)
        (write_pdf if format == "pdf" else write_html)(output, spec, blocks, data)
    return output


@contextmanager
def _read_only(db: str | os.PathLike | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The report writes nothing to the database: open it read-only, so that an index may run beside it; a
    database this process has open through freqscope.connect() is read through that handle."""
    api = sys.modules.get("freqscope.api")
    if api is not None and api.open_handle(db) is not None:
        with database(db) as connection:
            yield connection
        return
    connection = open_database(db, read_only=True)
    try:
        yield connection
    finally:
        connection.close()
