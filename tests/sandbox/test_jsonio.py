"""Exact JSON: decimals read from and written as their text, never through float."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reconciler.sandbox.jsonio import JsonError, dumps, loads


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0.0059"), "0.0059"),
        (Decimal("15.00"), "15.00"),
        (Decimal("1E+3"), "1000"),
        (Decimal("-0.10"), "-0.10"),
        ({"a": [1, True, None, 'é"x']}, '{"a":[1,true,null,"é\\"x"]}'),
    ],
)
def test_values_are_written_exactly(value: object, text: str) -> None:
    assert dumps(value) == text


def test_decimals_can_be_written_as_strings_for_state_files() -> None:
    assert dumps({"q": Decimal("8.50")}, decimal_as_string=True) == '{"q":"8.50"}'


@pytest.mark.parametrize("bad", [0.1, Decimal("NaN"), object()], ids=["float", "nan", "object"])
def test_floats_and_non_json_are_refused(bad: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        dumps({"x": bad})


def test_numbers_are_read_as_decimals_and_ints() -> None:
    value = loads(b'{"price": 0.1, "qty": 3, "big": 12345678901234567890.123456789}')
    assert value == {"price": Decimal("0.1"), "qty": 3, "big": Decimal("12345678901234567890.123456789")}
    assert isinstance(value, dict) and type(value["qty"]) is int


@pytest.mark.parametrize("raw", [b"{", b"NaN", b"\xff\xfe", b'{"a": Infinity}'])
def test_invalid_json_is_a_json_error(raw: bytes) -> None:
    with pytest.raises(JsonError):
        loads(raw)
