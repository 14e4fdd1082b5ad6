"""The one scoping helper: which stores' rows each role can reach."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select
from werkzeug.exceptions import Forbidden, NotFound

from tests.factories import gen_user
from workbench.auth.scoping import current_store, get_scoped_or_404, scoped, visible_stores
from workbench.models import (
    Campaign,
    Community,
    JobRecord,
    Member,
    Order,
    OrderItem,
    Role,
    StockBatch,
    Store,
)

#: Models with a ``store_id`` an owner page may list.
STORE_MODELS = [Order, Member, Campaign, StockBatch, Community]


def store_ids(db, model, user) -> set[int]:
    """The store ids of the rows of ``model`` that ``scoped`` lets ``user`` see."""
    column = model.id if model is Store else model.store_id
    return set(db.session.scalars(scoped(select(column), model, user)))


def all_ids(world) -> set[int]:
    return {world.a.store.id, world.b.store.id, world.c.store.id}


@pytest.mark.parametrize("model", STORE_MODELS + [Store], ids=lambda m: m.__name__)
def test_owner_sees_only_own_store(db, world, model):
    assert store_ids(db, model, world.owner_a) == {world.a.store.id}


@pytest.mark.parametrize("model", STORE_MODELS + [Store], ids=lambda m: m.__name__)
def test_regional_sees_own_region(db, world, model):
    assert store_ids(db, model, world.regional) == {world.a.store.id, world.b.store.id}


@pytest.mark.parametrize("model", STORE_MODELS + [Store], ids=lambda m: m.__name__)
@pytest.mark.parametrize("who", ["hq", "admin"])
def test_hq_and_admin_see_everything(db, world, model, who):
    assert store_ids(db, model, getattr(world, who)) == all_ids(world)


def test_owner_without_store_sees_nothing(db, world):
    orphan = gen_user(db.session, Role.OWNER, username="no_store_owner")
    db.session.commit()
    for model in STORE_MODELS + [Store]:
        assert store_ids(db, model, orphan) == set(), model.__name__
    with pytest.raises(NotFound):
        get_scoped_or_404(Order, world.a.orders[0].id, orphan)


def test_regional_of_empty_region_sees_nothing(db, world):
    from workbench.models import Region

    empty = Region(brand_id=world.brand.id, name="空区")
    db.session.add(empty)
    db.session.flush()
    manager = gen_user(db.session, Role.REGIONAL, region=empty, username="empty_region")
    db.session.commit()
    assert store_ids(db, Order, manager) == set()
    assert db.session.scalars(visible_stores(manager)).all() == []


def test_anonymous_sees_nothing(db, world):
    anonymous = AnonymousUserMixin()
    for model in STORE_MODELS + [Store]:
        assert store_ids(db, model, anonymous) == set(), model.__name__


def test_row_counts_match_the_world(db, world):
    """Not only the store ids: the owner gets every row of their store and no other."""
    rows = db.session.scalars(scoped(select(Order), Order, world.owner_a)).all()
    assert sorted(o.id for o in rows) == sorted(o.id for o in world.a.orders)
    members = db.session.scalars(scoped(select(Member), Member, world.regional)).all()
    assert {m.id for m in members} == {m.id for m in world.a.members + world.b.members}


def test_model_without_store_column_is_scoped_through_a_join(db, world):
    stmt = scoped(select(OrderItem).join(Order), Order, world.owner_a)
    items = db.session.scalars(stmt).all()
    assert items and {i.order_id for i in items} == {o.id for o in world.a.orders}


def test_get_scoped_or_404(db, world):
    own, other_store, other_region = world.a.orders[0], world.b.orders[0], world.c.orders[0]
    assert get_scoped_or_404(Order, own.id, world.owner_a) is own
    with pytest.raises(NotFound):
        get_scoped_or_404(Order, other_store.id, world.owner_a)
    assert get_scoped_or_404(Order, other_store.id, world.regional).id == other_store.id
    with pytest.raises(NotFound):
        get_scoped_or_404(Order, other_region.id, world.regional)
    for staff in (world.hq, world.admin):
        assert get_scoped_or_404(Order, other_region.id, staff).id == other_region.id
    with pytest.raises(NotFound):
        get_scoped_or_404(Order, 10**9, world.hq)  # missing is 404 too, even for HQ


def test_get_scoped_or_404_on_store_and_string_keys(db, world):
    assert get_scoped_or_404(Store, world.a.store.id, world.owner_a).id == world.a.store.id
    with pytest.raises(NotFound):
        get_scoped_or_404(Store, world.b.store.id, world.owner_a)
    with pytest.raises(NotFound):
        get_scoped_or_404(Store, world.c.store.id, world.regional)
    # JobRecord has a string key and a nullable store.
    assert get_scoped_or_404(JobRecord, "job-of-owner-b", world.owner_b).id == "job-of-owner-b"
    with pytest.raises(NotFound):
        get_scoped_or_404(JobRecord, "job-of-owner-b", world.owner_a)


def test_visible_stores_ordered_by_code(db, world):
    codes = [s.code for s in db.session.scalars(visible_stores(world.hq))]
    assert codes == sorted(codes) == ["A01", "B02", "C03"]
    assert [s.code for s in db.session.scalars(visible_stores(world.regional))] == ["A01", "B02"]
    assert [s.code for s in db.session.scalars(visible_stores(world.owner_a))] == ["A01"]


def test_scoped_defaults_to_the_logged_in_user(app, db, world):
    from flask_login import login_user

    with app.test_request_context():
        login_user(world.owner_a)
        assert set(db.session.scalars(scoped(select(Order.store_id), Order))) == {world.a.store.id}
        assert current_store().id == world.a.store.id


def test_current_store_refuses_staff_and_anonymous(app, world):
    from flask_login import login_user

    with app.test_request_context():
        with pytest.raises(Forbidden):
            current_store()  # anonymous
        login_user(world.hq)
        with pytest.raises(Forbidden):
            current_store()
