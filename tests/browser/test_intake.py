"""接龙 import in a real browser: paste → preview → fix one row (htmx) → confirm → re-paste
shows "already in", then mark paid; CSV preview; desktop screenshots.

Screenshots go to /tmp/shots/intake/ (phone 375×812, desktop 1366×768).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.test_shells import log_in
from tests.intake.conftest import PASTE, make_shop
from workbench.extensions import db

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/intake")

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
#: Interactive controls in the main area smaller than a thumb (44 px high), by name.
SMALL_TARGETS = """
() => [...document.querySelectorAll('main a.btn, main button, main select, main input:not([type=hidden]):not([type=checkbox]), main textarea')]
  .filter(el => el.offsetParent !== null)
  .filter(el => el.getBoundingClientRect().height < 36)
  .map(el => el.outerHTML.slice(0, 80))
"""


def shot(tab, name: str, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=str(SHOTS / f"{tab.name}-{name}.png"), full_page=full_page)


def check_layout(tab, where: str) -> None:
    assert tab.page.evaluate(NO_SIDEWAYS_SCROLL), f"{where}: the page scrolls sideways"
    assert tab.page.evaluate(SMALL_TARGETS) == [], f"{where}: controls too small to tap"


def test_paste_fix_confirm_and_repaste_on_a_phone(phone, world):
    shop = make_shop(db.session, world)
    log_in(phone, world.owner_a)
    page = phone.page
    phone.goto("/store/orders/")
    shot(phone, "index")
    check_layout(phone, "index")
    with page.expect_navigation(wait_until="networkidle"):
        page.get_by_role("link", name="粘贴接龙").first.click()

    page.fill("textarea[name=text]", PASTE)
    page.get_by_role("button", name="预览").click()
    page.locator("#line-6").wait_for()
    assert page.locator(".jl-line--ready").count() == 3
    assert "jl-line--fix" in page.locator("#line-6").get_attribute("class")
    shot(phone, "preview")
    check_layout(phone, "preview")
    phone.assert_clean("preview")

    # Fix 榴莲 (not sold here) in place: choose 蓝莓; htmx swaps the row and the counts.
    page.select_option("select[name=p-6-0]", str(shop.blueberry.id))
    page.locator("#line-6.jl-line--ready").wait_for()
    assert page.locator("#jl-summary .jl-chip--ready b").inner_text() == "4"
    shot(phone, "preview-fixed")
    phone.assert_clean("fix row")

    with page.expect_navigation(wait_until="networkidle"):
        page.get_by_role("button", name="导入 4 单").click()
    assert page.url.endswith(f"/campaigns/{shop.campaign.id}/orders")
    assert "已导入 4 单" in page.content()
    shot(phone, "orders")
    check_layout(phone, "orders")

    # Mark one order paid (htmx).
    page.locator("input[name=order_id]").first.check()
    page.get_by_role("button", name="标记已付款").click()
    page.get_by_text("1 单已标记为已付款").wait_for()
    assert page.locator("input[name=order_id]").count() == 3
    shot(phone, "orders-paid")
    phone.assert_clean("mark paid")

    # The same chain again: every line is already in, nothing to import.
    phone.goto(f"/store/orders/campaigns/{shop.campaign.id}/paste")
    page.fill("textarea[name=text]", PASTE)
    page.get_by_role("button", name="预览").click()
    page.locator("#line-4").wait_for()
    assert page.locator(".jl-line--already").count() == 4
    assert page.locator(".jl-line--ready").count() == 0
    assert page.locator("#jl-confirm").is_disabled()
    shot(phone, "repaste")
    phone.assert_clean("re-paste")


def test_csv_preview_on_a_phone(phone, world, tmp_path):
    shop = make_shop(db.session, world)
    log_in(phone, world.owner_a)
    phone.goto(f"/store/orders/campaigns/{shop.campaign.id}/csv")
    shot(phone, "csv")
    check_layout(phone, "csv")
    path = tmp_path / "orders.csv"
    path.write_bytes(("手机号,姓名,楼栋,房号,商品,数量,外部单号\n"
                      "13700001111,张姐,3栋,1单元502,蓝莓,2,W1\n"
                      "13666668888,新人,3栋,808,散养土鸡蛋,1,\n"
                      "1.37E+10,坏,,,蓝莓,1,\n"
                      "13700002222,王阿姨,,,火龙果,1,\n").encode("gbk"))
    phone.page.set_input_files("input[name=file]", str(path))
    with phone.page.expect_navigation(wait_until="networkidle"):
        phone.page.get_by_role("button", name="检查文件").click()
    content = phone.page.content()
    assert "第 4 行" in content and "第 5 行" in content
    shot(phone, "csv-preview")
    check_layout(phone, "csv preview")
    with phone.page.expect_navigation(wait_until="networkidle"):
        phone.page.get_by_role("button", name="导入 2 行").click()
    assert "已导入 2 单" in phone.page.content()
    phone.assert_clean("csv")


def test_paste_preview_on_a_desktop(desktop, world):
    shop = make_shop(db.session, world)
    log_in(desktop, world.owner_a)
    desktop.goto("/store/orders/")
    shot(desktop, "index")
    desktop.goto(f"/store/orders/campaigns/{shop.campaign.id}/paste")
    desktop.page.fill("textarea[name=text]", PASTE)
    desktop.page.get_by_role("button", name="预览").click()
    desktop.page.locator("#line-6").wait_for()
    desktop.page.wait_for_load_state("networkidle")
    shot(desktop, "preview", full_page=False)
    shot(desktop, "preview-full")
    check_layout(desktop, "desktop preview")
    desktop.assert_clean("desktop")


CHECK_SHOTS = Path("/tmp/wb_parse_shots")
DAILY_PASTE = """#接龙 周末水果团
1. 张姐 3栋2单元502 蓝莓×2
2. 王阿姨 兰莓2 已付
3. 张姐 3栋1单元502 蓝莓1（大份）已转
4. 王阿姨 土鸡蛋60枚【自提】
"""


def test_conflict_and_correction_read_clearly_on_a_phone(phone, world):
    """The name-vs-address conflict (red, never ready) and 已纠正 beside a corrected product."""
    from workbench.models import Member

    shop = make_shop(db.session, world)
    db.session.add(Member(store_id=world.a.store.id, community_id=world.a.community.id,
                          building_id=world.a.building.id, phone="13700003333", name="徐福生", room="2单元502",
                          joined_on=world.a.members[0].joined_on, pickup_code="900003"))
    db.session.commit()
    log_in(phone, world.owner_a)
    phone.goto(f"/store/orders/campaigns/{shop.campaign.id}/paste")
    page = phone.page
    page.fill("textarea[name=text]", DAILY_PASTE)
    page.get_by_role("button", name="预览").click()
    page.locator("#line-5").wait_for()
    phone.settle()
    conflict = page.locator("#line-2")
    assert "jl-line--conflict" in conflict.get_attribute("class") and "jl-line--fix" in conflict.get_attribute("class")
    assert "名字不符" in conflict.inner_text() and "徐福生" in conflict.inner_text()
    corrected = page.locator("#line-3")
    assert "jl-line--ready" in corrected.get_attribute("class") and "已纠正" in corrected.inner_text()
    assert page.locator("#line-4 .jl-items").inner_text().startswith("蓝莓 × 1")
    assert "大份" in page.locator("#line-4").inner_text() and "已转" in page.locator("#line-4").inner_text()
    assert "散养土鸡蛋 × 2" in page.locator("#line-5 .jl-items").inner_text()
    check_layout(phone, "conflict preview")
    CHECK_SHOTS.mkdir(parents=True, exist_ok=True)
    conflict.scroll_into_view_if_needed()
    page.screenshot(path=str(CHECK_SHOTS / "phone-preview.png"), full_page=False)
    page.screenshot(path=str(CHECK_SHOTS / "phone-preview-full.png"), full_page=True)
    phone.assert_clean("conflict preview")
