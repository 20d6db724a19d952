"""The channels a message can go out on: an HTTP SMS gateway, Zalo (ZNS), SMTP e-mail.

Each client takes a recipient address and the rendered text and either returns
the provider's reference or raises `DeliveryError`, saying whether retrying can
help. In-app messages need no client: the outbox row is the message.
"""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

import requests
from flask import current_app

from app.models.notify import NotifyChannel


class DeliveryError(Exception):
    """The channel did not take the message. `permanent`: retrying will not help."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason[:500]
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    """What a channel client needs: no database objects, so it can run outside a transaction."""

    message_id: int
    address: str          # E.164 phone for SMS and Zalo, an e-mail address for e-mail
    text: str
    subject: str = ""


def is_configured(channel: str) -> bool:
    config = current_app.config
    if channel == NotifyChannel.SMS.value:
        return bool(config.get("SMS_GATEWAY_URL"))
    if channel == NotifyChannel.ZALO.value:
        return bool(config.get("ZALO_API_URL") and config.get("ZALO_ACCESS_TOKEN"))
    if channel == NotifyChannel.EMAIL.value:
        return bool(config.get("MAIL_SERVER") and config.get("MAIL_FROM"))
    return channel == NotifyChannel.IN_APP.value


def is_simulated(channel: str) -> bool:
    """Outside production a channel without settings goes to the development outbox page."""
    return (channel != NotifyChannel.IN_APP.value and not is_configured(channel)
            and current_app.config["APP_ENV"] != "production")


def is_usable(channel: str) -> bool:
    return is_configured(channel) or is_simulated(channel)


def send(channel: str, outgoing: Outgoing) -> str | None:
    """Hand the message to its channel; returns the provider's reference if any."""
    client = {NotifyChannel.SMS.value: send_sms, NotifyChannel.ZALO.value: send_zalo,
              NotifyChannel.EMAIL.value: send_email}[channel]
    return client(outgoing)


# --- HTTP helpers ------------------------------------------------------------------
_RETRYABLE_STATUS = {408, 409, 425, 429}


def _post_json(url: str, payload: dict, headers: dict) -> dict:
    timeout = current_app.config["NOTIFY_HTTP_TIMEOUT_SECONDS"]
    try:
        response = requests.post(url, json=payload, headers=headers, timeout=timeout)
    except requests.Timeout as exc:
        raise DeliveryError("timeout") from exc
    except requests.RequestException as exc:
        raise DeliveryError(f"connection failed: {exc.__class__.__name__}") from exc
    if response.status_code >= 500 or response.status_code in _RETRYABLE_STATUS:
        raise DeliveryError(f"HTTP {response.status_code}")
    if response.status_code >= 400:
        # The gateway refused this message itself (bad number, bad content): do not retry.
        raise DeliveryError(f"HTTP {response.status_code}", permanent=True)
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _ref(value) -> str | None:
    return str(value)[:100] if value not in (None, "") else None


# --- SMS ---------------------------------------------------------------------------
def send_sms(outgoing: Outgoing) -> str | None:
    """POST {to, from, text, reference} as JSON to SMS_GATEWAY_URL with a bearer key.

    `to` is the number without "+" (84912345678), `from` the registered brand name.
    Any 2xx answer is success; its JSON `id` or `message_id` is kept as reference.
    """
    config = current_app.config
    headers = {"Accept": "application/json"}
    if config.get("SMS_GATEWAY_KEY"):
        headers["Authorization"] = f"Bearer {config['SMS_GATEWAY_KEY']}"
    payload = {"to": outgoing.address.lstrip("+"), "from": config.get("SMS_BRAND_NAME") or "",
               "text": outgoing.text, "reference": f"outbox-{outgoing.message_id}"}
    data = _post_json(config["SMS_GATEWAY_URL"], payload, headers)
    if data.get("error") not in (None, 0, "0", False):
        raise DeliveryError(f"gateway error {str(data.get('error'))[:60]}")
    return _ref(data.get("id") or data.get("message_id"))


# --- Zalo (Zalo Notification Service) ------------------------------------------------
# ZNS errors that retrying will not fix: no Zalo account behind the number, number invalid,
# the user blocked messages from the Official Account.
ZNS_PERMANENT_ERRORS = {-108, -118, -119, -139}


def send_zalo(outgoing: Outgoing) -> str | None:
    """Send through ZNS: POST {phone, template_id, template_data, tracking_id} with the
    `access_token` header to ZALO_API_URL (https://business.openapi.zalo.me/message/template).

    The approved template takes the whole text in one parameter, `message`.
    ZNS answers HTTP 200 with {"error": 0, "data": {"msg_id": …}} or a negative error.
    """
    config = current_app.config
    headers = {"access_token": config["ZALO_ACCESS_TOKEN"], "Accept": "application/json"}
    payload = {"phone": outgoing.address.lstrip("+"), "template_id": config.get(
        "ZALO_TEMPLATE_ID") or "", "template_data": {"message": outgoing.text},
        "tracking_id": f"outbox-{outgoing.message_id}"}
    data = _post_json(config["ZALO_API_URL"], payload, headers)
    try:
        error = int(data.get("error", 0))
    except (TypeError, ValueError):
        error = -1
    if error != 0:
        raise DeliveryError(f"ZNS error {error}", permanent=error in ZNS_PERMANENT_ERRORS)
    body = data.get("data") if isinstance(data.get("data"), dict) else {}
    return _ref(body.get("msg_id"))


# --- e-mail --------------------------------------------------------------------------
def send_email(outgoing: Outgoing) -> str | None:
    """Plain-text UTF-8 e-mail through MAIL_SERVER (STARTTLS or SSL, login if configured)."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = outgoing.address
    message["Subject"] = outgoing.subject or "Cùng Học Số"
    message_id = make_msgid(idstring=f"outbox-{outgoing.message_id}", domain="cunghocso")
    message["Message-ID"] = message_id
    message.set_content(outgoing.text)
    timeout = config["NOTIFY_HTTP_TIMEOUT_SECONDS"]
    host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    try:
        if config.get("MAIL_USE_SSL"):
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError("recipient refused", permanent=True) from exc
    except smtplib.SMTPResponseException as exc:
        permanent = 500 <= exc.smtp_code < 600 and exc.smtp_code != 535  # 535: our login
        raise DeliveryError(f"SMTP {exc.smtp_code}", permanent=permanent) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP {exc.__class__.__name__}") from exc
    return _ref(message_id)
