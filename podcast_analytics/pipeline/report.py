"""report.html: the main KPIs as charts in one static file (inline SVG, no scripts, no
network), so it opens offline from OUT.

Each section reads one mart; a section whose mart is missing or differently shaped says so
instead of failing the run, but a warehouse with no marts at all is an error.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb

from podcast_analytics.config import Settings
from podcast_analytics.pipeline.errors import PipelineError

REPORT_FILE = "report.html"
_W, _H, _PAD = 720, 260, 48
_COLOURS = ("#2563eb", "#db2777", "#059669", "#d97706")


def write_report(settings: Settings, out_dir: Path, reconciliation: dict[str, Any]) -> Path:
    duckdb_path = out_dir / settings.local.duckdb_file
    marts = settings.snowflake.marts_schema.lower()
    sections: list[str] = []
    rendered = 0
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        for title, build in _SECTIONS:
            try:
                sections.append(
                    f"<section><h2>{html.escape(title)}</h2>{build(con, marts)}</section>"
                )
                rendered += 1
            except (duckdb.Error, ValueError) as exc:
                reason = str(exc).splitlines()[0][:200]
                sections.append(
                    f"<section><h2>{html.escape(title)}</h2>"
                    f"<p class=note>unavailable: {html.escape(reason)}</p></section>"
                )
    if not rendered:
        raise PipelineError(f"no marts to report on in {duckdb_path} (schema {marts!r})")
    sections.insert(0, _reconciliation_section(reconciliation))
    path = out_dir / REPORT_FILE
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(_page("\n".join(sections)), encoding="utf-8")
    tmp.replace(path)
    return path


# ------------------------------------------------------------------------------ sections


def _daily_activity(con: duckdb.DuckDBPyConnection, marts: str) -> str:
    # Listeners come from the network mart: summing shows' unique listeners would count a
    # listener of two shows twice. Minutes and plays add up.
    rows = con.execute(
        f"SELECT event_date, unique_listeners, minutes_listened, plays "
        f"FROM {marts}.fct_daily_network_listeners ORDER BY 1"
    ).fetchall()
    _require(rows, "fct_daily_network_listeners")
    labels = [str(r[0]) for r in rows]
    return (
        _line_chart(labels, [("listeners (whole network)", [float(r[1]) for r in rows])])
        + _line_chart(labels, [("minutes listened", [float(r[2]) for r in rows])], colour=1)
        + _line_chart(labels, [("plays", [float(r[3]) for r in rows])], colour=2)
    )


def _weekly_listeners(con: duckdb.DuckDBPyConnection, marts: str) -> str:
    rows = con.execute(
        f"SELECT week_start, unique_listeners, engaged_listeners "
        f"FROM {marts}.fct_weekly_network_listeners ORDER BY 1"
    ).fetchall()
    _require(rows, "fct_weekly_network_listeners")
    labels = [str(r[0]) for r in rows]
    return _line_chart(
        labels,
        [
            ("listeners per ISO week", [float(r[1]) for r in rows]),
            ("engaged listeners", [float(r[2]) for r in rows]),
        ],
    )


def _top_episodes(con: duckdb.DuckDBPyConnection, marts: str) -> str:
    rows = con.execute(
        f"SELECT episode_id, sum(plays) AS plays, sum(minutes_listened) "
        f"FROM {marts}.fct_daily_episode_kpis GROUP BY 1 ORDER BY plays DESC, 1 LIMIT 10"
    ).fetchall()
    _require(rows, "fct_daily_episode_kpis")
    return _bar_chart([(str(r[0]), float(r[1])) for r in rows], "plays")


def _completion(con: duckdb.DuckDBPyConnection, marts: str) -> str:
    rows = con.execute(
        f"SELECT podcast_id, sum(completed_plays) / nullif(sum(plays), 0) AS rate "
        f"FROM {marts}.fct_daily_podcast_kpis GROUP BY 1 HAVING sum(plays) > 0 "
        "ORDER BY rate DESC, 1 LIMIT 15"
    ).fetchall()
    _require(rows, "fct_daily_podcast_kpis")
    return _bar_chart([(str(r[0]), float(r[1] or 0)) for r in rows], "completion rate", pct=True)


def _listening_curve(con: duckdb.DuckDBPyConnection, marts: str) -> str:
    rows = con.execute(
        f"SELECT pct_of_episode, avg(share_of_listeners) FROM {marts}.fct_episode_listening_curve "
        "GROUP BY 1 ORDER BY 1"
    ).fetchall()
    _require(rows, "fct_episode_listening_curve")
    return _line_chart(
        [f"{float(r[0]):g}%" for r in rows],
        [
            (
                "share of listeners who heard this point (mean over episodes)",
                [float(r[1]) for r in rows],
            )
        ],
        colour=3,
    )


def _retention(con: duckdb.DuckDBPyConnection, marts: str) -> str:
    rows = con.execute(
        f"SELECT cohort_week, weeks_since_first_listen, cohort_listeners, retention_rate "
        f"FROM {marts}.fct_listener_retention ORDER BY 1, 2"
    ).fetchall()
    _require(rows, "fct_listener_retention")
    weeks = sorted({int(r[1]) for r in rows})
    cohorts: dict[str, tuple[int, dict[int, float]]] = {}
    for cohort, week, size, rate in rows:
        cohorts.setdefault(str(cohort), (int(size), {}))[1][int(week)] = float(rate)
    head = "".join(f"<th>week {w}</th>" for w in weeks)
    body = []
    for cohort, (size, rates) in cohorts.items():
        cells = "".join(
            f'<td style="background:rgba(37,99,235,{rates[w]:.2f})">{rates[w]:.0%}</td>'
            if w in rates
            else "<td></td>"
            for w in weeks
        )
        body.append(f"<tr><th>{html.escape(cohort)}</th><td>{size:,}</td>{cells}</tr>")
    return (
        f"<table class=heat><tr><th>cohort week</th><th>listeners</th>{head}</tr>"
        + "".join(body)
        + "</table>"
    )


_SECTIONS: Sequence[tuple[str, Callable[[duckdb.DuckDBPyConnection, str], str]]] = (
    ("Daily listeners, minutes and plays", _daily_activity),
    ("Weekly listeners", _weekly_listeners),
    ("Top episodes by plays", _top_episodes),
    ("Completion rate by show", _completion),
    ("Listening curve: which parts of an episode are heard", _listening_curve),
    ("Weekly retention by first-listen cohort", _retention),
)


def _require(rows: list[Any], mart: str) -> None:
    if not rows:
        raise ValueError(f"{mart} is empty")


def _reconciliation_section(rec: dict[str, Any]) -> str:
    status = "balanced" if rec["balanced"] else "NOT balanced"
    rows = [
        ("produced", rec["produced"], ""),
        ("spilled by the producer", rec["spilled"], rec["spilled_by_reason"]),
        ("dead-lettered by Firehose", rec["dead_lettered"], rec["dead_lettered_by_reason"]),
        ("loaded into raw", rec["loaded"], ""),
        ("valid", rec["valid"], ""),
        ("quarantined", rec["quarantined"], rec["quarantined_by_reason"]),
        ("duplicates", rec["duplicates"], ""),
    ]
    body = "".join(
        f"<tr><th>{label}</th><td>{count:,}</td><td>{_reason_text(reasons)}</td></tr>"
        for label, count, reasons in rows
    )
    return (
        f"<section><h2>Reconciliation: {status}</h2>"
        "<p>produced = spilled + dead-lettered + loaded; loaded = valid + quarantined + "
        f"duplicates</p><table>{body}</table></section>"
    )


def _reason_text(reasons: Any) -> str:
    if not reasons:
        return ""
    return html.escape(", ".join(f"{k}: {v:,}" for k, v in reasons.items()))


# ------------------------------------------------------------------------------ SVG


def _line_chart(labels: list[str], series: list[tuple[str, list[float]]], colour: int = 0) -> str:
    top = max((max(values) for _, values in series if values), default=0.0) or 1.0
    n = max(len(labels) - 1, 1)

    def x(i: int) -> float:
        return _PAD + i * (_W - 2 * _PAD) / n

    def y(v: float) -> float:
        return _H - _PAD + -(v / top) * (_H - 2 * _PAD)

    parts = [_axes(top)]
    for offset, (name, values) in enumerate(series):
        col = _COLOURS[(colour + offset) % len(_COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{col}" stroke-width="2" points="{points}"/>')
        parts.append(
            f'<text x="{_PAD}" y="{16 + 14 * offset}" fill="{col}">{html.escape(name)}</text>'
        )
    step = max(1, -(-len(labels) // 8))  # at most 8 axis labels, so dates do not overlap
    for i in range(0, len(labels), step):
        parts.append(
            f'<text x="{x(i):.1f}" y="{_H - _PAD + 16}" text-anchor="middle" class="tick">'
            f"{html.escape(labels[i])}</text>"
        )
    return _svg("".join(parts))


def _bar_chart(items: list[tuple[str, float]], name: str, pct: bool = False) -> str:
    top = max((v for _, v in items), default=0.0) or 1.0
    row_h = 22
    height = row_h * len(items) + 30
    label_w = 190
    parts = [f'<text x="0" y="14">{html.escape(name)}</text>']
    for i, (label, value) in enumerate(items):
        y = 24 + i * row_h
        w = (value / top) * (_W - label_w - 80)
        text = f"{value:.1%}" if pct else f"{value:,.0f}"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" class="tick">'
            f"{html.escape(label[:28])}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{row_h - 6}" '
            f'fill="{_COLOURS[0]}"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" class="tick">{text}</text>'
        )
    return f'<svg viewBox="0 0 {_W} {height}" width="{_W}" height="{height}">{"".join(parts)}</svg>'


def _axes(top: float) -> str:
    return (
        f'<line x1="{_PAD}" y1="{_H - _PAD}" x2="{_W - _PAD}" y2="{_H - _PAD}" class="axis"/>'
        f'<line x1="{_PAD}" y1="{_PAD}" x2="{_PAD}" y2="{_H - _PAD}" class="axis"/>'
        f'<text x="{_PAD - 4}" y="{_PAD + 4}" text-anchor="end" class="tick">{_number(top)}</text>'
        f'<text x="{_PAD - 4}" y="{_H - _PAD}" text-anchor="end" class="tick">0</text>'
    )


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def _svg(inner: str) -> str:
    return f'<svg viewBox="0 0 {_W} {_H}" width="{_W}" height="{_H}">{inner}</svg>'


def _page(body: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Podcast analytics: local run</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 780px; color: #111 }}
h1 {{ font-size: 1.5rem }} h2 {{ font-size: 1.1rem; margin-top: 2rem }}
table {{ border-collapse: collapse }} th, td {{ padding: 2px 8px; text-align: right }}
th {{ text-align: left; font-weight: 600 }} .note {{ color: #b45309 }}
svg text {{ font-size: 11px; fill: #333 }} .axis {{ stroke: #999 }}
.heat td {{ min-width: 3em }}
</style></head><body>
<h1>Podcast analytics: local run</h1>
<p>Built by <code>make pipeline</code> from the marts in the local DuckDB warehouse.</p>
{body}
</body></html>
"""
