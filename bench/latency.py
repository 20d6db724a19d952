"""Warm latency (p50/p95) of the pages in bench/pages.py.

In-process through the Flask test client (the app's own time, with the number of
SQL queries per request) and over HTTP against gunicorn on 127.0.0.1 (what a
client sees, minus the network), on each database given.

    python -m bench.latency [--db URL ...] [--mode both|inprocess|http] [--requests 100]
"""
from __future__ import annotations

import argparse
import time

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


def in_process(db_url: str, pages: list[Page], warmup: int, n: int) -> list[dict]:
    from sqlalchemy import event

    from app.extensions import db
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

    clients: dict = {}
    results = []
    for page in pages:
        url = resolve(page, values)
        if page.role not in clients:
            clients[page.role] = test_client_for(app, page.role)
        client = clients[page.role]
        headers = {"HX-Request": "true"} if page.fragment else {}
        times, statuses, queries, sizes = [], set(), [], []
        for i in range(warmup + n):
            counter["n"] = 0
            start = time.perf_counter()
            response = client.open(url, method=page.method, headers=headers)
            body = response.get_data()
            elapsed = time.perf_counter() - start
            response.close()
            if i >= warmup:
                times.append(elapsed)
                statuses.add(response.status_code)
                queries.append(counter["n"])
                sizes.append(len(body))
        results.append(_summary(page, url, times, statuses, queries, sizes))
        print(f"  {results[-1]['page']:<22} p50 {results[-1]['p50_ms']:>8.2f} ms  "
              f"p95 {results[-1]['p95_ms']:>8.2f} ms  {results[-1]['queries']} queries")
    event.remove(engine, "before_cursor_execute", _count)
    return results


def over_http(db_url: str, pages: list[Page], warmup: int, n: int, workers: int) -> list[dict]:
    from bench.clients import http_session_for

    values = placeholders(db_url)
    results = []
    with gunicorn(db_url, workers=workers) as base:
        sessions: dict = {}
        for page in pages:
            url = resolve(page, values)
            if page.role not in sessions:
                sessions[page.role] = http_session_for(base, page.role)
            session = sessions[page.role]
            headers = {"HX-Request": "true"} if page.fragment else {}
            times, statuses, sizes = [], set(), []
            for i in range(warmup + n):
                start = time.perf_counter()
                response = session.request(page.method, base + url, headers=headers,
                                           allow_redirects=False)
                body = response.content
                elapsed = time.perf_counter() - start
                if i >= warmup:
                    times.append(elapsed)
                    statuses.add(response.status_code)
                    sizes.append(len(body))
            results.append(_summary(page, url, times, statuses, [], sizes))
            print(f"  {results[-1]['page']:<22} p50 {results[-1]['p50_ms']:>8.2f} ms  "
                  f"p95 {results[-1]['p95_ms']:>8.2f} ms")
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
