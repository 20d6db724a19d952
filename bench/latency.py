"""Warm latency (p50/p95) of the pages in bench/pages.py.

In-process through the Flask test client (the app's own time, with the number of
SQL queries per request) and over HTTP against gunicorn on 127.0.0.1 (what a
client sees, minus the network), on each database given.

    python -m bench.latency [--db URL ...] [--mode both|inprocess|http] [--requests 100]
"""
from __future__ import annotations

import argparse
import time

from bench.actions import forget_own_hand_backs
from bench.common import (DEFAULT_POSTGRES, DEFAULT_SQLITE, data_scale, db_label, gunicorn,
                          percentile, postgres_version, save)
from bench.pages import PAGES, Page, placeholders, resolve


def _summary(page: Page, url: str, times: list[float], statuses: set, queries: list[int],
             sizes: list[int]) -> dict:
    times.sort()
    return {"page": page.name, "url": url, "role": page.role or "-", "n": len(times),
            "p50_ms": round(percentile(times, 50) * 1000, 2),
            "p95_ms": round(percentile(times, 95) * 1000, 2),
            "max_ms": round(times[-1] * 1000, 2) if times else None,
            "status": sorted(statuses), "queries": max(queries) if queries else None,
            "bytes": max(sizes) if sizes else None}


def measure(page: Page, send, values: dict, warmup: int, n: int, counter=None) -> dict:
    """Time `warmup + n` requests of one page through `send`; summarise the last n.

    A write page's action builds each request and puts things back between them,
    untimed (see bench/actions.py)."""
    from bench.actions import ACTIONS, Call

    action = None
    if page.action:
        action = ACTIONS[page.action]()
        action.setup(send, values)
    url = resolve(page, values)
    headers = {"HX-Request": "true"} if page.fragment else {}
    times, statuses, queries, sizes = [], set(), [], []
    for i in range(warmup + n):
        call = action.call(i) if action else Call("GET", url, headers=headers)
        if counter is not None:
            counter["n"] = 0
        start = time.perf_counter()
        status, body = send(call.method, call.url, call.data, call.headers)
        elapsed = time.perf_counter() - start
        if i >= warmup:
            times.append(elapsed)
            statuses.add(status)
            if counter is not None:
                queries.append(counter["n"])
            sizes.append(len(body))
        if action:
            action.after(send, status, body)
    if action:
        url = f"{call.method} {page.url.replace('{{id}}', '{id}')}"
    result = _summary(page, url, times, statuses, queries, sizes)
    print(f"  {result['page']:<24} p50 {result['p50_ms']:>8.2f} ms  "
          f"p95 {result['p95_ms']:>8.2f} ms  {result['queries'] if counter else ''}"
          f"{' queries' if counter else ''}  {result['status']}")
    return result


def in_process(db_url: str, pages: list[Page], warmup: int, n: int) -> list[dict]:
    from sqlalchemy import event

    from app.extensions import db
    from bench.actions import test_client_sender
    from bench.clients import in_process_app, test_client_for

    app = in_process_app(db_url)
    values = placeholders(db_url)
    counter = {"n": 0}
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(_conn, _cursor, statement, *_args):
        # SQLite's explicit BEGIN (see app/database.py) is not a query of the page.
        if not statement.startswith("BEGIN"):
            counter["n"] += 1

    senders: dict = {}
    results = []
    for page in pages:
        if page.role not in senders:
            senders[page.role] = test_client_sender(test_client_for(app, page.role))
        results.append(measure(page, senders[page.role], values, warmup, n, counter))
    event.remove(engine, "before_cursor_execute", _count)
    return results


def over_http(db_url: str, pages: list[Page], warmup: int, n: int, workers: int) -> list[dict]:
    from bench.actions import http_sender
    from bench.clients import http_session_for

    values = placeholders(db_url)
    results = []
    with gunicorn(db_url, workers=workers) as base:
        senders: dict = {}
        for page in pages:
            if page.role not in senders:
                senders[page.role] = http_sender(http_session_for(base, page.role), base)
            results.append(measure(page, senders[page.role], values, warmup, n))
    return results


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", action="append",
                        help=f"database URL (repeat; default {DEFAULT_SQLITE} and "
                             f"{DEFAULT_POSTGRES})")
    parser.add_argument("--mode", choices=("both", "inprocess", "http"), default="both")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (http mode)")
    parser.add_argument("--pages", help="comma-separated page names (default: all)")
    args = parser.parse_args(argv)
    pages = PAGES
    if args.pages:
        wanted = {p.strip() for p in args.pages.split(",")}
        pages = [p for p in PAGES if p.name in wanted]
    runs = []
    for db_url in args.db or [DEFAULT_SQLITE, DEFAULT_POSTGRES]:
        forget_own_hand_backs(db_url)
        scale = data_scale(db_url)
        for mode in (("inprocess", "http") if args.mode == "both" else (args.mode,)):
            print(f"{db_label(db_url)} ({scale['profile']}) · {mode}")
            if mode == "inprocess":
                rows = in_process(db_url, pages, args.warmup, args.requests)
            else:
                rows = over_http(db_url, pages, args.warmup, args.requests, args.workers)
            runs.append({"database": db_label(db_url), "server": postgres_version(db_url),
                         "scale": scale, "mode": mode,
                         "workers": args.workers if mode == "http" else None, "pages": rows})
    save("latency", {"warmup": args.warmup, "requests": args.requests, "runs": runs},
         tag="-".join(dict.fromkeys(r["scale"]["profile"] for r in runs)))


if __name__ == "__main__":
    main()
