"""ConnectWise date-times: the forms read, the one form written."""

from __future__ import annotations

import datetime as dt

import pytest

from reconciler.sandbox import datetimes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z"),
        ("2026-11-01", "2026-11-01T00:00:00Z"),
        ("2026-11-01T10:20:30", "2026-11-01T10:20:30Z"),
        ("2026-09-11T16:42:39.277Z", "2026-09-11T16:42:39Z"),
        ("2026-11-01 10:20", "2026-11-01T10:20:00Z"),
    ],
)
def test_request_forms_normalize_to_utc_seconds(text: str, expected: str) -> None:
    assert datetimes.normalize(text) == expected


@pytest.mark.parametrize(
    "text", ["2026-09-11T14:32:00-04:00", "2026-13-01", "yesterday", "2026-11-01T25:00:00Z"]
)
def test_offsets_and_nonsense_are_refused_in_bodies(text: str) -> None:
    with pytest.raises(ValueError):
        datetimes.normalize(text)


def test_offsets_are_converted_where_allowed() -> None:
    assert datetimes.parse("2026-11-01T20:00:00-05:00", allow_offset=True) == dt.datetime(
        2026, 11, 2, 1, tzinfo=dt.UTC
    )


def test_a_date_becomes_midnight_utc() -> None:
    assert datetimes.from_date("2026-11-15") == "2026-11-15T00:00:00Z"
    with pytest.raises(ValueError):
        datetimes.from_date("2026-11")
