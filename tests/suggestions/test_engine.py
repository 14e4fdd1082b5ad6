"""The engine on a small seeded brand: every kind of card, reasons that render, re-runs, cold starts."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from flask_babel import force_locale
from sqlalchemy import func, select

from workbench.demo.generate import SeedParams
from workbench.demo.seed import seed
from workbench.models import Community, Store, Suggestion
from workbench.suggestions import jobs
from workbench.suggestions.engine import generate_for_store
from workbench.suggestions.forecast import compute_forecasts
from workbench.suggestions.reasons import CATALOGUE, render_reason
from workbench.suggestions.storedata import load_catalogue
from workbench.types import utcnow

END = date(2026, 11, 20)
DAY = END + timedelta(days=1)


def seed_small():
    seed(SeedParams.build(stores=3, members=2400, days=60, seed=11, end_date=END))


def cards(db, store_id=None):
    q = select(Suggestion).order_by(Suggestion.store_id, Suggestion.kind, Suggestion.rank)
    if store_id is not None:
        q = q.where(Suggestion.store_id == store_id)
    return db.session.scalars(q).all()


def test_cards_of_every_kind_with_numbers_and_reasons(app, db):
    seed_small()
    result = jobs.run_for_day(db.session, DAY, method="lightgbm")
    assert not result.failed
    assert set(result.cards) == {1, 2, 3}
    found = cards(db, 1)
    assert {c.kind for c in found} == {"push", "clear", "restock", "bundle"}
    with app.test_request_context():
        for c in found:
            assert 2 <= len(c.reasons) <= 3, (c.kind, c.reasons)
            for r in c.reasons:
                assert r["code"] in CATALOGUE
                for locale in ("en", "zh_Hans_CN"):
                    with force_locale(locale):
                        assert "{" not in render_reason(r)
            assert c.status == "new" and not c.cold_start
    push = next(c for c in found if c.kind == "push" and c.rank == 1)
    m = push.metrics
    assert push.forecast_p10 <= push.forecast_p50 <= push.forecast_p90
    assert m["stock_units"] >= 0 and m["extra_profit_fen"] > 0 and m["expected_units"] >= 2
    assert m["expected_sales_fen"] == round(m["expected_units"] * m["price_fen"])
    assert all(t["lift_low"] > 1 and t["members"] > 0 for t in m["target_tags"])
    assert 7 <= m["best_hour"] <= 23
    clear = next(c for c in found if c.kind == "clear")
    assert clear.stock_batch_id is not None and clear.metrics["discount"] > 0
    assert len(clear.metrics["curve"]) == 11
    cm = clear.metrics
    assert cm["expected_units"] + cm["expected_left"] == cm["quantity"]
    assert cm["expected_revenue_fen"] == cm["expected_units"] * cm["discount_price_fen"]
    restock = next(c for c in found if c.kind == "restock")
    assert restock.metrics["level"] in ("red", "orange", "yellow") and restock.metrics["order_units"] > 0
    bundle = next(c for c in found if c.kind == "bundle")
    assert bundle.metrics["lift"] > 1 and 0 < bundle.metrics["support"] <= 1 and len(bundle.metrics["items"]) >= 2


def test_rerun_replaces_new_cards_and_keeps_decided_ones(app, db):
    seed_small()
    jobs.run_for_day(db.session, DAY, [1], method="lightgbm")
    first = cards(db, 1)
    accepted = next(c for c in first if c.kind == "push" and c.rank == 1)
    dismissed = next(c for c in first if c.kind == "restock")
    accepted.status, accepted.decided_at = "accepted", utcnow()
    dismissed.status, dismissed.dismiss_reason, dismissed.decided_at = "dismissed", "no_stock", utcnow()
    db.session.commit()
    kept = {(c.id, c.kind, c.rank, c.product_id) for c in (accepted, dismissed)}

    jobs.run_for_day(db.session, DAY, [1], method="lightgbm")
    again = cards(db, 1)
    assert len(again) == len(first)
    assert kept <= {(c.id, c.kind, c.rank, c.product_id) for c in again}
    # The decided cards are not repeated as new ones, and ranks stay unique per kind.
    assert sum(1 for c in again if c.kind == "push" and c.product_id == accepted.product_id) == 1
    assert sum(1 for c in again if c.kind == "restock" and c.product_id == dismissed.product_id) == 1
    assert len({(c.kind, c.rank) for c in again}) == len(again)
    assert db.session.scalar(select(func.count()).select_from(Suggestion)) == len(again)


def test_cold_start_store_uses_profile_averages(app, db):
    seed_small()
    donor = db.session.get(Store, 1)
    new = Store(region_id=donor.region_id, code="S900", name="新开店", city=donor.city, opened_on=DAY)
    db.session.add(new)
    db.session.flush()
    db.session.add(Community(store_id=new.id, name="新小区", profile="elderly", households=900))
    db.session.commit()
    day_cards = generate_for_store(db.session, new.id, DAY, compute_forecasts(db.session, [new.id], DAY, "ma28"))
    db.session.commit()
    assert day_cards, "a new store still gets cards"
    push = [c for c in day_cards if c.kind == "push"]
    assert push and all(c.cold_start for c in push)
    assert push[0].reasons[0]["code"] == "cold_start_store"
    assert push[0].reasons[0]["params"]["profile"] == "elderly"
    assert not any(c.kind in ("clear", "bundle") for c in day_cards)  # no stock, no baskets


def test_engine_with_a_fake_forecast_and_catalogue_reuse(app, db):
    seed_small()
    catalogue = load_catalogue(db.session, DAY)
    fc = compute_forecasts(db.session, [2], DAY, "seasonal_naive")
    assert fc.method == "seasonal_naive"
    made = generate_for_store(db.session, 2, DAY, fc, catalogue)
    db.session.commit()
    assert Counter(c.kind for c in made)["push"] >= 1
    assert all(c.model in ("seasonal_naive", "apriori") for c in made)


def test_new_sku_batch_uses_the_category_average(app, db):
    seed_small()
    from workbench.models import Product, StockBatch

    model = db.session.scalars(select(Product).where(Product.shelf_life_days.between(3, 10))
                               .order_by(Product.id)).first()
    new = Product(sku="NEW001", name="新品试销", category_id=model.category_id, supplier_id=model.supplier_id,
                  spec="1份", unit="份", price_fen=5000, cost_fen=3000, shelf_life_days=5)
    db.session.add(new)
    db.session.flush()
    # Far more than the category sells in two days, and the most money at risk in the store.
    db.session.add(StockBatch(store_id=1, product_id=new.id, quantity=200, cost_fen=3000,
                              received_on=DAY - timedelta(days=4), expires_on=DAY + timedelta(days=1)))
    db.session.commit()
    made = generate_for_store(db.session, 1, DAY, compute_forecasts(db.session, [1], DAY, "ma28"))
    card = next(c for c in made if c.kind == "clear" and c.product_id == new.id)
    assert card.rank == 1 and card.cold_start
    assert card.reasons[0]["code"] == "cold_start_sku"
    assert card.metrics["discount"] > 0 and card.metrics["expected_left"] > 0


def test_store_series_reads_the_card_day_column():
    import numpy as np

    from workbench.forecasting.api import NextForecast
    from workbench.suggestions.forecast import store_series

    days = [DAY, DAY + timedelta(days=1), DAY + timedelta(days=2)]
    grid = np.array([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])
    fake = NextForecast(as_of=END, days=days, keys=[(1, 5), (2, 5)], p10=grid * 0.5, p50=grid, p90=grid * 2,
                        mean=grid, method="fake")
    tomorrow = store_series(fake, 1, DAY + timedelta(days=1))
    assert list(tomorrow) == [5]
    assert tomorrow[5].p50 == [2.0, 3.0] and tomorrow[5].p90 == [4.0, 6.0] and tomorrow[5].source == "fake"
    assert store_series(fake, 2, DAY)[5].mean == [10.0, 20.0, 30.0]
    assert store_series(fake, 1, DAY + timedelta(days=5)) == {}
    assert store_series(None, 1, DAY) == {}
