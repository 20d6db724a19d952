"""Demo data: two wards of quận Hoàn Kiếm, the catalogue, targets, accounts for every role."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.auth.passwords import hash_password
from app.clock import LOCAL_TZ, local_to_utc, today_local, utcnow
from app.extensions import db
from app.models import (Consent, ConsentMethod, Enrollment, Gender, Group, HelpRequest,
                        Household, Indicator, Membership, Outcome, Place, RequestStatus,
                        Resident, Role, Session, SessionKind, SessionStatus, SessionVolunteer,
                        Skill, Target, Topic, User, VolunteerArea, VolunteerProfile, Ward)
from app.models.volunteers import VolunteerKind
from app.residents.services import CONSENT_WORDING_VERSION
from app.seeding.catalogue import CAMPAIGN_TARGETS, TOPICS
from app.text import fold
from app.timeslots import bit, coarse_mask

DEMO_PASSWORD = "hocso2026"

WARDS = [
    ("HG", "Phường Hàng Gai", "Quận Hoàn Kiếm",
     [("Tổ dân phố số 1", "HG01"), ("Tổ dân phố số 2", "HG02"), ("Tổ dân phố số 3", "HG03"),
      ("Tổ dân phố số 4", "HG04"), ("Tổ dân phố số 5", "HG05")]),
    ("HK", "Phường Hoàn Kiếm", "Quận Hoàn Kiếm",
     [("Tổ dân phố số 1", "HK01"), ("Tổ dân phố số 2", "HK02"), ("Tổ dân phố số 3", "HK03"),
      ("Tổ dân phố số 4", "HK04")]),
]

# phone, name, role key, description shown by `demo-logins`
ACCOUNTS = [
    ("0901000001", "Phạm Quốc Anh", "admin", "Quản trị viên"),
    ("0901000002", "Đỗ Thị Hương", "official", "Cán bộ phường Hàng Gai"),
    ("0901000003", "Nguyễn Văn Thắng", "leader", "Tổ trưởng tổ dân phố số 3, phường Hàng Gai"),
    ("0901000004", "Trần Văn Minh", "volunteer", "Tình nguyện viên đã xác minh (đoàn viên)"),
    ("0901000005", "Lê Thu Hà", "volunteer_minor", "Tình nguyện viên học sinh 16 tuổi, đã xác minh"),
    ("0901000006", "Vũ Đức Long", "volunteer_new", "Tình nguyện viên mới, chưa xác minh"),
    ("0901000007", "Hoàng Thị Lan", "official_hk", "Cán bộ phường Hoàn Kiếm"),
]

# name, phone, birth year, gender, group code, address, baseline (smartphone, e-payment)
RESIDENTS = [
    ("Nguyễn Thị Bình", "0912345678", 1954, Gender.FEMALE, "HG03", "12 ngõ Hàng Gai", (True, False)),
    ("Trần Văn Hùng", "0912345679", 1950, Gender.MALE, "HG03", "12 ngõ Hàng Gai", (True, True)),
    ("Lê Thị Mai", "0987654321", 1960, Gender.FEMALE, "HG03", "5 phố Hàng Gai", (False, False)),
    ("Phạm Văn Đức", "0978123456", 1948, Gender.MALE, "HG01", "30 Hàng Bông", (True, False)),
    ("Đặng Thị Thu", "0967111222", 1958, Gender.FEMALE, "HG02", "8 ngõ Tạm Thương", (True, True)),
    ("Bùi Văn Sơn", "0936222333", 1965, Gender.MALE, "HG05", "41 Hàng Gai", (True, True)),
    ("Ngô Thị Hạnh", "0945333444", 1952, Gender.FEMALE, "HK01", "3 Đinh Tiên Hoàng", (False, False)),
    ("Vương Văn Tâm", "0356444555", 1957, Gender.MALE, "HK02", "17 Lê Thái Tổ", (True, False)),
]


def _get_or_create(model, defaults=None, **keys):
    obj = db.session.scalar(select(model).filter_by(**keys))
    if obj is None:
        obj = model(**keys, **(defaults or {}))
        db.session.add(obj)
        db.session.flush()
    return obj


def _next_weekday(weekday: int, at: time) -> datetime:
    today = today_local()
    days = (weekday - today.weekday()) % 7 or 7
    return local_to_utc(datetime.combine(today + timedelta(days=days), at))


def seed_catalogue() -> dict[str, Topic]:
    topics = {}
    for position, (slug, name, short, icon, core, area, citizen_group, skills) in enumerate(TOPICS):
        topic = _get_or_create(Topic, slug=slug, defaults=dict(
            name=name, short_name=short, icon=icon, core=core, competence_area=area,
            citizen_group=citizen_group, position=position))
        if not topic.skills:
            topic.skills = [Skill(name=s, position=i) for i, s in enumerate(skills)]
        topics[slug] = topic
    return topics


def seed_targets(wards: dict[str, Ward]) -> None:
    for indicator, percent, strict in CAMPAIGN_TARGETS:
        _get_or_create(Target, indicator=indicator, ward_id=None, group_id=None,
                       defaults=dict(percent=percent, strictly_above=strict))
    # Phường Hàng Gai is stricter: all of its staff, 90% of workers.
    _get_or_create(Target, indicator=Indicator.STAFF_BASIC, ward_id=wards["HG"].id, group_id=None,
                   defaults=dict(percent=100, strictly_above=False))
    _get_or_create(Target, indicator=Indicator.WORKERS_BASIC, ward_id=wards["HG"].id,
                   group_id=None, defaults=dict(percent=90, strictly_above=False))


def seed_demo() -> dict[str, object]:
    """Create (or complete) the demo data. Running it twice changes nothing."""
    from app.phone import normalize_phone

    topics = seed_catalogue()
    wards: dict[str, Ward] = {}
    groups: dict[str, Group] = {}
    for code, name, district, group_specs in WARDS:
        ward = _get_or_create(Ward, code=code, defaults=dict(
            name=name, district=district, province="Thành phố Hà Nội"))
        wards[code] = ward
        for position, (gname, gcode) in enumerate(group_specs):
            groups[gcode] = _get_or_create(Group, code=gcode, defaults=dict(
                ward_id=ward.id, name=gname, position=position,
                community_house=f"Nhà văn hóa {gname.lower().replace('tổ dân phố số', 'tổ')}",
                adults_count=180 + 20 * position, households_count=70 + 8 * position,
                denominators_on=date(2026, 9, 1)))
    seed_targets(wards)

    users: dict[str, User] = {}
    password_hash = None
    for phone, name, key, _desc in ACCOUNTS:
        e164 = normalize_phone(phone)
        user = db.session.scalar(select(User).where(User.phone == e164))
        if user is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            user = User(phone=e164, full_name=name, password_hash=password_hash)
            db.session.add(user)
            db.session.flush()
        users[key] = user

    def member(user, role, ward=None, group=None):
        _get_or_create(Membership, user_id=user.id, role=role,
                       ward_id=ward.id if ward else None, group_id=group.id if group else None)

    member(users["admin"], Role.ADMIN)
    member(users["official"], Role.OFFICIAL, ward=wards["HG"])
    member(users["official_hk"], Role.OFFICIAL, ward=wards["HK"])
    member(users["leader"], Role.LEADER, group=groups["HG03"])
    member(users["leader"], Role.LEADER, group=groups["HG05"])
    for key in ("volunteer", "volunteer_minor", "volunteer_new"):
        member(users[key], Role.VOLUNTEER)

    weekend = coarse_mask(["weekend_morning", "weekend_afternoon"])
    weekday_morning = coarse_mask(["weekday_morning"])
    specs = {
        "volunteer": dict(kind=VolunteerKind.YOUTH_UNION, birth_year=1999,
                          organisation="Chi đoàn phường Hàng Gai", zalo="0901000004",
                          availability=weekend | weekday_morning, weekly_capacity=4,
                          verified=True, topics=["dien-thoai", "zalo", "ngan-hang-so", "lua-dao",
                                                 "hoa-don"], areas=[("ward", "HG")]),
        "volunteer_minor": dict(kind=VolunteerKind.STUDENT, birth_year=today_local().year - 16,
                                organisation="Trường THPT Trần Phú – Hoàn Kiếm",
                                availability=weekend, weekly_capacity=2, verified=True,
                                guardian="Lê Văn Tuấn (bố), đồng ý ngày 5/9/2026",
                                topics=["zalo", "tim-kiem", "tro-ly-ai"],
                                areas=[("group", "HG03"), ("group", "HG02")]),
        "volunteer_new": dict(kind=VolunteerKind.TEACHER, birth_year=1985,
                              organisation="Trường THCS Trưng Vương", availability=bit(5, 0),
                              weekly_capacity=2, verified=False,
                              topics=["vneid", "dich-vu-cong"], areas=[("ward", "HG")]),
    }
    profiles = {}
    for key, spec in specs.items():
        user = users[key]
        profile = db.session.scalar(select(VolunteerProfile).where(
            VolunteerProfile.user_id == user.id))
        if profile is None:
            profile = VolunteerProfile(
                user_id=user.id, kind=spec["kind"], birth_year=spec["birth_year"],
                organisation=spec["organisation"], zalo=spec.get("zalo"),
                availability=spec["availability"], weekly_capacity=spec["weekly_capacity"])
            if spec.get("guardian"):
                profile.guardian_consent_by = spec["guardian"]
                profile.guardian_consent_on = date(2026, 9, 5)
            if spec["verified"]:
                profile.verified_at = utcnow()
                profile.verified_by_id = users["leader"].id
            profile.topics = [topics[s] for s in spec["topics"]]
            for kind, code in spec["areas"]:
                profile.areas.append(VolunteerArea(ward_id=wards[code].id) if kind == "ward"
                                     else VolunteerArea(group_id=groups[code].id))
            db.session.add(profile)
            db.session.flush()
        profiles[key] = profile

    residents: dict[str, Resident] = {}
    for name, phone, birth_year, gender, gcode, address, (phone_ok, epay) in RESIDENTS:
        e164 = normalize_phone(phone)
        resident = db.session.scalar(select(Resident).where(Resident.phone == e164))
        if resident is None:
            group = groups[gcode]
            household = _get_or_create(Household, group_id=group.id, address_key=fold(address),
                                       defaults=dict(address=address))
            resident = Resident(phone=e164, birth_year=birth_year, gender=gender,
                                group_id=group.id, household_id=household.id,
                                has_smartphone=phone_ok, has_epayment=epay,
                                surveyed_on=date(2026, 9, 15))
            resident.set_name(name)
            resident.consents.append(Consent(wording_version=CONSENT_WORDING_VERSION,
                                             method=ConsentMethod.IN_PERSON,
                                             captured_by_id=users["leader"].id))
            db.session.add(resident)
            db.session.flush()
        residents[name] = resident

    if db.session.scalar(select(HelpRequest.id).limit(1)) is None:
        _seed_activity(topics, groups, residents, profiles, users)
    db.session.commit()
    return {"wards": wards, "groups": groups, "users": users}


def _seed_activity(topics, groups, residents, profiles, users) -> None:
    now = utcnow()
    # Codes spelt like the form's (app.requests.services.TRACKING_ALPHABET: no I, L, O, 0, 1).
    open_requests = [
        ("BYNH7K", "Nguyễn Thị Bình", ["ngan-hang-so", "lua-dao"], Place.HOME,
         ["weekend_morning"], "Bà muốn trả tiền điện bằng điện thoại.", 3),
        ("MAY4TQ", "Lê Thị Mai", ["dien-thoai", "zalo"], Place.COMMUNITY_HOUSE,
         ["weekday_morning"], "Chưa có điện thoại thông minh, con sẽ mua tuần sau.", 6),
        ("DUC9PX", "Phạm Văn Đức", ["kham-benh"], Place.HOME, ["weekday_afternoon"], None, 1),
        ("HANH3R", "Ngô Thị Hạnh", ["zalo", "lua-dao"], Place.REMOTE, ["weekend_afternoon"],
         None, 9),
    ]
    for code, name, slugs, place, times, note, days_ago in open_requests:
        resident = residents[name]
        db.session.add(HelpRequest(
            code=code, resident_id=resident.id, group_id=resident.group_id,
            status=RequestStatus.OPEN, place=place, preferred_times=coarse_mask(times),
            note=note, topics=[topics[s] for s in slugs],
            created_at=now - timedelta(days=days_ago),
            consent_method=ConsentMethod.ONLINE if days_ago % 2 else ConsentMethod.PHONE,
            created_by_id=None if days_ago % 2 else users["leader"].id))

    # A finished one-to-one session with its outcome.
    hung = residents["Trần Văn Hùng"]
    minh = profiles["volunteer"]
    done_request = HelpRequest(
        code="HUNG2W", resident_id=hung.id, group_id=hung.group_id, status=RequestStatus.DONE,
        place=Place.HOME, preferred_times=coarse_mask(["weekend_morning"]),
        topics=[topics["zalo"]], volunteer_id=minh.id, created_at=now - timedelta(days=20),
        assigned_at=now - timedelta(days=19), closed_at=now - timedelta(days=14))
    db.session.add(done_request)
    db.session.flush()
    start = (now - timedelta(days=14)).astimezone(LOCAL_TZ).replace(
        hour=9, minute=0, second=0, microsecond=0)
    past = Session(kind=SessionKind.ONE_TO_ONE, title="Hướng dẫn dùng Zalo",
                   group_id=hung.group_id, request_id=done_request.id, place=Place.HOME,
                   place_name="12 ngõ Hàng Gai", starts_at=local_to_utc(start.replace(tzinfo=None)),
                   ends_at=local_to_utc(start.replace(tzinfo=None) + timedelta(hours=1, minutes=30)),
                   capacity=1, status=SessionStatus.DONE, topics=[topics["zalo"]],
                   created_by_id=minh.user_id)
    past.volunteers.append(SessionVolunteer(volunteer_id=minh.id, hours=1.5))
    enrollment = Enrollment(resident_id=hung.id, request_id=done_request.id)
    past.enrollments.append(enrollment)
    db.session.add(past)
    db.session.flush()
    db.session.add(Outcome(enrollment_id=enrollment.id, attended=True, confidence=4,
                           follow_up=False, note="Ông đã tự gọi video cho con.",
                           recorded_by_id=minh.user_id, skills=topics["zalo"].skills[:3]))

    # A group class next Tuesday at the community house of tổ 3.
    tuesday = _next_weekday(1, time(9, 0))
    group = groups["HG03"]
    cls = Session(kind=SessionKind.CLASS, title="Cùng bà học dùng Zalo và ngân hàng số",
                  group_id=group.id, place=Place.COMMUNITY_HOUSE,
                  place_name=group.community_house, starts_at=tuesday,
                  ends_at=tuesday + timedelta(hours=1, minutes=30), capacity=15,
                  status=SessionStatus.CONFIRMED,
                  topics=[topics["zalo"], topics["ngan-hang-so"]], created_by_id=users["leader"].id)
    cls.volunteers.append(SessionVolunteer(volunteer_id=minh.id))
    cls.volunteers.append(SessionVolunteer(volunteer_id=profiles["volunteer_minor"].id,
                                           role="helper"))
    cls.enrollments.append(Enrollment(resident_id=hung.id))
    db.session.add(cls)


def demo_logins_text() -> str:
    from app.phone import display_phone, normalize_phone

    lines = ["Tài khoản demo (mật khẩu chung: %s):" % DEMO_PASSWORD]
    for phone, name, _key, desc in ACCOUNTS:
        lines.append(f"  {display_phone(normalize_phone(phone)):<14} {name:<20} {desc}")
    return "\n".join(lines)
