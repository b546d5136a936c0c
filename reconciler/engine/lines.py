"""From one usage record to the values of one addition line (billing-rules §4).

Each selected console product mapped to a ConnectWise product *contributes* units, price and cost
(licenses: count × price; storage: stored × backup + restored × restore + limit × limit, all in the
price's unit). `line_values` sums the contributions exactly and applies the send mode; rounding
happens once, here, through `reconciler.engine.money.quantize`, so no intermediate value ever loses
a cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from reconciler.config.model import (
    Configuration,
    CostPrice,
    ProductKind,
    Repository,
    SendMode,
    StorageUnit,
)
from reconciler.engine import money
from reconciler.usage.model import StorageUsage, UsageRecord

ZERO = Decimal(0)
ONE = Decimal(1)
GB_PER_TB = Decimal(1000)  # billing-rules §3: 1 TB = 1000 GB


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one console product adds to a line, exact (not rounded)."""

    key: str  # products.yaml key
    console: str  # the console's name for it, for the invoice breakdown
    kind: ProductKind
    units: Decimal  # activated licenses, or amount stored in the price unit
    price: Decimal
    cost: Decimal
    unit: str = ""  # "GB" | "TB" for storage
    restored: Decimal = ZERO  # in the price unit (storage only)
    limit: Decimal = ZERO  # in the price unit (storage only)

    @property
    def is_zero(self) -> bool:
        return self.units == 0 and self.restored == 0 and self.limit == 0


@dataclass(frozen=True, slots=True)
class LineValues:
    """Rounded values of a desired line; `as_total` marks an average sent as total (§4)."""

    quantity: Decimal
    unit_price: Decimal | None  # None: send quantity (the catalog price applies)
    unit_cost: Decimal | None
    as_total: bool = False


def contributions(
    repository: Repository, configuration: Configuration, connectwise_product: str, record: UsageRecord
) -> tuple[Contribution, ...]:
    """The contributions of the configuration's console products mapped to `connectwise_product`."""
    found: list[Contribution] = []
    for key in configuration.console_products:
        product = repository.products.get(key)
        if product is None or product.connectwise != connectwise_product:
            continue  # validation reports unknown or unselected products (billing-rules §2)
        if product.kind is ProductKind.LICENSE:
            found.append(contribution_of(repository, key, record.licenses.get(key, 0)))
        else:
            found.append(contribution_of(repository, key, record.storage.get(key, StorageUsage())))
    return tuple(found)


def contribution_of(repository: Repository, key: str, amount: int | StorageUsage) -> Contribution:
    """What `amount` of the products.yaml product `key` adds to a line at the repository's prices:
    a license count, or storage amounts in GB (`cwbill leakage` prices usage no line carries so)."""
    product = repository.products[key]
    if isinstance(amount, StorageUsage):
        return _storage(key, product.console, amount, repository)
    return _license(key, product.console, Decimal(amount), repository.prices.license(key))


def _license(key: str, console: str, count: Decimal, rate: CostPrice) -> Contribution:
    return Contribution(
        key=key,
        console=console,
        kind=ProductKind.LICENSE,
        units=count,
        price=money.multiply(count, rate.price),
        cost=money.multiply(count, rate.cost),
    )


def _storage(key: str, console: str, amounts: StorageUsage, repository: Repository) -> Contribution:
    rates = repository.prices.storage_of(key)
    per_unit = GB_PER_TB if rates.unit is StorageUnit.TB else ONE
    stored = money.divide(amounts.stored, per_unit)
    restored = money.divide(amounts.restored, per_unit)
    limit = money.divide(amounts.limit, per_unit)

    def charge(backup: Decimal, restore: Decimal, limited: Decimal) -> Decimal:
        return money.add(
            money.multiply(stored, backup),
            money.multiply(restored, restore),
            money.multiply(limit, limited),
        )

    return Contribution(
        key=key,
        console=console,
        kind=ProductKind.STORAGE,
        units=stored,
        price=charge(rates.backup.price, rates.restore.price, rates.limit.price),
        cost=charge(rates.backup.cost, rates.restore.cost, rates.limit.cost),
        unit=str(rates.unit),
        restored=restored,
        limit=limit,
    )


def quantity_places(found: tuple[Contribution, ...]) -> int:
    """License quantities are whole; anything with storage has 2 places (billing-rules §4)."""
    if any(c.kind is ProductKind.STORAGE for c in found):
        return money.STORAGE_QUANTITY_PLACES
    return money.LICENSE_QUANTITY_PLACES


def line_values(found: tuple[Contribution, ...], send: SendMode, price_places: int) -> LineValues | None:
    """The line's rounded values for `send`, or None when the line is not desired (§4)."""
    units = money.add(*(c.units for c in found))
    price = money.add(*(c.price for c in found))
    cost = money.add(*(c.cost for c in found))
    if units == 0 and price == 0 and cost == 0:
        return None  # no usage at all: not desired, whatever the send mode
    if send is SendMode.TOTAL:
        return _total(price, cost, price_places)
    quantity = money.quantize(units, quantity_places(found))
    if send is SendMode.QUANTITY:
        # Nothing to count: not desired. A storage amount that rounds to 0.00 counts as nothing too.
        return LineValues(quantity, None, None) if quantity != 0 else None
    if quantity == 0 and price == 0 and cost == 0:
        return None  # a trace of storage that rounds to 0.00 and charges nothing
    if quantity == 0:
        # An average needs units to divide by; restored or limited storage with nothing stored would
        # be dropped otherwise, so it goes out as a total (`average-as-total`; no charge is dropped).
        return _total(price, cost, price_places, as_total=True)
    return LineValues(
        quantity,
        money.quantize(money.divide(price, units), price_places),
        money.quantize(money.divide(cost, units), price_places),
    )


def _total(price: Decimal, cost: Decimal, places: int, *, as_total: bool = False) -> LineValues:
    return LineValues(ONE, money.quantize(price, places), money.quantize(cost, places), as_total)
