"""Member and product matching on plain lists (no database)."""

from __future__ import annotations

from workbench.intake.matching import MemberIndex, MemberRef, ProductIndex, ProductRef, match_line
from workbench.intake.parser import parse_line

MEMBERS = [
    MemberRef(1, "张姐", "13700001111", "3栋", "1单元502"),
    MemberRef(2, "张姐", "13700002222", "5栋", "301"),
    MemberRef(3, "王阿姨", "13800005678", "", ""),
    MemberRef(4, "李明", "13900005678", "6栋", "101"),
]
PRODUCTS = [
    ProductRef(10, 100, "蓝莓", ("蓝梅",), "125g/盒", "盒", 2590, 2990, "SKU1"),
    ProductRef(11, 101, "低糖酸奶", (), "200g×6", "组", 1090, 1290, "SKU2"),
    ProductRef(12, 102, "原味酸奶", (), "200g×6", "组", 990, 1190, "SKU3"),
    ProductRef(13, 103, "散养土鸡蛋", ("土鸡蛋",), "30枚/盒", "盒", 2990, 3500, "SKU4"),
    ProductRef(14, 104, "阳光玫瑰葡萄", (), "1kg", "盒", 3990, 4500, "SKU5"),
]


def match(text: str):
    return match_line(parse_line(text), MemberIndex(MEMBERS), ProductIndex(PRODUCTS))


def test_name_and_address_pick_one_of_two_namesakes():
    m = match("1. 张姐 3栋1单元502 蓝莓×2")
    assert m.member.status == "matched" and m.member.member.id == 1
    assert match("2. 张姐 5栋301 蓝莓1").member.member.id == 2


def test_a_name_alone_shared_by_two_is_ambiguous():
    m = match("3. 张姐 蓝莓1")
    assert m.member.status == "ambiguous"
    assert {c.id for c in m.member.candidates} == {1, 2}
    assert "member_ambiguous" in m.problems


def test_phone_tail_with_name_beats_tail_alone():
    assert match("4. 王阿姨5678 蓝莓1").member.member.id == 3
    assert match("5. 尾号5678 蓝莓1").member.status == "ambiguous"  # 王阿姨 and 李明 share it


def test_a_written_tail_that_differs_rules_the_member_out():
    assert match("6. 王阿姨 尾号0000 蓝莓1").member.status == "none"


def test_full_phone_of_nobody_proposes_a_new_member():
    m = match("7. 小赵 13612345678 蓝莓1")
    assert m.member.status == "new" and m.member.ok


def test_name_and_room_of_nobody_needs_a_phone():
    assert match("8. 新来的 9栋901 蓝莓1").member.status == "needs_phone"


def test_products_by_name_alias_containment_and_fuzzy():
    m = match("9. 王阿姨5678 蓝梅2 土鸡蛋1 玫瑰葡萄1 阳光玫瑰葡菊1")
    got = [(i.product.name if i.product else None, i.how) for i in m.items]
    assert got == [("蓝莓", "alias"), ("散养土鸡蛋", "alias"), ("阳光玫瑰葡萄", "contains"),
                   ("阳光玫瑰葡萄", "fuzzy")]


def test_two_products_containing_the_word_are_ambiguous():
    item = match("10. 王阿姨5678 酸奶2").items[0]
    assert item.product is None and item.status == "ambiguous"
    assert {p.name for p in item.candidates} == {"低糖酸奶", "原味酸奶"}


def test_unknown_product_offers_a_best_guess_but_does_not_choose_it():
    item = match("11. 王阿姨5678 兰莓2").items[0]
    assert item.product is None
    assert [p.name for p in item.candidates] == ["蓝莓"]


def test_quantity_in_the_spec_unit_means_one_box():
    item = match("12. 王阿姨5678 土鸡蛋 30枚").items[0]
    assert item.quantity == 1 and item.spec_note == "30枚 = 1盒"
    assert match("13. 王阿姨5678 土鸡蛋 2盒").items[0].quantity == 2


def test_name_written_flush_against_the_product_is_split():
    m = match("14. 王阿姨蓝莓2")
    assert m.name == "王阿姨" and m.items[0].product.name == "蓝莓" and m.member.member.id == 3


def test_a_lone_product_word_after_a_phone_is_an_item():
    m = match("15. 137****1111 土鸡蛋")
    assert m.member.member.id == 1
    assert [(i.product.name, i.quantity) for i in m.items] == [("散养土鸡蛋", 1)]


def test_sku_matches():
    assert ProductIndex(PRODUCTS).find("sku4")[0].name == "散养土鸡蛋"
