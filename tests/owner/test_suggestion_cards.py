"""Card display rows and detail charts from the engine's metrics, including missing ones."""

from __future__ import annotations

from datetime import date, timedelta

import plotly.graph_objects as go
import pytest

from tests.owner.suggestion_cards import (
    BUNDLE_METRICS,
    CLEAR_METRICS,
    PUSH_METRICS,
    RESTOCK_METRICS,
)
from workbench.owner import charts
from workbench.owner import suggestions as cards
from workbench.suggestions.models import Suggestion

DAY = date(2026, 11, 23)


def _card(kind, metrics, **kw) -> Suggestion:
    return Suggestion(id=1, store_id=1, for_date=DAY, kind=kind, rank=1, metrics=metrics, reasons=[], status="new",
                      **kw)


def test_figures_follow_the_engines_keys(app):
    with app.test_request_context():
        push = cards.card_view(_card("push", PUSH_METRICS, forecast_p10=14, forecast_p50=22, forecast_p90=31))
        assert push.critical_ratio == 0.62
        assert [f.value for f in push.key_figures] == ["22", "26", "¥1,037.40", "19:00"]
        assert push.tags == [("有孩家庭", 48), ("品质生活", 31)]
        restock = cards.card_view(_card("restock", RESTOCK_METRICS))
        assert restock.level == "red" and "30" in [f.value for f in restock.figures]
        bundle = cards.card_view(_card("bundle", BUNDLE_METRICS))
        assert bundle.title == "阳光玫瑰葡萄 + 低糖酸奶"  # names, never the consequent's product id


@pytest.mark.parametrize("kind", ["push", "clear", "restock", "bundle"])
def test_a_card_without_metrics_still_renders(app, kind):
    with app.test_request_context():
        view = cards.card_view(_card(kind, {}))
        assert view.title and view.key_figures == []


@pytest.mark.parametrize(("cover", "level"), [(0.5, "red"), (1.0, "orange"), (2.5, "yellow"), (3.0, None)])
def test_restock_level_from_cover_when_the_engine_gives_none(cover, level):
    assert cards.restock_level({"cover_days": cover}) == level


def test_markdown_curve_shapes():
    assert cards.markdown_curve(CLEAR_METRICS)[:2] == [(0.0, 18000), (0.1, 21500)]
    assert cards.markdown_curve({"curve": [[30, 500], [10, 400]]}) == [(0.1, 400), (0.3, 500)]
    assert cards.markdown_curve({"discounts": [0.2, 0.1], "revenues_fen": [9, 8]}) == [(0.1, 8), (0.2, 9)]
    assert cards.markdown_curve({}) == []


def test_detail_figures_are_valid_plotly(app):
    history = [(DAY - timedelta(days=i), float(i % 3)) for i in range(14, 0, -1)]
    with app.test_request_context():
        for figure in (
            charts.forecast_figure(history, DAY, 14, 22, 31, "份"),
            charts.markdown_figure(cards.markdown_curve(CLEAR_METRICS), 0.3),
            charts.cover_figure(4, [5, 5, 5], 30),
            charts.rule_figure(0.042, 0.38, 2.3),
        ):
            go.Figure(figure)  # raises on any invalid property


def test_cover_figure_never_goes_below_zero(app):
    with app.test_request_context():
        figure = charts.cover_figure(10, [4, 4, 4, 4], 6)
    assert figure["data"][0]["y"] == [10, 6, 2, 0, 0]
    assert figure["data"][1]["y"] == [16, 12, 8, 4, 0]
