"""`flask --app wsgi coverage-snapshot` and `flask --app wsgi coverage-progress`."""
from __future__ import annotations

import click

from app.coverage import bp


@bp.cli.command("coverage-snapshot")
def snapshot_command() -> None:
    """Count the whole installation's roll-up now (run it from cron every few minutes)."""
    from app.coverage import areas
    from app.coverage.snapshots import SNAPSHOT_LEVELS, compute
    from app.extensions import db

    for level in SNAPSHOT_LEVELS:
        area = areas.Area(level, None, level, None)
        snapshot = compute(area)
        db.session.commit()
        click.echo(f"{level}: {snapshot.seconds:.2f} s")


@bp.cli.command("coverage-progress")
@click.option("--rebuild", is_flag=True, help="Rewrite every resident's row from the outcomes.")
def progress_command(rebuild: bool) -> None:
    """Check that resident_progress says what the outcomes say (or rewrite it)."""
    from app.coverage import progress
    from app.extensions import db

    if rebuild:
        progress.rebuild(db.session.connection())
        db.session.commit()
        click.echo("Đã tính lại tiến độ của mọi người dân.")
    wrong = progress.differences(db.session.connection())
    click.echo(f"Số người dân có tiến độ sai lệch: {wrong}")
    if wrong:
        raise SystemExit(1)
