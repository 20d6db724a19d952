"""Benchmark databases: create, migrate and fill them with `seed-scale`, timing the fill.

    python -m bench.seed ensure --profile district [--db URL ...]   # seed only if empty
    python -m bench.seed time --profile district [--db URL ...]     # recreate, seed, record time

`time` starts from an empty database every time (a SQLite file is deleted, a
PostgreSQL database whose name starts with chs_bench is dropped and created).
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.seeding.profiles import PROFILES
from bench.common import (BIN, DEFAULT_POSTGRES, DEFAULT_SQLITE, OUT, ROOT, app_env, data_scale,
                          db_label, postgres_version, save, sqlalchemy_url)


def _flask(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT,
                          env=app_env(url), capture_output=True, text=True)


def recreate(url: str) -> None:
    """An empty database at `url` (only benchmark databases are ever dropped)."""
    parsed = make_url(sqlalchemy_url(url))
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    name = parsed.database
    if not re.fullmatch(r"chs_bench\w*", name or ""):
        raise SystemExit(f"refusing to drop {name!r}: benchmark databases are named chs_bench*")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def ensure_exists(url: str) -> None:
    parsed = make_url(sqlalchemy_url(url))
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                            {"n": parsed.database}).scalar():
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def migrate(url: str) -> None:
    done = _flask(url, "db", "upgrade")
    if done.returncode:
        raise SystemExit(f"db upgrade failed:\n{done.stderr}")


def seed_and_time(url: str, profile: str, seed: int) -> dict:
    """Run seed-scale in a child process; its wall time, CPU time and peak memory."""
    with tempfile.TemporaryFile("w+") as output:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(BIN / "flask"), "--app", "wsgi", "seed-scale", "--profile", profile,
             "--seed", str(seed)], cwd=ROOT, env=app_env(url), stdout=output,
            stderr=subprocess.STDOUT, text=True)
        _pid, status, usage = os.wait4(proc.pid, 0)  # this child's own resource usage
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text_out = output.read()
    if proc.returncode:
        raise SystemExit(f"seed-scale failed:\n{text_out}")
    rows = re.search(r"Xong sau ([\d.]+) s: ([\d,]+) dòng", text_out)
    print(text_out)
    return {"database": db_label(url), "server": postgres_version(url), "profile": profile,
            "seed": seed, "wall_seconds": round(wall, 1),
            "command_seconds": float(rows.group(1)) if rows else None,
            "rows": int(rows.group(2).replace(",", "")) if rows else None,
            "cpu_seconds_client": round(usage.ru_utime + usage.ru_stime, 1),
            "peak_rss_mib_child": round(usage.ru_maxrss / 1024),
            "scale": data_scale(url)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("ensure", "time"))
    parser.add_argument("--profile", default="district", choices=list(PROFILES))
    parser.add_argument("--db", action="append",
                        help=f"database URL (repeat; default {DEFAULT_SQLITE} and "
                             f"{DEFAULT_POSTGRES})")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    for url in args.db or [DEFAULT_SQLITE, DEFAULT_POSTGRES]:
        label = db_label(url)
        if args.action == "time":
            recreate(url)
        else:
            ensure_exists(url)
        migrate(url)
        scale = data_scale(url)
        if args.action == "ensure" and scale["ward"]:
            if scale["profile"] != args.profile:
                sys.exit(f"{url} already holds {scale['profile']} data, not {args.profile}: "
                         f"run `python -m bench.seed time --profile {args.profile} --db {url}`")
            print(f"{label}: {args.profile} data already there")
            continue
        print(f"{label}: seeding {args.profile}…")
        result = seed_and_time(url, args.profile, args.seed)
        save("seed", result, tag=f"{args.profile}-{label.lower()}")


if __name__ == "__main__":
    main()
