"""Plotly charts for the owner's tabs, rendered as embeddable HTML.

plotly.js is a partial bundle (core + bar: the only trace types drawn here) of the same
major version as plotly.py, built by ``scripts/plotly/build.sh`` into ``static/vendor``. At
about 320 KB brotli it is two thirds of an owner page's whole budget on 4G, so no page loads
it up front: a chart is served as its figure (JSON) and its numbers as a table, and
``static/js/app.js`` fetches the script only when the chart scrolls into view (or on a tap
on 显示图表); once drawn, the table folds away under 看数据. No CDN is involved.
Charts are fixed (no zoom or drag) so a thumb scrolling the page does not pan the chart.

Figures are plain figure dicts, serialised unvalidated: building a
``go.Figure`` validates every property and costs 10–15 ms a chart, a third of an owner
page's budget. The tests validate the same dicts through ``go.Figure`` instead.
"""

from __future__ import annotations

import json

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from workbench.formatting import weekday
from workbench.owner.services import DaySales

FONT = '-apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif'
PRIMARY = "#0f7b5f"
MUTED = "#9fcfbf"
CONFIG = {"displayModeBar": False, "responsive": True}
#: The bundle app.js loads on demand (a static file; its URL carries its content hash).
PLOTLY_JS = "vendor/plotly-bar-scatter-4.1.1.min.js"


def _layout(height: int) -> dict:
    return {
        "height": height,
        "margin": {"l": 40, "r": 8, "t": 8, "b": 32},
        "font": {"family": FONT, "size": 12, "color": "#3d4a45"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "xaxis": {"fixedrange": True, "showgrid": False},
        "yaxis": {"fixedrange": True, "gridcolor": "#e6ebe8", "zeroline": False, "rangemode": "tozero"},
        "dragmode": False,
        "showlegend": False,
        "bargap": 0.3,
    }


def _number(value, prefix: str = "", suffix: str = "") -> str:
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.2f}" if prefix == "¥" else f"{value:,.1f}"
    else:
        text = f"{value:,.0f}" if isinstance(value, int | float) else str(value)
    return f"{prefix}{text}{suffix}"


def table_rows(figure: dict, x_labels: dict | None = None) -> list[tuple[str, str]]:
    """``(label, value)`` for every point of every trace: the chart read as a table.

    A bar with a ``base`` is a range (``low–high``); a point already listed (the marker on
    a line's best point) is not listed again.
    """
    layout = figure["layout"]
    xaxis, yaxis = layout.get("xaxis", {}), layout.get("yaxis", {})
    ticks = dict(zip(xaxis.get("tickvals") or [], xaxis.get("ticktext") or [], strict=False))
    pre, post = yaxis.get("tickprefix", ""), yaxis.get("ticksuffix", "")
    xpre, xpost = xaxis.get("tickprefix", ""), xaxis.get("ticksuffix", "")
    rows: list[tuple[str, str]] = []
    seen: set[tuple] = set()
    for trace in figure["data"]:
        bases = trace.get("base") or []
        for i, (x, y) in enumerate(zip(trace.get("x", []), trace.get("y", []), strict=False)):
            key = (x, y, bases[i] if i < len(bases) else None)
            if key in seen:
                continue
            seen.add(key)
            label = (x_labels or {}).get(x) or ticks.get(x) or f"{xpre}{x}{xpost}"
            label = str(label).replace("<br>", " ")
            if i < len(bases):
                value = f"{_number(bases[i], pre, post)}–{_number(bases[i] + y, pre, post)}"
            else:
                value = _number(y, pre, post)
            rows.append((label, value))
    return rows


def _height_class(height: int) -> int:
    """The chart's height as one of widths.css's ``.chart-h-100`` … ``.chart-h-400``: the
    Content-Security-Policy allows no ``style=`` attribute."""
    return max(10, min(40, round(height / 10))) * 10


def to_html(figure: dict, headers: tuple[str, str] | None = None, x_labels: dict | None = None) -> Markup:
    """A chart placeholder with the figure as JSON and its numbers as an accessible table.

    ``headers`` names the table's two columns (what x is, what y is); ``x_labels`` replaces
    raw x values in the table (the hours chart's 0–23).
    """
    height = figure["layout"]["height"]
    spec = json.dumps({"data": figure["data"], "layout": figure["layout"], "config": CONFIG},
                      ensure_ascii=False, separators=(",", ":"))
    # Inside <script> only "</" could end the element early.
    spec = spec.replace("</", "<\\/")
    head_x, head_y = headers or (_("Item"), _("Value"))
    rows = "".join(f"<tr><th scope=\"row\">{escape(label)}</th><td>{escape(value)}</td></tr>"
                   for label, value in table_rows(figure, x_labels))
    # Outside the f-string, so that pybabel extracts them.
    show, numbers = escape(_("Show the chart")), escape(_("See the numbers"))
    return Markup(
        f'<div class="chart__plot plotly-graph-div chart-h-{_height_class(height)}" data-chart-src="{url_for("static", filename=PLOTLY_JS)}"'
        f'><button type="button" class="btn btn--ghost chart__load">'
        f'{show}</button></div>'
        f'<script type="application/json" class="chart__spec">{spec}</script>'
        f'<details class="chart__data"><summary>{numbers}</summary>'
        f'<table class="table chart__table"><thead><tr><th scope="col">{escape(head_x)}</th>'
        f'<th scope="col">{escape(head_y)}</th></tr></thead><tbody>{rows}</tbody></table></details>'
    )


