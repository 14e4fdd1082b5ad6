"""HQ's suggestions page: scoping by role, the region and kind filters, rates and backtests."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from tests.owner.suggestion_cards import card, todays_cards
from workbench.forecasting.models import BacktestRun
from workbench.formatting import local_today

HX = {"HX-Request": "true"}


@pytest.fixture
def cards(db, world):
    todays_cards(db.session, world, world.a)
    card(db.session, world.b.store, world.products[2], kind="push")
    card(db.session, world.c.store, world.products[1], kind="clear")
    yesterday = local_today() - timedelta(days=1)
    card(db.session, world.a.store, world.products[0], for_date=yesterday, forecast_expected=10, actual_units=8,
         forecast_p10=5, forecast_p90=12, status="accepted")
    for method, wape in (("lightgbm", 0.30), ("seasonal_naive", 0.45), ("ma28", 0.40)):
        db.session.add(BacktestRun(source="database", horizon=1, holdout_days=28, method=method, wape=wape,
                                   mase=wape * 2, bias=-0.01, coverage80=0.79, series=120, seconds=3.5))
    db.session.commit()
    return world


def test_hq_sees_every_store_and_the_backtests(hq_client, cards):
    html = hq_client.get("/hq/suggestions").get_data(as_text=True)
    for sw in (cards.a, cards.b, cards.c):
        assert sw.store.name in html
    assert "智利车厘子" in html  # store B's card
    assert 'id="sugg-region"' in html
    assert "建议准确率" in html
    assert "lightgbm" in html and "seasonal_naive" in html and "ma28" in html
    assert "0.67×" in html  # 0.30 / 0.45
    assert "/hq/suggestions" in html and 'aria-current="page"' in html  # in the side navigation


def test_regional_sees_only_their_region(regional_client, cards):
    html = regional_client.get("/hq/suggestions").get_data(as_text=True)
    assert cards.a.store.name in html and cards.b.store.name in html
    assert cards.c.store.name not in html
    assert 'id="sugg-region"' not in html
    other = regional_client.get(f"/hq/suggestions?region={cards.region2.id}", headers=HX).get_data(as_text=True)
    assert cards.c.store.name not in other


def test_region_and_kind_filters_swap_the_table(hq_client, cards):
    fragment = hq_client.get(f"/hq/suggestions?region={cards.region2.id}", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="sugg-cards">')
    assert cards.c.store.name in fragment and cards.a.store.name not in fragment
    pushes = hq_client.get("/hq/suggestions?kind=push", headers=HX).get_data(as_text=True)
    assert "kind--push" in pushes and "kind--clear" not in pushes
    bad = hq_client.get("/hq/suggestions?kind=nope&region=x", headers=HX)
    assert bad.status_code == 200 and "kind--clear" in bad.get_data(as_text=True)


def test_owner_gets_403(owner_client, cards):
    assert owner_client.get("/hq/suggestions").status_code == 403


def test_query_count_does_not_grow_with_stores(hq_client, db, cards, world):
    """The page runs the same number of queries for 3 stores as for 9."""
    def count() -> int:
        seen = []
        listener = lambda *a, **k: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert hq_client.get("/hq/suggestions").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    before = count()
    from tests.factories import gen_store

    for i in range(6):
        sw = gen_store(db.session, world.region1, f"X{i:02d}", f"新店{i}", "杭州", world.products, local_today())
        card(db.session, sw.store, world.products[0])
    db.session.commit()
    assert count() == before


# ------------------------------------------------------------------ backtest from the page


def test_backtest_is_an_hq_action(owner_client, regional_client):
    assert owner_client.post("/hq/suggestions/backtest").status_code == 403
    assert regional_client.post("/hq/suggestions/backtest").status_code == 403


def test_hq_starts_the_backtest_as_a_job_with_progress(hq_client, world, db):
    from sqlalchemy import select as sel

    from workbench.forecasting.jobs import BACKTEST_JOB
    from workbench.jobs.models import JobRecord

    page = hq_client.get("/hq/suggestions").get_data(as_text=True)
    assert "flask forecast backtest" not in page and "/hq/suggestions/backtest" in page
    response = hq_client.post("/hq/suggestions/backtest", headers={"HX-Request": "true"})
    assert response.status_code == 200
    record = db.session.scalar(sel(JobRecord).where(JobRecord.name == BACKTEST_JOB))
    assert record is not None and record.user_id == world.hq.id
    html = response.get_data(as_text=True)
    assert f"/jobs/{record.id}" in html and 'hx-trigger="load delay:1s"' in html


def test_the_backtest_job_records_every_method_and_reports_progress(app, db):
    from datetime import date

    from sqlalchemy import select as sel

    from workbench.demo.generate import SeedParams
    from workbench.demo.seed import seed
    from workbench.forecasting import jobs as fjobs

    seed(SeedParams.build(end_date=date(2026, 11, 20), stores=2, members=800, days=60, seed=4))
    seen = []
    import workbench.jobs.runner as runner

    original = runner.set_progress
    runner.set_progress = lambda job_id, pct: seen.append(pct)
    try:
        result = fjobs.backtest_job(holdout_days=7, job_id="x")
    finally:
        runner.set_progress = original
    assert result["methods"] == 8 and seen == sorted(seen) and len(seen) == 8
    methods = [r.method for r in db.session.scalars(sel(BacktestRun).order_by(BacktestRun.id))]
    assert methods[-1] == "served" and "seasonal_naive" in methods
