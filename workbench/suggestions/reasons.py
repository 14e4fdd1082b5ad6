"""The reason catalogue: every code a card can carry, its sentence, and how params render.

Cards store ``{"code": …, "params": {…}}``; the sentence is looked up here at display
time in the reader's locale. Params are formatted by the suffix of their name:

* ``*_fen`` money in fen → ``¥12.50``;
* ``*_pct`` a fraction → ``35%`` (``+35%`` for ``*_chg_pct``);
* ``*_x`` a multiple → ``2.4``;
* ``weekday`` 0–6 → the locale's weekday name; ``profile`` → the compound profile label;
* other floats → at most one decimal; anything else as is.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from workbench.formatting import WEEKDAYS, label, money

#: code → English msgid with named params (translated to Chinese in the catalogue).
CATALOGUE = {
    # push 推品
    "forecast_range": _l("Expected to sell {p50} today (likely {p10}–{p90})"),
    "same_weekday": _l("Sold {units} last {weekday}"),
    "talk_surge": _l("{topic} was mentioned {count} times in the group in the last 3 days, "
                     "{ratio_x}× the usual"),
    "hot_day": _l("Today's high is {temp}°C; on hot days this store's {category} sales run "
                  "{lift_chg_pct} higher"),
    "campaign_price": _l("On the group buy today at {price_fen} ({discount_pct} off)"),
    "unit_margin": _l("Each unit earns {margin_fen}; expected margin today {total_fen}"),
    "tag_lift": _l("{count} members tagged {tag} buy {category} {lift_x}× as often as the "
                   "store's average"),
    "above_usual": _l("Expected to sell {units} today, against {usual} on an average day of the last 4 weeks"),
    "tag_more_often": _l("{count} members tagged {tag} order {category} {lift_x}× as often as the store's "
                         "members do"),
    "stock_more": _l("Each sale earns {margin_fen} and each unit left over loses {loss_fen}, so stocking a "
                     "little more than expected pays: {units}"),
    "stock_less": _l("Each sale earns {margin_fen} but each unit left over loses {loss_fen}, so stock a little "
                     "less than expected: {units}"),
    "stock_ratio": _l("Stock {units}: each sale earns {margin_fen} and each leftover costs "
                      "{loss_fen}, so it pays to have enough for {ratio_pct} of days"),
    # clear 清货
    "expires_soon": _l("{quantity} units must sell by {date} ({days} selling days left)"),
    "price_response_store": _l("In this store a 10 percent discount lifts {category} sales by "
                               "{lift_chg_pct}"),
    "price_response_brand": _l("Across the brand a 10 percent discount lifts {category} sales by "
                               "{lift_chg_pct} (too few discounted sales here to measure)"),
    "markdown_gain": _l("At {discount_pct} off, about {units} of {quantity} sell before expiry for "
                        "{revenue_fen}, against {full_fen} at full price"),
    "markdown_sold_left": _l("At {discount_pct} off about {units} sell before expiry and {left} are left, "
                             "taking {revenue_fen}"),
    # restock 补货
    "low_cover": _l("{on_hand} in stock lasts {days} days at the expected {daily} a day"),
    "out_of_stock": _l("Out of stock; about {daily} a day are expected"),
    "order_up_to": _l("Ordering {units} covers the next {days} days with a safety margin for a "
                      "busy day"),
    # bundle 组合
    "bundle_support": _l("{count} of {baskets} orders in the last {weeks} weeks held {items}"),
    "bundle_confidence": _l("{confidence_pct} of the orders with {antecedent} also held "
                            "{consequent}, {lift_x}× the usual rate"),
    # cold start
    "cold_start_store": _l("New store with little history: figures use the average of {stores} "
                           "similar stores ({profile})"),
    "cold_start_sku": _l("Little history for this product here: figures use this store's average "
                         "for {category}"),
}


def _format(key: str, value) -> str:
    if value is None:
        return "—"
    if key.endswith("_fen"):
        return money(int(round(value)))
    if key.endswith("_chg_pct"):
        return f"{value * 100:+.0f}%"
    if key.endswith("_pct"):
        return f"{value * 100:.0f}%"
    if key.endswith("_x"):
        return f"{value:.1f}"
    if key == "weekday":
        return str(WEEKDAYS[int(value) % 7])
    if key == "profile":
        return label(value, "profile")
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return str(value)


def render_reason(reason: dict) -> str:
    """The reason's sentence in the current locale; unknown codes show the code itself."""
    template = CATALOGUE.get(reason.get("code", ""))
    params = reason.get("params") or {}
    if template is None:
        return str(reason.get("code", ""))
    return str(template).format(**{k: _format(k, v) for k, v in params.items()})


def reason(code: str, **params) -> dict:
    """A reason as stored on a card (the code must be in the catalogue)."""
    if code not in CATALOGUE:
        raise KeyError(f"unknown reason code {code!r}")
    return {"code": code, "params": params}
