"""Throughput under gunicorn with several workers on PostgreSQL, on 127.0.0.1 only.

Each page is loaded for a bounded time (and at most a bounded number of
requests) by a few client processes, and its requests per second are reported
as a ratio to the trivial route `/healthz` of the same app measured in the same
run, so that the figure survives a noisy or shared machine. The clients run on
the same machine and take CPU from the server: read ratios, not absolute rates.

    python -m bench.throughput [--db URL] [--workers 4] [--seconds 8] [--max-requests 20000]
"""
from __future__ import annotations

import argparse
import os
import socket
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from bench.common import (DEFAULT_POSTGRES, HOST, data_scale, db_label, gunicorn,
                          postgres_version, save)
from bench.pages import BASELINE, PAGES, Page, placeholders, resolve


def _client(port: int, raw_request: bytes, seconds: float, budget: int, threads: int) -> dict:
    """One client process: `threads` loops of connect, send, read to the end (no keep-alive)."""
    assert HOST == "127.0.0.1"
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    tally = {"ok": 0, "other": 0, "errors": 0, "sent": 0}

    def loop():
        while time.monotonic() < deadline:
            with lock:
                if tally["sent"] >= budget:
                    return
                tally["sent"] += 1
            try:
                with socket.create_connection((HOST, port), timeout=30) as sock:
                    sock.sendall(raw_request)
                    chunks = []
                    while True:
                        data = sock.recv(65536)
                        if not data:
                            break
                        chunks.append(data)
                head = b"".join(chunks[:1])[:12]
                key = "ok" if head.startswith(b"HTTP/1.1 200") or head.startswith(
                    b"HTTP/1.0 200") else "other"
            except OSError:
                key = "errors"
            with lock:
                tally[key] += 1

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return tally


def _request_bytes(url: str, cookie: str, fragment: bool) -> bytes:
    lines = [f"GET {url} HTTP/1.1", f"Host: {HOST}", "Connection: close",
             "Accept-Encoding: gzip", "User-Agent: cunghocso-bench"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    if fragment:
        lines.append("HX-Request: true")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def load(pool, port: int, raw: bytes, seconds: float, budget: int, processes: int,
         threads: int) -> dict:
    started = time.perf_counter()
    futures = [pool.submit(_client, port, raw, seconds, budget // processes, threads)
               for _ in range(processes)]
    tallies = [f.result() for f in futures]
    elapsed = time.perf_counter() - started
    total = {k: sum(t[k] for t in tallies) for k in ("ok", "other", "errors")}
    return {**total, "seconds": round(elapsed, 2), "rps": round(total["ok"] / elapsed, 1)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=DEFAULT_POSTGRES)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1),
                        help="gunicorn workers (default: 2 per core)")
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=4, help="connections per client process")
    parser.add_argument("--seconds", type=float, default=8.0, help="time limit per page")
    parser.add_argument("--max-requests", type=int, default=20_000, help="count limit per page")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up per page")
    parser.add_argument("--pages", help="comma-separated page names (default: those marked)")
    args = parser.parse_args(argv)
    pages = [p for p in PAGES if p.throughput]
    if args.pages:
        wanted = {p.strip() for p in args.pages.split(",")}
        pages = [p for p in PAGES if p.name in wanted]

    from bench.clients import http_session_for

    values = placeholders(args.db)
    rows = []
    ctx = get_context("spawn")
    with gunicorn(args.db, workers=args.workers) as base, \
            ProcessPoolExecutor(max_workers=args.processes, mp_context=ctx) as pool:
        port = int(base.rsplit(":", 1)[1])
        cookies = {}

        def measure(page: Page) -> dict:
            if page.role not in cookies:
                session = http_session_for(base, page.role)
                cookies[page.role] = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
            raw = _request_bytes(resolve(page, values), cookies[page.role], page.fragment)
            load(pool, port, raw, args.warmup, 10**9, args.processes, args.threads)
            result = load(pool, port, raw, args.seconds, args.max_requests, args.processes,
                          args.threads)
            print(f"  {page.name:<22} {result['rps']:>8.1f} req/s  "
                  f"(200: {result['ok']}, other: {result['other']}, errors: {result['errors']})")
            return {"page": page.name, "url": resolve(page, values), "role": page.role or "-",
                    **result}

        print(f"{db_label(args.db)} · gunicorn {args.workers} workers · "
              f"{args.processes}×{args.threads} clients")
        before = measure(BASELINE)
        for page in pages:
            rows.append(measure(page))
        after = measure(BASELINE)
    baseline = (before["rps"] + after["rps"]) / 2
    for row in rows:
        row["ratio"] = round(row["rps"] / baseline, 3) if baseline else None
    save("throughput", {"database": db_label(args.db), "server": postgres_version(args.db),
                        "scale": data_scale(args.db), "workers": args.workers,
                        "clients": f"{args.processes} processes × {args.threads} connections",
                        "seconds": args.seconds, "max_requests": args.max_requests,
                        "baseline": {"before": before, "after": after, "mean_rps": baseline},
                        "pages": rows}, tag=data_scale(args.db)["profile"])


if __name__ == "__main__":
    main()
