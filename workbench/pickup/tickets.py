"""缺货/破损 reports from the counter (after-sales tickets) and HQ's resolution of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from workbench.catalog.models import Product
from workbench.errors import Invalid
from workbench.orders.models import (
    AfterSalesTicket,
    Order,
    OrderItem,
    OrderStatus,
    TicketKind,
    TicketStatus,
)
from workbench.stores.models import Store

KIND_LABELS = {TicketKind.SHORTAGE: _l("Shortage"), TicketKind.DAMAGE: _l("Damaged")}
STATUS_LABELS = {TicketStatus.OPEN: _l("Awaiting HQ"), TicketStatus.ACCEPTED: _l("Accepted by HQ"),
                 TicketStatus.REJECTED: _l("Rejected by HQ")}
#: Reports are about goods that reached the counter.
REPORTABLE = (OrderStatus.ARRIVED, OrderStatus.PICKED_UP)
NOTE_MAX = 300


class TicketError(Invalid):
    """A report or resolution refused (400); ``field`` is the form field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class TicketNotFound(TicketError):
    status, code = 404, "not_found"


class AlreadyResolved(TicketError):
    status, code = 409, "already_resolved"


@dataclass(frozen=True)
class ReportTarget:
    """The order line a report is about, as the form shows it."""

    item_id: int
    order_id: int
    order_code: str
    order_status: str
    member_id: int
    product: str
    quantity: int  # ordered
    reported: int  # already in open or accepted tickets

    @property
    def reportable(self) -> int:
        return max(0, self.quantity - self.reported)


def report_target(session: Session, store_id: int, item_id: int) -> ReportTarget:
    row = session.execute(
        select(OrderItem.id, Order.id, Order.code, Order.status, Order.member_id, Product.name, OrderItem.quantity)
        .join(Order, Order.id == OrderItem.order_id)
        .join(Product, Product.id == OrderItem.product_id)
        .where(OrderItem.id == item_id, Order.store_id == store_id)
    ).first()
    if row is None:
        raise TicketNotFound(_("This order line was not found in your store."))
    reported = session.scalar(
        select(func.coalesce(func.sum(AfterSalesTicket.quantity), 0)).where(
            AfterSalesTicket.order_item_id == item_id,
            AfterSalesTicket.status.in_([TicketStatus.OPEN, TicketStatus.ACCEPTED]),
        )
    )
    return ReportTarget(*row, reported=int(reported or 0))


def open_ticket(session: Session, *, store_id: int, item_id: int, kind: str, quantity: int, note: str,
                photo: str, actor_id: int | None, now: datetime) -> AfterSalesTicket:
    """Validate and add one ticket (not committed). Raises ``TicketError`` with the field at fault."""
    target = report_target(session, store_id, item_id)
    if kind not in set(TicketKind):
        raise TicketError(_("Choose shortage or damage."), "kind")
    if target.order_status not in REPORTABLE:
        raise TicketError(_("Order %(code)s has not arrived yet, so there is nothing to report.",
                            code=target.order_code))
    if quantity < 1:
        raise TicketError(_("The quantity must be at least 1."), "quantity")
    if quantity > target.reportable:
        raise TicketError(_("At most %(n)s can be reported for this line (ordered %(ordered)s, "
                            "already reported %(reported)s).",
                            n=target.reportable, ordered=target.quantity, reported=target.reported), "quantity")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise TicketError(_("The note is too long (at most 300 characters)."), "note")
    ticket = AfterSalesTicket(store_id=store_id, order_id=target.order_id, order_item_id=item_id, kind=kind,
                              quantity=quantity, note=note, photo=photo, status=TicketStatus.OPEN,
                              created_by_id=actor_id, created_at=now)
    session.add(ticket)
    session.flush()
    return ticket


# ------------------------------------------------------------------ HQ


@dataclass(frozen=True)
class TicketRow:
    id: int
    store_code: str
    store_name: str
    order_code: str
    product: str
    kind: str
    quantity: int
    note: str
    has_photo: bool
    status: str
    created_at: datetime
    resolution: str
    resolved_at: datetime | None


def ticket_rows(session: Session, scope: ColumnElement[bool], status: str | None, limit: int = 200) -> list[TicketRow]:
    """Tickets in ``scope`` (a condition on the ticket's store), oldest open first."""
    stmt = (
        select(AfterSalesTicket.id, Store.code, Store.name, Order.code, Product.name, AfterSalesTicket.kind,
               AfterSalesTicket.quantity, AfterSalesTicket.note, AfterSalesTicket.photo != "",
               AfterSalesTicket.status, AfterSalesTicket.created_at, AfterSalesTicket.resolution,
               AfterSalesTicket.resolved_at)
        .join(Store, Store.id == AfterSalesTicket.store_id)
        .join(Order, Order.id == AfterSalesTicket.order_id)
        .join(OrderItem, OrderItem.id == AfterSalesTicket.order_item_id)
        .join(Product, Product.id == OrderItem.product_id)
        .where(scope)
    )
    if status:
        stmt = stmt.where(AfterSalesTicket.status == status)
    order = AfterSalesTicket.created_at if status == TicketStatus.OPEN else AfterSalesTicket.created_at.desc()
    return [TicketRow(*r) for r in session.execute(stmt.order_by(order, AfterSalesTicket.id).limit(limit))]


def status_counts(session: Session, scope: ColumnElement[bool]) -> dict[str, int]:
    return {s: int(n) for s, n in session.execute(
        select(AfterSalesTicket.status, func.count()).where(scope).group_by(AfterSalesTicket.status))}


def resolve(session: Session, *, ticket_id: int, scope: ColumnElement[bool], decision: str, resolution: str,
            actor_id: int | None, now: datetime) -> None:
    """Accept or reject (``decision``) an open ticket; a second resolver (or click) changes nothing.

    Existence in scope is checked first, so another region's ticket is "not found"
    whatever else is wrong with the request.
    """
    resolution = (resolution or "").strip()
    exists = session.scalar(select(AfterSalesTicket.status).where(AfterSalesTicket.id == ticket_id, scope))
    if exists is None:
        raise TicketNotFound(_("This ticket was not found."))
    if decision not in ("accept", "reject"):
        raise TicketError(_("Choose accept or reject."), "decision")
    accept = decision == "accept"
    if not resolution:
        raise TicketError(_("Please write how the ticket was resolved."), "resolution")
    if len(resolution) > NOTE_MAX:
        raise TicketError(_("The resolution is too long (at most 300 characters)."), "resolution")
    done = session.execute(
        update(AfterSalesTicket)
        .where(AfterSalesTicket.id == ticket_id, AfterSalesTicket.status == TicketStatus.OPEN, scope)
        .values(status=TicketStatus.ACCEPTED if accept else TicketStatus.REJECTED, resolution=resolution,
                resolved_by_id=actor_id, resolved_at=now)
        .returning(AfterSalesTicket.id),
        execution_options={"synchronize_session": False},
    ).first()
    if done is None:
        raise AlreadyResolved(_("This ticket was already resolved, perhaps by a colleague. Nothing was changed."))
