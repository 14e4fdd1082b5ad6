"""Next-days forecasts for the suggestion engine: ``forecast_next(session, stores, as_of)``.

``as_of`` is the last local (Asia/Shanghai) day with complete data — yesterday when the
nightly job runs at 05:00. The forecast covers as_of + 1 … as_of + horizon_days for
every (store, product) series of those stores that sold at least once in the loaded
history (``HISTORY_DAYS``); nothing dated after ``as_of`` is read except what is known
in advance: the weather forecast rows, the calendar, and planned campaigns and live
streams (sales and interactions are cut at ``as_of`` in the SQL itself).

Methods:

* ``served`` (default): per store, the candidate that forecast the 14 days before
  as_of + 1 best (``selection.Served``: seasonal naive, MA28, statsforecast's
  exponential smoothing, Croston and TSB, and the LightGBM below); seasonal naive
  wins ties, so a store is never served a method that lost to it there.
* ``lightgbm``: day as_of + 1 from the single-horizon global model the
  backtest judges (``methods.LightGBMForecaster``, horizon 1); days as_of + 2 … from one
  global direct multi-horizon model (``multihorizon.MultiHorizonLightGBM``): horizon h
  is a feature and every sales lag of a horizon-h row is ≥ h, so day as_of + h uses only
  data up to as_of. Measured on the demo's last 28 days the pooled model is as good as
  the dedicated one at h = 7 (WAPE 0.85) but not at h = 1 (1.24 vs 0.84), hence the
  split. P10/P50/P90 are quantile boosters conformalised per horizon on the 14 days
  before the origin; ``mean`` is the expected units (a squared-error booster).
* ``seasonal_naive`` / ``ma28``: the baselines, per horizon, with residual intervals.

Cost is linear in the stores asked for: all queries are filtered by store, so the
nightly job fans out by store batch (``workbench.forecasting.jobs``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from sqlalchemy import Date, Integer, String, bindparam, delete, insert, select, text

from workbench.forecasting.dbsource import load_panel
from workbench.forecasting.methods import LightGBMForecaster, MovingAverage, SeasonalNaive
from workbench.forecasting.multihorizon import MultiHorizonLightGBM
from workbench.types import utcnow

HISTORY_DAYS = 182  # 140 training days + 5 weeks of lags + the calibration window
METHODS = ("served", "lightgbm", "seasonal_naive", "ma28")
MAX_HORIZON = 14


@dataclass
class NextForecast:
    """Forecasts for ``days`` (as_of + 1 …) of each (store_id, product_id) in ``keys``.

    ``p10``/``p50``/``p90``/``mean`` are (len(keys), len(days)) float arrays in units;
    p10 ≤ p50 ≤ p90 everywhere. ``context[store_id]`` lists, per forecast day, what the
    engine may want to explain a number: weather (°C high/low, rain in mm), the day kind
    (workday/weekend/holiday/makeup_workday) and whether a live stream is scheduled.
    """

    as_of: date
    days: list[date]
    keys: list[tuple[int, int]]
    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray
    mean: np.ndarray
    method: str
    context: dict[int, list[dict]] = field(default_factory=dict)
    #: store id → the candidate served to it (``method`` "served"); else every store's is ``method``
    chosen: dict[int, str] = field(default_factory=dict)
    _index: dict[tuple[int, int], int] | None = field(default=None, repr=False)

    def index(self, store_id: int, product_id: int) -> int | None:
        """Row of the series in the arrays, or None when it is not forecast."""
        if self._index is None:
            self._index = {k: i for i, k in enumerate(self.keys)}
        return self._index.get((int(store_id), int(product_id)))

    def get(self, store_id: int, product_id: int) -> dict | None:
        """{"days", "p10", "p50", "p90", "mean"} lists for one series, or None."""
        i = self.index(store_id, product_id)
        if i is None:
            return None
        return {"days": list(self.days), "p10": self.p10[i].tolist(), "p50": self.p50[i].tolist(),
                "p90": self.p90[i].tolist(), "mean": self.mean[i].tolist()}

    def for_store(self, store_id: int) -> np.ndarray:
        """Row indices of one store's series."""
        return np.array([i for i, (s, _) in enumerate(self.keys) if s == int(store_id)], dtype=np.int64)

    @classmethod
    def concat(cls, parts: list[NextForecast]) -> NextForecast:
        """Join the forecasts of several store batches (same as_of, days and method)."""
        parts = [p for p in parts if p is not None and p.keys]
        if not parts:
            raise ValueError("nothing to join")
        first = parts[0]
        context: dict[int, list[dict]] = {}
        chosen: dict[int, str] = {}
        for p in parts:
            context.update(p.context)
            chosen.update(p.chosen)
        return cls(as_of=first.as_of, days=first.days, keys=[k for p in parts for k in p.keys],
                   p10=np.vstack([p.p10 for p in parts]), p50=np.vstack([p.p50 for p in parts]),
                   p90=np.vstack([p.p90 for p in parts]), mean=np.vstack([p.mean for p in parts]),
                   method=first.method, context=context, chosen=chosen)

    def method_of(self, store_id: int) -> str:
        """The method behind a store's numbers (the served candidate when selected)."""
        return self.chosen.get(int(store_id), self.method)


