"""One age rule: a volunteer's minor status, a resident's age and the coverage figures'
"adult residents" agree at the boundary year, on the date they are asked about."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app import ages
from app.coverage import definitions as d
from app.models import Resident


def test_the_year_of_the_18th_birthday_makes_an_adult():
    new_year = date(2027, 1, 1)
    assert ages.is_minor(2010, new_year) and not ages.is_minor(2009, new_year)
    assert ages.age(2009, new_year) == 18 and ages.age(None, new_year) is None
    assert not ages.is_minor(None, new_year)
    assert ages.last_adult_birth_year(new_year) == 2009


def test_volunteers_residents_and_coverage_read_the_same_rule(make, db):
    ward = make.ward()
    group = make.group(ward)
    years = (2008, 2009, 2010, None)
    residents = {year: make.resident(group, f"Người {year}", birth_year=year) for year in years}
    volunteers = {year: make.volunteer(f"Bạn {year}", birth_year=year).volunteer_profile
                  for year in years if year}
    make.commit()
    for today in (date(2026, 12, 31), date(2027, 1, 1)):
        adults = set(db.session.scalars(select(Resident.birth_year).where(
            Resident.group_id == group.id, d.adult_condition(today))))
        assert adults == {year for year in years if not ages.is_minor(year, today)}
        for year, profile in volunteers.items():
            assert profile.is_minor(today) == ages.is_minor(year, today)
            assert profile.age(today) == residents[year].age(today)
    assert ages.is_minor(2009, date(2026, 12, 31)) and not ages.is_minor(2009, date(2027, 1, 1))
