"""Paste preview and import: the database side of ``parser`` and ``matching``.

Stateless by design: the preview form carries the pasted text and the owner's fixes, and
confirming parses it all again, so what is imported is exactly what was last shown.
Idempotency lives in the database: each line's ``source_key`` is unique per store.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from workbench.catalog.models import Product
from workbench.intake import parser
from workbench.intake.matching import (
    ItemMatch,
    LineMatch,
    MemberIndex,
    MemberRef,
    ProductIndex,
    ProductRef,
    match_line,
)
from workbench.members.models import Member
from workbench.members.services import create_member
from workbench.orders.models import (
    Campaign,
    CampaignProduct,
    CampaignStatus,
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
)
from workbench.stores.models import Building, Community, PickupPoint

#: Campaigns orders may be imported into.
OPEN_STATUSES = (CampaignStatus.ACTIVE, CampaignStatus.GROUPED)
MAX_LINES = parser.MAX_ORDER_LINES
MAX_QUANTITY = 999
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")

LineStatus = Literal["ready", "fix", "already", "ignored", "skipped"]


# --------------------------------------------------------------------------- loading


#: Grouped campaigns stay on the import list this long after their pickup day (late CSVs).
RECENT_DAYS = 14


def open_campaigns(session: Session, store_id: int, today: date) -> list[Campaign]:
    """The store's campaigns orders can come in for, most recent first.

    Every active one, and grouped ones whose pickup day is at most ``RECENT_DAYS`` ago:
    months of finished group buys would bury this week's on the owner's phone.
    """
    return list(session.scalars(
        select(Campaign).where(
            Campaign.store_id == store_id,
            or_(Campaign.status == CampaignStatus.ACTIVE,
                and_(Campaign.status == CampaignStatus.GROUPED,
                     Campaign.pickup_on >= today - timedelta(days=RECENT_DAYS))))
        .order_by(Campaign.starts_at.desc(), Campaign.id.desc())))


def campaign_products(session: Session, campaign_id: int) -> list[ProductRef]:
    rows = session.execute(
        select(CampaignProduct.id, Product.id, Product.name, Product.aliases, Product.spec, Product.unit,
               CampaignProduct.group_price_fen, Product.price_fen, Product.sku)
        .join(Product, Product.id == CampaignProduct.product_id)
        .where(CampaignProduct.campaign_id == campaign_id).order_by(CampaignProduct.id))
    return [ProductRef(cp_id, pid, name, tuple(aliases or ()), spec, unit, group, price, sku)
            for cp_id, pid, name, aliases, spec, unit, group, price, sku in rows]


def store_members(session: Session, store_id: int) -> list[MemberRef]:
    rows = session.execute(
        select(Member.id, Member.name, Member.phone, Building.name, Member.room)
        .outerjoin(Building, Building.id == Member.building_id)
        .where(Member.store_id == store_id).order_by(Member.id))
    return [MemberRef(mid, name, phone, building or "", room or "") for mid, name, phone, building, room in rows]


@dataclass
class StoreContext:
    """What matching and importing need to know about one store and one campaign."""

    store_id: int
    campaign_id: int
    members: MemberIndex
    products: ProductIndex
    member_by_id: dict[int, MemberRef]
    product_by_id: dict[int, ProductRef]

    @classmethod
    def load(cls, session: Session, store_id: int, campaign_id: int) -> StoreContext:
        members = store_members(session, store_id)
        products = campaign_products(session, campaign_id)
        return cls(store_id, campaign_id, MemberIndex(members), ProductIndex(products),
                   {m.id: m for m in members}, {p.id: p for p in products})


# --------------------------------------------------------------------------- fixes


@dataclass
class LineFix:
    """What the owner chose for one line in the preview (all optional)."""

    member: str = ""  # a member id, "new", or ""
    phone: str = ""
    name: str = ""
    products: dict[int, str] = field(default_factory=dict)  # item index → campaign product id
    quantities: dict[int, str] = field(default_factory=dict)  # item index → quantity as typed
    skip: bool = False

    @property
    def empty(self) -> bool:
        return not (self.member or self.phone or self.name or self.products or self.quantities or self.skip)


_FIX_FIELD = re.compile(r"^(m|phone|name|skip|p|q)-(\d{1,6})(?:-(\d{1,3}))?$")


def parse_fixes(form: dict[str, str]) -> dict[int, LineFix]:
    """Form fields ``m-12``, ``phone-12``, ``name-12``, ``skip-12``, ``p-12-0``, ``q-12-0`` by line."""
    fixes: dict[int, LineFix] = {}
    for key, value in form.items():
        m = _FIX_FIELD.match(key)
        if not m:
            continue
        kind, line_no = m.group(1), int(m.group(2))
        value = (value or "").strip()
        fix = fixes.setdefault(line_no, LineFix())
        if kind == "m":
            fix.member = value
        elif kind == "phone":
            fix.phone = clean_phone(value)
        elif kind == "name":
            fix.name = value[:40]
        elif kind == "skip":
            fix.skip = value not in ("", "0")
        elif m.group(3) is not None and value:
            (fix.products if kind == "p" else fix.quantities)[int(m.group(3))] = value
    return {k: v for k, v in fixes.items() if not v.empty}


def clean_phone(value: str) -> str:
    """Full-width digits, spaces, dashes and a +86 prefix out: what people type or paste."""
    digits = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", value or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


# --------------------------------------------------------------------------- preview


@dataclass
class NewMember:
    phone: str
    name: str
    address: parser.Address | None = None


@dataclass
class ResolvedItem:
    product: ProductRef
    quantity: int
    note: str = ""  # "30枚 = 1盒", "按模糊匹配", …
    how: str = ""
    written: str = ""  # the words on the line ("兰莓"), shown beside a correction
    written_note: str = ""  # the member's bracketed note on the item ("大份", "自提")

    @property
    def amount_fen(self) -> int:
        return self.product.group_price_fen * self.quantity


@dataclass
class PreviewLine:
    line: parser.ParsedLine
    match: LineMatch | None
    status: LineStatus
    problems: list[str] = field(default_factory=list)  # codes, see views.PROBLEM_MESSAGES
    member: MemberRef | None = None
    new_member: NewMember | None = None
    items: list[ResolvedItem] = field(default_factory=list)
    source_key: str = ""
    existing_code: str = ""  # the order this line already became
    fix: LineFix = field(default_factory=LineFix)
    #: Codes of orders the member already has in this campaign from an import: an edited
    #: 接龙 line ("蓝莓2" → "蓝莓3") reads as a new line, so the owner is told.
    earlier_codes: list[str] = field(default_factory=list)

    @property
    def total_fen(self) -> int:
        return sum(i.amount_fen for i in self.items)

    @property
    def item_slots(self) -> list[ItemMatch | None]:
        """One slot per written item (None: no item read, the owner may add one)."""
        if self.match and self.match.items:
            return list(self.match.items)
        return [None]


class PasteRefused(Exception):
    """A paste refused before it is read (too long, too many lines): a 400 with ``message``."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_paste(text: str) -> list[parser.ParsedLine]:
    """The paste's lines, or ``PasteRefused`` saying which limit it breaks.

    Every endpoint that reads a paste goes through here, so the size limits (checked by
    the parser before any pattern runs) and the 1,000-line limit hold on all of them.
    """
    try:
        lines = parser.parse_paste(text)
    except parser.PasteTooLarge as exc:
        if exc.kind == "line":
            raise PasteRefused(_("Line %(n)s is too long (over %(limit)s characters): no 接龙 line is that long. "
                                 "Check the text and paste it again.", n=exc.line_no, limit=exc.limit)) from exc
        if exc.kind == "lines":
            raise PasteRefused(_("At most %(n)s lines at a time: paste the chain in parts.", n=MAX_LINES)) from exc
        raise PasteRefused(_("The text is too long: paste at most 100,000 characters.")) from exc
    if sum(1 for ln in lines if ln.is_order) > MAX_LINES:
        raise PasteRefused(_("At most %(n)s lines at a time: paste the chain in parts.", n=MAX_LINES))
    return lines


