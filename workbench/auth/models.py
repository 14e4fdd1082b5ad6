"""Staff and owner accounts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from workbench.extensions import db
from workbench.types import UTCDateTime, in_check, utcnow


class Role(StrEnum):
    OWNER = "owner"  # 店主: one store
    REGIONAL = "regional"  # 区域经理: the stores of one region
    HQ = "hq"  # 总部运营: every store
    ADMIN = "admin"  # everything HQ can do, plus accounts


HQ_ROLES = frozenset({Role.REGIONAL, Role.HQ, Role.ADMIN})


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(in_check("role", Role), name="role"),
        # A regional manager must have a region; nobody else is tied to one.
        CheckConstraint(
            "(role = 'regional' AND region_id IS NOT NULL) OR (role <> 'regional' AND region_id IS NULL)",
            name="region_for_regional",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(10))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Part of the id Flask-Login keeps in the session and the remember cookie ("<id>:<version>"):
    # raising it (logout, password change, "sign out everywhere") makes every cookie issued
    # before refer to nobody, so a copied cookie cannot be replayed.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    store: Mapped[Store | None] = relationship(back_populates="owner")  # noqa: F821
    region: Mapped[Region | None] = relationship()  # noqa: F821

    def set_password(self, password: str) -> None:
        """Hash and store ``password``; a changed password signs the account out everywhere."""
        if self.password_hash:
            self.revoke_sessions()
        self.password_hash = generate_password_hash(password)

    def revoke_sessions(self) -> None:
        """Invalidate every session and remember cookie issued so far (commit to apply)."""
        self.session_version = (self.session_version or 1) + 1

    def get_id(self) -> str:
        """What Flask-Login stores in the session and the remember cookie."""
        return f"{self.id}:{self.session_version or 1}"

    def check_password(self, password: str) -> bool:
        """Whether ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def is_staff(self) -> bool:
        """HQ side of the product: regional, HQ and admin."""
        return self.role in HQ_ROLES
