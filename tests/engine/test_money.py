"""The one rounding rule (billing-rules §4) and the float guard."""

from decimal import Decimal

import pytest

from reconciler.engine.money import (
    add,
    decimal_places,
    divide,
    multiply,
    normalize,
    quantize,
    sum_of_products,
    to_decimal,
)


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


@pytest.mark.parametrize(
    "pairs",
    [
        [],
        [("3", "15.00"), ("4", "15.00")],
        [("0", "-5"), ("0", "-1")],  # -0 products: the sum is 0, not -0
        [("1E+2", "2"), ("3", "1E+1")],  # positive exponents
        [("12.5", "0.0059"), ("250", "22.50"), ("0.001", "0.0001")],
        [("123456789012345678901234567890", "9.87654321"), ("1", "0.000000000000000001")],
    ],
    ids=["none", "whole prices", "zero quantities", "exponents", "mixed places", "many digits"],
)
def test_a_sum_of_products_is_the_sum_of_each_product_added_in_turn(pairs: list[tuple[str, str]]) -> None:
    decimals = [(Decimal(a), Decimal(b)) for a, b in pairs]
    step_by_step = Decimal(0)
    for a, b in decimals:
        step_by_step = add(step_by_step, multiply(a, b))
    total = sum_of_products(decimals)
    assert (str(total), total.as_tuple()) == (str(step_by_step), step_by_step.as_tuple())
