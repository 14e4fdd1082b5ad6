"""组合 bundle: products this store's members buy together, from association rules.

Baskets are the store's orders of the last ``WINDOW_DAYS`` days (one basket = the
distinct products of one order); rules come from ``workbench.bundles.apriori.mine``
(single-item consequent, exact support / confidence / lift). A rule needs
``MIN_COUNT`` baskets and lift of at least ``MIN_LIFT``; rules are ranked by
(lift − 1) × √count, so a strong pattern seen in many baskets beats a perfect one seen
in five. For variety a rule is skipped when its consequent was already shown or it
shares two products with a shown bundle.
"""

from __future__ import annotations

from workbench.bundles.apriori import mine
from workbench.suggestions.cards import BundleMetrics
from workbench.suggestions.drafts import Draft
from workbench.suggestions.reasons import reason
from workbench.suggestions.storedata import Catalogue, StoreData

MAX_CARDS = 2
WINDOW_DAYS = 56
MIN_COUNT = 5
MIN_SUPPORT_FLOOR = 0.002
MIN_CONFIDENCE = 0.10
MIN_LIFT = 1.2
MAX_LEN = 3


def baskets(data: StoreData, days: int = WINDOW_DAYS) -> list[list[int]]:
    """Distinct product ids of each order in the window."""
    keep = data.offset >= -days
    out: dict[int, set[int]] = {}
    for o, p in zip(data.order[keep].tolist(), data.product[keep].tolist(), strict=True):
        out.setdefault(o, set()).add(p)
    return [sorted(items) for _o, items in sorted(out.items())]


def rule_score(rule) -> float:
    """(lift − 1) × √count: strength of the association times how often it was seen."""
    return (rule.lift - 1.0) * rule.count ** 0.5


def build(data: StoreData, catalogue: Catalogue) -> list[Draft]:
    """Up to ``MAX_CARDS`` bundle cards."""
    bs = baskets(data)
    n = len(bs)
    if n < MIN_COUNT * 4:
        return []
    result = mine(bs, max(MIN_COUNT / n, MIN_SUPPORT_FLOOR), MIN_CONFIDENCE, max_len=MAX_LEN)
    rules = [r for r in result.rules if r.lift >= MIN_LIFT and r.count >= MIN_COUNT]
    rules.sort(key=lambda r: (-rule_score(r), r.antecedent, r.consequent))
    out, shown, consequents = [], [], set()
    for r in rules:
        items = frozenset((*r.antecedent, r.consequent))
        if (r.consequent in consequents or any(len(items & s) >= 2 for s in shown)
                or any(int(i) not in catalogue.products for i in items)):
            continue
        shown.append(items)
        consequents.add(r.consequent)
        names = {int(i): catalogue.products[int(i)].name for i in items}
        ante = [names[int(i)] for i in r.antecedent]
        cons = names[int(r.consequent)]
        pair_price = sum(catalogue.products[int(i)].price_fen for i in items)
        metrics: BundleMetrics = {
            "antecedent": [int(i) for i in r.antecedent],
            "consequent": int(r.consequent),
            "items": [{"product_id": i, "name": names[i]} for i in sorted(names)],
            "support": round(r.support, 4),
            "confidence": round(r.confidence, 4),
            "lift": round(r.lift, 3),
            "count": r.count,
            "baskets": n,
            "window_days": WINDOW_DAYS,
            "bundle_price_fen": pair_price,
        }
        reasons = [
            reason("bundle_support", count=r.count, baskets=n, weeks=WINDOW_DAYS // 7, items=sorted(names.values())),
            reason("bundle_confidence", confidence_pct=round(r.confidence, 3), antecedent=ante, consequent=cons,
                   lift_x=round(r.lift, 2)),
        ]
        out.append(Draft(kind="bundle", score=rule_score(r), metrics=dict(metrics), reasons=reasons, product_id=int(r.consequent),
                         model="apriori"))
        if len(out) >= MAX_CARDS:
            break
    return out



