"""A synthetic long-format sales generator with a known process, for tests and benches.

Demand of series i on day t: level_i × weekday_factor(t) × (1 + promo_lift × promo_it)
× (1 + talk effect), drawn as Poisson counts (or Gamma kilograms for "kg" series).
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np

WEEKDAY = np.array([0.8, 0.8, 0.9, 0.9, 1.1, 1.5, 1.4])


def generate(
    stores: int = 3,
    skus: int = 10,
    days: int = 120,
    start: date = date(2026, 6, 1),
    seed: int = 0,
    promo_rate: float = 0.12,
    promo_lift: float = 1.5,
    late_share: float = 0.2,
    kg_share: float = 0.0,
    dense: bool = True,
    level_mult: float = 1.0,
):
    """Return (rows, truth): rows are dicts of the CSV columns, truth the expected units."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(stores):
        for k in range(skus):
            level = (rng.gamma(2.0, 3.0) + 0.3) * level_mult
            first = int(rng.integers(10, days // 2)) if rng.random() < late_share else 0
            kg = rng.random() < kg_share
            promo = rng.random(days) < promo_rate
            for t in range(first, days):
                day = start + timedelta(days=t)
                mean = level * WEEKDAY[day.weekday()] * (1 + promo_lift * promo[t])
                units = rng.gamma(4.0, mean / 4.0) if kg else float(rng.poisson(mean))
                if units == 0 and not dense:
                    continue
                rows.append({
                    "store_id": f"S{s:03d}", "sku_id": f"P{k:04d}", "date": day.isoformat(),
                    "units": round(units, 3), "price": 10.0 * (0.7 if promo[t] else 1.0),
                    "on_promo": int(promo[t]),
                })
    return rows


def write_csv(path: Path, rows: list[dict], columns=("store_id", "sku_id", "date", "units", "price", "on_promo")) -> Path:
    """Write rows with the given columns (in that order) and return the path."""
    with Path(path).open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return Path(path)
