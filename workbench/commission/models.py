"""Commission plans: tiered rates by monthly GMV, category and product rates, versioned.

Every rate row carries ``effective_from`` so a past month is always computed with the
rules that were in force then; a change is a new row, never an edit.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workbench.extensions import db
from workbench.types import in_check


class TierMode(StrEnum):
    WHOLE = "whole"  # once a tier is reached its rate applies to the whole month
    MARGINAL = "marginal"  # each band of GMV earns its own rate


class CommissionPlan(db.Model):
    __tablename__ = "commission_plans"
    __table_args__ = (
        CheckConstraint(in_check("tier_mode", TierMode), name="tier_mode"),
        CheckConstraint("after_sales_days >= 0", name="after_sales_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    tier_mode: Mapped[str] = mapped_column(String(10), default=TierMode.WHOLE)
    after_sales_days: Mapped[int] = mapped_column(default=7)

    tiers: Mapped[list[CommissionTier]] = relationship(back_populates="plan")
    rates: Mapped[list[CommissionRate]] = relationship(back_populates="plan")


class CommissionTier(db.Model):
    """From ``min_gmv_fen`` of monthly GMV upwards, the rate is ``rate_bp`` basis points."""

    __tablename__ = "commission_tiers"
    __table_args__ = (
        UniqueConstraint("plan_id", "effective_from", "min_gmv_fen"),
        CheckConstraint("min_gmv_fen >= 0", name="min_gmv"),
        CheckConstraint("rate_bp BETWEEN 0 AND 10000", name="rate"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("commission_plans.id"), index=True)
    effective_from: Mapped[date]
    min_gmv_fen: Mapped[int]
    rate_bp: Mapped[int]

    plan: Mapped[CommissionPlan] = relationship(back_populates="tiers")


class CommissionRate(db.Model):
    """A base rate for a category, or an override for a product or a campaign."""

    __tablename__ = "commission_rates"
    __table_args__ = (
        CheckConstraint("rate_bp BETWEEN 0 AND 10000", name="rate"),
        CheckConstraint(
            "(CASE WHEN category_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN product_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN campaign_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("commission_plans.id"), index=True)
    effective_from: Mapped[date]
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    rate_bp: Mapped[int]

    plan: Mapped[CommissionPlan] = relationship(back_populates="rates")
