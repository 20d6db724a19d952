"""Every enum value people see has a label, in both languages, from the one table of app.labels;
templates reach it through the `label` filter."""
from __future__ import annotations

import enum
import inspect

import pytest
from flask_babel import force_locale

from app import models
from app.labels import LABELS_BY_KIND, label

ENUMS = sorted((obj for _name, obj in inspect.getmembers(models, inspect.isclass)
                if issubclass(obj, enum.Enum)), key=lambda e: e.__name__)

# Enums whose values templates and messages show people (the others are only compared).
USER_FACING = {"ConsentMethod", "Gender", "Indicator", "NoShowStatus", "NotifyChannel",
               "OutboxStatus", "Place", "RequestStatus", "SessionStatus", "VolunteerKind"}
# Never shown as such: the pages word them in their own sentences.
INTERNAL = {"CompetenceArea", "EnrollmentStatus", "ReplyAnswer", "Role", "SessionKind",
            "VolunteerRole"}


def test_every_enum_of_the_models_is_sorted_into_shown_or_internal():
    assert {e.__name__ for e in ENUMS} == USER_FACING | INTERNAL


@pytest.mark.parametrize("locale", ["vi", "en"])
@pytest.mark.parametrize("enum_type", ENUMS, ids=lambda e: e.__name__)
def test_every_member_of_every_enum_has_a_label(app, enum_type, locale):
    with app.test_request_context(), force_locale(locale):
        for member in enum_type:
            text = label(member)
            assert isinstance(text, str) and text.strip(), member
            if enum_type.__name__ in USER_FACING:
                assert text != member.value, member
            else:
                assert text == member.value, member


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_the_second_wording_of_a_place_covers_every_place(app, locale):
    with app.test_request_context(), force_locale(locale):
        for place in models.Place:
            assert label(place, "session_place") not in ("", place.value)
        # The two wordings stay apart where they differ (request: "Tại nhà").
        assert label(models.Place.HOME) != label(models.Place.HOME, "session_place")


def test_named_tables_and_the_filter(app):
    with app.test_request_context(), force_locale("vi"):
        assert label("view", "audit_action") == "Xem thông tin cá nhân"
        assert label("sms", "channel") == label(models.NotifyChannel.SMS) == "Tin nhắn SMS"
        assert label("reminder", "message_kind") == "Nhắc lịch"
        assert label("unknown", "message_kind") == "unknown"
        assert label(None) == ""
        assert set(LABELS_BY_KIND) >= {"session_place", "message_kind", "audit_action"}
        rendered = app.jinja_env.from_string(
            '{{ s|label }} / {{ p|label("session_place") }}').render(
            s=models.RequestStatus.OPEN, p=models.Place.HOME)
        assert rendered == "Đang chờ tình nguyện viên / Tại nhà người dân"


def test_every_message_kind_has_a_label():
    from app.labels import MESSAGE_KIND_LABELS
    from app.notify.outbox import KINDS

    assert set(KINDS) == set(MESSAGE_KIND_LABELS)
