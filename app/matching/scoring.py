"""Who may take which request, and how well they fit — the one place these rules live.

Everything works on plain facts (`VolunteerFacts`, `RequestFacts`) and on whole
matrices at once (requests × volunteers, numpy), so the feed of one volunteer,
the suggestions for one request and the batch for a whole ward (2,000 requests ×
500 volunteers) all use the same code.

Eligibility (every rule must hold, checked in this order):
  verified  – verified by a leader or ward official, not revoked
  active    – not paused
  consent   – a volunteer under 18 has a parent's or school's consent on record
  capacity  – below their weekly capacity (see app.volunteers.services.weekly_load)
  area      – serves the request's group, or its whole ward
  topic     – teaches at least one of the request's topics
  time      – free at one of the preferred times (a request without any: any time)
  home      – a home visit by a volunteer under 18 only with their adult partner along

Score (higher is better; each component is shown in words):
  proximity    serves the group itself 30 ("cùng tổ") > serves the whole ward 15
  availability 5 per free slot in common, at most 3 slots (15)
  load         20 × free share of the weekly capacity ("1/3 buổi tuần này")
  experience   2 per finished session on the request's topics, at most 20
               ("đã dạy Zalo 12 lần")
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from flask_babel import gettext as _

from app import timeslots

PROXIMITY_GROUP = 30
PROXIMITY_WARD = 15
POINTS_PER_FREE_SLOT = 5
MAX_FREE_SLOTS = 3
LOAD_POINTS = 20
POINTS_PER_PAST_SESSION = 2
MAX_EXPERIENCE_POINTS = 20
MAX_SCORE = PROXIMITY_GROUP + POINTS_PER_FREE_SLOT * MAX_FREE_SLOTS + LOAD_POINTS \
    + MAX_EXPERIENCE_POINTS

RULES = ("verified", "active", "consent", "capacity", "area", "topic", "time", "home")


@dataclass(frozen=True)
class VolunteerFacts:
    """What matching needs to know about a volunteer (loaded in bulk by the services)."""

    id: int
    group_ids: frozenset[int] = frozenset()
    ward_ids: frozenset[int] = frozenset()
    topic_ids: frozenset[int] = frozenset()
    availability: int = 0
    capacity: int = 0
    load: int = 0
    verified: bool = True
    paused: bool = False
    minor: bool = False
    consent: bool = False
    # A minor's adult partner is verified, adult, active and has room this week.
    partner_available: bool = False
    # Finished sessions per topic id.
    experience: Mapping[int, int] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class RequestFacts:
    id: int
    group_id: int
    ward_id: int
    topic_ids: frozenset[int] = frozenset()
    preferred_times: int = 0
    at_home: bool = False


def load_points(load, capacity):
    """20 × the share of the weekly capacity still free (0 when full); works on arrays."""
    load = np.asarray(load)
    capacity = np.asarray(capacity)
    safe = np.where(capacity > 0, capacity, 1)
    points = (LOAD_POINTS * (capacity - load)) // safe
    return np.where(capacity > 0, np.clip(points, 0, LOAD_POINTS), 0)


@dataclass
class Score:
    total: int
    proximity: int
    availability: int
    load: int
    experience: int
    reasons: list[str]

    @property
    def words(self) -> str:
        return " · ".join(self.reasons)


class Assessment:
    """Every rule and every score component for requests × volunteers."""

    def __init__(self, requests: Sequence[RequestFacts], volunteers: Sequence[VolunteerFacts],
                 *, minors_at_home_with_partner: bool = True):
        self.requests = list(requests)
        self.volunteers = list(volunteers)
        n_req, n_vol = len(self.requests), len(self.volunteers)
        shape = (n_req, n_vol)

        # Areas: which request groups/wards each volunteer serves.
        group_index = {g: i for i, g in enumerate(sorted({r.group_id for r in self.requests}))}
        ward_index = {w: i for i, w in enumerate(sorted({r.ward_id for r in self.requests}))}
        serves_group_of = np.zeros((n_vol, len(group_index)), dtype=bool)
        serves_ward_of = np.zeros((n_vol, len(ward_index)), dtype=bool)
        for j, v in enumerate(self.volunteers):
            for g in v.group_ids:
                if g in group_index:
                    serves_group_of[j, group_index[g]] = True
            for w in v.ward_ids:
                if w in ward_index:
                    serves_ward_of[j, ward_index[w]] = True
        req_group = np.array([group_index[r.group_id] for r in self.requests], dtype=np.intp)
        req_ward = np.array([ward_index[r.ward_id] for r in self.requests], dtype=np.intp)
        self.same_group = serves_group_of[:, req_group].T.reshape(shape)
        self.same_ward = serves_ward_of[:, req_ward].T.reshape(shape)

        # Topics: what is asked × what is taught, and past sessions per topic.
        topic_index = {t: i for i, t in enumerate(sorted(
            {t for r in self.requests for t in r.topic_ids}))}
        asked = np.zeros((n_req, len(topic_index)), dtype=np.int64)
        for i, r in enumerate(self.requests):
            for t in r.topic_ids:
                asked[i, topic_index[t]] = 1
        taught = np.zeros((n_vol, len(topic_index)), dtype=np.int64)
        done = np.zeros((n_vol, len(topic_index)), dtype=np.int64)
        for j, v in enumerate(self.volunteers):
            for t in v.topic_ids:
                if t in topic_index:
                    taught[j, topic_index[t]] = 1
            for t, count in v.experience.items():
                if t in topic_index:
                    done[j, topic_index[t]] = count
        no_topics = asked.sum(axis=1) == 0
        teaches = (asked @ taught.T > 0) | no_topics[:, None]
        past_sessions = asked @ done.T

        # Time: a request without preferred times fits any time.
        preferred = np.array([r.preferred_times or timeslots.ALL for r in self.requests],
                             dtype=np.int64)
        availability = np.array([v.availability for v in self.volunteers], dtype=np.int64)
        self.overlap = np.bitwise_and.outer(preferred, availability).reshape(shape)
        free_slots = np.bitwise_count(self.overlap).astype(np.int64)

        def per_volunteer(values):
            return np.broadcast_to(np.asarray(values).reshape(1, n_vol), shape)

        minor = np.array([v.minor for v in self.volunteers], dtype=bool)
        partner = np.array([v.partner_available and minors_at_home_with_partner
                            for v in self.volunteers], dtype=bool)
        at_home = np.array([r.at_home for r in self.requests], dtype=bool)
        self.capacity = np.array([v.capacity for v in self.volunteers], dtype=np.int64)
        self.load_now = np.array([v.load for v in self.volunteers], dtype=np.int64)

        # The rules that depend on the volunteer alone (also usable without any request).
        self.volunteer_rules: dict[str, np.ndarray] = {
            "verified": np.array([v.verified for v in self.volunteers], dtype=bool),
            "active": np.array([not v.paused for v in self.volunteers], dtype=bool),
            "consent": np.array([not v.minor or v.consent for v in self.volunteers], dtype=bool),
            "capacity": self.load_now < self.capacity,
        }
        self.rules: dict[str, np.ndarray] = {
            **{name: per_volunteer(values) for name, values in self.volunteer_rules.items()},
            "area": self.same_group | self.same_ward,
            "topic": teaches,
            "time": free_slots > 0,
            "home": ~at_home[:, None] | ~minor[None, :] | partner[None, :],
        }
        self.eligible = np.logical_and.reduce([self.rules[name] for name in RULES])

        self.proximity = np.where(self.same_group, PROXIMITY_GROUP,
                                  np.where(self.same_ward, PROXIMITY_WARD, 0))
        self.availability = POINTS_PER_FREE_SLOT * np.minimum(free_slots, MAX_FREE_SLOTS)
        self.load = np.broadcast_to(load_points(self.load_now, self.capacity).reshape(1, n_vol),
                                    shape)
        self.past_sessions = past_sessions
        self.experience = np.minimum(POINTS_PER_PAST_SESSION * past_sessions,
                                     MAX_EXPERIENCE_POINTS)
        # Everything but the load, which the batch weighs per capacity slot.
        self.base = self.proximity + self.availability + self.experience
        self.total = self.base + self.load

    # --- one pair ---------------------------------------------------------------------------
    def _once(self, key, make):
        """Translated phrases and load points repeat across thousands of pairs: work each
        out once."""
        cache = self.__dict__.setdefault("_worked_out", {})
        if key not in cache:
            cache[key] = make()
        return cache[key]

    def failures(self, i: int, j: int, ignore: Sequence[str] = ()) -> list[str]:
        return [name for name in RULES if name not in ignore and not self.rules[name][i, j]]

    def first_failure(self, i: int, j: int, ignore: Sequence[str] = ()) -> str | None:
        failed = self.failures(i, j, ignore)
        return failed[0] if failed else None

    def ok(self, i: int, j: int, ignore: Sequence[str] = ()) -> bool:
        return not self.failures(i, j, ignore)

    def score(self, i: int, j: int, topic_names: Mapping[int, str] | None = None,
              load: int | None = None) -> Score:
        """The score of request i for volunteer j, with its reasons in words.

        `load` replaces the current load (the batch shows each pair with the load it
        would bring the volunteer to)."""
        v, r = self.volunteers[j], self.requests[i]
        current = int(self.load_now[j]) if load is None else int(load)
        load_part = int(self.load[i, j]) if load is None else self._once(
            ("load", current, v.capacity), lambda: int(load_points(current, v.capacity)))
        reasons: list[str] = []
        if self.same_group[i, j]:
            reasons.append(self._once("group", lambda: _("cùng tổ")))
        elif self.same_ward[i, j]:
            reasons.append(self._once("ward", lambda: _("cùng phường")))
        mask = int(self.overlap[i, j])
        words = self._once(("times", mask), lambda: describe_times(mask))
        if words:
            reasons.append(self._once(("free", mask), lambda: _("rảnh %(times)s", times=words)))
        topic_names = topic_names or {}
        taught = [(topic_names.get(t, "?"), v.experience.get(t, 0))
                  for t in sorted(r.topic_ids) if v.experience.get(t, 0)]
        if taught:
            reasons.extend(self._once(("taught", name, count), lambda: _(
                "đã dạy %(topic)s %(count)d lần", topic=name, count=count))
                for name, count in taught)
        elif r.topic_ids:
            reasons.append(self._once("new", lambda: _("chưa dạy chủ đề này")))
        reasons.append(self._once(("week", current, v.capacity), lambda: _(
            "%(load)d/%(capacity)d buổi tuần này", load=current, capacity=v.capacity)))
        return Score(total=int(self.base[i, j]) + load_part,
                     proximity=int(self.proximity[i, j]),
                     availability=int(self.availability[i, j]),
                     load=load_part, experience=int(self.experience[i, j]),
                     reasons=reasons)


def describe_times(mask: int, limit: int = 2) -> str:
    """"sáng thứ bảy, chiều chủ nhật…" — at most `limit` phrases, lower-case."""
    words = timeslots.describe(mask)
    if not words:
        return ""
    phrases = [timeslots.mid_sentence(w) for w in words[:limit]]
    text = ", ".join(phrases)
    return text + "…" if len(words) > limit else text
