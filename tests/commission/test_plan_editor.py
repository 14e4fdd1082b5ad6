"""The plan editor's services: validation (all errors, in Chinese), closed-month guard, preview, save."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from tests.commission.conftest import at
from tests.commission.hq_fixtures import NOW, OCT, build_settled
from workbench.commission import plan_editor
from workbench.commission.plan_editor import Invalid, VersionForm, percent_to_bp
from workbench.models import (
    CommissionPlanVersion,
    CommissionRate,
    CommissionStatement,
    CommissionTier,
)


def form(**kw) -> VersionForm:
    base = dict(effective_from="2026-12-01", tier_mode="whole", after_sales_days="7", note="",
                tiers=[("0", "8"), ("20000", "10"), ("50000", "12")], categories={}, products=[], campaigns=[])
    base.update(kw)
    return VersionForm(**base)


@pytest.mark.parametrize(("text", "bp"), [("8", 800), ("12.5", 1250), ("0", 0), ("100", 10000), ("0.01", 1),
                                          ("7.25%", 725)])
def test_percent_to_bp_is_exact(text, bp):
    assert percent_to_bp(text) == bp


@pytest.mark.parametrize("text", ["", "-1", "100.01", "101", "1.234", "abc", "1e2"])
def test_percent_to_bp_refuses(text):
    with pytest.raises(ValueError):
        percent_to_bp(text)


def test_a_valid_form_becomes_a_book(ledger, app):
    world = ledger.world
    cat = world.products[0].category_id
    with app.test_request_context():
        proposal = plan_editor.validate(ledger.session, ledger.plan.id, form(
            tier_mode="marginal", categories={cat: "6.5"}, products=[(world.products[1].sku, "3")],
            campaigns=[(str(world.a.campaign.id), "0")]), date(2026, 11, 20))
    book = proposal.book
    assert book.tiers == ((0, 800), (2_000_000, 1000), (5_000_000, 1200))
    assert (book.tier_mode, book.after_sales_days, book.effective_from) == ("marginal", 7, date(2026, 12, 1))
    assert book.category_bp == {cat: 650}
    assert book.product_bp == {world.products[1].id: 300}
    assert book.campaign_bp == {world.a.campaign.id: 0}


@pytest.mark.parametrize(("changes", "key"), [
    ({"effective_from": "2026-13-01"}, "effective_from"),
    ({"tier_mode": "bands"}, "tier_mode"),
    ({"after_sales_days": "91"}, "after_sales_days"),
    ({"after_sales_days": "-1"}, "after_sales_days"),
    ({"tiers": [("100", "8")]}, "tiers"),
    ({"tiers": [("0", "8"), ("0", "9")]}, "tiers"),
    ({"tiers": [("0", "8"), ("500", "9"), ("300", "10")]}, "tiers"),
    ({"tiers": [("0", "101")]}, "tiers"),
    ({"tiers": [("0", "8.123")]}, "tiers"),
    ({"tiers": [("abc", "8")]}, "tiers"),
    ({"tiers": [("", "")]}, "tiers"),
    ({"products": [("NOPE", "5")]}, "products"),
    ({"campaigns": [("999999", "5")]}, "campaigns"),
    ({"campaigns": [("x", "5")]}, "campaigns"),
])
def test_each_bad_field_is_reported(ledger, app, changes, key):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}), pytest.raises(Invalid) as exc:
        plan_editor.validate(ledger.session, ledger.plan.id, form(**changes), date(2026, 11, 20))
    assert key in exc.value.errors


def test_duplicate_sku_and_bad_category_rate(ledger, app):
    sku = ledger.world.products[0].sku
    cat = ledger.world.products[0].category_id
    with app.test_request_context(), pytest.raises(Invalid) as exc:
        plan_editor.validate(ledger.session, ledger.plan.id, form(products=[(sku, "5"), (sku, "6")],
                                                                  categories={cat: "abc"}), date(2026, 11, 20))
    assert set(exc.value.errors) == {"products", f"category_{cat}"}


def test_a_date_inside_a_closed_month_is_refused_with_the_earliest_allowed_day(ledger, app):
    build_settled(ledger, disputes=False)
    with app.test_request_context(), pytest.raises(Invalid) as exc:
        plan_editor.validate(ledger.session, ledger.plan.id, form(effective_from="2026-10-15"), date(2026, 11, 20))
    assert "2026-11-01" in exc.value.errors["effective_from"] and OCT in exc.value.errors["effective_from"]
    assert plan_editor.earliest_start(ledger.session, ledger.plan.id, date(2026, 11, 20)) == date(2026, 12, 1)
    # November is not closed: a version from mid-November is allowed.
    with app.test_request_context():
        plan_editor.validate(ledger.session, ledger.plan.id, form(effective_from="2026-11-15"), date(2026, 11, 20))


def test_a_day_another_version_starts_on_is_refused(ledger, app):
    ledger.version(date(2026, 12, 1))
    with app.test_request_context(), pytest.raises(Invalid) as exc:
        plan_editor.validate(ledger.session, ledger.plan.id, form(), date(2026, 11, 20))
    assert "effective_from" in exc.value.errors


def test_save_writes_the_version_tiers_and_rates(ledger, app):
    world = ledger.world
    with app.test_request_context():
        proposal = plan_editor.validate(ledger.session, ledger.plan.id, form(
            products=[(world.products[1].sku, "3")], note="年终冲量"), date(2026, 11, 20))
    version = plan_editor.save(ledger.session, proposal, world.hq.id, NOW)
    ledger.session.commit()
    assert (version.created_by_id, version.note) == (world.hq.id, "年终冲量")
    assert ledger.session.scalar(select(func.count()).select_from(CommissionTier)
                                 .where(CommissionTier.version_id == version.id)) == 3
    assert ledger.session.scalar(select(CommissionRate.rate_bp).where(CommissionRate.version_id == version.id)) == 300


def test_preview_rerates_last_month_and_writes_nothing(ledger, app):
    s = build_settled(ledger, disputes=False)
    before = ledger.session.scalar(select(func.count()).select_from(CommissionPlanVersion))
    with app.test_request_context():
        proposal = plan_editor.validate(ledger.session, ledger.plan.id,
                                        form(tiers=[("0", "10")]), date(2026, 11, 20))
    result = plan_editor.preview(ledger.session, ledger.plan.id, proposal.book, NOW)
    assert result.period == OCT
    by_code = {r.code: r for r in result.rows}
    a = by_code[ledger.world.a.store.code]
    assert (a.closed, a.gmv_fen, a.current_fen, a.proposed_fen) == (True, 2_300_000, 230_000, 230_000)
    b = by_code[ledger.world.b.store.code]
    assert (b.current_fen, b.proposed_fen, b.difference_fen) == (25_600, 32_000, 6_400)
    assert result.difference_fen == 6_400 + (12_000 - 9_600)
    assert ledger.session.scalar(select(func.count()).select_from(CommissionPlanVersion)) == before
    assert ledger.session.get(CommissionStatement, s.statements["b"].id).commission_fen == 25_600


def test_preview_of_an_unclosed_month_is_live(ledger, app):
    ledger.version(date(2026, 1, 1), mode="marginal")
    ledger.pickup(date(2026, 10, 3), 3_000_000)
    with app.test_request_context():
        proposal = plan_editor.validate(ledger.session, ledger.plan.id, form(), date(2026, 11, 20))
    result = plan_editor.preview(ledger.session, ledger.plan.id, proposal.book, at(date(2026, 11, 20)))
    (a,) = result.rows
    # marginal now: 20,000 × 8 % + 10,000 × 10 %; whole proposed: 30,000 × 10 %.
    assert (a.closed, a.current_fen, a.proposed_fen) == (False, 260_000, 300_000)


def test_form_round_trips_from_a_request_and_a_version(ledger):
    v = ledger.version(date(2026, 1, 1), category_bp={ledger.world.products[0].category_id: 650})
    ledger.session.refresh(v)
    cat = ledger.world.products[0].category_id
    filled = VersionForm.from_version(v, date(2026, 12, 1), [cat], {})
    assert filled.tiers == [("0", "8"), ("20000", "10"), ("50000", "12")]
    assert filled.categories == {cat: "6.5"} and filled.effective_from == "2026-12-01"
    data = MultiDict([("effective_from", "2026-12-01"), ("tier_mode", "whole"), ("after_sales_days", "7"),
                      ("tier_from", "0"), ("tier_rate", "8"), (f"category_{cat}", "6.5")])
    parsed = VersionForm.from_multidict(data, [cat])
    assert parsed.tiers == [("0", "8")] and parsed.categories == {cat: "6.5"}
    assert len(parsed.padded().tiers) == 4
