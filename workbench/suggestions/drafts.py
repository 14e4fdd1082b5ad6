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
