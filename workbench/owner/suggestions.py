"""Today's suggestion cards as the owner sees them: numbers picked out, reasons in words.

The engine stores each card's numbers in ``Suggestion.metrics`` (a JSON dict whose keys
differ by kind) and its reasons as codes with parameters. This module turns both into
plain display rows, looking each number up under the names the engine uses and leaving
out what is missing, so a card with fewer numbers still renders instead of failing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from workbench.catalog.models import Product, StockBatch
from workbench.formatting import SHANGHAI, money, number, percent
from workbench.orders.models import Order, OrderItem
from workbench.stores.kpi import NOT_SALES
from workbench.suggestions.accuracy import KIND_ORDER
from workbench.suggestions.models import DismissReason, Suggestion
from workbench.timeutil import local_days_utc

KIND_LABELS = {
    "push": _l("Push"),
    "clear": _l("Clear"),
    "restock": _l("Restock"),
    "bundle": _l("Bundle"),
}
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
#: Days of cover below which a restock card turns red / orange / yellow when the
#: engine did not say (the same thresholds the engine's restock rule documents).
LEVEL_DAYS = (("red", 1.0), ("orange", 2.0), ("yellow", 3.0))


def kind_label(kind: str) -> str:
    """推品 / 清货 / 补货 / 组合."""
    return str(KIND_LABELS.get(kind, kind))


def reason_label(reason: str | None) -> str:
    """The Chinese label of a stored dismiss reason."""
    if reason is None:
        return ""
    try:
        return str(REASON_LABELS[DismissReason(reason)])
    except ValueError:
        return reason


def render_reasons(reasons: list | None, limit: int | None = None) -> list[str]:
    """The card's reasons as sentences, through the engine's ``render_reason`` when present.

    Until that module exists (or for a reason it cannot render) a reason shows its
    ``text`` parameter, or its code with the parameters, so no card renders empty.
    """
    try:
        from workbench.suggestions.reasons import render_reason
    except ImportError:  # the engine's module lands separately
        render_reason = None
    out = []
    for reason in (reasons or [])[:limit]:
        if not isinstance(reason, dict):
            out.append(str(reason))
            continue
        text = None
        if render_reason is not None:
            try:
                text = str(render_reason(reason))
            except (KeyError, ValueError, TypeError):
                text = None
        if not text:
            params = reason.get("params") or {}
            text = params.get("text") or " · ".join(
                [str(reason.get("code", ""))] + [f"{k} {v}" for k, v in params.items()])
        out.append(text)
    return out


def _get(metrics: dict, *keys):
    """The first of ``keys`` that ``metrics`` holds with a value."""
    for key in keys:
        value = metrics.get(key)
        if value is not None and value != "":
            return value
    return None


def _num(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _units(value, unit: str | None = None) -> str:
    v = _num(value)
    if v is None:
        return "—"
    text = f"{v:,.0f}" if abs(v) >= 10 or v == int(v) else f"{v:,.1f}"
    return f"{text} {unit}" if unit else text


@dataclass(frozen=True)
class Figure:
    """One number on a card: a label, the formatted value and an optional note."""

    label: str
    value: str
    note: str = ""
    key: bool = False  # shown on the card itself, not only in the detail view


@dataclass
class CardView:
    """A suggestion ready for the page."""

    s: Suggestion
    title: str
    figures: list[Figure] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    tags: list[tuple[str, int | None]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    level: str | None = None
    critical_ratio: float | None = None

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


def _tags(metrics: dict) -> list[tuple[str, int | None]]:
    raw = _get(metrics, "target_tags", "tags") or []
    out = []
    for t in raw:
        if isinstance(t, dict):
            name = t.get("name") or t.get("tag")
            members = t.get("members", t.get("member_count", t.get("count")))
            if name:
                out.append((str(name), int(members) if _num(members) is not None else None))
        elif isinstance(t, list | tuple) and t:
            out.append((str(t[0]), int(t[1]) if len(t) > 1 and _num(t[1]) is not None else None))
        else:
            out.append((str(t), None))
    return out


def _items(metrics: dict, product: Product | None) -> list[str]:
    raw = _get(metrics, "item_names", "items", "products", "antecedent_names") or []
    names = []
    for it in raw:
        if isinstance(it, dict):
            names.append(str(it.get("name") or it.get("product") or it.get("sku") or ""))
        else:
            names.append(str(it))
    # ``consequent`` may be a product id; only a name belongs in the title.
    consequent = _get(metrics, "consequent_name")
    if consequent and str(consequent) not in names:
        names.append(str(consequent))
    if not names and product is not None:
        names.append(product.name)
    return [n for n in names if n]


def restock_level(metrics: dict) -> str | None:
    """red / orange / yellow from the engine's ``level``, else from the days of cover."""
    level = _get(metrics, "level", "alert")
    if level in ("red", "orange", "yellow"):
        return level
    cover = _num(_get(metrics, "cover_days", "days_of_cover"))
    if cover is None:
        return None
    for name, limit in LEVEL_DAYS:
        if cover < limit:
            return name
    return None


