"""The fast indented JSON text is json.dumps's, character for character."""

import json
from enum import StrEnum

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.render.jsontext import dumps_indented


class Colour(StrEnum):
    RED = "red"


def _reference(value: object) -> str:
    return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)


@pytest.mark.parametrize(
    "value",
    [
        {},
        [],
        (),
        None,
        True,
        0,
        -12,
        10**30,
        'é "quoted" \\ \n\t \u2028 \x00 𝄞',
        {"b": [1, {}, []], "a": {"z": None, "y": (True, False)}},
        {Colour.RED: Colour.RED, "n": [Colour.RED]},
        {"f": 1.5},  # a float: json.dumps itself
        {1: "x"},  # a key that is not a string: json.dumps itself
    ],
)
def test_known_values_give_the_same_text(value: object) -> None:
    assert dumps_indented(value) == _reference(value)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=500, deadline=None)
@given(value=json_values)
def test_generated_values_give_the_same_text(value: object) -> None:
    assert dumps_indented(value) == _reference(value)
