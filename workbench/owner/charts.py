"""Plotly charts for the owner's tabs, rendered as embeddable HTML.

plotly.js itself is served from ``static/vendor`` (the basic bundle of the same major
version as plotly.py) and loaded only by pages that show a chart; no CDN is involved.
Charts are fixed (no zoom or drag) so a thumb scrolling the page does not pan the chart.

Figures are plain figure dicts handed to ``plotly.io.to_html`` unvalidated: building a
``go.Figure`` validates every property and costs 10–15 ms a chart, a third of an owner
page's budget. The tests validate the same dicts through ``go.Figure`` instead.
"""

from __future__ import annotations

import plotly.io as pio
from flask_babel import gettext as _

from workbench.formatting import weekday
from workbench.owner.services import DaySales

FONT = '-apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif'
PRIMARY = "#0f7b5f"
MUTED = "#9fcfbf"
CONFIG = {"displayModeBar": False, "responsive": True}


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


def to_html(figure: dict) -> str:
    """An embeddable ``<div>`` + script for ``figure``; plotly.js comes from our static files."""
    height = figure["layout"]["height"]
    return pio.to_html(
        figure,
        include_plotlyjs=False,
        full_html=False,
        config=CONFIG,
        default_height=f"{height}px",
        default_width="100%",
        validate=False,
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


def sales_chart(days: list[DaySales]) -> str:
    """The 今日 tab's 7-day sales chart as HTML."""
    return to_html(sales_figure(days))


def hours_chart(views_by_hour: list[int], peak: int | None) -> str:
    """The 直播 tab's views-by-hour chart as HTML."""
    return to_html(hours_figure(views_by_hour, peak))
