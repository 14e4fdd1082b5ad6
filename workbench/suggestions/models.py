"""Daily suggestion cards (今日建议) and the backtest figures they are judged by.

A card stores numbers and reason codes with parameters, not finished sentences: the
page turns them into Chinese or English through Flask-Babel, so both locales stay
complete and a reworded sentence never rewrites history.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workbench.extensions import db
from workbench.types import UTCDateTime, in_check, utcnow


class SuggestionKind(StrEnum):
    PUSH = "push"  # 推品
    CLEAR = "clear"  # 清货
    RESTOCK = "restock"  # 补货
    BUNDLE = "bundle"  # 组合


class SuggestionStatus(StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


class DismissReason(StrEnum):
    NOT_RELEVANT = "not_relevant"  # 不适合本店
    NO_STOCK = "no_stock"  # 拿不到货
    TOO_RISKY = "too_risky"  # 风险太大
    ALREADY_DONE = "already_done"  # 已经在做
    OTHER = "other"


class Suggestion(db.Model):
    """One card for one store and day, with the numbers behind it and its outcome."""

    __tablename__ = "suggestions"
    __table_args__ = (
        UniqueConstraint("store_id", "for_date", "kind", "rank"),
        CheckConstraint(in_check("kind", SuggestionKind), name="kind"),
        CheckConstraint(in_check("status", SuggestionStatus), name="status"),
        CheckConstraint(f"dismiss_reason IS NULL OR {in_check('dismiss_reason', DismissReason)}", name="dismiss_reason"),
        CheckConstraint("rank >= 1", name="rank"),
        CheckConstraint(
            "(status = 'dismissed') = (dismiss_reason IS NOT NULL)", name="reason_iff_dismissed"
        ),
        CheckConstraint(
            "forecast_p10 IS NULL OR (forecast_p10 <= forecast_expected AND forecast_expected <= forecast_p90)",
            name="expected_in_band",
        ),
        CheckConstraint(
            "forecast_p50 IS NULL OR forecast_p10 IS NULL OR "
            "(forecast_p10 <= forecast_p50 AND forecast_p50 <= forecast_p90)",
            name="quantile_order",
        ),
        Index("ix_suggestions_date_kind", "for_date", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    for_date: Mapped[date]  # the local day the card is for
    kind: Mapped[str] = mapped_column(String(10))
    rank: Mapped[int]  # 1 = first on the page, within its kind
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    stock_batch_id: Mapped[int | None] = mapped_column(ForeignKey("stock_batches.id"))
    # The forecast the card stands on (units of product_id on for_date); scored later.
    # forecast_expected: the expected units the card shows (the forecast mean, so units,
    # sales and the accuracy score all read one number); p10/p90 the band shown around
    # it (widened to hold it); p50 the forecast median (NULL on cards before issue 12).
    forecast_expected: Mapped[float | None] = mapped_column(Float)
    forecast_p10: Mapped[float | None] = mapped_column(Float)
    forecast_p50: Mapped[float | None] = mapped_column(Float)
    forecast_p90: Mapped[float | None] = mapped_column(Float)
    # Numbers behind the card: quantities, money in fen, critical ratio, curves, tags …
    metrics: Mapped[dict] = mapped_column(JSON, default=dict)
    # [{"code": "hot_day_fruit", "params": {...}}, …], rendered through Babel.
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    cold_start: Mapped[bool] = mapped_column(default=False)
    model: Mapped[str] = mapped_column(String(40), default="")  # which method produced it
    status: Mapped[str] = mapped_column(String(10), default=SuggestionStatus.NEW)
    dismiss_reason: Mapped[str | None] = mapped_column(String(20))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Filled the day after: what really sold of product_id on for_date.
    actual_units: Mapped[float | None] = mapped_column(Float)
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    product: Mapped[Product | None] = relationship()  # noqa: F821
