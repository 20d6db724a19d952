"""Who manages an area, which areas a person sees, and who is told about a group.

Roles are held per area (`Membership`): a leader leads residential groups, an official
oversees wards, an administrator sees everything. Every page and notification asks here
rather than working it out again:

- `managed_group_ids(user)` / `managed_groups(user)`: the groups a person leads or whose
  ward they oversee;
- `visible_wards(user)`: the wards a person works in (oversees, or leads a group of);
  `overseen_wards(user)`: the wards whose roll-up they answer for (officials);
- `recipients_for(group_ids)`: who is told about a request, session or volunteer of a
  group — its leaders, or the ward's officials when the group has no active leader, so
  that nothing filed in a leaderless group goes unread.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Select, select

from app.extensions import db
from app.models import Group, Membership, Role, User, Ward


def managed_group_ids(user) -> Select | None:
    """A select of the ids of the groups this person leads or oversees; None means every
    group (an administrator)."""
    if user.is_admin:
        return None
    return select(Group.id).where(Group.id.in_(user.led_group_ids() or {-1})
                                  | Group.ward_id.in_(user.official_ward_ids() or {-1}))


def _managed_groups_query(user) -> Select:
    query = select(Group).join(Ward).order_by(Ward.name, Group.position, Group.id)
    managed = managed_group_ids(user)
    return query if managed is None else query.where(Group.id.in_(managed))


def managed_groups(user) -> list[Group]:
    """The groups a person leads or oversees, by ward then position (all of them)."""
    return list(db.session.scalars(_managed_groups_query(user)))


def first_managed_group(user) -> Group | None:
    """The first of `managed_groups(user)`, read alone (a page's default group)."""
    return db.session.scalar(_managed_groups_query(user).limit(1))


def led_ward_ids(user) -> set[int]:
    """The wards of the groups this person leads."""
    led = user.led_group_ids()
    if not led:
        return set()
    return set(db.session.scalars(select(Group.ward_id).where(Group.id.in_(led))))


def visible_wards(user) -> list[Ward]:
    """Wards this person works in: those they oversee and those they lead a group in
    (every ward for an administrator), by name."""
    query = select(Ward).order_by(Ward.name, Ward.id)
    if not user.is_admin:
        query = query.where(Ward.id.in_((user.official_ward_ids() | led_ward_ids(user))
                                        or {-1}))
    return list(db.session.scalars(query))


def can_view_ward(user, ward: Ward) -> bool:
    """May see the ward's calendar and batch: oversees it, or leads a group in it."""
    return user.can_manage_ward(ward) or ward.id in led_ward_ids(user)


def overseen_wards(user) -> list[Ward]:
    """Wards whose roll-up this person answers for: an official's wards (every ward for an
    administrator)."""
    query = select(Ward).order_by(Ward.district, Ward.name)
    if not user.is_admin:
        query = query.where(Ward.id.in_(user.official_ward_ids() or {-1}))
    return list(db.session.scalars(query))


def group_leaders(group_id: int) -> list[User]:
    """The active leaders of a group (the contact printed on its poster)."""
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id).where(
            Membership.role == Role.LEADER, Membership.group_id == group_id,
            User.active.is_(True)).order_by(User.id)))


def recipients_for(group_ids: Iterable[int]) -> dict[int, list[User]]:
    """Who to tell about each group: its active leaders, or, for a group without one, the
    active officials of its ward. Two queries whatever the number of groups."""
    group_ids = set(group_ids)
    result: dict[int, list[User]] = {g: [] for g in group_ids}
    if not group_ids:
        return result
    for group_id, user in db.session.execute(
            select(Membership.group_id, User).join(User, User.id == Membership.user_id)
            .where(Membership.role == Role.LEADER, Membership.group_id.in_(group_ids),
                   User.active.is_(True)).order_by(User.id)):
        result[group_id].append(user)
    leaderless = [g for g, users in result.items() if not users]
    if leaderless:
        ward_of = dict(db.session.execute(select(Group.id, Group.ward_id)
                                          .where(Group.id.in_(leaderless))).all())
        by_ward: dict[int, list[User]] = defaultdict(list)
        for ward_id, user in db.session.execute(
                select(Membership.ward_id, User).join(User, User.id == Membership.user_id)
                .where(Membership.role == Role.OFFICIAL,
                       Membership.ward_id.in_(set(ward_of.values())),
                       User.active.is_(True)).order_by(User.id)):
            by_ward[ward_id].append(user)
        for group_id in leaderless:
            result[group_id] = list(by_ward.get(ward_of.get(group_id), []))
    return result


def recipients_of(group: Group | int) -> list[User]:
    """Who to tell about one group (see `recipients_for`)."""
    group_id = group if isinstance(group, int) else group.id
    return recipients_for([group_id])[group_id]
