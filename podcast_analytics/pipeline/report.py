"""report.html: what a podcast network reads after a run, in one self-contained file that
opens offline and is interactive (hover values, zoom, pan). Charts are plotly figures; see
`report_charts` for why plotly and how small cells are withheld.

Every number comes from dbt's semantic layer (metrics defined once in
`transform/models/3.marts/semantic/`, queried through `semantic_layer.SemanticLayer`) or is
read as stored from the mart that documents it (listening curves, retention cohorts). The
report does no arithmetic on metrics of its own: weekly and monthly listeners are metric
queries at week and month grain, never sums of daily uniques.

A section whose mart or metric is missing says so instead of failing the run, but a
warehouse with nothing to report on is an error.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from podcast_analytics.config import Settings
from podcast_analytics.local.context import DBT_DIR
from podcast_analytics.pipeline import report_charts as charts
from podcast_analytics.pipeline.errors import PipelineError
from podcast_analytics.pipeline.files import write_bytes_atomically
from podcast_analytics.pipeline.semantic_layer import SEMANTIC_MANIFEST, SemanticLayer

REPORT_FILE = "report.html"
# Where the pipeline's dbt run leaves its artefacts (semantic_manifest.json), under OUT.
DBT_TARGET = Path(DBT_DIR) / "target"
TOP_EPISODES = 10
CURVE_EPISODES = 5


# What the report reads, declared once: the `report` exposure in transform/models/
# _exposures.yml lists the same (tests/transform/test_exposures.py), so dbt knows this
# consumer, and a section asking for anything else fails instead of drifting from it.
REPORT_METRICS = frozenset(
    {
        "plays",
        "streams",
        "unique_listeners",
        "engaged_listeners",
        "weekly_listeners",
        "monthly_listeners",
        "minutes_listened",
        "completion_rate",
        "avg_consumption",
        "followers",
        "follows",
        "unfollows",
        "downloads",
    }
)
REPORT_MARTS = frozenset(
    {
        "fct_episode_listening_curve",
        "fct_listener_retention",
        "fct_episode_launch_curve",
        "fct_ad_break_reach",
    }
)
LAUNCH_EPISODES = 5
LAUNCH_DAYS = 14
REACH_BREAKS = 6
# The IAB client-confirmed ad play markers (methodology rule 12), as the mart's columns.
AD_MARKERS = (
    ("plays_reaching_start", "start"),
    ("plays_reaching_25", "25 %"),
    ("plays_reaching_50", "50 %"),
    ("plays_reaching_75", "75 %"),
    ("plays_completing_break", "complete"),
)


@dataclass(frozen=True)
class _Context:
    con: duckdb.DuckDBPyConnection
    layer: SemanticLayer
    schema: str
    min_cell: int

    def metrics(
        self, metrics: list[str], group_by: Sequence[str] = (), **options: Any
    ) -> list[tuple[Any, ...]]:
        undeclared = sorted(set(metrics) - REPORT_METRICS)
        if undeclared:
            raise ValueError(f"report asks for undeclared metrics {undeclared}")
        return self.layer.query(metrics, group_by, **options).rows

    def mart(self, name: str) -> str:
        if name not in REPORT_MARTS:
            raise ValueError(f"report reads undeclared mart {name}")
        return f"{self.schema}.{name}"


@dataclass(frozen=True)
class _Section:
    title: str
    body: str
    chart_ids: tuple[str, ...] = ()


def write_report(
    settings: Settings,
    out_dir: Path,
    reconciliation: dict[str, Any],
    *,
    destination: Path | None = None,
) -> Path:
    """The report on OUT's warehouse, written to `destination` (default OUT/report.html)."""
    duckdb_path = out_dir / settings.local.duckdb_file
    min_cell = settings.reporting.min_cell_listeners
    sections: list[_Section] = []
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        ctx = _Context(
            con=con,
            layer=SemanticLayer(out_dir / DBT_TARGET / SEMANTIC_MANIFEST, con),
            schema=settings.snowflake.marts_schema.lower(),
            min_cell=min_cell,
        )
        for title, build in _SECTIONS:
            try:
                body, chart_ids = build(ctx)
                sections.append(_Section(title, body, tuple(chart_ids)))
            except (duckdb.Error, ValueError) as exc:
                reason = str(exc).splitlines()[0][:200]
                sections.append(
                    _Section(title, f"<p class=note data-unavailable>{html.escape(reason)}</p>")
                )
        if not any(s.chart_ids for s in sections):
            raise PipelineError(f"no marts to report on in {duckdb_path}")
        intro = _intro(ctx)
    sections.append(_Section("Reconciliation", _reconciliation(reconciliation)))
    body = "\n".join(
        f"<section><h2>{html.escape(s.title)}</h2>\n{s.body}\n</section>" for s in sections
    )
    chart_ids = [c for s in sections for c in s.chart_ids]
    path = destination or out_dir / REPORT_FILE
    page = charts.page("Podcast analytics: local run", intro, body, chart_ids)
    write_bytes_atomically(path, page.encode("utf-8"))
    return path


