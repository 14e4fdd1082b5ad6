"""CSV files: BOM, header, rows, escaping, masked phones."""

from __future__ import annotations

import csv
import io

from flask_babel import force_locale

from tests.fulfilment.conftest import DAY
from workbench.fulfilment import exports, lists


def parse(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 BOM to read Chinese"
    text = body[3:].decode("utf-8")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text)))


def test_quotes_commas_newlines_and_formulas_are_escaped():
    body = exports.to_csv(["a", "b"], [['王"阿姨"', "1,2"], ["多\n行", "=SUM(A1)"], ["+86", "@x"], [3, "-1"]])
    rows = parse(body)
    assert rows[1] == ['王"阿姨"', "1,2"]
    assert rows[2] == ["多\n行", "'=SUM(A1)"]
    assert rows[3] == ["'+86", "'@x"]
    assert rows[4] == ["3", "'-1"]


def test_purchase_csv(app, db, world, batch):
    lines = lists.batch_lines(db.session, [world.a.store.id], DAY)
    with app.test_request_context(), force_locale("zh_CN"):
        rows = parse(exports.purchase_csv(lists.purchase_list(lines)))
    header = rows[0]
    assert header[:6] == ["供应商", "商品编码", "商品", "规格", "单位", "总数量"]
    assert set(header[6:]) == {world.a.pickup_point.name, batch.point2.name}
    cabbage = next(r for r in rows if r[2] == "有机小白菜")
    assert cabbage[0] == "绿野蔬菜" and cabbage[3] == "300g/袋" and cabbage[5] == "4"
    assert cabbage[6 + header[6:].index(world.a.pickup_point.name)] == "4"
    assert cabbage[6 + header[6:].index(batch.point2.name)] == "0"
    assert len(rows) == 1 + 3


def test_purchase_csv_with_stores(app, db, world, batch):
    lines = lists.batch_lines(db.session, [world.a.store.id, world.b.store.id], DAY)
    with app.test_request_context(), force_locale("zh_CN"):
        rows = parse(exports.purchase_csv(lists.purchase_list(lines), with_store=True))
    assert f"{world.b.store.name} · {world.b.pickup_point.name}" in rows[0]


def test_slips_csv(app, db, world, batch):
    lines = lists.batch_lines(db.session, [world.a.store.id], DAY)
    with app.test_request_context(), force_locale("zh_CN"):
        rows = parse(exports.slips_csv(lists.delivery_slips(lines)))
    assert rows[0] == ["配送单", "楼栋", "房号", "会员", "手机号", "商品", "规格", "数量", "订单号"]
    assert rows[1][:5] == ["2栋", "2栋", "1单元502", "张女士", "139****6666"]
    assert rows[-1][0] == "未登记楼栋"
    assert not any("13955556666" in cell for row in rows for cell in row), "raw phone leaked"
    assert len(rows) == 1 + 6


def test_sorting_csv(app, db, world, batch):
    lines = lists.batch_lines(db.session, [world.a.store.id], DAY)
    with app.test_request_context(), force_locale("zh_CN"):
        rows = parse(exports.sorting_csv(lists.sorting_list(lines, "building")))
    assert rows[0][:2] == ["自提点", "分组"]
    assert {r[0] for r in rows[1:]} == {world.a.pickup_point.name, batch.point2.name}
    assert sum(int(r[8]) for r in rows[1:]) == 12


def test_filename():
    assert exports.filename("slips", DAY) == "slips-2031-05-20.csv"
