"""Brand, regions, stores, the compounds (小区) they serve, and the city weather."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workbench.extensions import db
from workbench.types import UTCDateTime, in_check, utcnow


class CommunityProfile(StrEnum):
    """Who mostly lives in a compound; it drives what the compound buys."""

    PREMIUM = "premium"  # 高档
    YOUNG_FAMILY = "young_family"  # 年轻家庭
    ELDERLY = "elderly"  # 老年
    MIXED = "mixed"  # 混合


class HouseholdType(StrEnum):
    """The typical household of one building (楼栋)."""

    YOUNG_FAMILY = "young_family"
    ELDERLY = "elderly"
    PROFESSIONAL = "professional"
    MIXED = "mixed"


class Brand(db.Model):
    __tablename__ = "brands"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)

    regions: Mapped[list[Region]] = relationship(back_populates="brand")


class Region(db.Model):
    __tablename__ = "regions"
    __table_args__ = (UniqueConstraint("brand_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))

    brand: Mapped[Brand] = relationship(back_populates="regions")
    stores: Mapped[list[Store]] = relationship(back_populates="region")


class Store(db.Model):
    __tablename__ = "stores"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    city: Mapped[str] = mapped_column(String(40), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    # One owner runs one store; a store may briefly have none between owners.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    commission_plan_id: Mapped[int | None] = mapped_column(ForeignKey("commission_plans.id"), index=True)
    opened_on: Mapped[date]
    is_active: Mapped[bool] = mapped_column(default=True)

    region: Mapped[Region] = relationship(back_populates="stores")
    owner: Mapped[User | None] = relationship(back_populates="store")  # noqa: F821
    communities: Mapped[list[Community]] = relationship(back_populates="store")
    pickup_points: Mapped[list[PickupPoint]] = relationship(back_populates="store")
    commission_plan: Mapped[CommissionPlan | None] = relationship()  # noqa: F821


class Community(db.Model):
    """A residential compound (小区) served by one store."""

    __tablename__ = "communities"
    __table_args__ = (
        UniqueConstraint("store_id", "name"),
        CheckConstraint(in_check("profile", CommunityProfile), name="profile"),
        CheckConstraint("households >= 0", name="households"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    profile: Mapped[str] = mapped_column(String(20))
    households: Mapped[int]

    store: Mapped[Store] = relationship(back_populates="communities")
    buildings: Mapped[list[Building]] = relationship(back_populates="community")


class Building(db.Model):
    """A building (楼栋) in a compound; households of one type cluster by building."""

    __tablename__ = "buildings"
    __table_args__ = (
        UniqueConstraint("community_id", "name"),
        CheckConstraint(in_check("household_type", HouseholdType), name="household_type"),
        CheckConstraint("households >= 0", name="households"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(20))
    household_type: Mapped[str] = mapped_column(String(20))
    households: Mapped[int]

    community: Mapped[Community] = relationship(back_populates="buildings")


class PickupPoint(db.Model):
    """Where members collect their orders (自提点)."""

    __tablename__ = "pickup_points"
    __table_args__ = (UniqueConstraint("store_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"))
    name: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(200), default="")

    store: Mapped[Store] = relationship(back_populates="pickup_points")


class Weather(db.Model):
    """Daily weather for a city; stores join on their city."""

    __tablename__ = "weather"
    __table_args__ = (
        UniqueConstraint("city", "day"),
        CheckConstraint("temp_high_c >= temp_low_c", name="temp_order"),
        CheckConstraint("rain_mm >= 0", name="rain"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    city: Mapped[str] = mapped_column(String(40))
    day: Mapped[date]
    temp_high_c: Mapped[int]
    temp_low_c: Mapped[int]
    # Tenths of a millimetre, so the column stays an exact integer.
    rain_mm: Mapped[int] = mapped_column(default=0)


class StoreKpi(db.Model):
    """The stores list's rolling figures, recomputed by a background job."""

    __tablename__ = "store_kpis"
    __table_args__ = (
        CheckConstraint("gmv_fen >= 0 AND orders >= 0 AND active_members >= 0", name="non_negative"),
    )

    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), primary_key=True)
    window_days: Mapped[int] = mapped_column(default=7)
    as_of: Mapped[date]  # last day included in the window
    gmv_fen: Mapped[int] = mapped_column(default=0)
    orders: Mapped[int] = mapped_column(default=0)
    active_members: Mapped[int] = mapped_column(default=0)
    total_members: Mapped[int] = mapped_column(default=0)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
