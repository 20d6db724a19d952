"""The notification outbox and its channels."""
from flask import Blueprint

bp = Blueprint("notify", __name__, cli_group=None)


@bp.record_once
def _install_commit_hook(_state) -> None:
    from app.notify.queue import install_commit_hook

    install_commit_hook()


from app.notify import cli, routes  # noqa: E402,F401
