"""The statement's state machine without a database: which states take which action."""

from __future__ import annotations

from datetime import date

import pytest

from workbench.commission.models import StatementStatus as S
from workbench.commission.states import (
    CLOSED_STATES,
    FINAL_STATES,
    CloseRefused,
    can_adjust,
    can_dispute,
    line_status,
    refuse_running,
)


def test_adjustments_stop_and_disputes_only_run_where_the_states_say():
    assert [s for s in S if can_adjust(s)] == [S.OPEN, S.CLOSED]
    assert can_adjust(None)  # no statement yet: the month is running
    assert [s for s in S if can_dispute(s)] == [S.CLOSED]
    assert set(FINAL_STATES) < set(CLOSED_STATES) and S.OPEN not in CLOSED_STATES


def test_a_month_closes_only_once_it_has_ended():
    with pytest.raises(CloseRefused) as exc:
        refuse_running("2026-10", date(2026, 10, 31))
    assert exc.value.reason == "running"
    refuse_running("2026-10", date(2026, 11, 1))


@pytest.mark.parametrize(("status", "payable_on", "expected"), [
    (S.CLOSED, date(2026, 11, 8), "pending"), (S.CONFIRMED, date(2026, 11, 7), "payable"),
    (S.PAID, date(2026, 11, 30), "paid"),
])
def test_a_line_is_pending_then_payable_then_paid(status, payable_on, expected):
    assert line_status(status, payable_on, date(2026, 11, 7)) == expected