class NextDaysLightGBM:
    """Day 1 from the single-horizon model the backtest judges, days 2+ from the multi-horizon one."""

    name = "lightgbm"

    def __init__(self, horizon_days: int, options: dict | None = None) -> None:
        # Served through the selection, which brings its own intervals: the mean boosters only.
        opts = {"point_only": True, **(options or {})}
        self.one = LightGBMForecaster(**{k: v for k, v in opts.items()
                                         if k in ("rounds", "max_rows", "threads", "seed", "point_only")})
        self.multi = MultiHorizonLightGBM(max_horizon=horizon_days, **opts) if horizon_days > 1 else None

    def fit(self, panel, origin: int, horizon: int = 1) -> None:
        """Train both models on the data before ``origin``."""
        self.one.fit(panel, origin, 1)
        if self.multi is not None:
            self.multi.fit(panel, origin)

    def fit_validation(self, panel, origin: int, horizon: int = 1) -> None:
        """The selection scores day 1 only: the day-1 model is all it needs."""
        self.one.fit(panel, origin, 1)

    def predict(self, panel, rows, origins, horizon: int):
        """The forecast of day origin + horizon − 1."""
        return (self.one if horizon == 1 or self.multi is None else self.multi).predict(panel, rows, origins, horizon)


def nightly_candidates(horizon_days: int, options: dict | None = None) -> list:
    """What the nightly selection weighs for each store (``selection.Served``)."""
    from workbench.forecasting.libmethods import StatsMethod

    stats = [StatsMethod("ets"), StatsMethod("croston"), StatsMethod("tsb")]
    for m in stats:
        m.horizon_days = horizon_days
    return [SeasonalNaive(), MovingAverage(28), *stats, NextDaysLightGBM(horizon_days, options)]


def make_method(method: str, horizon_days: int, options: dict | None = None):
    """The forecaster behind ``method`` (see the module docstring); ``options`` go to LightGBM."""
    if method == "served":
        from workbench.forecasting.selection import Served

        return Served(nightly_candidates(horizon_days, options))
    if method == "lightgbm":
        return MultiHorizonLightGBM(max_horizon=horizon_days, **(options or {}))
    if method == "seasonal_naive":
        return SeasonalNaive()
    if method == "ma28":
        return MovingAverage(28)
    raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")


def _connection(session):
    """A Connection from a Session (its own transaction) or the connection itself."""
    return session.connection() if hasattr(session, "connection") and hasattr(session, "query") else session