# ------------------------------------------------------------------------------ sections

_Built = tuple[str, list[str]]


def _intro(ctx: _Context) -> str:
    totals = _one(
        ctx.metrics(
            ["plays", "streams", "unique_listeners", "engaged_listeners", "minutes_listened"]
        )
    )
    downloads = _one(ctx.metrics(["downloads"]))[0]
    days = ctx.metrics(["plays"], ["metric_time__day"])
    first, last = (_day(days[0][0]), _day(days[-1][0])) if days else ("-", "-")
    plays, streams, listeners, engaged, minutes = totals
    tiles = [
        ("plays", f"{plays:,}"),
        ("streams (60 s or more)", f"{streams:,}"),
        ("unique listeners", _count(listeners, ctx.min_cell)),
        ("engaged listeners", _count(engaged, ctx.min_cell)),
        ("minutes listened", f"{_minutes(minutes):,.0f}"),
        ("downloads", _count(downloads or 0, ctx.min_cell)),
    ]
    return (
        f'<p class="lede">{first} to {last} (UTC). Built by <code>make pipeline</code> from '
        "the local DuckDB warehouse. Every number is a metric of dbt's semantic layer or a "
        "mart's stored value, defined in words in the methodology page "
        "(<code>transform/docs/methodology.md</code>, also the dbt docs site's overview). "
        f"Counts of fewer than {ctx.min_cell} listeners show as "
        f"&quot;{html.escape(charts.suppressed(ctx.min_cell))}&quot;.</p>"
        '<div class="tiles">'
        + "".join(f"<div class=tile><b>{v}</b><span>{k}</span></div>" for k, v in tiles)
        + "</div>"
    )


def _daily_activity(ctx: _Context) -> _Built:
    rows = _require(
        ctx.metrics(
            ["plays", "streams", "unique_listeners", "engaged_listeners"], ["metric_time__day"]
        ),
        "plays",
    )
    days = [_day(r[0]) for r in rows]
    fig = charts.figure("Plays, streams and listeners per day (network)", y_title="count")
    fig.add_trace(go.Scatter(x=days, y=[int(r[1]) for r in rows], name="plays", mode="lines"))
    fig.add_trace(go.Scatter(x=days, y=[int(r[2]) for r in rows], name="streams", mode="lines"))
    _listener_line(fig, days, [int(r[3]) for r in rows], ctx.min_cell, "unique listeners")
    _listener_line(fig, days, [int(r[4]) for r in rows], ctx.min_cell, "engaged listeners")
    downloads = ctx.metrics(["downloads"], ["metric_time__day"])
    dl = charts.figure("Downloads per day (network)", y_title="downloads", height=260)
    counts = [int(r[1]) for r in downloads]
    dl.add_trace(
        go.Bar(
            x=[_day(r[0]) for r in downloads],
            y=charts.masked(counts, counts, ctx.min_cell),
            name="downloads",
            customdata=charts.hover_text(counts, counts, ctx.min_cell, ","),
            hovertemplate="%{customdata}<extra></extra>",
        )
    )
    return (
        charts.chart_html(fig, "daily-activity") + charts.chart_html(dl, "daily-downloads"),
        ["daily-activity", "daily-downloads"],
    )


