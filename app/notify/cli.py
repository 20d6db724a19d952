"""`flask --app wsgi outbox deliver` (for a timer) and `flask --app wsgi outbox worker` (RQ)."""
from __future__ import annotations

import time

import click
from flask import current_app

from app.notify import bp


@bp.cli.group("outbox")
def outbox() -> None:
    """Deliver the notification outbox."""


@outbox.command("deliver")
@click.option("--limit", default=500, show_default=True, help="At most this many messages.")
@click.option("--loop", "interval", type=int, default=0,
              help="Keep running, every N seconds (0: run once and exit).")
def deliver_command(limit: int, interval: int) -> None:
    """Send the messages that are due; several runs at once never send one twice."""
    from app.extensions import db
    from app.notify.delivery import deliver_due

    while True:
        report = deliver_due(limit=limit)
        db.session.remove()
        click.echo(f"outbox: {report}")
        if not interval:
            return
        time.sleep(interval)


@outbox.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run the RQ worker that delivers within seconds of each change (needs REDIS_URL)."""
    from app.notify.queue import run_worker

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set; use `flask outbox deliver` instead.")
    run_worker(current_app._get_current_object(), burst=burst)
