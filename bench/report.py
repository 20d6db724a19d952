"""Write bench/RESULTS.md from the raw results in bench/out/*.json.

    python -m bench.report
"""
from __future__ import annotations

import json

from bench.common import OUT, RESULTS, ROOT


def _machine(m: dict) -> str:
    return (f"{m['nproc']} cores ({m['cpu']}), {m['memory_gib']} GiB, Python {m['python']}, "
            f"SQLite {m['sqlite']}; load average (1, 5, 15 min) at the end of the run "
            f"{' / '.join(map(str, m['load_average']))}")


def _meta(r: dict) -> list[str]:
    return [f"- date: {r['date']}", f"- machine: {_machine(r['machine'])}",
            f"- command: `{r['command']}`"]


def _scale(s: dict) -> str:
    return (f"{s['profile']}: {s['ward']:,} wards, {s['residential_group']:,} groups, "
            f"{s['resident']:,} residents, {s['volunteer_profile']:,} volunteers, "
            f"{s['help_request']:,} requests, {s['session']:,} sessions")


def _load(pattern: str) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(OUT.glob(pattern))]


def seeds() -> list[str]:
    results = _load("seed-*.json")
    if not results:
        return ["_No seed timing recorded yet: `python -m bench.seed time --profile district`._"]
    lines = ["| profile | database | rows | seconds (command) | wall seconds | client CPU s "
             "| peak RSS MiB of seed-scale | load average at the end (1, 5, 15 min) | date |",
             "|---|---|---:|---:|---:|---:|---:|---|---|"]
    for r in sorted(results, key=lambda r: (r["profile"] != "district", r["database"])):
        db = r["database"] + (f" {r['server']}" if r.get("server") else "")
        lines.append(f"| {r['profile']} | {db} | {r['rows']:,} | {r['command_seconds']} "
                     f"| {r['wall_seconds']} | {r['cpu_seconds_client']} "
                     f"| {r.get('peak_rss_mib_child', '–')} "
                     f"| {' / '.join(map(str, r['machine']['load_average']))} | {r['date']} |")
    lines.append("")
    lines.append("_client CPU s_ is the CPU time of the seed-scale process itself (building rows, "
                 "and on SQLite also writing them): the steadiest figure on a busy machine. "
                 "On PostgreSQL the server's own work shows only in the wall time.")
    lines.append("")
    lines.append("Machine: " + _machine(results[0]["machine"]) + ".")
    lines.append("Commands: " + "; ".join(dict.fromkeys(f"`{r['command']}`" for r in results))
                 + ".")
    return lines


def latency() -> list[str]:
    out = []
    for r in _load("latency*.json"):
        out += _meta(r)
        out.append(f"- {r['warmup']} warm-up requests, then {r['requests']} measured, "
                   "one at a time")
        out.append("")
        out.append("| database | scale | mode | page | as | p50 ms | p95 ms | max ms "
                   "| SQL queries | status | bytes |")
        out.append("|---|---|---|---|---|---:|---:|---:|---:|---|---:|")
        for run in r["runs"]:
            mode = ("in-process (test client)" if run["mode"] == "inprocess"
                    else f"HTTP, gunicorn {run['workers']} workers")
            db = run["database"] + (f" {run['server']}" if run.get("server") else "")
            for p in run["pages"]:
                out.append(f"| {db} | {run['scale']['profile']} | {mode} | {p['page']} "
                           f"(`{p['url']}`) | {p['role']} | {p['p50_ms']} | {p['p95_ms']} "
                           f"| {p['max_ms']} | {p['queries'] if p['queries'] is not None else '–'}"
                           f" | {', '.join(map(str, p['status']))} | {p['bytes']:,} |")
        out.append("")
        out.append("Data: " + "; ".join(dict.fromkeys(_scale(run["scale"])
                                                       for run in r["runs"])) + ".")
        out.append("")
    return out or ["_Not run yet: `python -m bench.latency`._"]


def throughput() -> list[str]:
    out = []
    for r in _load("throughput*.json"):
        out += _meta(r)
        b = r["baseline"]
        out.append(f"- {r['database']} {r.get('server') or ''}, gunicorn {r['workers']} sync "
                   f"workers, clients: {r['clients']} on 127.0.0.1, at most {r['seconds']} s "
                   f"and {r['max_requests']:,} requests per page")
        out.append(f"- baseline `/healthz`: {b['before']['rps']} req/s before the pages, "
                   f"{b['after']['rps']} after (mean {b['mean_rps']:.1f})")
        out.append(f"- data: {_scale(r['scale'])}")
        out.append("")
        out.append("| page | as | req/s | ratio to /healthz | 200 | other | errors |")
        out.append("|---|---|---:|---:|---:|---:|---:|")
        for p in r["pages"]:
            out.append(f"| {p['page']} (`{p['url']}`) | {p['role']} | {p['rps']} "
                       f"| {p['ratio']:.0%} | {p['ok']} | {p['other']} | {p['errors']} |")
        out.append("")
    return out or ["_Not run yet: `python -m bench.throughput`._"]