def card_view(s: Suggestion, batch: StockBatch | None = None, reasons: int | None = 3) -> CardView:
    """The display rows of suggestion ``s`` (``reasons``: how many reasons, None for all)."""
    m = s.metrics or {}
    p = s.product
    unit = p.unit if p else None
    title = p.name if p else str(_get(m, "title", "name") or kind_label(s.kind))
    view = CardView(s, title, reasons=render_reasons(s.reasons, reasons))
    figs = view.figures
    if s.forecast_p50 is not None and s.kind in ("push", "clear", "restock"):
        note = ""
        if s.forecast_p10 is not None and s.forecast_p90 is not None:
            note = _("range %(low)s–%(high)s", low=_units(s.forecast_p10), high=_units(s.forecast_p90))
        figs.append(Figure(_("Forecast sales"), _units(s.forecast_p50, unit), note, key=s.kind == "push"))
    if s.kind == "push":
        qty = _get(m, "stock_units", "stock_qty", "recommended_qty", "quantity")
        if qty is not None:
            figs.append(Figure(_("Stock"), _units(qty, unit), _("newsvendor quantity"), key=True))
        gmv = _get(m, "expected_gmv_fen", "gmv_fen")
        if gmv is not None:
            figs.append(Figure(_("Expected sales"), money(int(gmv)), key=True))
        hour = _get(m, "best_hour", "live_hour")
        if isinstance(hour, dict):  # {"hour": 19, "share": …, "source": …}
            hour = hour.get("hour")
        if hour is not None and _num(hour) is not None:
            figs.append(Figure(_("Best time to go live"), f"{int(_num(hour)):02d}:00", key=True))
        price = _get(m, "campaign_price_fen", "price_fen")
        if price is not None:
            figs.append(Figure(_("Price"), money(int(price))))
        margin = _get(m, "unit_margin_fen", "margin_fen")
        if margin is not None:
            figs.append(Figure(_("Margin per unit"), money(int(margin))))
        total = _get(m, "expected_margin_fen")
        if total is not None:
            figs.append(Figure(_("Expected margin"), money(int(total))))
        salvage = _get(m, "salvage_fen")
        if salvage is not None:
            figs.append(Figure(_("Left over, each is worth"), money(int(salvage)),
                               _("shelf life %(n)s days", n=m["shelf_life_days"]) if m.get("shelf_life_days") else ""))
        cr = _num(_get(m, "critical_ratio", "cr"))
        if cr is not None:
            view.critical_ratio = cr
            figs.append(Figure(_("Critical ratio"), f"{cr:.2f}"))
        view.tags = _tags(m)
        reach = _get(m, "target_members")
        if reach is not None:
            figs.append(Figure(_("Members to target"), number(_num(reach))))
    elif s.kind == "clear":
        days = _get(m, "days_left", "days_to_expiry")
        if days is None and batch is not None:
            days = (batch.expires_on - s.for_date).days
        if days is not None:
            figs.append(Figure(_("Expires in"), _("%(n)s days", n=int(_num(days) or 0)), key=True))
        qty = _get(m, "quantity", "batch_qty", "stock_qty")
        if qty is None and batch is not None:
            qty = batch.quantity
        if qty is not None:
            figs.append(Figure(_("In stock"), _units(qty, unit), key=True))
        discount = _num(_get(m, "discount", "best_discount", "recommended_discount"))
        if discount is not None:
            # The engine stores 0.3 for 30 % off; a value above 1 is read as percent.
            off = discount if discount <= 1 else discount / 100
            price = _get(m, "discount_price_fen")
            figs.append(Figure(_("Discount"), _("%(pct)s off", pct=percent(off)),
                               _("sell at %(price)s", price=money(int(price))) if price is not None else "", key=True))
        revenue = _get(m, "expected_revenue_fen", "revenue_fen")
        if revenue is not None:
            full = _get(m, "full_price_revenue_fen")
            figs.append(Figure(_("Expected revenue"), money(int(revenue)),
                               _("%(amount)s at full price", amount=money(int(full))) if full is not None else "",
                               key=True))
        sold = _get(m, "expected_units")
        if sold is not None:
            figs.append(Figure(_("Expected to sell"), _units(sold, unit)))
        unsold = _get(m, "expected_unsold")
        if unsold is not None:
            figs.append(Figure(_("Expected left over"), _units(unsold, unit)))
        risk = _get(m, "cost_at_risk_fen")
        if risk is not None:
            figs.append(Figure(_("Cost at risk"), money(int(risk))))
        elasticity = _num(_get(m, "elasticity"))
        if elasticity is not None:
            source = m.get("elasticity_source")
            note = {"store": _("measured in this store"), "brand": _("brand-wide average")}.get(source, "")
            figs.append(Figure(_("Price response"), f"{elasticity:.2f}", note))
        if batch is not None:
            figs.append(Figure(_("Batch"), _("received %(on)s, expires %(exp)s",
                                             on=batch.received_on.isoformat(), exp=batch.expires_on.isoformat())))
    elif s.kind == "restock":
        view.level = restock_level(m)
        cover = _num(_get(m, "cover_days", "days_of_cover"))
        if cover is not None:
            figs.append(Figure(_("Days of cover"), _("%(n)s days", n=f"{cover:.1f}"), key=True))
        stock = _get(m, "on_hand", "stock_qty", "stock")
        if stock is not None:
            figs.append(Figure(_("In stock"), _units(stock, unit), key=True))
        order = _get(m, "order_units", "order_qty", "suggested_qty")
        if order is not None:
            cost = _get(m, "order_cost_fen")
            figs.append(Figure(_("Order"), _units(order, unit),
                               _("cost %(cost)s", cost=money(int(cost))) if cost is not None else "", key=True))
        daily = _get(m, "daily_demand")
        if daily is not None:
            figs.append(Figure(_("Expected a day"), _units(daily, unit), key=True))
        lost = _get(m, "lost_margin_fen")
        if lost is not None:
            figs.append(Figure(_("Margin lost if not ordered"), money(int(lost))))
    elif s.kind == "bundle":
        view.items = _items(m, p)
        if view.items:
            view.title = " + ".join(view.items)
        for label, keys, fmt in (
            (_("Support"), ("support",), lambda v: percent(v, 1)),
            (_("Confidence"), ("confidence",), lambda v: percent(v)),
            (_("Lift"), ("lift",), lambda v: f"{v:.2f}"),
        ):
            v = _num(_get(m, *keys))
            if v is not None:
                figs.append(Figure(label, fmt(v), key=True))
        together, baskets = _num(m.get("count")), _num(m.get("baskets"))
        if together is not None:
            note = _("of %(n)s orders", n=number(baskets)) if baskets is not None else ""
            figs.append(Figure(_("Orders with all items"), number(together), note, key=True))
        price = _get(m, "bundle_price_fen")
        if price is not None:
            figs.append(Figure(_("Bought separately"), money(int(price))))
    return view


