"""HQ's plan editor: list plans, read a plan's versions, validate, preview and save a new version.

A change of rules is always a new version from a date on (never an edit), and never
inside a month already closed for a store on the plan, so no stored statement can be
contradicted by the rules in force on its days. ``preview`` re-rates last month with the
proposed book and writes nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from workbench.catalog.models import Category, Product
from workbench.commission import periods
from workbench.commission.books import load_plan_books, version_on
from workbench.commission.models import (
    CommissionPlan,
    CommissionPlanVersion,
    CommissionRate,
    CommissionStatement,
    CommissionTier,
    LineKind,
    StatementLine,
    TierMode,
)
from workbench.commission.rules import RateBook, Sale, rate_month
from workbench.commission.settlement import BadAmount, yuan_to_fen
from workbench.commission.statements import earned_items, earning_drafts
from workbench.commission.states import CLOSED_STATES
from workbench.orders.models import Campaign, Order, OrderItem
from workbench.stores.models import Store
from workbench.timeutil import local_day

MAX_TIERS = 8
MAX_AFTER_SALES_DAYS = 90
_RATE = re.compile(r"^\d{1,3}(\.\d{1,2})?$")


# ------------------------------------------------------------------ reading


@dataclass(frozen=True)
class PlanSummary:
    id: int
    name: str
    stores: int
    versions: int
    current: CommissionPlanVersion | None
    next_from: date | None  # a version already scheduled after today


def plan_list(session: Session, today: date) -> list[PlanSummary]:
    stores = dict(session.execute(select(Store.commission_plan_id, func.count(Store.id))
                                  .where(Store.is_active.is_(True)).group_by(Store.commission_plan_id)).all())
    out = []
    for plan in session.scalars(select(CommissionPlan).order_by(CommissionPlan.name)):
        upcoming = [v.effective_from for v in plan.versions if v.effective_from > today]
        out.append(PlanSummary(plan.id, plan.name, int(stores.get(plan.id, 0)), len(plan.versions),
                               version_on(session, plan.id, today), min(upcoming) if upcoming else None))
    return out


@dataclass(frozen=True)
class RateRow:
    label: str
    code: str  # category code, SKU or campaign id
    rate_bp: int


@dataclass
class VersionView:
    version: CommissionPlanVersion
    author: str
    current: bool
    future: bool
    categories: list[RateRow] = field(default_factory=list)
    products: list[RateRow] = field(default_factory=list)
    campaigns: list[RateRow] = field(default_factory=list)


def version_views(session: Session, plan: CommissionPlan, today: date) -> list[VersionView]:
    """The plan's versions newest first, with their rates named (three queries)."""
    from workbench.auth.models import User

    versions = list(plan.versions)
    current = version_on(session, plan.id, today)
    ids = [v.id for v in versions]
    rates = session.scalars(select(CommissionRate).where(CommissionRate.version_id.in_(ids))).all() if ids else []
    cats = dict(session.execute(select(Category.id, Category.name)).all())
    prod_ids = {r.product_id for r in rates if r.product_id}
    prods = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(prod_ids)))} if prod_ids else {}
    camp_ids = {r.campaign_id for r in rates if r.campaign_id}
    camps = dict(session.execute(select(Campaign.id, Campaign.title).where(Campaign.id.in_(camp_ids))).all()) \
        if camp_ids else {}
    authors = dict(session.execute(select(User.id, User.name).where(
        User.id.in_({v.created_by_id for v in versions if v.created_by_id}))).all())
    by_version: dict[int, list[CommissionRate]] = defaultdict(list)
    for r in rates:
        by_version[r.version_id].append(r)
    out = []
    for v in sorted(versions, key=lambda v: v.effective_from, reverse=True):
        view = VersionView(v, authors.get(v.created_by_id, ""), current is not None and v.id == current.id,
                           v.effective_from > today)
        for r in by_version[v.id]:
            if r.category_id:
                view.categories.append(RateRow(cats.get(r.category_id, "?"), "", r.rate_bp))
            elif r.product_id:
                p = prods.get(r.product_id)
                view.products.append(RateRow(p.name if p else "?", p.sku if p else "", r.rate_bp))
            else:
                view.campaigns.append(RateRow(camps.get(r.campaign_id, "?"), str(r.campaign_id), r.rate_bp))
        for rows in (view.categories, view.products, view.campaigns):
            rows.sort(key=lambda row: (row.code, row.label))
        out.append(view)
    return out