@dataclass
class Preview:
    lines: list[PreviewLine]

    def count(self, status: str) -> int:
        return sum(1 for pl in self.lines if pl.status == status)

    @property
    def ready(self) -> list[PreviewLine]:
        return [pl for pl in self.lines if pl.status == "ready"]

    @property
    def ready_total_fen(self) -> int:
        return sum(pl.total_fen for pl in self.ready)


def build_preview(session: Session, ctx: StoreContext, text: str, fixes: dict[int, LineFix] | None = None) -> Preview:
    """Parse, match, apply the owner's fixes and mark what is already imported."""
    fixes = fixes or {}
    lines = read_paste(text)
    keys = parser.source_keys(ctx.campaign_id, lines)
    existing = existing_keys(session, ctx.store_id, list(keys.values()))
    out = []
    for line in lines:
        out.append(preview_line(line, ctx, keys.get(line.line_no, ""), existing, fixes.get(line.line_no)))
    earlier = imported_codes_by_member(session, ctx.store_id, ctx.campaign_id,
                                       {pl.member.id for pl in out if pl.member and pl.status != "already"})
    for pl in out:
        if pl.member and pl.status in ("ready", "fix"):
            pl.earlier_codes = earlier.get(pl.member.id, [])
    return Preview(out)


def imported_codes_by_member(session: Session, store_id: int, campaign_id: int,
                             member_ids: set[int]) -> dict[int, list[str]]:
    """member id → codes of the campaign's 接龙/CSV orders they already have (not cancelled)."""
    found: dict[int, list[str]] = {}
    ids = sorted(member_ids)
    for i in range(0, len(ids), 500):
        for member_id, code in session.execute(
                select(Order.member_id, Order.code).where(
                    Order.store_id == store_id, Order.campaign_id == campaign_id,
                    Order.member_id.in_(ids[i:i + 500]), Order.source.in_(("jielong", "csv")),
                    Order.status != OrderStatus.CANCELLED).order_by(Order.id)):
            found.setdefault(member_id, []).append(code)
    return found


