"""The campaign order page: links, what the page shows, sending a code, placing an order.

Plain inputs, dataclass outputs. Only ``send_code`` commits (the code must exist before it is
sent, and the send must be recorded); elsewhere the view commits once per action.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from workbench.catalog.models import Product
from workbench.formatting import local_today, mask_phone
from workbench.members.models import Member
from workbench.members.services import create_member, ensure_pickup_code
from workbench.orders.models import (
    Campaign,
    CampaignProduct,
    CampaignStatus,
    Order,
    OrderEvent,
    OrderItem,
    OrderSource,
    OrderStatus,
)
from workbench.outbox.channels import Message, get_channel
from workbench.outbox.models import OutboxMessage, OutboxStatus
from workbench.shop import otp
from workbench.stores.models import Building, Community, PickupPoint, Store

MAX_QTY = 99
TOKEN_SALT = "campaign"
#: Orders that no longer count towards a campaign's 成团 progress.
_QTY = re.compile(r"\d{1,3}", re.ASCII)
NOT_COUNTED = (OrderStatus.CANCELLED.value, OrderStatus.REFUNDED.value, OrderStatus.FAILED.value)


# --------------------------------------------------------------------------- links


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def campaign_token(campaign_id: int) -> str:
    """A signed, opaque token for the campaign: links cannot be guessed by counting ids."""
    return _serializer().dumps(campaign_id)


def campaign_id_from_token(token: str) -> int | None:
    try:
        value = _serializer().loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def campaign_url(campaign_id: int, *, external: bool = True) -> str:
    """The public order page of a campaign (what the poster's QR code holds)."""
    return url_for("shop.campaign", token=campaign_token(campaign_id), _external=external)


# --------------------------------------------------------------------------- the page


class CampaignState:
    UPCOMING = "upcoming"
    OPEN = "open"
    ENDED = "ended"
    CANCELLED = "cancelled"


def campaign_state(campaign: Campaign, now: datetime) -> str:
    """Whether members can order now; ``grouped`` (成团 reached) still takes orders until the deadline."""
    if campaign.status == CampaignStatus.CANCELLED:
        return CampaignState.CANCELLED
    if campaign.status in (CampaignStatus.CLOSED, CampaignStatus.FAILED) or now >= campaign.ends_at:
        return CampaignState.ENDED
    if campaign.status == CampaignStatus.DRAFT or now < campaign.starts_at:
        return CampaignState.UPCOMING
    return CampaignState.OPEN


@dataclass
class ProductLine:
    campaign_product_id: int
    name: str
    spec: str
    unit: str
    group_price_fen: int
    list_price_fen: int
    ordered: int  # units ordered so far (成团 progress)
    threshold: int

    @property
    def ratio(self) -> float:
        return min(1.0, self.ordered / self.threshold) if self.threshold else 1.0

    @property
    def reached(self) -> bool:
        return self.ordered >= self.threshold

    @property
    def missing(self) -> int:
        return max(0, self.threshold - self.ordered)


@dataclass
class CampaignPage:
    campaign_id: int
    title: str
    store_name: str
    store_id: int
    state: str
    starts_at: datetime
    ends_at: datetime
    pickup_on: date
    pickup_point: str
    pickup_address: str
    lines: list[ProductLine] = field(default_factory=list)
    buildings: list[tuple[int, str]] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.state == CampaignState.OPEN


def load_campaign(session: Session, campaign_id: int) -> Campaign | None:
    return session.scalar(select(Campaign).where(Campaign.id == campaign_id)
                          .options(selectinload(Campaign.products).selectinload(CampaignProduct.product)))


def first_pickup_point(session: Session, store_id: int) -> PickupPoint | None:
    return session.scalar(select(PickupPoint).where(PickupPoint.store_id == store_id)
                          .order_by(PickupPoint.id).limit(1))


def ordered_units(session: Session, campaign: Campaign) -> dict[int, int]:
    """Units ordered per product of the campaign, cancelled/refunded/failed orders left out."""
    rows = session.execute(
        select(OrderItem.product_id, func.coalesce(func.sum(OrderItem.quantity), 0))
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.campaign_id == campaign.id, Order.status.not_in(NOT_COUNTED))
        .group_by(OrderItem.product_id)
    ).all()
    return {product_id: int(units) for product_id, units in rows}


