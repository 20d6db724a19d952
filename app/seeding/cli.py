"""`flask --app wsgi seed-demo`, `demo-logins` and `seed-scale`.

The generators are imported inside the commands, so that starting the app (or any other
command) does not load them.
"""
from __future__ import annotations

import click
from sqlalchemy import select

from app.extensions import db
from app.models import Ward
from app.seeding import bp
from app.seeding.profiles import PROFILES


@bp.cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no ward yet.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo wards, catalogue, targets, accounts and activity (idempotent)."""
    from app.seeding.demo import seed_demo

    if if_empty and db.session.scalar(select(Ward.id).limit(1)) is not None:
        click.echo("Cơ sở dữ liệu đã có dữ liệu; bỏ qua dữ liệu demo.")
        return
    seed_demo()
    click.echo("Đã nạp dữ liệu demo.")


@bp.cli.command("demo-logins")
def demo_logins_command() -> None:
    """Print the demo accounts."""
    from app.seeding.demo import demo_logins_text

    click.echo(demo_logins_text())


@bp.cli.command("seed-scale")
@click.option("--profile", type=click.Choice(list(PROFILES)), default="district",
              show_default=True,
              help="How much data: tiny (tests), district, city (10×), or ward (one ward "
                   "with 2,000 requests waiting and 500 volunteers).")
@click.option("--seed", type=int, default=2026, show_default=True,
              help="Seed of the random generator: the same seed gives the same data.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day the data ends on (default: today in Asia/Ho_Chi_Minh).")
@click.option("--force", is_flag=True,
              help="Delete EVERY row of the database first if it already holds data.")
def seed_scale_command(profile: str, seed: int, today, force: bool) -> None:
    """Generate realistic data at district or city scale, in bulk (for benchmarks)."""
    from app.phone import display_phone
    from app.seeding.scale import DatabaseNotEmpty, seed_scale

    click.echo(f"Đang tạo dữ liệu quy mô '{profile}' ({db.engine.dialect.name})…")
    try:
        report = seed_scale(profile, seed=seed, today=today.date() if today else None,
                            force=force, echo=click.echo)
    except DatabaseNotEmpty:
        raise click.ClickException(
            "Cơ sở dữ liệu đã có dữ liệu. Dùng --force để XÓA TOÀN BỘ rồi tạo lại.") from None
    rows = sum(report.counts.values())
    click.echo(f"Xong sau {report.seconds:.1f} s: {rows:,} dòng.")
    for table, count in sorted(report.counts.items()):
        click.echo(f"  {table:<18} {count:>12,}")
    click.echo(f"Tài khoản để đo (mật khẩu chung: {report.password}):")
    for phone, name, desc in report.accounts:
        click.echo(f"  {display_phone(phone):<14} {name:<20} {desc}")
