"""One LightGBM thread in unit tests: the machine's cores are shared, and two threads
contending with other processes make small trainings several times slower."""

import pytest


@pytest.fixture(autouse=True)
def _one_lightgbm_thread(monkeypatch):
    monkeypatch.setenv("FORECAST_THREADS", "1")
