"""Line values per send mode, hand-computed (billing-rules §4), through `compute_desired`.

Prices are those of the example repository (tests/engine/builders.py): server 15.00/8.00, vm
22.50/12.00, ultimate 18.00/9.50, desktop 5.00/2.50 (price/cost per license); wasabi per GB: backup
0.02/0.0059, restore 0.01/0, limit 0.001/0; s3 per TB: backup 35.00/21.00, restore 10.00/5.00.
Every expected value is written as text so that its decimal places are checked too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest

from reconciler.config.model import (
    Configuration,
    CostPrice,
    Prices,
    Product,
    SendMode,
    StoragePrice,
    StorageUnit,
)
from reconciler.engine.desired import compute_desired
from reconciler.engine.periods import Period
from reconciler.usage.model import UsageRecord
from tests.engine.builders import (
    PRICES,
    PRODUCTS,
    D,
    agreement,
    company,
    configuration,
    record,
    remapped,
    repository,
    storage,
    usage,
)

AVERAGE, TOTAL, QUANTITY = SendMode.AVERAGE, SendMode.TOTAL, SendMode.QUANTITY
OCTOBER = Period(2026, 10)
Line = tuple[str, str, str | None, str | None]  # product, quantity, unitPrice, unitCost


@dataclass(frozen=True)
class Case:
    configuration: Configuration
    record: UsageRecord
    expected: list[Line]
    warnings: tuple[str, ...] = ()
    places: int = 2
    prices: Prices = field(default=PRICES)
    products: Mapping[str, Product] = field(default_factory=lambda: PRODUCTS)


def _price_only(key: str, price: str, *, storage_key: bool = False) -> Prices:
    """PRICES with one product's price replaced (cost 0)."""
    if storage_key:
        rate = StoragePrice(StorageUnit.GB, backup=CostPrice(D(0), D(price)))
        return Prices(PRICES.licenses, {**PRICES.storage, key: rate})
    return Prices({**PRICES.licenses, key: CostPrice(D(0), D(price))}, PRICES.storage)


SERVERS = ("server", "vm", "ultimate")
GAMMA = {"server": 5, "vm": 2, "ultimate": 1}
ACME_STORAGE = {"wasabi": storage("1234.5", "20", "2000")}

