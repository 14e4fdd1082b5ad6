"""The served path (selection + forecast) reads nothing on or after the origin.

Every sales value on and after the origin is replaced by garbage (large random numbers);
the selection (winner, scores, interval shifts) and the served P10/P50/P90/mean for
each forecast day must come out exactly the same. What is known in advance (the
calendar, planned promotions, ``alive``) is left as it is.
"""

from __future__ import annotations

import numpy as np
import pytest

from workbench.forecasting import panels
from workbench.forecasting.api import nightly_candidates
from workbench.forecasting.selection import Served

HORIZON = 3
FAST = {"rounds": 20, "max_rows": 20_000}


def _served(panel, origin):
    model = Served(nightly_candidates(HORIZON, FAST))
    model.fit(panel, origin, 1)
    rows = np.arange(panel.n_series)
    origins = np.full(panel.n_series, origin)
    out = [model.predict(panel, rows, origins, h) for h in range(1, HORIZON + 1)]
    return model, out


@pytest.mark.parametrize("make", [panels.promotion, panels.sparse_spikes], ids=["promotion", "sparse"])
def test_poisoning_the_future_changes_nothing(make):
    panel = make(series=40, stores=2)
    origin = panel.n_days - HORIZON
    model, clean = _served(panel, origin)

    poisoned = make(series=40, stores=2)
    rng = np.random.default_rng(99)
    future = poisoned.units[:, origin:]
    poisoned.units[:, origin:] = np.where(poisoned.alive[:, origin:], rng.integers(500, 5000, future.shape), 0.0)
    assert not np.array_equal(poisoned.units, panel.units)  # the poison is there
    model2, dirty = _served(poisoned, origin)

    assert model2.choice == model.choice
    assert model2.shifts == model.shifts
    assert model2.scores == model.scores
    for a, b in zip(clean, dirty, strict=True):
        for field in ("p10", "p50", "p90", "mean"):
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field))


def test_a_restored_selection_serves_what_the_fresh_one_did():
    panel = panels.promotion(series=40, stores=2)
    origin = panel.n_days - HORIZON
    model, fresh = _served(panel, origin)
    again = Served(nightly_candidates(HORIZON, FAST))
    again.restore(panel, model.state())
    again.fit_chosen(panel, origin, 1)
    rows, origins = np.arange(panel.n_series), np.full(panel.n_series, origin)
    for h, a in enumerate(fresh, start=1):
        b = again.predict(panel, rows, origins, h)
        np.testing.assert_allclose(b.mean, a.mean)
        np.testing.assert_allclose(b.p90, a.p90)
