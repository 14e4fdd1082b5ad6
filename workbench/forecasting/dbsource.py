"""Build a Panel (plus exogenous features) from the app's own tables.

Plain SQLAlchemy on a Connection or Session (no Flask, no ORM models), so the nightly
job, the CLI and a notebook can all call it. Sales are order lines of orders that were
not cancelled or failed, by the Asia/Shanghai day the order was placed.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
from sqlalchemy import Date, DateTime, Integer, String, bindparam, text

from workbench.forecasting.daykinds import day_kinds
from workbench.forecasting.panel import Panel, panel_from_long

EXCLUDED_STATUSES = ("cancelled", "failed")
RUNNING_CAMPAIGNS = ("active", "grouped", "failed", "closed")  # they ran, whatever the outcome
# Shanghai has kept UTC+8 without DST since 1991, so a fixed offset converts whole
# arrays of UTC instants to local days at numpy speed.
SHANGHAI_OFFSET = np.timedelta64(8, "h")


def _local_days(instants: list) -> np.ndarray:
    """Naive-UTC or aware datetimes → datetime64[D] local (Shanghai) days."""
    naive = [v.replace(tzinfo=None) if getattr(v, "tzinfo", None) else v for v in instants]
    return (np.array(naive, dtype="datetime64[s]") + SHANGHAI_OFFSET).astype("datetime64[D]")


def load_panel(conn, days: int | None = None, end: date | None = None,
               store_ids: list[int] | None = None, ahead_days: int = 0) -> Panel:
    """Sales panel with exogenous arrays from the database; ``days`` limits the history.

    ``store_ids`` reads only those stores (every query is filtered, so a batch of stores
    costs what its own rows cost). ``ahead_days`` appends that many columns after
    ``end`` for forecasting: they hold no sales (none is read after ``end``) and no
    interaction counts, only what is known in advance (weather forecast, day kind,
    planned campaigns and live streams).
    """
    since_sql = ""
    params: dict = {"excluded": list(EXCLUDED_STATUSES)}
    store_sql = ""
    if store_ids is not None:
        store_ids = sorted({int(s) for s in store_ids})
        if not store_ids:
            raise ValueError("no stores to load")
        params["stores"] = store_ids
        store_sql = "AND o.store_id IN :stores"
    if ahead_days and end is None:
        raise ValueError("ahead_days needs an explicit end date")
    if days is not None:
        if end is None:
            last = conn.execute(text("SELECT MAX(placed_at) AS last FROM orders").columns(
                last=DateTime())).scalar()
            if last is None:
                raise ValueError("the database has no orders")
            end = _local_days([last])[0].astype(object)
        # One extra day absorbs the UTC/local shift; trimmed exactly below.
        params["since"] = end - timedelta(days=days + 1)
        since_sql = "AND o.placed_at >= :since"
    until_sql = ""
    if end is not None:
        # Local day ≤ end ⇔ UTC instant < end + 1 day − 8 h; one day of slack, trimmed below.
        params["until"] = end + timedelta(days=1)
        until_sql = "AND o.placed_at < :until"
    # Summed per store, product and local day in the database: a third of the rows to move.
    day_sql = _local_day_sql(conn, "o.placed_at")
    sql = text(f"""
        SELECT o.store_id, i.product_id, {day_sql} AS day, SUM(i.quantity) AS units
        FROM order_items i JOIN orders o ON o.id = i.order_id
        WHERE o.status NOT IN :excluded {since_sql} {until_sql} {store_sql}
        GROUP BY o.store_id, i.product_id, {day_sql}
    """).bindparams(bindparam("excluded", expanding=True))
    if store_ids is not None:
        sql = sql.bindparams(bindparam("stores", expanding=True))
    result = conn.execute(sql, params).all()
    if not result:
        raise ValueError("the database has no sales to forecast")
    store, product, day, qty = (list(col) for col in zip(*result, strict=True))
    local = _as_days(day)
    store_arr = np.array(store, dtype=np.int64)
    product_arr = np.array(product, dtype=np.int64)
    qty_arr = np.array(qty, dtype=np.float64)
    keep = np.ones(len(local), dtype=bool)
    if end is not None:
        keep &= local <= np.datetime64(end, "D")
    if days is not None:
        keep &= local > np.datetime64(end - timedelta(days=days), "D")
    if not keep.all():
        store_arr, product_arr, qty_arr, local = store_arr[keep], product_arr[keep], qty_arr[keep], local[keep]
    last = None if end is None else end + timedelta(days=ahead_days)
    panel = panel_from_long(store_arr, product_arr, local, qty_arr, end=last)
    add_exogenous(conn, panel, known_until=end)
    return panel


def _local_day_sql(conn, column: str) -> str:
    """SQL for the Asia/Shanghai calendar day of a naive-UTC timestamp column."""
    if conn.dialect.name == "postgresql":
        return f"CAST({column} + INTERVAL '8 hours' AS DATE)"
    if conn.dialect.name == "sqlite":
        return f"date({column}, '+8 hours')"
    raise ValueError(f"unsupported database {conn.dialect.name}")


def _as_days(values: list) -> np.ndarray:
    """Dates (PostgreSQL) or 'YYYY-MM-DD' strings (SQLite) → datetime64[D]."""
    return np.array([str(v)[:10] for v in values], dtype="datetime64[D]")


def _store_filter(column: str, stores: np.ndarray) -> str:
    """An ``AND column IN (...)`` clause for the panel's stores (validated ints, inlined)."""
    try:
        ids = sorted({int(s) for s in stores})
    except (TypeError, ValueError):
        return ""
    if not ids or len(ids) > 2000:
        return ""
    return f" AND {column} IN ({', '.join(str(i) for i in ids)})"


