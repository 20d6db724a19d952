"""`flask --app wsgi seed-demo` and `flask --app wsgi demo-logins`."""
from __future__ import annotations

import click
from sqlalchemy import select

from app.admin import bp
from app.admin.demo import demo_logins_text, seed_demo
from app.extensions import db
from app.models import Ward


@bp.cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no ward yet.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo wards, catalogue, targets, accounts and activity (idempotent)."""
    if if_empty and db.session.scalar(select(Ward.id).limit(1)) is not None:
        click.echo("Cơ sở dữ liệu đã có dữ liệu; bỏ qua dữ liệu demo.")
        return
    seed_demo()
    click.echo("Đã nạp dữ liệu demo.")


@bp.cli.command("demo-logins")
def demo_logins_command() -> None:
    """Print the demo accounts."""
    click.echo(demo_logins_text())