def sales_figure(days: list[DaySales]) -> dict:
    """Bars of daily GMV in yuan, labelled by weekday and date; the last day highlighted."""
    layout = _layout(200)
    layout["yaxis"].update(tickprefix="¥", separatethousands=True)
    return {
        "data": [{
            "type": "bar",
            "x": [f"{weekday(d.day)}<br>{d.day.month}/{d.day.day}" for d in days],
            "y": [d.gmv_fen / 100 for d in days],
            "marker": {"color": [MUTED] * (len(days) - 1) + [PRIMARY] if days else []},
            "customdata": [_("%(orders)s orders", orders=d.orders) for d in days],
            "hovertemplate": "¥%{y:,.2f}<br>%{customdata}<extra></extra>",
        }],
        "layout": layout,
    }


def hours_figure(views_by_hour: list[int], peak: int | None) -> dict:
    """Bars of live views per local hour of the day; the peak hour highlighted."""
    layout = _layout(180)
    # No tick at 0: its label would sit on the y axis's own "0".
    ticks = [3, 6, 9, 12, 15, 18, 21]
    layout["xaxis"].update(tickmode="array", tickvals=ticks, ticktext=[f"{h}:00" for h in ticks], range=[-0.6, 23.6])
    return {
        "data": [{
            "type": "bar",
            "x": list(range(24)),
            "y": list(views_by_hour),
            "marker": {"color": [PRIMARY if h == peak else MUTED for h in range(24)]},
            "hovertemplate": _("%(hour)s:00 · %(views)s views", hour="%{x}", views="%{y}") + "<extra></extra>",
        }],
        "layout": layout,
    }


def detail_chart(kind: str, figure: dict) -> Markup:
    """A suggestion's chart, its table headed for its kind."""
    headers = {"push": (_("Day"), _("Units")), "clear": (_("Discount"), _("Expected revenue")),
               "restock": (_("Day"), _("Stock left"))}
    return to_html(figure, headers.get(kind))


def sales_chart(days: list[DaySales]) -> str:
    """The 今日 tab's 7-day sales chart as HTML."""
    return to_html(sales_figure(days), (_("Day"), _("Sales")))


def hours_chart(views_by_hour: list[int], peak: int | None) -> str:
    """The 直播 tab's views-by-hour chart as HTML."""
    return to_html(hours_figure(views_by_hour, peak), (_("Hour"), _("Views")),
                   {h: f"{h}:00" for h in range(24)})


# ---------------------------------------------------------------- suggestion detail charts

BAND = "rgba(15, 123, 95, 0.16)"
ORANGE = "#d9822b"


def forecast_figure(history: list, day, p10: float | None, p50: float | None, p90: float | None,
                    unit: str = "") -> dict:
    """A push card: the last days' units sold as bars, the card's day as its P10–P90 band and P50.

    :param history: ``(date, units)`` pairs before ``day``.
    """
    layout = _layout(200)
    x = [f"{d.month}/{d.day}" for d, _u in history]
    label = f"{day.month}/{day.day}"
    data = [{
        "type": "bar",
        "x": x,
        "y": [u for _d, u in history],
        "marker": {"color": MUTED},
        "hovertemplate": _("%(day)s sold %(units)s", day="%{x}", units="%{y}") + f" {unit}<extra></extra>",
    }]
    if p50 is not None:
        low = p10 if p10 is not None else p50
        high = p90 if p90 is not None else p50
        data.append({
            "type": "bar",
            "x": [label],
            "y": [high - low],
            "base": [low],
            "marker": {"color": BAND, "line": {"color": PRIMARY, "width": 1}},
            "hovertemplate": _("forecast range %(low)s–%(high)s", low=f"{low:g}", high=f"{high:g}") + "<extra></extra>",
        })
        data.append({
            "type": "scatter",
            "mode": "markers",
            "x": [label],
            "y": [p50],
            "marker": {"color": PRIMARY, "size": 10, "symbol": "line-ew-open", "line": {"width": 3, "color": PRIMARY}},
            "hovertemplate": _("forecast %(units)s", units=f"{p50:g}") + "<extra></extra>",
        })
    layout["barmode"] = "overlay"
    # Room left of the first day keeps its date label clear of the y axis's "0".
    layout["xaxis"].update(type="category", tickangle=0, nticks=8, range=[-1, len(history) + 0.6])
    return {"data": data, "layout": layout}