def page_weight() -> list[str]:
    out = []
    for r in _load("page_weight*.json"):
        out += _meta(r)
        out.append("")
        out.append("| first load of | as | on the wire, gzip (headers included) | bodies gzip "
                   "| bodies brotli | uncompressed | of which HTML gzip |")
        out.append("|---|---|---:|---:|---:|---:|---:|")
        for p in r["first_loads"]:
            t = p["total"]
            out.append(f"| {p['page']} (`{p['url']}`) | {p['role']} | "
                       f"{t['gzip_wire'] / 1024:.1f} KB | {t['gzip_bodies'] / 1024:.1f} KB | "
                       f"{t['br_bodies'] / 1024:.1f} KB | {t['identity_bodies'] / 1024:.1f} KB "
                       f"| {p['document']['gzip'] / 1024:.1f} KB |")
        out.append("")
        assets = {}
        for p in r["first_loads"]:
            for a in p["assets"]:
                if not a.get("external"):
                    assets[a["url"]] = a
        if assets:
            out.append("| static file | gzip | brotli | uncompressed | Cache-Control |")
            out.append("|---|---:|---:|---:|---|")
            for url, a in assets.items():
                out.append(f"| `{url}` | {a['gzip']:,} B | {a['br']:,} B | {a['identity']:,} B "
                           f"| long-lived (1 year, immutable) |")
            out.append("")
        if r["fragments"]:
            out.append("| htmx fragment | gzip | uncompressed |")
            out.append("|---|---:|---:|")
            for f in r["fragments"]:
                out.append(f"| {f['page']} (`{f['url']}`) | {f['gzip']:,} B "
                           f"| {f['identity']:,} B |")
        else:
            out.append("_No htmx fragment in the page list yet._")
        out.append("")
    return out or ["_Not run yet: `python -m bench.page_weight`._"]


MATCHING_PARTS = (
    ("optimiser", "the optimiser alone (`optimal_pairs`, scipy)"),
    ("proposal", "the proposal (`propose_for_ward`: loading, assessing, optimising, reasons)"),
    ("page", "the page, in-process (test client)"),
)


def _matching_runs() -> list[dict]:
    return sorted(_load("matching*.json"), key=lambda r: r["database"] != "SQLite")


def matching() -> list[str]:
    out = []
    for r in _matching_runs():
        db = r["database"] + (f" {r['server']}" if r.get("server") else "")
        out += _meta(r)
        out.append(f"- data: {_scale(r['scale'])}")
        out.append(f"- {db}, {r['ward']['name']}, as its official: {r['open_requests']:,} open "
                   f"requests × {r['volunteers']:,} volunteers serving the ward "
                   f"({r['volunteers_with_an_eligible_request']:,} with at least one eligible "
                   f"request; {r['eligible_pairs']:,} eligible pairs; "
                   f"{r['capacity_slots']:,} free capacity slots); the proposal serves "
                   f"{r['served']:,} requests")
        out.append(f"- after one warm-up call, {r['repeat']} timed calls of each")
        out.append("")
        out.append("| database | timed | p50 ms | max ms | CPU p50 ms | SQL queries "
                   "| under 2 s (max) |")
        out.append("|---|---|---:|---:|---:|---:|---|")
        for key, label in MATCHING_PARTS:
            t = r[key]
            if key == "page":
                label += f": `GET {t['url']}`, {t['bytes'] / 1e6:.1f} MB of HTML"
            queries = t["queries"] if t["queries"] is not None else "–"
            out.append(f"| {db} | {label} | {t['p50_ms']:,} | {t['max_ms']:,} "
                       f"| {t['cpu_p50_ms']:,} | {queries} "
                       f"| {'yes' if t['under_target'] else '**no**'} |")
        out.append("")
    if not out:
        return ["_Not run yet: `python -m bench.matching`._"]
    return out + ["_CPU p50_ is the benchmark process's own CPU time (on SQLite it includes the "
                  "database's work, on PostgreSQL not the server's): steadier than the wall "
                  "time when other work shares the machine."]


def matching_target() -> str:
    runs = _matching_runs()
    if not runs:
        return "not measured yet: `python -m bench.matching`"
    return "; ".join(f"{r['database']}: proposal p50 {r['proposal']['p50_ms']:,} ms "
                     f"(max {r['proposal']['max_ms']:,}), page p50 {r['page']['p50_ms']:,} ms "
                     f"(max {r['page']['max_ms']:,})" for r in runs) + " (see above)"