def _weekly_monthly(ctx: _Context) -> _Built:
    out, ids = [], []
    for metric, grain, label, period in (
        ("weekly_listeners", "week", "Weekly listeners (ISO week from Monday, UTC)", _week),
        ("monthly_listeners", "month", "Monthly listeners (calendar month, UTC)", _month),
    ):
        rows = _require(ctx.metrics([metric], [f"metric_time__{grain}"]), metric)
        periods = [period(r[0]) for r in rows]
        listeners = [int(r[1]) for r in rows]
        fig = charts.figure(label, y_title="distinct listeners")
        fig.update_layout(xaxis_type="category", hovermode="closest")
        fig.add_trace(
            go.Bar(
                x=periods,
                y=charts.masked(listeners, listeners, ctx.min_cell),
                name=metric.replace("_", " "),
                customdata=charts.hover_text(listeners, listeners, ctx.min_cell, ","),
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
        chart_id = f"{grain}ly-listeners"
        out.append(charts.chart_html(fig, chart_id))
        ids.append(chart_id)
    return f'<div class="grid">{"".join(out)}</div>', ids


def _minutes(ctx: _Context) -> _Built:
    rows = _require(
        ctx.metrics(["minutes_listened", "unique_listeners"], ["metric_time__day", "podcast"]),
        "minutes_listened",
    )
    fig = charts.figure("Minutes listened per day, by show", y_title="minutes")
    for podcast in sorted({r[1] for r in rows}):
        own = [r for r in rows if r[1] == podcast]
        listeners = [int(r[3]) for r in own]
        minutes = [_minutes(r[2]) for r in own]
        fig.add_trace(
            go.Scatter(
                x=[_day(r[0]) for r in own],
                y=charts.masked(minutes, listeners, ctx.min_cell),
                name=str(podcast),
                mode="lines",
                stackgroup="minutes",
                customdata=charts.hover_text(minutes, listeners, ctx.min_cell, ",.1f"),
                hovertemplate="%{customdata}",
            )
        )
    return charts.chart_html(fig, "minutes-listened"), ["minutes-listened"]


def _followers(ctx: _Context) -> _Built:
    rows = _require(
        ctx.metrics(["followers", "follows", "unfollows"], ["metric_time__day", "podcast"]),
        "followers",
    )
    fig = charts.figure("Followers at the end of each day", y_title="followers")
    network = ctx.metrics(["followers"], ["metric_time__day"])
    total = [int(r[1]) for r in network]
    fig.add_trace(
        go.Scatter(
            x=[_day(r[0]) for r in network],
            y=charts.masked(total, total, ctx.min_cell),
            name="all shows",
            mode="lines",
            line={"shape": "hv", "width": 3},
            customdata=charts.hover_text(total, total, ctx.min_cell, ","),
            hovertemplate="%{customdata}",
        )
    )
    for podcast in sorted({r[1] for r in rows}):
        own = [r for r in rows if r[1] == podcast]
        followers = [int(r[2]) for r in own]
        fig.add_trace(
            go.Scatter(
                x=[_day(r[0]) for r in own],
                y=charts.masked(followers, followers, ctx.min_cell),
                name=str(podcast),
                mode="lines",
                line_shape="hv",
                customdata=[
                    [charts.hover_text([f], [f], ctx.min_cell, ",")[0], int(r[3]), int(r[4])]
                    for f, r in zip(followers, own, strict=True)
                ],
                hovertemplate="%{customdata[0]} (+%{customdata[1]} / -%{customdata[2]})",
            )
        )
    return charts.chart_html(fig, "followers"), ["followers"]


def _top_episodes(ctx: _Context) -> _Built:
    rows = _require(
        ctx.metrics(
            ["plays", "unique_listeners", "minutes_listened", "streams"],
            ["episode"],
            order_by=["-plays"],
            limit=TOP_EPISODES,
        ),
        "plays",
    )
    rows = list(reversed(rows))  # plotly draws horizontal bars bottom-up
    listeners = [int(r[2]) for r in rows]
    plays = [int(r[1]) for r in rows]
    fig = charts.figure(
        f"Top {len(rows)} episodes by plays", height=60 + 30 * len(rows), x_title="plays"
    )
    fig.update_layout(hovermode="closest")
    fig.add_trace(
        go.Bar(
            y=[str(r[0]) for r in rows],
            x=charts.masked(plays, listeners, ctx.min_cell),
            orientation="h",
            name="plays",
            customdata=[
                [_count(n, ctx.min_cell), f"{_minutes(r[3]):,.0f}", f"{int(r[4]):,}"]
                for n, r in zip(listeners, rows, strict=True)
            ],
            hovertemplate="%{x:,} plays, %{customdata[2]} streams, %{customdata[0]} "
            "listeners, %{customdata[1]} minutes<extra>%{y}</extra>",
        )
    )
    return charts.chart_html(fig, "top-episodes"), ["top-episodes"]


def _completion(ctx: _Context) -> _Built:
    rows = _require(
        ctx.metrics(["completion_rate", "avg_consumption", "unique_listeners"], ["podcast"]),
        "completion_rate",
    )
    shows = [str(r[0]) for r in rows]
    listeners = [int(r[3]) for r in rows]
    fig = charts.figure("Completion rate and average consumption, by show", y_title="share")
    fig.update_layout(yaxis_tickformat=".0%", barmode="group")
    for column, name in ((1, "completion rate"), (2, "average consumption")):
        values = [_share(r[column]) for r in rows]
        fig.add_trace(
            go.Bar(
                x=shows,
                y=charts.masked(values, listeners, ctx.min_cell),
                name=name,
                customdata=charts.hover_text(values, listeners, ctx.min_cell, ".1%"),
                hovertemplate="%{customdata}",
            )
        )
    return charts.chart_html(fig, "completion"), ["completion"]


def _listening_curves(ctx: _Context) -> _Built:
    # Stored values, read as the mart holds them: the share of each episode's listeners
    # whose heard segments cover each point of the episode, so a skipped mid-roll shows as
    # a dip that recovers.
    curve = ctx.mart("fct_episode_listening_curve")
    rows = _require(
        ctx.con.execute(
            f"SELECT episode_id, pct_of_episode, episode_listeners, listeners, "
            f"share_of_listeners FROM {curve} "
            f"WHERE episode_id IN (SELECT episode_id FROM {curve} "
            "  WHERE episode_listeners >= ? GROUP BY episode_id "
            "  ORDER BY max(episode_listeners) DESC, episode_id LIMIT ?) "
            "ORDER BY episode_id, pct_of_episode",
            [ctx.min_cell, CURVE_EPISODES],
        ).fetchall(),
        "fct_episode_listening_curve",
    )
    fig = charts.figure(
        f"Listening curves: the {CURVE_EPISODES} most-heard episodes",
        y_title="share of the episode's listeners",
        x_title="% of the episode",
        height=360,
    )
    fig.update_layout(yaxis_tickformat=".0%")
    for episode in sorted({r[0] for r in rows}):
        own = [r for r in rows if r[0] == episode]
        listeners = [int(r[3]) for r in own]
        shares = [_share(r[4]) for r in own]
        fig.add_trace(
            go.Scatter(
                x=[float(r[1]) for r in own],
                y=charts.masked(shares, listeners, ctx.min_cell),
                name=f"{episode} ({int(own[0][2]):,} listeners)",
                mode="lines",
                customdata=charts.hover_text(shares, listeners, ctx.min_cell, ".1%"),
                hovertemplate="%{customdata}",
            )
        )
    return charts.chart_html(fig, "listening-curves"), ["listening-curves"]


def _launch_curves(ctx: _Context) -> _Built:
    # Stored values: each episode's plays since release by whole days after its catalog
    # pubDate (methodology rule 11), for the episodes released in the window with the most
    # plays in their first LAUNCH_DAYS days. Plays are not a listener count; episodes with
    # fewer than min_cell listeners on a day are still drawn, but their listener count in
    # the hover reads "<N".
    curve = ctx.mart("fct_episode_launch_curve")
    rows = _require(
        ctx.con.execute(
            f"SELECT episode_id, days_since_release, plays, unique_listeners, cumulative_plays "
            f"FROM {curve} WHERE days_since_release BETWEEN 0 AND ? AND episode_id IN ("
            f"  SELECT episode_id FROM {curve} WHERE days_since_release BETWEEN 0 AND ? "
            "  GROUP BY episode_id HAVING min(days_since_release) = 0 "
            "  ORDER BY max(cumulative_plays) DESC, episode_id LIMIT ?) "
            "ORDER BY episode_id, days_since_release",
            [LAUNCH_DAYS - 1, LAUNCH_DAYS - 1, LAUNCH_EPISODES],
        ).fetchall(),
        "fct_episode_launch_curve (episodes released in the window)",
    )
    fig = charts.figure(
        f"Launch curves: plays since release, the {LAUNCH_EPISODES} strongest releases",
        y_title="cumulative plays",
        x_title="days since release (day 0 = first 24 hours)",
        height=360,
    )
    for episode in sorted({r[0] for r in rows}):
        own = [r for r in rows if r[0] == episode]
        listeners = [int(r[3]) for r in own]
        fig.add_trace(
            go.Scatter(
                x=[int(r[1]) for r in own],
                y=[int(r[4]) for r in own],
                name=episode,
                mode="lines+markers",
                customdata=[
                    f"{int(r[4]):,} plays since release; {int(r[2]):,} plays that day by "
                    f"{charts.hover_text([n], [n], ctx.min_cell, ',')[0]} listeners"
                    for r, n in zip(own, listeners, strict=True)
                ],
                hovertemplate="%{customdata}",
            )
        )
    fig.update_layout(xaxis_dtick=1)
    return charts.chart_html(fig, "launch-curves"), ["launch-curves"]


def _ad_break_reach(ctx: _Context) -> _Built:
    # Stored values: per ad break, how many of the episode's plays heard its start, each
    # quartile point and all of it (methodology rule 12, the IAB client-confirmed ad play
    # markers), for the most-played breaks with at least min_cell listeners.
    reach = ctx.mart("fct_ad_break_reach")
    columns = ", ".join(column for column, _ in AD_MARKERS)
    rows = _require(
        ctx.con.execute(
            f"SELECT episode_id, break_number, kind, break_start_s, break_end_s, plays, "
            f"unique_listeners, {columns}, start_rate, completion_rate FROM {reach} "
            "WHERE unique_listeners >= ? ORDER BY plays DESC, episode_id, break_number LIMIT ?",
            [ctx.min_cell, REACH_BREAKS],
        ).fetchall(),
        "fct_ad_break_reach",
    )
    fig = charts.figure(
        "Ad-break reach: plays hearing each marker, the most-played breaks",
        y_title="plays",
        x_title="marker of the break",
        height=360,
    )
    labels = [label for _, label in AD_MARKERS]
    table = []
    for row in rows:
        episode, number, kind, start, end, plays = row[:6]
        name = f"{episode} #{number} {kind}-roll {_clock(start)}-{_clock(end)}"
        counts = [int(value) for value in row[7 : 7 + len(AD_MARKERS)]]
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=counts,
                name=name,
                mode="lines+markers",
                customdata=[f"{n:,} of {int(plays):,} plays" for n in counts],
                hovertemplate="%{customdata}",
            )
        )
        table.append(
            (name, f"{int(plays):,}", *(f"{n:,}" for n in counts), _pct(row[-2]), _pct(row[-1]))
        )
    note = (
        "<p>A play reaches a marker when its heard segments cover that point of the break, "
        "and completes it when they cover the whole break: a seek that jumps over a "
        "mid-roll from before it never reaches its start, one made a second into the break "
        "reaches the start but not the 25 % point, and a play stopped inside a pre-roll "
        "reaches the start but not the end.</p>"
    )
    header = ("break", "plays", *labels, "start rate", "completion rate")
    chart = charts.chart_html(fig, "ad-break-reach")
    return chart + note + charts.table_html(header, table, "ad-reach"), ["ad-break-reach"]


