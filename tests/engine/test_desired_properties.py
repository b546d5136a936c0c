"""Property tests of the arithmetic (billing-rules §4): totals are the exact sums rounded once,
averages stay within half a unit of the last place per unit, and no float ever appears."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.config.model import CostPrice, Prices, SendMode, StoragePrice, StorageUnit
from reconciler.engine.desired import compute_desired
from reconciler.engine.model import DesiredResult
from reconciler.engine.money import quantize
from reconciler.engine.periods import Period
from reconciler.usage.model import StorageUsage
from tests.engine.builders import agreement, company, configuration, record, repository, usage

OCT = Period(2026, 10)
SERVERS = ("server", "vm", "ultimate")  # three console products on MBS-SERVER
prices_4dp = st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False, allow_infinity=False)
counts = st.integers(min_value=0, max_value=5000)
gigabytes = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)
places = st.integers(min_value=0, max_value=4)


def _license_prices(rates: list[tuple[Decimal, Decimal]]) -> Prices:
    return Prices({key: CostPrice(cost, price) for key, (cost, price) in zip(SERVERS, rates, strict=True)})


def _licenses(
    send: SendMode, rates: list[tuple[Decimal, Decimal]], numbers: list[int], digits: int
) -> DesiredResult:
    repo = repository(
        company(configuration(console_products=SERVERS, send=send)),
        prices=_license_prices(rates),
        places=digits,
    )
    month = usage(record(licenses=dict(zip(SERVERS, numbers, strict=True))))
    return compute_desired(repo, month, {"ACME": [agreement()]}, dt.date(2026, 11, 2), OCT)


rates3 = st.lists(st.tuples(prices_4dp, prices_4dp), min_size=3, max_size=3)
counts3 = st.lists(counts, min_size=3, max_size=3)


@settings(max_examples=300, deadline=None)
@given(rates=rates3, numbers=counts3, digits=places)
def test_total_is_the_exact_sum_rounded_once(
    rates: list[tuple[Decimal, Decimal]], numbers: list[int], digits: int
) -> None:
    result = _licenses(SendMode.TOTAL, rates, numbers, digits)
    exact_price = sum((n * p for n, (_, p) in zip(numbers, rates, strict=True)), Decimal(0))
    exact_cost = sum((n * c for n, (c, _) in zip(numbers, rates, strict=True)), Decimal(0))
    additions = result.additions
    if sum(numbers) == 0:
        assert additions == ()
        return
    (line,) = additions
    assert line.quantity == 1
    assert line.unit_price == quantize(exact_price, digits)
    assert line.unit_cost == quantize(exact_cost, digits)
    assert _places(line.unit_price) == digits


@settings(max_examples=300, deadline=None)
@given(rates=rates3, numbers=counts3, digits=places)
def test_average_times_quantity_stays_within_half_a_unit_per_unit(
    rates: list[tuple[Decimal, Decimal]], numbers: list[int], digits: int
) -> None:
    result = _licenses(SendMode.AVERAGE, rates, numbers, digits)
    additions = result.additions
    units = sum(numbers)
    if units == 0:
        assert additions == ()
        return
    (line,) = additions
    exact_price = sum((n * p for n, (_, p) in zip(numbers, rates, strict=True)), Decimal(0))
    exact_cost = sum((n * c for n, (c, _) in zip(numbers, rates, strict=True)), Decimal(0))
    half = Decimal(1).scaleb(-digits) / 2
    assert line.quantity == units
    assert abs(line.quantity * line.unit_price - exact_price) <= line.quantity * half
    assert abs(line.quantity * line.unit_cost - exact_cost) <= line.quantity * half


@settings(max_examples=200, deadline=None)
@given(
    stored=gigabytes,
    restored=gigabytes,
    limit=gigabytes,
    rates=st.lists(prices_4dp, min_size=6, max_size=6),
    digits=places,
    tb=st.booleans(),
    send=st.sampled_from(list(SendMode)),
)
def test_storage_lines_hold_decimals_only(
    stored: Decimal,
    restored: Decimal,
    limit: Decimal,
    rates: list[Decimal],
    digits: int,
    tb: bool,
    send: SendMode,
) -> None:
    unit = StorageUnit.TB if tb else StorageUnit.GB
    rate = StoragePrice(
        unit, CostPrice(rates[0], rates[1]), CostPrice(rates[2], rates[3]), CostPrice(rates[4], rates[5])
    )
    repo = repository(
        company(configuration("storage", console_products=("wasabi",), send=send)),
        prices=Prices(storage={"wasabi": rate}),
        places=digits,
    )
    month = usage(record(storage={"wasabi": _amounts(stored, restored, limit)}))
    result = compute_desired(repo, month, {"ACME": [agreement()]}, dt.date(2026, 11, 2), OCT)
    _assert_no_float(result)
    for line in result.additions:
        if line.unit_price is not None and line.unit_cost is not None:
            assert _places(line.unit_price) == _places(line.unit_cost) == digits
        assert _places(line.quantity) in {0, 2}
        if send is SendMode.TOTAL:
            factor = Decimal(1000) if tb else Decimal(1)
            exact = (stored * rates[1] + restored * rates[3] + limit * rates[5]) / factor
            assert line.unit_price == quantize(exact, digits)


@settings(max_examples=100, deadline=None)
@given(rates=rates3, numbers=counts3, digits=places, send=st.sampled_from(list(SendMode)))
def test_license_results_hold_no_float(
    rates: list[tuple[Decimal, Decimal]], numbers: list[int], digits: int, send: SendMode
) -> None:
    _assert_no_float(_licenses(send, rates, numbers, digits))


def _amounts(stored: Decimal, restored: Decimal, limit: Decimal) -> StorageUsage:
    return StorageUsage(stored, restored, limit)


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def _assert_no_float(value: object, path: str = "result") -> None:
    """Walk dataclasses, sequences and mappings; a float anywhere is a bug in the money path."""
    assert not isinstance(value, float), f"{path} is a float: {value!r}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            _assert_no_float(getattr(value, item.name), f"{path}.{item.name}")
    elif isinstance(value, dict):
        for key, item in value.items():
            _assert_no_float(key, f"{path}[{key!r}]")
            _assert_no_float(item, f"{path}[{key!r}]")
    elif isinstance(value, (tuple, list)):
        for index, item in enumerate(value):
            _assert_no_float(item, f"{path}[{index}]")
    else:
        allowed = (Decimal, int, str, type(None), dt.date, Period)
        assert isinstance(value, allowed), f"{path} has an unexpected type {type(value).__name__}"
