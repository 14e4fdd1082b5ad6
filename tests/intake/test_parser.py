"""The 接龙 parser on lines written the many ways people write them.

Each row: the line as pasted → (seq, name, phone, phone tail, address "b-u-r", items
"text×qty[unit]" joined by "|"). Pure: no app, no database.
"""

from __future__ import annotations

import pytest

from workbench.intake.parser import cn_number, normalise, parse_line, parse_paste, source_keys

# (line, seq, name, phone, tail, address, items)
CORPUS = [
    ("12. 张姐 3栋1单元502 蓝莓×2 酸奶1", 12, "张姐", "", "", "3-1-502", "蓝莓×2|酸奶×1"),
    ("13. 138****5678 土鸡蛋 30枚", 13, "", "", "5678", "", "土鸡蛋×30枚"),
    ("１４．王阿姨５６７８ 葡萄两份", 14, "王阿姨", "", "5678", "", "葡萄×2份"),
    ("15、李 3-1-502 车厘子x1 酸奶*2", 15, "李", "", "", "3-1-502", "车厘子×1|酸奶×2"),
    ("16. 小王 尾号1234 蓝莓2盒+酸奶1", 16, "小王", "", "1234", "", "蓝莓×2盒|酸奶×1"),
    ("17. 刘姐（3#502）葡萄一份", 17, "刘姐", "", "", "3--502", "葡萄×1份"),
    ("18. 13812345678 赵 2份蓝莓", 18, "赵", "13812345678", "5678", "", "蓝莓×2份"),
    ("19. 张姐蓝莓2酸奶乘3", 19, "", "", "", "", "张姐蓝莓×2|酸奶×3"),
    ("20 陈 5幢1201 草莓 3", 20, "陈", "", "", "5--1201", "草莓×3"),
    ("21. 周阿姨 三栋二单元502 蓝莓两斤", 21, "周阿姨", "", "", "3-2-502", "蓝莓×2斤"),
    ("22. 阿珍 葡萄 X 3", 22, "阿珍", "", "", "", "葡萄×3"),
    ("23.小李 2-502 蓝莓*2 酸奶1盒", 23, "小李", "", "", "2--502", "蓝莓×2|酸奶×1盒"),
    ("24. 138xxxx5678 蓝莓x2", 24, "", "", "5678", "", "蓝莓×2"),
    ("25. 🍓草莓妈妈 草莓×2🍓", 25, "草莓妈妈", "", "", "", "草莓×2"),
    ("26．Lily 6号楼302 酸奶×4", 26, "Lily", "", "", "6--302", "酸奶×4"),
    ("27) 孙姐 7栋 牛奶2箱", 27, "孙姐", "", "", "7--", "牛奶×2箱"),
    ("28: 钱叔 尾号:9876 大米1袋", 28, "钱叔", "", "9876", "", "大米×1袋"),
    ("29. 吴 8栋3单元1101室 鸡蛋 1盒", 29, "吴", "", "", "8-3-1101", "鸡蛋×1盒"),
    ("30. 郑阿姨 9#1502 苹果5斤 梨3斤", 30, "郑阿姨", "", "", "9--1502", "苹果×5斤|梨×3斤"),
    ("31. 冯 蓝莓", 31, "冯", "", "", "", "蓝莓×1?"),
    ("32. 陈先生 13900001111 蓝莓×十", 32, "陈先生", "13900001111", "1111", "", "蓝莓×10"),
    ("33. 褚 蓝莓✖️2", 33, "褚", "", "", "", "蓝莓×2"),
    ("34. 卫 蓝莓 x 2", 34, "卫", "", "", "", "蓝莓×2"),
    ("35. 蒋姐 ，蓝莓2，酸奶1", 35, "蒋姐", "", "", "", "蓝莓×2|酸奶×1"),
    ("36. 沈 蓝莓2、酸奶1、土鸡蛋1", 36, "沈", "", "", "", "蓝莓×2|酸奶×1|土鸡蛋×1"),
    ("37. 韩 3栋502 蓝莓两个", 37, "韩", "", "", "3--502", "蓝莓×2个"),
    ("38. 杨 3栋502 蓝莓十二盒", 38, "杨", "", "", "3--502", "蓝莓×12盒"),
    ("39. 朱 蓝莓 二十 盒", 39, "朱", "", "", "", "蓝莓×20盒"),
    ("40. 秦 3-502 蓝莓＊2", 40, "秦", "", "", "3--502", "蓝莓×2"),
    ("41. 尤 1栋101 蓝莓2 ✅", 41, "尤", "", "", "1--101", "蓝莓×2"),
    ("42. 许 ３栋５０２ 蓝莓２", 42, "许", "", "", "3--502", "蓝莓×2"),
    ("43. 何 3栋502 车厘子 1 斤", 43, "何", "", "", "3--502", "车厘子×1斤"),
    ("44. 吕阿姨5678 蓝莓1", 44, "吕阿姨", "", "5678", "", "蓝莓×1"),
    ("45. 施 土鸡蛋30枚", 45, "施", "", "", "", "土鸡蛋×30枚"),
    ("46. 张 139 1234 5678 蓝莓2", 46, "张", "13912345678", "5678", "", "蓝莓×2"),
    ("47. 孔 蓝莓 2 盒", 47, "孔", "", "", "", "蓝莓×2盒"),
    ("48. 曹 3栋1单元502 蓝莓1 酸奶1 土鸡蛋1", 48, "曹", "", "", "3-1-502", "蓝莓×1|酸奶×1|土鸡蛋×1"),
    ("49. 严 蓝莓2 酸奶2", 49, "严", "", "", "", "蓝莓×2|酸奶×2"),
    ("50. 华 蓝莓1/酸奶2", 50, "华", "", "", "", "蓝莓×1|酸奶×2"),
    ("51. 金 3号502 蓝莓1", 51, "金", "", "", "3--502", "蓝莓×1"),
    ("52. 魏 5 栋 302 蓝莓 1", 52, "魏", "", "", "5--302", "蓝莓×1"),
    ("53. 陶 10幢2单元201 车厘子2斤", 53, "陶", "", "", "10-2-201", "车厘子×2斤"),
    ("54. 姜 蓝莓乘二", 54, "姜", "", "", "", "蓝莓×2"),
    ("55. 戚 兰莓2", 55, "戚", "", "", "", "兰莓×2"),
    ("56. 谢 酸牛奶 1", 56, "谢", "", "", "", "酸牛奶×1"),
    ("57. 邹 3栋502 13700001111 蓝莓1", 57, "邹", "13700001111", "1111", "3--502", "蓝莓×1"),
    ("58. 喻 手机尾号 4321 蓝莓1", 58, "喻", "", "4321", "", "蓝莓×1"),
    ("59. 柏 【3栋502】蓝莓1", 59, "柏", "", "", "3--502", "蓝莓×1"),
    ("60. 水 蓝莓1份；酸奶1份", 60, "水", "", "", "", "蓝莓×1份|酸奶×1份"),
    ("61. 窦 蓝莓1份 !", 61, "窦", "", "", "", "蓝莓×1份"),
    ("62. 章 3栋 502 蓝莓1", 62, "章", "", "", "3--502", "蓝莓×1"),
    ("63、云 蓝莓×1 💕", 63, "云", "", "", "", "蓝莓×1"),
    ("64. 苏 酸奶x10", 64, "苏", "", "", "", "酸奶×10"),
    ("65. 潘 土鸡蛋 一盒", 65, "潘", "", "", "", "土鸡蛋×1盒"),
    ("66. 葛 蓝莓 X2 酸奶 x1", 66, "葛", "", "", "", "蓝莓×2|酸奶×1"),
    ("67. 奚 3-1-502", 67, "奚", "", "", "3-1-502", ""),
    ("69. 138****0001 土鸡蛋", 69, "土鸡蛋", "", "0001", "", ""),
    ("70. 鲁 3栋502 草莓 两 盒", 70, "鲁", "", "", "3--502", "草莓×2盒"),
    ("71. 韦姐 139-1234-5678 酸奶2", 71, "韦姐", "13912345678", "5678", "", "酸奶×2"),
    ("72. 昌 12栋2单元1203 牛奶一箱 鸡蛋两盒", 72, "昌", "", "", "12-2-1203", "牛奶×1箱|鸡蛋×2盒"),
    ("73. 马姐 五栋502 葡萄3串", 73, "马姐", "", "", "5--502", "葡萄×3串"),
    ("74. 张姐 3栋502 蓝莓2 备注：要大的", 74, "张姐", "", "", "3--502", "蓝莓×2"),
    ("75. 王 蓝莓2 ￥51.8", 75, "王", "", "", "", "蓝莓×2"),
    ("76. 赵 蓝莓2份 共59.8元", 76, "赵", "", "", "", "蓝莓×2份"),
    ("77. 钟 酸奶3 合计 ¥32.7", 77, "钟", "", "", "", "酸奶×3"),
    ("68. 范阿姨 尾号5678 3栋502 蓝莓2盒 酸奶1", 68, "范阿姨", "", "5678", "3--502", "蓝莓×2盒|酸奶×1"),
]


