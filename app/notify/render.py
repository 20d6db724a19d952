"""Turning an outbox message into words, at delivery time.

The context of a message holds ids and short strings; here they are looked up
(tolerating anything missing) and fed to the kind's template,
`templates/notify/messages/<kind>.txt`, which has three blocks: `subject`,
`text` (the warm long form for Zalo, e-mail and the app) and `sms` (a short form;
diacritics are removed here and the whole SMS kept within 160 characters).
Every message to a resident ends with the tracking link and the anti-scam sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _
from unidecode import unidecode

from app.extensions import db
from app.i18n import fmt_datetime
from app.models import HelpRequest, OutboxMessage, Place, Session, VolunteerRole
from app.notify.preferences import SMS, Recipient
from app.templating import render_block_alone
from app.text import given_name

SMS_LIMIT = 160
TRACKING_PATH = "/theo-doi"

# The pages a user's message points to, by kind; the first one that exists is used.
USER_LINKS = {
    "request_new_in_group": ("requests.queue",),
    "request_returned": ("requests.queue",),
    "cannot_come": ("sessions.calendar", "requests.queue"),
    "replacement_needed": ("sessions.calendar", "requests.queue"),
    "follow_up_opened": ("requests.queue",),
    "verification_done": ("matching.near_me", "volunteers.profile"),
    "verification_revoked": ("volunteers.profile",),
    "volunteer_assigned": ("sessions.mine",),
    "session_proposed": ("sessions.mine",),
    "session_confirmed": ("sessions.mine",),
    "session_rescheduled": ("sessions.mine",),
    "session_cancelled": ("sessions.mine",),
    "reminder": ("sessions.mine",),
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str      # with diacritics: Zalo, e-mail, the app
    sms: str       # ASCII, at most 160 characters

    def for_channel(self, channel: str) -> str:
        return self.sms if channel == SMS else self.text


# --- links ---------------------------------------------------------------------------
def public_url(endpoint: str, **values) -> str:
    """An absolute link on PUBLIC_BASE_URL, built without a request (delivery runs in a CLI)."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme or "https")
    return adapter.build(endpoint, values, force_external=True)


