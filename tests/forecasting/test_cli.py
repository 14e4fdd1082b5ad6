"""``flask forecast backtest``: exit code 2 and a clear message for bad input, never a traceback."""

from __future__ import annotations

import re

import pytest

from tests.forecasting.synth import generate, write_csv
from workbench.forecasting.cli import forecast_cli

#: Every candidate, then what the product would serve on that data.
METHODS = ["seasonal_naive", "ma28", "ets", "croston", "tsb", "lightgbm", "lgbm_global", "served"]
LINE = re.compile(r"^method=(\w+) wape=\d+\.\d{4} mase=\d+\.\d{4} bias=-?\d+\.\d{4} "
                  r"coverage80=\d\.\d{2} series=\d+ seconds=\d+\.\d$")


@pytest.fixture
def cli(app):
    app.cli.add_command(forecast_cli)  # the lead registers it in register_cli
    runner = app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=["forecast", "backtest", *args])

    return invoke


@pytest.mark.parametrize(("text", "message"), [
    ("", "the file is empty"),
    ("store,sku,date,qty\n", "the header lacks column(s) store_id, sku_id, units"),
    ("store_id,sku_id,date,units\ns1,a,2026-05-01,1\ns1,a,2026-05-0x,1\n", "line 3: bad date '2026-05-0x'"),
    ("store_id,sku_id,date,units\ns1,a,2026-05-01,one\n", "line 2: units 'one' is not a number"),
    ("store_id,sku_id,date,units\ns1,a,2026-05-01,1\n", "needs at least 42 days"),
])
def test_bad_files_exit_2_with_a_message(cli, tmp_path, text, message):
    path = tmp_path / "in.csv"
    path.write_text(text)
    result = cli("--csv", str(path))
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_missing_file_and_bad_options(cli, tmp_path):
    result = cli("--csv", str(tmp_path / "missing.csv"))
    assert result.exit_code == 2 and "cannot open" in result.stderr
    result = cli("--csv", str(tmp_path / "missing.csv"), "--horizon", "0")
    assert result.exit_code == 2 and "--horizon must be at least 1" in result.stderr


def test_empty_database_exits_2(cli):
    result = cli()
    assert result.exit_code == 2
    assert "no sales" in result.stderr


def test_csv_backtest_prints_one_line_per_method_last(cli, tmp_path):
    rows = generate(stores=2, skus=4, days=70, seed=2, late_share=0.5, dense=False)
    path = write_csv(tmp_path / "s.csv", rows, columns=("date", "units", "sku_id", "store_id"))
    result = cli("--csv", str(path), "--holdout-days", "14", "--horizon", "2")
    assert result.exit_code == 0, result.stderr
    last = result.output.strip().splitlines()[-len(METHODS):]
    assert [LINE.match(line).group(1) for line in last] == METHODS
    assert all("series=8 " in line for line in last)


def test_database_backtest_records_one_run_per_method(cli, db, tmp_path):
    from datetime import date

    from sqlalchemy import func, select

    from workbench.demo.generate import SeedParams
    from workbench.demo.seed import seed
    from workbench.forecasting.models import BacktestRun

    seed(SeedParams.build(end_date=date(2026, 11, 20), stores=2, members=800, days=60, seed=4))
    result = cli("--holdout-days", "7")
    assert result.exit_code == 0, result.stderr
    last = result.output.strip().splitlines()[-len(METHODS):]
    assert [LINE.match(line).group(1) for line in last] == METHODS
    runs = db.session.scalars(select(BacktestRun).order_by(BacktestRun.id)).all()
    assert [r.method for r in runs] == METHODS
    assert {(r.source, r.horizon, r.holdout_days) for r in runs} == {("database", 1, 7)}
    assert all(r.series > 0 and r.wape is not None and r.seconds >= 0 for r in runs)
    assert len({r.ran_at for r in runs}) == 1
    # A CSV backtest records nothing.
    rows = generate(stores=1, skus=2, days=50, seed=1)
    cli("--csv", str(write_csv(tmp_path / "c.csv", rows)), "--holdout-days", "7")
    assert db.session.scalar(select(func.count()).select_from(BacktestRun)) == len(METHODS)
