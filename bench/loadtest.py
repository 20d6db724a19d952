"""Load test: gunicorn with several workers on PostgreSQL, a mixed workload, then a check
that every accepted write is in the database.

    make loadtest                                   # defaults below
    make loadtest LOADTEST_ARGS="--requests 5000 --threads 32 --workers 4"

What it does, all on this machine (loopback only):
1. creates a scratch PostgreSQL database (dropped afterwards unless --keep), applies the
   migrations, loads the demo data and adds accounts: leaders, officials, administrators,
   volunteers, and verified volunteers who can take any request of the first group's ward;
2. starts gunicorn with --workers sync workers on 127.0.0.1 (rate limits off, so that one
   client machine can stand for a whole ward; password hashing at production strength);
3. runs --threads visitors, each repeatedly picking a scenario from SCENARIOS by weight,
   until --requests requests were sent or --duration seconds passed;
4. reports requests per second, latency percentiles per page, and every server error
   (5xx, refused connection, traceback in gunicorn's log): there must be none;
5. checks that every write the app accepted is in the database, and nothing else: accounts,
   passwords, languages, filed requests (by phone and tracking code) and acceptances (each
   accepted request held by exactly the volunteer who was told they won the race).
Exit status 0 only if there were no server errors, no unexpected answers, no lost writes.

Add a scenario: write a function `def name(v: Visitor) -> None` that uses
`v.get/post(step, path, expect=...)` and, for each write the app accepts, records what
to verify with `v.accepted(kind, key, value)`; add it to SCENARIOS with a weight and,
for a new kind of write, a checker to VERIFY.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from queue import Queue
from datetime import datetime, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
OUT = ROOT / "bench" / "out"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
DEMO_PASSWORD = "hocso2026"


def make_accounts(per_role: int) -> dict[str, list[str]]:
    """Accounts for the signed-in scenarios, `per_role` of each role (run in a subprocess
    with the load test's environment). Each visitor borrows one at a time: signing out ends
    every session of an account, so two visitors must never share one."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import select

    from app import create_app
    from app.auth.passwords import hash_password
    from app.extensions import db
    from app.models import Group, Membership, Role, Topic, User, VolunteerArea, VolunteerProfile
    from app.clock import utcnow
    from app.models.volunteers import VolunteerKind

    app = create_app()
    accounts: dict = defaultdict(list)
    with app.app_context():
        group = db.session.scalar(select(Group).order_by(Group.id))
        topics = list(db.session.scalars(select(Topic).where(Topic.active.is_(True))))
        password_hash = hash_password(DEMO_PASSWORD)
        # Verified volunteers who can take any request of the group's ward: every topic,
        # every time slot, the largest weekly load allowed (50). Three of them race per request.
        for n in range(3 * per_role):
            phone = f"09025{n:05d}"
            user = User(phone="+84" + phone[1:], full_name=f"Người Nhận Thử {n}",
                        password_hash=password_hash)
            user.memberships.append(Membership(role=Role.VOLUNTEER))
            user.volunteer_profile = VolunteerProfile(
                kind=VolunteerKind.YOUTH_UNION, birth_year=1995, verified_at=utcnow(),
                availability=(1 << 21) - 1, weekly_capacity=50, topics=topics,
                areas=[VolunteerArea(ward_id=group.ward_id)])
            db.session.add(user)
            accounts["taker"].append(phone)
        accounts["form"] = {"ward": group.ward_id, "group": group.id,
                            "topics": [t.id for t in topics]}
        for digit, role in enumerate(("leader", "official", "admin", "volunteer"), start=1):
            for n in range(per_role):
                phone = f"0902{digit}{n:05d}"
                user = User(phone="+84" + phone[1:], full_name=f"Tài Khoản Thử {digit}{n}",
                            password_hash=password_hash)
                if role == "leader":
                    user.memberships.append(Membership(role=Role.LEADER, group_id=group.id))
                elif role == "official":
                    user.memberships.append(Membership(role=Role.OFFICIAL,
                                                       ward_id=group.ward_id))
                elif role == "admin":
                    user.memberships.append(Membership(role=Role.ADMIN))
                else:
                    user.memberships.append(Membership(role=Role.VOLUNTEER))
                    user.volunteer_profile = VolunteerProfile(
                        kind=VolunteerKind.YOUTH_UNION, birth_year=1999, verified_at=utcnow())
                db.session.add(user)
                accounts[role].append(phone)
        db.session.commit()
    return accounts


def bench_app():
    """The app gunicorn serves: the normal configuration with rate limits off."""
    sys.path.insert(0, str(ROOT))
    from app import create_app
    from config import config_for_environment

    base = config_for_environment()
    return create_app(type("LoadTestConfig", (base,), {"RATELIMIT_ENABLED": False}))


# --- recording ----------------------------------------------------------------------------
@dataclass
class Recorder:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict = field(default_factory=lambda: defaultdict(list))
    statuses: dict = field(default_factory=lambda: defaultdict(Counter))
    server_errors: list = field(default_factory=list)
    unexpected: list = field(default_factory=list)
    writes: dict = field(default_factory=lambda: defaultdict(dict))
    scenarios: Counter = field(default_factory=Counter)
    sent: int = 0
    races: int = 0

    def request(self, step: str, status: int, seconds: float, expect, detail: str) -> None:
        with self.lock:
            self.sent += 1
            self.latencies[step].append(seconds)
            self.statuses[step][status] += 1
            if status >= 500 or status == 0:
                self.server_errors.append(f"{step}: {status} {detail}"[:300])
            elif status not in expect:
                self.unexpected.append(f"{step}: {status} (expected {sorted(expect)})")


class Budget:
    """Stops the workload after so many requests or so many seconds, whichever is first."""

    def __init__(self, requests_: int, seconds: float):
        self.left, self.deadline = requests_, time.monotonic() + seconds
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.left <= 0 or time.monotonic() > self.deadline:
                return False
            self.left -= 1
            return True


class OutOfBudget(Exception):
    pass


class Visitor:
    """One person's browser: a cookie jar, the CSRF token of the last page, a recorder."""

    def __init__(self, base: str, recorder: Recorder, budget: Budget, numbers, pools):
        self.base, self.recorder, self.budget = base, recorder, budget
        self.numbers = numbers  # (volunteer numbers, resident numbers)

        self.pools = pools
        self.http = requests.Session()
        self.csrf = None

    @contextmanager
    def account(self, role: str):
        """Borrow an account of this role that no other visitor is using."""
        phone = self.pools[role].get()
        try:
            yield phone
        finally:
            self.pools[role].put(phone)

    def _send(self, step: str, method: str, path: str, expect, **kwargs) -> requests.Response:
        if not self.budget.take():
            raise OutOfBudget
        started = time.perf_counter()
        try:
            response = self.http.request(method, self.base + path, allow_redirects=False,
                                         timeout=60, **kwargs)
        except requests.RequestException as exc:
            self.recorder.request(step, 0, time.perf_counter() - started, expect,
                                  exc.__class__.__name__)
            raise OutOfBudget from exc
        self.recorder.request(step, response.status_code, time.perf_counter() - started,
                              expect, response.text[:200] if response.status_code >= 500 else "")
        match = CSRF_RE.search(response.text)
        if match:
            self.csrf = match.group(1)
        return response

    def get(self, step, path, expect=(200,), **kwargs):
        return self._send(step, "GET", path, set(expect), **kwargs)

    def post(self, step, path, data, expect=(303,), csrf=True, **kwargs):
        payload = {"csrf_token": self.csrf, **data} if csrf else data
        return self._send(step, "POST", path, set(expect), data=payload, **kwargs)

    def accepted(self, kind: str, key: str, value) -> None:
        with self.recorder.lock:
            self.recorder.writes[kind][key] = value

    def sign_in(self, phone: str, password: str = DEMO_PASSWORD) -> None:
        self.get("login page", "/dang-nhap")
        self.post("sign in", "/dang-nhap", {"phone": phone, "password": password})

    def sign_out(self) -> None:
        self.post("sign out", "/dang-xuat", {})

    def new_phone(self) -> str:
        return next(self.numbers[0])

    def new_resident_phone(self) -> str:
        return next(self.numbers[1])


# --- scenarios ------------------------------------------------------------------------------
def resident_reads_home(v: Visitor) -> None:
    v.get("home", "/")
    v.get("health", "/healthz")


def resident_switches_language(v: Visitor) -> None:
    v.get("home", "/")
    v.post("switch language", "/ngon-ngu", {"lang": "en", "next": "/"})
    v.get("home", "/")


def volunteer_registers(v: Visitor) -> None:
    phone = v.new_phone()
    name = f"Tình Nguyện Viên {phone[-5:]}"
    v.get("registration form", "/dang-ky-tinh-nguyen-vien")
    response = v.post("register", "/dang-ky-tinh-nguyen-vien", {
        "full_name": name, "phone": phone, "birth_year": random.randint(1960, 2008),
        "kind": random.choice(["youth_union", "teacher", "student", "business", "other"]),
        "organisation": "Chi đoàn phường", "password": "mat-khau-thu-tai",
        "password_confirm": "mat-khau-thu-tai"})
    if response.status_code == 303:
        v.accepted("registration", phone, name)


def two_people_register_one_number(v: Visitor) -> None:
    """A grandson and his grandmother's neighbour type the same number at the same time."""
    phone = v.new_phone()
    others = [Visitor(v.base, v.recorder, v.budget, v.numbers, v.pools) for _n in range(2)]
    for other in others:
        other.get("registration form", "/dang-ky-tinh-nguyen-vien")
    barrier = threading.Barrier(2)
    results = []

    def send(other: Visitor, n: int) -> None:
        barrier.wait()
        try:
            response = other.post("register (same number)", "/dang-ky-tinh-nguyen-vien", {
                "full_name": f"Người Trùng Số {n}", "phone": phone, "birth_year": 1990,
                "kind": "other", "password": "mat-khau-thu-tai",
                "password_confirm": "mat-khau-thu-tai"}, expect=(303, 422))
            results.append((response.status_code, f"Người Trùng Số {n}"))
        except OutOfBudget:
            pass

    threads = [threading.Thread(target=send, args=(o, n)) for n, o in enumerate(others)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [name for status, name in results if status == 303]
    if len(results) == 2 and len(winners) != 1:
        with v.recorder.lock:
            v.recorder.unexpected.append(f"same number registered {len(winners)} times")
    for name in winners:
        v.accepted("registration", phone, name)


def volunteer_changes_password(v: Visitor) -> None:
    phone = v.new_phone()
    v.get("registration form", "/dang-ky-tinh-nguyen-vien")
    response = v.post("register", "/dang-ky-tinh-nguyen-vien", {
        "full_name": f"Tình Nguyện Viên {phone[-5:]}", "phone": phone, "birth_year": 2000,
        "kind": "student", "password": "mat-khau-thu-tai", "password_confirm": "mat-khau-thu-tai"})
    if response.status_code != 303:
        return
    v.accepted("registration", phone, f"Tình Nguyện Viên {phone[-5:]}")
    v.get("change password form", "/doi-mat-khau")
    new = "mat-khau-moi-" + secrets.token_hex(4)
    if v.post("change password", "/doi-mat-khau", {
            "current_password": "mat-khau-thu-tai", "new_password": new,
            "new_password_confirm": new}).status_code == 303:
        v.accepted("password", phone, new)
    v.get("home", "/")
    if v.post("switch language", "/ngon-ngu", {"lang": "en", "next": "/"}).status_code == 303:
        v.accepted("locale", phone, "en")


def volunteer_signs_in_and_browses(v: Visitor) -> None:
    with v.account("volunteer") as phone:
        v.sign_in(phone)
        v.get("home (signed in)", "/")
        v.get("change password form", "/doi-mat-khau")
        v.sign_out()


def leader_signs_in(v: Visitor) -> None:
    with v.account("leader") as phone:
        v.sign_in(phone)
        v.get("home (signed in)", "/")
        v.get("audit log (refused)", "/quan-tri/nhat-ky", expect=(403,))
        v.sign_out()


def official_reads_the_audit_log(v: Visitor) -> None:
    with v.account("official") as phone:
        v.sign_in(phone)
        v.get("audit log", "/quan-tri/nhat-ky")
        v.get("audit log (filtered)", "/quan-tri/nhat-ky?action=denied",
              headers={"HX-Request": "true"})
        v.sign_out()


def administrator_checks_counts(v: Visitor) -> None:
    with v.account("admin") as phone:
        v.sign_in(phone)
        v.get("administration", "/quan-tri")
        v.sign_out()


def someone_mistypes_a_password(v: Visitor) -> None:
    v.get("login page", "/dang-nhap")
    # Numbers near the demo accounts but not theirs: their locks must not lock anyone out.
    v.post("sign in (wrong password)", "/dang-nhap",
           {"phone": f"09010001{random.randint(0, 99):02d}", "password": "sai-mat-khau"},
           expect=(422, 429))


def stale_form(v: Visitor) -> None:
    v.post("stale form (no CSRF token)", "/dang-nhap", {"phone": "0912345678"},
           expect=(400,), csrf=False)


# --- residents, volunteers, leaders --------------------------------------------------------
CODE_RE = re.compile(r'id="tracking-code">([^<]+)<')
TRACKED_RE = re.compile(r"/theo-doi/(\d+)$")
TAKERS_LOCK = threading.Lock()


def file_request(v: Visitor) -> tuple[str, str, int] | None:
    """A resident (or a relative) fills in the public request form, reads the tracking code
    and looks it up: (phone, code, request id), or None if it was not accepted."""
    form = v.pools["form"]
    phone = v.new_resident_phone()
    v.get("request form", "/xin-ho-tro")
    response = v.post("file a request", "/xin-ho-tro", {
        "full_name": f"Bà Nguyễn Thị {phone[-4:]}", "phone": phone, "ward": form["ward"],
        "group": form["group"], "topics": random.sample(form["topics"], 1 + (len(
            form["topics"]) > 1)), "times": [], "place": "home", "gender": "female",
        "birth_year": random.randint(1940, 1965), "note": "Cháu ở xa, nhờ tổ giúp bà.",
        "consent": "y", "website": ""})
    if response.status_code != 303:
        return None
    v.accepted("request", e164(phone), None)  # its code once the page showed it
    page = v.get("request filed (tracking code)", "/xin-ho-tro/da-gui")
    match = CODE_RE.search(page.text)
    if not match:
        with v.recorder.lock:
            v.recorder.unexpected.append("request accepted but no tracking code shown")
        return None
    code = "".join(ch for ch in match.group(1) if ch.isalnum())
    v.accepted("request", e164(phone), code)
    # Someone else (a grandson on his own phone) looks it up with the code and the number.
    other = Visitor(v.base, v.recorder, v.budget, v.numbers, v.pools)
    other.get("tracking form", "/theo-doi")
    found = other.post("track a request", "/theo-doi", {"code": code, "phone": phone})
    tracked = TRACKED_RE.search(found.headers.get("Location", ""))
    if not tracked:
        with v.recorder.lock:
            v.recorder.unexpected.append(f"request {code} not found by tracking")
        return None
    other.get("request status", f"/theo-doi/{tracked.group(1)}")
    return phone, code, int(tracked.group(1))


def resident_files_a_request(v: Visitor) -> None:
    file_request(v)


def volunteers_race_for_a_request(v: Visitor) -> None:
    """A request is filed; three verified volunteers open "near me" and tap accept at the
    same moment: exactly one of them must get it."""
    filed = file_request(v)
    if filed is None:
        return
    _phone, code, request_id = filed
    with TAKERS_LOCK:
        takers = [v.pools["taker"].get() for _n in range(3)]
    try:
        racers = [Visitor(v.base, v.recorder, v.budget, v.numbers, v.pools) for _p in takers]
        for racer, phone in zip(racers, takers):
            racer.sign_in(phone)
            racer.get("requests near me", "/yeu-cau-gan-ban")
        barrier = threading.Barrier(len(racers))
        results = []

        def accept(racer: Visitor, phone: str) -> None:
            try:
                barrier.wait(timeout=60)
                response = racer.post("accept a request (race)",
                                      f"/yeu-cau-gan-ban/{request_id}/nhan", {},
                                      expect=(200, 409), headers={"HX-Request": "true"})
                results.append((response.status_code, phone))
            except (OutOfBudget, threading.BrokenBarrierError):
                barrier.abort()

        threads = [threading.Thread(target=accept, args=pair) for pair in zip(racers, takers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [phone for status, phone in results if status == 200]
        with v.recorder.lock:
            if len(results) == len(racers):
                v.recorder.races += 1
            if len(winners) > 1 or (len(results) == len(racers) and len(winners) != 1):
                v.recorder.unexpected.append(f"request {code} accepted by {len(winners)}")
        if winners:
            v.accepted("acceptance", code, e164(winners[0]))
            racers[takers.index(winners[0])].get(
                "accepted request", f"/yeu-cau-gan-ban/{request_id}")
        for racer in racers:
            racer.sign_out()
    finally:
        for phone in takers:
            v.pools["taker"].put(phone)


def volunteer_opens_requests_near_me(v: Visitor) -> None:
    with v.account("taker") as phone:
        v.sign_in(phone)
        v.get("requests near me", "/yeu-cau-gan-ban")
        v.get("requests near me (refresh)", "/yeu-cau-gan-ban",
              headers={"HX-Request": "true"})
        v.sign_out()


def leader_works_the_queue(v: Visitor) -> None:
    with v.account("leader") as phone:
        v.sign_in(phone)
        v.get("leader queue", "/yeu-cau-cua-to")
        v.get("week calendar", "/lich")
        v.get("coverage", "/do-bao-phu")
        v.sign_out()


# (scenario, weight): residents read, volunteers register and sign in, leaders and officials
# work. Extend this list as areas add pages.
SCENARIOS = [
    (resident_reads_home, 30),
    (resident_switches_language, 4),
    (volunteer_registers, 12),
    (two_people_register_one_number, 3),
    (volunteer_changes_password, 4),
    (volunteer_signs_in_and_browses, 10),
    (leader_signs_in, 6),
    (official_reads_the_audit_log, 6),
    (administrator_checks_counts, 2),
    (someone_mistypes_a_password, 4),
    (stale_form, 2),
    (resident_files_a_request, 14),
    (volunteers_race_for_a_request, 6),
    (volunteer_opens_requests_near_me, 8),
    (leader_works_the_queue, 8),
]


# --- verification ---------------------------------------------------------------------------
def e164(phone: str) -> str:
    return "+84" + phone[1:]


def verify_registrations(conn, expected: dict, prefix: str) -> list[str]:
    rows = dict(conn.execute(
        "SELECT u.phone, u.full_name FROM user_account u JOIN volunteer_profile p "
        "ON p.user_id = u.id WHERE u.phone LIKE %s", (e164(prefix) + "%",)).fetchall())
    problems = [f"registration of {p} missing or wrong" for p, name in expected.items()
                if rows.get(e164(p)) != name]
    extra = set(rows) - {e164(p) for p in expected}
    problems += [f"account {p} exists but no registration was accepted" for p in extra]
    return problems


def verify_passwords(conn, expected: dict, _prefix: str) -> list[str]:
    from argon2 import PasswordHasher
    from argon2.exceptions import VerificationError

    hasher, problems = PasswordHasher(), []
    for phone, password in expected.items():
        row = conn.execute("SELECT password_hash FROM user_account WHERE phone = %s",
                           (e164(phone),)).fetchone()
        try:
            hasher.verify(row[0], password)
        except (TypeError, VerificationError):
            problems.append(f"password change of {phone} lost")
    return problems


def verify_locales(conn, expected: dict, _prefix: str) -> list[str]:
    return [f"language of {phone} lost" for phone, locale in expected.items()
            if (conn.execute("SELECT locale FROM user_account WHERE phone = %s",
                             (e164(phone),)).fetchone() or [None])[0] != locale]


def verify_requests(conn, expected: dict, _prefix: str) -> list[str]:
    """Every request answered with success exists, for that phone, under the tracking code
    the page showed; no other request was filed from the load test's resident numbers."""
    rows = defaultdict(list)
    for phone, code in conn.execute(
            "SELECT r.phone, h.code FROM help_request h JOIN resident r "
            "ON r.id = h.resident_id WHERE r.phone LIKE %s", (RESIDENT_PREFIX[0] + "%",)):
        rows[phone].append(code)
    problems = [f"request from {phone} (code {code}) missing or wrong"
                for phone, code in expected.items()
                if len(rows.get(phone, [])) != 1 or code not in (None, rows[phone][0])]
    problems += [f"request from {phone} exists but was not accepted"
                 for phone in set(rows) - set(expected)]
    return problems


def verify_acceptances(conn, expected: dict, _prefix: str) -> list[str]:
    """Each accepted request has exactly one volunteer, the one told they won; no request
    of the load test is held by anyone else."""
    rows = {code: (phone, status) for code, phone, status in conn.execute(
        "SELECT h.code, u.phone, h.status FROM help_request h "
        "JOIN resident r ON r.id = h.resident_id "
        "JOIN volunteer_profile p ON p.id = h.volunteer_id "
        "JOIN user_account u ON u.id = p.user_id WHERE r.phone LIKE %s",
        (RESIDENT_PREFIX[0] + "%",)).fetchall()}
    problems = [f"acceptance of {code} lost or given to someone else"
                for code, phone in expected.items()
                if rows.get(code, (None, None))[0] != phone]
    problems += [f"request {code} held but no acceptance answered"
                 for code in set(rows) - set(expected)]
    return problems


RESIDENT_PREFIX = [""]  # "+8491NN", set per run
VERIFY = {"registration": verify_registrations, "password": verify_passwords,
          "locale": verify_locales, "request": verify_requests,
          "acceptance": verify_acceptances}


# --- running --------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def run_flask(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=16, help="concurrent visitors")
    parser.add_argument("--requests", type=int, default=3000, help="stop after this many")
    parser.add_argument("--duration", type=float, default=90, help="or after this many seconds")
    parser.add_argument("--admin-url", default=os.environ.get(
        "LOADTEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL on this machine, as a user who may create databases")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--seed", type=int, default=None, help="random seed of the workload")
    parser.add_argument("--make-accounts", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_accounts:
        print(json.dumps(make_accounts(args.make_accounts)))
        return 0

    import psycopg

    admin_url = args.admin_url
    host = psycopg.conninfo.conninfo_to_dict(admin_url).get("host", "127.0.0.1")
    if host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the load test runs against this machine only (loopback)")
    random.seed(args.seed)
    db_name = f"chs_load_{secrets.token_hex(4)}"
    database_url = admin_url.rsplit("/", 1)[0] + "/" + db_name
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    error_log = OUT / f"gunicorn-{stamp}.log"
    env = {**os.environ, "DATABASE_URL": database_url, "APP_ENV": "development",
           "SECRET_KEY": secrets.token_hex(32), "INSTANCE_PATH": tempfile.mkdtemp(),
           "PYTHONPATH": str(ROOT)}
    env.pop("REDIS_URL", None)

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db_name}"')
    server = None
    try:
        print(f"== scratch database {db_name}: migrations and demo data")
        run_flask(env, "db", "upgrade")
        run_flask(env, "seed-demo")
        made = subprocess.run([sys.executable, __file__, "--make-accounts",
                               str(args.threads)], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        if made.returncode:
            errors = [line for line in made.stderr.splitlines() if "Error" in line]
            raise SystemExit("setting up the accounts failed:\n" + "\n".join(errors)[-3000:])
        pools = {}
        setup = json.loads(made.stdout)
        pools["form"] = setup.pop("form")
        for role, phones in setup.items():
            pools[role] = Queue()
            for phone in phones:
                pools[role].put(phone)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        print(f"== gunicorn, {args.workers} workers, on {base}")
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", str(args.workers), "--bind",
             f"127.0.0.1:{port}", "--pythonpath", str(ROOT / "bench"), "--timeout", "60",
             "--error-logfile", str(error_log), "--capture-output", "loadtest:bench_app()"],
            cwd=ROOT, env=env)
        for _n in range(120):
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.25)
        else:
            raise SystemExit("gunicorn did not start")

        prefix = f"097{random.randint(10, 99)}"
        counter = itertools.count(1)
        numbers_lock = threading.Lock()

        def numbers():
            while True:
                with numbers_lock:
                    n = next(counter)
                yield f"{prefix}{n:05d}"

        resident_prefix = f"091{random.randint(10, 99)}"
        RESIDENT_PREFIX[0] = e164(resident_prefix)
        resident_counter = itertools.count(1)

        def resident_numbers():
            while True:
                with numbers_lock:
                    n = next(resident_counter)
                yield f"{resident_prefix}{n:05d}"

        phone_source = (numbers(), resident_numbers())
        recorder = Recorder()
        budget = Budget(args.requests, args.duration)
        scenarios, weights = zip(*SCENARIOS)

        def visitor_loop() -> None:
            while budget.left > 0 and time.monotonic() < budget.deadline:
                scenario = random.choices(scenarios, weights)[0]
                try:
                    scenario(Visitor(base, recorder, budget, phone_source, pools))
                    with recorder.lock:
                        recorder.scenarios[scenario.__name__] += 1
                except OutOfBudget:
                    return

        print(f"== workload: {args.threads} visitors, up to {args.requests} requests "
              f"or {args.duration:.0f} s")
        started = time.monotonic()
        with ThreadPoolExecutor(args.threads) as pool:
            for future in [pool.submit(visitor_loop) for _n in range(args.threads)]:
                future.result()
        elapsed = time.monotonic() - started
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)

    log_text = error_log.read_text(errors="replace") if error_log.exists() else ""
    tracebacks = log_text.count("Traceback")
    with psycopg.connect(database_url) as conn:
        lost = []
        for kind, expected in recorder.writes.items():
            lost += VERIFY[kind](conn, expected, prefix)
        accepted = sum(len(v) for v in recorder.writes.values())
    if not args.keep:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')

    all_latencies = [x for values in recorder.latencies.values() for x in values]
    report = {
        "when": stamp, "workers": args.workers, "threads": args.threads,
        "cpus": os.cpu_count(), "requests": recorder.sent, "seconds": round(elapsed, 1),
        "requests_per_second": round(recorder.sent / elapsed, 1),
        "p50_ms": round(1000 * percentile(all_latencies, .50)),
        "p95_ms": round(1000 * percentile(all_latencies, .95)),
        "p99_ms": round(1000 * percentile(all_latencies, .99)),
        "server_errors": recorder.server_errors + [f"{tracebacks} traceback(s) in "
                                                   f"{error_log.name}"] * bool(tracebacks),
        "unexpected": recorder.unexpected, "accepted_writes": accepted, "lost_writes": lost,
        "scenarios": dict(recorder.scenarios), "accept_races": recorder.races,
        "writes_by_kind": {kind: len(v) for kind, v in recorder.writes.items()},
        "steps": {step: {"count": len(values),
                         "statuses": dict(recorder.statuses[step]),
                         "p50_ms": round(1000 * statistics.median(values)),
                         "p95_ms": round(1000 * percentile(values, .95)),
                         "max_ms": round(1000 * max(values))}
                  for step, values in sorted(recorder.latencies.items())},
    }
    (OUT / f"loadtest-{stamp}.json").write_text(json.dumps(report, ensure_ascii=False,
                                                           indent=2))
    print(f"\n{'step':<32}{'count':>7}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}  statuses")
    for step, row in report["steps"].items():
        statuses = " ".join(f"{k}×{v}" for k, v in sorted(row["statuses"].items()))
        print(f"{step:<32}{row['count']:>7}{row['p50_ms']:>8}{row['p95_ms']:>8}"
              f"{row['max_ms']:>8}  {statuses}")
    print(f"\n{recorder.sent} requests in {elapsed:.1f} s = {report['requests_per_second']} "
          f"req/s; latency p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms, "
          f"p99 {report['p99_ms']} ms ({args.workers} workers, {args.threads} visitors, "
          f"{os.cpu_count()} CPUs)")
    print(f"server errors: {len(report['server_errors'])}; unexpected answers: "
          f"{len(recorder.unexpected)}; accepted writes: {accepted}, "
          f"missing or extra in the database: {len(lost)}")
    print(f"writes by kind: {report['writes_by_kind']}; races to accept one request: "
          f"{recorder.races}, each with exactly one winner unless listed below")
    for line in (report["server_errors"] + recorder.unexpected + lost)[:20]:
        print("  " + line)
    print(f"report: {OUT / f'loadtest-{stamp}.json'}")
    return 1 if report["server_errors"] or recorder.unexpected or lost else 0


if __name__ == "__main__":
    sys.exit(main())
