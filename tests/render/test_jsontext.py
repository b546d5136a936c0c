"""The fast indented JSON text is json.dumps's, character for character."""

import json
from enum import StrEnum

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.render.jsontext import Raw, dumps_at, dumps_indented


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


@settings(max_examples=300, deadline=None)
@given(items=st.lists(json_values, max_size=4), key=st.text(max_size=6))
def test_text_written_ahead_at_its_place_is_copied_as_the_same_text(items: list[object], key: str) -> None:
    """A list item written by `dumps_at` where it goes ("\\n    ": an item of a top-level key's list)
    and handed over as `Raw` gives the text of the whole written at once."""
    whole = {key: items, "~after": 1}
    ahead = {key: [Raw(dumps_at(item, "\n    ")) for item in items], "~after": 1}
    assert dumps_indented(ahead) == _reference(whole)


def test_raw_text_is_never_written_as_a_string() -> None:
    with pytest.raises(TypeError):
        json.dumps({"x": Raw("{}")})
    with pytest.raises(TypeError):  # a value only json.dumps takes, beside Raw text: refused, not quoted
        dumps_indented({"f": 1.5, "x": Raw("{}")})
