"""A small neighbourhood for the volunteers and matching tests: one ward with tổ 3 and tổ 5,
a second ward, the Zalo and bank topics, a leader, an official, a resident with an address."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta

from app.clock import utcnow
from app.models import (Gender, Group, Household, Place, Resident, SessionStatus, Topic,
                        User, Ward)
from app.text import fold
from app.timeslots import bit


@dataclass
class Neighbourhood:
    ward: Ward
    group3: Group
    group5: Group
    other_ward: Ward
    far_group: Group
    zalo: Topic
    bank: Topic
    leader: User
    official: User
    binh: Resident


def neighbourhood(make) -> Neighbourhood:
    ward = make.ward(name="Phường Hàng Gai")
    group3 = make.group(ward, name="Tổ dân phố số 3")
    group5 = make.group(ward, name="Tổ dân phố số 5")
    other_ward = make.ward(name="Phường Hoàn Kiếm")
    far_group = make.group(other_ward, name="Tổ dân phố số 1")
    zalo = make.topic("Zalo: nhắn tin, gọi video")
    zalo.short_name = "Zalo"
    bank = make.topic("Ngân hàng số và thanh toán QR")
    bank.short_name = "Ngân hàng số"
    leader = make.leader(group3, name="Nguyễn Văn Thắng")
    official = make.official(ward, name="Đỗ Thị Hương")
    binh = resident_at(make, group3, "Nguyễn Thị Bình", "12 ngõ Hàng Gai", gender=Gender.FEMALE,
                       birth_year=1954)
    return Neighbourhood(ward, group3, group5, other_ward, far_group, zalo, bank, leader,
                         official, binh)


def resident_at(make, group, name: str, address: str, **kw) -> Resident:
    household = Household(group_id=group.id, address=address, address_key=fold(address))
    make.db.session.add(household)
    make.db.session.flush()
    return make.resident(group, name=name, household_id=household.id, **kw)


SATURDAY_MORNING = bit(5, 0)
SUNDAY_MORNING = bit(6, 0)
MONDAY_EVENING = bit(0, 2)


def done_sessions(make, group, volunteer_user, topic, count: int):
    """`count` finished sessions on `topic` led by this volunteer, in the past."""
    for n in range(count):
        make.session(group, starts_at=utcnow() - timedelta(days=30 + n), topics=[topic],
                     volunteers=[volunteer_user], status=SessionStatus.DONE)


def run_together(app, count: int, work):
    """Run `work(i)` in `count` threads started at the same moment, each in its own app
    context (its own database session), and return their results (or exceptions)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        with app.app_context():
            barrier.wait()
            try:
                results[i] = work(i)
            except Exception as exc:  # collected for the test to assert on
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


__all__ = ["Neighbourhood", "neighbourhood", "resident_at", "done_sessions", "run_together",
           "SATURDAY_MORNING", "SUNDAY_MORNING", "MONDAY_EVENING", "Place"]
