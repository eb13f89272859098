"""Figures of the PDF report (matplotlib): each ``draw_*`` function draws one model-and-corpus pairing into one
axes, and ``panels`` lays several out as small multiples on one page.

Every figure is readable in grey: series differ by marker, line style and hatch, never by colour alone.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import matplotlib

matplotlib.use("Agg")  # files only: reports are written on machines without a display

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from freqscope.analysis import log_exposure  # noqa: E402

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", ":", "-.")
GREYS = ("black", "0.35", "0.55", "0.2")
FIGSIZE = (8.27, 5.8)  # A4 width
ZERO_COLUMN = -0.7  # where classes never mentioned are drawn, in decades (log10) of exposure: left of 1
OUTLIERS_LABELLED = 3  # classes labelled on each side of the scatter's fit


def lists_label(taxonomies: Sequence[str]) -> str:
    """The pooled lists, shortened where there are many (titles must fit the page)."""
    if len(taxonomies) <= 4:
        return ", ".join(taxonomies)
    return f"{len(taxonomies)} lists pooled ({', '.join(taxonomies[:2])}, ...)"


def short_model(model: str) -> str:
    """FDP's keys read as architecture (pretraining set): backboneRN50_pretrainedcc3m -> RN50 (cc3m)."""
    if model.startswith("backbone") and "_pretrained" in model:
        architecture, _, data = model.removeprefix("backbone").partition("_pretrained")
        return f"{architecture} ({data})"
    return model


