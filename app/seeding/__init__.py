"""Seeding: the demo data (`seed-demo`, `demo-logins`) and data at district or city scale for
benchmarks (`seed-scale`).

Only the CLI commands below use this package: create_app registers them (a blueprint with
no routes), and each command imports the generator it runs when it runs.
"""
from flask import Blueprint

bp = Blueprint("seeding", __name__, cli_group=None)


def load_views() -> None:
    """Import the modules that add this blueprint's views and commands; create_app calls
    this, so that importing a service of this area never drags in every view."""
    from app.seeding import cli  # noqa: F401
