"""The saved plan: schema-valid, deterministic, exact round trip, and refused when tampered with."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
from jsonschema import Draft202012Validator

from reconciler.config.schema import check_data, load_schema
from reconciler.engine.model import PlanWarning
from reconciler.engine.periods import Period
from reconciler.errors import UserError
from reconciler.plan.model import Plan, Selection, Totals
from reconciler.render.json import plan_digest, plan_from_json, plan_to_json
from tests.render.plans import WARNING, create, delete, empty_plan, full_plan, plan_of

SOURCE = "plans/next.json"
EDITED = f"{SOURCE}: the plan was edited by hand (its digest does not match); make a new plan"


def _variants() -> list[Plan]:
    full = full_plan()
    return [
        full,
        empty_plan(),
        empty_plan((WARNING, PlanWarning("no-price", "", "", "server has no price"))),
        dataclasses.replace(
            full,
            selection=Selection(dt.date(2026, 12, 2), Period(2026, 10), ("ACME", "BETA"), adopt=True),
            currency="EUR",
            unit_price_places=4,
            unowned=(),
        ),
        plan_of(
            (create(company="Zürich «AG» 東京", description="Server ×3\nsecond line"), delete()),
            by_company={
                "Zürich «AG» 東京": Totals(Decimal("7.283904"), Decimal("-1.5"), Decimal(0), Decimal("1E+3"))
            },
        ),
    ]


VARIANT_IDS = ["full", "empty", "warnings only", "a selection", "unicode and exact decimals"]


@pytest.mark.parametrize("plan", _variants(), ids=VARIANT_IDS)
def test_round_trip_gives_the_same_plan(plan: Plan) -> None:
    assert plan_from_json(plan_to_json(plan), SOURCE) == plan


@pytest.mark.parametrize("plan", _variants(), ids=VARIANT_IDS)
def test_the_json_validates_against_the_schema(plan: Plan) -> None:
    assert check_data(json.loads(plan_to_json(plan), parse_float=Decimal), "plan") == []


@pytest.mark.parametrize("plan", _variants(), ids=VARIANT_IDS)
def test_no_number_is_a_float_and_money_is_text(plan: Plan) -> None:
    data = json.loads(plan_to_json(plan), parse_float=Decimal)
    numbers = list(_numbers(data))
    assert all(type(number) is int for number in numbers), numbers
    assert data["billed_total"]["before"] == "1274.00" or not plan.changes


def _numbers(value: object) -> list[object]:
    if isinstance(value, dict):
        return [n for item in value.values() for n in _numbers(item)]
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item)]
    return [value] if isinstance(value, int | float | Decimal) and not isinstance(value, bool) else []


def test_two_renders_are_byte_identical_whatever_the_mapping_order() -> None:
    plan = full_plan()
    shuffled = dataclasses.replace(
        plan,
        totals_by_company=dict(reversed(list(plan.totals_by_company.items()))),
        changes=tuple(
            dataclasses.replace(c, after=dict(reversed(list(c.after.items())))) if c.after else c
            for c in plan.changes
        ),
    )
    assert plan_to_json(plan) == plan_to_json(plan) == plan_to_json(shuffled)


def test_the_layout_is_sorted_indented_utf8_with_a_trailing_newline() -> None:
    text = plan_to_json(plan_of((create(company="Zürich"),)))
    assert text.startswith('{\n  "as_of": "2026-11-02",\n  "billed_total": {\n')
    assert '"company": "Zürich"' in text
    assert text.endswith('  "warnings": []\n}\n')


def test_money_is_exact_text_with_at_least_two_places() -> None:
    by_company = {"ACME": Totals(Decimal("7.283904"), Decimal(15), Decimal("0.5"), Decimal("1E+2"))}
    data = json.loads(plan_to_json(plan_of((create(),), by_company=by_company)))
    assert data["billed_total"]["by_company"]["ACME"] == {"before": "7.283904", "after": "15.00"}
    assert data["cost_total"]["by_company"]["ACME"] == {"before": "0.50", "after": "100.00"}


def test_plan_digest_covers_everything_else() -> None:
    data = json.loads(plan_to_json(full_plan()))
    claimed = data.pop("plan_digest")
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert claimed == hashlib.sha256(canonical.encode()).hexdigest() == plan_digest(data)


def _edit(path: tuple[str | int, ...], value: object) -> str:
    data = json.loads(plan_to_json(full_plan()), parse_float=Decimal)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(data, indent=2, default=float)  # float: a hand-typed 1.0 stays number text


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("changes", 0, "after", "quantity"), "40"),
        (("changes", 1, "action"), "delete"),
        (("summary", "delete"), 0),
        (("fingerprint", "additions", "12"), "2026-11-02T00:00:00Z"),
        (("selection", "adopt"), True),
    ],
    ids=["a quantity", "an action", "a count", "a fingerprint entry", "the selection"],
)
def test_a_hand_edit_is_refused(path: tuple[str | int, ...], value: object) -> None:
    with pytest.raises(UserError) as caught:
        plan_from_json(_edit(path, value), SOURCE)
    assert caught.value.message == EDITED


def test_reformatting_the_file_is_not_an_edit() -> None:
    data = json.loads(plan_to_json(full_plan()))
    assert plan_from_json(json.dumps(data), SOURCE) == full_plan()


@pytest.mark.parametrize(
    ("version", "shown"),
    [
        (2, "2"),
        (0, "0"),
        ("1", '"1"'),
        (True, "true"),
        (Decimal("1.0"), "1.0"),
        ("x" * 50, '"' + "x" * 38 + "…"),
    ],
    ids=["a newer version", "an older version", "a string", "a boolean", "a decimal", "a long string"],
)
def test_a_wrong_format_version_is_refused(version: object, shown: str) -> None:
    with pytest.raises(UserError) as caught:
        plan_from_json(_edit(("format_version",), version), SOURCE)
    assert caught.value.message == (
        f"{SOURCE}: format_version {shown} is not one this cwbill reads (it reads 1); "
        "make a new plan with this cwbill"
    )


def _resigned(data: dict[str, object]) -> str:
    """A plan changed and given a matching digest: what only a bug (or a determined user) writes."""
    body = {key: value for key, value in data.items() if key != "plan_digest"}
    # default=float only writes a hand-edited number back as JSON number text (1274.0)
    return json.dumps({**body, "plan_digest": plan_digest(body)}, default=float)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"format_version": 1,',
            "not valid JSON: Expecting property name enclosed in double quotes (line 1",
        ),
        ("[1, 2]", "not a cwbill plan (expected a JSON object)"),
        ('{"changes": []}', "not a cwbill plan (it has no format_version)"),
        (
            '{"format_version": 1, "format_version": 1}',
            'not valid JSON: the key "format_version" appears twice',
        ),
        ('{"format_version": 1, "x": NaN}', "not valid JSON: NaN is not a number"),
        ("[" * 100_000 + "]" * 100_000, "not a cwbill plan (nested too deeply)"),
        ('{"format_version": 1}', "not a valid cwbill plan: (root): 'as_of' is a required property"),
    ],
    ids=[
        "broken JSON",
        "not an object",
        "no version",
        "a duplicate key",
        "NaN",
        "deep nesting",
        "missing keys",
    ],
)
def test_unreadable_plans_are_user_errors(text: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        plan_from_json(text, SOURCE)
    assert caught.value.message.startswith(f"{SOURCE}: {message}")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ("changes", 0, "after", "quantity"),
            4,
            "changes[0].after.quantity: expected a string or null, got 4",
        ),
        (("changes", 0, "after", "quantity"), "4,5", 'changes[0].after.quantity: "4,5" is not decimal text'),
        (("changes", 0, "addition_id"), 99, "changes[0].addition_id: expected null, got 99"),
        (("changes", 0, "reason"), "whim", 'changes[0].reason: "whim" is not one of: "new", "changed"'),
        (("billed_total", "before"), 1274.0, "billed_total.before: expected a string, got 1274.0"),
        (("selection", "as_of"), "2026-02-30", 'selection.as_of: "2026-02-30" is not a valid date'),
    ],
    ids=[
        "a number quantity",
        "a comma decimal",
        "a create with an id",
        "an unknown reason",
        "a float",
        "no such day",
    ],
)
def test_schema_violations_are_named(path: tuple[str | int, ...], value: object, message: str) -> None:
    data = json.loads(_edit(path, value), parse_float=Decimal)
    with pytest.raises(UserError) as caught:
        plan_from_json(_resigned(data), SOURCE)
    assert message in caught.value.message
    assert caught.value.message.startswith(f"{SOURCE}: not a valid cwbill plan: ")


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("as_of",), "2026-11-03", "as_of differs from selection.as_of"),
        (("cost_total", "by_company"), {}, "name different companies"),
    ],
    ids=["two as-of dates", "totals of different companies"],
)
def test_inconsistent_plans_are_refused(path: tuple[str | int, ...], value: object, message: str) -> None:
    with pytest.raises(UserError) as caught:
        plan_from_json(_resigned(json.loads(_edit(path, value))), SOURCE)
    assert caught.value.message.startswith(f"{SOURCE}: not a valid cwbill plan: ")
    assert caught.value.message.endswith(message)


def _objects(schema: object, path: str = "") -> list[tuple[str, dict[str, object]]]:
    """Every subschema with `properties`, with where it is."""
    found: list[tuple[str, dict[str, object]]] = []
    if isinstance(schema, dict):
        if "properties" in schema:
            found.append((path, schema))
        for key, value in schema.items():
            found += _objects(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            found += _objects(value, f"{path}/{index}")
    return found


def test_the_schema_follows_the_schema_conventions() -> None:
    schema = load_schema("plan")
    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == "https://cwbill.example/schemas/plan.schema.json"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for path, subschema in _objects(schema):
        if "/allOf/" in path:
            continue  # the if/then rules of a change only narrow properties described above
        assert subschema.get("additionalProperties") is False, path
        properties = subschema["properties"]
        assert isinstance(properties, dict)
        for name, prop in properties.items():
            assert isinstance(prop, dict) and prop.get("description"), f"{path}/{name}"