def closed_through(session: Session, plan_id: int) -> str | None:
    """The latest month already closed for a store on the plan (now or when it was closed)."""
    on_plan = select(Store.id).where(Store.commission_plan_id == plan_id)
    return session.scalar(select(func.max(CommissionStatement.period)).where(
        CommissionStatement.status.in_(CLOSED_STATES),
        or_(CommissionStatement.plan_id == plan_id, CommissionStatement.store_id.in_(on_plan))))


def earliest_start(session: Session, plan_id: int, today: date) -> date:
    """The default (and earliest sensible) first day of a new version: the 1st of next month,
    or later when that month is already closed for a store on the plan."""
    start = periods.next_first(today)
    closed = closed_through(session, plan_id)
    if closed is not None:
        start = max(start, periods.next_first(periods.parse(closed)[0]))
    return start


# ------------------------------------------------------------------ the form


@dataclass
class VersionForm:
    """The raw strings of the 新版本 form (what the page shows back after an error)."""

    effective_from: str = ""
    tier_mode: str = TierMode.WHOLE.value
    after_sales_days: str = "7"
    note: str = ""
    tiers: list[tuple[str, str]] = field(default_factory=list)  # (from yuan, rate %)
    categories: dict[int, str] = field(default_factory=dict)  # category id → rate %
    products: list[tuple[str, str]] = field(default_factory=list)  # (SKU, rate %)
    campaigns: list[tuple[str, str]] = field(default_factory=list)  # (campaign id, rate %)

    @classmethod
    def from_multidict(cls, data, category_ids: list[int]) -> VersionForm:
        def pairs(a: str, b: str) -> list[tuple[str, str]]:
            return [(x.strip(), y.strip()) for x, y in zip(data.getlist(a), data.getlist(b), strict=False)]

        return cls(
            effective_from=(data.get("effective_from") or "").strip(),
            tier_mode=(data.get("tier_mode") or "").strip(),
            after_sales_days=(data.get("after_sales_days") or "").strip(),
            note=(data.get("note") or "").strip(),
            tiers=pairs("tier_from", "tier_rate"),
            categories={cid: (data.get(f"category_{cid}") or "").strip() for cid in category_ids},
            products=pairs("product_sku", "product_rate"),
            campaigns=pairs("campaign_id", "campaign_rate"),
        )

    @classmethod
    def from_version(cls, v: CommissionPlanVersion | None, start: date, category_ids: list[int],
                     skus: dict[int, str]) -> VersionForm:
        """A form prefilled with ``v``'s rules (the usual edit is a small change of the current version)."""
        form = cls(effective_from=start.isoformat())
        if v is None:
            form.tiers = [("0", "")]
            form.categories = {cid: "" for cid in category_ids}
            return form
        form.tier_mode, form.after_sales_days = v.tier_mode, str(v.after_sales_days)
        form.tiers = [(_yuan(t.min_gmv_fen), _pct(t.rate_bp)) for t in v.tiers]
        by_cat = {r.category_id: r.rate_bp for r in v.rates if r.category_id}
        form.categories = {cid: _pct(by_cat[cid]) if cid in by_cat else "" for cid in category_ids}
        form.products = [(skus.get(r.product_id, ""), _pct(r.rate_bp)) for r in v.rates if r.product_id]
        form.campaigns = [(str(r.campaign_id), _pct(r.rate_bp)) for r in v.rates if r.campaign_id]
        return form

    def padded(self) -> VersionForm:
        """The same form with blank rows to add a tier, a product or a campaign."""
        def pad(rows, minimum):
            return rows + [("", "")] * max(2, minimum - len(rows))

        return VersionForm(self.effective_from, self.tier_mode, self.after_sales_days, self.note,
                           pad(list(self.tiers), 4), dict(self.categories), pad(list(self.products), 3),
                           pad(list(self.campaigns), 2))


def _yuan(fen: int) -> str:
    yuan, cents = divmod(fen, 100)
    return str(yuan) if cents == 0 else f"{yuan}.{cents:02d}"


def _pct(bp: int) -> str:
    whole, rest = divmod(bp, 100)
    return str(whole) if rest == 0 else f"{whole}.{rest:02d}".rstrip("0")


def percent_to_bp(text: str) -> int:
    """"12.5" (percent, up to 2 decimals, 0–100) → 1250 basis points, exactly."""
    raw = (text or "").strip().removesuffix("%").strip()
    if not _RATE.match(raw):
        raise ValueError(text)
    bp = Decimal(raw) * 100
    if bp > 10_000:
        raise ValueError(text)
    return int(bp)


