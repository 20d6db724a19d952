"""The generator of one ward: builds every row of the ward in memory, then hands them to a
writer (app.seeding.tables). Its parts: people (app.seeding.people), one-to-one requests
(app.seeding.requests) and group classes (app.seeding.classes); here are the state they
share, the booking of volunteers and rooms, and the rows of activity."""
from __future__ import annotations

import base64
import bisect
import math
import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from app.seeding.classes import WardClasses
from app.seeding.context import (SPAN_DAYS, WINDOWS, WINDOWS_PER_DAY, Context, request_code,
                                 to_utc)
from app.seeding.people import GroupInfo, Vol, WardPeople
from app.seeding.requests import WardRequests
from app.seeding.tables import TABLES
from app.seeding.vocabulary import NO_SHOW_NOTE, OUTCOME_NOTES, REQUEST_NOTES


class WardBuilder(WardPeople, WardRequests, WardClasses):
    """Builds every row of one ward in memory, then hands them to a writer."""

    def __init__(self, ctx: Context, index: int, known: dict | None):
        self.ctx = ctx
        self.index = index
        self.rng = random.Random(f"{ctx.seed}:{index}")
        self.known = known or {}
        self.rows: dict[str, list[tuple]] = {t: [] for t in TABLES}
        self.groups: list[GroupInfo] = []
        self.vols: list[Vol] = []
        self.busy_vol: dict[int, set] = defaultdict(set)
        self.busy_room: dict[int, set] = defaultdict(set)
        self.first_seen: dict[int, datetime] = {}
        self.resident_group: dict[int, GroupInfo] = {}
        self.resident_address: dict[int, str] = {}
        self.sessions = 0
        self.opened = 0

    # --- small helpers ---------------------------------------------------------------
    def past_moment(self, max_days: float = SPAN_DAYS, min_days: float = 0.0) -> datetime:
        """A local time in the past, denser towards today (the campaign grows)."""
        days = min_days + (max_days - min_days) * (1.0 - math.sqrt(self.rng.random()))
        moment = self.ctx.midnight - timedelta(days=days)
        return moment.replace(hour=self.rng.randint(7, 20), minute=self.rng.randrange(0, 60),
                              second=self.rng.randrange(0, 60))

    def local_now(self) -> datetime:
        return self.ctx.midnight

    def token(self) -> str:
        return base64.urlsafe_b64encode(self.rng.randbytes(18)).decode()

    def user(self, name: str, created: datetime, known_key: str | None = None) -> int:
        ctx = self.ctx
        uid = ctx.ids.next("user_account")
        if known_key and known_key in self.known:
            phone, name = self.known[known_key]
        else:
            phone = ctx.user_phone()
        last_login = None
        if self.rng.random() < 0.8:
            last_login = to_utc(self.local_now() - timedelta(days=self.rng.random() * 60))
        self.rows["user_account"].append((
            uid, phone, name, None, ctx.password_hash, self.token(), None, True,
            to_utc(created), last_login))
        return uid

    def membership(self, user_id: int, role: str, ward_id=None, group_id=None) -> None:
        self.rows["membership"].append(
            (self.ctx.ids.next("membership"), user_id, role, ward_id, group_id))

    # --- the ward, part by part ------------------------------------------------------
    def build(self, ward_id: int, kind: str, name: str, n_groups: int, n_residents: int,
              n_volunteers: int, n_requests: int, n_sessions: int,
              n_open: int | None = None) -> None:
        self.ward_id = ward_id
        self.rural = kind == "Xã"
        self.ward_name = name
        self.build_groups(n_groups, n_residents)
        self.build_officials()
        self.build_residents()
        self.build_volunteers(n_volunteers)
        produced = self.build_requests(round(n_requests * 0.85), n_open)
        class_requests = max(0, n_requests - produced)
        self.build_classes(max(0, n_sessions - self.sessions), class_requests)
        self.finish_residents()

    # --- choosing volunteers and times ----------------------------------------------------
    def pick_volunteer(self, g: GroupInfo, at: datetime, topics, mask: int, home: bool,
                       adult_only: bool = False):
        """A verified volunteer serving the group at `at`, preferably fit (topic, time)."""
        n = bisect.bisect_right(g.eligible_at, at)
        if n == 0:
            return None
        rng = self.rng
        fallback = None
        for _ in range(6):
            vol = g.eligible[rng.randrange(n)]
            if (home or adult_only) and vol.minor:
                continue
            if fallback is None:
                fallback = vol
            if vol.topics.isdisjoint(topics):
                continue
            if mask and not (vol.availability & mask):
                continue
            return vol
        if fallback is None:
            adults = [v for v in g.eligible[:n] if not v.minor]
            fallback = rng.choice(adults) if adults else None
        return fallback

    def place_in_time(self, first_day: date, mask: int, vols, minutes: int, room=None,
                      days: int = 21):
        """The start of the first free window from `first_day` inside `mask`; books it.

        Falls back to any window when the mask has none free for `days` days."""
        ctx, rng = self.ctx, self.rng
        for attempt_mask in (mask, (1 << 21) - 1):
            if not attempt_mask:
                continue
            day = first_day
            for _ in range(days):
                windows = ctx.windows(attempt_mask, day.weekday())
                if windows:
                    offset = rng.randrange(len(windows))
                    for i in range(len(windows)):
                        w = windows[(i + offset) % len(windows)]
                        key = day.toordinal() * WINDOWS_PER_DAY + w
                        if room is not None and key in self.busy_room[room]:
                            continue
                        if any(key in self.busy_vol[v.id] for v in vols):
                            continue
                        for v in vols:
                            self.busy_vol[v.id].add(key)
                        if room is not None:
                            self.busy_room[room].add(key)
                        late = minutes <= 90 and rng.random() < 0.4
                        return datetime.combine(day, time(WINDOWS[w][1], 30 if late else 0))
                day += timedelta(days=1)
        return None

    # --- writing activity ------------------------------------------------------------------
    def request_row(self, g: GroupInfo, resident: int, status: str, place: str, mask: int,
                    created: datetime, topics, volunteer=None, assigned=None, closed=None,
                    cancel_reason=None, follow_up_of=None, rid: int | None = None) -> int:
        ctx, rng = self.ctx, self.rng
        rid = rid or ctx.ids.next("help_request")
        by_leader = g.leaders and rng.random() < 0.35
        created_by = rng.choice(g.leaders) if by_leader else None
        consent = (("in_person" if rng.random() < 0.6 else "phone") if by_leader else "online")
        note = rng.choice(REQUEST_NOTES) if rng.random() < 0.2 else None
        self.opened += status == "open"
        self.rows["help_request"].append((
            rid, request_code(rid), resident, g.id, status, place, mask, note, to_utc(created),
            created_by, consent, volunteer.id if volunteer else None,
            to_utc(assigned) if assigned else None, to_utc(closed) if closed else None,
            cancel_reason, follow_up_of))
        for tid in sorted(topics):
            self.rows["request_topic"].append((rid, tid))
        self.seen(resident, created)
        return rid

    def seen(self, resident: int, moment: datetime) -> None:
        first = self.first_seen.get(resident)
        if first is None or moment < first:
            self.first_seen[resident] = moment

    def session_row(self, kind: str, title: str, g: GroupInfo, request_id, place: str,
                    place_name, start: datetime, minutes: int, capacity: int, status: str,
                    created_by, created: datetime, topics, series=None,
                    cancel_reason=None) -> int:
        sid = self.ctx.ids.next("session")
        self.rows["session"].append((
            sid, kind, title, g.id, request_id, place, place_name, to_utc(start),
            to_utc(start + timedelta(minutes=minutes)), capacity, status, series, created_by,
            to_utc(created), cancel_reason))
        for tid in sorted(topics):
            self.rows["session_topic"].append((sid, tid))
        self.sessions += 1
        return sid

    def session_volunteer(self, session_id: int, vol: Vol, role: str, hours) -> None:
        self.rows["session_volunteer"].append(
            (self.ctx.ids.next("session_volunteer"), session_id, vol.id, role, hours))

    def enrollment(self, session_id: int, resident: int, request_id, status: str,
                   created: datetime) -> int:
        eid = self.ctx.ids.next("enrollment")
        self.rows["enrollment"].append(
            (eid, session_id, resident, request_id, status, to_utc(created)))
        self.seen(resident, created)
        return eid

    def outcome(self, enrollment_id: int, attended: bool, topics, recorder_user: int,
                ended: datetime, follow_up: bool = False) -> None:
        rng = self.rng
        oid = self.ctx.ids.next("outcome")
        confidence = note = None
        if attended:
            confidence = 1 + bisect.bisect_right((5, 15, 45, 80), rng.random() * 100)
            note = rng.choice(OUTCOME_NOTES) if rng.random() < 0.1 else None
            skills = self.rows["outcome_skill"]
            achieved = 0
            for tid in sorted(topics):
                for skill in self.ctx.skills.get(tid, ()):
                    if rng.random() < 0.45:
                        skills.append((oid, skill))
                        achieved += 1
            if not achieved and topics and rng.random() < 0.9:
                tid = min(topics)
                if self.ctx.skills.get(tid):
                    skills.append((oid, self.ctx.skills[tid][0]))
        else:
            note = NO_SHOW_NOTE
        recorded = min(ended + timedelta(hours=rng.uniform(0.2, 36)),
                       self.local_now() - timedelta(minutes=5))
        self.rows["outcome"].append((oid, enrollment_id, attended, confidence, follow_up, note,
                                     recorder_user, to_utc(recorded)))