def existing_keys(session: Session, store_id: int, keys: list[str]) -> dict[str, str]:
    """source_key → order code, for the keys this store already imported."""
    found: dict[str, str] = {}
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        found.update(session.execute(select(Order.source_key, Order.code).where(
            Order.store_id == store_id, Order.source_key.in_(chunk))).all())
    return found


def preview_line(line: parser.ParsedLine, ctx: StoreContext, key: str, existing: dict[str, str],
                 fix: LineFix | None) -> PreviewLine:
    fix = fix or LineFix()
    if not line.is_order:
        return PreviewLine(line, None, "ignored", fix=fix)
    if key in existing:
        return PreviewLine(line, None, "already", source_key=key, existing_code=existing[key], fix=fix)
    match = match_line(line, ctx.members, ctx.products)
    pl = PreviewLine(line, match, "ready", source_key=key, fix=fix)
    if fix.skip:
        pl.status = "skipped"
        return pl
    _resolve_member(pl, ctx, fix)
    _resolve_items(pl, ctx, fix)
    if "too_many_items" in match.problems:
        pl.problems.append("too_many_items")
    if pl.problems:
        pl.status = "fix"
    return pl


def _resolve_member(pl: PreviewLine, ctx: StoreContext, fix: LineFix) -> None:
    match, line = pl.match, pl.line
    name = (fix.name or match.name or "").strip()
    if fix.member and fix.member != "new":
        chosen = ctx.member_by_id.get(int(fix.member)) if _small_id(fix.member) else None
        if chosen is None:
            pl.problems.append("member_invalid")
        else:
            pl.member = chosen
        return
    if fix.member == "new" or fix.phone or match.member.status in ("new", "needs_phone"):
        phone = fix.phone or line.phone
        if not phone:
            pl.problems.append("member_needs_phone")
            return
        if not PHONE_RE.match(phone):
            pl.problems.append("phone_invalid")
            return
        if phone in ctx.members.by_phone:  # typed the phone of someone already a member
            pl.member = ctx.members.by_phone[phone]
            return
        pl.new_member = NewMember(phone, name or f"尾号{phone[-4:]}", line.address)
        return
    if match.member.status == "matched":
        pl.member = match.member.member
        return
    pl.problems.append({"ambiguous": "member_ambiguous", "conflict": "member_conflict"}.get(match.member.status,
                                                                                          "member_none"))


def _small_id(value: str) -> bool:
    """An id typed or posted: digits, and few enough that ``int()`` is cheap and fits a column."""
    return value.isascii() and value.isdigit() and len(value) <= 12


