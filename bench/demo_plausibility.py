"""Plausibility of the demo brand: the figures a real 社区团购 store would show.

Generates the brand in memory (no database) and prints ``name: value`` lines; the
plausibility tests (tests/demo/test_plausibility.py) assert the same figures on a
smaller brand. Usage: ``.venv/bin/python bench/demo_plausibility.py [--preset large]``.
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from workbench.demo.generate import EPOCH, SeedParams, generate
from workbench.demo.plausibility import measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="default", choices=("default", "large"))
    parser.add_argument("--end-date", default="2026-12-05")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    params = SeedParams.build(end_date=date.fromisoformat(args.end_date), preset=args.preset, seed=args.seed)
    t0 = time.perf_counter()
    ds = generate(params)
    print(f"generate_seconds: {time.perf_counter() - t0:.1f}")
    fig = measure(ds.tables, (params.start_date - EPOCH).days, params.days)
    for line in fig.lines():
        print(line)
    print("line_units_p99_by_category: " + " ".join(f"{k}={v:.0f}" for k, v in sorted(fig.line_units_p99.items())))


if __name__ == "__main__":
    main()
