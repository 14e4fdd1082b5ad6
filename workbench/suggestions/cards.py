"""The contract between the engine and the page: one typed metrics definition per card kind,
and the card as the owner reads it.

The builders (``push.py``, ``clear.py``, ``restock.py``, ``bundle.py``) fill exactly the
``TypedDict`` of their kind; ``card_view`` reads exactly those keys. ``FIGURES`` lists,
per kind, every figure the card shows and the metric it comes from, so a renamed key
fails ``tests/suggestions/test_cards.py`` instead of silently vanishing from the page.

The owner reads plain Chinese: expected units, their range ("八成把握卖 x–y 件") and the
expected sales all come from one forecast (the mean, and the P10–P90 band around it),
and on a clear card what sells and what is left add up to the stock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypedDict

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from workbench.formatting import money, number, percent
from workbench.orders.models import NOT_SALES, Order, OrderItem
from workbench.suggestions import charts
from workbench.suggestions.accuracy import KIND_ORDER
from workbench.suggestions.models import DismissReason, Suggestion
from workbench.suggestions.reasons import render_reason
from workbench.timeutil import local_day, local_days_utc

# --- the metrics each kind stores -----------------------------------------------------


class DayRange(TypedDict):
    """One forecast day: the expected units and the band eight days in ten fall in."""

    mean: float
    p10: float
    p90: float


class TagFigure(TypedDict):
    tag: str
    members: int
    lift: float  # shrunk estimate
    lift_low: float  # lower end of its 90 % interval (> 1, or the tag is not shown)


class PushMetrics(TypedDict):
    category: str
    price_fen: int  # today's price (the group-buy price when on one)
    list_price_fen: int
    cost_fen: int
    unit_margin_fen: int
    spoil_loss_fen: int  # what an unsold unit costs
    expected_units: float  # the forecast mean today
    low_units: float  # P10 (≤ expected_units)
    high_units: float  # P90 (≥ expected_units)
    expected_sales_fen: int  # expected_units × price_fen, rounded
    usual_units: float  # mean units a day over the last 28 days
    extra_units: float  # expected_units − usual_units (> 0)
    extra_profit_fen: int  # extra_units × unit_margin_fen: the ranking key
    stock_units: int
    target_tags: list[TagFigure]
    target_members: int  # members in the shown tags, or the category's recent buyers
    target_group: str  # "tags", or "recent_buyers" when no tag is credible
    best_hour: int | None
    days: list[DayRange]


class ClearMetrics(TypedDict):
    category: str
    quantity: int  # the batch's units = expected_units + expected_left
    expires_on: str
    days_left: int  # selling days including today
    price_fen: int
    cost_fen: int
    base_demand: float  # expected units at full price before expiry (uncapped)
    reachable_buyers: int  # members who bought the category in the last 28 days
    response: float  # shrunk price response (elasticity)
    response_low: float  # its 90 % interval
    response_high: float
    response_source: str  # "store", "brand" or "default"
    discount: float  # 0.3 = 30 % off
    discount_price_fen: int
    expected_units: int  # sold at the discount, whole units
    expected_left: int
    expected_revenue_fen: int
    full_price_units: int
    full_price_left: int
    full_price_revenue_fen: int
    cost_at_risk_fen: int  # cost of what is left at full price
    curve: list[dict]  # [{"discount", "units", "revenue_fen"}]


class RestockMetrics(TypedDict):
    category: str
    on_hand: int
    expected_units: float  # today
    low_units: float
    high_units: float
    cover_days: float | None
    level: str  # red / orange / yellow
    window_days: int
    order_units: int
    order_cost_fen: int
    lost_margin_fen: int
    days: list[DayRange]


class BundleItem(TypedDict):
    product_id: int
    name: str


class BundleMetrics(TypedDict):
    items: list[BundleItem]
    antecedent: list[int]
    consequent: int
    count: int  # orders holding every item
    baskets: int
    window_days: int
    support: float
    confidence: float
    lift: float
    bundle_price_fen: int


METRICS = {"push": PushMetrics, "clear": ClearMetrics, "restock": RestockMetrics, "bundle": BundleMetrics}

# --- labels ------------------------------------------------------------------------------

KIND_LABELS = {"push": _l("Push"), "clear": _l("Clear"), "restock": _l("Restock"), "bundle": _l("Bundle")}
KIND_HINTS = {
    "push": _l("Sell this today"),
    "clear": _l("Clear before it expires"),
    "restock": _l("Order more"),
    "bundle": _l("Sell these together"),
}
REASON_LABELS = {
    DismissReason.NOT_RELEVANT: _l("Not right for this store"),
    DismissReason.NO_STOCK: _l("Cannot get the goods"),
    DismissReason.TOO_RISKY: _l("Too risky"),
    DismissReason.ALREADY_DONE: _l("Already doing it"),
    DismissReason.OTHER: _l("Other reason"),
}
LEVEL_LABELS = {"red": _l("Urgent"), "orange": _l("Soon"), "yellow": _l("Watch")}


def kind_label(kind: str) -> str:
    """推品 / 清货 / 补货 / 组合."""
    return str(KIND_LABELS.get(kind, kind))


def reason_label(reason: str | None) -> str:
    """The label of a stored dismiss reason."""
    if reason is None:
        return ""
    try:
        return str(REASON_LABELS[DismissReason(reason)])
    except ValueError:
        return reason


def render_reasons(reasons: list | None, limit: int | None = None) -> list[str]:
    """The card's reasons as sentences in the reader's locale."""
    return [render_reason(r) for r in (reasons or [])[:limit] if isinstance(r, dict)]


def units(value: float | None, unit: str | None = None) -> str:
    """Units as an owner reads them: whole numbers from 10 up, else one decimal."""
    if value is None:
        return "—"
    v = float(value)
    text = f"{v:,.0f}" if abs(v) >= 10 or v == int(v) else f"{v:,.1f}"
    return f"{text} {unit}" if unit else text


def unit_range(low: float, high: float, unit: str | None = None) -> str:
    """The band in whole units, widened outwards (floor, ceil) so it holds what it claims."""
    import math

    lo, hi = math.floor(low + 1e-9), math.ceil(high - 1e-9)
    return f"{lo}–{max(hi, lo)} {unit or ''}".strip()


# --- figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One number on a card: a label, the formatted value and an optional note."""

    label: str
    value: str
    note: str = ""
    key: bool = False  # shown on the card itself, not only in the detail view


