"""Entry point for `flask --app wsgi` and `gunicorn wsgi:app`."""
import gc

from app import create_app

app = create_app()
# What importing and configuring the app made lives as long as the process: keep it out of
# the garbage collector's scans, which otherwise stall requests that build many objects
# (a ward's batch matching, a city's roll-up).
gc.freeze()