def _items(line) -> str:
    return "|".join(f"{i.text}×{i.quantity}{i.unit}{'' if i.quantity_given else '?'}" for i in line.items)


def _address(line) -> str:
    a = line.address
    return f"{a.building}-{a.unit}-{a.room}" if a else ""


def test_corpus_is_big_enough():
    assert len(CORPUS) >= 60


@pytest.mark.parametrize(("raw", "seq", "name", "phone", "tail", "address", "items"), CORPUS,
                         ids=[str(row[1]) for row in CORPUS])
def test_corpus_line(raw, seq, name, phone, tail, address, items):
    line = parse_line(raw)
    got = (line.seq, line.name, line.phone, line.phone_tail, _address(line), _items(line))
    assert got == (seq, name, phone, tail, address, items), raw


@pytest.mark.parametrize(("word", "number"), [("一", 1), ("两", 2), ("十", 10), ("十二", 12), ("二十", 20),
                                               ("二十五", 25), ("一百", 100), ("一百零五", 105), ("三姐", None)])
def test_chinese_numbers(word, number):
    assert cn_number(word) == number


def test_normalise_full_width_and_signs():
    assert normalise("蓝莓＊２　酸奶Ｘ３") == "蓝莓×2 酸奶×3"
    assert normalise("三姐 蓝莓两盒") == "三姐 蓝莓2盒"  # a name keeps its numeral
    assert "138****5678" in normalise("138****5678 蓝莓1")  # a masked phone is not 138 × 5678


