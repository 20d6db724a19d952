"""Delivery: a message is never lost and never sent twice; retries back off and give up
visibly; preferences, opt-out and the daily digest are honoured."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.clock import LOCAL_TZ, today_local, utcnow
from app.extensions import db
from app.models import (DeliveryAttempt, OutboxMessage, OutboxStatus, RequestStatus,
                        Resident)
from app.notify.delivery import deliver_due
from app.notify.outbox import notify
from app.notify.preferences import set_preferences
from tests.notify_helpers import gateway, later, queued  # noqa: F401 (fixture)


@pytest.fixture
def binh(make):
    group = make.group(name="Tổ dân phố số 3")
    resident = make.resident(group, name="Nguyễn Thị Bình", phone="+84912345678")
    make.commit()
    return resident


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Hà Nội tomorrow, as UTC (so that today's messages are due)."""
    day = today_local() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ).astimezone(
        timezone.utc)


def _message(message_id) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


# --- atomic with the cause -------------------------------------------------------------------
def test_a_message_is_written_with_the_change_that_caused_it(app, make, binh):
    request = make.request(binh, code="T77777")
    notify("request_received", resident=binh, context={"request_id": request.id,
                                                         "code": request.code})
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage))
    assert message.status == OutboxStatus.PENDING and message.group_id == binh.group_id


def test_a_rolled_back_change_leaves_no_message(app, make, binh):
    request = make.request(binh, code="T88888")
    notify("request_received", resident=binh, context={"request_id": request.id})
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert deliver_due().outcomes == {}


def test_a_page_that_fails_after_queuing_a_message_sends_nothing(app, client, make, binh):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    resident_id = binh.id

    @app.post("/_accept_then_fail")
    def _accept_then_fail():
        resident = db.session.get(Resident, resident_id)
        make.request(resident, status=RequestStatus.ASSIGNED)
        notify("volunteer_assigned", resident=resident, context={"volunteer_name": "Minh"})
        raise RuntimeError("the rest of the change failed")

    app.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/_accept_then_fail").status_code == 500
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_same_cause_run_twice_queues_one_message(app, binh):
    assert queued("reminder", resident=binh, dedupe_key="reminder:session:1") is not None
    assert notify("reminder", resident=binh, dedupe_key="reminder:session:1") is None
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_unknown_kinds_and_messages_without_recipient_are_refused(app, binh):
    with pytest.raises(ValueError):
        notify("birthday", resident=binh)
    with pytest.raises(ValueError):
        notify("reminder")


# --- sending --------------------------------------------------------------------------------
def test_an_sms_reaches_the_gateway_once_and_is_marked_sent(app, binh, gateway):
    message = queued("request_received", resident=binh, context={"code": "T12345"})
    report = deliver_due()
    assert report.outcomes == {"sent": 1}
    [sent] = gateway.received("/sms")
    assert sent["json"]["to"] == "84912345678"
    assert sent["json"]["text"].isascii() and "T12345" in sent["json"]["text"]
    message = _message(message.id)
    assert message.status == OutboxStatus.SENT and message.channel == "sms"
    assert message.attempts == 1 and not message.simulated
    assert [a.provider_ref for a in message.attempt_log] == ["s1"]
    assert deliver_due().outcomes == {}  # nothing is sent twice
    assert len(gateway.received()) == 1


def test_the_gateway_being_down_loses_nothing(app, binh, gateway):
    message = queued("request_received", resident=binh)
    gateway.fail_next(2, 503)
    assert deliver_due().outcomes == {"retry": 1}
    message = _message(message.id)
    assert message.status == OutboxStatus.PENDING and message.last_error == "HTTP 503"
    # Not due yet: a run a moment later leaves it alone.
    assert deliver_due().outcomes == {}
    assert deliver_due(now=later(minutes=1, seconds=5)).outcomes == {"retry": 1}
    assert deliver_due(now=later(minutes=4)).outcomes == {"sent": 1}
    message = _message(message.id)
    assert message.status == OutboxStatus.SENT and message.attempts == 3
    assert [a.ok for a in message.attempt_log] == [False, False, True]


def test_an_unreachable_gateway_is_retried_like_a_failing_one(app, binh, gateway):
    message = queued("request_received", resident=binh)

    gateway.stop()  # nothing listens on that port any more
    assert deliver_due().outcomes == {"retry": 1}
    assert _message(message.id).last_error.startswith("connection failed")
    assert _message(message.id).status == OutboxStatus.PENDING


