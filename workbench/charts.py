"""Chart primitives shared by every page that draws one: the look, the figure→HTML step.

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

The figures themselves live with their domain (``owner/charts.py``, ``suggestions/charts.py``,
the earnings page); this module imports no other package, so any package may use it.
"""

from __future__ import annotations

import json

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

FONT = '-apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif'
PRIMARY = "#0f7b5f"
MUTED = "#9fcfbf"
CONFIG = {"displayModeBar": False, "responsive": True}
#: The bundle app.js loads on demand (a static file; its URL carries its content hash).
PLOTLY_JS = "vendor/plotly-bar-scatter-4.1.1.min.js"


def layout(height: int) -> dict:
    """The common layout of every chart: fixed axes, the app's font, transparent background."""
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