def campaign_page(session: Session, campaign: Campaign, now: datetime) -> CampaignPage:
    store = session.get(Store, campaign.store_id)
    point = first_pickup_point(session, campaign.store_id)
    units = ordered_units(session, campaign)
    lines = [
        ProductLine(cp.id, cp.product.name, cp.product.spec or "", cp.product.unit or "", cp.group_price_fen,
                    max(cp.product.price_fen, cp.group_price_fen), units.get(cp.product_id, 0), cp.threshold_qty)
        for cp in sorted(campaign.products, key=lambda cp: cp.id)
    ]
    buildings = session.execute(
        select(Building.id, Building.name).join(Community, Community.id == Building.community_id)
        .where(Community.store_id == campaign.store_id).order_by(Community.id, Building.name)
    ).all()
    return CampaignPage(
        campaign_id=campaign.id, title=campaign.title, store_name=store.name, store_id=store.id,
        state=campaign_state(campaign, now), starts_at=campaign.starts_at, ends_at=campaign.ends_at,
        pickup_on=campaign.pickup_on, pickup_point=point.name if point else store.name,
        pickup_address=(point.address if point else store.address) or "",
        lines=lines, buildings=[(b_id, name) for b_id, name in buildings],
    )


# --------------------------------------------------------------------------- step 1: the code


class CodeNotSent(Exception):
    """The channel refused the code; the row is marked failed and the member may retry."""


def send_code(session: Session, store: Store, phone: str, now: datetime, *, secret: str, channel: str) -> int:
    """Issue a code, record it in the outbox, commit, and send it at once (not via the worker).

    Returns the challenge id. The outbox row never holds the code itself (only its hash
    is kept anywhere); the plain code goes from memory to the channel. Raises
    ``otp.TooSoon`` (nothing written) or ``CodeNotSent`` (the row says ``failed``).
    """
    adapter = get_channel(channel)  # an unknown channel fails before anything is written
    issued = otp.issue(session, store.id, phone, now, secret)
    member_id = session.scalar(select(Member.id).where(Member.store_id == store.id, Member.phone == phone))
    row = OutboxMessage(store_id=store.id, member_id=member_id, channel=channel, kind="otp",
                        dedupe_key=f"otp:{issued.challenge.id}", status=OutboxStatus.PENDING.value,
                        body=_code_body(store.name, "******"), send_after=now, created_at=now)
    session.add(row)
    session.commit()  # the challenge must exist before the member can type the code
    try:
        adapter.send(Message(to=phone, body=_code_body(store.name, issued.code), kind="otp",
                             dedupe_key=row.dedupe_key))
    except Exception as exc:  # ChannelError, or a provider's own error: the member may retry
        row.status, row.error = OutboxStatus.FAILED.value, (str(exc) or exc.__class__.__name__)[:200]
        session.commit()
        raise CodeNotSent(str(exc)) from exc
    row.status, row.sent_at = OutboxStatus.SENT.value, now
    session.commit()
    return issued.challenge.id


def _code_body(store_name: str, code: str) -> str:
    return _("[%(store)s] Your verification code is %(code)s. It is valid for 10 minutes. Do not share it.",
             store=store_name, code=code)


# --------------------------------------------------------------------------- step 2: the order