@dataclass
class Proposal:
    """A validated new version: the rate book plus what is needed to store it."""

    plan_id: int
    book: RateBook
    note: str
    product_ids: dict[int, int]  # product id → bp (the book holds the same)
    campaign_ids: dict[int, int]


class Invalid(Exception):
    """The form has errors: ``errors`` maps a field key to its Chinese message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def validate(session: Session, plan_id: int, form: VersionForm, today: date) -> Proposal:
    """Check every field; raise ``Invalid`` with all the problems at once, or return the proposal."""
    errors: dict[str, str] = {}

    # When: a real date, not inside a closed month, not a day another version already starts on.
    start = None
    try:
        start = date.fromisoformat(form.effective_from)
    except ValueError:
        errors["effective_from"] = _("Enter the first day as a date, for example 2026-12-01.")
    if start is not None:
        closed = closed_through(session, plan_id)
        if closed is not None and periods.of(start) <= closed:
            allowed = periods.next_first(periods.parse(closed)[0])
            errors["effective_from"] = _(
                "%(month)s is already closed for stores on this plan: its statements must not change. "
                "The new version can start on %(day)s at the earliest.", month=closed, day=allowed.isoformat())
        elif session.scalar(select(CommissionPlanVersion.id).where(
                CommissionPlanVersion.plan_id == plan_id, CommissionPlanVersion.effective_from == start)):
            errors["effective_from"] = _("Another version already starts on %(day)s. Choose another day.",
                                         day=start.isoformat())

    if form.tier_mode not in (TierMode.WHOLE.value, TierMode.MARGINAL.value):
        errors["tier_mode"] = _("Choose how the tiers apply.")
    days = None
    if not re.fullmatch(r"\d{1,3}", form.after_sales_days or "") or int(form.after_sales_days) > MAX_AFTER_SALES_DAYS:
        errors["after_sales_days"] = _("After-sales days must be a whole number from 0 to 90.")
    else:
        days = int(form.after_sales_days)
    if len(form.note) > 200:
        errors["note"] = _("The note can be at most 200 characters.")

    tiers: list[tuple[int, int]] = []
    for index, (low, rate) in enumerate(form.tiers):
        if not low and not rate:
            continue
        try:
            low_fen = yuan_to_fen(low)
            if low_fen < 0:
                raise BadAmount(low)
        except BadAmount:
            errors["tiers"] = _("Tier %(n)s: the starting sales must be an amount in yuan, like 20000.", n=index + 1)
            break
        try:
            bp = percent_to_bp(rate)
        except ValueError:
            errors["tiers"] = _("Tier %(n)s: the rate must be a percentage from 0 to 100 with at most 2 decimals.",
                                n=index + 1)
            break
        tiers.append((low_fen, bp))
    if "tiers" not in errors:
        if not tiers:
            errors["tiers"] = _("Enter at least one tier, starting at ¥0.")
        elif tiers[0][0] != 0:
            errors["tiers"] = _("The first tier must start at ¥0.")
        elif any(b[0] <= a[0] for a, b in zip(tiers, tiers[1:], strict=False)):
            errors["tiers"] = _("Tiers must start at ascending amounts, each higher than the one before.")
        elif len(tiers) > MAX_TIERS:
            errors["tiers"] = _("At most %(n)s tiers.", n=MAX_TIERS)

    category_bp: dict[int, int] = {}
    names = dict(session.execute(select(Category.id, Category.name)).all())
    for cid, rate in form.categories.items():
        if not rate:
            continue
        try:
            category_bp[cid] = percent_to_bp(rate)
        except ValueError:
            errors[f"category_{cid}"] = _("%(name)s: the rate must be a percentage from 0 to 100 with at most "
                                          "2 decimals.", name=names.get(cid, cid))

    product_bp: dict[int, int] = {}
    wanted = [(sku, rate) for sku, rate in form.products if sku or rate]
    skus = {p.sku: p.id for p in session.scalars(select(Product).where(Product.sku.in_([s for s, _ in wanted])))} \
        if wanted else {}
    for sku, rate in wanted:
        if sku not in skus:
            errors["products"] = _("No product has the SKU %(sku)s.", sku=sku or "—")
            break
        if skus[sku] in product_bp:
            errors["products"] = _("SKU %(sku)s is listed twice.", sku=sku)
            break
        try:
            product_bp[skus[sku]] = percent_to_bp(rate)
        except ValueError:
            errors["products"] = _("SKU %(sku)s: the rate must be a percentage from 0 to 100 with at most "
                                   "2 decimals.", sku=sku)
            break

    campaign_bp: dict[int, int] = {}
    wanted = [(cid, rate) for cid, rate in form.campaigns if cid or rate]
    ids = [int(c) for c, _ in wanted if c.isdigit() and len(c) < 10]
    known = set(session.scalars(select(Campaign.id).where(Campaign.id.in_(ids)))) if ids else set()
    for cid, rate in wanted:
        if not (cid.isdigit() and len(cid) < 10) or int(cid) not in known:
            errors["campaigns"] = _("No campaign has the number %(id)s.", id=cid or "—")
            break
        if int(cid) in campaign_bp:
            errors["campaigns"] = _("Campaign %(id)s is listed twice.", id=cid)
            break
        try:
            campaign_bp[int(cid)] = percent_to_bp(rate)
        except ValueError:
            errors["campaigns"] = _("Campaign %(id)s: the rate must be a percentage from 0 to 100 with at most "
                                    "2 decimals (0 is allowed).", id=cid)
            break

    if errors:
        raise Invalid(errors)
    book = RateBook(effective_from=start, tier_mode=form.tier_mode, after_sales_days=days, tiers=tuple(tiers),
                    category_bp=category_bp, product_bp=product_bp, campaign_bp=campaign_bp)
    return Proposal(plan_id, book, form.note, product_bp, campaign_bp)


def save(session: Session, proposal: Proposal, author_id: int, now: datetime) -> CommissionPlanVersion:
    """Store the proposal as a new version with its tiers and rates (flushes; the view commits)."""
    book = proposal.book
    version = CommissionPlanVersion(plan_id=proposal.plan_id, effective_from=book.effective_from,
                                    tier_mode=book.tier_mode, after_sales_days=book.after_sales_days,
                                    note=proposal.note, created_by_id=author_id, created_at=now)
    session.add(version)
    session.flush()
    session.add_all([CommissionTier(version_id=version.id, min_gmv_fen=low, rate_bp=bp) for low, bp in book.tiers])
    for column, rates in (("category_id", book.category_bp), ("product_id", book.product_bp),
                          ("campaign_id", book.campaign_bp)):
        session.add_all([CommissionRate(version_id=version.id, rate_bp=bp, **{column: target})
                         for target, bp in rates.items()])
    session.flush()
    return version


# ------------------------------------------------------------------ preview


@dataclass(frozen=True)
class PreviewRow:
    store_id: int
    code: str
    name: str
    closed: bool  # the current figure is the stored statement (else computed live)
    gmv_fen: int
    current_fen: int
    proposed_fen: int
    current_tier: int
    proposed_tier: int

    @property
    def difference_fen(self) -> int:
        return self.proposed_fen - self.current_fen


@dataclass
class Preview:
    period: str
    rows: list[PreviewRow]

    @property
    def gmv_fen(self) -> int:
        return sum(r.gmv_fen for r in self.rows)

    @property
    def current_fen(self) -> int:
        return sum(r.current_fen for r in self.rows)

    @property
    def proposed_fen(self) -> int:
        return sum(r.proposed_fen for r in self.rows)

    @property
    def difference_fen(self) -> int:
        return self.proposed_fen - self.current_fen


#: Above this many sales lines the preview runs as a background job: rating is ~10 µs a line
#: in Python, and a web request must stay well inside the server's timeout.
PREVIEW_INLINE_MAX_LINES = 150_000


def preview_size(session: Session, plan_id: int, now: datetime) -> int:
    """About how many sales lines last month's preview would rate (stored earning lines of the
    plan's stores, or their picked-up items when the month is not closed)."""
    period = periods.preceding(periods.of(local_day(now)))
    on_plan = select(Store.id).where(Store.commission_plan_id == plan_id, Store.is_active.is_(True))
    stored = session.scalar(
        select(func.count(StatementLine.id))
        .join(CommissionStatement, CommissionStatement.id == StatementLine.statement_id)
        .where(CommissionStatement.period == period, CommissionStatement.store_id.in_(on_plan),
               StatementLine.kind == LineKind.EARNING)) or 0
    if stored:
        return int(stored)
    start, end = periods.utc_bounds(period)
    return int(session.scalar(
        select(func.count(OrderItem.id)).join(Order, Order.id == OrderItem.order_id)
        .where(Order.store_id.in_(on_plan), Order.picked_up_at >= start, Order.picked_up_at < end)) or 0)