def add_exogenous(conn, panel: Panel, known_until: date | None = None) -> None:
    """Fill panel.exog, day kinds and category codes from the app's tables.

    Interaction counts (lagged features) are read only up to ``known_until`` when given.
    """
    n_days = panel.n_days
    start = np.datetime64(panel.start, "D")
    stop = panel.start + timedelta(days=n_days)
    stores = np.unique(panel.store)
    store_idx = np.searchsorted(stores, panel.store)  # per series
    panel.store_code = store_idx.astype(np.int32)
    panel.day_kind = day_kinds(panel.start, n_days)

    products = {
        row.id: row for row in conn.execute(text(
            "SELECT p.id, p.category_id, p.attributes, p.price_fen, c.code, c.name "
            "FROM products p JOIN categories c ON c.id = p.category_id"
        ).columns(id=Integer(), category_id=Integer(), attributes=String(), price_fen=Integer(),
                  code=String(), name=String()))
    }
    categories = sorted({row.category_id for row in products.values()})
    cat_code = {cid: k for k, cid in enumerate(categories)}
    panel.category_code = np.array(
        [cat_code.get(products[p].category_id, -1) if p in products else -1 for p in panel.sku],
        dtype=np.int32)

    def day_index(values) -> np.ndarray:
        return (np.asarray(values, dtype="datetime64[D]") - start).astype(np.int64)

    # Weather by the store's city: temperature high (°C) and rain (stored in tenths of mm).
    city_of = dict(conn.execute(text("SELECT id, city FROM stores")).all())
    temp = np.full((len(stores), n_days), np.nan)
    rain = np.full((len(stores), n_days), np.nan)
    weather = conn.execute(text(
        "SELECT city, day, temp_high_c, rain_mm FROM weather WHERE day >= :a AND day < :b"
    ).columns(city=String(), day=Date(), temp_high_c=Integer(), rain_mm=Integer()),
        {"a": panel.start, "b": stop}).all()
    by_city: dict[str, list] = {}
    for row in weather:
        by_city.setdefault(row.city, []).append(row)
    for k, sid in enumerate(stores):
        rows = by_city.get(city_of.get(int(sid)), [])
        if rows:
            idx = day_index([r.day for r in rows])
            temp[k, idx] = [r.temp_high_c for r in rows]
            rain[k, idx] = [r.rain_mm / 10.0 for r in rows]
    panel.exog["temp_high"] = temp[store_idx]
    panel.exog["rain_mm"] = rain[store_idx]

    # Live streams per store-day (scheduled in advance, so known for the target day).
    live = np.zeros((len(stores), n_days))
    lives = conn.execute(text(
        "SELECT store_id, started_at FROM live_sessions WHERE started_at >= :a AND started_at < :b"
        + _store_filter("store_id", stores)
    ).columns(store_id=Integer(), started_at=DateTime()),
        {"a": panel.start - timedelta(days=1), "b": stop + timedelta(days=1)}).all()
    if lives:
        s = np.searchsorted(stores, [r.store_id for r in lives])
        d = day_index(_local_days([r.started_at for r in lives]))
        ok = (d >= 0) & (d < n_days) & (s < len(stores))
        ok[ok] = stores[s[ok]] == np.array([r.store_id for r in lives])[ok]
        live[s[ok], d[ok]] = 1.0
    panel.exog["live"] = live[store_idx]

    # Campaigns: the SKU is on a running campaign that day, at which planned discount.
    series_of = {(int(st), int(sk)): i for i, (st, sk) in enumerate(zip(panel.store, panel.sku, strict=True))}
    campaign = np.zeros((panel.n_series, n_days))
    discount = np.zeros((panel.n_series, n_days))
    camp_rows = conn.execute(text(
        "SELECT c.store_id, c.starts_at, c.ends_at, cp.product_id, cp.group_price_fen "
        "FROM campaign_products cp JOIN campaigns c ON c.id = cp.campaign_id "
        "WHERE c.status IN :running AND c.ends_at >= :a AND c.starts_at < :b"
        + _store_filter("c.store_id", stores)
    ).bindparams(bindparam("running", expanding=True)).columns(
        store_id=Integer(), starts_at=DateTime(), ends_at=DateTime(), product_id=Integer(),
        group_price_fen=Integer()),
        {"running": list(RUNNING_CAMPAIGNS), "a": panel.start - timedelta(days=1),
         "b": stop + timedelta(days=1)}).all()
    if camp_rows:
        first = day_index(_local_days([r.starts_at for r in camp_rows]))
        last = day_index(_local_days([r.ends_at for r in camp_rows]))
        for r, a, b in zip(camp_rows, first, last, strict=True):
            i = series_of.get((r.store_id, r.product_id))
            if i is None:
                continue
            a, b = max(int(a), 0), min(int(b), n_days - 1)
            if a > b:
                continue
            campaign[i, a:b + 1] = 1.0
            list_price = products[r.product_id].price_fen if r.product_id in products else 0
            if list_price > 0:
                depth = max(0.0, 1.0 - r.group_price_fen / list_price)
                discount[i, a:b + 1] = np.maximum(discount[i, a:b + 1], depth)
    panel.exog["campaign"] = campaign
    panel.exog["discount"] = discount

    talk_stop = stop if known_until is None else min(stop, known_until + timedelta(days=1))
    _add_interactions(conn, panel, stores, store_idx, products, start, talk_stop)


