"""The shape expectation: what counts as unexpected, and that the parsers rely on nothing else."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reconciler.connectwise.live import Record, parse_addition, parse_agreement, parse_catalog_item
from reconciler.connectwise.shape import EXPECTED, RecordKind, shape_problems
from reconciler.errors import Severity
from reconciler.sandbox import Sandbox
from reconciler.sandbox.seeds import load_seed
from tests.sandbox.helpers import cw_client

GOOD_AGREEMENT: Record = {
    "id": 4,
    "name": "Managed Backup Service",
    "company": {"id": 4, "identifier": "DELTA"},
    "startDate": "2026-11-01T00:00:00Z",
    "billStartDate": "2026-11-15T00:00:00Z",
    "cancelledFlag": False,
    "dateCancelled": "2026-12-03T14:22:05Z",  # a moment: a time of day is expected
}

CASES = {
    "a record as the spec has it has no problem": (GOOD_AGREEMENT, []),
    "optional fields absent are fine": ({"id": 4, "name": "M", "company": {"identifier": "D"}}, []),
    "optional fields null are fine too": ({**GOOD_AGREEMENT, "endDate": None, "startDate": None}, []),
    "a required field absent is an error": (
        {k: v for k, v in GOOD_AGREEMENT.items() if k != "company"},
        [("company", Severity.ERROR, "is absent; cwbill needs it")],
    ),
    "a required field null is an error": (
        {**GOOD_AGREEMENT, "name": None},
        [("name", Severity.ERROR, "is null; cwbill needs it")],
    ),
    "an id of digits in a string is read, with a warning": (
        {**GOOD_AGREEMENT, "id": "4"},
        [("id", Severity.WARNING, "is a string of digits, not an integer (cwbill reads it)")],
    ),
    "a date the parser cannot read is an error": (
        {**GOOD_AGREEMENT, "billStartDate": "15/11/2026"},
        [
            (
                "billStartDate",
                Severity.ERROR,
                "is the string '15/11/2026', not a date (a date-time at midnight)",
            )
        ],
    ),
    "a date with an offset is read by its date part, with a warning": (
        {**GOOD_AGREEMENT, "startDate": "2026-11-01T00:00:00+01:00"},
        [
            (
                "startDate",
                Severity.WARNING,
                "is not in the form YYYY-MM-DDTHH:MM:SSZ; cwbill reads the date part only",
            )
        ],
    ),
    "a date with a time of day is read by its date part, with a warning": (
        {**GOOD_AGREEMENT, "startDate": "2026-10-31T23:00:00Z"},
        [("startDate", Severity.WARNING, "carries a time of day; cwbill reads the date part only")],
    ),
    "a flag that is a string is an error (bool('false') is true)": (
        {**GOOD_AGREEMENT, "cancelledFlag": "false"},
        [("cancelledFlag", Severity.ERROR, "is the string 'false', not a boolean")],
    ),
    "a reference without an identifier is an error": (
        {**GOOD_AGREEMENT, "company": {"id": 4}},
        [("company", Severity.ERROR, "is an object, not a reference with an identifier")],
    ),
}


@pytest.mark.parametrize(("record", "expected"), CASES.values(), ids=CASES.keys())
def test_agreement_shapes(record: Record, expected: list[tuple[str, Severity, str]]) -> None:
    found = [(p.field, p.severity, p.problem) for p in shape_problems(RecordKind.AGREEMENT, record)]
    assert found == expected


NUMBERS = {
    "a JSON number (a Decimal once parsed) is expected": (Decimal("2.50"), None),
    "an integer is a number": (3, None),
    "a numeric string is read, with a warning": ("2.50", Severity.WARNING),
    "a word is an error": ("two", Severity.ERROR),
    "a boolean is not a number": (True, Severity.ERROR),
}


@pytest.mark.parametrize(("value", "severity"), NUMBERS.values(), ids=NUMBERS.keys())
def test_catalog_prices(value: object, severity: Severity | None) -> None:
    record = {"id": 1, "identifier": "MBS-SERVER", "price": value}
    found = [p.severity for p in shape_problems(RecordKind.CATALOG, record)]
    assert found == ([] if severity is None else [severity])


def test_an_addition_without_last_updated_is_an_error() -> None:
    record = {"id": 7, "product": {"identifier": "X"}, "effectiveDate": "2026-10-01T00:00:00Z", "_info": {}}
    assert [p.field for p in shape_problems(RecordKind.ADDITION, record)] == ["_info"]


def _demo_records() -> dict[RecordKind, list[Record]]:
    sandbox = Sandbox(load_seed("demo"))
    with cw_client(sandbox) as client:

        def listed(path: str) -> list[Record]:
            response = client.get(path, params={"pageSize": 1000})
            response.raise_for_status()
            return response.json(parse_float=Decimal)  # type: ignore[no-any-return]

        additions = [
            a for agreement in range(1, 6) for a in listed(f"/finance/agreements/{agreement}/additions")
        ]
        return {
            RecordKind.COMPANY: listed("/company/companies"),
            RecordKind.AGREEMENT: listed("/finance/agreements"),
            RecordKind.ADDITION: additions,
            RecordKind.CATALOG: listed("/procurement/catalog"),
        }


def test_every_record_the_sandbox_serves_has_the_expected_shape() -> None:
    for kind, records in _demo_records().items():
        assert records
        assert [p for r in records for p in shape_problems(kind, r)] == [], kind


def test_the_parsers_read_no_field_outside_the_expectation() -> None:
    """Parsing a record cut down to the expected fields gives what parsing all of it gives: the
    expectation covers everything the parsers rely on (one definition, two users)."""
    parsers = {
        RecordKind.AGREEMENT: parse_agreement,
        RecordKind.ADDITION: lambda record: parse_addition(record, 1),
        RecordKind.CATALOG: parse_catalog_item,
    }
    for kind, records in _demo_records().items():
        if kind not in parsers:
            continue
        names = {expected.field for expected in EXPECTED[kind]}
        for record in records:
            reduced = {name: value for name, value in record.items() if name in names}
            assert parsers[kind](reduced) == parsers[kind](record)


def test_the_parsers_take_an_optional_field_absent_or_null_alike() -> None:
    for kind, records in _demo_records().items():
        optional = [e.field for e in EXPECTED[kind] if not e.required]
        parse = {
            RecordKind.AGREEMENT: parse_agreement,
            RecordKind.ADDITION: lambda record: parse_addition(record, 1),
            RecordKind.CATALOG: parse_catalog_item,
        }.get(kind)
        if parse is None:
            continue
        for record in records:
            absent = {k: v for k, v in record.items() if k not in optional}
            null = {**record, **dict.fromkeys(optional)}
            assert parse(absent) == parse(null)
            assert shape_problems(kind, absent) == shape_problems(kind, null) == []