def _shares(ctx: _Context) -> _Built:
    breakdowns = (("client_app", "app"), ("client_platform", "platform"), ("country", "country"))
    fig = make_subplots(
        rows=1,
        cols=len(breakdowns),
        specs=[[{"type": "domain"}] * len(breakdowns)],
        subplot_titles=[f"by {label}" for _, label in breakdowns],
    )
    notes = []
    for column, (dimension, label) in enumerate(breakdowns, start=1):
        rows = _require(
            ctx.metrics(["plays", "unique_listeners"], [f"play__{dimension}"], order_by=["-plays"]),
            f"plays by {label}",
        )
        shown = [r for r in rows if not charts.small_cell(int(r[2]), ctx.min_cell)]
        if len(shown) < len(rows):
            notes.append(f"{len(rows) - len(shown)} {label} values")
        fig.add_trace(
            go.Pie(
                labels=[str(r[0]) for r in shown],
                values=[int(r[1]) for r in shown],
                customdata=[f"{int(r[2]):,}" for r in shown],
                name=label,
                hole=0.45,
                sort=False,
                textinfo="label+percent",
                textposition="inside",
                hovertemplate="%{label}: %{value:,} plays (%{percent}), "
                "%{customdata} listeners<extra></extra>",
            ),
            row=1,
            col=column,
        )
    fig.update_layout(
        title={"text": "Share of plays", "x": 0, "font": {"size": 14}},
        template="plotly_white",
        colorway=charts.COLOURS,
        height=380,
        showlegend=False,
        margin={"l": 20, "r": 20, "t": 70, "b": 20},
        font={"family": "system-ui, sans-serif", "size": 12},
    )
    note = (
        f"<p class=note>Not shown (fewer than {ctx.min_cell} listeners each): "
        f"{', '.join(notes)}.</p>"
        if notes
        else ""
    )
    return charts.chart_html(fig, "shares") + note, ["shares"]


