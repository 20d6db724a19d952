"""Help requests served one to one (or still waiting) in a generated ward, each in a state
the app's rules allow, with its sessions, seats and outcomes.

`WardRequests` is a part of `WardBuilder` (app.seeding.ward), which holds the state and
the row writers (`request_row`, `session_row`, …) its methods use.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from app.seeding.context import Picker, to_utc
from app.seeding.people import GroupInfo
from app.seeding.vocabulary import REQUEST_CANCEL_REASONS, SESSION_CANCEL_REASONS


class WardRequests:
    """One-to-one requests of a ward (a part of WardBuilder)."""

    def build_requests(self, quota: int, n_open: int | None = None) -> int:
        """Requests served one to one (or still waiting); returns how many were made.

        With `n_open`, the backlog is not drawn request by request: the history comes
        first, then the backlog tops its waiting requests up to `n_open`."""
        rng = self.rng
        made = 0
        weights = []
        residents = []
        for g in self.groups:
            for r in g.residents:
                residents.append(r)
                weights.append(rng.random() ** 2 + 0.05)  # a few residents ask often
        if not residents:
            return 0
        picker = Picker(list(zip(residents, weights)))
        history = quota if n_open is None else max(0, quota - n_open)
        while made < history:
            resident = picker(rng)
            g = self.resident_group[resident]
            if n_open is None and rng.random() < (0.15 if g.underserved else 0.045):
                self.backlog_request(resident)
                made += 1
                continue
            created = self.past_moment()
            made += self.one_request(g, resident, created, None)
            # A follow-up asked for at the end of a DONE request.
            while made < history and self.pending_follow_up is not None:
                prev_id, prev_closed = self.pending_follow_up
                self.pending_follow_up = None
                created = prev_closed + timedelta(days=rng.uniform(1, 12))
                if created >= self.local_now():
                    break
                made += self.one_request(g, resident, created, prev_id)
        if n_open is not None:
            for _ in range(max(0, n_open - self.opened)):
                self.backlog_request(picker(rng))
                made += 1
        return made

    pending_follow_up = None

    def backlog_request(self, resident: int) -> None:
        """Asked in the last weeks (the campaign's posters work), still waiting."""
        created = self.past_moment(max_days=45)
        self.open_request(self.resident_group[resident], resident, created)

    def wish(self):
        """Topics, preferred times and place of a new request."""
        rng = self.rng
        topics = {self.ctx.demand(rng)}
        while rng.random() < 0.3 and len(topics) < 3:
            topics.add(self.ctx.demand(rng))
        mask = 0
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            mask |= self.ctx.coarse_demand(rng)
        roll = rng.random()
        place = ("home" if roll < 0.5 else "community_house" if roll < 0.8
                 else "remote" if roll < 0.95 else "other")
        return topics, mask, place

    def open_request(self, g: GroupInfo, resident: int, created: datetime) -> None:
        topics, mask, place = self.wish()
        self.request_row(g, resident, "open", place, mask, created, topics)

    def one_request(self, g: GroupInfo, resident: int, created: datetime, follow_up_of) -> int:
        rng, now = self.rng, self.local_now()
        age_days = (now - created).total_seconds() / 86400
        topics, mask, place = self.wish()
        home = place == "home"

        # How long it waits for a volunteer (days): most are taken within a few days.
        wait = min(rng.lognormvariate(0.8, 1.0), 40.0)
        if g.underserved:
            wait *= 4
        roll = rng.random()
        if roll < 0.06 + (0.1 if g.underserved else 0):
            # Cancelled before anyone took it.
            closed = created + timedelta(days=min(rng.uniform(0.5, 25), max(age_days - 0.01, 0.01)))
            self.request_row(g, resident, "cancelled", place, mask, created, topics,
                             closed=closed, cancel_reason=rng.choice(REQUEST_CANCEL_REASONS),
                             follow_up_of=follow_up_of)
            return 1
        if wait >= age_days:
            if age_days > 120:  # nobody came for months: the leader closed it
                self.request_row(g, resident, "cancelled", place, mask, created, topics,
                                 closed=created + timedelta(days=rng.uniform(90, 120)),
                                 cancel_reason="Quá lâu chưa có tình nguyện viên",
                                 follow_up_of=follow_up_of)
            else:
                self.request_row(g, resident, "open", place, mask, created, topics,
                                 follow_up_of=follow_up_of)
            return 1
        assigned = created + timedelta(days=wait)
        vol = self.pick_volunteer(g, to_utc(assigned), topics, mask, home)
        if vol is None:
            self.request_row(g, resident, "open" if age_days <= 120 else "cancelled", place,
                             mask, created, topics,
                             closed=None if age_days <= 120 else created + timedelta(days=100),
                             cancel_reason=None if age_days <= 120
                             else "Quá lâu chưa có tình nguyện viên", follow_up_of=follow_up_of)
            return 1
        fit = mask & vol.availability or mask
        minutes = rng.choice((60, 60, 90))
        start = None
        if (now - assigned).days >= 2 or rng.random() < 0.5:  # else accepted lately, no date yet
            first_day = assigned.date() + timedelta(days=rng.randint(1, 4))
            start = self.place_in_time(first_day, fit, [vol], minutes)
        if start is None:
            self.request_row(g, resident, "assigned", place, mask, created, topics,
                             volunteer=vol, assigned=assigned, follow_up_of=follow_up_of)
            return 1

        title = self.one_to_one_title(topics)
        place_name = self.place_name(g, resident, place)
        if start >= now:
            # A session still to come: the request is SCHEDULED.
            rid = self.request_row(g, resident, "scheduled", place, mask, created, topics,
                                   volunteer=vol, assigned=assigned, follow_up_of=follow_up_of)
            status = "confirmed" if rng.random() < 0.85 else "proposed"
            sid = self.session_row("one_to_one", title, g, rid, place, place_name, start,
                                   minutes, 1, status, vol.user_id, assigned, topics)
            self.session_volunteer(sid, vol, "lead", None)
            self.enrollment(sid, resident, rid, "enrolled", assigned)
            return 1

        # Past session(s). Sometimes the first one was cancelled or the resident did not come.
        # The request's id is reserved now; its row is written once its final state is known.
        rid = self.ctx.ids.next("help_request")
        extra = rng.random()
        if extra < 0.09 and start + timedelta(days=7) < now:
            kind = "cancelled" if extra < 0.06 else "no_show"
            sid = self.session_row("one_to_one", title, g, rid, place, place_name, start, minutes,
                                   1, "cancelled" if kind == "cancelled" else "done",
                                   vol.user_id, assigned, topics,
                                   cancel_reason=rng.choice(SESSION_CANCEL_REASONS)
                                   if kind == "cancelled" else None)
            self.session_volunteer(sid, vol, "lead", None if kind == "cancelled"
                                   else round(minutes / 60, 2))
            eid = self.enrollment(sid, resident, rid, "cancelled" if kind == "cancelled"
                                  else "enrolled", assigned)
            if kind == "no_show":
                self.outcome(eid, False, topics, vol.user_id,
                             start + timedelta(minutes=minutes))
            later = self.place_in_time(start.date() + timedelta(days=rng.randint(3, 10)), fit,
                                       [vol], minutes)
            if later is None or later >= now:
                # Rebooked in the future.
                self.request_row(g, resident, "scheduled" if later else "assigned", place, mask,
                                 created, topics, volunteer=vol, assigned=assigned,
                                 follow_up_of=follow_up_of, rid=rid)
                if later:
                    sid = self.session_row("one_to_one", title, g, rid, place, place_name,
                                           later, minutes, 1, "confirmed", vol.user_id,
                                           start, topics)
                    self.session_volunteer(sid, vol, "lead", None)
                    self.enrollment(sid, resident, rid, "enrolled", start)
                return 1
            start = later
        if rng.random() < 0.025:
            # Cancelled after it was arranged; the session is cancelled too.
            closed = start - timedelta(hours=rng.uniform(2, 48))
            closed = max(closed, assigned + timedelta(minutes=30))
            self.request_row(g, resident, "cancelled", place, mask, created, topics,
                             volunteer=vol, assigned=assigned, closed=closed,
                             cancel_reason=rng.choice(REQUEST_CANCEL_REASONS),
                             follow_up_of=follow_up_of, rid=rid)
            sid = self.session_row("one_to_one", title, g, rid, place, place_name, start, minutes,
                                   1, "cancelled", vol.user_id, assigned, topics,
                                   cancel_reason="Người dân hủy yêu cầu")
            self.session_volunteer(sid, vol, "lead", None)
            self.enrollment(sid, resident, rid, "cancelled", assigned)
            return 1
        ended = start + timedelta(minutes=minutes)
        closed = min(ended + timedelta(hours=rng.uniform(0.3, 30)), now - timedelta(minutes=1))
        follow = rng.random() < 0.12
        self.request_row(g, resident, "done", place, mask, created, topics, volunteer=vol,
                         assigned=assigned, closed=closed, follow_up_of=follow_up_of, rid=rid)
        sid = self.session_row("one_to_one", title, g, rid, place, place_name, start, minutes, 1,
                               "done", vol.user_id, assigned, topics)
        self.session_volunteer(sid, vol, "lead", round(minutes / 60, 2))
        eid = self.enrollment(sid, resident, rid, "enrolled", assigned)
        self.outcome(eid, True, topics, vol.user_id, ended, follow_up=follow)
        if follow and rng.random() < 0.6:
            self.pending_follow_up = (rid, closed)
        return 1

    def one_to_one_title(self, topics) -> str:
        names = [self.ctx.topic_names[t] for t in sorted(topics)]
        verb = self.rng.choice(("Hướng dẫn", "Hỗ trợ", "Cùng học"))
        return f"{verb} {' và '.join(names)}"

    def place_name(self, g: GroupInfo, resident: int, place: str):
        if place == "home":
            return self.resident_address[resident]
        if place == "community_house":
            return g.community_house
        if place == "remote":
            return "Gọi video qua Zalo"
        return self.rng.choice(("Điểm bưu điện văn hóa", "Thư viện phường",
                                "Quán cà phê đầu ngõ", "Trụ sở UBND phường"))
