"""How much the generated brand looks like real 社区团购 stores: figures over a ``Dataset``.

Pure numpy over the generator's tables (nothing is loaded into a database), so the
plausibility tests and ``bench/demo_plausibility.py`` read the same numbers. The
reference figures come from the trade articles in ``shared/seeds`` (单群日均订单 above
15, 月复购率 25–42 % before any digital help, 客单价 in the tens of yuan) and from what a
counter sees (one shopper takes at most a handful of one item).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NOT_SALES = ("cancelled", "failed")


@dataclass(frozen=True)
class Plausibility:
    orders_per_store_day: float  # median over stores of the mean daily orders
    repurchase_rate: float  # members with ≥ 2 orders in a 30-day window / members with ≥ 1
    basket_yuan: float  # mean order total
    line_units_p99: dict[str, float]  # category code → p99 of units on one order line
    items_per_order_mean: float
    items_per_order_p99: float
    daily_sales_cv_median: float  # per store: std / mean of daily sales, median over stores
    daily_sales_cv_max: float
    daily_sales_max_over_median: float  # the worst store-day against that store's median day
    units_per_100_households_max: float  # the busiest store × product × day, per 100 households
    campaign_failure_rate: float

    def lines(self) -> list[str]:
        """``name: value`` lines for the bench."""
        worst = max(self.line_units_p99.values())
        share = np.mean([v <= 6 for v in self.line_units_p99.values()])
        return [
            f"orders_per_store_day: {self.orders_per_store_day:.1f}",
            f"repurchase_rate_30d: {self.repurchase_rate:.3f}",
            f"basket_yuan: {self.basket_yuan:.1f}",
            f"line_units_p99_max: {worst:.0f}",
            f"categories_line_p99_le_6: {share:.2f}",
            f"items_per_order_mean: {self.items_per_order_mean:.2f}",
            f"items_per_order_p99: {self.items_per_order_p99:.0f}",
            f"daily_sales_cv_median: {self.daily_sales_cv_median:.3f}",
            f"daily_sales_cv_max: {self.daily_sales_cv_max:.3f}",
            f"daily_sales_max_over_median: {self.daily_sales_max_over_median:.2f}",
            f"units_per_100_households_max: {self.units_per_100_households_max:.1f}",
            f"campaign_failure_rate: {self.campaign_failure_rate:.3f}",
        ]


def measure(tables: dict, start_epoch_day: int, days: int) -> Plausibility:
    """The figures of a generated brand (``Dataset.tables``) over its ``days`` of history."""
    orders, items = tables["orders"], tables["order_items"]
    status = np.asarray(orders["status"])
    sold = ~np.isin(status, NOT_SALES)
    store = np.asarray(orders["store_id"]) - 1
    member = np.asarray(orders["member_id"]) - 1
    placed = np.asarray(orders["placed_at"]).astype("datetime64[s]").astype(np.int64)
    day = (placed + 8 * 3600) // 86_400 - start_epoch_day
    total = np.asarray(orders["total_fen"])
    n_stores = len(tables["stores"]["id"])
    keep = sold & (day >= 0) & (day < days)

    per_store = np.bincount(store[keep], minlength=n_stores) / days
    orders_per_store_day = float(np.median(per_store))

    # 30-day windows from the end backwards (a "month"), averaged.
    rates = []
    for k in range(min(3, days // 30)):
        lo, hi = days - 30 * (k + 1), days - 30 * k
        sel = keep & (day >= lo) & (day < hi)
        counts = np.bincount(member[sel])
        buyers = np.count_nonzero(counts)
        if buyers:
            rates.append(np.count_nonzero(counts >= 2) / buyers)
    repurchase = float(np.mean(rates)) if rates else float("nan")
    basket = float(total[keep].mean() / 100.0)

    order_idx = np.asarray(items["order_id"]) - 1
    qty = np.asarray(items["quantity"])
    product = np.asarray(items["product_id"]) - 1
    item_keep = keep[order_idx]
    cat_codes = np.asarray(tables["categories"]["code"])
    cat = np.asarray(tables["products"]["category_id"])[product] - 1
    p99 = {}
    for c, code in enumerate(cat_codes):
        sel = item_keep & (cat == c)
        if sel.any():
            p99[str(code)] = float(np.percentile(qty[sel], 99))
    per_order = np.bincount(order_idx[item_keep], minlength=len(status))[keep]

    amount = np.asarray(items["amount_fen"])
    key = store[order_idx] * days + np.clip(day[order_idx], 0, days - 1)
    daily = np.bincount(key[item_keep], weights=amount[item_keep], minlength=n_stores * days).reshape(n_stores, days)
    mean = daily.mean(axis=1)
    cv = np.where(mean > 0, daily.std(axis=1) / np.maximum(mean, 1), np.nan)
    med = np.median(daily, axis=1)
    spike = float(np.nanmax(daily.max(axis=1) / np.maximum(med, 1)))

    households = np.bincount(np.asarray(tables["communities"]["store_id"]) - 1,
                             weights=np.asarray(tables["communities"]["households"]), minlength=n_stores)
    n_products = len(tables["products"]["id"])
    cell = (store[order_idx] * n_products + product) * days + np.clip(day[order_idx], 0, days - 1)
    units = np.bincount(cell[item_keep], weights=qty[item_keep])
    busiest = np.flatnonzero(units == units.max())[0] if len(units) else 0
    busiest_store = busiest // (n_products * days)
    per_100 = float(units.max() / households[busiest_store] * 100) if len(units) else 0.0

    camp_status = np.asarray(tables["campaigns"]["status"])
    ended = camp_status != "active"
    failure = float(np.mean(camp_status[ended] == "failed")) if ended.any() else float("nan")
    return Plausibility(
        orders_per_store_day=orders_per_store_day, repurchase_rate=repurchase, basket_yuan=basket,
        line_units_p99=p99, items_per_order_mean=float(per_order.mean()),
        items_per_order_p99=float(np.percentile(per_order, 99)),
        daily_sales_cv_median=float(np.nanmedian(cv)), daily_sales_cv_max=float(np.nanmax(cv)),
        daily_sales_max_over_median=spike, units_per_100_households_max=per_100,
        campaign_failure_rate=failure,
    )
