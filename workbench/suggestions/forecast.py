"""The forecasts cards stand on: the forecasting package's ``forecast_next``, per store,
with cold-start fallbacks (community-profile and category averages) where it has none.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import date, timedelta

from workbench.forecasting.api import NextForecast, forecast_next

log = logging.getLogger(__name__)

DEFAULT_METHOD = "served"
FALLBACK_METHOD = "ma28"
HORIZON_DAYS = 7
Z90 = 1.2816  # standard normal 90 % quantile


@dataclass
class SeriesForecast:
    """P10/P50/P90/mean for the card day and the days after it (index 0 = card day)."""

    p10: list[float]
    p50: list[float]
    p90: list[float]
    mean: list[float]
    source: str  # the model name, or "profile" / "category" for a cold start

    @property
    def cold_start(self) -> bool:
        return self.source in ("profile", "category")


def compute_forecasts(session, store_ids: list[int] | None, day: date, method: str = DEFAULT_METHOD,
                      horizon_days: int = HORIZON_DAYS) -> NextForecast | None:
    """Forecasts of day … day + horizon − 1 (history up to the day before); None when no store has sales.

    A failing model falls back to the 28-day moving average, so one bad night of the
    model still gives the owners their cards (the card's ``model`` says which ran).
    """
    as_of = day - timedelta(days=1)
    try:
        return forecast_next(session, store_ids, as_of, horizon_days, method=method)
    except Exception as exc:
        session.rollback()
        if method != FALLBACK_METHOD:
            # The model failed (or had too little data for its features): the baseline
            # decides whether there is anything to forecast at all.
            log.warning("forecast method %s failed for stores %s on %s (%s); falling back to %s",
                        method, store_ids, day, exc, FALLBACK_METHOD)
            return compute_forecasts(session, store_ids, day, FALLBACK_METHOD, horizon_days)
        if isinstance(exc, ValueError):  # no sales (or too little history) in these stores
            log.info("no forecast for stores %s on %s: %s", store_ids, day, exc)
            return None
        raise


def store_series(forecasts: NextForecast | None, store_id: int, day: date) -> dict[int, SeriesForecast]:
    """product id → the store's forecast from ``day`` on (empty when none)."""
    if forecasts is None:
        return {}
    j0 = (day - forecasts.as_of).days - 1
    if j0 < 0 or j0 >= len(forecasts.days):
        return {}
    out = {}
    for i in forecasts.for_store(store_id):
        product = forecasts.keys[int(i)][1]
        out[product] = SeriesForecast(
            p10=forecasts.p10[i, j0:].tolist(), p50=forecasts.p50[i, j0:].tolist(),
            p90=forecasts.p90[i, j0:].tolist(), mean=forecasts.mean[i, j0:].tolist(),
            source=forecasts.method_of(store_id))
    return out


def average_series(daily: float, days: int, source: str) -> SeriesForecast:
    """A flat forecast from an average rate, with a Poisson-like P10–P90 band (normal approximation)."""
    m = max(float(daily), 0.0)
    half = Z90 * math.sqrt(m)
    return SeriesForecast(p10=[max(m - half, 0.0)] * days, p50=[m] * days, p90=[m + half] * days,
                          mean=[m] * days, source=source)
