"""HQ's purchase list summed by the database equals the one added up from every order line.

Issue 21: the page loaded every order line of the day across 200 stores (with members and
buildings) to add them up in Python; it now asks the database for the sums. On the demo
brand, every pickup day's list, its store count and its CSV must be what they were.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.conftest import login
from tests.factories import PASSWORD
from workbench.demo.generate import SeedParams
from workbench.demo.seed import seed
from workbench.fulfilment import exports, lists
from workbench.models import Campaign, Order, Role, Store, User

END = date(2026, 11, 20)


def test_every_pickup_day_of_the_demo_sums_to_the_same_list(app, db):
    seed(SeedParams.build(stores=4, members=1600, days=40, seed=3, end_date=END))
    store_ids = list(db.session.scalars(select(Store.id)))
    days = sorted(set(db.session.scalars(
        select(Campaign.pickup_on).join(Order, Order.campaign_id == Campaign.id)
        .where(Order.status.in_(lists.BATCH_STATUSES)))))
    assert days  # the demo leaves group buys waiting for delivery
    for day in days:
        lines = lists.batch_lines(db.session, store_ids, day)
        data, stores = lists.purchase_totals(db.session, store_ids, day)
        assert data == lists.purchase_list(lines)
        assert data.total == sum(ln.quantity for ln in lines) > 0
        assert stores == len({ln.store_id for ln in lines})
        for ids in (store_ids[:1], store_ids[1:3]):  # a regional manager's few stores
            assert lists.purchase_totals(db.session, ids, day)[0] == lists.purchase_list(
                lists.batch_lines(db.session, ids, day))
    assert lists.purchase_totals(db.session, [], days[0]) == (lists.PurchaseList([], []), 0)

    # The page and its CSV, as HQ gets them.
    hq = db.session.scalar(select(User).where(User.role == Role.HQ))
    hq.set_password(PASSWORD)
    db.session.commit()
    client = login(app.test_client(), hq)
    day = days[0]
    expected = exports.purchase_csv(lists.purchase_list(lists.batch_lines(db.session, store_ids, day)),
                                    with_store=True)
    assert client.get(f"/hq/fulfilment/purchase?day={day}&format=csv").data == expected
    page = client.get(f"/hq/fulfilment/purchase?day={day}").get_data(as_text=True)
    first_point = lists.purchase_list(lists.batch_lines(db.session, store_ids, day)).points[0]
    assert f"{first_point.store_name} · {first_point.name or '未指定自提点'}" in page