def forecast_next(session, store_ids: list[int] | None, as_of: date, horizon_days: int = 7,
                  method: str = "lightgbm", history_days: int = HISTORY_DAYS,
                  options: dict | None = None) -> NextForecast:
    """P10/P50/P90 and mean units per (store, product) for as_of + 1 … as_of + horizon_days.

    ``store_ids`` None means every store. ``options`` tune the LightGBM model (rounds,
    max_rows, threads …; see ``LightGBMForecaster``). Raises ValueError when there is
    nothing to forecast (no sales up to ``as_of`` in those stores) or the arguments are bad.
    """
    if not 1 <= horizon_days <= MAX_HORIZON:
        raise ValueError(f"horizon_days must be between 1 and {MAX_HORIZON}")
    model = make_method(method, horizon_days, options)
    conn = _connection(session)
    panel = load_panel(conn, days=history_days, end=as_of, store_ids=store_ids, ahead_days=horizon_days)
    origin = panel.n_days - horizon_days  # column of as_of + 1
    if origin < 14:
        raise ValueError(f"too little history up to {as_of} to forecast")
    days = [as_of + timedelta(days=h) for h in range(1, horizon_days + 1)]
    n = panel.n_series
    shape = (n, horizon_days)
    p10, p50, p90, mean = (np.zeros(shape) for _ in range(4))
    rows = np.arange(n, dtype=np.int64)
    origins = np.full(n, origin, dtype=np.int64)
    tomorrow = None
    if method == "served":
        serve_selection(conn, model, panel, origin, as_of + timedelta(days=1))
    elif method == "lightgbm":
        # Day 1 (the one today's cards stand on) comes from the single-horizon model the
        # backtest judges; days 2+ from the one multi-horizon model (see the docstring).
        tomorrow = LightGBMForecaster(**{k: v for k, v in (options or {}).items()
                                         if k in ("rounds", "max_rows", "threads", "seed")})
        tomorrow.fit(panel, origin, 1)
        if horizon_days > 1:
            model.fit(panel, origin)
    for h in range(1, horizon_days + 1):
        if method not in ("lightgbm", "served"):
            model.fit(panel, origin, h)
        fc = (tomorrow if h == 1 and tomorrow is not None else model).predict(panel, rows, origins, h)
        j = h - 1
        p50[:, j] = fc.p50
        p10[:, j] = np.minimum(fc.p10, fc.p50)
        p90[:, j] = np.maximum(fc.p90, fc.p50)
        mean[:, j] = fc.mean if fc.mean is not None else fc.p50
    keys = [(int(s), int(k)) for s, k in zip(panel.store, panel.sku, strict=True)]
    chosen = {}
    if method == "served":
        stores = np.unique(panel.store, return_index=True)
        chosen = {int(s): model.choice.get(int(panel.store_code[i]), "seasonal_naive") for s, i in zip(*stores, strict=True)}
    return NextForecast(as_of=as_of, days=days, keys=keys, p10=p10, p50=p50, p90=p90, mean=mean,
                        method=method, context=store_context(conn, sorted({s for s, _ in keys}), days, panel),
                        chosen=chosen)


SELECTION_DAYS = 7  # a store's selection is kept for a week; the other nights only fit its winner


def selection_due(store_id: int, day: date, last: date | None) -> bool:
    """Whether ``store_id`` chooses its method afresh for ``day``.

    Each store re-chooses on its own night of the week (store id modulo 7), so every
    night carries a seventh of the re-choosing instead of one night carrying all of it;
    a store with no choice in the last ``SELECTION_DAYS`` (new, or after a gap) chooses at once.
    """
    if last is None or last <= day - timedelta(days=SELECTION_DAYS):
        return True
    return last < day and store_id % SELECTION_DAYS == day.toordinal() % SELECTION_DAYS


