"""Revenue leakage as plain frozen values: every unit of usage in scope, in exactly one bucket.

A `Unit` is one amount the Management Console reported — the activated licenses of one product, or
the GB stored, restored or of the storage limit of one storage account — of one company in one
period, with its value at the repository's prices (rounded to the cent, so that every total shown
adds up) or None when prices.yaml has no price for it (or products.yaml does not map it). Costs are
never part of it: the report is meant for a pull request (billing-rules §7).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from reconciler.engine.money import add
from reconciler.engine.periods import Period

ZERO = Decimal(0)


class Bucket(StrEnum):
    """Where a unit of usage ends up, in the order the buckets are decided (docs/leakage.md)."""

    NO_COMPANY_FILE = "no-company-file"  # the console company has no company file
    UNMAPPED_PRODUCT = "unmapped-product"  # products.yaml maps no product to the console's name
    NOT_SELECTED = "not-selected"  # no configuration of the company selects the product
    OUT_OF_SCOPE = "out-of-scope"  # the configuration does not bill this period in this run
    PERIOD_SKIPPED = "period-skipped"  # the agreement's dates cannot take the period
    NOTHING_TO_SEND = "nothing-to-send"  # the send mode has nothing to count, or it rounds to 0
    NOT_CHARGED = "not-charged"  # deliberately: bill do-not-bill or no-charge
    NO_PRICE = "no-price"  # billed at 0: prices.yaml has no price for the product
    CONFLICT = "conflict"  # billed by a line without cwbill's marker (unowned-conflict)
    PENDING = "pending"  # the next apply creates its line
    BILLED = "billed"  # a cwbill line bills it

    @property
    def leaking(self) -> bool:
        """Billable usage that no line bills: `--detailed-exitcode` exits 2 when any is there."""
        return self in LEAKING


LEAKING = frozenset(
    {
        Bucket.NO_COMPANY_FILE,
        Bucket.UNMAPPED_PRODUCT,
        Bucket.NOT_SELECTED,
        Bucket.PERIOD_SKIPPED,
        Bucket.NOTHING_TO_SEND,
        Bucket.NO_PRICE,
        Bucket.PENDING,
    }
)


class Measure(StrEnum):
    LICENSES = "licenses"  # activated licenses
    STORED = "stored"  # GB stored
    RESTORED = "restored"  # GB restored in the period
    LIMIT = "limit"  # GB of the storage limit

    @property
    def unit(self) -> str:
        return "licenses" if self is Measure.LICENSES else "GB"


@dataclass(frozen=True, slots=True)
class Unit:
    bucket: Bucket
    period: Period
    console_company: str
    company: str  # ConnectWise company identifier; "" without a company file
    configuration: str  # "" when no configuration selects the product
    product: str  # products.yaml key, or the console's own name when unmapped
    measure: Measure
    quantity: Decimal
    amount: Decimal | None  # at the repository's prices, to the cent; None: no price

    @property
    def who(self) -> str:
        return self.company or self.console_company

    @property
    def leaking(self) -> bool:
        """In a leaking bucket and worth something: a unit valued at exactly 0 (its price is 0) is no
        lost revenue; one without a price may be."""
        return self.bucket.leaking and self.amount != 0


@dataclass(frozen=True, slots=True)
class Total:
    """Money of a group of units, and how many of its units have no price."""

    amount: Decimal = ZERO
    unpriced: int = 0  # units without a price (their quantity is in the detail)
    units: int = 0

    def plus(self, unit: Unit) -> Total:
        priced = unit.amount is not None
        return Total(add(self.amount, unit.amount or ZERO), self.unpriced + (not priced), self.units + 1)


def total(units: Iterable[Unit]) -> Total:
    result = Total()
    for unit in units:
        result = result.plus(unit)
    return result


@dataclass(frozen=True, slots=True)
class Leakage:
    as_of: dt.date
    periods: tuple[Period, ...]
    units: tuple[Unit, ...]  # sorted: bucket order, period, company, product, measure
    # Σ of the console's amounts per (period, product, measure), read from the usage directly: the
    # buckets' quantities add up to it (the report's proof that nothing is outside the picture)
    console: tuple[tuple[Period, str, Measure, Decimal], ...]
    currency: str = "USD"

    @property
    def leaking(self) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.leaking)

    def by_bucket(self) -> list[tuple[Bucket, Total]]:
        """Every bucket with units, largest money first (then the decision order)."""
        groups: dict[Bucket, list[Unit]] = defaultdict(list)
        for unit in self.units:
            groups[unit.bucket].append(unit)
        order = list(Bucket)
        totals = [(bucket, total(units)) for bucket, units in groups.items()]
        return sorted(totals, key=lambda bt: (-bt[1].amount, -bt[1].unpriced, order.index(bt[0])))

    def by_company(self) -> list[tuple[str, Total, Total]]:
        """(who, leaking total, total) per company, largest leaking money first."""
        groups: dict[str, list[Unit]] = defaultdict(list)
        for unit in self.units:
            groups[unit.who].append(unit)
        rows = [(who, total(u for u in units if u.leaking), total(units)) for who, units in groups.items()]
        return sorted(rows, key=lambda r: (-r[1].amount, -r[1].unpriced, -r[2].amount, r[0]))

    @property
    def grand_total(self) -> Total:
        return total(self.units)
