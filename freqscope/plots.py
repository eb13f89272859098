"""Figures from analysis results (freqscope.analysis); each function returns a matplotlib Figure and draws nothing else.

Every figure is readable in grey: series differ by marker, line style and hatch, never by colour alone.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib

matplotlib.use("Agg")  # files only: reports are written on machines without a display

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from freqscope.analysis import log_exposure  # noqa: E402

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", ":", "-.")
GREYS = ("black", "0.35", "0.55", "0.2")
FIGSIZE = (8.27, 5.8)  # A4 width


def _figure() -> tuple[Figure, object]:
    figure = Figure(figsize=FIGSIZE, layout="constrained")
    figure.get_layout_engine().set(rect=(0, 0.03, 1, 0.97))  # room at the foot for a report's caption
    return figure, figure.add_subplot()


def lists_label(taxonomies: list[str]) -> str:
    """The pooled lists, shortened where there are many (titles must fit the page)."""
    if len(taxonomies) <= 3:
        return ", ".join(taxonomies)
    return f"{len(taxonomies)} lists pooled ({', '.join(taxonomies[:2])}, ...)"


def _count(value: float) -> str:
    """1000 -> 1k, 1000000 -> 1M: bin labels that fit under a bar."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def _r(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _subtitle(result: Mapping) -> str:
    return f"{result['model']} on {lists_label(result['taxonomies'])}; exposure: {' + '.join(result['corpora'])}"


def accuracy_vs_exposure(table: pl.DataFrame, result: Mapping) -> Figure:
    """Each class's accuracy against its exposure (log axis, 0 drawn at 1), with the least-squares fit on log exposure."""
    figure, ax = _figure()
    counts = table["exposure"].to_numpy().astype(float)
    accuracy = table["accuracy"].to_numpy().astype(float) * 100
    ax.scatter(np.maximum(counts, 1), accuracy, s=12, marker="o", facecolors="none", edgecolors="0.3",
               linewidths=0.7, label="class")
    x = log_exposure(counts)
    if np.ptp(x) > 0:
        slope, intercept = np.polyfit(x, accuracy, 1)
        grid = np.linspace(x.min(), x.max(), 50)
        ax.plot(np.exp(grid), intercept + slope * grid, "k--", linewidth=2,
                label=f"fit: {slope:.1f} points per e-fold of exposure")
    ax.set_xscale("log")
    ax.set_xlabel("exposure: documents mentioning the class (0 drawn at 1; log scale)")
    ax.set_ylabel("accuracy (%)")
    ax.set_title(f"Accuracy against exposure: Spearman ρ = {_r(result['spearman']['r'])}, "
                 f"Pearson r (log) = {_r(result['pearson_log']['r'])}\n{_subtitle(result)}", fontsize=10)
    ax.legend(loc="lower right")
    ax.grid(True, linestyle=":", color="0.7")
    return figure


def binned_means(result: Mapping) -> Figure:
    """FDP's view: mean accuracy per equal-width bin of log exposure, ± standard error, with the fit on kept bins."""
    figure, ax = _figure()
    binned = result["binned"]
    kept = [b for b in binned["bins"] if b["kept"]]
    dropped = [b for b in binned["bins"] if b["n"] and not b["kept"]]
    for rows, marker, face, label in ((kept, "o", "black", "bin used in the fit"),
                                      (dropped, "s", "white", "bin dropped (edge or --drop-low/--drop-high)")):
        if rows:
            ax.errorbar([math.exp(b["upper"]) for b in rows], [b["mean_accuracy"] * 100 for b in rows],
                        yerr=[(b["sem_accuracy"] or 0) * 100 for b in rows], fmt=marker, color="black",
                        markerfacecolor=face, capsize=3, label=label)
    if binned["slope"] is not None:
        grid = np.array([kept[0]["upper"], kept[-1]["upper"]])
        ax.plot(np.exp(grid), (binned["intercept"] + binned["slope"] * grid) * 100, "k--", linewidth=1.5,
                label=f"log-linear fit, r = {_r(binned['r'])}")
    ax.set_xscale("log")
    ax.set_xlabel("exposure at the bin's upper edge (log scale)")
    ax.set_ylabel("mean accuracy of the bin's classes (%)")
    s = binned["settings"]
    ax.set_title(f"Binned log-linear fit (FDP): r = {_r(binned['r'])} over {binned['n_bins_kept']} bins "
                 f"(bins {s['bins']}, drop-low {s['drop_low']}, drop-high {s['drop_high']})\n{_subtitle(result)}",
                 fontsize=10)
    ax.legend(loc="lower right")
    ax.grid(True, linestyle=":", color="0.7")
    return figure


