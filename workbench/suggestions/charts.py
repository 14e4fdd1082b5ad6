"""The charts of a suggestion card's detail view (push, clear, restock, bundle), built on the
shared primitives of ``workbench/charts.py``."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from workbench import charts as common
from workbench.charts import MUTED, PRIMARY, to_html

BAND = "rgba(15, 123, 95, 0.16)"
ORANGE = "#d9822b"


def _line(x: list, y: list, color: str, hover: str, mode: str = "lines+markers", dash: str | None = None,
          **extra) -> dict:
    """A scatter trace drawn as a 2 px line; ``hover`` is the point's text."""
    line = {"color": color, "width": 2} | ({"dash": dash} if dash else {})
    return {"type": "scatter", "mode": mode, "x": x, "y": y, "line": line,
            "hovertemplate": hover + "<extra></extra>", **extra}


def detail_chart(kind: str, figure: dict) -> Markup:
    """A suggestion's chart, its table headed for its kind."""
    headers = {"push": (_("Day"), _("Units")), "clear": (_("Discount"), _("Expected revenue")),
               "restock": (_("Day"), _("Stock left"))}
    return to_html(figure, headers.get(kind))


def forecast_figure(history: list, day, p10: float | None, p50: float | None, p90: float | None,
                    unit: str = "") -> dict:
    """A push card: the last days' units sold as bars, the card's day as its P10–P90 band and P50.

    :param history: ``(date, units)`` pairs before ``day``.
    """
    layout = common.layout(200)
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
    layout = common.layout(200)
    layout["xaxis"].update(ticksuffix="%", showgrid=False, zeroline=False)
    layout["yaxis"].update(tickprefix="¥", separatethousands=True)
    xs = [round(d * 100) for d, _r in curve]
    ys = [r / 100 for _d, r in curve]
    data = [_line(xs, ys, PRIMARY, _("%(pct)s%% off: ¥%(revenue)s", pct="%{x}", revenue="%{y:,.2f}"),
                  marker={"color": PRIMARY, "size": 6})]
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
    layout = common.layout(200)
    days = list(range(len(daily) + 1))
    # Stock cannot go below zero: the day the line reaches 0 is the end of the cover.
    left, total = [stock], stock
    for d in daily:
        total -= d
        left.append(max(total, 0.0))
    layout["xaxis"].update(tickmode="array", tickvals=days, zeroline=False,
                           ticktext=[_("today") if d == 0 else _("+%(n)sd", n=d) for d in days])
    data = [_line(days, left, ORANGE, _("stock left %(units)s", units="%{y:.0f}"))]
    if order:
        data.append(_line(days, [max(stock + order - sum(daily[:i]), 0.0) for i in days], PRIMARY,
                          _("with the order %(units)s", units="%{y:.0f}"), mode="lines", dash="dash"))
    return {"data": data, "layout": layout}


def rule_figure(support: float | None, confidence: float | None, lift: float | None) -> dict:
    """A bundle card: support and confidence as bars in percent, lift as a third bar (× 10 %)."""
    layout = common.layout(180)
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