def _resolve_items(pl: PreviewLine, ctx: StoreContext, fix: LineFix) -> None:
    slots = pl.item_slots
    for k, slot in enumerate(slots):
        chosen = fix.products.get(k)
        product = slot.product if slot else None
        note = slot.spec_note if slot else ""
        how = slot.how if slot else ""
        if chosen:
            picked = ctx.product_by_id.get(int(chosen)) if _small_id(chosen) else None
            if picked is None:
                pl.problems.append("product_invalid")
                continue
            if picked is not product:
                product, note, how = picked, "", "chosen"
        quantity = slot.quantity if slot else 1
        typed = fix.quantities.get(k)
        if typed is not None:
            typed_norm = unicodedata.normalize("NFKC", typed)
            if not typed_norm.isdigit() or len(typed_norm) > 4 or not 1 <= int(typed_norm) <= MAX_QUANTITY:
                pl.problems.append("quantity_invalid")
                continue
            quantity, note = int(typed_norm), "" if int(typed_norm) != quantity else note
        if product is None:
            if slot is None:
                pl.problems.append("no_items")
            else:
                pl.problems.append("product_ambiguous" if slot.status == "ambiguous" else "product_none")
            continue
        if quantity > MAX_QUANTITY:
            pl.problems.append("quantity_invalid")
            continue
        if quantity < 1:  # a weight that is no whole number of the product ("蓝莓1斤" of 125g boxes)
            pl.problems.append("quantity_unclear")
            continue
        pl.items.append(ResolvedItem(product, quantity, note, how, slot.written.text if slot else "",
                                     slot.written.note if slot else ""))


# --------------------------------------------------------------------------- import


@dataclass
class ImportResult:
    created_codes: list[str] = field(default_factory=list)
    order_ids: list[int] = field(default_factory=list)
    new_members: int = 0
    total_fen: int = 0
    skipped: int = 0  # lines not ready (to fix, ignored by the owner)
    already: int = 0


@dataclass
class OrderDraft:
    """One order to create, whichever way it came in."""

    source_key: str
    source_text: str
    items: list[ResolvedItem]
    member: MemberRef | None = None
    new_member: NewMember | None = None


def import_drafts(session: Session, store_id: int, campaign_id: int, drafts: list[OrderDraft], *,
                  source: str, actor_id: int | None, now: datetime, today: date) -> ImportResult:
    """Create the members and orders of ``drafts``; flushes, never commits.

    A source key another request imported meanwhile surfaces as ``IntegrityError`` on
    flush: the caller rolls back the whole action.
    """
    result = ImportResult()
    if not drafts:
        return result
    members = _create_new_members(session, store_id, drafts, today)
    result.new_members = len({d.new_member.phone for d in drafts if d.new_member})
    community_of = dict(session.execute(select(Member.id, Member.community_id).where(
        Member.id.in_({m for m in members.values()} | {d.member.id for d in drafts if d.member}))).all())
    points = list(session.execute(select(PickupPoint.id, PickupPoint.community_id).where(
        PickupPoint.store_id == store_id).order_by(PickupPoint.id)).all())
    codes = _order_codes(session, "J" if source == "jielong" else "C", len(drafts), now)
    for draft, code in zip(drafts, codes, strict=True):
        member_id = draft.member.id if draft.member else members[draft.new_member.phone]
        community = community_of.get(member_id)
        point = next((pid for pid, cid in points if cid == community), points[0][0] if points else None)
        merged: dict[int, ResolvedItem] = {}
        for item in draft.items:  # "蓝莓2 蓝莓1" on one line is one order line of 3
            if item.product.id in merged:
                merged[item.product.id].quantity += item.quantity
            else:
                merged[item.product.id] = ResolvedItem(item.product, item.quantity, item.note, item.how)
        total = sum(i.amount_fen for i in merged.values())
        order = Order(code=code, store_id=store_id, member_id=member_id, campaign_id=campaign_id,
                      pickup_point_id=point, status=OrderStatus.PLACED, source=source, total_fen=total,
                      placed_at=now, source_key=draft.source_key, source_text=draft.source_text[:300])
        session.add(order)
        session.flush()
        for item in merged.values():
            p = item.product
            session.add(OrderItem(order_id=order.id, product_id=p.product_id, campaign_product_id=p.id,
                                  quantity=item.quantity, unit_price_fen=p.group_price_fen,
                                  list_price_fen=max(p.list_price_fen, p.group_price_fen),
                                  amount_fen=item.quantity * p.group_price_fen))
        session.add(OrderEvent(order_id=order.id, from_status=None, to_status=OrderStatus.PLACED,
                               actor_id=actor_id, note=f"imported ({source})", at=now))
        result.created_codes.append(code)
        result.order_ids.append(order.id)
        result.total_fen += total
    session.flush()
    return result


