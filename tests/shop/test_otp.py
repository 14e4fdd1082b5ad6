"""One-time codes as a pure service: hashing, expiry, attempts, reuse, resend spacing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from workbench.shop import otp
from workbench.shop.models import OtpChallenge
from workbench.types import utcnow

SECRET = "testing-secret"
PHONE = "13912345678"


@pytest.mark.parametrize(("raw", "expected"), [
    ("13912345678", "13912345678"),
    (" 139 1234 5678 ", "13912345678"),
    ("139-1234-5678", "13912345678"),
    ("+86 139 1234 5678", "13912345678"),
    ("+8613912345678", "13912345678"),
    ("0086-139-1234-5678", "13912345678"),
    ("＋８６ １３９ １２３４ ５６７８", "13912345678"),  # a full-width keyboard
    ("13９1234567８", "13912345678"),
    ("١٣٩١٢٣٤٥٦٧٨", None),  # other scripts' digits are not a mainland number
    ("12912345678", None),  # no mainland mobile starts with 12
    ("1391234567", None),
    ("139123456789", None),
    ("", None),
    (None, None),
    ("abcdefghijk", None),
])
def test_normalise_phone(raw, expected):
    assert otp.normalise_phone(raw) == expected


def test_hash_is_hmac_bound_to_secret_store_and_phone():
    h = otp.hash_code(SECRET, 1, PHONE, "123456")
    assert len(h) == 64 and h == otp.hash_code(SECRET, 1, PHONE, "123456")
    assert h != otp.hash_code("other", 1, PHONE, "123456")
    assert h != otp.hash_code(SECRET, 2, PHONE, "123456")
    assert h != otp.hash_code(SECRET, 1, "13912345679", "123456")
    assert "123456" not in h


def _issue(db, world, now, phone=PHONE):
    issued = otp.issue(db.session, world.a.store.id, phone, now, SECRET)
    db.session.commit()
    return issued


def test_issue_keeps_only_the_hash_and_expires_in_ten_minutes(db, world):
    now = utcnow()
    issued = _issue(db, world, now)
    assert len(issued.code) == 6 and issued.code.isdigit()
    row = db.session.scalar(select(OtpChallenge))
    assert row.code_hash == otp.hash_code(SECRET, world.a.store.id, PHONE, issued.code)
    assert issued.code not in row.code_hash
    assert row.expires_at == now + timedelta(minutes=10)
    assert row.attempts == 0 and row.consumed_at is None


def test_a_new_code_only_after_sixty_seconds(db, world, req):
    now = utcnow()
    _issue(db, world, now)
    with pytest.raises(otp.TooSoon) as caught:
        _issue(db, world, now + timedelta(seconds=59))
    assert "60" in caught.value.message
    _issue(db, world, now + timedelta(seconds=60))
    _issue(db, world, now + timedelta(seconds=60), phone="13912345679")  # another phone is not held up
    assert db.session.query(OtpChallenge).count() == 3


def test_right_code_is_consumed_once(db, world):
    now = utcnow()
    issued = _issue(db, world, now)
    challenge = otp.verify(db.session, world.a.store.id, PHONE, issued.code, now + timedelta(minutes=1), SECRET)
    db.session.commit()
    assert challenge.consumed_at is not None
    with pytest.raises(otp.Used):
        otp.verify(db.session, world.a.store.id, PHONE, issued.code, now + timedelta(minutes=2), SECRET)


def test_wrong_codes_count_and_lock_after_five(db, world):
    now = utcnow()
    issued = _issue(db, world, now)
    wrong = "000000" if issued.code != "000000" else "111111"
    for remaining in (4, 3, 2, 1, 0):
        with pytest.raises(otp.Wrong) as caught:
            otp.verify(db.session, world.a.store.id, PHONE, wrong, now, SECRET)
        db.session.commit()
        assert caught.value.remaining == remaining
    assert db.session.scalar(select(OtpChallenge.attempts)) == 5
    with pytest.raises(otp.Locked):  # even the right code, now
        otp.verify(db.session, world.a.store.id, PHONE, issued.code, now, SECRET)


def test_expired_code_is_refused_at_ten_minutes(db, world):
    now = utcnow()
    issued = _issue(db, world, now)
    otp.verify(db.session, world.a.store.id, PHONE, issued.code, now + timedelta(minutes=9, seconds=59), SECRET)
    db.session.rollback()  # not consumed: try again at the deadline
    with pytest.raises(otp.Expired):
        otp.verify(db.session, world.a.store.id, PHONE, issued.code, now + timedelta(minutes=10), SECRET)


def test_no_code_asked_and_other_store_or_phone(db, world):
    now = utcnow()
    with pytest.raises(otp.NoCode):
        otp.verify(db.session, world.a.store.id, PHONE, "123456", now, SECRET)
    issued = _issue(db, world, now)
    with pytest.raises(otp.NoCode):  # store B never sent this phone a code
        otp.verify(db.session, world.b.store.id, PHONE, issued.code, now, SECRET)


def test_only_the_latest_code_counts(db, world):
    now = utcnow()
    first = _issue(db, world, now)
    second = _issue(db, world, now + timedelta(minutes=2))
    if first.code != second.code:
        with pytest.raises(otp.Wrong):
            otp.verify(db.session, world.a.store.id, PHONE, first.code, now + timedelta(minutes=3), SECRET)
        db.session.commit()
    otp.verify(db.session, world.a.store.id, PHONE, second.code, now + timedelta(minutes=3), SECRET)


def test_every_error_has_a_chinese_message(app):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("zh_CN"):
        for error in (otp.TooSoon(), otp.NoCode(), otp.Expired(), otp.Used(), otp.Locked(), otp.Wrong(3),
                      otp.Wrong(0)):
            assert any("\u4e00" <= ch <= "\u9fff" for ch in error.message), error
