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
                   ("阳光玫瑰葡萄", "corrected")]
    assert match("9. 王阿姨5678 阳光葡萄玫瑰1").items[0].how == "fuzzy"


def test_two_products_containing_the_word_are_ambiguous():
    item = match("10. 王阿姨5678 酸奶2").items[0]
    assert item.product is None and item.status == "ambiguous"
    assert {p.name for p in item.candidates} == {"低糖酸奶", "原味酸奶"}


def test_a_one_character_slip_is_corrected_when_one_product_is_that_close():
    item = match("11. 王阿姨5678 兰莓2").items[0]  # sounds the same: the keyboard offered the wrong one
    assert item.product.name == "蓝莓" and item.how == "corrected"
    assert match("11. 王阿姨5678 阳光玫葡萄2").items[0].how == "corrected"  # a dropped character


def test_a_slip_that_does_not_sound_the_same_in_a_short_name_is_not_guessed():
    item = match("11. 王阿姨5678 兰草2").items[0]
    assert item.product is None


def test_a_slip_two_products_are_close_to_is_flagged():
    products = [*PRODUCTS, ProductRef(15, 105, "蓝梅干", (), "", "袋", 990, 1190, "SKU6"),
                ProductRef(16, 106, "篮梅", (), "", "盒", 990, 1190, "SKU7")]
    m = match_line(parse_line("12. 王阿姨5678 兰梅2"), MemberIndex(MEMBERS), ProductIndex(products))
    assert m.items[0].product is None and m.items[0].status == "ambiguous"
    assert "product_ambiguous" in m.problems


def test_unknown_product_offers_a_best_guess_but_does_not_choose_it():
    item = match("11. 王阿姨5678 葡萄干2").items[0]
    assert item.product is None


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


def test_an_address_alone_never_gives_the_line_to_someone_else():
    members = [*MEMBERS, MemberRef(5, "徐福生", "13600003333", "3栋", "2单元502")]
    m = match_line(parse_line("12. 张姐 3栋502 蓝莓×2"), MemberIndex(members), ProductIndex(PRODUCTS))
    # 张姐 of 3栋1单元502 fits by name and room; 徐福生 only by room: 张姐 wins.
    assert m.member.status == "matched" and m.member.member.id == 1
    only_xu = [MemberRef(5, "徐福生", "13600003333", "3栋", "2单元502"), MemberRef(6, "李明", "13900001234")]
    m = match_line(parse_line("12. 张姐 3栋502 蓝莓×2"), MemberIndex(only_xu), ProductIndex(PRODUCTS))
    assert m.member.status == "conflict" and not m.member.ok
    assert [c.id for c in m.member.candidates] == [5] and "member_conflict" in m.problems


def test_a_name_that_fits_by_surname_is_not_a_conflict():
    members = [MemberRef(7, "张秀英", "13600004444", "3栋", "2单元502")]
    m = match_line(parse_line("12. 张姐 3栋502 蓝莓×2"), MemberIndex(members), ProductIndex(PRODUCTS))
    assert m.member.status == "matched" and m.member.member.id == 7


def test_a_bare_room_finds_the_one_member_living_there():
    m = match("13. 李明 101 蓝莓2")
    assert m.line.address.room == "101" and m.member.member.id == 4
    assert match("13. 101 蓝莓2").member.member.id == 4  # no name: the room alone, one member
    both = [*MEMBERS, MemberRef(8, "赵", "13600005555", "9栋", "101")]
    assert match_line(parse_line("13. 101 蓝莓2"), MemberIndex(both), ProductIndex(PRODUCTS)).member.status \
        == "ambiguous"


def test_a_bracketed_note_chooses_the_variant():
    m = match("14. 王阿姨5678 酸奶2（原味）")
    assert [(i.product.name, i.quantity, i.how) for i in m.items] == [("原味酸奶", 2, "note")]
    m = match("14. 王阿姨5678 蓝莓2（大份）")
    assert [(i.product.name, i.quantity) for i in m.items] == [("蓝莓", 2)] and not m.problems


def test_a_note_naming_another_kind_is_offered_not_chosen():
    only_low_sugar = [p for p in PRODUCTS if p.name != "原味酸奶"]
    m = match_line(parse_line("15. 王阿姨5678 酸奶2（原味）"), MemberIndex(MEMBERS), ProductIndex(only_low_sugar))
    item = m.items[0]
    assert item.product is None and [p.name for p in item.candidates] == ["低糖酸奶"]
    assert m.problems == ["product_none"]
    ok = match_line(parse_line("15. 王阿姨5678 酸奶2（低糖）"), MemberIndex(MEMBERS), ProductIndex(only_low_sugar))
    assert ok.items[0].product.name == "低糖酸奶" and not ok.problems


def test_a_line_with_dozens_of_items_is_flagged_and_bounded():
    m = match("16. 王阿姨5678 " + " ".join(["蓝莓1"] * 30))
    assert len(m.items) == 20 and "too_many_items" in m.problems


def test_a_conflict_offers_the_member_of_that_name_too():
    members = [*MEMBERS, MemberRef(5, "徐福生", "13600003333", "3栋", "2单元502")]
    m = match_line(parse_line("12. 李明 3栋2单元502 蓝莓×2"), MemberIndex(members), ProductIndex(PRODUCTS))
    assert m.member.status == "conflict" and [c.id for c in m.member.candidates] == [5, 4]