PASTE = """#接龙 周末水果团
周六下午提货，请写 楼栋+房号
例：1. 张三 3栋502 蓝莓×2

1. 张姐 3栋1单元502 蓝莓×2
2. 李 蓝莓1
3. 李 蓝莓1
"""


def test_paste_skips_header_title_example_and_blank_lines():
    lines = parse_paste(PASTE)
    assert [(ln.line_no, ln.ignored) for ln in lines] == [
        (1, "header"), (2, "title"), (3, "example"), (5, ""), (6, ""), (7, "")]
    assert [ln.seq for ln in lines if ln.is_order] == [1, 2, 3]


def test_paste_without_numbers_reads_every_line():
    lines = parse_paste("张姐 蓝莓2\n李 酸奶1\n")
    assert [ln.name for ln in lines if ln.is_order] == ["张姐", "李"]


def test_a_cancelled_line_is_not_an_order():
    for raw in ("4. 王阿姨 蓝莓2（取消）", "5. 李 不要了", "6. 赵 蓝莓1 撤单"):
        assert parse_line(raw).ignored == "cancelled", raw


def test_source_keys_ignore_the_number_and_count_repeats():
    first = source_keys(7, parse_paste("1. 李 蓝莓1\n2. 李 蓝莓1\n"))
    grown = source_keys(7, parse_paste("5. 李 蓝莓1\n6. 李 蓝莓1\n7. 王 酸奶1\n"))
    assert len(set(first.values())) == 2  # two people writing the same thing are two orders
    assert set(first.values()) < set(grown.values())
    assert set(source_keys(8, parse_paste("1. 李 蓝莓1\n")).values()).isdisjoint(first.values())


# Issue 15: what owners write every day. (line, name, address, items, note contains)
DAILY = [
    ("1. 张姐 3栋502 蓝莓2 已付", "张姐", "3--502", "蓝莓×2", "已付"),
    ("2. 张姐 蓝莓2 已转 谢谢", "张姐", "", "蓝莓×2", "已转"),
    ("3. 张姐 酸奶2（原味）", "张姐", "", "酸奶×2", ""),
    ("4. 张姐 蓝莓2(大份) 酸奶1【自提】", "张姐", "", "蓝莓×2|酸奶×1", "自提"),
    ("5. 张姐 大葱2把 西瓜3片 牛奶1提 鸡翅1公斤 肉馅5两 猪肉500g", "张姐", "",
     "大葱×2把|西瓜×3片|牛奶×1提|鸡翅×1公斤|肉馅×5两|猪肉×500g", ""),
    ("6. 张姐 502 蓝莓2", "张姐", "--502", "蓝莓×2", ""),
    ("7. 张姐502 蓝莓2", "张姐", "--502", "蓝莓×2", ""),
    ("8. 张姐 蓝莓2改3", "张姐", "", "蓝莓×3", ""),
    ("9. 张姐 蓝莓2→1", "张姐", "", "蓝莓×1", ""),
    ("10. 张姐 蓝莓2 改成 4", "张姐", "", "蓝莓×4", ""),
    ("11. 张姐 肉馅半斤", "张姐", "", "肉馅×250g", ""),
    ("12. 张姐 x2蓝莓", "张姐", "", "蓝莓×2", ""),
    ("13. @团长 张姐 蓝莓2", "张姐", "", "蓝莓×2", ""),
    ("14. 张姐 蓝莓2 备注 放门口", "张姐", "", "蓝莓×2", "放门口"),
]


@pytest.mark.parametrize(("raw", "name", "address", "items", "note"), DAILY, ids=[r[0][:3] for r in DAILY])
def test_lines_owners_write_every_day(raw, name, address, items, note):
    line = parse_line(raw)
    assert (line.name, _address(line), _items(line)) == (name, address, items), raw
    assert note in line.note or note in " ".join(i.note for i in line.items)


def test_a_bracketed_note_is_kept_on_its_item():
    line = parse_line("3. 张姐 酸奶2（原味）")
    assert [(i.text, i.note) for i in line.items] == [("酸奶", "原味")]


def test_a_full_phone_with_the_country_code():
    assert parse_line("1. +86 136 1234 0004 牛奶1").phone == "13612340004"
    assert parse_line("1. +8613612340004 牛奶1").phone == "13612340004"


def test_a_mention_without_a_number_is_not_an_order():
    assert [ln.ignored for ln in parse_paste("@张姐 收到，明天到货\n")] == ["reply"]
