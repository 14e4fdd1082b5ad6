"""The database reader: local days, excluded statuses, and the exogenous arrays."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np

from tests.factories import gen_campaign, gen_order
from workbench.forecasting.dbsource import load_panel
from workbench.models import Interaction, LiveSession, Weather


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_load_panel_from_orders_and_exogenous_tables(db, world):
    store, member = world.a.store, world.a.members[0]
    grape, yogurt = world.products[0], world.products[1]
    s = db.session

    def order(when, product, qty, status="paid"):
        gen_order(s, store, member, [(product, qty)], status=status, placed_at=when)

    order(utc(2026, 3, 10, 15, 30), grape, 2)  # 23:30 in Shanghai → 3-10
    order(utc(2026, 3, 10, 16, 30), grape, 3)  # 00:30 on 3-11 in Shanghai
    order(utc(2026, 3, 12, 4, 0), grape, 7, status="cancelled")  # not demand
    order(utc(2026, 3, 12, 4, 0), grape, 1, status="refunded")  # demand that happened
    order(utc(2026, 3, 11, 2, 0), yogurt, 4)
    gen_campaign(s, store, title="t", starts_at=utc(2026, 3, 11, 16, 0),  # 3-12 00:00 local
                 ends_at=utc(2026, 3, 12, 12, 0), pickup_on=date(2026, 3, 14), status="grouped",
                 products=[(grape, grape.price_fen * 3 // 4, 5)])
    s.add(LiveSession(store_id=store.id, title="live", started_at=utc(2026, 3, 10, 12, 0)))  # 20:00 local
    s.add(Weather(city=store.city, day=date(2026, 3, 11), temp_high_c=18, temp_low_c=9, rain_mm=125))
    for hour in (1, 2, 3):
        s.add(Interaction(store_id=store.id, member_id=member.id, kind="group_message", topic="水果",
                          occurred_at=utc(2026, 3, 10, hour)))
    s.add(Interaction(store_id=store.id, member_id=member.id, kind="group_message", topic="低糖",
                      occurred_at=utc(2026, 3, 11, 1)))
    s.add(Interaction(store_id=store.id, member_id=member.id, kind="click", product_id=grape.id,
                      occurred_at=utc(2026, 3, 12, 1)))
    s.commit()

    with db.engine.connect() as conn:
        panel = load_panel(conn, days=4, end=date(2026, 3, 12))
    assert panel.start == date(2026, 3, 10) and panel.n_days == 3
    keys = list(zip(panel.store.tolist(), panel.sku.tolist(), strict=True))
    g, y = keys.index((store.id, grape.id)), keys.index((store.id, yogurt.id))
    assert panel.units[g].tolist() == [2, 3, 1]
    assert panel.units[y].tolist() == [0, 4, 0] and panel.alive[y].tolist() == [False, True, True]
    assert panel.exog["campaign"][g].tolist() == [0, 0, 1]
    np.testing.assert_allclose(panel.exog["discount"][g], [0, 0, 1 - (grape.price_fen * 3 // 4) / grape.price_fen])
    assert panel.exog["live"][g].tolist() == [1, 0, 0]
    np.testing.assert_array_equal(panel.exog["temp_high"][g], [np.nan, 18, np.nan])
    np.testing.assert_array_equal(panel.exog["rain_mm"][y], [np.nan, 12.5, np.nan])
    assert panel.exog["talk_topic"][g].tolist() == [3, 0, 0]  # 水果 is the grape's category
    assert panel.exog["talk_topic"][y].tolist() == [0, 1, 0]  # 低糖 is the yogurt's attribute
    assert panel.exog["talk_product"][g].tolist() == [0, 0, 1]
    assert panel.category_code[g] != panel.category_code[y]
    assert panel.day_kind.shape == (3,)
