"""``forecast_next`` on a small seeded demo brand: shapes, quantile order, no look-ahead,
store batches, and the job fan-out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from tests.factories import Line, gen_order
from workbench.demo.generate import SeedParams
from workbench.demo.seed import seed
from workbench.forecasting import jobs
from workbench.forecasting.api import NextForecast, forecast_next
from workbench.models import Order, Product, Store

END = date(2026, 11, 20)
AS_OF = END - timedelta(days=3)  # the days after it exist in the data and must be ignored
FAST = {"rounds": 25, "max_rows": 20_000, "threads": 1}  # unit-test sized LightGBM


@pytest.fixture
def demo(db):
    seed(SeedParams.build(end_date=END, stores=2, members=960, days=75, seed=3))
    return db


def test_forecast_next_shapes_order_and_context(demo):
    fc = forecast_next(demo.session, None, AS_OF, horizon_days=7, options=FAST)
    assert fc.days == [AS_OF + timedelta(days=h) for h in range(1, 8)]
    n = len(fc.keys)
    assert n > 20 and len({s for s, _ in fc.keys}) == 2
    for arr in (fc.p10, fc.p50, fc.p90, fc.mean):
        assert arr.shape == (n, 7) and np.all(np.isfinite(arr)) and np.all(arr >= 0)
    assert np.all(fc.p10 <= fc.p50) and np.all(fc.p50 <= fc.p90)
    assert fc.p90.mean() > fc.p10.mean()
    store_id, product_id = fc.keys[0]
    one = fc.get(store_id, product_id)
    assert one["days"] == fc.days and len(one["p50"]) == 7
    assert fc.get(store_id, -1) is None
    ctx = fc.context[store_id]
    assert [c["day"] for c in ctx] == fc.days
    assert ctx[0]["temp_high_c"] is not None and ctx[0]["day_kind"] in ("workday", "weekend", "holiday",
                                                                         "makeup_workday")


def test_no_data_after_as_of_is_used(demo):
    before = forecast_next(demo.session, None, AS_OF, horizon_days=2, method="ma28")
    lgbm = forecast_next(demo.session, None, AS_OF, horizon_days=2, options=FAST)
    store = demo.session.scalar(select(Store).order_by(Store.id))
    store_id, product_id = next(k for k in lgbm.keys if k[0] == store.id)
    member_id = demo.session.scalar(select(Order.member_id).where(Order.store_id == store.id).limit(1))
    # A flood of sales on the day after as_of (local noon) must change nothing.
    cheap = Line(demo.session.get(Product, product_id), quantity=50, unit_price_fen=2, list_price_fen=2)
    for k in range(5):
        gen_order(demo.session, store, member_id, [cheap],
                  code=f"FUTURE{k}", placed_at=datetime(2026, 11, 18, 4, k, tzinfo=UTC))
    demo.session.commit()
    after = forecast_next(demo.session, None, AS_OF, horizon_days=2, method="ma28")
    lgbm_after = forecast_next(demo.session, None, AS_OF, horizon_days=2, options=FAST)
    assert after.keys == before.keys
    np.testing.assert_array_equal(after.p50, before.p50)
    np.testing.assert_array_equal(lgbm_after.mean, lgbm.mean)
    np.testing.assert_array_equal(lgbm_after.p90, lgbm.p90)
    # …while moving as_of past them does see them.
    later = forecast_next(demo.session, None, AS_OF + timedelta(days=1), horizon_days=2, method="ma28")
    i, j = before.index(store_id, product_id), later.index(store_id, product_id)
    assert later.p50[j, 0] > before.p50[i, 0]


def test_store_batches_cover_the_same_series_as_one_run(demo):
    stores = sorted(demo.session.scalars(select(Store.id)))
    whole = forecast_next(demo.session, stores, AS_OF, horizon_days=2, method="seasonal_naive")
    parts = [forecast_next(demo.session, [s], AS_OF, horizon_days=2, method="seasonal_naive") for s in stores]
    joined = NextForecast.concat(parts)
    assert sorted(joined.keys) == sorted(whole.keys)
    for key in whole.keys:
        np.testing.assert_allclose(joined.get(*key)["p50"], whole.get(*key)["p50"])
    assert set(joined.context) == set(stores)


def test_job_fan_out_single_process(demo):
    stores = sorted(demo.session.scalars(select(Store.id)))
    batches = jobs.store_batches(demo.session, batch_size=1)
    assert batches == [[s] for s in stores]
    result = jobs.forecast_stores(demo.session, as_of=AS_OF, horizon_days=2, method="ma28", batch_size=1)
    direct = forecast_next(demo.session, stores, AS_OF, horizon_days=2, method="ma28")
    assert sorted(result.keys) == sorted(direct.keys)


def test_bad_arguments(demo):
    with pytest.raises(ValueError, match="horizon_days"):
        forecast_next(demo.session, None, AS_OF, horizon_days=0)
    with pytest.raises(ValueError, match="unknown method"):
        forecast_next(demo.session, None, AS_OF, method="prophet")
    with pytest.raises(ValueError):
        forecast_next(demo.session, [999_999], AS_OF)
