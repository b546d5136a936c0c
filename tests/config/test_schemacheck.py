"""The compiled schema predicate says "valid" exactly when jsonschema finds no error.

`check_schema` skips jsonschema when the predicate says valid, so a predicate that accepted what
jsonschema refuses would hide findings: each shipped example, and each of many random edits of it,
must get the same verdict from both.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from reconciler.config.schema import SCHEMA_KINDS, is_valid, load_schema
from reconciler.config.schemacheck import Unsure, compile_schema
from reconciler.config.yamlload import load_text
from reconciler.render.json import plan_to_json
from tests.conftest import EXAMPLE_BILLING
from tests.render.plans import full_plan


def _yaml(path: Path) -> object:
    document, findings = load_text(path.read_bytes(), str(path))
    assert document is not None, findings
    return document.data


def _examples() -> dict[str, object]:
    seed = resources.files("reconciler.sandbox").joinpath("seeds", "demo.yaml").read_text("utf-8")
    demo, _ = load_text(seed, "demo.yaml")
    assert demo is not None
    return {
        "settings": _yaml(EXAMPLE_BILLING / "settings.yaml"),
        "products": _yaml(EXAMPLE_BILLING / "products.yaml"),
        "prices": _yaml(EXAMPLE_BILLING / "prices.yaml"),
        "company": _yaml(EXAMPLE_BILLING / "companies" / "acme.yaml"),
        "usage": _yaml(EXAMPLE_BILLING / "usage" / "2026-10.yaml"),
        "sandbox-seed": demo.data,
        "plan": json.loads(plan_to_json(full_plan()), parse_float=Decimal),
    }


EXAMPLES = _examples()


def jsonschema_says_valid(data: object, kind: str) -> bool:
    validator = Draft202012Validator(load_schema(kind), format_checker=Draft202012Validator.FORMAT_CHECKER)
    return next(iter(validator.iter_errors(data)), None) is None


def test_every_shipped_schema_compiles() -> None:
    assert [kind for kind in SCHEMA_KINDS if compile_schema(load_schema(kind)) is None] == []


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_each_example_is_valid_for_both(kind: str) -> None:
    assert jsonschema_says_valid(EXAMPLES[kind], kind)
    assert is_valid(EXAMPLES[kind], kind)


def _paths(value: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


REPLACEMENTS = st.one_of(
    st.sampled_from(
        [None, True, False, 0, 1, -1, 3, 1_000_001, "", "x", "2026-10", "2026-13", "2026-02-30", "2026-10-01"]
    ),
    st.sampled_from(["billable", "average", "GB", "create", "MBS-SERVER", "Billable", "http://x", "1.5"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-10, max_value=10**10),
    st.integers(min_value=-5, max_value=2_000_000),
    st.text(max_size=3),
    st.just([]),
    st.just({}),
    st.just(["a", "a"]),
    st.just([1, 1]),
    st.just({"unknown": 1}),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(SCHEMA_KINDS), data=st.data())
def test_random_edits_get_the_same_verdict_from_both(kind: str, data: st.DataObject) -> None:
    document = copy.deepcopy(EXAMPLES[kind])
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        path = data.draw(st.sampled_from(_paths(document)))
        if not path:
            continue
        parent: object = document
        for part in path[:-1]:
            parent = parent[part]  # type: ignore[index]  # a path into the document
        if data.draw(st.booleans()) and isinstance(parent, dict):
            parent.pop(path[-1])  # a key removed: `required`
        else:
            parent[path[-1]] = copy.deepcopy(data.draw(REPLACEMENTS))  # type: ignore[index]  # a path into it
    assert is_valid(document, kind) == jsonschema_says_valid(document, kind)


@pytest.mark.parametrize(
    ("schema", "compiles"),
    [
        ({"type": "string", "description": "x"}, True),
        ({"exclusiveMinimum": 0}, False),
        ({"patternProperties": {"^a": {}}}, False),
        ({"enum": [1.5]}, False),
        ({"$ref": "https://elsewhere.example/schema.json"}, False),
    ],
    ids=[
        "annotations are ignored",
        "an unknown keyword is left to jsonschema",
        "patternProperties is left to jsonschema",
        "an enum of decimals is left to jsonschema",
        "a remote reference is left to jsonschema",
    ],
)
def test_what_is_not_decided_exactly_is_not_compiled(schema: dict[str, object], compiles: bool) -> None:
    assert (compile_schema(schema) is not None) is compiles


def test_unique_items_of_mixed_kinds_are_left_to_jsonschema() -> None:
    predicate = compile_schema({"uniqueItems": True})
    assert predicate is not None
    assert (predicate(["a", "b"]), predicate(["a", "a"]), predicate([1, 2]), predicate([1, 1])) == (
        True,
        False,
        True,
        False,
    )
    with pytest.raises(Unsure):
        predicate([1, True])  # jsonschema tells 1 from True: its own `uniq` decides


TREE = {
    "$defs": {"node": {"type": "object", "properties": {"children": {"items": {"$ref": "#/$defs/node"}}}}},
    "$ref": "#/$defs/node",
    "required": ["children"],
}


@pytest.mark.parametrize(
    ("schema", "values"),
    [
        (
            {"$ref": "#/$defs/word", "maxLength": 2, "$defs": {"word": {"type": "string"}}},
            ["ab", "abc", 7, None],
        ),
        (TREE, [{"children": []}, {"children": [{"children": [{}]}]}, {"children": [{"children": [1]}]}, {}]),
        ({"properties": {"a": True, "b": False}}, [{}, {"a": 1}, {"b": 1}, []]),
        ({"oneOf": [{"type": "string"}, {"maxLength": 1}]}, ["a", "ab", 1, None]),
        (
            {"if": {"type": "integer"}, "then": {"minimum": 3}, "else": {"type": "string"}},
            [3, 2, "x", None, True],
        ),
        (
            {"additionalProperties": {"type": "integer"}, "properties": {"a": {}}},
            [{"a": "x"}, {"b": "x"}, {"b": 2}],
        ),
        ({"allOf": [{"minItems": 1}, {"items": {"enum": ["x", None]}}]}, [[], ["x"], [None, "y"], "xy"]),
        (
            {"type": ["number", "string"], "minimum": 0, "pattern": "^a"},
            [-1, 0, "a", "b", Decimal("0.5"), True],
        ),
        ({"type": "array", "minItems": 1, "required": ["a"], "maxLength": 0}, [[1], [], {}, "x"]),
    ],
    ids=[
        "a reference beside other keywords is checked with them",
        "a recursive reference checks every level",
        "boolean schemas accept and refuse",
        "oneOf holds for exactly one branch",
        "if, then and else",
        "additional properties are checked by their schema",
        "allOf with minItems and an enum of items",
        "keywords of one kind are skipped for values of another",
        "keywords of another kind than the type's are skipped",
    ],
)
def test_hand_written_schemas_get_the_same_verdict_from_both(
    schema: dict[str, object], values: list[object]
) -> None:
    predicate = compile_schema(schema)
    assert predicate is not None
    validator = Draft202012Validator(schema)
    verdicts = [(value, predicate(value), validator.is_valid(value)) for value in values]
    assert [(value, mine) for value, mine, _ in verdicts] == [
        (value, theirs) for value, _, theirs in verdicts
    ]
    assert {mine for _, mine, _ in verdicts} == {True, False}  # each case has a valid and an invalid value
