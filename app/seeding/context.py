"""What every generated ward shares (the Context: ids, topics, clock, password hash) and the
small tools the generator draws with: weighted pickers, names, phones, tracking codes,
proportional splits, local time to UTC."""
from __future__ import annotations

import bisect
import random
from datetime import date, datetime, time, timedelta, timezone

from app.requests.services import CODE_LENGTH, TRACKING_ALPHABET
from app.seeding.tables import Ids
from app.seeding.vocabulary import (COARSE_DEMAND, COARSE_SUPPLY, FAMILY_NAMES, GIVEN_FEMALE,
                                    GIVEN_MALE, MIDDLE_FEMALE, MIDDLE_MALE,
                                    RESIDENT_PHONE_PREFIXES, TOPIC_DEMAND)
from app.text import fold
from app.timeslots import COARSE_CHOICES, bit

UTC = timezone.utc
LOCAL_OFFSET = timedelta(hours=7)  # Asia/Ho_Chi_Minh has no daylight saving time
SPAN_DAYS = 730                    # two years of activity

# Two-hour windows sessions are placed in: (slot, local start hour). A session starts at the
# window's start or half an hour later and ends inside it, so windows never overlap.
WINDOWS = ((0, 8), (0, 10), (1, 14), (1, 16), (2, 19))
WINDOWS_PER_DAY = len(WINDOWS)


def _weighted(pairs):
    values = [v for v, _w in pairs]
    cum = []
    total = 0
    for _v, w in pairs:
        total += w
        cum.append(total)
    return values, cum


class Picker:
    """Fast weighted choice from a fixed table."""

    def __init__(self, pairs):
        self.values, self.cum = _weighted(pairs)
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random):
        return self.values[bisect.bisect_right(self.cum, rng.random() * self.total)]


FAMILY = Picker(FAMILY_NAMES)
_FOLDED: dict[str, str] = {}


def person_name(rng: random.Random, female: bool, elderly: bool) -> tuple[str, str]:
    """A Vietnamese full name and its folded search form (app.text.fold, memoised)."""
    family = FAMILY(rng)
    if female:
        middle = "Thị" if elderly and rng.random() < 0.75 else rng.choice(MIDDLE_FEMALE)
        given = rng.choice(GIVEN_FEMALE)
    else:
        middle = "Văn" if elderly and rng.random() < 0.55 else rng.choice(MIDDLE_MALE)
        given = rng.choice(GIVEN_MALE)
    full = f"{family} {middle} {given}"
    folded = _FOLDED.get(full)
    if folded is None:
        folded = _FOLDED[full] = fold(full)
    return full, folded


def scramble7(n: int) -> str:
    """Seven digits, unique for every n below ten million, that do not look sequential."""
    return f"{(n * 7_654_321 + 1_234_567) % 10_000_000:07d}"


# Every code the app's alphabet can spell at the app's length (31**6, about 887 million).
CODE_SPACE = len(TRACKING_ALPHABET) ** CODE_LENGTH
# A prime larger than any alphabet's size: coprime with CODE_SPACE, so the mapping below is
# a bijection of range(CODE_SPACE) and no two requests share a code.
CODE_MULTIPLIER = 2_654_435_761
CODE_OFFSET = 0x1D872B41


def request_code(request_id: int) -> str:
    """The tracking code of a generated request: spelt like the codes the request form hands
    out (app.requests.services), and unique for every id below CODE_SPACE."""
    x = (request_id * CODE_MULTIPLIER + CODE_OFFSET) % CODE_SPACE
    chars = []
    for _ in range(CODE_LENGTH):
        x, digit = divmod(x, len(TRACKING_ALPHABET))
        chars.append(TRACKING_ALPHABET[digit])
    return "".join(chars)


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(r) for r in raw]
    rest = total - sum(out)
    order = sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)
    for i in order[:rest]:
        out[i] += 1
    return out


def to_utc(local: datetime) -> datetime:
    """A naive Asia/Ho_Chi_Minh wall-clock time to an aware UTC datetime."""
    return (local - LOCAL_OFFSET).replace(tzinfo=UTC)


class Context:
    """What every ward shares: ids, topics, clock, password hash, the seeded root."""

    def __init__(self, seed: int, today: date, topics: dict, topic_names: dict, skills: dict,
                 password_hash: str, ids: Ids):
        self.seed = seed
        self.today = today
        self.midnight = datetime.combine(today, time())  # local, naive
        self.now = to_utc(self.midnight)
        self.topics = topics            # slug -> id
        self.topic_names = topic_names  # id -> short name
        self.skills = skills            # topic id -> [skill ids]
        self.topic_ids = sorted(topics.values())
        self.demand = Picker([(tid, TOPIC_DEMAND.get(slug, 1)) for slug, tid in topics.items()])
        self.core = [topics[s] for s in ("dien-thoai", "zalo", "ngan-hang-so", "lua-dao")
                     if s in topics]
        self.password_hash = password_hash
        self.ids = ids
        self.coarse_demand = Picker([(COARSE_CHOICES[k][1], w) for k, w in COARSE_DEMAND])
        self.coarse_supply = Picker([(COARSE_CHOICES[k][1], w) for k, w in COARSE_SUPPLY])
        self.window_cache: dict[tuple[int, int], tuple[int, ...]] = {}
        self.user_seq = 0
        self.resident_seq = 0

    def windows(self, mask: int, weekday: int) -> tuple[int, ...]:
        key = (mask, weekday)
        found = self.window_cache.get(key)
        if found is None:
            found = tuple(w for w, (slot, _h) in enumerate(WINDOWS) if mask & bit(weekday, slot))
            self.window_cache[key] = found
        return found

    def user_phone(self) -> str:
        self.user_seq += 1
        return "+8493" + scramble7(self.user_seq)

    def resident_phone(self, rng: random.Random) -> str:
        self.resident_seq += 1
        return rng.choice(RESIDENT_PHONE_PREFIXES) + scramble7(self.resident_seq)
