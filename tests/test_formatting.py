"""Display formats: money, masked phones, local time, rates and labels."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from workbench.formatting import (
    basis_points,
    iso_date,
    label,
    local_time,
    mask_phone,
    money,
    number,
    percent,
    rain,
    signed_percent,
)


@pytest.mark.parametrize(("fen", "text"), [
    (0, "¥0.00"),
    (5, "¥0.05"),
    (1250, "¥12.50"),
    (123450, "¥1,234.50"),
    (123456789, "¥1,234,567.89"),
    (-1250, "-¥12.50"),
    (None, "—"),
])
def test_money(fen, text):
    assert money(fen) == text


@pytest.mark.parametrize(("phone", "text"), [
    ("13812341234", "138****1234"),
    (" 13812341234 ", "138****1234"),
    ("8613812341234", "861****1234"),
    ("5551234", "****1234"),
    ("", ""),
    (None, ""),
])
def test_mask_phone(phone, text):
    assert mask_phone(phone) == text


def test_local_time_is_shanghai():
    assert local_time(datetime(2026, 11, 22, 16, 30, tzinfo=UTC)) == "2026-11-23 00:30"
    assert local_time(datetime(2026, 11, 22, 1, 5, tzinfo=UTC), "%H:%M") == "09:05"
    # A naive value is taken as UTC, the way the database stores it.
    assert local_time(datetime(2026, 11, 22, 16, 30)) == "2026-11-23 00:30"
    assert local_time(None) == ""


def test_dates_and_numbers():
    assert iso_date(date(2026, 11, 22)) == "2026-11-22"
    assert iso_date(None) == ""
    assert number(12345) == "12,345"
    assert number(None) == "—"
    assert percent(0.25) == "25%"
    assert percent(0.5, 1) == "50.0%"
    assert percent(None) == "—"
    assert signed_percent(0.12) == "+12%"
    assert signed_percent(-0.08) == "-8%"
    assert signed_percent(None) == "—"


@pytest.mark.parametrize(("bp", "text"), [(800, "8%"), (1000, "10%"), (850, "8.5%"), (1025, "10.25%"),
                                          (805, "8.05%"), (0, "0%"), (None, "—")])
def test_basis_points(bp, text):
    assert basis_points(bp) == text


def test_rain_grades():
    """Pure logic: no app, so Flask-Babel gives the English msgids."""
    assert rain(0) == "No rain"
    assert rain(99) == "Light rain"  # 9.9 mm
    assert rain(100) == "Moderate rain"
    assert rain(250) == "Heavy rain"
    assert rain(500) == "Rainstorm"
    assert rain(None) == "—"


def test_label_falls_back_to_the_value():
    assert label("arrived", "order_status") == "Ready for pickup"
    assert label("unknown", "order_status") == "unknown"
    assert label(None, "profile") == ""


def test_filters_registered(app):
    for name in ("money", "mask_phone", "local_time", "iso_date", "percent", "basis_points", "number",
                 "signed_percent", "weekday", "rain", "label"):
        assert name in app.jinja_env.filters
    assert "html_lang" in app.jinja_env.globals
