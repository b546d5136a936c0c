"""The billing report as plain frozen values: the lines the engine would send, with money exact.

A `ReportLine` is one desired addition of a period in scope (or one the previous period had and
this one has not), with its amounts now and in the previous period. Amounts are exact `Decimal`s
(quantity × unit price, never rounded here); renderers show them with 2 places.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from reconciler.engine.model import PlanWarning
from reconciler.engine.money import add, multiply
from reconciler.engine.periods import Period

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Amounts:
    """One line's values; unit price/cost None when unknown (send: quantity, no catalog price)."""

    quantity: Decimal
    unit_price: Decimal | None
    unit_cost: Decimal | None

    @property
    def billed(self) -> Decimal:
        """quantity × unitPrice, exact (billing-rules §7's billed total sums these)."""
        return multiply(self.quantity, self.unit_price or ZERO)

    @property
    def cost(self) -> Decimal:
        return multiply(self.quantity, self.unit_cost or ZERO)

    @property
    def margin(self) -> Decimal:
        return add(self.billed, -self.cost)


@dataclass(frozen=True, slots=True)
class ReportLine:
    company: str  # ConnectWise company identifier
    console_company: str
    configuration: str
    agreement_id: int
    agreement_name: str
    product: str  # catalog item identifier
    period: Period
    current: Amounts | None  # None: the previous period billed it, this one does not
    previous: Amounts | None  # None: not billed in the previous period (or no usage for it)
    previous_known: bool  # usage for the previous period exists, so `previous` means something
    catalog_price: bool = False  # send: quantity — ConnectWise applies the catalog item's price

    @property
    def billed(self) -> Decimal:
        return self.current.billed if self.current else ZERO

    @property
    def cost(self) -> Decimal:
        return self.current.cost if self.current else ZERO

    @property
    def previous_billed(self) -> Decimal | None:
        if not self.previous_known:
            return None
        return self.previous.billed if self.previous else ZERO

    @property
    def change(self) -> Decimal | None:
        before = self.previous_billed
        return None if before is None else add(self.billed, -before)


@dataclass(frozen=True, slots=True)
class MonthTotal:
    """What a company's configurations bill for one month (the chart's bars)."""

    period: Period
    company: str
    billed: Decimal


@dataclass(frozen=True, slots=True)
class Difference:
    """An amount in the report's total and not in the plan's (negative: the other way round)."""

    amount: Decimal
    company: str
    what: str  # e.g. "MBS-DESKTOP 2026-11 (licenses)"
    why: str


@dataclass(frozen=True, slots=True)
class Reconciliation:
    report_billed: Decimal
    plan_billed: Decimal | None  # the plan's billed total after apply (None: no plan could be made)
    differences: tuple[Difference, ...]
    not_billed: tuple[PlanWarning, ...]  # period-skipped: in neither total
    problem: str = ""  # why no plan could be made

    @property
    def matches(self) -> bool:
        return self.report_billed == self.plan_billed


@dataclass(frozen=True, slots=True)
class Report:
    as_of: dt.date
    periods: tuple[Period, ...]  # the periods in scope (as `cwbill plan` would touch)
    lines: tuple[ReportLine, ...]  # sorted: period, company, configuration, product
    warnings: tuple[PlanWarning, ...]
    history: tuple[MonthTotal, ...]  # every month with usage, every configuration
    currency: str = "USD"
    unit_price_places: int = 2
    # the plan's billed total beside this one, each difference named (None: not compared)
    reconciliation: Reconciliation | None = None


@dataclass(frozen=True, slots=True)
class Sums:
    """Totals of a group of lines; `previous` None when any line's previous period is unknown."""

    billed: Decimal
    cost: Decimal
    previous: Decimal | None

    @property
    def margin(self) -> Decimal:
        return add(self.billed, -self.cost)

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else add(self.billed, -self.previous)


def sums(lines: tuple[ReportLine, ...] | list[ReportLine]) -> Sums:
    previous = [line.previous_billed for line in lines]
    known = [p for p in previous if p is not None]
    return Sums(
        billed=add(*(line.billed for line in lines)),
        cost=add(*(line.cost for line in lines)),
        previous=add(*known) if len(known) == len(previous) else None,
    )
