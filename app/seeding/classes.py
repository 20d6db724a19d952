"""Group classes at the community houses of a generated ward: series, seats, waiting lists,
outcomes, and the help requests some seats answered.

`WardClasses` is a part of `WardBuilder` (app.seeding.ward), which holds the state and
the row writers its methods use.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from app.seeding.context import WINDOWS, WINDOWS_PER_DAY, Picker, to_utc
from app.seeding.people import GroupInfo, Vol
from app.seeding.vocabulary import SESSION_CANCEL_REASONS


class WardClasses:
    """Group classes of a ward (a part of WardBuilder)."""

    def build_classes(self, n_sessions: int, class_requests: int) -> None:
        rng, ctx, now = self.rng, self.ctx, self.local_now()
        if n_sessions <= 0 or not self.groups:
            return
        group_pick = Picker([(g, max(1, len(g.residents))) for g in self.groups])
        per_class = class_requests / n_sessions
        owed = 0.0
        made = 0
        while made < n_sessions:
            g = group_pick(rng)
            if not g.residents:
                made += 1
                continue
            series = rng.random() < 0.3 and n_sessions - made >= 4
            repeats = 4 if series else 1
            series_id = str(uuid.UUID(int=rng.getrandbits(128), version=4)) if series else None
            # Mostly past; a few weeks ahead are on the calendar.
            if rng.random() < 0.035:
                first = now + timedelta(days=rng.uniform(0.5, 18))
            else:
                first = self.past_moment(min_days=1)
            topics = {ctx.demand(rng)}
            if rng.random() < 0.35:
                topics.add(ctx.demand(rng))
            names = [ctx.topic_names[t] for t in sorted(topics)]
            title = rng.choice((f"Lớp học {' và '.join(names)}",
                                f"Cùng học {' và '.join(names)}",
                                f"{' và '.join(names)} cho người cao tuổi"))
            capacity = rng.choice((10, 12, 15, 15, 20))
            at_utc = to_utc(min(first, now))
            lead = self.pick_volunteer(g, at_utc, topics, 0, home=False, adult_only=True)
            if lead is None:
                made += repeats
                continue
            helpers = []
            for _ in range(rng.choice((0, 0, 1, 1, 2))):
                h = self.pick_volunteer(g, at_utc, topics, 0, home=False)
                if h is not None and h is not lead and h not in helpers:
                    helpers.append(h)
            vols = [lead] + helpers
            leader = rng.choice(g.leaders) if g.leaders else lead.user_id
            mask = lead.availability or (1 << 21) - 1
            minutes = rng.choice((90, 90, 120))
            start = self.place_in_time(first.date(), mask, vols, minutes, room=g.id)
            if start is None:
                made += repeats
                continue
            attendees = min(len(g.residents),
                            max(2, int(rng.gauss(6.5, 2.5))))
            pool = rng.sample(g.residents, min(len(g.residents), attendees + 3))
            seats = pool[:attendees]
            for week in range(repeats):
                if week:
                    day = start.date() + timedelta(days=7)
                    key = day.toordinal() * WINDOWS_PER_DAY + self.window_of(start)
                    if key in self.busy_room[g.id] or any(key in self.busy_vol[v.id]
                                                          for v in vols):
                        break
                    self.busy_room[g.id].add(key)
                    for v in vols:
                        self.busy_vol[v.id].add(key)
                    start = datetime.combine(day, start.time())
                owed += per_class
                owed -= self.one_class(g, start, minutes, capacity, title, topics, lead, helpers,
                                       leader, seats, pool[attendees:], series_id, int(owed))
                made += 1
                # Residents keep coming to a series, with some change.
                if rng.random() < 0.3 and len(pool) > attendees:
                    seats = seats[1:] + [rng.choice(pool[attendees:])]

    @staticmethod
    def window_of(start: datetime) -> int:
        for w, (_slot, hour) in enumerate(WINDOWS):
            if hour <= start.hour < hour + 2:
                return w
        return 0

    def one_class(self, g: GroupInfo, start: datetime, minutes: int, capacity: int, title: str,
                  topics, lead: Vol, helpers, leader: int, seats, extra, series_id,
                  with_requests: int) -> int:
        """One class with its seats and outcomes; returns how many help requests it answered."""
        rng, now = self.rng, self.local_now()
        created = start - timedelta(days=rng.uniform(5, 20))
        future = start >= now
        if future:
            status = "confirmed" if rng.random() < 0.8 else "proposed"
            created = min(created, now - timedelta(hours=2))
        else:
            status = "done" if rng.random() < 0.93 else "cancelled"
        cancel_reason = rng.choice(SESSION_CANCEL_REASONS) if status == "cancelled" else None
        sid = self.session_row("class", title, g, None, "community_house", g.community_house,
                               start, minutes, capacity, status, leader, created, topics,
                               series=series_id, cancel_reason=cancel_reason)
        hours = round(minutes / 60, 2) if status == "done" else None
        self.session_volunteer(sid, lead, "lead", hours)
        for h in helpers:
            self.session_volunteer(sid, h, "helper", hours)
        ended = start + timedelta(minutes=minutes)
        seated = list(dict.fromkeys(seats))[:capacity]
        waiting = [r for r in extra if r not in seated][:2] if len(seated) >= capacity else []
        attended_ids = []
        for resident in seated:
            lead_days = max(0.1, (start - created).days - 0.5)
            signed = created + timedelta(days=rng.uniform(0, lead_days))
            signed = min(signed, now - timedelta(hours=1))
            cancelled = rng.random() < 0.05
            eid = self.enrollment(sid, resident, None, "cancelled" if cancelled else "enrolled",
                                  signed)
            position = len(self.rows["enrollment"]) - 1
            if status == "done" and not cancelled:
                attended = rng.random() < 0.82
                self.outcome(eid, attended, topics, lead.user_id, ended,
                             follow_up=attended and rng.random() < 0.08)
                if attended:
                    attended_ids.append((position, resident, signed))
            elif status in ("confirmed", "proposed") and not cancelled:
                attended_ids.append((position, resident, signed))
        for resident in waiting:
            self.enrollment(sid, resident, None, "waiting", created + timedelta(days=1))
        if status == "cancelled" or not with_requests:
            return 0
        # Some seats were asked for through a help request that the class answered.
        enrollment_rows = self.rows["enrollment"]
        for position, resident, signed in attended_ids[:with_requests]:
            asked = signed - timedelta(days=rng.uniform(1, 15))
            assigned = min(asked + timedelta(days=rng.uniform(0.2, 1.0)), signed)
            if future:
                rid = self.request_row(g, resident, "scheduled", "community_house",
                                       self.ctx.coarse_demand(rng), asked, topics,
                                       volunteer=lead, assigned=assigned)
            else:
                closed = min(ended + timedelta(hours=rng.uniform(0.5, 30)),
                             now - timedelta(minutes=1))
                rid = self.request_row(g, resident, "done", "community_house",
                                       self.ctx.coarse_demand(rng), asked, topics,
                                       volunteer=lead, assigned=assigned, closed=closed)
            row = enrollment_rows[position]
            enrollment_rows[position] = (row[0], row[1], row[2], rid, row[4], row[5])
        return min(with_requests, len(attended_ids))
