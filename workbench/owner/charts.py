"""The owner's own charts (the 今日 tab's sales, the 直播 tab's hours), rendered as
embeddable HTML through the shared primitives of ``workbench/charts.py``."""

from __future__ import annotations

from flask_babel import gettext as _

from workbench import charts as common
from workbench.charts import MUTED, PRIMARY, to_html
from workbench.formatting import weekday
from workbench.owner.services import DaySales


def sales_figure(days: list[DaySales]) -> dict:
    """Bars of daily GMV in yuan, labelled by weekday and date; the last day highlighted."""
    layout = common.layout(200)
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
    layout = common.layout(180)
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
    return to_html(sales_figure(days), (_("Day"), _("Sales")))


def hours_chart(views_by_hour: list[int], peak: int | None) -> str:
    """The 直播 tab's views-by-hour chart as HTML."""
    return to_html(hours_figure(views_by_hour, peak), (_("Hour"), _("Views")),
                   {h: f"{h}:00" for h in range(24)})
