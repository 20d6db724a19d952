"""`flask --app wsgi reminders send`: the day-before reminders, for cron or a systemd timer."""
from __future__ import annotations

import click

from app.sessions import bp
from app.sessions.reminders import send_due_reminders


@bp.cli.group("reminders")
def reminders_group() -> None:
    """Reminders of sessions."""


@reminders_group.command("send")
def send_command() -> None:
    """Queue a reminder for everyone in a session that starts by the end of tomorrow.

    Idempotent: a reminder already queued for a person and a session is not queued again.
    """
    count = send_due_reminders()
    click.echo(f"Đã xếp {count} lời nhắc vào hàng gửi.")
