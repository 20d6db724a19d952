"""The people of one generated ward: its groups, officials and leaders, households and
residents, volunteers, and the residents' own rows once their first activity is known.

`WardPeople` is a part of `WardBuilder` (app.seeding.ward), which holds the state
(`ctx`, `rng`, `rows`, `groups`, `vols`, …) its methods use.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.residents.services import CONSENT_WORDING_VERSION
from app.seeding.context import SPAN_DAYS, allocate, person_name, to_utc
from app.seeding.vocabulary import (BUSINESSES, OTHER_ORGS, SCHOOLS, STREETS, TEACHER_SCHOOLS,
                                    VILLAGE_NAMES)
from app.text import fold
from app.timeslots import COARSE_CHOICES


@dataclass
class Vol:
    """A volunteer of the ward as the generator books them."""

    id: int
    user_id: int
    minor: bool
    topics: frozenset
    availability: int
    verified_at: datetime | None
    groups: list = field(default_factory=list)


@dataclass
class GroupInfo:
    """A residential group of the ward: its residents, leaders and who may serve it."""

    id: int
    index: int
    name: str
    community_house: str
    target_residents: int = 0
    residents: list = field(default_factory=list)
    leaders: list = field(default_factory=list)
    eligible: list = field(default_factory=list)      # Vol, sorted by verified_at
    eligible_at: list = field(default_factory=list)   # their verified_at
    underserved: bool = False


class WardPeople:
    """Areas and people of a ward (a part of WardBuilder)."""

    def build_groups(self, n_groups: int, n_residents: int) -> None:
        rng, ctx = self.rng, self.ctx
        weights = [rng.lognormvariate(0, 0.45) for _ in range(n_groups)]
        counts = allocate(n_residents, weights)
        ward_code = f"{'X' if self.rural else 'P'}{self.index + 1:03d}"
        for n in range(1, n_groups + 1):
            gid = ctx.ids.next("residential_group")
            if self.rural:
                gname = f"Thôn {VILLAGE_NAMES[(n - 1) % len(VILLAGE_NAMES)]}"
                if n > len(VILLAGE_NAMES):
                    gname += f" {(n - 1) // len(VILLAGE_NAMES) + 1}"
                house = f"Nhà văn hóa thôn {gname[5:]}"
            else:
                gname = f"Tổ dân phố số {n}"
                house = f"Nhà văn hóa tổ {n}"
            residents = counts[n - 1]
            if rng.random() < 0.9:
                adults = max(residents + 20, int(residents * rng.uniform(2.5, 6.0)))
                households = max(1, int(adults / rng.uniform(2.0, 2.8)))
                counted = self.ctx.today - timedelta(days=rng.randrange(20, 400))
            else:  # the leader has not entered the denominators yet
                adults = households = counted = None
            self.rows["residential_group"].append((
                gid, self.ward_id, gname, f"{ward_code}-{n:02d}", n - 1, house, adults,
                households, counted))
            # A few groups have too few volunteers: their requests wait long.
            self.groups.append(GroupInfo(id=gid, index=n - 1, name=gname, community_house=house,
                                         target_residents=residents,
                                         underserved=rng.random() < 0.08))

    def build_officials(self) -> None:
        rng = self.rng
        start = self.local_now() - timedelta(days=SPAN_DAYS + 30)
        self.officials = []
        for k in range(2):
            female = rng.random() < 0.55
            name, _ = person_name(rng, female, elderly=False)
            uid = self.user(name, start + timedelta(days=rng.random() * 30),
                            known_key=("official", "official2")[k])
            self.membership(uid, "official", ward_id=self.ward_id)
            self.officials.append(uid)
        for g in self.groups:
            n_leaders = 2 if rng.random() < 0.15 else 1
            for k in range(n_leaders):
                female = rng.random() < 0.45
                name, _ = person_name(rng, female, elderly=rng.random() < 0.6)
                known = "leader" if g.index == 0 and k == 0 else None
                uid = self.user(name, start + timedelta(days=rng.random() * 60), known_key=known)
                self.membership(uid, "leader", group_id=g.id)
                g.leaders.append(uid)

    def build_residents(self) -> None:
        rng, ctx = self.rng, self.ctx
        rows_h, rows_r = self.rows["household"], self.rows["resident"]
        year = ctx.today.year
        for g in self.groups:
            house_no = 0
            remaining = g.target_residents
            while remaining > 0:
                size = min(remaining, 1 if rng.random() < 0.5 else (2 if rng.random() < 0.7 else 3))
                remaining -= size
                house_no += 1
                hid = ctx.ids.next("household")
                if self.rural:
                    address = f"Số nhà {house_no}, xóm {1 + house_no // 40}, thôn {g.name[5:]}"
                else:
                    street = STREETS[(self.index * 7 + g.index) % len(STREETS)]
                    if rng.random() < 0.6:
                        address = f"Số {house_no}, ngõ {10 + g.index * 3 % 90} {street}"
                    else:
                        address = f"Số {house_no} phố {street}"
                rows_h.append((hid, g.id, address, fold(address)))
                for _ in range(size):
                    rid = ctx.ids.next("resident")
                    female = rng.random() < 0.58
                    age_roll = rng.random()
                    if age_roll < 0.5:
                        birth = year - rng.randint(65, 90)
                    elif age_roll < 0.85:
                        birth = year - rng.randint(45, 64)
                    else:
                        birth = year - rng.randint(18, 44)
                    elderly = year - birth >= 60
                    name, folded = person_name(rng, female, elderly)
                    phone = ctx.resident_phone(rng) if rng.random() < 0.85 else None
                    surveyed = rng.random() < 0.6
                    smart = rng.random() < (0.62 if elderly else 0.9)
                    epay = smart and rng.random() < (0.4 if elderly else 0.75)
                    vneid = rng.random() < (0.35 if elderly else 0.7)
                    zalo = smart and rng.random() < 0.8
                    surveyed_on = (ctx.today - timedelta(days=rng.randrange(5, SPAN_DAYS))
                                   if surveyed else None)
                    # created_at is filled in by finish_residents (before any activity).
                    rows_r.append([
                        rid, name, folded, phone, birth, "female" if female else "male", g.id,
                        hid, None, None, None, smart if surveyed else None,
                        epay if surveyed else None, vneid if surveyed else None,
                        zalo if surveyed else None, surveyed_on, None])
                    g.residents.append(rid)
                    self.resident_group[rid] = g
                    self.resident_address[rid] = address

    def build_volunteers(self, n: int) -> None:
        rng, ctx = self.rng, self.ctx
        year = ctx.today.year
        start = self.local_now() - timedelta(days=SPAN_DAYS + 20)
        ward_short = self.ward_name
        checkers = self.officials + [u for g in self.groups for u in g.leaders]
        for k in range(n):
            first = k < 3  # a few verified from the start, so early requests find someone
            kind_roll = rng.random()
            if first or kind_roll < 0.40:
                kind = "youth_union"
                birth = year - rng.randint(19, 34)
                org = f"Chi đoàn {ward_short}"
            elif kind_roll < 0.65:
                kind = "student"
                birth = year - rng.randint(15, 22)
                org = rng.choice(SCHOOLS)
            elif kind_roll < 0.80:
                kind = "teacher"
                birth = year - rng.randint(24, 60)
                org = rng.choice(TEACHER_SCHOOLS)
            elif kind_roll < 0.92:
                kind = "business"
                birth = year - rng.randint(22, 50)
                org = rng.choice(BUSINESSES)
            else:
                kind = "other"
                birth = year - rng.randint(25, 70)
                org = rng.choice(OTHER_ORGS)
                if org:
                    org = f"{org} {ward_short}"
            minor = year - birth < 18
            female = rng.random() < 0.55
            name, _ = person_name(rng, female, elderly=False)
            status_roll = rng.random()
            if first:
                created = start + timedelta(days=rng.random() * 5)
            elif status_roll < 0.14:  # registered lately, waiting for verification
                created = self.local_now() - timedelta(days=rng.random() * 45)
            else:
                created = start + timedelta(days=SPAN_DAYS * (1 - math.sqrt(1 - rng.random())))
                created = min(created, self.local_now() - timedelta(days=50))
            uid = self.user(name, created, known_key="volunteer" if k == 0 else None)
            self.membership(uid, "volunteer")
            vid = ctx.ids.next("volunteer_profile")
            verified_at = verified_by = revoked_at = revoked_reason = None
            if first or status_roll >= 0.14:
                verified_local = created + timedelta(days=rng.uniform(0.5, 10))
                verified_at = to_utc(verified_local)
                verified_by = rng.choice(checkers)
                if not first and rng.random() < 0.012:
                    revoked_at = to_utc(verified_local + timedelta(days=rng.randrange(20, 200)))
                    revoked_reason = "Vi phạm quy định: hỏi mã OTP của người dân"
            if first:
                availability = (COARSE_CHOICES["weekday_morning"][1]
                                | COARSE_CHOICES["weekend_morning"][1]
                                | COARSE_CHOICES["weekend_afternoon"][1]
                                | COARSE_CHOICES["weekday_evening"][1])
            else:
                availability = 0
                for _ in range(rng.choice((1, 2, 2, 3))):
                    availability |= ctx.coarse_supply(rng)
            # The benchmarks' known volunteer accepts request after request: room for it.
            capacity = 50 if first else rng.choice((1, 2, 2, 3, 3, 3, 4, 5))
            guardian = guardian_on = None
            if minor:
                parent, _ = person_name(rng, rng.random() < 0.5, elderly=False)
                guardian = f"{parent} ({'mẹ' if 'Thị' in parent else 'bố'})"
                guardian_on = (created - timedelta(days=rng.randrange(1, 20))).date()
            paused = None
            if verified_at and rng.random() < 0.03:
                paused = ctx.today + timedelta(days=rng.randrange(3, 40))
            phone_row = self.rows["user_account"][-1]
            zalo = phone_row[1].replace("+84", "0") if rng.random() < 0.5 else None
            self.rows["volunteer_profile"].append((
                vid, uid, kind, org, birth, zalo, availability, capacity, paused, guardian,
                guardian_on, verified_at, verified_by, revoked_at, revoked_reason,
                to_utc(created)))
            # Topics: most teach the core ones, some a specialty too.
            n_topics = 4 if first else rng.choice((2, 2, 3, 3, 4, 5, 6))
            topics = set(self.ctx.core if first else ())
            while len(topics) < n_topics:
                topics.add(ctx.demand(rng))
            for tid in sorted(topics):
                self.rows["volunteer_topic"].append((vid, tid))
            ward_wide = first or rng.random() < 0.4
            vol = Vol(id=vid, user_id=uid, minor=minor, topics=frozenset(topics),
                      availability=availability, verified_at=verified_at)
            if ward_wide:
                self.rows["volunteer_area"].append(
                    (ctx.ids.next("volunteer_area"), vid, self.ward_id, None))
                vol.groups = self.groups
            else:
                served = rng.sample(self.groups, min(len(self.groups), rng.choice((1, 1, 2, 3))))
                for g in served:
                    self.rows["volunteer_area"].append(
                        (ctx.ids.next("volunteer_area"), vid, None, g.id))
                vol.groups = served
            self.vols.append(vol)
            if verified_at and not revoked_at:
                for g in vol.groups:
                    g.eligible.append(vol)
        for g in self.groups:
            g.eligible.sort(key=lambda v: v.verified_at)
            g.eligible_at = [v.verified_at for v in g.eligible]

    # --- the residents' own rows, now that their first activity is known --------------------------
    def finish_residents(self) -> None:
        rng = self.rng
        now = self.local_now()
        consent = self.rows["consent"]
        ids = self.ctx.ids
        for row in self.rows["resident"]:
            rid = row[0]
            first = self.first_seen.get(rid)
            if first is None:
                created = self.past_moment()
            else:
                created = first - timedelta(days=rng.uniform(0, 20), minutes=rng.randrange(1, 600))
            created = min(created, now - timedelta(minutes=1))
            row[10] = to_utc(created)
            g = self.resident_group[rid]
            roll = rng.random()
            method = "online" if roll < 0.35 else "in_person" if roll < 0.85 else "phone"
            captured = rng.choice(g.leaders) if method != "online" and g.leaders else None
            consent.append((ids.next("consent"), rid, to_utc(created), CONSENT_WORDING_VERSION,
                            method, captured, None))
        self.rows["resident"] = [tuple(r) for r in self.rows["resident"]]
