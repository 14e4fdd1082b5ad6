"""One-time codes: proof that the person ordering holds the phone they typed.

Only an HMAC-SHA256 of the code (keyed by ``SECRET_KEY``, bound to the store and the
phone) is stored, so a database dump gives no usable code. A challenge lives 10 minutes,
takes at most 5 wrong guesses and is consumed once. Nothing here commits: the view
commits a wrong guess on its own (so it counts) and a right one together with the order
(so a failed order leaves the code usable).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workbench.shop.models import OtpChallenge

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
MAX_WRONG = 5
RESEND_AFTER = timedelta(seconds=60)

_PHONE = re.compile(r"1[3-9]\d{9}", re.ASCII)
# What people type around a number: spaces (also full-width), dashes, dots, brackets.
_PHONE_NOISE = re.compile(r"[\s\-‐‑–—.()（）\u3000]")


def normalise_phone(raw: str | None) -> str | None:
    """``+86 138-1234-5678`` → ``13812345678``; None unless a mainland mobile number."""
    if not raw:
        return None
    # NFKC turns full-width digits and plus signs (Chinese keyboards) into ASCII ones.
    digits = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", raw).strip())
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
            break
    return digits if _PHONE.fullmatch(digits) else None


def hash_code(secret: str, store_id: int, phone: str, code: str) -> str:
    """HMAC-SHA256 of the code, bound to the store and the phone (a code works nowhere else)."""
    message = f"{store_id}:{phone}:{code}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class OtpError(Exception):
    """A code could not be issued or was not accepted; ``message`` is for the member."""

    status = 400

    @property
    def message(self) -> str:  # pragma: no cover - every subclass says its own
        raise NotImplementedError


class TooSoon(OtpError):
    status = 429

    @property
    def message(self) -> str:
        return _("A code was sent less than a minute ago. Please try again in 60 seconds.")


class NoCode(OtpError):
    @property
    def message(self) -> str:
        return _("Please tap “Get code” first; a code will be sent to this phone.")


class Expired(OtpError):
    @property
    def message(self) -> str:
        return _("This code has expired (codes last 10 minutes). Please get a new one.")


class Used(OtpError):
    status = 409

    @property
    def message(self) -> str:
        return _("This code has already been used. Please get a new one.")


class Locked(OtpError):
    status = 429

    @property
    def message(self) -> str:
        return _("Too many wrong codes. Please get a new one.")


class Wrong(OtpError):
    def __init__(self, remaining: int) -> None:
        super().__init__(remaining)
        self.remaining = remaining

    @property
    def message(self) -> str:
        if self.remaining <= 0:
            return _("Wrong code. Too many wrong codes: please get a new one.")
        return _("Wrong code. %(n)s tries left.", n=self.remaining)


@dataclass(frozen=True)
class Issued:
    challenge: OtpChallenge
    code: str  # the only place the plain code exists: sent, then forgotten


def latest_challenge(session: Session, store_id: int, phone: str) -> OtpChallenge | None:
    return session.scalar(
        select(OtpChallenge).where(OtpChallenge.store_id == store_id, OtpChallenge.phone == phone)
        .order_by(OtpChallenge.created_at.desc(), OtpChallenge.id.desc()).limit(1))


def issue(session: Session, store_id: int, phone: str, now: datetime, secret: str) -> Issued:
    """A new challenge for ``phone`` (flushed, not committed); ``TooSoon`` within 60 s of the last."""
    last = latest_challenge(session, store_id, phone)
    if last is not None and now - last.created_at < RESEND_AFTER:
        raise TooSoon()
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    challenge = OtpChallenge(store_id=store_id, phone=phone, code_hash=hash_code(secret, store_id, phone, code),
                             attempts=0, created_at=now, expires_at=now + CODE_TTL)
    session.add(challenge)
    session.flush()
    return Issued(challenge, code)


def verify(session: Session, store_id: int, phone: str, code: str, now: datetime, secret: str) -> OtpChallenge:
    """Check ``code`` against the phone's latest challenge and consume it, or raise an ``OtpError``.

    Wrong guesses and consumption are conditional UPDATEs, so two requests racing with
    the same code cannot both consume it and the attempt limit cannot be overrun.
    """
    challenge = latest_challenge(session, store_id, phone)
    if challenge is None:
        raise NoCode()
    if challenge.consumed_at is not None:
        raise Used()
    if challenge.attempts >= MAX_WRONG:
        raise Locked()
    if now >= challenge.expires_at:
        raise Expired()
    if not hmac.compare_digest(challenge.code_hash, hash_code(secret, store_id, phone, code or "")):
        counted = session.execute(
            update(OtpChallenge).where(OtpChallenge.id == challenge.id, OtpChallenge.attempts < MAX_WRONG)
            .values(attempts=OtpChallenge.attempts + 1).returning(OtpChallenge.attempts)
        ).scalar()
        if counted is None:
            raise Locked()
        raise Wrong(MAX_WRONG - counted)
    consumed = session.execute(
        update(OtpChallenge).where(OtpChallenge.id == challenge.id, OtpChallenge.consumed_at.is_(None),
                                   OtpChallenge.attempts < MAX_WRONG)
        .values(consumed_at=now).returning(OtpChallenge.id)
    ).scalar()
    if consumed is None:
        raise Used()
    session.refresh(challenge)
    return challenge
