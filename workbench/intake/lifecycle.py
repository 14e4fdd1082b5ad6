"""Where imported orders stand in their campaign's life: the 截单 check and "mark paid".

An imported 接龙 or CSV order starts ``placed`` like an order from the campaign page: a
line in a chain is a promise, not a payment. Once paid it must stand where the
campaign's other paid orders stand. In a campaign still collecting (active) that is
``paid``; in one that already reached its threshold (成团, ``grouped``) the group has
formed, so a paid order joins it at once as ``grouped``. Left at ``paid`` it would sit
outside the pickup day's purchase, sorting and delivery lists, and HQ's "packed" mark
(which moves ``grouped`` orders only) would never reach it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.orders import transitions
from workbench.orders.models import Campaign, CampaignStatus, Order, OrderStatus

IMPORTED_SOURCES = ("jielong", "csv")


def cutoff_passed(campaign: Campaign, now: datetime) -> bool:
    """Whether the campaign's 截单 time is behind us: imports then need the owner's say-so."""
    return now >= campaign.ends_at


@dataclass
class PaidResult:
    paid: list[int]  # placed → paid
    grouped: list[int]  # then paid → grouped, the campaign having reached its threshold


def mark_paid(session: Session, store_id: int, campaign: Campaign, wanted: set[int], *, actor_id: int | None,
              now: datetime) -> PaidResult:
    """Mark the ticked orders of this store's campaign paid, and grouped when the group formed.

    Ids from the form are never trusted alone: only this store's orders of this campaign
    move. In a grouped campaign, ticked orders already ``paid`` (imported before this
    fix, or paid elsewhere) join the group too. One transaction, no commit.
    """
    ids = list(session.scalars(select(Order.id).where(
        Order.id.in_(wanted), Order.store_id == store_id, Order.campaign_id == campaign.id)))
    paid = transitions.move(session, ids, OrderStatus.PAID, actor_id=actor_id, now=now, store_id=store_id,
                            from_statuses=[OrderStatus.PLACED])
    grouped: list[int] = []
    if campaign.status == CampaignStatus.GROUPED:
        grouped = transitions.move(session, ids, OrderStatus.GROUPED, actor_id=actor_id, now=now, store_id=store_id,
                                   from_statuses=[OrderStatus.PAID], note="group already reached when paid")
    return PaidResult(paid, grouped)


def can_tick(campaign: Campaign, status: str) -> bool:
    """Orders the owner may tick on the imported orders page."""
    return status == OrderStatus.PLACED or (campaign.status == CampaignStatus.GROUPED and status == OrderStatus.PAID)
