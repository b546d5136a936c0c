"""ConnectWise date-times as the sandbox reads and writes them (connectwise-api §4).

Responses carry `YYYY-MM-DDTHH:MM:SSZ` (UTC). Request bodies may send that form, a fraction of a
second, a naive form (django-connectwise does) or a bare date; an offset such as `-04:00` is refused,
as a live server refused it with `UnsupportedFormat`. Conditions (`[...]` literals) also accept
offsets, converted to UTC.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

_DATE_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# Pure functions of their text, and a seed repeats a few hundred dates over 72,000 additions
# (≈ 1 s of parsing and formatting them again): the 4,096 most recently used are remembered.
@functools.lru_cache(maxsize=4096)
def parse(text: str, *, allow_offset: bool = False) -> dt.datetime:
    """An aware UTC datetime; ValueError for anything else."""
    match = _DATE_TIME.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a date-time")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if zone not in (None, "Z") and not allow_offset:
        raise ValueError(f"{text!r} has a UTC offset; send UTC (…Z)")
    micro = int((fraction or "0").ljust(6, "0")[:6])
    value = dt.datetime(
        int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro
    )
    if zone in (None, "Z"):
        return value.replace(tzinfo=dt.UTC)
    sign = 1 if zone[0] == "+" else -1
    digits = zone[1:].replace(":", "")
    offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return (value - sign * offset).replace(tzinfo=dt.UTC)


def format_utc(value: dt.datetime) -> str:
    """`2026-11-01T00:00:00Z` (seconds precision, as ConnectWise answers)."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@functools.lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """A request's date-time text in the response form; ValueError when not a date-time."""
    return format_utc(parse(text))


def from_date(day: str) -> str:
    """`2026-11-01` → `2026-11-01T00:00:00Z` (date-only fields are midnight UTC)."""
    if not _DATE.match(day):
        raise ValueError(f"{day!r} is not a date (YYYY-MM-DD)")
    return f"{day}T00:00:00Z"
