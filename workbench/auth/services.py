"""Authentication logic, independent of requests."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from workbench.auth.models import User
from workbench.types import utcnow

# Hash checked when the login matches nobody, so timing does not reveal which logins exist.
_DUMMY_HASH = "scrypt:32768:8:1$2c8KZ5x2XvM7Zq1o$2e5e6c0d4a1b8e1f3f1b4b0d3c7a2c9e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2"


def normalise_login(raw: str) -> str:
    """Strip spaces and dashes people type into phone numbers; lower-case usernames."""
    value = raw.strip().replace(" ", "").replace("-", "")
    return value if value.isdigit() else value.lower()


def authenticate(session: Session, login: str, password: str) -> User | None:
    """The active user whose phone or username is ``login`` and whose password matches."""
    key = normalise_login(login)
    user = session.scalar(select(User).where(or_(User.phone == key, User.username == key)))
    if user is None:
        from werkzeug.security import check_password_hash

        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user