def markdown_figure(curve: list[tuple[float, int]], best: float | None) -> dict:
    """A clear card: expected revenue (yuan) at each discount; the recommended one marked.

    :param curve: ``(discount 0..1, expected revenue in fen)`` pairs.
    """
    layout = _layout(200)
    layout["xaxis"].update(ticksuffix="%", showgrid=False, zeroline=False)
    layout["yaxis"].update(tickprefix="¥", separatethousands=True)
    xs = [round(d * 100) for d, _r in curve]
    ys = [r / 100 for _d, r in curve]
    data = [{
        "type": "scatter",
        "mode": "lines+markers",
        "x": xs,
        "y": ys,
        "line": {"color": PRIMARY, "width": 2},
        "marker": {"color": PRIMARY, "size": 6},
        "hovertemplate": _("%(pct)s%% off: ¥%(revenue)s", pct="%{x}", revenue="%{y:,.2f}") + "<extra></extra>",
    }]
    if best is not None and curve:
        nearest = min(curve, key=lambda c: abs(c[0] - best))
        data.append({
            "type": "scatter",
            "mode": "markers",
            "x": [round(nearest[0] * 100)],
            "y": [nearest[1] / 100],
            "marker": {"color": ORANGE, "size": 13, "line": {"color": "#fff", "width": 2}},
            "hoverinfo": "skip",
        })
        layout["annotations"] = [{
            "x": round(nearest[0] * 100), "y": nearest[1] / 100, "yshift": 14, "showarrow": False,
            "text": _("%(pct)s%% off: ¥%(revenue)s", pct=round(nearest[0] * 100), revenue=f"{nearest[1] / 100:,.2f}"),
            "font": {"color": ORANGE, "size": 12},
        }]
        layout["margin"]["t"] = 24
    return {"data": data, "layout": layout}


def cover_figure(stock: float, daily: list[float], order: float | None) -> dict:
    """A restock card: stock left at the end of each coming day at the forecast rate.

    With a suggested order, a second line shows the stock if that order arrives today.
    """
    layout = _layout(200)
    days = list(range(len(daily) + 1))
    # Stock cannot go below zero: the day the line reaches 0 is the end of the cover.
    left, total = [stock], stock
    for d in daily:
        total -= d
        left.append(max(total, 0.0))
    layout["xaxis"].update(tickmode="array", tickvals=days, zeroline=False,
                           ticktext=[_("today") if d == 0 else _("+%(n)sd", n=d) for d in days])
    data = [{
        "type": "scatter",
        "mode": "lines+markers",
        "x": days,
        "y": left,
        "line": {"color": ORANGE, "width": 2},
        "hovertemplate": _("stock left %(units)s", units="%{y:.0f}") + "<extra></extra>",
    }]
    if order:
        data.append({
            "type": "scatter",
            "mode": "lines",
            "x": days,
            "y": [max(stock + order - sum(daily[:i]), 0.0) for i in days],
            "line": {"color": PRIMARY, "width": 2, "dash": "dash"},
            "hovertemplate": _("with the order %(units)s", units="%{y:.0f}") + "<extra></extra>",
        })
    return {"data": data, "layout": layout}


def rule_figure(support: float | None, confidence: float | None, lift: float | None) -> dict:
    """A bundle card: support and confidence as bars in percent, lift as a third bar (× 10 %)."""
    layout = _layout(180)
    layout["yaxis"].update(ticksuffix="%", rangemode="tozero")
    names, values, texts = [], [], []
    for name, value, text in (
        (_("Support"), support, None),
        (_("Confidence"), confidence, None),
    ):
        if value is not None:
            names.append(name)
            values.append(round(value * 100, 1))
            texts.append(text or f"{value * 100:.1f}%")
    data = [{
        "type": "bar",
        "x": names,
        "y": values,
        "text": texts,
        "textposition": "outside",
        "marker": {"color": [MUTED, PRIMARY][: len(names)]},
        "hoverinfo": "skip",
        "cliponaxis": False,
    }]
    if lift is not None:
        # Above the plot, left: the bars' own value labels sit at their tops on the right.
        layout["annotations"] = [{
            "text": _("lift %(lift)s", lift=f"{lift:.2f}"), "xref": "paper", "yref": "paper",
            "x": 0, "y": 1.18, "showarrow": False, "xanchor": "left", "yanchor": "bottom",
            "font": {"size": 14, "color": PRIMARY},
        }]
    layout["margin"]["t"] = 40
    layout["yaxis"]["range"] = [0, 115]
    return {"data": data, "layout": layout}