def serve_selection(conn, model, panel, origin: int, day: date) -> bool:
    """Fit ``model`` (a ``selection.Served``) to serve ``day``; True when any store chose afresh.

    Each store keeps the selection made on the latest day ≤ ``day`` (never a later one:
    the backfill runs past days after today's) until ``selection_due``; the stores that
    are due are selected again on their own series only (a sub-panel) and stored, the
    others restored, and only the winners are then fitted on the whole panel.
    """
    from workbench.forecasting.models import ForecastSelection
    from workbench.forecasting.panel import subset

    store_of_code = {int(c): int(s) for c, s in zip(panel.store_code, panel.store, strict=True)}
    rows = conn.execute(select(ForecastSelection.store_id, ForecastSelection.selected_for, ForecastSelection.method,
                               ForecastSelection.shifts, ForecastSelection.scores).where(
        ForecastSelection.store_id.in_(sorted(set(store_of_code.values()))),
        ForecastSelection.selected_for <= day,
        ForecastSelection.selected_for > day - timedelta(days=SELECTION_DAYS))).all()
    latest = {}
    for r in sorted(rows, key=lambda r: r.selected_for):
        latest[r.store_id] = r
    due = {c for c, s in store_of_code.items()
           if selection_due(s, day, latest[s].selected_for if s in latest else None)}
    state = {c: {"method": latest[s].method, "shifts": latest[s].shifts, "scores": latest[s].scores}
             for c, s in store_of_code.items() if c not in due}
    fresh = {}
    if due:
        selector = model.fresh()
        part = panel if len(due) == len(store_of_code) else subset(panel, np.isin(panel.store_code, sorted(due)))
        selector.select(part, origin, 1)  # chosen per store on the 14 days before ``day``
        fresh = {c: v for c, v in selector.state().items() if c in due}
        state.update(fresh)
    model.restore(panel, state)
    model.fit_chosen(panel, origin, 1)
    if not fresh:
        return False
    stores = sorted(store_of_code[c] for c in fresh)
    conn.execute(delete(ForecastSelection).where(ForecastSelection.store_id.in_(stores),
                                                 ForecastSelection.selected_for == day))
    conn.execute(insert(ForecastSelection), [
        {"store_id": store_of_code[c], "selected_for": day, "method": v["method"], "shifts": v["shifts"],
         "scores": v["scores"], "created_at": utcnow()} for c, v in fresh.items()])
    return True


def store_context(conn, store_ids: list[int], days: list[date], panel=None) -> dict[int, list[dict]]:
    """Per store and forecast day: weather (°C, mm), day kind, live stream planned."""
    from workbench.forecasting.daykinds import KIND_CODES, day_kinds

    if not store_ids:
        return {}
    names = {code: name for name, code in KIND_CODES.items()}
    kinds = [names[int(k)] for k in day_kinds(days[0], len(days))]
    city_rows = conn.execute(text("SELECT id, city FROM stores WHERE id IN :ids").bindparams(
        bindparam("ids", expanding=True)).columns(id=Integer(), city=String()), {"ids": store_ids}).all()
    city_of = {r.id: r.city for r in city_rows}
    weather = conn.execute(text(
        "SELECT city, day, temp_high_c, temp_low_c, rain_mm FROM weather "
        "WHERE city IN :cities AND day >= :a AND day <= :b"
    ).bindparams(bindparam("cities", expanding=True)).columns(
        city=String(), day=Date(), temp_high_c=Integer(), temp_low_c=Integer(), rain_mm=Integer()),
        {"cities": sorted(set(city_of.values())) or [""], "a": days[0], "b": days[-1]}).all()
    by = {(r.city, r.day): r for r in weather}
    live = None
    if panel is not None and "live" in panel.exog:
        live = {}
        first_col = panel.n_days - len(days)
        for i, s in enumerate(panel.store):
            live.setdefault(int(s), panel.exog["live"][i, first_col:])
    out: dict[int, list[dict]] = {}
    for sid in store_ids:
        entries = []
        for j, day in enumerate(days):
            w = by.get((city_of.get(sid), day))
            entries.append({
                "day": day,
                "day_kind": kinds[j],
                "temp_high_c": None if w is None else w.temp_high_c,
                "temp_low_c": None if w is None else w.temp_low_c,
                "rain_mm": None if w is None else w.rain_mm / 10.0,  # stored in tenths of a mm
                "live_planned": bool(live[sid][j]) if live is not None and sid in live else False,
            })
        out[sid] = entries
    return out
