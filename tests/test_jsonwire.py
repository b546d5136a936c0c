"""The exact-decimal JSON writer against a plain reference, and its refusals, nested at any depth.

`jsonwire` writes an object's values of the exact types a record holds (str, Decimal, int, bool,
None) in its loop and everything else through the general path; the text must not depend on
which path a value took (subclasses, enum keys, decimals as strings for state files).
"""

from __future__ import annotations

import json
from decimal import Decimal
from enum import Enum, IntEnum, StrEnum

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.jsonwire import dumps


class Colour(StrEnum):
    RED = "red"


class Size(IntEnum):
    BIG = 3


class Shade(str, Enum):  # noqa: UP042  # on purpose: str() of it is "Shade.DARK", its characters "dark"
    DARK = "dark"


class Price(Decimal):
    pass


def reference(value: object, as_string: bool = False) -> str:
    """The writer's rules, one value at a time: str(key) for keys, a Decimal's own text."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        return json.dumps(format(value, "f")) if as_string else format(value, "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        items = (
            f"{json.dumps(str(k), ensure_ascii=False)}:{reference(v, as_string)}" for k, v in value.items()
        )
        return "{" + ",".join(items) + "}"
    assert isinstance(value, list | tuple)
    return "[" + ",".join(reference(item, as_string) for item in value) + "]"


@pytest.mark.parametrize(
    "value",
    [
        {},
        {"a": {}},
        {"a": [], "b": ()},
        {"n": None, "t": True, "f": False, "i": 0, "j": -7, "big": 10**30},
        {"q": Decimal("8.50"), "r": Decimal("1E+3"), "s": Decimal("-0.0059"), "z": Decimal("-0")},
        {"é": 'é "quoted" \\ \n\t \u2028 \x00 𝄞'},
        {Colour.RED: Colour.RED, "size": Size.BIG, "price": Price("2.50")},
        {Shade.DARK: Shade.DARK},
        {2: "x", None: "y", True: "z", Decimal("1.5"): "w"},
        [{"a": [{"b": {"c": Decimal("1.10")}}]}, ({"d": Size.BIG},)],
    ],
    ids=[
        "empty",
        "empty-inside",
        "empty-arrays",
        "constants-and-ints",
        "decimals",
        "escapes",
        "subclasses",
        "str-enum-key",
        "keys-not-strings",
        "nested",
    ],
)
@pytest.mark.parametrize("as_string", [False, True], ids=["decimal-numbers", "decimal-strings"])
def test_known_values_give_the_reference_text(value: object, as_string: bool) -> None:
    assert dumps(value, decimal_as_string=as_string) == reference(value, as_string)


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        ({"price": 0.1}, TypeError, "cannot write float as JSON"),
        ({"a": [{"b": 1.5}]}, TypeError, "cannot write float as JSON"),
        ({"a": {"b": object()}}, TypeError, "cannot write object as JSON"),
        ({"a": {"b": Decimal("NaN")}}, ValueError, "NaN is not a finite number"),
        ({"a": Decimal("Infinity")}, ValueError, "Infinity is not a finite number"),
    ],
    ids=["float", "nested-float", "object", "nan", "infinity"],
)
def test_what_is_not_exact_json_is_refused_at_any_depth(value: object, error: type, message: str) -> None:
    with pytest.raises(error, match=f"^{message}$"):
        dumps(value)


decimals = st.decimals(allow_nan=False, allow_infinity=False)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | decimals,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(value=json_values, as_string=st.booleans())
def test_generated_values_give_the_reference_text(value: object, as_string: bool) -> None:
    assert dumps(value, decimal_as_string=as_string) == reference(value, as_string)
