"""Authentication logic, independent of requests."""

from __future__ import annotations

from functools import cache

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from workbench.auth.models import User
from workbench.types import utcnow


@cache
def _dummy_hash() -> str:
    """A real hash to check against when the login matches nobody, so the response
    takes as long as a wrong password and does not reveal which logins exist."""
    return generate_password_hash("not-a-password")


def normalise_login(raw: str) -> str:
    """Strip spaces and dashes people type into phone numbers; lower-case usernames."""
    value = raw.strip().replace(" ", "").replace("-", "")
    return value if value.isdigit() else value.lower()


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The active user whose phone or username is ``login`` and whose password matches."""
    key = normalise_login(login)
    user = session.scalar(select(User).where(or_(User.phone == key, User.username == key)))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user
