"""``flask outbox send``: send what is due now, without a worker (cron, or by hand)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

outbox_cli = AppGroup("outbox", help="Member messages (到货提醒, one-time codes).")


@outbox_cli.command("send")
@click.option("--limit", type=click.IntRange(min=1), default=500, show_default=True,
              help="Messages per batch (each batch is one transaction).")
def send_command(limit: int) -> None:
    """Send every due message, then print how many were sent, skipped and failed."""
    from workbench.extensions import db
    from workbench.outbox.sender import send_all_due

    result = send_all_due(db.session, batch=limit)
    click.echo(result.line())
