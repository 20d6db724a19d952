"""How much data `seed-scale` makes (its profiles) and the accounts benchmarks sign in with.

Light on purpose: the CLI reads the profile names from here when it starts.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    wards: int
    groups: int
    residents: int
    volunteers: int
    requests: int
    sessions: int
    # Requests waiting for a volunteer. None: what the history leaves (a few percent asked
    # lately and not taken yet). A number: the recent backlog tops the history's waiting
    # requests up to exactly that many (split over the wards like the residents).
    open_requests: int | None = None


PROFILES = {
    "tiny": Profile(wards=2, groups=6, residents=240, volunteers=24, requests=480, sessions=720),
    "district": Profile(wards=20, groups=600, residents=50_000, volunteers=3_000,
                        requests=100_000, sessions=150_000),
    "city": Profile(wards=200, groups=6_000, residents=500_000, volunteers=30_000,
                    requests=1_000_000, sessions=1_500_000),
    # One ward after a campaign drive: 2,000 requests waiting and 500 volunteers to match
    # them with (the batch matching benchmark).
    "ward": Profile(wards=1, groups=60, residents=6_000, volunteers=500, requests=8_000,
                    sessions=9_000, open_requests=2_000),
}

# Accounts with known phones (the shared password is printed) so benchmarks can sign in.
# key, phone, name, what the account is
KNOWN_ACCOUNTS = [
    ("admin", "+84900000001", "Phạm Quốc Anh", "Quản trị viên (mọi phường)"),
    ("official", "+84900000002", "Đỗ Thị Hương", "Cán bộ phường thứ nhất"),
    ("official2", "+84900000003", "Hoàng Thị Lan", "Cán bộ phường thứ hai"),
    ("leader", "+84900000004", "Nguyễn Văn Thắng", "Tổ trưởng tổ dân phố số 1 của phường thứ nhất"),
    ("volunteer", "+84900000005", "Trần Văn Minh",
     "Tình nguyện viên đã xác minh, phục vụ cả phường thứ nhất"),
]

SOLE_WARD_OFFICIAL2 = "Cán bộ thứ hai của phường (khi chỉ có một phường)"


def known_in_ward(known: dict, index: int, wards: int) -> dict | None:
    """{account key in the ward: (phone, name)}: the first ward has the official, the leader
    and the volunteer; the second official is the second ward's first official, or the
    first ward's second official when there is only one ward."""
    if index == 0:
        keys = ("official", "leader", "volunteer") + (("official2",) if wards == 1 else ())
        return {k: known[k] for k in keys}
    if index == 1:
        return {"official": known["official2"]}
    return None
