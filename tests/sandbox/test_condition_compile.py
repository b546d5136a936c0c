"""Compiled conditions answer what the reference evaluation answers, record by record, errors included.

`condition_compile` takes the tree's decisions once; `condition_eval.evaluate` is the reference.
Both are run here over the same records, for written conditions (every operator, precedence,
nulls, unlike types, names in another case) and for generated ones, and must agree on every
record: the same True/False, or the same exception with the same message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.sandbox.condition_compile import compile_condition
from reconciler.sandbox.condition_eval import evaluate
from reconciler.sandbox.conditions import Comparison, Junction, Literal, LiteralKind, Node, parse
from tests.sandbox.test_condition_eval import RECORDS


class FrozenRecord(Mapping[str, object]):
    """A record that is a Mapping but not a dict (the reference's other branch)."""

    def __init__(self, values: dict[str, object]) -> None:
        self._values = values

    def __getitem__(self, key: str) -> object:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


ODD_RECORDS: list[Mapping[str, object]] = [
    {"ID": 9, "Name": "upper-case keys", "QUANTITY": "7", "EffectiveDate": "2026-10-05T00:00:00Z"},
    {"id": 10, "name": 42, "quantity": "not a number", "flag": "yes", "effectiveDate": "someday"},
    {"id": 11, "quantity": Decimal("-2.5"), "company": {"ID": 7, "Identifier": "acme"}, "product": []},
    {"id": 12, "name": "", "quantity": True, "company": {"identifier": None}, "effectiveDate": None},
    FrozenRecord({"id": 13, "name": "Delta", "company": FrozenRecord({"identifier": "DELTA"})}),
    {},
]
EVERY_RECORD: list[Mapping[str, object]] = [*RECORDS, *ODD_RECORDS]


def outcome(function: object, *args: object) -> object:
    """What a call answers: its value, or its exception's type and message."""
    assert callable(function)
    try:
        return function(*args)
    except Exception as problem:  # any exception is an answer to compare
        return (type(problem), str(problem))


def assert_same_answers(node: Node, records: list[Mapping[str, object]]) -> None:
    predicate = compile_condition(node)
    for record in records:
        assert outcome(predicate, record) == outcome(evaluate, node, record), (node, record)


@pytest.mark.parametrize(
    "text",
    [
        "id = 2",
        "id != 2",
        "quantity < 8.5",
        "quantity >= 4",
        "unitPrice = 15",
        'name = "acme corp"',
        "name > 'b'",
        "name <= 'Beta Logistics'",
        'name contains "logis"',
        'name not contains "CORP"',
        'name like "acme*"',
        'name not like "*corp"',
        "id in (1, 3)",
        "id not in (1, 3)",
        "id in (1, null, 'x')",
        'product/identifier in ("MBS-DESKTOP", "mbs-server")',
        'company/identifier not in ("acme", null)',
        "company/identifier in (null)",
        "flag = true",
        "flag != false",
        "flag > true",
        "flag = 1",
        "serialNumber = null",
        "serialNumber != null",
        "serialNumber > null",
        "company = null",
        "company = 7",
        "company in (7)",
        "cancelledDate != [2026-10-31T00:00:00Z]",
        "effectiveDate >= [2026-11-01T00:00:00Z] and effectiveDate < [2026-12-01T00:00:00Z]",
        "effectiveDate>=[2026-10-01T00:00:00Z] and effectiveDate<[2026-12-01T00:00:00Z]",
        "effectiveDate > [2026-10-31T20:00:00-05:00]",
        "effectiveDate = 'x'",
        "Company/Identifier = 'beta'",
        "company/id = null",
        "quantity = '4'",
        "id = 'x'",
        "name > 5",
        "name = [2026-01-01]",
        "id = 1 or id = 2 and flag = true",
        "(id = 1 or id = 2) and flag = false",
        "id > 1 and (name contains 'beta' or name contains 'gamma') and quantity >= 8.5",
        "id = 99 and name > 5",
        "id = 99 or name > 5",
        "name > 5 or id = 1",
        "id = 1 or id = 2 or id = 3 or id = 10",
        "id > 0 and id > 1 and quantity > 0",
    ],
)
def test_written_conditions_answer_as_the_reference(text: str) -> None:
    assert_same_answers(parse(text), EVERY_RECORD)


# ------------------------------------------------------------------------------------- generated

FIELDS = st.sampled_from(
    [
        *[("id",), ("name",), ("NAME",), ("quantity",), ("flag",), ("effectiveDate",), ("company",)],
        *[("company", "identifier"), ("Company", "ID"), ("company", "identifier", "x"), ("missing",)],
    ]
)
MOMENTS = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 31))
STRINGS = st.sampled_from(["", "acme", "ACME", "Beta", "12", " 7 ", "1e3", "NaN", "a%b_c", "[x]*"]) | st.text(
    max_size=4
)
NUMBERS = st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-100, max_value=100)
LITERALS = st.one_of(
    st.builds(Literal, st.just(LiteralKind.STRING), STRINGS),
    st.builds(Literal, st.just(LiteralKind.NUMBER), NUMBERS),
    st.builds(Literal, st.just(LiteralKind.BOOLEAN), st.booleans()),
    st.builds(Literal, st.just(LiteralKind.DATETIME), MOMENTS.map(lambda m: m.replace(tzinfo=dt.UTC))),
    st.just(Literal(LiteralKind.NULL, None)),
)
STRING_LITERALS = st.builds(Literal, st.just(LiteralKind.STRING), STRINGS)
COMPARISONS = st.one_of(
    st.builds(Comparison, FIELDS, st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), st.tuples(LITERALS)),
    st.builds(
        Comparison, FIELDS, st.sampled_from(["contains", "like"]), st.tuples(STRING_LITERALS), st.booleans()
    ),
    st.builds(
        Comparison,
        FIELDS,
        st.just("in"),
        st.lists(LITERALS, min_size=1, max_size=4).map(tuple),
        st.booleans(),
    ),
)
NODES = st.recursive(
    COMPARISONS,
    lambda inner: st.builds(
        Junction, st.sampled_from(["and", "or"]), st.lists(inner, min_size=2, max_size=3).map(tuple)
    ),
    max_leaves=5,
)
TIMESTAMPS = MOMENTS.map(lambda m: m.strftime("%Y-%m-%dT%H:%M:%SZ"))
VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 200), NUMBERS, STRINGS, TIMESTAMPS, st.just([1]))
RECORD_VALUES = st.dictionaries(
    st.sampled_from(["id", "name", "Name", "quantity", "flag", "effectiveDate", "EFFECTIVEDATE"]),
    VALUES,
    max_size=5,
)
GENERATED_RECORDS = st.builds(
    lambda values, company: {**values, "company": company} if company is not None else values,
    RECORD_VALUES,
    st.none() | st.dictionaries(st.sampled_from(["id", "identifier", "Identifier"]), VALUES, max_size=2),
)


@settings(max_examples=400, deadline=None)
@given(node=NODES, records=st.lists(GENERATED_RECORDS, min_size=1, max_size=6))
def test_generated_conditions_answer_as_the_reference(
    node: Node, records: list[Mapping[str, object]]
) -> None:
    assert_same_answers(node, records)
