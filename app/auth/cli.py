"""`flask --app wsgi create-admin`."""
from __future__ import annotations

import click

from app.auth import bp, services
from app.extensions import db
from app.models import Role
from app.phone import InvalidPhone, normalize_phone
from app.refusal import Refusal


@bp.cli.command("create-admin")
@click.option("--phone", prompt="Số điện thoại", help="Vietnamese mobile number")
@click.option("--name", prompt="Họ và tên", help="Full name")
@click.password_option(help="At least 8 characters")
def create_admin(phone: str, name: str, password: str) -> None:
    """Create an administrator account."""
    try:
        e164 = normalize_phone(phone)
    except InvalidPhone as exc:
        raise click.BadParameter("số điện thoại di động chưa đúng", param_hint="--phone") from exc
    if len(password) < 8:
        raise click.BadParameter("mật khẩu cần ít nhất 8 ký tự", param_hint="--password")
    try:
        services.create_user(e164, name, password, roles=[(Role.ADMIN, None)])
    except Refusal as exc:
        raise click.ClickException("Số điện thoại này đã có tài khoản.") from exc
    db.session.commit()
    click.echo(f"Đã tạo quản trị viên {name} ({e164}).")
