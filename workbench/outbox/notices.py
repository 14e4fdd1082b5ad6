"""Writing member notices into the outbox: 到货提醒 when a member's goods arrive.

Writing is idempotent (``dedupe_key`` is unique), respects opt-out (the row is kept as
``skipped`` so the owner can see why nobody was told) and quiet hours (21:00–08:00 Shanghai
time: the message waits until 08:00). Sending is the sender's job; nothing here commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from workbench.formatting import SHANGHAI
from workbench.members.models import Member
from workbench.orders.models import Order
from workbench.outbox.models import OutboxMessage, OutboxStatus
from workbench.stores.models import PickupPoint, Store

QUIET_START = time(21, 0)
QUIET_END = time(8, 0)
DEFAULT_CHANNEL = "log"


def next_send_time(now: datetime) -> datetime:
    """``now``, or the end of quiet hours (08:00 Shanghai) when ``now`` falls inside them."""
    local = now.astimezone(SHANGHAI)
    if QUIET_END <= local.time() < QUIET_START:
        return now
    day = local.date() if local.time() < QUIET_END else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_END, tzinfo=SHANGHAI).astimezone(UTC)


def write_messages(session: Session, rows: list[dict]) -> int:
    """Insert outbox rows, skipping any whose ``dedupe_key`` is already there; return how many were new."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    ins = pg_insert if dialect == "postgresql" else sqlite_insert
    result = session.execute(
        ins(OutboxMessage).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(OutboxMessage.id),
        rows,
    )
    return len(result.all())


def enqueue_arrival_notices(session: Session, order_ids: Iterable[int], now: datetime,
                            channel: str = DEFAULT_CHANNEL) -> int:
    """One 到货提醒 per member for the given (just arrived) orders; returns messages written.

    The key is the member and the lowest order id of the batch: marking the same batch
    arrived again writes nothing, a later batch for the same member writes a new notice.
    """
    ids = sorted(set(order_ids))
    if not ids:
        return 0
    rows = session.execute(
        select(Order.id, Order.code, Order.store_id, Member.id, Member.name, Member.push_opt_out,
               Store.name, PickupPoint.name)
        .join(Member, Member.id == Order.member_id)
        .join(Store, Store.id == Order.store_id)
        .outerjoin(PickupPoint, PickupPoint.id == Order.pickup_point_id)
        .where(Order.id.in_(ids))
        .order_by(Order.id)
    ).all()
    by_member: dict[int, list] = defaultdict(list)
    for row in rows:
        by_member[row[3]].append(row)
    send_after = next_send_time(now)
    messages = []
    for member_id, orders in by_member.items():
        first = orders[0]
        _oid, _code, store_id, _mid, name, opted_out, store_name, point = first
        codes = "、".join(o[1] for o in orders)
        # Members read Chinese whatever language the HQ user marking the batch has chosen,
        # and a worker or CLI run has no request to take a locale from.
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            body = _("%(name)s, your order %(codes)s has arrived at %(point)s. Please come and pick it up. "
                     "— %(store)s", name=name, codes=codes, point=point or store_name, store=store_name)
        messages.append({
            "store_id": store_id, "member_id": member_id, "channel": channel, "kind": "arrival_notice",
            "dedupe_key": f"arrival:{member_id}:{first[0]}", "body": body,
            "status": OutboxStatus.SKIPPED.value if opted_out else OutboxStatus.PENDING.value,
            "error": "opted out" if opted_out else "",
            "send_after": send_after, "created_at": now,
        })
    return write_messages(session, messages)