def _retention(ctx: _Context) -> _Built:
    rows = _require(
        ctx.con.execute(
            f"SELECT cohort_week, weeks_since_first_listen, cohort_listeners, "
            f"active_listeners, retention_rate FROM {ctx.mart('fct_listener_retention')} "
            "ORDER BY 1, 2"
        ).fetchall(),
        "fct_listener_retention",
    )
    cohorts = sorted({r[0] for r in rows})
    weeks = sorted({int(r[1]) for r in rows})
    cell = {(r[0], int(r[1])): r for r in rows}
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    for cohort in cohorts:
        z_row, t_row = [], []
        for week in weeks:
            r = cell.get((cohort, week))
            if r is None:
                z_row.append(None)
                t_row.append("")
            elif charts.small_cell(int(r[3]), ctx.min_cell):
                z_row.append(None)
                t_row.append(charts.suppressed(ctx.min_cell))
            else:
                z_row.append(_share(r[4]))
                t_row.append(f"{_share(r[4]):.0%}")
        z.append(z_row)
        text.append(t_row)
    sizes = {r[0]: int(r[2]) for r in rows}
    fig = charts.figure(
        "Weekly retention by first-listen cohort",
        height=120 + 32 * len(cohorts),
        x_title="weeks since first listen",
    )
    fig.update_layout(hovermode="closest", yaxis={"autorange": "reversed", "type": "category"})
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=[f"week {w}" for w in weeks],
            y=[f"{_day(c)} ({_count(sizes[c], ctx.min_cell)})" for c in cohorts],
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            zmin=0,
            zmax=1,
            hovertemplate="%{y}, %{x}: %{text}<extra></extra>",
            colorbar={"tickformat": ".0%"},
        )
    )
    return charts.chart_html(fig, "retention"), ["retention"]


