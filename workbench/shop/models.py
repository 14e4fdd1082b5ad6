"""One-time codes that prove a member holds the phone they typed on the order page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from workbench.extensions import db
from workbench.types import UTCDateTime, utcnow


class OtpChallenge(db.Model):
    """A code sent to a phone for one store; only its hash is kept."""

    __tablename__ = "otp_challenges"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts"),
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
        # The latest challenge for a phone, and "how many codes did this phone get lately".
        Index("ix_otp_challenges_store_phone_created", "store_id", "phone", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    phone: Mapped[str] = mapped_column(String(20))
    code_hash: Mapped[str] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(default=0)  # wrong guesses so far
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