def test_retries_back_off_exponentially_then_give_up_visibly(app, binh, gateway):
    app.config.update(APP_ENV="production", NOTIFY_MAX_ATTEMPTS=3, ZALO_API_URL=None)
    gateway.answer("/sms", 500, {})
    message = queued("request_received", resident=binh)
    start = utcnow()
    assert deliver_due(now=start).outcomes == {"retry": 1}
    first = _message(message.id).next_attempt_at
    assert deliver_due(now=first).outcomes == {"retry": 1}
    second = _message(message.id).next_attempt_at
    assert first - start == timedelta(seconds=60) and second - first == timedelta(seconds=120)
    assert deliver_due(now=second).outcomes == {"failed": 1}
    message = _message(message.id)
    assert message.status == OutboxStatus.FAILED and message.attempts == 3
    assert deliver_due(now=second + timedelta(days=1)).outcomes == {}
    assert len(gateway.received("/sms")) == 3


def test_a_permanent_refusal_moves_on_to_the_other_channel(app, make, gateway):
    resident = make.resident(make.group(), uses_zalo=True)
    make.commit()
    gateway.answer("/zalo", 200, {"error": -118, "message": "Zalo account not existed"})
    message = queued("session_confirmed", resident=resident)
    assert deliver_due().outcomes == {"fallback": 1, "sent": 1}
    message = _message(message.id)
    assert message.status == OutboxStatus.SENT and message.channel == "sms"
    assert [(a.channel, a.ok, a.permanent) for a in message.attempt_log] == [
        ("zalo", False, True), ("sms", True, False)]


def test_a_refused_number_is_not_retried_on_the_same_gateway(app, binh, gateway):
    app.config.update(APP_ENV="production", ZALO_API_URL=None)
    gateway.answer("/sms", 400, {"error": "invalid number"})
    message = queued("request_received", resident=binh)
    assert deliver_due().outcomes == {"failed": 1}
    assert _message(message.id).status == OutboxStatus.FAILED
    assert len(gateway.received()) == 1


def _run_concurrently(app, runs: int) -> list:
    barrier = threading.Barrier(runs)
    reports, errors = [], []

    def run():
        with app.app_context():
            try:
                barrier.wait()
                reports.append(deliver_due())
            except Exception as exc:  # surfaced by the assertion below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return reports


def test_concurrent_delivery_runs_send_each_message_exactly_once(app, make, gateway):
    group = make.group()
    residents = [make.resident(group, name=f"Người Dân {i}") for i in range(24)]
    make.commit()
    for resident in residents:
        notify("request_received", resident=resident)
    db.session.commit()
    gateway.delay = 0.01  # let the runs overlap while a message is "on the wire"
    reports = _run_concurrently(app, 4)
    references = [r["json"]["reference"] for r in gateway.received("/sms")]
    assert len(references) == 24 and len(set(references)) == 24
    assert sum(r.outcomes["sent"] for r in reports) == 24
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.SENT)) == 24
    assert db.session.scalar(select(func.count()).select_from(DeliveryAttempt)) == 24


def test_a_run_that_died_mid_send_frees_its_message_after_the_timeout(app, binh, gateway):
    message = queued("request_received", resident=binh)
    claimed_at = utcnow() - timedelta(minutes=10)
    db.session.execute(OutboxMessage.__table__.update().values(
        status=OutboxStatus.SENDING, claim_token="dead-run", claimed_at=claimed_at))
    db.session.commit()
    report = deliver_due()
    assert report.requeued == 1 and report.outcomes == {"sent": 1}
    assert _message(message.id).status == OutboxStatus.SENT


def test_a_fresh_claim_of_another_run_is_left_alone(app, binh, gateway):
    message = queued("request_received", resident=binh)
    db.session.execute(OutboxMessage.__table__.update().values(
        status=OutboxStatus.SENDING, claim_token="busy-run", claimed_at=utcnow()))
    db.session.commit()
    assert deliver_due().outcomes == {}
    assert _message(message.id).status == OutboxStatus.SENDING
    assert gateway.received() == []


# --- preferences ------------------------------------------------------------------------------
def test_a_resident_who_opted_out_gets_nothing(app, binh, gateway):
    set_preferences(resident=binh, channel="sms", opted_out=True)
    message = queued("session_confirmed", resident=binh)
    assert deliver_due().outcomes == {"skipped": 1}
    message = _message(message.id)
    assert message.status == OutboxStatus.SKIPPED and message.last_error == "opted_out"
    assert gateway.received() == []