def _attributes(product) -> list[str]:
    attrs = product.attributes
    if isinstance(attrs, str):
        try:
            attrs = json.loads(attrs)
        except ValueError:
            attrs = []
    return list(attrs or [])


def topic_categories(topics: list[str], products: dict, named: list[tuple[str, int]]) -> dict[str, set[int]]:
    """Which categories each chat topic is about.

    The chat word for a category is not always its name (members say 牛奶 for 乳品), so a
    topic maps to a category when it is the category's name or code, is contained in the
    name (海鲜 → 水产海鲜), or when at least 20 % of the messages on that topic that name
    a SKU name one of that category (learned from the data itself).
    """
    by_category = {}
    for p in products.values():
        by_category[p.category_id] = (p.name, p.code)
    out: dict[str, set[int]] = {t: set() for t in topics}
    for topic in topics:
        for cid, (name, code) in by_category.items():
            if topic in (name, code) or (len(topic) >= 2 and topic in name):
                out[topic].add(cid)
    counts: dict[str, dict[int, int]] = {}
    for item in named:  # (topic, product id) or (topic, product id, message count)
        topic, pid = item[0], item[1]
        if pid in products:
            cid = products[pid].category_id
            counts.setdefault(topic, {}).setdefault(cid, 0)
            counts[topic][cid] += item[2] if len(item) > 2 else 1
    for topic, per in counts.items():
        total = sum(per.values())
        out.setdefault(topic, set()).update(cid for cid, n in per.items() if n >= 0.2 * total)
    return out