def main() -> None:
    text = [
        "# Benchmark results",
        "",
        "Written by `python -m bench.report` from the raw results in `bench/out/` "
        "(see [README.md](README.md) for how to run each benchmark). Every figure is what was "
        "measured, misses included; the machine, date, load and command are given with each.",
        "",
        "The load average shown with each run counts every process on the machine: figures "
        "taken while other work ran are slower and noisier than on an idle machine.",
        "",
        "## Seeding scale data (`flask --app wsgi seed-scale`)",
        "",
        *seeds(),
        "",
        "## Latency (warm)",
        "",
        *latency(),
        "",
        "## Throughput under gunicorn (PostgreSQL)",
        "",
        *throughput(),
        "",
        "## Page weight",
        "",
        *page_weight(),
        "",
        "## Batch matching (a ward with 2,000 open requests and 500 volunteers)",
        "",
        *matching(),
        "",
        "## Targets of the issue and where they stand",
        "",
        *targets(),
        "",
    ]
    RESULTS.write_text("\n".join(text))
    print(f"→ {RESULTS.relative_to(ROOT)}")


def _latency_rows(scale: str) -> list[tuple[str, str, dict]]:
    """(database, mode, page row) of every latency run at `scale`."""
    rows = []
    for r in _load("latency*.json"):
        for run in r["runs"]:
            if run["scale"]["profile"] == scale:
                rows += [(run["database"], run["mode"], p) for p in run["pages"]]
    return rows


def _p95_status(page: str, limit_ms: float, scale: str = "city") -> str:
    found = [(db, mode, p) for db, mode, p in _latency_rows(scale) if p["page"] == page]
    if not found:
        return f"not measured yet at {scale} scale"
    parts = []
    for db, mode, p in found:
        where = "in-process" if mode == "inprocess" else "over HTTP"
        verdict = "met" if p["p95_ms"] < limit_ms else "**missed**"
        parts.append(f"{db} {where}: p95 {p['p95_ms']:,} ms ({verdict})")
    return "; ".join(parts)


def _weight_status() -> str:
    weights = _load("page_weight*.json")
    if not weights:
        return "not measured yet"
    r = weights[-1]
    form = [p for p in r["first_loads"] if p["page"] == "mẫu yêu cầu"]
    parts = []
    if form:
        kb = form[0]["total"]["gzip_wire"] / 1024
        parts.append(f"request form {kb:.1f} KB ({'met' if kb < 60 else '**missed**'})")
    if r["fragments"]:
        biggest = max(r["fragments"], key=lambda f: f["gzip"])
        kb = biggest["gzip"] / 1024
        parts.append(f"largest fragment {biggest['page']} {kb:.1f} KB "
                     f"({'met' if kb < 10 else '**missed**'})")
    return "; ".join(parts)


def _throughput_status(page: str, ratio: float) -> str:
    found = [(r["scale"]["profile"], p) for r in _load("throughput*.json") for p in r["pages"]
             if p["page"] == page]
    if not found:
        return "not measured yet"
    return "; ".join(f"{scale}: {p['ratio']:.0%} ({'met' if p['ratio'] >= ratio else '**missed**'})"
                     for scale, p in found)


def targets() -> list[str]:
    return [
        "| target | status |",
        "|---|---|",
        "| leader dashboard p95 < 100 ms at city scale (both databases) "
        f"| {_p95_status('bảng tổ trưởng', 100)} |",
        "| volunteer feed p95 < 100 ms at city scale (both databases) "
        f"| {_p95_status('yêu cầu gần bạn', 100)} |",
        f"| ward roll-up p95 < 300 ms at city scale | {_p95_status('tổng hợp phường', 300)} |",
        f"| city roll-up p95 < 1 s at city scale | {_p95_status('tổng hợp thành phố', 1000)} |",
        "| SQL queries per page bounded (no N+1) | asserted by `tests/test_query_counts.py` and "
        "each area's tests; the latency tables give the queries of each request at both "
        "scales |",
        "| first load of the request form < 60 KB compressed; htmx fragments < 10 KB "
        f"| {_weight_status()} |",
        "| static files with long-lived cache headers and compression | see the page weight "
        "section (1 year, immutable; gzip and brotli) |",
        "| volunteer feed throughput ≥ 30% of the trivial route "
        f"| {_throughput_status('yêu cầu gần bạn', 0.3)} |",
        "| batch matching of 2,000 open requests and 500 volunteers < 2 s "
        f"| {matching_target()} |",
    ]


if __name__ == "__main__":
    main()
