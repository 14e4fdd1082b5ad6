"""清货 clear: batches close to expiry, with the discount that earns most before they spoil.

The price response is the store's estimate pooled with the brand's (so a few lucky
campaign days cannot claim a huge one), kept within ``stocking.RESPONSE_RANGE``, and
demand at any price is capped by the members who bought the category lately. What sells
and what is left are whole units that add up to the batch.
"""

from __future__ import annotations

import math

from workbench.suggestions import stocking
from workbench.suggestions.cards import ClearMetrics
from workbench.suggestions.drafts import Draft, r1
from workbench.suggestions.forecast import SeriesForecast
from workbench.suggestions.reasons import reason
from workbench.suggestions.storedata import Catalogue, StoreData

MAX_CARDS = 3
WITHIN_DAYS = 1  # batches expiring today or tomorrow (the last two selling days)
MIN_UNSOLD = 0.5  # at full price this many units are expected left over, or no card
MIN_GAIN_FEN = 500
Z90 = 1.645  # the discount must add ¥5 of expected revenue to be worth a card


def store_elasticity(data: StoreData, catalogue: Catalogue, category_id: int) -> tuple[float, int, float] | None:
    """The category's price response in this store, from its discounted product-days: (value, rows, se)."""
    disc = data.unit_fen < data.list_fen
    if not disc.any():
        return None
    cells: dict[tuple[int, int], list[float]] = {}
    for p, off, q, u, lst in zip(data.product[disc], data.offset[disc], data.qty[disc], data.unit_fen[disc],
                                 data.list_fen[disc], strict=True):
        info = catalogue.products.get(int(p))
        if info is None or info.category_id != category_id:
            continue
        c = cells.setdefault((int(p), int(off)), [0.0, 0.0])
        c[0] += q
        c[1] += q * (1.0 - u / lst)
    if not cells:
        return None
    keys = list(cells)
    return stocking.estimate_elasticity_se([k[0] for k in keys], [cells[k][1] / cells[k][0] for k in keys],
                                           [cells[k][0] for k in keys])


def price_response(data: StoreData, catalogue: Catalogue, category_id: int) -> tuple[float, float, int, str]:
    """(value, standard error, rows, source) of the response a clear card uses.

    The store's own estimate pooled with the brand's for the category (precision
    weighted, ``stocking.pool_response``); the brand's alone when the store has too few
    discounted days; the brand's all-category figure (±``stocking.PRIOR_SD``) otherwise.
    """
    prior = catalogue.brand_elasticity.get(category_id, (catalogue.brand_elasticity_all, 0))[0]
    prior_sd = catalogue.brand_elasticity_se.get(category_id, stocking.PRIOR_SD)
    est = store_elasticity(data, catalogue, category_id)
    if est is not None:
        value, se = stocking.pool_response(est[0], est[2], prior, max(prior_sd, 0.25))
        return value, se, est[1], "store"
    if category_id in catalogue.brand_elasticity:
        value, rows = catalogue.brand_elasticity[category_id]
        return value, prior_sd, rows, "brand"
    value, se = stocking.pool_response(catalogue.brand_elasticity_all, 1e6, catalogue.brand_elasticity_all)
    return value, stocking.PRIOR_SD, 0, "default"


def build(data: StoreData, catalogue: Catalogue, series: dict[int, SeriesForecast],
          fallback) -> list[Draft]:
    """Up to ``MAX_CARDS`` clear cards, most money at risk first.

    ``fallback(product_id)`` gives a cold-start forecast for a product with none.
    """
    out = []
    measured: dict[int, tuple[float, float, int, str]] = {}
    buyers: dict[int, int] = {}
    for batch in data.batches:
        days_left = (batch.expires_on - data.day).days + 1
        if days_left > WITHIN_DAYS + 1:
            continue
        info = catalogue.products.get(batch.product_id)
        if info is None:
            continue
        fc = series.get(batch.product_id) or fallback(batch.product_id)
        base = float(sum(fc.mean[:days_left]))
        cid = info.category_id
        if cid not in measured:
            measured[cid] = price_response(data, catalogue, cid)
            buyers[cid] = data.reachable_buyers({cid}, catalogue)
        response, se, rows, source = measured[cid]
        curve = stocking.capped_markdown_curve(batch.quantity, base, info.price_fen, response, buyers[cid])
        full, best = curve[0], stocking.best_markdown(curve)
        if batch.quantity - full.units < MIN_UNSOLD or best.revenue_fen - full.revenue_fen < MIN_GAIN_FEN:
            continue  # it sells out at full price anyway, or a discount hardly earns more
        sold = min(int(math.floor(best.units + 0.5)), batch.quantity)
        full_sold = min(int(math.floor(full.units + 0.5)), batch.quantity)
        discount_price = int(round(info.price_fen * (1 - best.discount)))
        at_risk = (batch.quantity - full_sold) * batch.cost_fen
        metrics: ClearMetrics = {
            "category": info.category,
            "quantity": batch.quantity,
            "expires_on": batch.expires_on.isoformat(),
            "days_left": days_left,
            "price_fen": info.price_fen,
            "cost_fen": batch.cost_fen,
            "base_demand": r1(base),
            "reachable_buyers": buyers[cid],
            "response": round(response, 2),
            "response_low": round(max(response - Z90 * se, 0.0), 2),
            "response_high": round(response + Z90 * se, 2),
            "response_source": source,
            "discount": best.discount,
            "discount_price_fen": discount_price,
            "expected_units": sold,
            "expected_left": batch.quantity - sold,
            "expected_revenue_fen": sold * discount_price,
            "full_price_units": full_sold,
            "full_price_left": batch.quantity - full_sold,
            "full_price_revenue_fen": full_sold * info.price_fen,
            "cost_at_risk_fen": int(round(at_risk)),
            "curve": [{"discount": p.discount, "units": r1(p.units), "revenue_fen": p.revenue_fen} for p in curve],
        }
        reasons = []
        if fc.cold_start:
            reasons.append(reason("cold_start_sku", category=info.category))
        reasons.append(reason("expires_soon", quantity=batch.quantity, days=days_left,
                              date=batch.expires_on.isoformat()))
        lift10 = 0.9 ** (-response) - 1.0
        if source != "default":
            reasons.append(reason(f"price_response_{source}", category=info.category, lift_chg_pct=round(lift10, 3)))
        reasons.append(reason("markdown_sold_left", discount_pct=best.discount, units=sold,
                              left=batch.quantity - sold, revenue_fen=sold * discount_price))
        out.append(Draft(kind="clear", score=float(at_risk), metrics=dict(metrics), reasons=reasons[:3],
                         product_id=info.id, stock_batch_id=batch.id, forecast=fc, cold_start=fc.cold_start,
                         model=fc.source))
    out.sort(key=lambda d: (-d.score, d.stock_batch_id))
    return out[:MAX_CARDS]
