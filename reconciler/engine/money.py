"""Money and quantity arithmetic: the one place where cwbill rounds (billing-rules §4).

Rounding happens once, at the end, half-up. Everything else in cwbill passes exact `Decimal`s
around. Values are parsed from text only; a float reaching this module is a bug and is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal

ROUNDING = ROUND_HALF_UP
STORAGE_QUANTITY_PLACES = 2
LICENSE_QUANTITY_PLACES = 0
MAX_PRICE_PLACES = 4
# Enough digits that no intermediate sum or division loses a cent at any real scale.
# Each operation is the context's own method (not `with localcontext(_EXACT)` around an operator:
# the same arithmetic, without copying a context per operation: ≈ 4× faster an operation).
_EXACT = Context(prec=50, rounding=ROUND_HALF_UP)
_EXPONENTS = {places: Decimal(1).scaleb(-places) for places in range(7)}  # 1, 0.1 … 0.000001


def to_decimal(value: object) -> Decimal:
    """A Decimal from int, Decimal or decimal text; floats are refused (they are not exact)."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, float):
        raise TypeError("floats are not allowed in the money path")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        return Decimal(value.strip())
    raise TypeError(f"not a number: {value!r}")


def quantize(value: Decimal, places: int) -> Decimal:
    """Round half-up to `places` decimal places (the single rounding rule)."""
    return value.quantize(
        _EXPONENTS.get(places) or Decimal(1).scaleb(-places), rounding=ROUNDING, context=_EXACT
    )


def divide(numerator: Decimal, denominator: Decimal) -> Decimal:
    """An exact-enough quotient (50 significant digits); round it afterwards with `quantize`."""
    return _EXACT.divide(numerator, denominator)


def multiply(a: Decimal, b: Decimal) -> Decimal:
    return _EXACT.multiply(a, b)


def add(*values: Decimal) -> Decimal:
    total = Decimal(0)
    for value in values:
        total = _EXACT.add(total, value)
    return total


def sum_of_products(pairs: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """Σ a × b: exactly what `add`ing each `multiply(a, b)` in turn gives."""
    total = Decimal(0)
    for a, b in pairs:
        total = _EXACT.add(total, _EXACT.multiply(a, b))
    return total


def decimal_places(value: Decimal) -> int:
    """Places after the point as written: `Decimal("1.50")` → 2, `Decimal("15")` → 0."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def normalize(value: Decimal) -> str:
    """Canonical text with no trailing zeros and no exponent: 15.00 → "15", 0.50 → "0.5"."""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def fixed(value: Decimal, places: int) -> str:
    """Text with exactly `places` decimals (for display and JSON), half-up."""
    return format(quantize(value, places), "f")