def import_preview(session: Session, ctx: StoreContext, preview: Preview, *, actor_id: int | None,
                   now: datetime, today: date) -> ImportResult:
    """Create the ready lines of a 接龙 preview as placed orders (one action, no commit)."""
    drafts = [OrderDraft(pl.source_key, pl.line.raw, pl.items, pl.member, pl.new_member) for pl in preview.ready]
    result = import_drafts(session, ctx.store_id, ctx.campaign_id, drafts, source="jielong", actor_id=actor_id,
                           now=now, today=today)
    result.skipped = preview.count("fix") + preview.count("skipped")
    result.already = preview.count("already")
    return result


class CannotAddMember(Exception):
    """The store has no compound (小区) yet, and every member belongs to one."""


def _create_new_members(session: Session, store_id: int, drafts: list[OrderDraft], today: date) -> dict[str, int]:
    """phone → member id for every new member of the drafts (one per phone)."""
    created: dict[str, int] = {}
    if any(d.new_member for d in drafts) and session.scalar(
            select(Community.id).where(Community.store_id == store_id).limit(1)) is None:
        raise CannotAddMember(store_id)
    buildings = list(session.execute(
        select(Building.id, Building.name, Building.community_id).join(Community)
        .where(Community.store_id == store_id).order_by(Building.id)).all())
    for draft in drafts:
        new = draft.new_member
        if new is None or new.phone in created:
            continue
        building_id = community_id = None
        room = ""
        if new.address is not None:
            found = next(((bid, cid) for bid, name, cid in buildings
                          if "".join(re.findall(r"\d+", name)) == new.address.building), None)
            if found:
                building_id, community_id = found
            room = (f"{new.address.unit}单元" if new.address.unit else "") + new.address.room
        member = create_member(session, store_id, phone=new.phone, name=new.name[:40], joined_on=today,
                               building_id=building_id, room=room, community_id=community_id)
        created[new.phone] = member.id
    return created


def _order_codes(session: Session, prefix: str, n: int, now: datetime) -> list[str]:
    """``n`` unused order codes: J/C + yymmdd + 8 random digits (the unique index is the backstop)."""
    stem = f"{prefix}{now:%y%m%d}"
    codes: set[str] = set()
    while len(codes) < n:
        fresh = {f"{stem}{secrets.randbelow(10 ** 8):08d}" for _ in range(n - len(codes))}
        taken = set(session.scalars(select(Order.code).where(Order.code.in_(fresh))))
        codes |= fresh - taken
    return sorted(codes)


# --------------------------------------------------------------------------- after import


@dataclass
class ImportedOrder:
    id: int
    code: str
    status: str
    member_name: str
    phone: str
    items: str
    total_fen: int
    source: str
    placed_at: datetime


def imported_orders(session: Session, store_id: int, campaign_id: int) -> list[ImportedOrder]:
    """The campaign's 接龙 and CSV orders, newest first, with their items in one line."""
    rows = session.execute(
        select(Order.id, Order.code, Order.status, Member.name, Member.phone, Order.total_fen, Order.source,
               Order.placed_at)
        .join(Member, Member.id == Order.member_id)
        .where(Order.store_id == store_id, Order.campaign_id == campaign_id, Order.source.in_(("jielong", "csv")))
        .order_by(Order.placed_at.desc(), Order.id.desc())).all()
    items: dict[int, list[str]] = {}
    ids = [r[0] for r in rows]
    for i in range(0, len(ids), 500):
        for order_id, name, qty in session.execute(
                select(OrderItem.order_id, Product.name, OrderItem.quantity)
                .join(Product, Product.id == OrderItem.product_id)
                .where(OrderItem.order_id.in_(ids[i:i + 500])).order_by(OrderItem.id)):
            items.setdefault(order_id, []).append(f"{name}×{qty}")
    return [ImportedOrder(oid, code, status, name, phone, "、".join(items.get(oid, [])), total, source, placed)
            for oid, code, status, name, phone, total, source, placed in rows]
