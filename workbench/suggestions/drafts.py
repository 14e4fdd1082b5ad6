"""A card before it is written: what every builder returns and the engine ranks and stores."""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.suggestions.forecast import SeriesForecast


@dataclass
class Draft:
    kind: str
    score: float  # the builder's ranking key, higher first (money in fen where it can be)
    metrics: dict
    reasons: list[dict]
    product_id: int | None = None
    stock_batch_id: int | None = None
    forecast: SeriesForecast | None = None  # its day-0 quantiles go on the card
    cold_start: bool = False
    model: str = ""
    extra: dict = field(default_factory=dict)


def r1(value: float) -> float:
    """One decimal, for numbers shown to the owner and stored in metrics."""
    return round(float(value), 1)


def shown_units(value: float) -> float:
    """Units as the card shows them (one decimal under 10, whole from 10), so figures
    computed from them (sales = units × price) match what the owner reads."""
    v = max(float(value), 0.0)
    return float(round(v)) if v >= 10 else round(v, 1)


def day_ranges(fc: SeriesForecast) -> list[dict]:
    """Each forecast day's mean with a P10–P90 band widened to hold it."""
    out = []
    for a, m, c in zip(fc.p10, fc.mean, fc.p90, strict=True):
        shown = shown_units(m)
        out.append({"mean": shown, "p10": r1(min(a, shown)), "p90": r1(max(c, shown))})
    return out