CASES = [
    pytest.param(
        # server 3 → 3 × 15.00 = 45.00 / 3 = 15.00; cost 3 × 8.00 / 3 = 8.00
        # desktop 12 → 12 × 5.00 / 12 = 5.00; cost 2.50
        Case(
            configuration(console_products=("server", "desktop")),
            record(licenses={"server": 3, "desktop": 12}),
            [("MBS-DESKTOP", "12", "5.00", "2.50"), ("MBS-SERVER", "3", "15.00", "8.00")],
        ),
        id="average: one line per ConnectWise product",
    ),
    pytest.param(
        # U = 5 + 2 + 1 = 8; P = 5×15 + 2×22.50 + 1×18 = 75 + 45 + 18 = 138; 138/8 = 17.25
        # C = 5×8 + 2×12 + 1×9.50 = 40 + 24 + 9.50 = 73.50; 73.50/8 = 9.1875 → 9.19
        Case(
            configuration(console_products=SERVERS),
            record(licenses=GAMMA),
            [("MBS-SERVER", "8", "17.25", "9.19")],
        ),
        id="average: three console products with different prices on one ConnectWise product",
    ),
    pytest.param(
        # same sums: quantity 1, unitPrice 138.00, unitCost 73.50
        Case(
            configuration(console_products=SERVERS, send=TOTAL),
            record(licenses=GAMMA),
            [("MBS-SERVER", "1", "138.00", "73.50")],
        ),
        id="total: quantity 1 and the sums",
    ),
    pytest.param(
        # quantity only: U = 8, no price, no cost
        Case(
            configuration(console_products=SERVERS, send=QUANTITY),
            record(licenses=GAMMA),
            [("MBS-SERVER", "8", None, None)],
        ),
        id="quantity: the count only",
    ),
    pytest.param(
        # places 4: 138/8 = 17.2500; 73.50/8 = 9.1875
        Case(
            configuration(console_products=SERVERS),
            record(licenses=GAMMA),
            [("MBS-SERVER", "8", "17.2500", "9.1875")],
            places=4,
        ),
        id="unit_price 4 keeps four places",
    ),
    pytest.param(
        # server 3, vm 3: P = 45 + 67.50 = 112.50 / 6 = 18.75; C = 24 + 36 = 60 / 6 = 10.00
        # places 0: 18.75 → 19 (half-up), 10
        Case(
            configuration(console_products=("server", "vm")),
            record(licenses={"server": 3, "vm": 3}),
            [("MBS-SERVER", "6", "19", "10")],
            places=0,
        ),
        id="unit_price 0 rounds to whole currency units",
    ),
    pytest.param(
        # mixed total: server 2 → 1, 30.00, 16.00; wasabi 500 GB → P = 500×0.02 = 10.00,
        # C = 500×0.0059 = 2.95
        Case(
            configuration("all-in-one", console_products=("server", "wasabi"), send=TOTAL),
            record(licenses={"server": 2}, storage={"wasabi": storage("500")}),
            [("MBS-SERVER", "1", "30.00", "16.00"), ("MBS-STORAGE", "1", "10.00", "2.95")],
        ),
        id="licenses and storage in one total configuration",
    ),
    pytest.param(
        # server and wasabi both on MBS-X: P = 2×15 + 500×0.02 = 30 + 10 = 40.00;
        # C = 2×8 + 500×0.0059 = 16 + 2.95 = 18.95; quantity 1 (never licenses + GB)
        Case(
            configuration(
                "mixed", console_products=("server", "wasabi"), connectwise_products=("MBS-X",), send=TOTAL
            ),
            record(licenses={"server": 2}, storage={"wasabi": storage("500")}),
            [("MBS-X", "1", "40.00", "18.95")],
            products=remapped("MBS-X", "server", "wasabi"),
        ),
        id="licenses and storage on one ConnectWise product: quantity 1",
    ),
    pytest.param(
        # P = 1234.5×0.02 + 20×0.01 + 2000×0.001 = 24.69 + 0.20 + 2.00 = 26.89
        # C = 1234.5×0.0059 = 7.28355 → 7.28
        Case(
            configuration("storage", console_products=("wasabi",), send=TOTAL),
            record(storage=ACME_STORAGE),
            [("MBS-STORAGE", "1", "26.89", "7.28")],
        ),
        id="storage total with restore and limit charges",
    ),
    pytest.param(
        # quantity 1234.50 (2 places); 26.89 / 1234.5 = 0.021782… → 0.0218; 7.28355 / 1234.5 = 0.0059
        Case(
            configuration("storage", console_products=("wasabi",)),
            record(storage=ACME_STORAGE),
            [("MBS-STORAGE", "1234.50", "0.0218", "0.0059")],
            places=4,
        ),
        id="storage average: quantity to two places, prices from the exact sums",
    ),
    pytest.param(
        # quantity only: 1234.567 GB → 1234.57
        Case(
            configuration("storage", console_products=("wasabi",), send=QUANTITY),
            record(storage={"wasabi": storage("1234.567", "20", "2000")}),
            [("MBS-STORAGE", "1234.57", None, None)],
        ),
        id="storage quantity rounds half-up to two places",
    ),
    pytest.param(
        # TB: stored 2345.678 GB = 2.345678 TB, restored 100 GB = 0.1 TB
        # P = 2.345678×35 + 0.1×10 = 82.09873 + 1 = 83.09873 → 83.10
        # C = 2.345678×21 + 0.1×5 = 49.259238 + 0.5 = 49.759238 → 49.76
        Case(
            configuration("cloud", console_products=("s3",), send=TOTAL),
            record(storage={"s3": storage("2345.678", "100")}),
            [("MBS-STORAGE-TB", "1", "83.10", "49.76")],
        ),
        id="storage priced per TB (1 TB = 1000 GB)",
    ),
    pytest.param(
        # TB average: quantity 2.345678 → 2.35; 83.09873 / 2.345678 = 35.4263… → 35.43;
        # 49.759238 / 2.345678 = 21.2131… → 21.21
        Case(
            configuration("cloud", console_products=("s3",)),
            record(storage={"s3": storage("2345.678", "100")}),
            [("MBS-STORAGE-TB", "2.35", "35.43", "21.21")],
        ),
        id="TB average divides by the exact TB, not the rounded quantity",
    ),
    pytest.param(
        # price 0.0059 per GB × 1234.567 GB = 7.2839453 → 7.28 (places 2)
        Case(
            configuration("storage", console_products=("wasabi",), send=TOTAL),
            record(storage={"wasabi": storage("1234.567")}),
            [("MBS-STORAGE", "1", "7.28", "0.00")],
            prices=_price_only("wasabi", "0.0059", storage_key=True),
        ),
        id="a four-decimal price times a fractional GB amount",
    ),
    pytest.param(
        # same, places 4: 7.2839453 → 7.2839
        Case(
            configuration("storage", console_products=("wasabi",), send=TOTAL),
            record(storage={"wasabi": storage("1234.567")}),
            [("MBS-STORAGE", "1", "7.2839", "0.0000")],
            places=4,
            prices=_price_only("wasabi", "0.0059", storage_key=True),
        ),
        id="a four-decimal price times a fractional GB amount, four places",
    ),
    pytest.param(
        # 2 × 1.1225 = 2.245 → 2.25 half-up (banker's rounding would give 2.24)
        Case(
            configuration(console_products=("desktop",), send=TOTAL),
            record(licenses={"desktop": 2}),
            [("MBS-DESKTOP", "1", "2.25", "0.00")],
            prices=_price_only("desktop", "1.1225"),
        ),
        id="total rounds .xx5 half-up where banker's rounding goes down",
    ),
    pytest.param(
        # 4 × 0.625 = 2.5; 2.5 / 4 = 0.625 → 0.63 half-up (banker's: 0.62)
        Case(
            configuration(console_products=("desktop",)),
            record(licenses={"desktop": 4}),
            [("MBS-DESKTOP", "4", "0.63", "0.00")],
            prices=_price_only("desktop", "0.625"),
        ),
        id="average rounds .xx5 half-up where banker's rounding goes down",
    ),
    pytest.param(
        # sql has no price: 1 license at 0 is still desired (the validator warns about the price)
        Case(
            configuration(console_products=("sql",)),
            record(licenses={"sql": 1}),
            [("MBS-SQL", "1", "0.00", "0.00")],
        ),
        id="a product without price is desired at 0",
    ),
    pytest.param(
        # average with nothing stored but 10 GB restored: U = 0, P = 10×0.01 = 0.10 → total
        Case(
            configuration("storage", console_products=("wasabi",)),
            record(storage={"wasabi": storage("0", "10")}),
            [("MBS-STORAGE", "1", "0.10", "0.00")],
            warnings=("average-as-total",),
        ),
        id="average with U = 0 but charges is sent as total with a warning",
    ),
    pytest.param(
        # 0.004 GB rounds to a 0.00 quantity: nothing to average; P = 0.004 × 0.02 + 2000 × 0.001 = 2.00008
        Case(
            configuration("storage", console_products=("wasabi",)),
            record(storage={"wasabi": storage("0.004", "0", "2000")}),
            [("MBS-STORAGE", "1", "2.00", "0.00")],
            warnings=("average-as-total",),
        ),
        id="average whose quantity rounds to 0.00 is sent as total",
    ),
    pytest.param(
        Case(configuration(console_products=SERVERS), record(), []),
        id="zero usage: nothing desired (average)",
    ),
    pytest.param(
        Case(configuration(console_products=SERVERS, send=TOTAL), record(licenses={"server": 0}), []),
        id="zero usage: nothing desired (total)",
    ),
    pytest.param(
        # quantity with U = 0: nothing to count, even though restore is charged
        Case(
            configuration("storage", console_products=("wasabi",), send=QUANTITY),
            record(storage={"wasabi": storage("0", "10")}),
            [],
        ),
        id="quantity with nothing stored is not desired",
    ),
    pytest.param(
        # desktop has usage, server none: only the MBS-DESKTOP line
        Case(
            configuration(console_products=("server", "desktop"), send=TOTAL),
            record(licenses={"desktop": 1}),
            [("MBS-DESKTOP", "1", "5.00", "2.50")],
        ),
        id="a product without usage in a record is zero",
    ),
]


@pytest.mark.parametrize("case", CASES)
def test_line_values(case: Case) -> None:
    repo = repository(
        company(case.configuration), products=case.products, prices=case.prices, places=case.places
    )
    result = compute_desired(repo, usage(case.record), {"ACME": [agreement()]}, dt.date(2026, 11, 2), OCTOBER)
    lines = [(a.product, str(a.quantity), _text(a.unit_price), _text(a.unit_cost)) for a in result.additions]
    assert lines == case.expected
    assert tuple(w.code for w in result.warnings) == case.warnings
    assert result.errors == ()


def _text(value: D | None) -> str | None:
    return None if value is None else str(value)
