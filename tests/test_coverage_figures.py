"""Every coverage figure against the numbers worked out by hand in tests/coverage_helpers.py."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from app.coverage import services as s
from app.coverage import areas
from app.coverage import figures as coverage_figures
from app.coverage import targets as coverage_targets
from app.models import Group, Indicator, Target, VolunteerArea
from tests.coverage_helpers import NOW, days_ago, town


def _area(level, key=None, groups=None, **kw):
    return areas.Area(level, key, "khu vực", groups, **kw)


def ward_area(ward):
    return _area(areas.Level.WARD, ward.id, select(Group.id).where(Group.ward_id == ward.id),
                 ward=ward)


def rows_by_label(table):
    return {row.label: row for row in table.rows}


def figures(row):
    """(count, numerator, denominator, percent, met, target source) per indicator."""
    return {key: (f.count, f.numerator, f.denominator, f.percent, f.met,
                  f.target.source if f.target else None)
            for key, f in row.indicators.items()}


def test_each_group_of_a_ward_shows_the_figures_counted_by_hand(make):
    t = town(make)
    table = s.build_table(ward_area(t.hg), NOW)
    rows = rows_by_label(table)
    g1, g2, g3 = rows["Tổ 1"], rows["Tổ 2"], rows["Tổ 3"]

    assert (g1.adults, g1.households, g1.reached) == (10, 4, 4)
    assert figures(g1) == {
        "households_basic": (2, 2, 4, 50.0, False, "campaign"),
        "adults_basic": (2, 2, 10, 20.0, False, "campaign"),
        "smartphone": (4, 4, 10, 40.0, True, "ward"),     # 40% against the ward's ≥ 40%
        "epayment": (3, 3, 10, 30.0, False, "group"),     # 30% against its own > 30%
    }
    assert (g1.open_requests, g1.median_wait_days, g1.oldest_wait_days) == (3, 4.0, 10.0)
    assert g1.median_days_to_first_session == pytest.approx(4.5)
    assert g1.first_session_requests == 2
    assert (g1.volunteers, g1.hours_month) == (1, 3.5)
    assert (g1.no_volunteer, g1.waiting_too_long, g1.unserved) == (False, True, True)

    assert (g2.adults, g2.households, g2.reached) == (5, 2, 1)
    assert figures(g2) == {
        "households_basic": (1, 1, 2, 50.0, False, "campaign"),
        "adults_basic": (1, 1, 5, 20.0, False, "campaign"),
        "smartphone": (2, 2, 5, 40.0, True, "ward"),
        "epayment": (2, 2, 5, 40.0, False, "campaign"),   # 40% against > 50%
    }
    assert (g2.open_requests, g2.median_wait_days, g2.oldest_wait_days) == (2, 2.0, 3.0)
    assert g2.median_days_to_first_session == pytest.approx(1.0)
    assert (g2.volunteers, g2.hours_month, g2.unserved) == (1, 1.25, False)

    assert not g3.has_adults and not g3.has_households
    assert figures(g3) == {
        "households_basic": (0, 0, None, None, None, "campaign"),
        "adults_basic": (1, 0, None, None, None, "campaign"),
        "smartphone": (1, 0, None, None, None, "ward"),
        "epayment": (1, 0, None, None, None, "campaign"),
    }
    assert (g3.open_requests, g3.median_wait_days, g3.oldest_wait_days) == (0, None, None)
    assert (g3.volunteers, g3.no_volunteer, g3.unserved) == (0, True, True)  # v4 was revoked


def test_the_ward_total_counts_every_group_and_shares_only_those_with_denominators(make):
    t = town(make)
    total = s.build_table(ward_area(t.hg), NOW).total
    assert (total.groups, total.adults, total.households, total.reached) == (3, 15, 6, 6)
    assert (total.groups_missing_adults, total.groups_missing_households) == (1, 1)
    assert figures(total) == {
        "households_basic": (3, 3, 6, 50.0, False, "campaign"),
        "adults_basic": (4, 3, 15, 20.0, False, "campaign"),
        "smartphone": (7, 6, 15, 40.0, True, "ward"),
        "epayment": (6, 5, 15, 33.3, False, "campaign"),
    }
    # Waits 1, 2, 3, 4, 10: median 3 (not the median of the groups' medians).
    assert (total.open_requests, total.median_wait_days, total.oldest_wait_days) == (5, 3.0, 10.0)
    assert total.median_days_to_first_session == pytest.approx(3.0)  # 1, 3, 6
    assert (total.volunteers, total.hours_month, total.unserved_groups) == (2, 4.75, 2)


def test_unserved_groups_come_first_then_the_lowest_coverage(make):
    t = town(make)
    table = s.build_table(ward_area(t.hg), NOW)
    # Tổ 3 and tổ 1 are unserved (no volunteer; a request waiting 10 > 7 days); tổ 3 has no
    # share at all, so it is first. Tổ 2 is served.
    assert [row.label for row in table.rows] == ["Tổ 3", "Tổ 1", "Tổ 2"]


def test_a_longer_allowed_wait_makes_a_group_served_again(app, make):
    t = town(make)
    app.config["UNSERVED_WAIT_DAYS"] = 14
    rows = rows_by_label(s.build_table(ward_area(t.hg), NOW))
    assert not rows["Tổ 1"].unserved and rows["Tổ 3"].unserved


def test_targets_come_from_the_group_then_the_ward_then_the_campaign(make):
    t = town(make)
    targets = s.targets_by_area()
    assert s.resolve_target(targets, Indicator.EPAYMENT, group_id=t.g1.id,
                            ward_id=t.hg.id).source == "group"
    assert s.resolve_target(targets, Indicator.SMARTPHONE, group_id=t.g1.id,
                            ward_id=t.hg.id).source == "ward"
    campaign = s.resolve_target(targets, Indicator.ADULTS_BASIC, group_id=t.g1.id,
                                ward_id=t.hg.id)
    assert (campaign.source, campaign.percent, campaign.strictly_above) == ("campaign", 85, True)


def test_a_strict_target_is_not_met_at_exactly_its_percent_and_a_plain_one_is(make, db):
    t = town(make)
    rows = rows_by_label(s.build_table(ward_area(t.hg), NOW))
    assert rows["Tổ 1"].indicators["epayment"].met is False    # 30% and "> 30%"
    assert rows["Tổ 1"].indicators["smartphone"].met is True   # 40% and "≥ 40%"
    target = db.session.scalar(select(Target).where(Target.group_id == t.g1.id))
    target.strictly_above = False
    db.session.commit()
    rows = rows_by_label(s.build_table(ward_area(t.hg), NOW))
    assert rows["Tổ 1"].indicators["epayment"].met is True


def test_basic_skills_follow_the_core_topic_set(make, db):
    t = town(make)
    total = s.build_table(ward_area(t.hg), NOW).total
    assert total.indicators["adults_basic"].count == 4
    # Nobody completed topic C: once it is core, nobody has basic digital skills.
    coverage_targets.set_core_topics({t.a.id, t.b.id, t.c.id})
    db.session.commit()
    total = s.build_table(ward_area(t.hg), NOW).total
    assert total.indicators["adults_basic"].count == 0
    assert total.indicators["households_basic"].count == 0
    # With only topic A core, r2 is still short of a2; everyone else who did A counts.
    coverage_targets.set_core_topics({t.a.id})
    db.session.commit()
    rows = rows_by_label(s.build_table(ward_area(t.hg), NOW))
    assert rows["Tổ 1"].indicators["adults_basic"].count == 2   # r1, r5 (r4 is a child)
    assert rows["Tổ 2"].indicators["adults_basic"].count == 1   # r7


def test_without_any_core_topic_nobody_has_basic_digital_skills(make, db):
    t = town(make)
    coverage_targets.set_core_topics(set())
    db.session.commit()
    assert s.build_table(ward_area(t.hg), NOW).total.indicators["adults_basic"].count == 0


def test_roll_ups_equal_the_sum_of_their_groups(make, db):
    t = town(make)
    # A volunteer serving two groups counts once in the ward, twice in the groups' sum.
    both = make.volunteer("Ngô Thị Cả Hai", groups=[t.g1, t.g2])
    make.commit()
    admin = make.admin()
    additive = ("groups", "adults", "households", "reached", "open_requests", "unserved_groups",
                "groups_missing_adults")
    district = s.build_table(areas.get_area_for(admin, areas.Level.DISTRICT, "Quận Hoàn Kiếm"), NOW)
    whole = s.build_table(areas.get_area_for(admin, areas.Level.ALL, None), NOW)
    assert {r.label for r in district.rows} == {"Phường Hàng Gai", "Phường Hoàn Kiếm"}
    for ward_row in district.rows:
        ward_table = s.build_table(areas.get_area_for(admin, areas.Level.WARD, ward_row.key), NOW)
        groups = ward_table.rows
        for name in additive:
            assert getattr(ward_row, name) == sum(getattr(g, name) for g in groups), name
            assert getattr(ward_table.total, name) == getattr(ward_row, name), name
        assert ward_row.hours_month == pytest.approx(sum(g.hours_month for g in groups))
        for key, fig in ward_row.indicators.items():
            assert fig.count == sum(g.indicators[key].count for g in groups), key
            assert fig.numerator == sum(g.indicators[key].numerator for g in groups), key
    for table in (district, whole):
        for name in additive:
            assert getattr(table.total, name) == sum(getattr(r, name) for r in table.rows)
        for key, fig in table.total.indicators.items():
            assert fig.count == sum(r.indicators[key].count for r in table.rows)
    assert whole.total.reached == district.total.reached + 0  # Ba Đình reached nobody
    assert whole.total.groups == 5 and district.total.groups == 4
    # Not sums: distinct volunteers and medians are computed over the area itself.
    hg = next(r for r in district.rows if r.label == "Phường Hàng Gai")
    hg_groups = s.build_table(areas.get_area_for(admin, areas.Level.WARD, t.hg.id), NOW).rows
    assert sum(g.volunteers for g in hg_groups) == 4 and hg.volunteers == 3  # v1, v6, both
    assert hg.median_wait_days == 3.0
    assert both.volunteer_profile.id in {va.volunteer_id for va in db.session.scalars(
        select(VolunteerArea))}


def test_the_whole_installation_lists_every_ward_with_its_district(make):
    t = town(make)
    table = s.build_table(areas.get_area_for(make.admin(), areas.Level.ALL, None), NOW)
    assert {(r.label, r.district) for r in table.rows} == {
        ("Phường Hàng Gai", "Quận Hoàn Kiếm"), ("Phường Hoàn Kiếm", "Quận Hoàn Kiếm"),
        ("Phường Ba Đình", "Quận Ba Đình")}
    bd = next(r for r in table.rows if r.key == t.bd.id)
    assert (bd.reached, bd.indicators["smartphone"].count, bd.volunteers) == (0, 1, 0)
    assert bd.indicators["smartphone"].percent == 25.0  # r11 of 4 adults
    assert bd.unserved_groups == 1


def test_demand_and_supply_per_topic(make):
    t = town(make)
    balance = {b.topic.id: (b.demand, b.supply) for b in s.topic_balance(ward_area(t.hg))}
    assert balance[t.a.id] == (3, 1)   # v1; v3 is not verified
    assert balance[t.b.id] == (1, 0)   # v4 (revoked) does not count
    assert balance[t.c.id] == (2, 2)   # v1, v6
    first = s.topic_balance(ward_area(t.hg))[0]
    assert first.topic.id == t.a.id and first.gap == 2  # biggest shortfall first
    hk = {b.topic.id: (b.demand, b.supply) for b in s.topic_balance(ward_area(t.hk))}
    assert hk[t.a.id] == (1, 2) and hk[t.b.id] == (1, 1)  # v5 and v2 (whole ward)


def test_requests_and_sessions_per_week(make):
    t = town(make)
    weeks = s.weekly_activity(ward_area(t.hg), NOW)
    assert len(weeks) == 12 and weeks[-1].start.isoformat() == "2026-05-18"  # a Monday
    by_start = {w.start.isoformat(): (w.requests, w.sessions) for w in weeks}
    # Week of 18 May: requests 2 and 1 day old (r1's and r7's); sessions 2 and 1 day ago
    # not cancelled: the waiting-list class only (q4's own session was cancelled).
    assert by_start["2026-05-18"] == (2, 1)
    # Week of 11 May: requests 3, 4, 5 days old; sessions 3 to 7 days ago (s1…s5) and q5's
    # 9 days ago (Monday 11 May); q1's second session, 11 days ago, is the week before.
    assert by_start["2026-05-11"] == (3, 6)
    assert sum(w.requests for w in weeks) == 11  # every request of the ward but q3 (100 days)


def _count_queries(db, work) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_the_number_of_groups(make, db):
    def ward_with(n):
        ward = make.ward()
        topic = make.topic()
        for i in range(n):
            group = make.group(ward, adults_count=10, households_count=5)
            resident = make.resident(group)
            make.request(resident, topics=[topic], created_at=days_ago(i + 1, NOW))
            make.volunteer(f"Tình Nguyện {n}-{i}", groups=[group], topics=[topic])
        make.commit()
        return ward

    small, large = ward_with(2), ward_with(9)

    def page_work(ward):
        area = ward_area(ward)

        def work():
            s.build_table(area, NOW)
            s.topic_balance(area)
            s.weekly_activity(area, NOW)
        return work

    page_work(small)()  # warm up: the connection and the catalogue
    few = _count_queries(db, page_work(small))
    many = _count_queries(db, page_work(large))
    assert few == many
    assert many <= 20


def test_unserved_list_names_each_group_and_why(make):
    t = town(make)
    rows = coverage_figures.unserved_group_rows(ward_area(t.hg), NOW)
    assert {(r.label, r.no_volunteer, r.waiting_too_long) for r in rows} == {
        ("Tổ 1", False, True), ("Tổ 3", True, False)}


def test_hours_of_a_session_without_recorded_hours_are_its_length(make, db):
    t = town(make)
    area = _area(areas.Level.GROUP, t.g1.id, select(Group.id).where(Group.id == t.g1.id),
                 group=t.g1)
    stmt, _scalars = coverage_figures.figure_statement(area, coverage_figures.FIGURES["hours"], NOW)
    rows = db.session.execute(stmt).all()
    assert sorted(round(float(h), 2) for _sv, h in rows) == [1.5, 2.0]
    assert coverage_figures.hours_total(area, NOW) == 3.5
    assert NOW - timedelta(days=25) < s.month_bounds(NOW)[0]  # last month's session is out