def _count(value: float) -> str:
    """1000 -> 1k, 1000000 -> 1M: bin labels that fit under a bar."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def r_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def panels(items: Sequence[object], draw: Callable[[Axes, object, int], None], title: str) -> Figure:
    """Small multiples: one axes per item (up to 4 on a page: 1, 1x2 or 2x2), a page title above."""
    n = len(items)
    rows, cols = (1, 1) if n == 1 else (1, 2) if n == 2 else (2, 2)
    figure = Figure(figsize=FIGSIZE, layout="constrained")
    figure.get_layout_engine().set(rect=(0, 0.03, 1, 0.97))  # room at the foot for a report's caption
    figure.suptitle(title, fontsize=11, weight="bold")
    for i, item in enumerate(items):
        draw(figure.add_subplot(rows, cols, i + 1), item, n)
    return figure


def _pair_title(ax: Axes, model: str, corpora: Sequence[str], line: str, n: int) -> None:
    size = 9 if n == 1 else 7.5
    ax.set_title(f"{short_model(model)} against {' + '.join(corpora)}\n{line}", fontsize=size)


def fit_line(counts: np.ndarray, accuracy: np.ndarray) -> tuple[float, float] | None:
    """Least squares of accuracy on natural-log exposure (0 taken as 1, as pearson_log): (slope, intercept)."""
    x = log_exposure(counts)
    if len(x) < 2 or np.ptp(x) == 0:
        return None
    slope, intercept = np.polyfit(x, accuracy, 1)
    return float(slope), float(intercept)


def outliers(table: pl.DataFrame, n: int = OUTLIERS_LABELLED) -> pl.DataFrame:
    """Up to n classes far above and n far below the fit (residual in accuracy points), furthest first, skipping
    any that would sit on a label already chosen (so that the zero column's many ties give one label, not ten)."""
    counts = table["exposure"].to_numpy().astype(float)
    accuracy = table["accuracy"].to_numpy().astype(float) * 100
    line = fit_line(counts, accuracy)
    if line is None:
        return table.head(0)
    residual = accuracy - (line[1] + line[0] * log_exposure(counts))
    x = exposure_position(counts)
    chosen: list[int] = []
    for order in (np.argsort(-residual, kind="stable"), np.argsort(residual, kind="stable")):
        taken = 0
        for i in order:
            if taken == n:
                break
            if all(abs(x[i] - x[j]) > 0.35 or abs(accuracy[i] - accuracy[j]) > 6 for j in chosen):
                chosen.append(int(i))
                taken += 1
    return table[chosen]


def exposure_position(counts: np.ndarray) -> np.ndarray:
    """x of each class: log10 of its exposure, and ZERO_COLUMN (its own column, jittered) for exposure 0."""
    counts = np.asarray(counts, dtype=float)
    with np.errstate(divide="ignore"):
        x = np.log10(np.where(counts > 0, counts, 1))
    zeros = counts <= 0
    jitter = (np.arange(len(counts)) * 0.618034) % 1 - 0.5  # deterministic spread, so that tied zeros show
    return np.where(zeros, ZERO_COLUMN + 0.25 * jitter, x)


def draw_scatter(ax: Axes, pairing: object, n_panels: int = 1) -> None:
    """Accuracy against exposure: zeros in their own column, the fit on log exposure, outliers named."""
    table, result = pairing.table, pairing.result
    counts = table["exposure"].to_numpy().astype(float)
    accuracy = table["accuracy"].to_numpy().astype(float) * 100
    ax.scatter(exposure_position(counts), accuracy, s=9, marker="o", facecolors="none", edgecolors="0.35",
               linewidths=0.6)
    top = max(1.0, math.ceil(np.log10(max(counts.max(), 1))))
    ax.axvspan(ZERO_COLUMN - 0.2, ZERO_COLUMN + 0.2, color="0.93", zorder=0)
    line = fit_line(counts, accuracy)
    label = ""
    if line is not None:
        slope, intercept = line
        grid = np.linspace(0, np.log10(max(counts.max(), 1)), 50)
        ax.plot(grid, intercept + slope * grid * math.log(10), "k--", linewidth=1.5)
        label = f"fit {slope * math.log(10):+.1f} points per tenfold exposure"
    for name, count, value in outliers(table).select("class", "exposure", "accuracy").iter_rows():
        x = exposure_position(np.array([count]))[0]
        ax.annotate(name[:22], (x, value * 100), fontsize=5.5 if n_panels > 1 else 7, xytext=(3, 2),
                    textcoords="offset points", color="0.15")
    ax.set_xticks([ZERO_COLUMN, *range(0, int(top) + 1)],
                  ["0", *[_count(10.0 ** d) for d in range(0, int(top) + 1)]], fontsize=7)
    ax.set_xlim(ZERO_COLUMN - 0.3, top + 0.2)
    ax.set_ylim(-3, 103)
    ax.set_xlabel("documents mentioning the class (log scale; never mentioned: own column)", fontsize=7)
    ax.set_ylabel("accuracy (%)", fontsize=8)
    n_zero = int((counts == 0).sum())
    _pair_title(ax, result["model"], result["corpora"],
                f"ρ = {r_text(result['spearman']['r'])}; {label}; {n_zero}/{len(counts)} never mentioned", n_panels)
    ax.grid(True, linestyle=":", color="0.8")


def draw_binned(ax: Axes, pairing: object, n_panels: int = 1) -> None:
    """FDP's view: mean accuracy per equal-width bin of log exposure, ± standard error, with the fit on kept bins."""
    result = pairing.result
    binned = result["binned"]
    kept = [b for b in binned["bins"] if b["kept"]]
    dropped = [b for b in binned["bins"] if b["n"] and not b["kept"]]
    for rows, marker, face, label in ((kept, "o", "black", "bin used in the fit"),
                                      (dropped, "s", "white", "bin left out (--drop-low/--drop-high)")):
        if rows:
            ax.errorbar([math.exp(b["upper"]) for b in rows], [b["mean_accuracy"] * 100 for b in rows],
                        yerr=[(b["sem_accuracy"] or 0) * 100 for b in rows], fmt=marker, color="black",
                        markerfacecolor=face, capsize=3, markersize=4, label=label)
    if binned["slope"] is not None:
        grid = np.array([kept[0]["upper"], kept[-1]["upper"]])
        ax.plot(np.exp(grid), (binned["intercept"] + binned["slope"] * grid) * 100, "k--", linewidth=1.2,
                label="log-linear fit")
    ax.set_xscale("log")
    ax.set_xlabel("exposure at the bin's upper edge (log scale)", fontsize=7)
    ax.set_ylabel("mean accuracy of the bin (%)", fontsize=8)
    ax.tick_params(labelsize=7)
    _pair_title(ax, result["model"], result["corpora"],
                f"binned r = {r_text(binned['r'])} over {binned['n_bins_kept']} bins", n_panels)
    ax.legend(loc="upper left", fontsize=6)
    ax.grid(True, linestyle=":", color="0.8")


def draw_head_tail(ax: Axes, pairing: object, n_panels: int = 1) -> None:
    """Accuracy of the tail (exposure at most the threshold) against the head, as box plots."""
    table, result = pairing.table, pairing.result
    split = result["head_tail"]
    counts = table["exposure"].to_numpy().astype(float)
    accuracy = table["accuracy"].to_numpy().astype(float) * 100
    threshold = split["tail_max_exposure"]
    in_tail = counts <= threshold if threshold is not None else np.zeros(len(counts), dtype=bool)
    boxes = ax.boxplot([accuracy[in_tail], accuracy[~in_tail]], patch_artist=True, showmeans=True, widths=0.5,
                       meanprops={"marker": "D", "markerfacecolor": "white", "markeredgecolor": "black"},
                       medianprops={"color": "black"})
    for patch, hatch in zip(boxes["boxes"], ("///", "")):
        patch.set_facecolor("0.85")
        patch.set_hatch(hatch)
    tail_label = "tail: no split" if threshold is None else (
        f"tail: exposure ≤ {threshold:,.0f}\n(n = {split['n_tail']}, {split['tail_share']:.0%} of classes)")
    ax.set_xticks([1, 2], [tail_label, f"head: exposure > {threshold or 0:,.0f}\n(n = {split['n_head']})"],
                  fontsize=7)
    ax.set_ylabel("accuracy (%)", fontsize=8)
    p = split["mannwhitney_p"]
    means = ("n/a" if split["tail_accuracy"] is None or split["head_accuracy"] is None else
             f"tail {split['tail_accuracy'] * 100:.1f}% vs head {split['head_accuracy'] * 100:.1f}%")
    _pair_title(ax, result["model"], result["corpora"],
                f"mean {means} (Mann-Whitney p = {'n/a' if p is None else f'{p:.2g}'})", n_panels)
    ax.grid(True, axis="y", linestyle=":", color="0.8")


def draw_decades(ax: Axes, pairing: object, n_panels: int = 1) -> None:
    """The seed paper's view: mean accuracy in exposure bins [0, 10), [10, 100), ..."""
    result = pairing.result
    rows = [b for b in result["decades"] if b["n"]]
    labels = [f"[{_count(b['lower'])}, {_count(b['upper'])})\nn = {b['n']}" for b in rows]
    ax.bar(range(len(rows)), [b["mean_accuracy"] * 100 for b in rows], color="0.8", edgecolor="black", hatch="..",
           yerr=[(b["sem_accuracy"] or 0) * 100 for b in rows], capsize=4)
    ax.set_xticks(range(len(rows)), labels, fontsize=7)
    ax.set_xlabel("documents mentioning the class", fontsize=7)
    ax.set_ylabel("mean accuracy (%) ± s.e.", fontsize=8)
    _pair_title(ax, result["model"], result["corpora"], "mean accuracy by exposure decade", n_panels)
    ax.grid(True, axis="y", linestyle=":", color="0.8")


def draw_models(ax: Axes, group: tuple[str, Sequence[object]], n_panels: int = 1) -> None:
    """Binned mean accuracy of every model paired with one corpus: one marker and line style per model; the
    legend below the axes, so that it hides no line."""
    corpus, pairings = group
    for i, pairing in enumerate(pairings):
        result = pairing.result
        rows = [b for b in result["binned"]["bins"] if b["kept"]]
        ax.plot([math.exp(b["upper"]) for b in rows], [b["mean_accuracy"] * 100 for b in rows],
                marker=MARKERS[i % len(MARKERS)], linestyle=LINESTYLES[i % len(LINESTYLES)], markersize=3.5,
                color=GREYS[i % len(GREYS)], markerfacecolor="white" if i % 2 else GREYS[i % len(GREYS)],
                linewidth=1, label=f"{short_model(result['model'])}: r = {r_text(result['binned']['r'])}")
    ax.set_xscale("log")
    ax.tick_params(labelsize=7)
    ax.set_xlabel("exposure at the bin's upper edge (log scale)", fontsize=7)
    ax.set_ylabel("mean accuracy of the bin (%)", fontsize=8)
    ax.set_title(f"models paired with {corpus}", fontsize=9 if n_panels == 1 else 7.5)
    ax.legend(fontsize=5.5, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
    ax.grid(True, linestyle=":", color="0.8")


def draw_distribution(ax: Axes, exposure: Mapping[str, np.ndarray]) -> None:
    """The long tail: classes ranked by exposure, one line per corpus (symlog axis, so that zeros show)."""
    for i, (corpus, counts) in enumerate(exposure.items()):
        ranked = np.sort(counts)[::-1]
        zeros = int((ranked == 0).sum())
        ax.plot(np.arange(1, len(ranked) + 1), ranked, linestyle=LINESTYLES[i % len(LINESTYLES)],
                color=GREYS[i % len(GREYS)], linewidth=1.5,
                label=f"{corpus}: median {np.median(ranked):,.3g}, {zeros} never mentioned")
    ax.set_yscale("symlog", linthresh=1)
    ax.set_xlabel("class rank by exposure", fontsize=8)
    ax.set_ylabel("documents mentioning the class", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.legend(loc="upper right", fontsize=7)
    ax.grid(True, linestyle=":", color="0.8")
