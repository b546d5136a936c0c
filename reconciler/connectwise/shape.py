"""What cwbill relies on in the ConnectWise records it reads, stated once (connectwise-api §4).

`EXPECTED` lists, per record kind, every field the parsers of `reconciler.connectwise.live` read
(a test proves they read nothing else) with the form cwbill expects, the spec's: ids are integers,
dates ConnectWise's `YYYY-MM-DDTHH:MM:SSZ`, money JSON numbers, flags booleans, references objects
with an `identifier`. `shape_problems` compares one record with it: a required field absent or null,
or a value the parser cannot read, is an error (cwbill would misread the record); a value the
parser tolerates but the spec does not promise (a numeric string, a date-time with an offset or a
time of day) is a warning, so a difference between a real server and the sandbox is seen before the
first apply. An optional field may be absent or null alike (other servers, older versions).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from reconciler.connectwise.live import Record, parse_date, parse_decimal
from reconciler.errors import Severity


class RecordKind(StrEnum):
    COMPANY = "company"
    AGREEMENT = "agreement"
    ADDITION = "addition"
    CATALOG = "catalog item"

    @property
    def plural(self) -> str:
        return "companies" if self is RecordKind.COMPANY else f"{self.value}s"


class ValueKind(StrEnum):
    ID = "integer id"
    TEXT = "string"
    DATE = "date (a date-time at midnight)"
    DATE_TIME = "date-time"
    NUMBER = "number"
    FLAG = "boolean"
    REFERENCE = "reference with an identifier"
    INFO = "_info with lastUpdated"


@dataclass(frozen=True, slots=True)
class Expected:
    field: str
    kind: ValueKind
    required: bool = False  # True: absent or null is an error


@dataclass(frozen=True, slots=True)
class ShapeProblem:
    kind: RecordKind
    field: str
    problem: str  # what is wrong, the same text for every record with this problem
    severity: Severity


def _fields(required: str, optional: str, kinds: Mapping[str, ValueKind]) -> tuple[Expected, ...]:
    wanted = [Expected(name, kinds[name], True) for name in required.split()]
    return (*wanted, *(Expected(name, kinds[name]) for name in optional.split()))


_KINDS: Mapping[str, ValueKind] = {
    **dict.fromkeys(("id",), ValueKind.ID),
    **dict.fromkeys(
        ("identifier", "name", "billCustomer", "invoiceDescription", "serialNumber"), ValueKind.TEXT
    ),
    **dict.fromkeys(
        ("startDate", "billStartDate", "endDate", "effectiveDate", "cancelledDate"), ValueKind.DATE
    ),
    "dateCancelled": ValueKind.DATE_TIME,  # a moment, not a day: any time of day is expected
    **dict.fromkeys(("quantity", "unitPrice", "unitCost", "price", "cost"), ValueKind.NUMBER),
    **dict.fromkeys(("cancelledFlag", "inactiveFlag", "deletedFlag"), ValueKind.FLAG),
    **dict.fromkeys(("company", "product"), ValueKind.REFERENCE),
    "_info": ValueKind.INFO,
}

EXPECTED: Mapping[RecordKind, tuple[Expected, ...]] = {
    RecordKind.COMPANY: _fields("id identifier", "deletedFlag", _KINDS),
    RecordKind.AGREEMENT: _fields(
        "id name company", "startDate billStartDate endDate cancelledFlag dateCancelled", _KINDS
    ),
    RecordKind.ADDITION: _fields(
        "id product _info effectiveDate",
        "quantity unitPrice unitCost billCustomer cancelledDate invoiceDescription serialNumber",
        _KINDS,
    ),
    RecordKind.CATALOG: _fields("id identifier", "price cost inactiveFlag", _KINDS),
}

_CANONICAL_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_MIDNIGHT = "T00:00:00Z"


def shape_problems(kind: RecordKind, record: Record) -> list[ShapeProblem]:
    """Every way `record` differs from what cwbill expects of a `kind` record."""
    problems: list[ShapeProblem] = []
    for expected in EXPECTED[kind]:
        value = record.get(expected.field)
        if value is None:
            if expected.required:
                absent = "absent" if expected.field not in record else "null"
                problems.append(_error(kind, expected, f"is {absent}; cwbill needs it"))
            continue
        found = _check(expected.kind, value)
        if found is not None:
            severity, text = found
            problems.append(ShapeProblem(kind, expected.field, text, severity))
    return problems


def _error(kind: RecordKind, expected: Expected, text: str) -> ShapeProblem:
    return ShapeProblem(kind, expected.field, text, Severity.ERROR)


def _check(
    kind: ValueKind, value: object
) -> tuple[Severity, str] | None:  # one return per verdict reads best
    """None when `value` has the expected form; else the severity and what differs."""
    wrong = (Severity.ERROR, f"is {_describe(value)}, not a {kind.value}")
    if kind is ValueKind.ID:
        if isinstance(value, int) and not isinstance(value, bool):
            return None
        if isinstance(value, str) and value.isdigit():
            return Severity.WARNING, "is a string of digits, not an integer (cwbill reads it)"
        return wrong
    if kind is ValueKind.TEXT:
        return None if isinstance(value, str) else wrong
    if kind is ValueKind.FLAG:
        return None if isinstance(value, bool) else wrong
    if kind is ValueKind.NUMBER:
        return _number(value, wrong)
    if kind in (ValueKind.DATE, ValueKind.DATE_TIME):
        return _date_time(value, wrong, at_midnight=kind is ValueKind.DATE)
    if kind is ValueKind.REFERENCE:
        identifier = value.get("identifier") if isinstance(value, Mapping) else None
        return None if isinstance(identifier, str) and identifier else wrong
    updated = value.get("lastUpdated") if isinstance(value, Mapping) else None
    if isinstance(updated, str) and updated:
        return None
    return Severity.ERROR, "has no lastUpdated (cwbill's only concurrency token)"


def _number(value: object, wrong: tuple[Severity, str]) -> tuple[Severity, str] | None:
    if isinstance(value, bool):
        return wrong
    if isinstance(value, Decimal | int):
        return None
    if isinstance(value, str) and parse_decimal(value) is not None:
        return Severity.WARNING, "is a numeric string, not a JSON number (cwbill reads it)"
    return wrong


def _date_time(
    value: object, wrong: tuple[Severity, str], *, at_midnight: bool
) -> tuple[Severity, str] | None:
    if not isinstance(value, str) or parse_date(value) is None:
        return wrong
    if _CANONICAL_DATE_TIME.fullmatch(value):
        if value.endswith(_MIDNIGHT) or not at_midnight:
            return None
        return Severity.WARNING, "carries a time of day; cwbill reads the date part only"
    return Severity.WARNING, "is not in the form YYYY-MM-DDTHH:MM:SSZ; cwbill reads the date part only"


def _describe(value: object) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return f"the {type(value).__name__} {value}"
