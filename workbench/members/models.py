"""Members (会员), their tags, what they do in the groups, and what they say."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workbench.extensions import db
from workbench.types import UTCDateTime, in_check, utcnow


class TagKind(StrEnum):
    STATIC = "static"  # declared at sign-up (有孩家庭, 退休老人 …)
    DYNAMIC = "dynamic"  # inferred from behaviour (价格敏感, 水果常客 …)


class TagSource(StrEnum):
    SIGNUP = "signup"
    BEHAVIOUR = "behaviour"
    MANUAL = "manual"


class InteractionKind(StrEnum):
    GROUP_MESSAGE = "group_message"
    LIVE_VIEW = "live_view"
    CLICK = "click"
    SHARE = "share"


class Member(db.Model):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("store_id", "phone"),
        UniqueConstraint("store_id", "pickup_code"),
        CheckConstraint("points >= 0", name="points"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level"),
        Index("ix_members_store_joined", "store_id", "joined_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The store is derivable from the community, but every owner query filters on it.
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"), index=True)
    phone: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(40))
    room: Mapped[str] = mapped_column(String(20), default="")  # e.g. "1单元502"
    joined_on: Mapped[date]
    points: Mapped[int] = mapped_column(default=0)
    level: Mapped[int] = mapped_column(default=1)
    push_opt_out: Mapped[bool] = mapped_column(default=False)
    # 提货码: six digits shown as text and QR, typed or scanned at the counter.
    pickup_code: Mapped[str | None] = mapped_column(String(8))

    community: Mapped[Community] = relationship()  # noqa: F821
    building: Mapped[Building | None] = relationship()  # noqa: F821
    tags: Mapped[list[MemberTag]] = relationship(back_populates="member")


class Tag(db.Model):
    __tablename__ = "tags"
    __table_args__ = (CheckConstraint(in_check("kind", TagKind), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(String(200), default="")


class MemberTag(db.Model):
    __tablename__ = "member_tags"
    __table_args__ = (CheckConstraint(in_check("source", TagSource), name="source"),)

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"), primary_key=True, index=True)
    source: Mapped[str] = mapped_column(String(10))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    member: Mapped[Member] = relationship(back_populates="tags")
    tag: Mapped[Tag] = relationship()


class Interaction(db.Model):
    """One member action in the store's channels, about a topic or a product."""

    __tablename__ = "interactions"
    __table_args__ = (
        CheckConstraint(in_check("kind", InteractionKind), name="kind"),
        CheckConstraint("topic IS NOT NULL OR product_id IS NOT NULL", name="about_something"),
        Index("ix_interactions_store_time", "store_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str | None] = mapped_column(String(20))  # e.g. 低糖, 水果, 宝宝辅食
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    live_session_id: Mapped[int | None] = mapped_column(ForeignKey("live_sessions.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Review(db.Model):
    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint("nps IS NULL OR nps BETWEEN 0 AND 10", name="nps"),
        Index("ix_reviews_store_time", "store_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    rating: Mapped[int]
    nps: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