def today_cards(session: Session, store_id: int, day: date) -> list[CardView]:
    """The store's cards for local ``day``, push first, each kind by rank: two queries."""
    cards = session.scalars(
        select(Suggestion)
        .options(selectinload(Suggestion.product))
        .where(Suggestion.store_id == store_id, Suggestion.for_date == day)
    ).all()
    batch_ids = {s.stock_batch_id for s in cards if s.stock_batch_id}
    batches = {}
    if batch_ids:
        batches = {b.id: b for b in session.scalars(
            select(StockBatch).where(StockBatch.id.in_(batch_ids), StockBatch.store_id == store_id))}
    cards = sorted(cards, key=lambda s: (KIND_ORDER.get(s.kind, 9), s.rank, s.id))
    return [card_view(s, batches.get(s.stock_batch_id)) for s in cards]


def today_counts(session: Session, store_id: int, day: date) -> dict[str, int]:
    """How many cards the store has for ``day`` and how many are decided."""
    total, done = session.execute(
        select(func.count(Suggestion.id), func.count(Suggestion.decided_at))
        .where(Suggestion.store_id == store_id, Suggestion.for_date == day)
    ).one()
    return {"cards": int(total), "done": int(done)}


def card_detail(session: Session, s: Suggestion, reasons: int | None = None) -> CardView:
    """One card, by default with all its reasons (the caller found ``s`` through the scoping helper)."""
    batch = None
    if s.stock_batch_id:
        batch = session.scalar(
            select(StockBatch).where(StockBatch.id == s.stock_batch_id, StockBatch.store_id == s.store_id))
    return card_view(s, batch, reasons=reasons)