def book_to_json(book: RateBook) -> dict:
    return {"effective_from": book.effective_from.isoformat(), "tier_mode": book.tier_mode,
            "after_sales_days": book.after_sales_days, "tiers": [list(t) for t in book.tiers],
            "category_bp": [[k, v] for k, v in book.category_bp.items()],
            "product_bp": [[k, v] for k, v in book.product_bp.items()],
            "campaign_bp": [[k, v] for k, v in book.campaign_bp.items()]}


def book_from_json(data: dict) -> RateBook:
    return RateBook(effective_from=date.fromisoformat(data["effective_from"]), tier_mode=data["tier_mode"],
                    after_sales_days=int(data["after_sales_days"]), tiers=tuple(tuple(t) for t in data["tiers"]),
                    category_bp=dict(map(tuple, data["category_bp"])), product_bp=dict(map(tuple, data["product_bp"])),
                    campaign_bp=dict(map(tuple, data["campaign_bp"])))


def preview_to_json(result: Preview) -> dict:
    return {"period": result.period, "rows": [
        [r.store_id, r.code, r.name, r.closed, r.gmv_fen, r.current_fen, r.proposed_fen, r.current_tier,
         r.proposed_tier] for r in result.rows]}


def preview_from_json(data: dict) -> Preview:
    return Preview(data["period"], [PreviewRow(*row) for row in data["rows"]])