_SECTIONS: Sequence[tuple[str, Callable[[_Context], _Built]]] = (
    ("Daily plays, streams and listeners", _daily_activity),
    ("Weekly and monthly listeners", _weekly_monthly),
    ("Minutes listened", _minutes),
    ("Followers", _followers),
    ("Top episodes", _top_episodes),
    ("Completion and consumption", _completion),
    ("Listening curves", _listening_curves),
    ("Launch curves", _launch_curves),
    ("Ad-break reach", _ad_break_reach),
    ("App, platform and country shares", _shares),
    ("Retention cohorts", _retention),
)


# ------------------------------------------------------------------------------ helpers


def _listener_line(
    fig: go.Figure, x: list[str], listeners: list[int], minimum: int, name: str
) -> None:
    fig.add_trace(
        go.Scatter(
            x=x,
            y=charts.masked(listeners, listeners, minimum),
            name=name,
            mode="lines",
            customdata=charts.hover_text(listeners, listeners, minimum, ","),
            hovertemplate="%{customdata}",
        )
    )


def _require(rows: list[Any], what: str) -> list[Any]:
    if not rows:
        raise ValueError(f"no rows for {what}")
    return rows


def _one(rows: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    if len(rows) != 1:
        raise ValueError(f"expected one row of totals, got {len(rows)}")
    return rows[0]


def _day(value: date | datetime) -> str:
    return (value.date() if isinstance(value, datetime) else value).isoformat()


# The page shows numbers at a stated precision, so the same marts give the same bytes even
# where a sum of doubles differs in its last bits between runs.
def _share(value: float | Decimal) -> float:
    return round(float(value), 4)


def _minutes(value: float | Decimal) -> float:
    return round(float(value), 1)


def _week(value: date | datetime) -> str:
    return f"week of {_day(value)}"


def _clock(seconds: float | Decimal) -> str:
    """Episode seconds as m:ss."""
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


def _pct(value: float | Decimal) -> str:
    return f"{float(value):.1%}"


def _month(value: date | datetime) -> str:
    return _day(value)[:7]


def _count(listeners: int | Decimal, minimum: int) -> str:
    n = int(listeners)
    return charts.suppressed(minimum) if charts.small_cell(n, minimum) else f"{n:,}"


def _reconciliation(rec: dict[str, Any]) -> str:
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
    return (
        f"<p><b>{status}</b>: produced = spilled + dead-lettered + loaded; loaded = valid + "
        "quarantined + duplicates.</p>"
        + charts.table_html(
            ["", "records", "by reason"],
            [(label, f"{count:,}", _reason_text(reasons)) for label, count, reasons in rows],
            "reconciliation",
        )
    )


def _reason_text(reasons: Any) -> str:
    if not reasons:
        return ""
    return ", ".join(f"{k}: {v:,}" for k, v in reasons.items())
