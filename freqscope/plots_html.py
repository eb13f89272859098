"""The HTML report: interactive figures (plotly) and one self-contained file.

plotly rather than altair: plotly's wheel ships plotly.js itself (``plotly/package_data/plotly.min.js``), so the
report inlines it and opens offline with no second package; altair needs vl-convert-python for inline Vega
JavaScript. Hovering a point shows its class, exposure and accuracy. Each figure takes the primary pairings
(``report.Pairing``) the PDF draws as small multiples, and draws them as subplots.
"""
from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from freqscope.plots import ZERO_COLUMN, exposure_position, fit_line, outliers, r_text, short_model

HEIGHT_PER_ROW = 380
STYLE = """body{font-family:sans-serif;max-width:72em;margin:auto;padding:0 1em;color:#111}
table{border-collapse:collapse;font-size:small;margin:.5em 0}td,th{border:1px solid #999;padding:2px 6px;
text-align:left}th{background:#e4e4e4}pre{font-size:small;white-space:pre-wrap}.caption{font-style:italic;
font-size:small;color:#333}.prose{max-width:60em;line-height:1.45}"""


def _grid(items: Sequence[object], titles: list[str]) -> tuple[go.Figure, list[tuple[int, int]]]:
    n = len(items)
    cols = 1 if n == 1 else 2
    rows = math.ceil(n / cols)
    figure = make_subplots(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.08,
                           vertical_spacing=0.14 if rows > 1 else 0.1)
    # no figure title: the section's heading above says it
    figure.update_layout(height=HEIGHT_PER_ROW * rows + 80, template="simple_white",
                         margin={"t": 60, "l": 60, "r": 30, "b": 60}, showlegend=False)
    figure.update_annotations(font_size=12)  # the subplot titles: one short line each, never clipped
    return figure, [(i // cols + 1, i % cols + 1) for i in range(n)]


def _pair_title(pairing: object) -> str:
    return f"{short_model(pairing.model)} against {' + '.join(pairing.corpora)}"


def scatter(pairings: Sequence[object]) -> go.Figure:
    figure, cells = _grid(pairings, [f"{_pair_title(p)}: ρ = {r_text(p.result['spearman']['r'])}" for p in pairings])
    for pairing, (row, col) in zip(pairings, cells):
        table = pairing.table
        counts = table["exposure"].to_numpy().astype(float)
        accuracy = table["accuracy"].to_numpy().astype(float) * 100
        figure.add_trace(go.Scatter(
            x=exposure_position(counts), y=accuracy, mode="markers", name="class",
            marker={"size": 6, "color": "rgba(0,0,0,0)", "line": {"color": "#444", "width": 1}},
            customdata=np.stack([table["class"].to_numpy(), table["taxonomy"].to_numpy(), counts], axis=1),
            hovertemplate="%{customdata[0]} (%{customdata[1]})<br>documents: %{customdata[2]:,}"
                          "<br>accuracy: %{y:.1f}%<extra></extra>"), row=row, col=col)
        line = fit_line(counts, accuracy)
        if line is not None:
            grid = np.linspace(0, np.log10(max(counts.max(), 1)), 30)
            figure.add_trace(go.Scatter(x=grid, y=line[1] + line[0] * grid * math.log(10), mode="lines",
                                        line={"dash": "dash", "color": "black"},
                                        name=f"fit: {line[0] * math.log(10):+.1f} points per tenfold exposure",
                                        hoverinfo="name"), row=row, col=col)
        for name, count, value in outliers(table).select("class", "exposure", "accuracy").iter_rows():
            figure.add_annotation(x=float(exposure_position(np.array([count]))[0]), y=value * 100, text=name,
                                  showarrow=False, xshift=4, xanchor="left", font={"size": 10}, row=row, col=col)
        top = max(1, math.ceil(math.log10(max(counts.max(), 1))))
        figure.update_xaxes(tickvals=[ZERO_COLUMN, *range(top + 1)],
                            ticktext=["0", *[f"{10 ** d:,}" for d in range(top + 1)]],
                            title_text="documents (log; 0: own column)", row=row, col=col)
        figure.update_yaxes(title_text="accuracy (%)", range=[-3, 103], row=row, col=col)
    return figure


def binned(pairings: Sequence[object]) -> go.Figure:
    figure, cells = _grid(pairings, [f"{_pair_title(p)}: r = {p.result['binned']['r'] or float('nan'):.2f}"
                                     for p in pairings])
    for pairing, (row, col) in zip(pairings, cells):
        fit = pairing.result["binned"]
        for kept, symbol in ((True, "circle"), (False, "square-open")):
            rows = [b for b in fit["bins"] if b["n"] and b["kept"] == kept]
            figure.add_trace(go.Scatter(
                x=[math.exp(b["upper"]) for b in rows], y=[b["mean_accuracy"] * 100 for b in rows], mode="markers",
                marker={"symbol": symbol, "color": "black", "size": 8},
                error_y={"type": "data", "array": [(b["sem_accuracy"] or 0) * 100 for b in rows]},
                customdata=[b["n"] for b in rows], name="bin used in the fit" if kept else "bin left out",
                hovertemplate="exposure ≤ %{x:,.0f}<br>mean accuracy %{y:.1f}%<br>%{customdata} classes"
                              "<extra>%{fullData.name}</extra>"), row=row, col=col)
        kept = [b for b in fit["bins"] if b["kept"]]
        if fit["slope"] is not None:
            x = np.array([kept[0]["upper"], kept[-1]["upper"]])
            figure.add_trace(go.Scatter(x=np.exp(x), y=(fit["intercept"] + fit["slope"] * x) * 100, mode="lines",
                                        line={"dash": "dash", "color": "black"}, name="log-linear fit"),
                             row=row, col=col)
        figure.update_xaxes(type="log", title_text="exposure at the bin's upper edge", row=row, col=col)
        figure.update_yaxes(title_text="mean accuracy (%)", row=row, col=col)
    return figure


def head_tail(pairings: Sequence[object]) -> go.Figure:
    figure, cells = _grid(pairings, [_pair_title(p) for p in pairings])
    for pairing, (row, col) in zip(pairings, cells):
        split = pairing.result["head_tail"]
        counts = pairing.table["exposure"].to_numpy().astype(float)
        accuracy = pairing.table["accuracy"].to_numpy().astype(float) * 100
        names = pairing.table["class"].to_numpy()
        threshold = split["tail_max_exposure"]
        in_tail = counts <= threshold if threshold is not None else np.zeros(len(counts), dtype=bool)
        for mask, label in ((in_tail, f"tail: ≤ {threshold or 0:,.0f} ({int(in_tail.sum())})"),
                            (~in_tail, f"head ({int((~in_tail).sum())})")):
            figure.add_trace(go.Box(y=accuracy[mask], name=label, boxmean=True, boxpoints="all", jitter=0.4,
                                    pointpos=0, marker={"color": "#555", "size": 4}, line={"color": "black"},
                                    fillcolor="#ddd", text=names[mask],
                                    hovertemplate="%{text}: %{y:.1f}%<extra></extra>"), row=row, col=col)
        figure.update_yaxes(title_text="accuracy (%)", row=row, col=col)
    return figure


def decades(pairings: Sequence[object]) -> go.Figure:
    figure, cells = _grid(pairings, [_pair_title(p) for p in pairings])
    for pairing, (row, col) in zip(pairings, cells):
        rows = [b for b in pairing.result["decades"] if b["n"]]
        figure.add_trace(go.Bar(
            x=[f"[{b['lower']:,.0f}, {b['upper']:,.0f})" for b in rows], y=[b["mean_accuracy"] * 100 for b in rows],
            error_y={"type": "data", "array": [(b["sem_accuracy"] or 0) * 100 for b in rows]},
            marker={"color": "#ccc", "line": {"color": "black", "width": 1}}, customdata=[b["n"] for b in rows],
            hovertemplate="%{x}: %{y:.1f}% over %{customdata} classes<extra></extra>"), row=row, col=col)
        figure.update_yaxes(title_text="mean accuracy (%)", row=row, col=col)
    return figure


def models(groups: Sequence[tuple[str, Sequence[object]]]) -> go.Figure:
    """Every model paired with a corpus, one subplot per corpus; the legend beside the plots, lines toggle."""
    figure, cells = _grid(groups, [f"models paired with {corpus}" for corpus, _ in groups])
    figure.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.12, "font": {"size": 10}})
    dashes = ("solid", "dash", "dot", "dashdot")
    for (corpus, pairings), (row, col) in zip(groups, cells):
        for i, pairing in enumerate(pairings):
            rows = [b for b in pairing.result["binned"]["bins"] if b["kept"]]
            figure.add_trace(go.Scatter(
                x=[math.exp(b["upper"]) for b in rows], y=[b["mean_accuracy"] * 100 for b in rows],
                mode="lines+markers", name=f"{short_model(pairing.model)} × {corpus}",
                line={"dash": dashes[i % len(dashes)]}, legendgroup=corpus), row=row, col=col)
        figure.update_xaxes(type="log", title_text="exposure at the bin's upper edge", row=row, col=col)
        figure.update_yaxes(title_text="mean accuracy (%)", row=row, col=col)
    figure.update_layout(height=figure.layout.height + 60 * max(len(p) for _, p in groups) // 2)
    return figure


def distribution(exposure: Mapping[str, np.ndarray]) -> go.Figure:
    figure, _ = _grid([None], [""])
    figure.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.2})
    for corpus, counts in exposure.items():
        ranked = np.sort(counts)[::-1]
        figure.add_trace(go.Scatter(x=np.arange(1, len(ranked) + 1), y=ranked + 1, mode="lines",
                                    name=f"{corpus} ({int((ranked == 0).sum())} never mentioned)",
                                    customdata=ranked, hovertemplate="rank %{x}: %{customdata:,} documents"))
    figure.update_yaxes(type="log", title_text="documents mentioning the class + 1 (log)")
    figure.update_xaxes(title_text="class rank by exposure")
    return figure


def write_html(output: Path, title: str, intro: Sequence[str], blocks: Sequence[object]) -> int:
    """The report as one file: plotly.js inlined once in the head (nothing fetched), a section per block."""
    e = html.escape
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(title)}</title>",
             f"<style>{STYLE}</style><script>{get_plotlyjs()}</script></head><body>",
             f"<h1>{e(title)}</h1>", *[f"<p>{e(line)}</p>" for line in intro]]
    for i, block in enumerate(blocks):
        parts.append(f"<section><h2>{e(block.title)}</h2>")
        if block.interactive is not None:
            parts.append(block.interactive().to_html(full_html=False, include_plotlyjs=False, div_id=f"figure-{i}",
                                                     config={"responsive": True, "displaylogo": False}))
        elif block.text is not None and block.prose:
            parts += [f"<p class='prose'>{e(paragraph)}</p>" for paragraph in block.text.split("\n\n")]
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
