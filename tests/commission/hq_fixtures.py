"""A settled October for HQ's pages: stores A, B (region 1) and C (region 2) closed, disputes open.

Imported by the HQ commission tests (``from tests.commission.hq_fixtures import settled``).
The pages run at ``NOW`` (20 November 2026, Shanghai): October is closed, November running.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from tests.commission.conftest import at
from workbench.commission import lifecycle
from workbench.commission.statements import close_period, statement_of
from workbench.models import CommissionDispute, CommissionStatement, StatementLine

OCT, NOV, SEP = "2026-10", "2026-11", "2026-09"
NOW = at(date(2026, 11, 20), 10)
CLOSED_AT = at(date(2026, 11, 1), 2)


@dataclass
class Settled:
    ledger: object
    statements: dict[str, CommissionStatement]  # by store letter
    disputes: dict[str, CommissionDispute]  # one open dispute on A's and C's first line

    def line(self, letter: str) -> StatementLine:
        return self.ledger.session.get(StatementLine, self.disputes[letter].line_id)


def build_settled(ledger, *, disputes: bool = True) -> Settled:
    session, world = ledger.session, ledger.world
    ledger.version(date(2026, 1, 1))
    for sw in (world.b, world.c):
        sw.store.commission_plan_id = ledger.plan.id
    session.flush()
    amounts = {"a": (1_500_000, 800_000), "b": (300_000, 20_000), "c": (120_000,)}
    for letter, fens in amounts.items():
        sw = getattr(world, letter)
        for i, fen in enumerate(fens):
            ledger.pickup(date(2026, 10, 3 + i * 5), fen, store=sw)
    close_period(session, OCT, CLOSED_AT)
    session.commit()
    statements = {k: statement_of(session, getattr(world, k).store.id, OCT) for k in "abc"}
    opened = {}
    if disputes:
        for letter in ("a", "c"):
            sw = getattr(world, letter)
            first = session.scalars(StatementLine.__table__.select().where(
                StatementLine.statement_id == statements[letter].id).order_by(StatementLine.id)).first()
            opened[letter] = lifecycle.open_dispute(session, sw.store.id, first, "少算了一单", sw.owner.id,
                                                    at(date(2026, 11, 3)))
        session.commit()
    return Settled(ledger, statements, opened)


@pytest.fixture
def settled(ledger, monkeypatch):
    """October closed for A, B, C with a dispute open on A and C; the HQ views run at ``NOW``."""
    monkeypatch.setattr("workbench.commission.hq_views.utcnow", lambda: NOW)
    return build_settled(ledger)
