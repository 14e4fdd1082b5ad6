"""Low-severity inputs from the probe: each a 4xx (or a safe redirect) with a Chinese
message, never a 500; no secrets in the log; no invisible or bidi characters stored."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD
from workbench.models import Member
from workbench.outbox.channels import get_channel
from workbench.shop.services import campaign_token

pytestmark = pytest.mark.faults

PHONE = "13700002222"


def upload_csv(client, campaign_id: int, data: bytes):
    boundary = "----faults"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"o.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post(f"/store/orders/campaigns/{campaign_id}/csv/preview", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_csv_cell_over_the_csv_field_limit_is_a_chinese_400(owner_client, world):
    data = ("手机号,姓名,商品,数量\n13700001111," + "张" * 140_000 + ",蓝莓,1\n").encode()
    r = upload_csv(owner_client, world.a.campaign.id, data)
    assert r.status_code == 400
    assert "太长" in r.get_data(as_text=True)


@pytest.mark.parametrize("path", [
    "/store/suggestions/99999999999999999999",
    "/store/pickup/items/99999999999999999999/report",
    "/hq/aftersales/99999999999999999999/photo",
])
def test_huge_integer_id_in_a_url_is_a_404(owner_client, hq_client, path):
    client = hq_client if path.startswith("/hq") else owner_client
    r = client.get(path)
    assert r.status_code == 404
    assert "不存在" in r.get_data(as_text=True)


def test_huge_integer_id_in_a_post_url_is_a_404(owner_client):
    assert owner_client.post("/store/suggestions/99999999999999999999/accept").status_code == 404


@pytest.mark.parametrize("target", ["/store/live%0d%0aX-Evil:%201", "/store/live%0aSet-Cookie:%20a=b",
                                    "/store/%0d%0a"])
def test_cr_lf_in_next_after_login_goes_home(client, world, target):
    r = client.post(f"/auth/login?next={target}",
                    data={"login": world.owner_a.username, "password": PASSWORD})
    assert r.status_code == 302
    assert r.headers["Location"] == "/store/today"
    assert "X-Evil" not in r.headers and "\n" not in r.headers["Location"]


def test_log_channel_writes_neither_the_code_nor_the_phone(app, client, world, caplog):
    url = f"/c/{campaign_token(world.a.campaign.id)}"
    with caplog.at_level(logging.INFO, logger="workbench.outbox"):
        assert client.post(f"{url}/code", data={"phone": PHONE}).status_code < 400
    code = re.search(r"\d{6}", get_channel("log").last_to(PHONE).body).group()
    assert code not in caplog.text  # the one-time code
    assert PHONE not in caplog.text and "137****2222" in caplog.text


def test_log_masking_keeps_the_words():
    from workbench.outbox.channels import mask_secrets

    assert mask_secrets("验证码 482913，5 分钟内有效，13812345678") == "验证码 ****，5 分钟内有效，138****5678"


INVISIBLE = "\u202e\u200b\u2066\ufeff\u200f\u00ad\U000e0041"


def test_invisible_and_bidi_characters_are_stripped_from_names(app, client, db, world):
    url = f"/c/{campaign_token(world.a.campaign.id)}"
    client.post(f"{url}/code", data={"phone": PHONE})
    body = get_channel("log").last_to(PHONE).body
    code = re.search(r"\d{6}", body).group()
    cp = world.a.campaign.products[0]
    r = client.post(f"{url}/order", data={"phone": PHONE, "code": code, f"qty-{cp.id}": "1",
                                          "name": f"李{INVISIBLE}叔", "building": str(world.a.building.id),
                                          "room": f"1单元{INVISIBLE}101"})
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    member = db.session.scalar(select(Member).where(Member.phone == PHONE))
    assert (member.name, member.room) == ("李叔", "1单元101")


def test_invisible_characters_are_stripped_from_notes_but_lines_stay(app, world):
    from workbench.security.text import strip_invisible

    assert strip_invisible(f"盒子{INVISIBLE}压坏\r\n第二行\t!") == "盒子压坏\r\n第二行\t!"


def test_the_password_field_is_left_as_typed(app, db, world):
    world.owner_a.set_password("pa\u200bss-word")
    db.session.commit()
    client = app.test_client()
    assert client.post("/auth/login", data={"login": world.owner_a.username,
                                             "password": "pa\u200bss-word"}).status_code == 302


BIG = "99999999999999999999"


def test_huge_ids_in_forms_and_query_strings_are_4xx_not_500(owner_client, hq_client, world):
    member, campaign = world.a.members[1].id, world.a.campaign.id
    picked = owner_client.post(f"/store/pickup/members/{member}/pickup",
                               data={"scope": "selected", "order_id": BIG})
    assert picked.status_code == 400
    paid = owner_client.post(f"/store/orders/campaigns/{campaign}/orders/mark-paid", data={"order_id": BIG})
    assert paid.status_code == 400 and "请先勾选" in paid.get_data(as_text=True)
    for path in (f"/hq/stores?region={BIG}", f"/hq/suggestions?region={BIG}"):
        assert hq_client.get(path).status_code == 200, path  # a bad filter means "all"