def preview(session: Session, plan_id: int, book: RateBook, now: datetime) -> Preview:
    """What ``book`` would have paid on last month's sales for every active store on the plan.

    Compared on the commission on sales (earning lines): clawbacks and HQ adjustments do
    not depend on the rules. A closed store's sales are its stored earning lines (net of
    the refunds known at closing); an unclosed store's are computed live, as closing
    would. Reads only.
    """
    period = periods.preceding(periods.of(local_day(now)))
    stores = session.execute(select(Store.id, Store.code, Store.name).where(
        Store.commission_plan_id == plan_id, Store.is_active.is_(True)).order_by(Store.code)).all()
    ids = [s.id for s in stores]
    closed = dict(session.execute(select(CommissionStatement.store_id, CommissionStatement.id).where(
        CommissionStatement.period == period, CommissionStatement.store_id.in_(ids),
        CommissionStatement.status.in_(CLOSED_STATES))).all()) if ids else {}

    sales: dict[int, list[Sale]] = defaultdict(list)
    current: dict[int, int] = defaultdict(int)
    current_tier: dict[int, int] = {}
    if closed:
        # One query for the stored earning lines of every closed store of the month, run on the
        # connection (plain tuples, no ORM row loading: a large month has ~600k lines).
        rows = session.connection().execute(
            select(StatementLine.store_id, StatementLine.order_item_id, StatementLine.earned_on,
                   StatementLine.amount_fen, StatementLine.category_id, StatementLine.commission_fen,
                   StatementLine.tier, Order.picked_up_at, OrderItem.product_id, Order.campaign_id)
            .join(OrderItem, OrderItem.id == StatementLine.order_item_id)
            .join(Order, Order.id == OrderItem.order_id)
            .where(StatementLine.statement_id.in_(list(closed.values())), StatementLine.kind == LineKind.EARNING)
        )
        for store_id, item_id, earned_on, amount, category, commission, tier, at, product, campaign in rows:
            sales[store_id].append(Sale(item_id, at, earned_on, amount, category, product, campaign))
            current[store_id] += commission
            if tier > current_tier.get(store_id, 0):
                current_tier[store_id] = tier
    live_ids = [i for i in ids if i not in closed]
    if live_ids:
        books = load_plan_books(session, [plan_id])[plan_id]
        items = earned_items(session, live_ids, period, now)
        for store_id in live_ids:
            mine = items.get(store_id, [])
            sales[store_id] = list(mine)
            if mine and books.books:
                try:
                    drafts = earning_drafts(mine, books)
                except LookupError:  # days before the plan's first version: nothing is earned today
                    drafts = []
                current[store_id] = sum(d.commission_fen for d in drafts)
                current_tier[store_id] = max((d.tier for d in drafts), default=0)

    rows = []
    for s in stores:
        lines = rate_month(sales.get(s.id, []), lambda _day: book)
        gmv = sum(ln.amount_fen for ln in lines)
        rows.append(PreviewRow(
            store_id=s.id, code=s.code, name=s.name, closed=s.id in closed, gmv_fen=gmv,
            current_fen=current.get(s.id, 0), proposed_fen=sum(ln.commission_fen for ln in lines),
            current_tier=current_tier.get(s.id, 0), proposed_tier=max((ln.tier for ln in lines), default=0),
        ))
    return Preview(period, rows)
