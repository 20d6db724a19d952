"""What every benchmark shares: the machine, databases, gunicorn on loopback, results files."""
from __future__ import annotations

import json
import os
import platform
import shlex
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"          # raw results (JSON), not committed
RESULTS = ROOT / "bench" / "RESULTS.md"
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"                    # loopback only: nothing here ever targets another host

DEFAULT_SQLITE = f"sqlite:///{ROOT / 'bench' / 'out' / 'bench-district.sqlite3'}"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/chs_bench_scale"
BENCH_SECRET = "benchmark-secret-key-not-for-production"


def machine() -> dict:
    """The facts a reader needs to weigh the figures."""
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import sqlite3
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def postgres_version(url: str) -> str | None:
    if not url.startswith("postgres"):
        return None
    from sqlalchemy import create_engine, text

    from config import database_url
    engine = create_engine(database_url(url))
    try:
        with engine.connect() as conn:
            return conn.execute(text("SHOW server_version")).scalar().split()[0]
    finally:
        engine.dispose()


def command_line() -> str:
    return " ".join(shlex.quote(a) for a in [Path(sys.executable).name, "-m",
                                             sys.modules["__main__"].__spec__.name, *sys.argv[1:]])


def save(kind: str, payload: dict, tag: str = "") -> Path:
    """Write one benchmark's results as bench/out/<kind>[-tag].json."""
    OUT.mkdir(parents=True, exist_ok=True)
    payload = {"kind": kind, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "command": command_line(), "machine": machine(), **payload}
    path = OUT / f"{kind}{'-' + tag if tag else ''}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str))
    print(f"→ {path.relative_to(ROOT)}")
    return path


def db_label(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgres") else "SQLite"


def sqlalchemy_url(url: str) -> str:
    from config import database_url
    return database_url(url)


def data_scale(url: str) -> dict:
    """How much data the database holds (so a figure says at which scale it was taken)."""
    from sqlalchemy import create_engine, text
    engine = create_engine(sqlalchemy_url(url))
    counts = {}
    try:
        with engine.connect() as conn:
            for table in ("ward", "residential_group", "resident", "volunteer_profile",
                          "help_request", "session"):
                counts[table] = conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()
    finally:
        engine.dispose()
    from app.seeding.profiles import PROFILES
    profile = "custom"
    for name, p in PROFILES.items():
        # Wards and groups never change; residents grow as the benchmarks file requests.
        if counts["ward"] == p.wards and counts["residential_group"] == p.groups:
            profile = name
    return {"profile": profile, **counts}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def app_env(url: str) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=url, SECRET_KEY=BENCH_SECRET, APP_ENV="development", REDIS_URL="",
               INSTANCE_PATH=str(OUT / "instance"), PYTHONUNBUFFERED="1",
               RATELIMIT_ENABLED="0")  # loopback benchmark server only
    return env


@contextmanager
def gunicorn(url: str, workers: int, threads: int = 1, timeout: float = 60.0):
    """gunicorn serving the app on 127.0.0.1:<free port>; yields the base URL; always stopped."""
    import requests

    port = free_port()
    log = open(OUT / f"gunicorn-{port}.log", "w")
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
         "--bind", f"{HOST}:{port}", "--access-logfile", "-", "--log-level", "warning",
         "--access-logformat", "%(s)s %(r)s", "wsgi:app"],
        cwd=ROOT, env=app_env(url), stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({proc.returncode}); see {log.name}")
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer /healthz in time")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        if not Path(log.name).stat().st_size:
            Path(log.name).unlink()


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]
