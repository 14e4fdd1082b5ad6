"""The CSV reader: dense panels from long rows, and every kind of bad input."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from workbench.forecasting.csvio import InputError, read_csv


def write(tmp_path, text: str, name: str = "sales.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_any_header_order_ignores_extra_columns_and_keeps_fractional_negative_units(tmp_path):
    path = write(tmp_path, "\ufeffnote,units,date,sku_id,store_id\n"
                           "x,1.5,2026-05-01,apple,s1\n"
                           "y,-0.5,2026-05-02,apple,s1\n"
                           "z,2,2026-05-02,apple,s1\n")  # same day twice: summed
    panel = read_csv(path)
    assert panel.start == date(2026, 5, 1)
    assert list(panel.store) == ["s1"] and list(panel.sku) == ["apple"]
    assert panel.units.tolist() == [[1.5, 1.5]]
    assert panel.price is None and panel.on_promo is None


def test_missing_dates_are_zero_sales_and_days_before_a_late_start_are_masked(tmp_path):
    path = write(tmp_path, "store_id,sku_id,date,units\n"
                           "s1,a,2026-05-01,3\n"
                           "s1,a,2026-05-04,1\n"
                           "s1,b,2026-05-03,2\n"
                           "s2,a,2026-05-02,5\n")
    panel = read_csv(path)
    assert panel.n_days == 4
    keys = list(zip(panel.store, panel.sku, strict=True))
    assert keys == [("s1", "a"), ("s1", "b"), ("s2", "a")]
    assert panel.units.tolist() == [[3, 0, 0, 1], [0, 0, 2, 0], [0, 5, 0, 0]]
    assert panel.alive.tolist() == [[True] * 4, [False, False, True, True], [False, True, True, True]]
    assert list(panel.first_alive()) == [0, 2, 1]


def test_optional_price_and_promo_columns(tmp_path):
    path = write(tmp_path, "store_id,sku_id,date,units,price,on_promo\n"
                           "s1,a,2026-05-01,3,9.9,1\n"
                           "s1,a,2026-05-02,0,,false\n"
                           "s1,a,2026-05-03,1,12,\n")
    panel = read_csv(path)
    np.testing.assert_array_equal(panel.price[0], [9.9, np.nan, 12.0])
    np.testing.assert_array_equal(panel.on_promo[0], [1.0, 0.0, np.nan])
    assert panel.covariates_ahead.tolist() == [True]  # a row for every day


@pytest.mark.parametrize(("body", "expected"), [
    ("s1,a,2026-13-01,1\n", "line 2: bad date '2026-13-01'"),
    ("s1,a,01/05/2026,1\n", "line 2: bad date '01/05/2026'"),
    ("s1,a,2026-05-01,1\ns1,a,2026-05-02,lots\n", "line 3: units 'lots' is not a number"),
    ("s1,a,2026-05-01,nan\n", "line 2: units 'nan' is not a number"),
    ("s1,a,2026-05-01,\n", "line 2: units '' is not a number"),
    ("s1,a,2026-05-01\n", "line 2: expected at least 4 fields, found 3"),
    (",a,2026-05-01,1\n", "line 2: store_id is empty"),
    ("s1,,2026-05-01,1\n", "line 2: sku_id is empty"),
])
def test_bad_rows_name_the_line_and_the_problem(tmp_path, body, expected):
    path = write(tmp_path, "store_id,sku_id,date,units\n" + body)
    with pytest.raises(InputError) as err:
        read_csv(path)
    assert expected in str(err.value)


def test_bad_optional_values(tmp_path):
    path = write(tmp_path, "store_id,sku_id,date,units,price,on_promo\n"
                           "s1,a,2026-05-01,1,abc,0\n"
                           "s1,a,2026-05-02,1,-3,0\n"
                           "s1,a,2026-05-03,1,3,maybe\n")
    with pytest.raises(InputError) as err:
        read_csv(path)
    message = str(err.value)
    assert "3 bad line(s)" in message
    assert "line 2: price 'abc' is not a number" in message
    assert "line 3: price '-3' is negative" in message
    assert "line 4: on_promo 'maybe' is not 0/1/true/false" in message


def test_many_bad_rows_are_summarised(tmp_path):
    path = write(tmp_path, "store_id,sku_id,date,units\n" + "s1,a,2026-05-01,x\n" * 25)
    message = str(pytest.raises(InputError, read_csv, path).value)
    assert "25 bad line(s)" in message and "line 11:" in message and "line 12:" not in message
    assert "and 15 more" in message


@pytest.mark.parametrize(("text", "expected"), [
    ("", "the file is empty"),
    ("\n", "the file is empty"),
    ("store,sku,day,qty\ns1,a,2026-05-01,1\n", "line 1: the header lacks column(s) store_id, sku_id, date, units"),
    ("store_id,sku_id,date\n", "the header lacks column(s) units"),
    ("store_id,sku_id,date,units\n", "no data rows"),
])
def test_empty_or_wrong_files(tmp_path, text, expected):
    with pytest.raises(InputError) as err:
        read_csv(write(tmp_path, text))
    assert expected in str(err.value)


def test_missing_file_and_binary_file(tmp_path):
    assert "cannot open" in str(pytest.raises(InputError, read_csv, tmp_path / "nope.csv").value)
    path = tmp_path / "bin.csv"
    path.write_bytes(b"\xff\xfe\x00\x81garbage")
    assert "UTF-8" in str(pytest.raises(InputError, read_csv, path).value)