def head_and_tail(table: pl.DataFrame, result: Mapping) -> Figure:
    """Accuracy of the least exposed classes (the tail) against the rest (the head), as box plots."""
    figure, ax = _figure()
    split = result["head_tail"]
    order = np.argsort(table["exposure"].to_numpy(), kind="stable")
    accuracy = table["accuracy"].to_numpy()[order] * 100
    tail, head = accuracy[: split["n_tail"]], accuracy[split["n_tail"]:]
    boxes = ax.boxplot([tail, head], patch_artist=True, showmeans=True, widths=0.5,
                       meanprops={"marker": "D", "markerfacecolor": "white", "markeredgecolor": "black"},
                       medianprops={"color": "black"})
    for patch, hatch in zip(boxes["boxes"], ("///", "")):
        patch.set_facecolor("0.85")
        patch.set_hatch(hatch)
    ax.set_xticks([1, 2], [f"tail: {split['tail_fraction']:.0%} least exposed\n(n = {split['n_tail']}, "
                           f"exposure ≤ {split['tail_max_exposure']:,.0f})", f"head: the rest\n(n = {split['n_head']})"])
    ax.set_ylabel("accuracy (%)")
    p = split["mannwhitney_p"]
    ax.set_title(f"Head against tail: mean {split['head_accuracy'] * 100:.1f}% against {split['tail_accuracy'] * 100:.1f}%"
                 f" (Mann-Whitney p = {'n/a' if p is None else f'{p:.2g}'}; ◇ = mean)\n{_subtitle(result)}",
                 fontsize=10)
    ax.grid(True, axis="y", linestyle=":", color="0.7")
    return figure


def decade_means(result: Mapping) -> Figure:
    """The seed paper's view: mean accuracy in exposure bins [0, 10), [10, 100), ..."""
    figure, ax = _figure()
    rows = [b for b in result["decades"] if b["n"]]
    labels = [f"[{_count(b['lower'])}, {_count(b['upper'])})\nn = {b['n']}" for b in rows]
    ax.bar(range(len(rows)), [b["mean_accuracy"] * 100 for b in rows], color="0.8", edgecolor="black", hatch="..",
           yerr=[(b["sem_accuracy"] or 0) * 100 for b in rows], capsize=4)
    ax.set_xticks(range(len(rows)), labels, fontsize=8)
    ax.set_xlabel("exposure: documents mentioning the class")
    ax.set_ylabel("mean accuracy (%) ± standard error")
    ax.set_title(f"Mean accuracy by exposure decade\n{_subtitle(result)}", fontsize=10)
    ax.grid(True, axis="y", linestyle=":", color="0.7")
    return figure


def exposure_distribution(exposure: pl.DataFrame, title: str) -> Figure:
    """The long tail: classes ranked by exposure (symmetric-log axis, so that zeros show)."""
    figure, ax = _figure()
    counts = np.sort(exposure["exposure"].to_numpy().astype(float))[::-1]
    ranks = np.arange(1, len(counts) + 1)
    ax.plot(ranks, counts, "k-", linewidth=1.5, label="classes, most exposed first")
    zeros = counts == 0
    if zeros.any():
        ax.plot(ranks[zeros], counts[zeros], "kx", markersize=4, label=f"never mentioned ({zeros.sum()})")
    ax.set_yscale("symlog", linthresh=1)
    ax.set_xlabel("class rank by exposure")
    ax.set_ylabel("documents mentioning the class (symlog scale)")
    ax.set_title(f"Exposure distribution: {len(counts)} classes, median {np.median(counts):,.0f}\n{title}",
                 fontsize=10)
    ax.legend(loc="upper right")
    ax.grid(True, linestyle=":", color="0.7")
    return figure


def models_side_by_side(results: Mapping[str, Mapping]) -> Figure:
    """Binned mean accuracy against exposure for several models: one marker and line style per model."""
    figure, ax = _figure()
    for i, (model, result) in enumerate(results.items()):
        rows = [b for b in result["binned"]["bins"] if b["kept"]]
        ax.plot([math.exp(b["upper"]) for b in rows], [b["mean_accuracy"] * 100 for b in rows],
                marker=MARKERS[i % len(MARKERS)], linestyle=LINESTYLES[i % len(LINESTYLES)],
                color=GREYS[i % len(GREYS)], markerfacecolor="white" if i % 2 else GREYS[i % len(GREYS)],
                label=f"{model} (r = {_r(result['binned']['r'])}, ρ = {_r(result['spearman']['r'])})")
    ax.set_xscale("log")
    ax.set_xlabel("exposure at the bin's upper edge (log scale)")
    ax.set_ylabel("mean accuracy of the bin's classes (%)")
    first = next(iter(results.values()))
    ax.set_title(f"Models side by side: binned mean accuracy\n{lists_label(first['taxonomies'])}; "
                 f"exposure: {' + '.join(first['corpora'])}", fontsize=10)
    ax.legend(fontsize=7, loc="best")
    ax.grid(True, linestyle=":", color="0.7")
    return figure
