"""Weekly time windows as a bitmask: 7 days × morning/afternoon/evening = 21 bits.

Both a volunteer's availability and a request's preferred times use it, so
"free when the resident wants" is `(availability & preferred) != 0`, which
works in SQL on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

from datetime import datetime, time

from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

DAYS = range(7)  # Monday = 0 … Sunday = 6, like datetime.weekday()
SLOTS = range(3)  # morning, afternoon, evening

DAY_NAMES = (_l("Thứ Hai"), _l("Thứ Ba"), _l("Thứ Tư"), _l("Thứ Năm"), _l("Thứ Sáu"),
             _l("Thứ Bảy"), _l("Chủ Nhật"))
SLOT_NAMES = (_l("sáng"), _l("chiều"), _l("tối"))
# Local hours that open and close each slot.
SLOT_HOURS = ((time(6, 0), time(12, 0)), (time(12, 0), time(18, 0)), (time(18, 0), time(22, 0)))

ALL = (1 << 21) - 1


def bit(day: int, slot: int) -> int:
    return 1 << (day * 3 + slot)


def mask_of(day_slots) -> int:
    mask = 0
    for day, slot in day_slots:
        mask |= bit(day, slot)
    return mask


WEEKDAYS = range(0, 5)
WEEKEND = range(5, 7)

# The six coarse choices residents see on the request form.
COARSE_CHOICES = {
    "weekday_morning": (_l("Sáng ngày thường"), mask_of((d, 0) for d in WEEKDAYS)),
    "weekday_afternoon": (_l("Chiều ngày thường"), mask_of((d, 1) for d in WEEKDAYS)),
    "weekday_evening": (_l("Tối ngày thường"), mask_of((d, 2) for d in WEEKDAYS)),
    "weekend_morning": (_l("Sáng cuối tuần"), mask_of((d, 0) for d in WEEKEND)),
    "weekend_afternoon": (_l("Chiều cuối tuần"), mask_of((d, 1) for d in WEEKEND)),
    "weekend_evening": (_l("Tối cuối tuần"), mask_of((d, 2) for d in WEEKEND)),
}


def coarse_mask(keys) -> int:
    mask = 0
    for key in keys:
        mask |= COARSE_CHOICES[key][1]
    return mask


def coarse_keys(mask: int) -> list[str]:
    """The coarse choices wholly or partly inside a mask, for re-filling a form."""
    return [key for key, (_label, m) in COARSE_CHOICES.items() if mask & m]


def slots_of(mask: int) -> list[tuple[int, int]]:
    return [(d, s) for d in DAYS for s in SLOTS if mask & bit(d, s)]


def describe(mask: int) -> list[str]:
    """Human words for a mask, coarse where whole groups are set: ["sáng thứ Bảy", …]."""
    words: list[str] = []
    rest = mask
    for _key, (label, m) in COARSE_CHOICES.items():
        if rest & m == m:
            words.append(str(label))
            rest &= ~m
    for day, slot in slots_of(rest):
        # "sáng thứ Bảy" in Vietnamese, "Saturday morning" in English.
        words.append(gettext("%(slot)s %(day)s", slot=SLOT_NAMES[slot],
                             day=mid_sentence(str(DAY_NAMES[day]))))
    return words


def mid_sentence(phrase: str) -> str:
    """Vietnamese lower-cases a leading word inside a sentence ("rảnh sáng cuối tuần");
    English keeps its capitals ("free Saturday morning")."""
    if not phrase or not str(get_locale() or "vi").startswith("vi"):
        return phrase
    return phrase[:1].lower() + phrase[1:]


def slot_of_local(moment: datetime) -> tuple[int, int] | None:
    """The (day, slot) a local datetime falls in, or None outside 6:00–22:00."""
    t = moment.time()
    for slot, (start, end) in enumerate(SLOT_HOURS):
        if start <= t < end:
            return moment.weekday(), slot
    return None