@dataclass(frozen=True)
class FigureSpec:
    """A figure of a kind: its label, the metric behind it and how it is written."""

    metric: str
    label: object  # lazy string
    value: Callable[[dict, str], str]
    note: Callable[[dict, str], str] = lambda m, u: ""
    key: bool = False


def _likely(m: dict, unit: str) -> str:
    return _("likely %(range)s", range=unit_range(m["low_units"], m["high_units"], unit))


def _target_note(m: dict, unit: str) -> str:
    if m.get("target_group") == "recent_buyers":
        return _("no group stands out: members who bought %(category)s in the last 28 days", category=m["category"])
    return _("in the groups below") if m.get("target_tags") else ""


def _hour(m: dict, unit: str) -> str:
    return f"{int(m['best_hour']):02d}:00" if m.get("best_hour") is not None else "—"


FIGURES: dict[str, list[FigureSpec]] = {
    "push": [
        FigureSpec("expected_units", _l("Expected to sell today"), lambda m, u: units(m["expected_units"], u),
                   _likely, key=True),
        FigureSpec("expected_sales_fen", _l("Expected sales"), lambda m, u: money(m["expected_sales_fen"]),
                   lambda m, u: f"{units(m['expected_units'], u)} × {money(m['price_fen'])}", key=True),
        FigureSpec("stock_units", _l("Have in stock"), lambda m, u: units(m["stock_units"], u), key=True),
        FigureSpec("best_hour", _l("Best time to go live"), _hour, key=True),
        FigureSpec("usual_units", _l("Usually sells a day"), lambda m, u: units(m["usual_units"], u),
                   lambda m, u: _("average of the last 28 days")),
        FigureSpec("extra_profit_fen", _l("Extra profit from pushing today"),
                   lambda m, u: money(m["extra_profit_fen"]),
                   lambda m, u: _("%(units)s more than usual", units=units(m["extra_units"], u))),
        FigureSpec("price_fen", _l("Price today"), lambda m, u: money(m["price_fen"]),
                   lambda m, u: _("group-buy price, usually %(price)s", price=money(m["list_price_fen"]))
                   if m["price_fen"] != m["list_price_fen"] else ""),
        FigureSpec("unit_margin_fen", _l("Earned on each sale"), lambda m, u: money(m["unit_margin_fen"])),
        FigureSpec("spoil_loss_fen", _l("Lost on each unit left over"), lambda m, u: money(m["spoil_loss_fen"])),
        FigureSpec("target_members", _l("Members to message"), lambda m, u: number(m["target_members"]),
                   _target_note),
    ],
    "clear": [
        FigureSpec("days_left", _l("Must sell within"), lambda m, u: _("%(n)s days", n=m["days_left"]), key=True),
        FigureSpec("quantity", _l("In stock"), lambda m, u: units(m["quantity"], u), key=True),
        FigureSpec("discount", _l("Discount"), lambda m, u: _("%(pct)s off", pct=percent(m["discount"])),
                   lambda m, u: _("sell at %(price)s", price=money(m["discount_price_fen"])), key=True),
        FigureSpec("expected_revenue_fen", _l("Expected takings"), lambda m, u: money(m["expected_revenue_fen"]),
                   lambda m, u: _("%(amount)s at full price", amount=money(m["full_price_revenue_fen"])), key=True),
        FigureSpec("expected_units", _l("Expected to sell at this price"), lambda m, u: units(m["expected_units"], u),
                   lambda m, u: _("%(left)s left over", left=units(m["expected_left"], u))),
        FigureSpec("full_price_units", _l("Expected to sell at full price"),
                   lambda m, u: units(m["full_price_units"], u),
                   lambda m, u: _("%(left)s left over", left=units(m["full_price_left"], u))),
        FigureSpec("reachable_buyers", _l("Members who bought this kind lately"),
                   lambda m, u: number(m["reachable_buyers"]),
                   lambda m, u: _("no more can be expected to buy")),
        FigureSpec("cost_at_risk_fen", _l("Cost thrown away if not cleared"), lambda m, u: money(m["cost_at_risk_fen"])),
    ],
    "restock": [
        FigureSpec("cover_days", _l("Stock lasts"), lambda m, u: _("%(n)s days", n=f"{m['cover_days']:.1f}")
                   if m["cover_days"] is not None else "—", key=True),
        FigureSpec("on_hand", _l("In stock"), lambda m, u: units(m["on_hand"], u), key=True),
        FigureSpec("order_units", _l("Order quantity"), lambda m, u: units(m["order_units"], u),
                   lambda m, u: _("cost %(cost)s", cost=money(m["order_cost_fen"])), key=True),
        FigureSpec("expected_units", _l("Expected to sell today"), lambda m, u: units(m["expected_units"], u),
                   _likely, key=True),
        FigureSpec("lost_margin_fen", _l("Profit lost if not ordered"), lambda m, u: money(m["lost_margin_fen"])),
    ],
    "bundle": [
        FigureSpec("count", _l("Orders with all of them"), lambda m, u: number(m["count"]),
                   lambda m, u: _("of %(n)s orders in %(weeks)s weeks", n=number(m["baskets"]),
                                  weeks=m["window_days"] // 7), key=True),
        FigureSpec("confidence", _l("Also bought the last one"), lambda m, u: percent(m["confidence"]),
                   lambda m, u: _("of the orders with the first ones"), key=True),
        FigureSpec("lift", _l("Bought together"), lambda m, u: _("%(x)s× as often as by chance", x=f"{m['lift']:.1f}"),
                   key=True),
        FigureSpec("bundle_price_fen", _l("Bought separately"), lambda m, u: money(m["bundle_price_fen"])),
    ],
}


@dataclass
class CardView:
    """A suggestion ready for the page."""

    s: Suggestion
    title: str
    figures: list[Figure] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    tags: list[tuple[str, int]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    level: str | None = None

    @property
    def id(self) -> int:
        return self.s.id

    @property
    def kind(self) -> str:
        return self.s.kind

    @property
    def key_figures(self) -> list[Figure]:
        return [f for f in self.figures if f.key]

    @property
    def kind_label(self) -> str:
        return kind_label(self.s.kind)

    @property
    def kind_hint(self) -> str:
        return str(KIND_HINTS.get(self.s.kind, ""))

    @property
    def dismiss_label(self) -> str:
        return reason_label(self.s.dismiss_reason)

    @property
    def level_label(self) -> str:
        return str(LEVEL_LABELS.get(self.level or "", ""))


def figures_of(kind: str, metrics: dict, unit: str | None) -> list[Figure]:
    """Every figure of ``kind`` whose metric the card holds (old cards may lack new ones)."""
    out = []
    for spec in FIGURES.get(kind, []):
        if metrics.get(spec.metric) is None:
            continue
        try:
            out.append(Figure(str(spec.label), spec.value(metrics, unit), spec.note(metrics, unit), spec.key))
        except (KeyError, TypeError, ValueError):
            continue  # a card written before this contract: show what it has
    return out


def card_view(s: Suggestion, reasons: int | None = 3) -> CardView:
    """The display rows of suggestion ``s`` (``reasons``: how many reasons, None for all)."""
    m = s.metrics or {}
    p = s.product
    unit = p.unit if p else None
    view = CardView(s, p.name if p else kind_label(s.kind), reasons=render_reasons(s.reasons, reasons))
    view.figures = figures_of(s.kind, m, unit)
    if s.kind == "push":
        view.tags = [(t["tag"], int(t["members"])) for t in m.get("target_tags") or []]
    elif s.kind == "restock":
        view.level = m.get("level") if m.get("level") in LEVEL_LABELS else None
    elif s.kind == "bundle":
        view.items = [str(it["name"]) for it in m.get("items") or []]
        if view.items:
            view.title = " + ".join(view.items)
    return view


def today_cards(session: Session, store_id: int, day: date) -> list[CardView]:
    """The store's cards for local ``day``, push first, each kind by rank: one query."""
    cards = session.scalars(
        select(Suggestion)
        .options(selectinload(Suggestion.product))
        .where(Suggestion.store_id == store_id, Suggestion.for_date == day)
    ).all()
    cards = sorted(cards, key=lambda s: (KIND_ORDER.get(s.kind, 9), s.rank, s.id))
    return [card_view(s) for s in cards]


def today_counts(session: Session, store_id: int, day: date) -> dict[str, int]:
    """How many cards the store has for ``day`` and how many are decided."""
    total, done = session.execute(
        select(func.count(Suggestion.id), func.count(Suggestion.decided_at))
        .where(Suggestion.store_id == store_id, Suggestion.for_date == day)
    ).one()
    return {"cards": int(total), "done": int(done)}


def card_detail(session: Session, s: Suggestion, reasons: int | None = None) -> CardView:
    """One card, by default with all its reasons (the caller found ``s`` through the scoping helper)."""
    return card_view(s, reasons=reasons)


def daily_units(session: Session, store_id: int, product_id: int, first: date, last: date) -> list[tuple[date, float]]:
    """Units of ``product_id`` sold per local day ``first``..``last`` (zero-filled)."""
    start, end = local_days_utc(first, last)
    rows = session.execute(
        select(Order.placed_at, OrderItem.quantity)
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.store_id == store_id, OrderItem.product_id == product_id,
               Order.placed_at >= start, Order.placed_at < end, Order.status.not_in(NOT_SALES))
    )
    sold: dict[date, float] = defaultdict(float)
    for placed_at, q in rows:
        sold[local_day(placed_at)] += float(q or 0)
    return [(first + timedelta(days=i), sold[first + timedelta(days=i)]) for i in range((last - first).days + 1)]


def detail_figure(session: Session, s: Suggestion, view: CardView) -> dict | None:
    """The small chart of a card's detail view, or None when the card lacks the numbers."""
    m = s.metrics or {}
    if s.kind == "push" and s.product_id is not None and m.get("expected_units") is not None:
        first, last = s.for_date - timedelta(days=14), s.for_date - timedelta(days=1)
        history = daily_units(session, s.store_id, s.product_id, first, last)
        return charts.forecast_figure(history, s.for_date, m["low_units"], m["expected_units"], m["high_units"],
                                      s.product.unit if s.product else "")
    if s.kind == "clear" and len(m.get("curve") or []) >= 2:
        curve = sorted((float(p["discount"]), int(p["revenue_fen"])) for p in m["curve"])
        return charts.markdown_figure(curve, m.get("discount"))
    if s.kind == "restock" and m.get("days") and m.get("on_hand") is not None:
        return charts.cover_figure(m["on_hand"], [d["mean"] for d in m["days"]][:7], m.get("order_units"))
    return None
