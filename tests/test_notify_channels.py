"""Each channel's real client against a server on 127.0.0.1: the SMS gateway and Zalo over
HTTP (http.server in a thread), e-mail over SMTP (aiosmtpd)."""
from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from app.extensions import db
from app.models import OutboxMessage, OutboxStatus
from app.notify.channels import DeliveryError, Outgoing, send_email, send_sms, send_zalo
from app.notify.delivery import deliver_due
from app.notify.preferences import set_preferences
from tests.notify_helpers import free_port, gateway, queued, smtp_server  # noqa: F401


def test_the_sms_client_posts_the_text_with_the_key_and_brand_name(app, gateway):
    reference = send_sms(Outgoing(message_id=7, address="+84912345678", text="Hen 9:00 Thu Bay"))
    [request] = gateway.received("/sms")
    assert request["headers"]["Authorization"] == "Bearer sms-key"
    assert request["json"] == {"to": "84912345678", "from": "CUNGHOCSO",
                               "text": "Hen 9:00 Thu Bay", "reference": "outbox-7"}
    assert reference == "s1"


@pytest.mark.parametrize("status, permanent", [(500, False), (503, False), (429, False),
                                               (400, True), (401, True), (404, True)])
def test_the_sms_client_tells_retryable_failures_from_refusals(app, gateway, status, permanent):
    gateway.answer("/sms", status, {"error": "no"})
    with pytest.raises(DeliveryError) as excinfo:
        send_sms(Outgoing(message_id=1, address="+84912345678", text="x"))
    assert excinfo.value.permanent is permanent
    assert excinfo.value.reason == f"HTTP {status}"


def test_the_zalo_client_sends_a_zns_template_with_the_access_token(app, gateway):
    reference = send_zalo(Outgoing(message_id=9, address="+84912345678",
                                   text="Chào bác Bình, lịch hỗ trợ đã xác nhận."))
    [request] = gateway.received("/zalo")
    assert request["headers"]["access_token"] == "zalo-token"
    assert request["json"] == {
        "phone": "84912345678", "template_id": "12345", "tracking_id": "outbox-9",
        "template_data": {"message": "Chào bác Bình, lịch hỗ trợ đã xác nhận."}}
    assert reference == "z1"


@pytest.mark.parametrize("error, permanent", [(-124, False), (-118, True), (-108, True)])
def test_zalo_errors_in_a_200_answer_are_failures(app, gateway, error, permanent):
    gateway.answer("/zalo", 200, {"error": error, "message": "failed"})
    with pytest.raises(DeliveryError) as excinfo:
        send_zalo(Outgoing(message_id=1, address="+84912345678", text="x"))
    assert excinfo.value.permanent is permanent


def test_an_email_goes_out_through_smtp_in_vietnamese(app, smtp_server):
    reference = send_email(Outgoing(message_id=3, address="minh@example.vn",
                                    text="Chào bạn Minh,\nBạn đã được xác minh.",
                                    subject="Bạn đã được xác minh"))
    [envelope] = smtp_server.messages
    assert envelope.rcpt_tos == ["minh@example.vn"]
    mail = message_from_bytes(envelope.original_content, policy=policy.default)
    assert mail["Subject"] == "Bạn đã được xác minh"
    assert "Bạn đã được xác minh." in mail.get_content()
    assert reference and "outbox-3" in reference


def test_a_volunteer_who_chose_email_gets_the_message_by_email(app, make, smtp_server):
    minh = make.volunteer("Trần Văn Minh")
    minh.email = "minh@example.vn"
    set_preferences(user=minh, channel="email", opted_out=False)
    message = queued("verification_done", user=minh)
    assert deliver_due().outcomes == {"sent": 1}
    [envelope] = smtp_server.messages
    mail = message_from_bytes(envelope.original_content, policy=policy.default)
    assert mail["Subject"] == "Bạn đã được xác minh"
    assert "Chào bạn Minh," in mail.get_content()
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).channel == "email"


def test_a_mail_server_that_is_down_is_retried_and_loses_nothing(app, make):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False)
    minh = make.volunteer("Trần Văn Minh")
    minh.email = "minh@example.vn"
    set_preferences(user=minh, channel="email", opted_out=False)
    message = queued("verification_done", user=minh)
    assert deliver_due().outcomes == {"retry": 1}
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message.id)
    assert message.status == OutboxStatus.PENDING and message.last_error.startswith("SMTP")


def test_a_refused_address_falls_back_to_the_app(app, make):
    from aiosmtpd.controller import Controller

    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
            return "550 No such user here"

    controller = Controller(Refusing(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port,
                          MAIL_USE_TLS=False)
        minh = make.volunteer("Trần Văn Minh")
        minh.email = "khong-ton-tai@example.vn"
        set_preferences(user=minh, channel="email", opted_out=False)
        message = queued("verification_done", user=minh)
        assert deliver_due().outcomes == {"fallback": 1, "sent": 1}
    finally:
        controller.stop()
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).channel == "in_app"
