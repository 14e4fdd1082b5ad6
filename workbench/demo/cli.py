"""``flask demo seed``: a brand with stores that behave like real ones."""

from __future__ import annotations

import sys
from datetime import timedelta

import click
from flask.cli import AppGroup
from tqdm import tqdm

from workbench.demo import process
from workbench.demo.generate import STEPS, SeedParams
from workbench.demo.seed import DataExists, has_stores, reset_database, seed
from workbench.formatting import local_today

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("seed")
@click.option("--stores", type=click.IntRange(1, 999), help="Stores (default 24; 200 with --preset large).")
@click.option("--members", type=click.IntRange(1), help="Members (default ≈333 a store, 500 a store at 200 stores).")
@click.option("--days", type=click.IntRange(7, 1000), help=f"Days of history (default {process.DEFAULT_DAYS}).")
@click.option("--seed", "seed_value", type=int, help=f"Random seed (default {process.DEFAULT_SEED}).")
@click.option("--end-date", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Last day of history, YYYY-MM-DD (default: yesterday in Asia/Shanghai).")
@click.option("--preset", type=click.Choice(sorted(process.PRESETS)), default="default", show_default=True,
              help="large = 200 stores, 100k members, over 2M order lines.")
@click.option("--if-empty", is_flag=True, help="Seed only when there are no stores; otherwise do nothing.")
@click.option("--reset", is_flag=True, help="Delete ALL existing data first.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def seed_command(stores, members, days, seed_value, end_date, preset, if_empty, reset, quiet):
    """Generate the demo brand (deterministic for --seed and --end-date) and print the logins."""
    if if_empty and has_stores():
        click.echo("Demo data already exists (the database has stores); not seeding.")
        return
    end = end_date.date() if end_date else local_today() - timedelta(days=1)
    try:
        params = SeedParams.build(end_date=end, stores=stores, members=members, days=days, seed=seed_value,
                                  preset=preset)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if reset:
        reset_database()

    gen_bar = tqdm(total=params.days + len(STEPS) - 1, desc="generate", unit="step", file=sys.stderr,
                   disable=quiet, leave=False)
    load_bar = None

    def on_generate(label: str, n: int) -> None:
        gen_bar.set_postfix_str(label, refresh=False)
        gen_bar.update(max(n, 1) if label != "orders" else n)

    def on_load(label: str, n: int) -> None:
        nonlocal load_bar
        if load_bar is None:
            gen_bar.close()
            load_bar = tqdm(total=None, desc="load", unit="row", unit_scale=True, file=sys.stderr, disable=quiet)
        load_bar.set_postfix_str(label, refresh=False)
        load_bar.update(n)

    try:
        result = seed(params, on_generate, on_load)
    except DataExists as exc:
        gen_bar.close()
        raise click.ClickException(
            f"the database already has data ({', '.join(exc.tables[:5])}…): "
            "use --if-empty to keep it or --reset to wipe it") from None
    finally:
        gen_bar.close()
        if load_bar is not None:
            load_bar.close()

    counts = result.counts
    click.echo(
        f"Seeded {counts['stores']} stores, {counts['members']:,} members, {params.days} days to "
        f"{params.end_date.isoformat()} (seed {params.seed}): {counts['orders']:,} orders, "
        f"{counts['order_items']:,} order lines, {counts['interactions']:,} interactions "
        f"in {result.generate_seconds + result.load_seconds:.1f} s "
        f"(generate {result.generate_seconds:.1f} s, load {result.load_seconds:.1f} s)."
    )
    click.echo("Demo logins (username, phone, password):")
    for login in result.dataset.logins:
        where = login.store or login.name
        click.echo(f"  {login.role:<8} {login.username:<10} {login.phone or '-':<12} {login.password:<12} {where}")