def _add_interactions(conn, panel: Panel, stores, store_idx, products, start, stop) -> None:
    """talk_topic / talk_product: interaction counts per series-day (used lagged only).

    Only local days before ``stop`` are counted (the query has a day of slack for the
    UTC/local shift; the day index check below trims it exactly).
    """
    n_days = panel.n_days
    day_sql = _local_day_sql(conn, "occurred_at")
    rows = conn.execute(text(
        f"SELECT store_id, topic, product_id, {day_sql} AS day, COUNT(*) AS n FROM interactions "
        "WHERE occurred_at >= :a AND occurred_at < :b" + _store_filter("store_id", stores)
        + f" GROUP BY store_id, topic, product_id, {day_sql}"
    ), {"a": panel.start - timedelta(days=1), "b": stop + timedelta(days=1)}).all()
    n_known = (np.datetime64(stop, "D") - start).astype(np.int64)
    talk_topic = np.zeros((panel.n_series, n_days))
    talk_product = np.zeros((panel.n_series, n_days))
    if rows:
        r_store, r_topic, r_pid, r_day, r_n = (list(col) for col in zip(*rows, strict=True))
        store_ids = np.array(r_store, dtype=np.int64)
        weight = np.array(r_n, dtype=np.float64)
        s = np.searchsorted(stores, store_ids)
        s = np.minimum(s, len(stores) - 1)
        d = (_as_days(r_day) - start).astype(np.int64)
        ok = (stores[s] == store_ids) & (d >= 0) & (d < min(n_days, int(n_known)))
        topics = sorted({t for t in r_topic if t})
        topic_idx = {t: k for k, t in enumerate(topics)}
        t = np.array([topic_idx.get(x, -1) if x else -1 for x in r_topic], dtype=np.int64)
        has_topic = ok & (t >= 0)
        counts = np.zeros((len(stores), max(len(topics), 1), n_days), dtype=np.float32)
        np.add.at(counts, (s[has_topic], t[has_topic], d[has_topic]), weight[has_topic])
        named = [(x, p, n) for x, p, n in zip(r_topic, r_pid, r_n, strict=True) if x and p is not None]
        about = topic_categories(topics, products, named)
        for sku in np.unique(panel.sku):
            product = products.get(int(sku))
            if product is None:
                continue
            words = {w for w, cats in about.items() if product.category_id in cats}
            words |= set(_attributes(product))  # 低糖, 儿童 … are topics too
            cols = [topic_idx[w] for w in words if w in topic_idx]
            if not cols:
                continue
            series = np.nonzero(panel.sku == sku)[0]
            talk_topic[series] = counts[store_idx[series]][:, cols, :].sum(axis=1)
        pid = np.array([p if p is not None else -1 for p in r_pid], dtype=np.int64)
        # Match (store, product) pairs to series by one sorted integer key, not a Python loop.
        big = int(max(panel.sku.max(), pid.max())) + 1
        series_key = panel.store.astype(np.int64) * big + panel.sku.astype(np.int64)
        order = np.argsort(series_key)
        key = store_ids * big + pid
        pos = np.minimum(np.searchsorted(series_key[order], key), len(order) - 1)
        hit = ok & (pid >= 0) & (series_key[order][pos] == key)
        np.add.at(talk_product, (order[pos[hit]], d[hit]), weight[hit])
    panel.exog["talk_topic"] = talk_topic
    panel.exog["talk_product"] = talk_product