def daily_units(session: Session, store_id: int, product_id: int, first: date, last: date) -> list[tuple[date, float]]:
    """Units of ``product_id`` sold per local day ``first``..``last`` (zero-filled).

    Bucketed into Shanghai days in Python, as ``services.daily_sales`` does: 14 days of
    one product in one store are a few hundred rows at most.
    """
    start, end = local_days_utc(first, last)
    rows = session.execute(
        select(Order.placed_at, OrderItem.quantity)
        .join(Order, Order.id == OrderItem.order_id)
        .where(Order.store_id == store_id, OrderItem.product_id == product_id,
               Order.placed_at >= start, Order.placed_at < end, Order.status.not_in(NOT_SALES))
    )
    units: dict[date, float] = defaultdict(float)
    for placed_at, q in rows:
        units[placed_at.astimezone(SHANGHAI).date()] += float(q or 0)
    return [(first + timedelta(days=i), units[first + timedelta(days=i)]) for i in range((last - first).days + 1)]


def markdown_curve(metrics: dict) -> list[tuple[float, int]]:
    """The clear card's discount → expected revenue curve, from whichever shape it was stored in.

    Accepts ``[{"discount": .3, "revenue_fen": 1234}, …]``, ``[[.3, 1234], …]`` or the
    parallel lists ``discounts`` / ``revenues_fen``; discounts above 1 are read as percent.
    """
    raw = _get(metrics, "curve", "revenue_curve", "discount_curve")
    pairs: list[tuple[float | None, float | None]] = []
    if isinstance(raw, list):
        for point in raw:
            if isinstance(point, dict):
                pairs.append((_num(_get(point, "discount", "d")),
                              _num(_get(point, "revenue_fen", "expected_revenue_fen", "revenue"))))
            elif isinstance(point, list | tuple) and len(point) >= 2:
                pairs.append((_num(point[0]), _num(point[1])))
    elif isinstance(raw, dict):
        pairs = [(_num(k), _num(v)) for k, v in raw.items()]
    else:
        ds, rs = metrics.get("discounts"), metrics.get("revenues_fen")
        if isinstance(ds, list) and isinstance(rs, list):
            pairs = [(_num(d), _num(r)) for d, r in zip(ds, rs, strict=False)]
    curve = [((d / 100 if d > 1 else d), int(r)) for d, r in pairs if d is not None and r is not None]
    return sorted(curve)


def detail_figure(session: Session, s: Suggestion, view: CardView) -> dict | None:
    """The small chart of a card's detail view, or None when the card lacks the numbers."""
    from workbench.owner import charts

    m = s.metrics or {}
    if s.kind == "push" and s.product_id is not None:
        first, last = s.for_date - timedelta(days=14), s.for_date - timedelta(days=1)
        history = daily_units(session, s.store_id, s.product_id, first, last)
        if s.forecast_p50 is None and not any(u for _d, u in history):
            return None
        return charts.forecast_figure(history, s.for_date, s.forecast_p10, s.forecast_p50, s.forecast_p90,
                                      s.product.unit if s.product else "")
    if s.kind == "clear":
        curve = markdown_curve(m)
        if len(curve) < 2:
            return None
        best = _num(_get(m, "discount", "best_discount", "recommended_discount"))
        return charts.markdown_figure(curve, best / 100 if best and best > 1 else best)
    if s.kind == "restock":
        stock = _num(_get(m, "on_hand", "stock_qty", "stock"))
        days = m.get("days")
        if isinstance(days, list) and days:  # the engine's per-day forecast: [{"p50": …}, …]
            daily = [v for v in (_num(d.get("p50")) if isinstance(d, dict) else _num(d) for d in days) if v is not None]
        elif _num(m.get("daily_demand")) is not None:
            daily = [_num(m["daily_demand"])] * 7
        elif s.forecast_p50 is not None:
            daily = [s.forecast_p50] * 7
        else:
            daily = []
        if stock is None or not daily:
            return None
        return charts.cover_figure(stock, daily[:7], _num(_get(m, "order_units", "order_qty", "suggested_qty")))
    if s.kind == "bundle":
        support, confidence, lift = (_num(m.get(k)) for k in ("support", "confidence", "lift"))
        if support is None and confidence is None:
            return None
        return charts.rule_figure(support, confidence, lift)
    return None
