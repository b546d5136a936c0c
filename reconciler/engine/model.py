"""The engine's inputs from ConnectWise and its outputs: desired additions and warnings.

All plain frozen values, so the whole computation runs without a server (STYLE §1).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from reconciler.engine.periods import Period
from reconciler.errors import Finding


@dataclass(frozen=True, slots=True)
class AgreementInfo:
    """An agreement as read from ConnectWise (`/finance/agreements`), reduced to what billing needs."""

    id: int
    name: str
    company: str  # ConnectWise company identifier
    start_date: dt.date | None
    bill_start_date: dt.date | None  # None: startDate applies
    end_date: dt.date | None  # None: no ending date
    cancelled: bool = False
    date_cancelled: dt.date | None = None


@dataclass(frozen=True, slots=True)
class DesiredAddition:
    """One agreement addition cwbill wants to exist (billing-rules §4–5). Values already rounded."""

    company: str  # ConnectWise company identifier
    configuration: str
    agreement_id: int
    product: str  # catalog item identifier
    period: Period
    quantity: Decimal
    unit_price: Decimal | None  # None with send: quantity (the catalog price applies)
    unit_cost: Decimal | None
    bill_customer: str  # Billable | DoNotBill | NoCharge
    effective_date: dt.date
    cancelled_date: dt.date
    invoice_description: str | None  # None with invoice.description: from-product

    @property
    def natural_key(self) -> tuple[int, str, Period]:
        """(agreement, product identifier, period) — billing-rules §6."""
        return (self.agreement_id, self.product, self.period)


@dataclass(frozen=True, slots=True)
class PlanWarning:
    """A warning as data (never printed by the core). `code` is stable, e.g. `average-as-total`."""

    code: str
    company: str
    configuration: str
    message: str
    period: str = ""  # YYYY-MM when the warning is about one period
    unbilled: str = ""  # the catalog item the plan leaves out because of it (unowned-conflict)


@dataclass(frozen=True, slots=True)
class ConfigurationScope:
    """The periods one configuration may touch in this run (billing-rules §5)."""

    company: str
    configuration: str
    periods: tuple[Period, ...]


@dataclass(frozen=True, slots=True)
class DesiredResult:
    additions: tuple[DesiredAddition, ...]
    warnings: tuple[PlanWarning, ...]
    scopes: tuple[ConfigurationScope, ...]
    # plan errors located in the user's files: unknown/ambiguous agreement, company not in ConnectWise
    errors: tuple[Finding, ...] = ()
