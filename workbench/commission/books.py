"""Loading a plan's versions as rate books (``rules.RateBook``) for the rules to apply."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.commission.models import CommissionPlanVersion, CommissionRate, CommissionTier
from workbench.commission.rules import RateBook


class PlanBooks:
    """Every version of one plan, loaded once; ``book_for(day)`` is the version in force."""

    def __init__(self, books: list[RateBook]) -> None:
        self.books = sorted(books, key=lambda b: b.effective_from)
        self._starts = [b.effective_from for b in self.books]

    def book_for(self, day: date) -> RateBook | None:
        i = bisect_right(self._starts, day) - 1
        return self.books[i] if i >= 0 else None

    def require(self) -> Callable[[date], RateBook]:
        """``book_for`` for the rules, failing loudly on a day before the first version."""
        def book_for(day: date) -> RateBook:
            book = self.book_for(day)
            if book is None:
                raise LookupError(f"no commission plan version in force on {day}")
            return book
        return book_for


def load_plan_books(session: Session, plan_ids: list[int] | set[int]) -> dict[int, PlanBooks]:
    """The rate books of each plan (three queries, whatever the number of plans)."""
    ids = sorted(set(plan_ids))
    if not ids:
        return {}
    versions = session.execute(
        select(CommissionPlanVersion.id, CommissionPlanVersion.plan_id, CommissionPlanVersion.effective_from,
               CommissionPlanVersion.tier_mode, CommissionPlanVersion.after_sales_days)
        .where(CommissionPlanVersion.plan_id.in_(ids))
    ).all()
    version_ids = [v.id for v in versions]
    tiers: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rates: dict[int, list] = defaultdict(list)
    if version_ids:
        for vid, low, bp in session.execute(
            select(CommissionTier.version_id, CommissionTier.min_gmv_fen, CommissionTier.rate_bp)
            .where(CommissionTier.version_id.in_(version_ids))
        ):
            tiers[vid].append((int(low), int(bp)))
        for row in session.execute(
            select(CommissionRate.version_id, CommissionRate.category_id, CommissionRate.product_id,
                   CommissionRate.campaign_id, CommissionRate.rate_bp)
            .where(CommissionRate.version_id.in_(version_ids))
        ):
            rates[row.version_id].append(row)
    by_plan: dict[int, list[RateBook]] = defaultdict(list)
    for v in versions:
        rs = rates[v.id]
        by_plan[v.plan_id].append(RateBook(
            effective_from=v.effective_from,
            tier_mode=v.tier_mode,
            after_sales_days=v.after_sales_days,
            tiers=tuple(sorted(tiers[v.id])),
            category_bp={r.category_id: r.rate_bp for r in rs if r.category_id is not None},
            product_bp={r.product_id: r.rate_bp for r in rs if r.product_id is not None},
            campaign_bp={r.campaign_id: r.rate_bp for r in rs if r.campaign_id is not None},
        ))
    return {pid: PlanBooks(by_plan.get(pid, [])) for pid in ids}


def version_on(session: Session, plan_id: int, day: date) -> CommissionPlanVersion | None:
    """The plan version in force on ``day`` (the newest starting on or before it)."""
    return session.scalar(
        select(CommissionPlanVersion)
        .where(CommissionPlanVersion.plan_id == plan_id, CommissionPlanVersion.effective_from <= day)
        .order_by(CommissionPlanVersion.effective_from.desc())
        .limit(1)
    )
