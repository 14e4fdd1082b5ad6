"""``flask bundles mine``: association rules from any basket file."""

from __future__ import annotations

import sys
import time

import click
from flask.cli import AppGroup

bundles_cli = AppGroup("bundles", help="Items bought together (association rules).")


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def rule_line(rule) -> str:
    """One rule as ``{a, b} → c  support=… confidence=… lift=… count=…``."""
    antecedent = ", ".join(str(item) for item in rule.antecedent)
    return (f"{{{antecedent}}} → {rule.consequent}  support={rule.support:.4f} "
            f"confidence={rule.confidence:.4f} lift={rule.lift:.4f} count={rule.count}")


@bundles_cli.command("mine")
@click.option("--csv", "csv_path", required=True, type=click.Path(dir_okay=False),
              help="One basket per line (items separated by commas), "
                   "or long format with a header basket_id,item.")
@click.option("--min-support", type=float, required=True,
              help="Least share of baskets holding an itemset, in (0, 1].")
@click.option("--min-confidence", type=float, required=True,
              help="Least share of the antecedent's baskets that also hold the consequent, in (0, 1].")
@click.option("--max-len", type=int, default=3, show_default=True, help="Most items in an itemset.")
@click.option("--top", type=int, default=20, show_default=True, help="Rules to print, best lift first.")
def mine_command(csv_path: str, min_support: float, min_confidence: float, max_len: int, top: int) -> None:
    """Mine frequent itemsets and single-consequent rules; print the top rules and a summary."""
    from workbench.bundles.apriori import mine
    from workbench.bundles.baskets import BasketFileError, read_basket_file

    started = time.perf_counter()
    if not 0 < min_support <= 1:
        _fail(f"--min-support must be in (0, 1], got {min_support}")
    if not 0 < min_confidence <= 1:
        _fail(f"--min-confidence must be in (0, 1], got {min_confidence}")
    if max_len < 1:
        _fail(f"--max-len must be at least 1, got {max_len}")
    if top < 0:
        _fail(f"--top must be 0 or more, got {top}")
    try:
        baskets = read_basket_file(csv_path)
        result = mine(baskets, min_support, min_confidence, max_len)
    except BasketFileError as exc:
        _fail(f"{csv_path}: {exc}")
    except OSError as exc:
        _fail(f"cannot read {csv_path}: {exc.strerror or exc}")
    except MemoryError:
        _fail("not enough memory for this file; try a higher --min-support or a lower --max-len")
    for rule in result.rules[:top]:
        click.echo(rule_line(rule))
    seconds = time.perf_counter() - started
    click.echo(f"rules={len(result.rules)} itemsets={len(result.itemsets)} seconds={seconds:.1f}")
