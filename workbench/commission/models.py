"""Commission: plans (versioned), monthly statements and their lines, adjustments, disputes.

A plan's rules live in *versions*: each version is a complete rate book (tier mode,
after-sales window, tiers, category/product/campaign rates) in force from its
``effective_from`` until the next version. A change is a new version, never an edit, so a
past month is always rated with the rules that were in force then. Closed statements store
their lines; a later change of rules or data never alters them (``flask commission
recompute`` proves the stored lines still follow from the raw data).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workbench.extensions import db
from workbench.types import UTCDateTime, in_check, utcnow


class TierMode(StrEnum):
    WHOLE = "whole"  # once a tier is reached its rate applies to the whole month
    MARGINAL = "marginal"  # each band of GMV earns its own rate


class CommissionPlan(db.Model):
    __tablename__ = "commission_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)

    versions: Mapped[list[CommissionPlanVersion]] = relationship(
        back_populates="plan", order_by="CommissionPlanVersion.effective_from")


class CommissionPlanVersion(db.Model):
    """The plan's whole rate book from ``effective_from`` on."""

    __tablename__ = "commission_plan_versions"
    __table_args__ = (
        UniqueConstraint("plan_id", "effective_from"),
        CheckConstraint(in_check("tier_mode", TierMode), name="tier_mode"),
        CheckConstraint("after_sales_days BETWEEN 0 AND 90", name="after_sales_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("commission_plans.id"))
    effective_from: Mapped[date]
    tier_mode: Mapped[str] = mapped_column(String(10), default=TierMode.WHOLE)
    after_sales_days: Mapped[int] = mapped_column(default=7)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    plan: Mapped[CommissionPlan] = relationship(back_populates="versions")
    tiers: Mapped[list[CommissionTier]] = relationship(
        back_populates="version", order_by="CommissionTier.min_gmv_fen", cascade="all, delete-orphan")
    rates: Mapped[list[CommissionRate]] = relationship(back_populates="version", cascade="all, delete-orphan")


class CommissionTier(db.Model):
    """From ``min_gmv_fen`` of monthly GMV upwards, the tier rate is ``rate_bp`` basis points."""

    __tablename__ = "commission_tiers"
    __table_args__ = (
        UniqueConstraint("version_id", "min_gmv_fen"),
        CheckConstraint("min_gmv_fen >= 0", name="min_gmv"),
        CheckConstraint("rate_bp BETWEEN 0 AND 10000", name="rate"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("commission_plan_versions.id"))
    min_gmv_fen: Mapped[int]
    rate_bp: Mapped[int]

    version: Mapped[CommissionPlanVersion] = relationship(back_populates="tiers")


class CommissionRate(db.Model):
    """A base rate for a category, or an override for a product or a (promotional) campaign."""

    __tablename__ = "commission_rates"
    __table_args__ = (
        CheckConstraint("rate_bp BETWEEN 0 AND 10000", name="rate"),
        CheckConstraint(
            "(CASE WHEN category_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN product_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN campaign_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
        UniqueConstraint("version_id", "category_id", "product_id", "campaign_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("commission_plan_versions.id"), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))
    rate_bp: Mapped[int]

    version: Mapped[CommissionPlanVersion] = relationship(back_populates="rates")


class StatementStatus(StrEnum):
    OPEN = "open"  # the month is running; lines are computed live
    CLOSED = "closed"  # month ended; lines stored; the owner may dispute
    CONFIRMED = "confirmed"  # HQ agreed the figures
    PAID = "paid"


class CommissionStatement(db.Model):
    """One store's commission for one month (``period`` is "YYYY-MM")."""

    __tablename__ = "commission_statements"
    __table_args__ = (
        UniqueConstraint("store_id", "period"),
        # The target of the lines' (statement_id, store_id) key: a line's store is its statement's.
        UniqueConstraint("id", "store_id"),
        CheckConstraint(in_check("status", StatementStatus), name="status"),
        CheckConstraint("(status = 'open') = (closed_at IS NULL)", name="closed_iff_not_open"),
        CheckConstraint("(status IN ('confirmed', 'paid')) = (confirmed_at IS NOT NULL)", name="confirmed"),
        CheckConstraint("(status = 'paid') = (paid_at IS NOT NULL AND payment_ref <> '')", name="paid"),
        Index("ix_commission_statements_period_status", "period", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    period: Mapped[str] = mapped_column(String(7))
    status: Mapped[str] = mapped_column(String(10), default=StatementStatus.OPEN)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("commission_plans.id"))
    # Stored at closing (the sum of the stored lines; recompute checks both).
    gmv_fen: Mapped[int] = mapped_column(default=0)
    commission_fen: Mapped[int] = mapped_column(default=0)
    tier: Mapped[int] = mapped_column(default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    payment_ref: Mapped[str] = mapped_column(String(60), default="")
    # The lines' totals HQ's month page shows for 200 stores at once: stored, so that page
    # reads 200 rows instead of aggregating the month's lines (~260,000 on the large preset,
    # ~150 ms). Written by closing, refreshed whenever a line is added to a closed statement
    # (``statements.refresh_line_totals``), checked by ``recompute``.
    line_count: Mapped[int] = mapped_column(default=0, server_default="0")
    clawback_fen: Mapped[int] = mapped_column(default=0, server_default="0")
    adjustment_fen: Mapped[int] = mapped_column(default=0, server_default="0")
    last_payable_on: Mapped[date | None]

    lines: Mapped[list[StatementLine]] = relationship(back_populates="statement", order_by="StatementLine.id")


class LineKind(StrEnum):
    EARNING = "earning"  # a picked-up order item
    CLAWBACK = "clawback"  # a refund after the original line's statement closed
    ADJUSTMENT = "adjustment"  # HQ's bonus or penalty


class StatementLine(db.Model):
    """One stored line of a closed statement."""

    __tablename__ = "commission_statement_lines"
    __table_args__ = (
        CheckConstraint(in_check("kind", LineKind), name="kind"),
        CheckConstraint(
            "(kind = 'earning' AND order_item_id IS NOT NULL AND original_line_id IS NULL"
            " AND adjustment_id IS NULL)"
            " OR (kind = 'clawback' AND order_item_id IS NOT NULL AND original_line_id IS NOT NULL"
            " AND adjustment_id IS NULL AND commission_fen <= 0)"
            " OR (kind = 'adjustment' AND adjustment_id IS NOT NULL AND order_item_id IS NULL)",
            name="kind_fields",
        ),
        CheckConstraint("refunded_fen >= 0", name="refunded"),
        # No pickup earns twice, whatever month or statement.
        Index("uq_commission_lines_earning_item", "order_item_id", unique=True,
              sqlite_where=text("kind = 'earning'"), postgresql_where=text("kind = 'earning'")),
        # A clawback covers the original line's refunds up to ``refunded_fen``: never twice.
        # Partial (like the next): earning lines, nearly all of them, stay out of the index.
        Index("uq_commission_lines_clawback", "original_line_id", "refunded_fen", unique=True,
              sqlite_where=text("original_line_id IS NOT NULL"),
              postgresql_where=text("original_line_id IS NOT NULL")),
        Index("uq_commission_lines_adjustment", "adjustment_id", unique=True,
              sqlite_where=text("adjustment_id IS NOT NULL"), postgresql_where=text("adjustment_id IS NOT NULL")),
        Index("ix_commission_lines_statement", "statement_id", "kind"),
        # One key to the statement and its store: closing writes ~900,000 lines a month, and
        # every foreign key costs PostgreSQL a lookup per line (~10 s each at that size).
        ForeignKeyConstraint(["statement_id", "store_id"],
                             ["commission_statements.id", "commission_statements.store_id"],
                             name="fk_commission_lines_statement_store"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int]
    store_id: Mapped[int]  # the statement's store, kept on the line for scoping
    kind: Mapped[str] = mapped_column(String(10))
    order_item_id: Mapped[int | None] = mapped_column(ForeignKey("order_items.id"))
    original_line_id: Mapped[int | None] = mapped_column(ForeignKey("commission_statement_lines.id"))
    adjustment_id: Mapped[int | None] = mapped_column(ForeignKey("commission_adjustments.id"))
    earned_on: Mapped[date]  # pickup day (earning), refund day (clawback), entry day (adjustment)
    # The product's category when the line was stored: a snapshot for the totals by category
    # (no foreign key: closing writes it ~900,000 times a month; recompute checks it).
    category_id: Mapped[int | None]
    # Earning: what the member paid less refunds known at closing. Clawback: the refunded
    # amount it covers (negative). Adjustment: 0.
    amount_fen: Mapped[int]
    # Earning: refunds already netted out at closing. Clawback: the original line's
    # cumulative refunds this clawback brings it up to.
    refunded_fen: Mapped[int] = mapped_column(default=0)
    source: Mapped[str] = mapped_column(String(12))  # campaign/product/category/tier/clawback/adjustment
    rate_bp: Mapped[int] = mapped_column(default=0)
    tier: Mapped[int] = mapped_column(default=0)
    commission_fen: Mapped[int]
    payable_on: Mapped[date]

    statement: Mapped[CommissionStatement] = relationship(back_populates="lines")


class CommissionAdjustment(db.Model):
    """HQ's bonus (positive) or penalty (negative) for a store's month, with who and why."""

    __tablename__ = "commission_adjustments"
    __table_args__ = (
        CheckConstraint("amount_fen <> 0", name="amount"),
        CheckConstraint("length(trim(reason)) > 0", name="reason"),
        Index("ix_commission_adjustments_store_period", "store_id", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    period: Mapped[str] = mapped_column(String(7))
    amount_fen: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DisputeStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"  # an adjustment follows
    REJECTED = "rejected"


class CommissionDispute(db.Model):
    """An owner's objection to one line, before HQ confirms the statement."""

    __tablename__ = "commission_disputes"
    __table_args__ = (
        CheckConstraint(in_check("status", DisputeStatus), name="status"),
        CheckConstraint("length(trim(note)) > 0", name="note"),
        CheckConstraint("(status = 'open') = (resolved_at IS NULL)", name="resolved_iff_closed"),
        CheckConstraint("status <> 'rejected' OR length(trim(resolution)) > 0", name="reject_reason"),
        # One open dispute per line at a time.
        Index("uq_commission_disputes_open_line", "line_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
        Index("ix_commission_disputes_store", "store_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    statement_id: Mapped[int] = mapped_column(ForeignKey("commission_statements.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("commission_statement_lines.id"))
    note: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default=DisputeStatus.OPEN)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution: Mapped[str] = mapped_column(String(300), default="")
    adjustment_id: Mapped[int | None] = mapped_column(ForeignKey("commission_adjustments.id"))
