"""Batch matching for a ward with 2,000 open requests and 500 volunteers (target: under 2 s).

    python -m bench.matching [--db URL ...] [--repeat 5] [--reseed]

Each database is given the `ward` profile of seed-scale (seeded when empty; `--reseed`
recreates it first, which only benchmark databases allow). Then, as the ward's official,
after one warm-up call, `--repeat` times each:

  optimiser  `optimal_pairs` on the ward's assessment (scipy), nothing else;
  proposal   `propose_for_ward`: loading, assessing, optimising, the reasons in words
             (each time in a fresh database session, as a request has);
  page       GET /ghep-cap/hang-loat?ward=<id> through the Flask test client: the proposal
             and the HTML of every row.

Results: bench/out/matching-<database>.json, one file per database.
"""
from __future__ import annotations

import argparse
import sys
import time

from bench.common import ROOT, data_scale, db_label, percentile, postgres_version, save
from bench.seed import ensure_exists, migrate, recreate, seed_and_time

PROFILE = "ward"
TARGET_SECONDS = 2.0
DEFAULT_DBS = [f"sqlite:///{ROOT / 'bench' / 'out' / 'bench-ward.sqlite3'}",
               "postgresql://postgres@127.0.0.1:5432/chs_bench_matching"]


def ensure_ward_data(url: str, seed: int, reseed: bool) -> dict:
    """The database holds the ward profile (seeding it, timed, when needed); its scale."""
    if reseed:
        recreate(url)
    else:
        ensure_exists(url)
    migrate(url)
    scale = data_scale(url)
    if scale["ward"] and scale["profile"] != PROFILE:
        sys.exit(f"{url} holds {scale['profile']} data, not {PROFILE}: give an empty or a "
                 f"benchmark database and --reseed")
    if not scale["ward"]:
        print(f"{db_label(url)}: seeding {PROFILE}…")
        result = seed_and_time(url, PROFILE, seed)
        save("seed", result, tag=f"{PROFILE}-{db_label(url).lower()}")
        scale = data_scale(url)
    return scale


def _summary(times: list[tuple[float, float]], queries: int | None = None) -> dict:
    """p50 and max of the wall times; p50 of this process's CPU time, steadier on a shared
    machine (on SQLite it includes the database's work, on PostgreSQL not the server's)."""
    wall = sorted(w for w, _cpu in times)
    cpu = sorted(c for _wall, c in times)
    return {"n": len(wall), "p50_ms": round(percentile(wall, 50) * 1000, 1),
            "max_ms": round(wall[-1] * 1000, 1), "cpu_p50_ms": round(percentile(cpu, 50) * 1000, 1),
            "queries": queries, "under_target": wall[-1] < TARGET_SECONDS}


def _timed(call, repeat: int, prepare=lambda: None) -> list[tuple[float, float]]:
    """(wall, CPU) seconds of `repeat` calls after one warm-up call; `prepare` is untimed."""
    times = []
    for i in range(repeat + 1):
        prepare()
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        if i:
            times.append((time.perf_counter() - wall, time.process_time() - cpu))
    return times


def measure(url: str, repeat: int) -> dict:
    from sqlalchemy import event, select

    from app.extensions import db
    from app.matching.optimize import optimal_pairs, slot_columns
    from app.matching.batch import assess_ward, propose_for_ward
    from app.models import User, Ward
    from bench.clients import PHONES, in_process_app, test_client_for

    app = in_process_app(url)
    counter = {"n": 0}

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):  # SQLite's explicit BEGIN is not a query
            counter["n"] += 1

    # A request's locale for the reasons in words; a fresh session for every proposal.
    with app.test_request_context("/"):
        engine = db.engine
        official_id = db.session.scalar(select(User.id).where(User.phone == PHONES["official"]))
        ward_id = db.session.scalar(select(Ward.id).order_by(Ward.id))

        def people():
            db.session.remove()
            return db.session.get(User, official_id), db.session.get(Ward, ward_id)

        case = assess_ward(*people())
        a = case.assessment
        matrices = (a.eligible, a.base, a.load_now, a.capacity)
        facts = {"ward": {"id": ward_id, "name": db.session.get(Ward, ward_id).name},
                 "open_requests": len(case.requests), "volunteers": len(case.profiles),
                 "volunteers_with_an_eligible_request": int(a.eligible.any(axis=0).sum()),
                 "eligible_pairs": int(a.eligible.sum()),
                 "capacity_slots": len(slot_columns(a.eligible, a.load_now, a.capacity)[0]),
                 "served": len(optimal_pairs(*matrices))}
        # Nothing of a proposal outlives it, as after a request: thousands of live objects
        # would slow every later garbage collection down.
        del case, a
        optimiser = _timed(lambda: optimal_pairs(*matrices), repeat)

        made = {}

        def fresh():
            made["user"], made["ward"] = people()
            counter["n"] = 0

        def propose():
            proposal = propose_for_ward(made["user"], made["ward"])
            made["served"], made["rows"] = proposal.served, len(proposal.rows)

        event.listen(engine, "before_cursor_execute", count)
        proposal_times = _timed(propose, repeat, prepare=fresh)
        event.remove(engine, "before_cursor_execute", count)
        proposal_queries = counter["n"]
        if (made["served"], made["rows"]) != (facts["served"], facts["open_requests"]):
            raise RuntimeError("the proposal differs from the optimiser's assignment")
        made.clear()
        db.session.remove()

    # Outside any application context: each request has its own, as in production.
    client = test_client_for(app, "official")
    page_url = f"/ghep-cap/hang-loat?ward={ward_id}"
    statuses, sizes = set(), []

    def get_page():
        response = client.get(page_url)
        statuses.add(response.status_code)
        sizes.append(len(response.get_data()))

    event.listen(engine, "before_cursor_execute", count)
    page = _timed(get_page, repeat, prepare=lambda: counter.update(n=0))
    event.remove(engine, "before_cursor_execute", count)
    page_summary = {**_summary(page, counter["n"]), "status": sorted(statuses),
                    "bytes": max(sizes), "url": page_url}
    if statuses != {200}:
        raise RuntimeError(f"{page_url} answered {sorted(statuses)}")
    return {**facts, "optimiser": _summary(optimiser),
            "proposal": _summary(proposal_times, proposal_queries), "page": page_summary}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", action="append",
                        help=f"database URL (repeat; default {' and '.join(DEFAULT_DBS)})")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reseed", action="store_true",
                        help="recreate each database (benchmark ones only) and seed it again")
    args = parser.parse_args(argv)
    for url in args.db or DEFAULT_DBS:
        label = db_label(url)
        scale = ensure_ward_data(url, args.seed, args.reseed)
        print(f"{label} ({scale['profile']}): batch matching, {args.repeat} repeats…")
        result = measure(url, args.repeat)
        for part in ("optimiser", "proposal", "page"):
            r = result[part]
            print(f"  {part:<10} p50 {r['p50_ms']:>8.1f} ms  max {r['max_ms']:>8.1f} ms  "
                  f"CPU p50 {r['cpu_p50_ms']:>8.1f} ms"
                  + (f"  {r['queries']} queries" if r["queries"] is not None else ""))
        print(f"  {result['open_requests']} open requests × {result['volunteers']} volunteers: "
              f"{result['served']} served")
        save("matching", {"database": label, "server": postgres_version(url), "scale": scale,
                          "repeat": args.repeat, "target_ms": TARGET_SECONDS * 1000, **result},
             tag=label.lower())


if __name__ == "__main__":
    main()
