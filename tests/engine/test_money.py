"""The one rounding rule (billing-rules §4) and the float guard."""

from decimal import Decimal

import pytest

from reconciler.engine.money import decimal_places, divide, normalize, quantize, to_decimal


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        ("2.345", 2, "2.35"),  # banker's rounding would give 2.34
        ("2.335", 2, "2.34"),
        ("0.125", 2, "0.13"),
        ("-0.125", 2, "-0.13"),
        ("7.5", 0, "8"),
        ("6.5", 0, "7"),  # banker's would give 6
        ("1.00005", 4, "1.0001"),
    ],
)
def test_quantize_rounds_half_up(value: str, places: int, expected: str) -> None:
    assert str(quantize(Decimal(value), places)) == expected


def test_division_keeps_enough_digits() -> None:
    assert quantize(divide(Decimal(10), Decimal(3)), 2) == Decimal("3.33")


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        to_decimal(0.1)


@pytest.mark.parametrize(("value", "text"), [("15.00", "15"), ("0.50", "0.5"), ("0", "0"), ("1E+2", "100")])
def test_normalize(value: str, text: str) -> None:
    assert normalize(Decimal(value)) == text


def test_decimal_places() -> None:
    assert decimal_places(Decimal("0.0059")) == 4
    assert decimal_places(Decimal("15")) == 0
