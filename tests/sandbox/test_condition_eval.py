"""Evaluating conditions as SQL Server would: every operator, precedence, nulls, unlike types."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reconciler.sandbox.condition_eval import evaluate
from reconciler.sandbox.conditions import ConditionError, parse

RECORDS: list[dict[str, object]] = [
    {
        "id": 1,
        "name": "Acme Corp",
        "quantity": Decimal("4"),
        "unitPrice": Decimal("15.00"),
        "flag": True,
        "effectiveDate": "2026-10-01T00:00:00Z",
        "cancelledDate": "2026-10-31T00:00:00Z",
        "serialNumber": "cwbill:licenses:e5963afb",
        "product": {"id": 1, "identifier": "MBS-SERVER"},
        "company": {"id": 7, "identifier": "ACME"},
    },
    {
        "id": 2,
        "name": "Beta Logistics",
        "quantity": Decimal("12"),
        "unitPrice": Decimal("6"),
        "flag": False,
        "effectiveDate": "2026-11-01T00:00:00Z",
        "cancelledDate": None,
        "serialNumber": None,
        "product": {"id": 2, "identifier": "MBS-DESKTOP"},
        "company": {"id": 8, "identifier": "BETA"},
    },
    {
        "id": 3,
        "name": "Gamma [Health] 100%",
        "quantity": Decimal("8.5"),
        "unitPrice": Decimal("20"),
        "flag": True,
        "effectiveDate": "2026-11-15T00:00:00Z",
        "cancelledDate": "2026-11-30T00:00:00Z",
        "serialNumber": "cwbill:servers:9b2b3766",
        "product": {"id": 1, "identifier": "MBS-SERVER"},
        "company": None,
    },
]


def matching(text: str) -> list[object]:
    node = parse(text)
    return [r["id"] for r in RECORDS if evaluate(node, r)]


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("id = 2", [2]),
        ("id != 2", [1, 3]),
        ("quantity < 8.5", [1]),
        ("quantity <= 8.5", [1, 3]),
        ("quantity > 4", [2, 3]),
        ("quantity >= 4", [1, 2, 3]),
        ("unitPrice = 15", [1]),  # decimals compare by value: 15 == 15.00
        ('name = "acme corp"', [1]),  # strings ignore case (SQL Server collation)
        ("name = 'Beta Logistics'", [2]),
        ('name contains "logis"', [2]),
        ('name not contains "CORP"', [2, 3]),
        ('name like "acme*"', [1]),
        ('name like "%Logistics"', [2]),
        ('name like "_eta%"', [2]),
        ('name like "gamma [[]health]%"', [3]),  # [[] is SQL Server's escape for a literal [
        ('name not like "*corp"', [2, 3]),
        ("id in (1, 3)", [1, 3]),
        ("id not in (1, 3)", [2]),
        ('product/identifier in ("MBS-DESKTOP", "mbs-server")', [1, 2, 3]),
        ("flag = true", [1, 3]),
        ("flag = False", [2]),
        ("flag = True", [1, 3]),
        ("serialNumber = null", [2]),
        ("serialNumber != null", [1, 3]),
        ("cancelledDate != [2026-10-31T00:00:00Z]", [3]),  # a null field matches nothing but = null
        ("effectiveDate >= [2026-11-01T00:00:00Z] and effectiveDate < [2026-12-01T00:00:00Z]", [2, 3]),
        ("effectiveDate = [2026-10-01]", [1]),
        ("effectiveDate > [2026-10-31T20:00:00-05:00]", [3]),  # offsets in literals become UTC: 01:00Z
        ("company/id = 7", [1]),
        ("company/identifier = 'BETA'", [2]),
        ("Company/Identifier = 'beta'", [2]),  # field names ignore case too
        ("company/id = null", [3]),  # a null reference's fields are null
        ('serialNumber like "cwbill:servers:*"', [3]),
        ('serialNumber = "cwbill:licenses:e5963afb"', [1]),
        ('name = "Gamma [Health] 100%"', [3]),
    ],
)
def test_each_operator_selects_what_sql_server_would(text: str, ids: list[int]) -> None:
    assert matching(text) == ids


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("id = 1 or id = 2 and flag = true", [1]),  # AND binds tighter: 1 or (2 and true)
        ("(id = 1 or id = 2) and flag = true", [1]),
        ("(id = 1 or id = 2) and flag = false", [2]),
        ("id = 3 OR id = 2 AnD flag = false", [2, 3]),
        ("((id = 1))", [1]),
        ("id > 1 and (name contains 'beta' or name contains 'gamma') and quantity >= 8.5", [2, 3]),
    ],
)
def test_and_binds_tighter_than_or_and_parentheses_group(text: str, ids: list[int]) -> None:
    assert matching(text) == ids


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('id = "x"', "id: 'x' is not a number"),
        ("name > 5", "name: 'Acme Corp' is not a number"),
        ("flag = 1", "flag cannot be compared with a number"),
        ("flag > true", "flag: true/false cannot be ordered"),
        ("company = 7", "company is not a single value; name one of its fields"),
        ("name = [2026-01-01]", "name cannot be compared with a date-time"),
    ],
)
def test_comparing_unlike_types_is_an_error_not_a_silent_miss(text: str, expected: str) -> None:
    with pytest.raises(ConditionError, match="^" + expected.replace("[", r"\[").replace("]", r"\]") + "$"):
        evaluate(parse(text), RECORDS[0])


def test_strings_accept_escaped_quotes() -> None:
    record = {"name": "He said \"hi\" and 'bye'"}
    assert evaluate(parse(r'name = "He said \"hi\" and ' + "'bye'\""), record)
    assert evaluate(parse(r"name like '*\'bye\''"), record)
