"""The report's charts: plotly figures rendered into one self-contained HTML page.

Why plotly rather than Vega-Lite through altair: both give an offline, interactive page, but
plotly's Python package carries its JavaScript bundle (`plotly.offline.get_plotlyjs()`, what
`include_plotlyjs=True` inlines), so the page needs nothing beyond the one wheel and its small
`narwhals` dependency, while altair's offline HTML export goes through `vl-convert-python`
(a native wheel with its own JavaScript engine) to supply three runtimes (vega, vega-lite,
vega-embed; https://altair-viz.github.io/user_guide/saving_charts.html). Hover values, zoom,
pan and legend toggling come with every plotly figure without per-chart code, heatmaps
(retention cohorts) and stacked areas are first-class trace types, and a figure is plain JSON
under a fixed div id, so the same marts give a byte-identical page. The cost is size: the
bundle is about 4.8 MB, inlined once per page.

Small cells: a count of fewer than `min_cell_listeners` listeners is never drawn or printed;
the chart shows a gap and the hover text says "<5" (with the configured threshold).
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

COLOURS = ("#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#65a30d")
_CONFIG = {"displaylogo": False, "responsive": True}


def small_cell(listeners: int | None, minimum: int) -> bool:
    """True when a cell of `listeners` listeners is too small to show."""
    return listeners is not None and listeners < minimum


def suppressed(minimum: int) -> str:
    return f"<{minimum}"


def figure(title: str, *, height: int = 320, y_title: str = "", x_title: str = "") -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 14}},
        template="plotly_white",
        colorway=COLOURS,
        height=height,
        margin={"l": 60, "r": 20, "t": 48, "b": 48},
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.2},
        yaxis_title=y_title,
        xaxis_title=x_title,
        font={"family": "system-ui, sans-serif", "size": 12},
    )
    return fig


def masked(values: Sequence[Any], listeners: Sequence[int | None], minimum: int) -> list[Any]:
    """`values` with every small cell replaced by None (a gap in a line, no bar)."""
    return [None if small_cell(n, minimum) else v for v, n in zip(values, listeners, strict=True)]


def hover_text(
    values: Sequence[Any], listeners: Sequence[int | None], minimum: int, fmt: str
) -> list[str]:
    """What the hover shows for each point: the value, or "<N" for a small cell."""
    return [
        suppressed(minimum) if small_cell(n, minimum) or v is None else format(v, fmt)
        for v, n in zip(values, listeners, strict=True)
    ]


def chart_html(fig: go.Figure, chart_id: str) -> str:
    """One figure as a div + script; `data-chart` names it for the browser test."""
    body = fig.to_html(
        full_html=False, include_plotlyjs=False, div_id=f"chart-{chart_id}", config=_CONFIG
    )
    return f'<div class="chart" data-chart="{html.escape(chart_id)}">{body}</div>'


def table_html(header: Sequence[str], rows: Sequence[Sequence[Any]], table_id: str) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f'<table data-table="{html.escape(table_id)}"><tr>{head}</tr>{body}</table>'


def page(title: str, intro: str, body: str, chart_ids: Sequence[str]) -> str:
    """The whole document: plotly's bundle inlined once in the head, so it opens offline."""
    manifest = html.escape(json.dumps(list(chart_ids)))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<script>{get_plotlyjs()}</script>
<style>
body {{ font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px;
  padding: 0 1rem; color: #111 }}
h1 {{ font-size: 1.6rem; margin-bottom: .2rem }} h2 {{ font-size: 1.15rem; margin: 2.2rem 0 .4rem;
  border-bottom: 1px solid #e5e7eb; padding-bottom: .2rem }}
p.lede {{ color: #444; margin-top: 0 }} .note {{ color: #b45309 }}
.tiles {{ display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0 }}
.tile {{ border: 1px solid #e5e7eb; border-radius: 8px; padding: .6rem 1rem; min-width: 9rem }}
.tile b {{ display: block; font-size: 1.4rem }} .tile span {{ color: #555; font-size: .85rem }}
.grid {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 1rem }}
table {{ border-collapse: collapse; margin: .5rem 0 }}
th, td {{ padding: 3px 10px; text-align: right; border-bottom: 1px solid #f0f0f0 }}
th:first-child, td:first-child {{ text-align: left }} th {{ font-weight: 600 }}
</style></head><body data-charts="{manifest}">
<h1>{html.escape(title)}</h1>
{intro}
{body}
</body></html>
"""
