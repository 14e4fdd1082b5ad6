"""Found by the property test: a plan whose second tier pays less than its first, over a
category rate of 0, rated a ¥2.50 sale at −5 % (−¥0.13). A sale never earns a negative
commission; in either tier mode the rate stops at 0."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from workbench.commission.rules import RateBook, Sale, rate_month

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("mode", ["whole", "marginal"])
def test_a_sale_never_earns_a_negative_commission(mode):
    book = RateBook(effective_from=date(2026, 1, 1), tier_mode=mode, after_sales_days=7,
                    tiers=((0, 500), (1, 0)), category_bp={1: 0})
    sale = Sale(1, datetime(2026, 11, 1, tzinfo=UTC), date(2026, 11, 1), 250, 1, 100, None)
    [line] = rate_month([sale], lambda day: book)
    assert line.commission_fen == 0 and line.rate_bp == 0
