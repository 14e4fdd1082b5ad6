"""清货 clear: batches close to expiry, with the discount that earns most before they spoil."""

from __future__ import annotations

import math

from workbench.suggestions import stocking
from workbench.suggestions.drafts import Draft, r1
from workbench.suggestions.forecast import SeriesForecast
from workbench.suggestions.reasons import reason
from workbench.suggestions.storedata import Catalogue, StoreData

MAX_CARDS = 3
WITHIN_DAYS = 1  # batches expiring today or tomorrow (the last two selling days)
MIN_UNSOLD = 0.5  # at full price this many units are expected left over, or no card
MIN_GAIN_FEN = 500  # the discount must add ¥5 of expected revenue to be worth a card


def store_elasticity(data: StoreData, catalogue: Catalogue, category_id: int) -> tuple[float, int] | None:
    """The category's price response in this store, from its discounted product-days."""
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
    return stocking.estimate_elasticity([k[0] for k in keys], [cells[k][1] / cells[k][0] for k in keys],
                                        [cells[k][0] for k in keys])


def build(data: StoreData, catalogue: Catalogue, series: dict[int, SeriesForecast],
          fallback) -> list[Draft]:
    """Up to ``MAX_CARDS`` clear cards, most money at risk first.

    ``fallback(product_id)`` gives a cold-start forecast for a product with none.
    """
    out = []
    measured: dict[int, tuple[float, int, str]] = {}
    for batch in data.batches:
        days_left = (batch.expires_on - data.day).days + 1
        if days_left > WITHIN_DAYS + 1:
            continue
        info = catalogue.products.get(batch.product_id)
        if info is None:
            continue
        fc = series.get(batch.product_id) or fallback(batch.product_id)
        base = float(sum(fc.mean[:days_left]))
        if info.category_id not in measured:
            prior = catalogue.brand_elasticity.get(info.category_id, (catalogue.brand_elasticity_all, 0))[0]
            est = store_elasticity(data, catalogue, info.category_id)
            if est is not None:
                measured[info.category_id] = (stocking.shrink(est[0], est[1], prior), est[1], "store")
            elif info.category_id in catalogue.brand_elasticity:
                e, n = catalogue.brand_elasticity[info.category_id]
                measured[info.category_id] = (e, n, "brand")
            else:
                measured[info.category_id] = (catalogue.brand_elasticity_all, 0, "default")
        elasticity, rows, source = measured[info.category_id]
        curve = stocking.markdown_curve(batch.quantity, base, info.price_fen, elasticity)
        full, best = curve[0], stocking.best_markdown(curve)
        if batch.quantity - full.units < MIN_UNSOLD or best.revenue_fen - full.revenue_fen < MIN_GAIN_FEN:
            continue  # it sells out at full price anyway, or a discount hardly earns more
        at_risk = (batch.quantity - full.units) * batch.cost_fen
        metrics = {
            "category": info.category,
            "quantity": batch.quantity,
            "expires_on": batch.expires_on.isoformat(),
            "days_left": days_left,
            "price_fen": info.price_fen,
            "cost_fen": batch.cost_fen,
            "base_demand": r1(base),
            "elasticity": round(elasticity, 2),
            "elasticity_source": source,
            "elasticity_rows": rows,
            "discount": best.discount,
            "discount_price_fen": int(round(info.price_fen * (1 - best.discount))),
            "expected_units": r1(best.units),
            "expected_revenue_fen": best.revenue_fen,
            "full_price_units": r1(full.units),
            "full_price_revenue_fen": full.revenue_fen,
            "expected_unsold": r1(batch.quantity - best.units),
            "cost_at_risk_fen": int(round(at_risk)),
            "curve": [{"discount": p.discount, "units": r1(p.units), "revenue_fen": p.revenue_fen} for p in curve],
        }
        reasons = []
        if fc.cold_start:
            reasons.append(reason("cold_start_sku", category=info.category))
        reasons.append(reason("expires_soon", quantity=batch.quantity, days=days_left,
                              date=batch.expires_on.isoformat()))
        lift10 = 0.9 ** (-elasticity) - 1.0
        if source != "default":
            reasons.append(reason(f"price_response_{source}", category=info.category, lift_chg_pct=round(lift10, 3)))
        reasons.append(reason("markdown_gain", discount_pct=best.discount, units=math.floor(best.units + 0.5),
                              quantity=batch.quantity, revenue_fen=best.revenue_fen, full_fen=full.revenue_fen))
        out.append(Draft(kind="clear", score=float(at_risk), metrics=metrics, reasons=reasons[:3],
                         product_id=info.id, stock_batch_id=batch.id, forecast=fc, cold_start=fc.cold_start,
                         model=fc.source))
    out.sort(key=lambda d: (-d.score, d.stock_batch_id))
    return out[:MAX_CARDS]

