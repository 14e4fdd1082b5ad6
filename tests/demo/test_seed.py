"""``flask demo seed``: the command, its guards, determinism and database integrity."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select, text

from tests.factories import gen_member, gen_order
from workbench.demo import load as demo_load
from workbench.demo import process
from workbench.demo.generate import SEEDED_TABLES, SeedParams, generate, members_for
from workbench.demo.seed import DataExists, reset_database, seed
from workbench.models import (
    Interaction,
    JobRecord,
    Order,
    OrderItem,
    Product,
    Role,
    Store,
    StoreKpi,
    User,
)

SMALL = ["demo", "seed", "--stores", "3", "--members", "300", "--days", "60", "--seed", "7",
         "--end-date", "2026-11-20", "--quiet"]
END = date(2026, 11, 20)

#: Tables compared for determinism (users minus the salted password hashes, kpis minus time).
CHECKED = {
    "members": "*", "orders": "*", "order_items": "*", "interactions": "*", "campaigns": "*",
    "campaign_products": "*", "stock_batches": "*", "weather": "*", "reviews": "*", "refunds": "*",
    "member_tags": "member_id, tag_id, source, assigned_at", "communities": "*", "buildings": "*",
    "users": "id, username, phone, name, role, region_id", "stores": "*", "products": "*",
    "store_kpis": "store_id, as_of, gmv_fen, orders, active_members, total_members",
}


def checksums(db) -> dict[str, str]:
    out = {}
    for table, cols in CHECKED.items():
        order = "member_id, tag_id" if table == "member_tags" else ("store_id" if table == "store_kpis" else "id")
        rows = db.session.execute(text(f"SELECT {cols} FROM {table} ORDER BY {order}")).all()
        out[table] = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
    db.session.rollback()
    return out


def small(seed_value: int = 7) -> SeedParams:
    return SeedParams.build(stores=3, members=1200, days=60, seed=seed_value, end_date=END)


def test_cli_seeds_and_prints_one_login_per_person(runner, db):
    result = runner.invoke(args=SMALL)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Seeded 3 stores, 300 members, 60 days to 2026-11-20 (seed 7)" in out
    for line in ("admin", "hq", "region1", "region2", "region3", "owner001", "owner002", "owner003"):
        assert f" {line} " in out
    assert "13800000001" in out and "demo-owner" in out and "demo-region" in out and "demo-admin" in out
    assert "owner004" not in out
    # Every owner runs one store; logins work with the printed passwords.
    owner = db.session.scalar(select(User).where(User.username == "owner002"))
    assert owner.role == Role.OWNER and owner.store.code == "S002" and owner.phone == "13800000002"
    assert owner.check_password(process.OWNER_PASSWORD)
    assert db.session.scalar(select(User).where(User.username == "region1")).check_password("demo-region")
    assert db.session.scalar(select(User).where(User.username == "admin")).check_password("demo-admin")
    assert db.session.scalar(select(User).where(User.username == "hq")).role == Role.HQ
    # The stores list's 7-day figures are filled for the end date.
    kpis = db.session.scalars(select(StoreKpi)).all()
    assert len(kpis) == 3 and all(k.as_of == END and k.orders > 0 and k.gmv_fen > 0 for k in kpis)


def test_if_empty_leaves_existing_data_alone(runner, db):
    assert runner.invoke(args=SMALL).exit_code == 0
    before = checksums(db)
    again = runner.invoke(args=["demo", "seed", "--if-empty", "--stores", "5", "--quiet"])
    assert again.exit_code == 0, again.output
    assert "already exists" in again.output
    assert checksums(db) == before
    refused = runner.invoke(args=SMALL)
    assert refused.exit_code == 1 and "--reset" in refused.output
    assert checksums(db) == before


def test_if_empty_seeds_an_empty_database(runner, db):
    # A worker may have recorded a job before the first seed; that is not "data".
    db.session.add(JobRecord(id="job-before-seed", name="stores.recompute", description="刷新门店指标"))
    db.session.commit()
    result = runner.invoke(args=[*SMALL[:2], "--if-empty", *SMALL[2:]])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Store.id))) == 3


def test_same_seed_same_rows_other_seed_other_rows(app, db, monkeypatch):
    # Exercise PostgreSQL's drop-and-rebuild path for big tables on this small data too.
    monkeypatch.setattr(demo_load, "BIG_TABLE_ROWS", 1000)
    seed(small(7))
    first = checksums(db)
    reset_database()
    seed(small(7))
    assert checksums(db) == first
    reset_database()
    seed(small(8))
    other = checksums(db)
    assert other["orders"] != first["orders"] and other["members"] != first["members"]
    with pytest.raises(DataExists):
        seed(small(8))


def test_foreign_keys_and_checks_hold(app, db):
    seed(small())
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    # Ids continue after the loaded ones (PostgreSQL sequences were moved).
    store = db.session.get(Store, 1)
    member = gen_member(db.session, store, store.communities[0], phone="19900000000", name="新会员", joined_on=END)
    db.session.commit()
    assert member.id == 1201
    order = gen_order(db.session, store, member, code="NEW-1", status="placed", source="qr")
    db.session.commit()
    assert order.id == db.session.scalar(select(func.max(Order.id)))


def test_rows_read_back_through_the_models(app, db):
    seed(small())
    order = db.session.scalars(select(Order).where(Order.status == "picked_up").limit(1)).one()
    assert order.placed_at.tzinfo is not None
    assert order.placed_at <= order.paid_at <= order.arrived_at <= order.picked_up_at
    assert order.total_fen == sum(i.amount_fen for i in order.items)
    product = db.session.get(Product, 1)
    assert product.sku == "FRU001" and "进口" in product.attributes and product.aliases
    assert db.session.scalar(select(func.count(Product.id))) >= 290
    assert db.session.scalar(select(func.count(OrderItem.id))) > 2000
    assert db.session.scalar(select(func.count(Interaction.id))) > 500


def test_sizes_follow_the_presets():
    assert members_for(24) == 24_000
    assert members_for(200) == 200_000
    large = SeedParams.build(end_date=END, preset="large")
    assert (large.stores, large.members, large.days) == (200, 200_000, 180)
    assert SeedParams.build(end_date=END, stores=200).members == 200_000
    default = SeedParams.build(end_date=END)
    assert (default.stores, default.members, default.days, default.seed) == (24, 24_000, 180, process.DEFAULT_SEED)
    assert default.start_date == END - timedelta(days=179)
    with pytest.raises(ValueError):
        SeedParams.build(end_date=END, stores=5, members=2)


def test_generation_is_deterministic_without_a_database():
    a, b = generate(small(11)), generate(small(11))
    assert set(a.tables) == set(SEEDED_TABLES)
    for table in ("orders", "order_items", "interactions", "members", "stock_batches"):
        for column, values in a.tables[table].items():
            other = b.tables[table][column]
            if isinstance(values, np.ndarray):
                values, other = values.view(np.int64) if values.dtype.kind == "M" else values, (
                    other.view(np.int64) if other.dtype.kind == "M" else other)
            assert list(values) == list(other), (table, column)
