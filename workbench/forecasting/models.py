"""What the forecasting package stores: the figures of each backtest run (HQ shows them)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from workbench.extensions import db
from workbench.types import UTCDateTime, utcnow


class BacktestRun(db.Model):
    """One method's figures from one ``flask forecast backtest`` run (shown to HQ)."""

    __tablename__ = "backtest_runs"
    __table_args__ = (
        CheckConstraint("horizon >= 1 AND holdout_days >= 1 AND series >= 0", name="sizes"),
        Index("ix_backtest_runs_ran_at", "ran_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    source: Mapped[str] = mapped_column(String(200))  # "database" or the CSV's file name
    horizon: Mapped[int]
    holdout_days: Mapped[int]
    method: Mapped[str] = mapped_column(String(40))
    wape: Mapped[float | None] = mapped_column(Float)
    mase: Mapped[float | None] = mapped_column(Float)
    bias: Mapped[float | None] = mapped_column(Float)
    coverage80: Mapped[float | None] = mapped_column(Float)
    series: Mapped[int]
    seconds: Mapped[float] = mapped_column(Float)


class ForecastSelection(db.Model):
    """The method a store is served, chosen on the days before ``selected_for`` (kept a week).

    ``shifts`` are the interval's (lower, middle, upper) offsets in units of each series'
    28-day level, calibrated on the same validation days; ``scores`` every candidate's
    WAPE there (HQ may read them).
    """

    __tablename__ = "forecast_selections"
    __table_args__ = (UniqueConstraint("store_id", "selected_for", name="uq_forecast_selections_store_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    selected_for: Mapped[date] = mapped_column(Date)  # the first forecast day (the origin)
    method: Mapped[str] = mapped_column(String(40))
    shifts: Mapped[list] = mapped_column(JSON)
    scores: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