def test_a_volunteer_who_opted_out_still_finds_the_message_in_the_app(app, make, gateway):
    minh = make.volunteer("Trần Văn Minh")
    set_preferences(user=minh, channel="zalo", opted_out=True)
    message = queued("verification_done", user=minh)
    assert deliver_due().outcomes == {"sent": 1}
    message = _message(message.id)
    assert message.channel == "in_app" and message.read_at is None
    assert gateway.received() == []


def test_the_chosen_channel_is_used(app, make, gateway):
    minh = make.volunteer("Trần Văn Minh")
    set_preferences(user=minh, channel="sms", opted_out=False)
    queued("verification_done", user=minh)
    deliver_due()
    assert len(gateway.received("/sms")) == 1 and gateway.received("/zalo") == []


@pytest.mark.clock
def test_a_volunteer_on_the_daily_digest_gets_one_message_a_day(app, make, gateway):
    minh = make.volunteer("Trần Văn Minh")
    set_preferences(user=minh, channel="zalo", opted_out=False, daily_digest=True)
    db.session.commit()
    morning, evening = tomorrow_at(9), tomorrow_at(18, 30)
    for kind in ("volunteer_assigned", "session_confirmed", "follow_up_opened"):
        notify(kind, user=minh, context={"code": "T1"})
    notify("session_cancelled", user=minh, context={"reason": "Trời mưa"})
    db.session.commit()

    assert deliver_due(now=morning).outcomes == {"held": 3, "sent": 1}
    assert len(gateway.received("/zalo")) == 1  # only the cancellation, straight away

    report = deliver_due(now=evening)
    assert report.digests == 1 and report.outcomes == {"sent": 1}
    digest = gateway.received("/zalo")[-1]["json"]["template_data"]["message"]
    assert "3 cập nhật" in digest and "Bạn đã nhận một yêu cầu T1" in digest
    assert deliver_due(now=evening + timedelta(minutes=30)).digests == 0
    assert len(gateway.received("/zalo")) == 2
    held = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.HELD))
    assert held == 0


@pytest.mark.clock
def test_turning_the_digest_off_sends_what_was_waiting(app, make, gateway):
    minh = make.volunteer("Trần Văn Minh")
    set_preferences(user=minh, channel="zalo", opted_out=False, daily_digest=True)
    queued("volunteer_assigned", user=minh)
    morning = tomorrow_at(9)
    assert deliver_due(now=morning).outcomes == {"held": 1}
    set_preferences(user=minh, channel="zalo", opted_out=False, daily_digest=False)
    db.session.commit()
    assert deliver_due().outcomes == {"sent": 1}
    assert len(gateway.received("/zalo")) == 1


# --- development, production, stale messages -----------------------------------------------------
def test_in_development_messages_go_to_the_dev_outbox_instead_of_a_gateway(app, binh):
    app.config["APP_ENV"] = "development"
    message = queued("request_received", resident=binh, context={"code": "T12345"})
    assert deliver_due().outcomes == {"sent": 1}
    message = _message(message.id)
    assert message.simulated and message.channel == "sms" and "T12345" in message.body


def test_in_production_a_resident_without_a_usable_channel_is_shown_to_the_leader(app, binh):
    app.config["APP_ENV"] = "production"
    message = queued("request_received", resident=binh)
    assert deliver_due().outcomes == {"skipped": 1}
    assert _message(message.id).last_error == "no_channel"


def test_a_reminder_for_a_session_that_already_started_is_not_sent(app, make, binh, gateway):
    session = make.session(binh.group, starts_at=utcnow() - timedelta(hours=1))
    make.commit()
    message = queued("reminder", resident=binh, context={"session_id": session.id})
    assert deliver_due().outcomes == {"skipped": 1}
    assert _message(message.id).last_error == "too_late"
    assert gateway.received() == []


def test_a_message_to_an_erased_resident_is_dropped(app, binh, gateway):
    message = queued("request_received", resident=binh)
    binh = db.session.get(Resident, binh.id)
    binh.erased_at = utcnow()
    db.session.commit()
    assert deliver_due().outcomes == {"skipped": 1}
    assert _message(message.id).last_error == "erased"


def test_the_deliver_command_reports_what_it_did(app, runner, binh, gateway):
    queued("request_received", resident=binh)
    result = runner.invoke(args=["outbox", "deliver"])
    assert result.exit_code == 0, result.output
    assert "sent=1" in result.output
    assert len(gateway.received("/sms")) == 1
