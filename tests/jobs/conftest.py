"""Fixtures for the job tests: the commission ledger (a store with statements to print)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.commission.conftest import Ledger, at, ledger  # noqa: F401  (the fixture, shared)
from tests.conftest import login
from workbench.commission.statements import close_period

OCT = "2026-10"


@pytest.fixture
def closed_october(ledger):  # noqa: F811
    ledger.version(date(2026, 1, 1))
    ledger.pickup(date(2026, 10, 3), 1_500_000)
    close_period(ledger.session, OCT, at(date(2026, 11, 1), 2), [ledger.store.id])
    ledger.session.commit()
    return ledger


@pytest.fixture
def owner_a(app, ledger):  # noqa: F811
    return login(app.test_client(), ledger.world.a.owner)
