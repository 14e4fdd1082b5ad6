"""Demand forecasting: dense daily panels, baselines, a global LightGBM model, backtests.

Everything here is pure Python + numpy (+ LightGBM): no Flask imports, except in
``cli.py``, so the nightly job, the CLI and the tests all call the same functions.
"""

from workbench.forecasting.panel import Panel, panel_from_long

__all__ = ["Panel", "panel_from_long"]
