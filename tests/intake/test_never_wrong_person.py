"""Issue 15 at service and HTTP level: a name that does not fit the member at the address is
flagged and never imported; a one-character slip is imported and shown as 已纠正."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from workbench.intake import services
from workbench.models import Member, Order
from workbench.types import utcnow

HX = {"HX-Request": "true"}
CONFLICT = "1. 张姐 3栋2单元502 蓝莓×2\n"  # 3栋2单元502 is 徐福生's: the line names someone else
SLIP = "2. 王阿姨 兰莓2\n"  # 兰莓 for 蓝莓: sounds the same


def _xu(db, world):
    """徐福生 lives at 3栋2单元502, next door to 张姐 (3栋1单元502) in the same building."""
    xu = Member(store_id=world.a.store.id, community_id=world.a.community.id, building_id=world.a.building.id,
                phone="13700003333", name="徐福生", room="2单元502", joined_on=world.a.members[0].joined_on,
                pickup_code="900003")
    db.session.add(xu)
    db.session.commit()
    return xu


def _ctx(db, world, shop):
    return services.StoreContext.load(db.session, world.a.store.id, shop.campaign.id)


def test_service_flags_the_conflict_and_imports_only_the_rest(db, world, shop):
    xu = _xu(db, world)
    ctx = _ctx(db, world, shop)
    preview = services.build_preview(db.session, ctx, CONFLICT + SLIP)
    conflict, slip = preview.lines
    assert conflict.status == "fix" and conflict.problems == ["member_conflict"] and conflict.member is None
    assert [c.id for c in conflict.match.member.candidates] == [xu.id, shop.zhang.id]  # and the 张姐 next door
    assert slip.status == "ready" and [(i.product.name, i.quantity, i.how, i.written) for i in slip.items] == [
        ("蓝莓", 2, "corrected", "兰莓")]
    result = services.import_preview(db.session, ctx, preview, actor_id=world.owner_a.id, now=utcnow(),
                                     today=date.today())
    db.session.commit()
    assert len(result.created_codes) == 1 and result.skipped == 1
    assert db.session.scalar(select(Order.id).where(Order.member_id == xu.id)) is None


def test_service_the_owner_can_still_choose_the_member(db, world, shop):
    xu = _xu(db, world)
    fixes = services.parse_fixes({"m-1": str(xu.id)})
    line = services.build_preview(db.session, _ctx(db, world, shop), CONFLICT, fixes).lines[0]
    assert line.status == "ready" and line.member.id == xu.id


def test_http_preview_shows_the_conflict_and_the_correction(owner_client, db, world, shop):
    _xu(db, world)
    r = owner_client.post(f"/store/orders/campaigns/{shop.campaign.id}/paste/preview",
                          data={"text": CONFLICT + SLIP}, headers=HX)
    assert r.status_code == 200
    assert "名字不符" in r.text and "接龙写的是“张姐”" in r.text and "徐福生" in r.text
    assert "已纠正" in r.text and "原文“兰莓”" in r.text
    assert 'name="m-1"' in r.text  # the member select to resolve it
