"""Factories that build domain objects with sensible Vietnamese defaults.

Each returns the object flushed (it has an id) and leaves committing to the
caller's `make.commit()` or the code under test.
"""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from app.auth.passwords import hash_password
from app.clock import utcnow
from app.models import (Group, HelpRequest, Membership, Place, RequestStatus, Resident, Role,
                        Session, SessionKind, SessionStatus, SessionVolunteer, Skill, Topic, User,
                        VolunteerArea, VolunteerProfile, Ward)
from app.models.topics import CompetenceArea
from app.models.volunteers import VolunteerKind
from app.timeslots import ALL

_seq = itertools.count(1)


class Factory:
    PASSWORD = "mat-khau-an-toan"

    def __init__(self, db):
        self.db = db
        self._password_hash = None

    def _add(self, obj):
        self.db.session.add(obj)
        self.db.session.flush()
        return obj

    def commit(self):
        self.db.session.commit()

    def phone(self) -> str:
        """A fresh valid Vietnamese mobile number in E.164."""
        return f"+8491{next(_seq):07d}"

    # --- areas ------------------------------------------------------------------
    def ward(self, name: str | None = None, district: str | None = "Quận Hoàn Kiếm") -> Ward:
        n = next(_seq)
        return self._add(Ward(name=name or f"Phường Thử {n}", code=f"W{n}", district=district))

    def group(self, ward: Ward | None = None, name: str | None = None, **kw) -> Group:
        n = next(_seq)
        ward = ward or self.ward()
        return self._add(Group(ward_id=ward.id, name=name or f"Tổ dân phố số {n}",
                               code=kw.pop("code", f"G{n}"),
                               community_house=kw.pop("community_house", f"Nhà văn hóa tổ {n}"),
                               **kw))

    # --- people -----------------------------------------------------------------
    def user(self, name: str = "Người Dùng Thử", phone: str | None = None, roles=(),
             password: str | None = None) -> User:
        if password is None:
            self._password_hash = self._password_hash or hash_password(self.PASSWORD)
            password_hash = self._password_hash
        else:
            password_hash = hash_password(password)
        user = User(phone=phone or self.phone(), full_name=name, password_hash=password_hash)
        for role, scope in roles:
            m = Membership(role=role)
            if isinstance(scope, Ward):
                m.ward_id = scope.id
            elif isinstance(scope, Group):
                m.group_id = scope.id
            user.memberships.append(m)
        return self._add(user)

    def admin(self, **kw) -> User:
        return self.user(name=kw.pop("name", "Quản Trị Viên"), roles=[(Role.ADMIN, None)], **kw)

    def leader(self, group: Group, **kw) -> User:
        return self.user(name=kw.pop("name", "Tổ Trưởng Thử"), roles=[(Role.LEADER, group)], **kw)

    def official(self, ward: Ward, **kw) -> User:
        return self.user(name=kw.pop("name", "Cán Bộ Phường"), roles=[(Role.OFFICIAL, ward)],
                         **kw)

    def volunteer(self, name: str = "Trần Văn Minh", *, verified: bool = True, topics=(),
                  groups=(), wards=(), availability: int = ALL, capacity: int = 3,
                  birth_year: int = 1998, verified_by: User | None = None,
                  kind: VolunteerKind = VolunteerKind.YOUTH_UNION, **kw) -> User:
        user = self.user(name=name, roles=[(Role.VOLUNTEER, None)], **kw)
        profile = VolunteerProfile(user_id=user.id, kind=kind, birth_year=birth_year,
                                   availability=availability, weekly_capacity=capacity,
                                   topics=list(topics))
        if verified:
            profile.verified_at = utcnow()
            profile.verified_by_id = verified_by.id if verified_by else None
        for g in groups:
            profile.areas.append(VolunteerArea(group_id=g.id))
        for w in wards:
            profile.areas.append(VolunteerArea(ward_id=w.id))
        self._add(profile)
        self.db.session.refresh(user)
        return user

    def resident(self, group: Group, name: str = "Nguyễn Thị Bình", phone: str | None = "auto",
                 birth_year: int | None = 1954, **kw) -> Resident:
        r = Resident(group_id=group.id, phone=self.phone() if phone == "auto" else phone,
                     birth_year=birth_year, **kw)
        r.set_name(name)
        return self._add(r)

    # --- catalogue ---------------------------------------------------------------
    def topic(self, name: str | None = None, core: bool = False, skills=("Kỹ năng một",
                                                                         "Kỹ năng hai")) -> Topic:
        n = next(_seq)
        topic = Topic(slug=f"chu-de-{n}", name=name or f"Chủ đề {n}",
                      short_name=(name or f"Chủ đề {n}")[:60], core=core,
                      competence_area=CompetenceArea.COMMUNICATION, position=n)
        topic.skills = [Skill(name=s, position=i) for i, s in enumerate(skills)]
        return self._add(topic)

    # --- activity -----------------------------------------------------------------
    def request(self, resident: Resident, topics=(), status: RequestStatus = RequestStatus.OPEN,
                preferred_times: int = ALL, place: Place = Place.HOME, **kw) -> HelpRequest:
        n = next(_seq)
        return self._add(HelpRequest(code=kw.pop("code", f"T{n:05d}"), resident_id=resident.id,
                                     group_id=resident.group_id, status=status,
                                     preferred_times=preferred_times, place=place,
                                     topics=list(topics), **kw))

    def session(self, group: Group, starts_at: datetime | None = None, hours: float = 1.5,
                kind: SessionKind = SessionKind.CLASS, capacity: int = 15, volunteers=(),
                topics=(), place: Place = Place.COMMUNITY_HOUSE, **kw) -> Session:
        starts_at = starts_at or (utcnow() + timedelta(days=2)).replace(microsecond=0)
        s = Session(kind=kind, title=kw.pop("title", "Lớp học thử"), group_id=group.id,
                    place=place, place_name=kw.pop("place_name", group.community_house),
                    starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours),
                    capacity=capacity, status=kw.pop("status", SessionStatus.CONFIRMED),
                    topics=list(topics), **kw)
        for v in volunteers:
            s.volunteers.append(SessionVolunteer(volunteer_id=v.volunteer_profile.id))
        return self._add(s)