def tracking_url() -> str:
    """The public tracking page. It asks for the code: the phone number never goes in a URL."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + TRACKING_PATH


def link_endpoint(kind: str) -> str:
    views = current_app.view_functions
    for endpoint in USER_LINKS.get(kind, ()):
        if endpoint in views:
            return endpoint
    return "notify.inbox"


# --- SMS text ------------------------------------------------------------------------
# Characters outside the GSM 7-bit basic set cost two units or force UCS-2; keep plain ones.
_GSM_REPLACEMENTS = str.maketrans({"[": "(", "]": ")", "{": "(", "}": ")", "\\": "/",
                                   "^": "", "~": "-", "|": "/", "`": "'"})
_PUNCTUATION = str.maketrans({"—": "-", "–": "-", "«": '"', "»": '"', "“": '"', "”": '"',
                              "‘": "'", "’": "'", "…": "...", "•": "-"})
_NOT_PRINTABLE = re.compile(r"[^\x20-\x7e]")
_SPACES = re.compile(r"\s+")


def sms_safe(text: str) -> str:
    """Vietnamese without diacritics, on one line, in plain GSM characters."""
    text = unidecode((text or "").translate(_PUNCTUATION)).translate(_GSM_REPLACEMENTS)
    text = _NOT_PRINTABLE.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def shorten(text: str, room: int) -> str:
    """Cut at a word boundary with "..." so that the result fits `room` characters."""
    if len(text) <= room:
        return text
    if room < 4:
        return ""
    cut = text[:room - 3]
    if " " in cut[room // 2:]:
        cut = cut[:cut.rfind(" ")]
    return cut.rstrip(" ,.;:-") + "..."


def compose_sms(main: str, optional: str = "", required: str = "",
                limit: int = SMS_LIMIT) -> str:
    """main + optional + required in at most `limit` characters, without diacritics.

    `required` (the anti-scam sentence) is always kept whole; `optional` (the tracking
    link) is dropped only when the main text would otherwise shrink below 40 characters.
    """
    main, optional, required = sms_safe(main), sms_safe(optional), sms_safe(required)

    def join(*parts: str) -> str:
        return " ".join(p for p in parts if p)

    tail = join(optional, required)
    room = limit - len(tail) - 1
    if len(main) <= room or room >= 40:
        return join(shorten(main, room), tail)[:limit]
    room = limit - len(required) - 1
    return join(shorten(main, room), required)[:limit]


# --- what the templates get --------------------------------------------------------------
def _int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _moment(value) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _text(value, limit: int = 200) -> str:
    return str(value).strip()[:limit] if isinstance(value, (str, int)) and str(value).strip() \
        else ""


def _place_label(place: Place | None, name: str | None, to_resident: bool) -> str:
    if name and place in (Place.COMMUNITY_HOUSE, Place.OTHER, None):
        return name
    if place == Place.HOME:
        return _("Tại nhà bác") if to_resident else _("Tại nhà người dân")
    if place == Place.REMOTE:
        return _("Qua điện thoại hoặc gọi video")
    if place == Place.COMMUNITY_HOUSE:
        return name or _("Nhà văn hóa")
    return name or ""


def _topics_of(request: HelpRequest | None) -> str:
    if request is None:
        return ""
    names = [t.short_name for t in request.topics]
    return ", ".join(names[:2]) + ("…" if len(names) > 2 else "")


def _lead_volunteer(session: Session | None) -> str:
    if session is None:
        return ""
    for link in sorted(session.volunteers, key=lambda v: (v.role != VolunteerRole.LEAD, v.id)):
        if link.volunteer is not None and link.volunteer.user is not None:
            return link.volunteer.user.full_name
    return ""


def _greeting(recipient: Recipient) -> str:
    name = recipient.first_name
    if not name:
        return _("Xin chào,")
    if recipient.is_resident:
        resident = recipient.resident
        age = resident.age()
        gender = getattr(resident.gender, "value", None)
        if age is not None and age >= 55:
            return _("Chào bác %(name)s,", name=name)
        if gender == "female":
            return _("Chào chị %(name)s,", name=name)
        if gender == "male":
            return _("Chào anh %(name)s,", name=name)
    return _("Chào bạn %(name)s,", name=name)


def template_context(message: OutboxMessage, recipient: Recipient) -> dict:
    """Everything a message template may use; any of it may be empty."""
    ctx = message.context if isinstance(message.context, dict) else {}
    session = request = None
    if (session_id := _int(ctx.get("session_id"))) is not None:
        session = db.session.get(Session, session_id)
    if (request_id := _int(ctx.get("request_id"))) is not None:
        request = db.session.get(HelpRequest, request_id)
    if request is None and session is not None and session.request_id:
        request = session.request
    to_resident = recipient.is_resident

    starts_at = _moment(ctx.get("starts_at")) or (session.starts_at if session else None)
    # The cause gives the place as data (a Place value, and a name for a community house or
    # another place) or, rarely, as words already; people read only words.
    given = ctx.get("place")
    if isinstance(given, str) and given in Place._value2member_map_:
        place = _place_label(Place(given), _text(ctx.get("place_name")), to_resident)
    else:
        place = _text(given)
    if not place and session is not None:
        place = _place_label(session.place, session.place_name, to_resident)
    if not place and request is not None:
        place = _place_label(request.place, None, to_resident)
    volunteer = _text(ctx.get("volunteer_name")) or _lead_volunteer(session)
    if not volunteer and request is not None and request.volunteer and request.volunteer.user:
        volunteer = request.volunteer.user.full_name
    about = ""
    resident = request.resident if request is not None else None
    if resident is None and session is not None and len(session.enrollments) == 1:
        resident = session.enrollments[0].resident
    if resident is not None and not to_resident:
        # Messages leave the app: never a resident's full name or phone in them.
        about = resident.masked_name or _("Người dân")
    group = (session.group if session else None) or (request.group if request else None)
    return {
        "to_resident": to_resident,
        "name": recipient.first_name,
        "code": _text(ctx.get("code"), 20) or (request.code if request else ""),
        "topic": _text(ctx.get("topic"), 120) or (session.title if session else "")
        or _topics_of(request),
        "when": fmt_datetime(starts_at) if starts_at else "",
        "when_short": format_datetime(starts_at, "H:mm EEEE d/M") if starts_at else "",
        "place": place,
        "volunteer": given_name(volunteer),
        "who": given_name(volunteer) or _text(ctx.get("name"), 60),
        "about": about,
        "group": group.name if group else _text(ctx.get("group_name"), 120),
        "reason": _text(ctx.get("reason"), 200),
        "count": _int(ctx.get("count")) or 0,
        "items": [s for s in ctx.get("items", []) if isinstance(s, str)][:20]
        if isinstance(ctx.get("items"), list) else [],
    }


_DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")


def _one_line(text: str) -> str:
    """One line; "Bà B.." (an initial ending a sentence) loses its second full stop."""
    return _DOUBLE_STOP.sub(".", _SPACES.sub(" ", text)).strip()


def _lines(text: str) -> str:
    """Each sentence group of a template on its own line, without the template's blank lines."""
    return "\n".join(line for line in (_one_line(raw) for raw in text.splitlines()) if line)


def render(message: OutboxMessage, recipient: Recipient | None = None) -> Rendered:
    """The subject, long text and SMS of a message, in the recipient's language."""
    recipient = recipient or Recipient.of(message)
    with force_locale(recipient.locale):
        context = template_context(message, recipient)
        name = f"notify/messages/{message.kind}.txt"
        subject = _one_line(render_block_alone(name, "subject", context))
        main = _lines(render_block_alone(name, "text", context))
        short = _one_line(render_block_alone(name, "sms", context))
        if recipient.is_resident:
            track = tracking_url()
            code = context["code"]
            link = (_("Theo dõi: %(url)s (mã %(code)s).", url=track, code=code) if code
                    else _("Theo dõi: %(url)s", url=track))
            safety = " ".join((_("Để an toàn:"), _(
                "Tình nguyện viên không bao giờ hỏi mã OTP, mật khẩu hay yêu cầu chuyển tiền.")))
            text = "\n".join((_greeting(recipient), main, link, safety))
            sms_link = _("Mã %(code)s: %(url)s", code=code, url=_short_url(track)) if code \
                else _short_url(track)
            sms = compose_sms(short, sms_link,
                              _("Tình nguyện viên không hỏi OTP, mật khẩu, tiền."))
        else:
            url = public_url(link_endpoint(message.kind))
            text = "\n".join((_greeting(recipient), main,
                              _("Xem trong ứng dụng: %(url)s", url=url)))
            sms = compose_sms(short, _short_url(url))
    return Rendered(subject=subject[:200], text=text, sms=sms)


def _short_url(url: str) -> str:
    """Phones turn "cunghocso.vn/theo-doi" into a link: "https://" only costs characters."""
    return url[len("https://"):] if url.startswith("https://") else url