class OrderRefused(Exception):
    """The order cannot be placed as asked; ``message`` says why, ``field`` where."""

    def __init__(self, message: str, field: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


@dataclass(frozen=True)
class NewMember:
    """What the page asks a first-time buyer (ignored for a phone the store already knows)."""

    name: str = ""
    building_id: int | None = None
    room: str = ""


def parse_quantities(form, lines: list[ProductLine]) -> tuple[dict[int, int], dict[int, str]]:
    """``qty-<campaign product id>`` fields → {id: quantity > 0}, and errors by id (0–99, whole numbers)."""
    quantities, errors = {}, {}
    for line in lines:
        # NFKC: a Chinese keyboard may type full-width digits (１２).
        raw = unicodedata.normalize("NFKC", form.get(f"qty-{line.campaign_product_id}") or "").strip()
        if raw == "":
            continue
        if not _QTY.fullmatch(raw) or int(raw) > MAX_QTY:
            errors[line.campaign_product_id] = _("Enter a whole number from 0 to %(max)s.", max=MAX_QTY)
            continue
        if int(raw) > 0:
            quantities[line.campaign_product_id] = int(raw)
    return quantities, errors


@dataclass(frozen=True)
class PlacedOrder:
    order_id: int
    code: str
    member_id: int
    new_member: bool


def new_order_code(session: Session, now: datetime) -> str:
    """``Q`` + Shanghai date + 5 random digits; unique (the column's constraint is the backstop)."""
    day = local_today().strftime("%y%m%d")
    while True:
        code = f"Q{day}{secrets.randbelow(10 ** 5):05d}"
        if session.scalar(select(Order.id).where(Order.code == code)) is None:
            return code


def place_order(session: Session, campaign: Campaign, phone: str, quantities: dict[int, int],
                new_member: NewMember, now: datetime) -> PlacedOrder:
    """The member (found by phone, or created) and a ``placed`` order from the campaign page.

    Prices come from the campaign, never from the form. Flushes; the caller commits.
    """
    if campaign_state(campaign, now) != CampaignState.OPEN:
        raise OrderRefused(_("This group buy is not taking orders now."), status=409)
    by_id = {cp.id: cp for cp in campaign.products}
    if any(cp_id not in by_id for cp_id in quantities):
        raise OrderRefused(_("A product on the form is not in this group buy. Reload the page."))
    if not quantities:
        raise OrderRefused(_("Choose at least one product (quantity 1 or more)."), field="quantities")
    if any(not 0 < qty <= MAX_QTY for qty in quantities.values()):
        raise OrderRefused(_("Enter a whole number from 0 to %(max)s.", max=MAX_QTY), field="quantities")

    member = session.scalar(select(Member).where(Member.store_id == campaign.store_id, Member.phone == phone))
    created = member is None
    if created:
        name = new_member.name.strip()
        if not name:
            raise OrderRefused(_("New here? Please enter your name."), field="name")
        building_id = new_member.building_id
        if building_id is not None:
            known = session.scalar(select(Building.id).join(Community, Community.id == Building.community_id)
                                   .where(Building.id == building_id, Community.store_id == campaign.store_id))
            if known is None:
                raise OrderRefused(_("Choose your building from the list."), field="building")
        member = create_member(session, campaign.store_id, phone=phone, name=name[:40], joined_on=local_today(),
                               building_id=building_id, room=new_member.room.strip()[:20])
    else:
        ensure_pickup_code(session, member)

    point = first_pickup_point(session, campaign.store_id)
    products = {p.id: p for p in session.scalars(
        select(Product).where(Product.id.in_([by_id[i].product_id for i in quantities])))}
    order = Order(code=new_order_code(session, now), store_id=campaign.store_id, member_id=member.id,
                  campaign_id=campaign.id, pickup_point_id=point.id if point else None,
                  status=OrderStatus.PLACED.value, source=OrderSource.QR.value, total_fen=0, placed_at=now,
                  source_key=None, source_text="")
    session.add(order)
    session.flush()
    total = 0
    for cp_id in sorted(quantities):
        cp, qty = by_id[cp_id], quantities[cp_id]
        product = products[cp.product_id]
        amount = qty * cp.group_price_fen
        total += amount
        session.add(OrderItem(order_id=order.id, product_id=cp.product_id, campaign_product_id=cp.id,
                              quantity=qty, unit_price_fen=cp.group_price_fen,
                              list_price_fen=max(product.price_fen, cp.group_price_fen), amount_fen=amount))
    order.total_fen = total
    session.add(OrderEvent(order_id=order.id, from_status=None, to_status=OrderStatus.PLACED.value,
                           actor_id=None, note=f"campaign page, {mask_phone(phone)}", at=now))
    session.flush()
    return PlacedOrder(order.id, order.code, member.id, created)


# --------------------------------------------------------------------------- confirmation


@dataclass
class Confirmation:
    order_code: str
    status: str
    items: list[tuple[str, str, int, int, int]]  # name, spec, quantity, unit price, amount
    total_fen: int
    pickup_on: date | None
    pickup_point: str
    pickup_address: str
    member_name: str
    pickup_code: str
    campaign_title: str
    store_name: str


def confirmation(session: Session, order_id: int, campaign_id: int) -> Confirmation | None:
    """The order this browser placed in ``campaign_id``; None for any other (the id comes from
    the signed session, but a page of one campaign never shows another campaign's order)."""
    order = session.get(Order, order_id)
    if order is None or order.campaign_id != campaign_id:
        return None
    campaign = session.get(Campaign, order.campaign_id) if order.campaign_id else None
    point = session.get(PickupPoint, order.pickup_point_id) if order.pickup_point_id else None
    store = session.get(Store, order.store_id)
    member = session.get(Member, order.member_id)
    items = session.execute(
        select(Product.name, Product.spec, OrderItem.quantity, OrderItem.unit_price_fen, OrderItem.amount_fen)
        .join(Product, Product.id == OrderItem.product_id).where(OrderItem.order_id == order.id)
        .order_by(OrderItem.id)
    ).all()
    return Confirmation(
        order_code=order.code, status=order.status, items=[tuple(row) for row in items], total_fen=order.total_fen,
        pickup_on=campaign.pickup_on if campaign else None, pickup_point=point.name if point else store.name,
        pickup_address=(point.address if point else store.address) or "", member_name=member.name,
        pickup_code=member.pickup_code or "", campaign_title=campaign.title if campaign else "",
        store_name=store.name,
    )
