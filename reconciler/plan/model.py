"""The plan: what apply will change in ConnectWise, and why (billing-rules §6–7).

Plain frozen values, built by `reconciler.plan.diff` and rendered by the `render_*` modules. Field
values are the ConnectWise field names mapped to display text (decimals with at least the settings'
places, dates `YYYY-MM-DD`), so that a plan reads the same in text, Markdown and JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from reconciler.engine.model import PlanWarning
from reconciler.engine.periods import Period

FORMAT_VERSION = 1

# ConnectWise field name → display text (None: not set / not managed)
Fields = Mapping[str, str | None]


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class Reason(StrEnum):
    NEW = "new"  # no line yet
    CHANGED = "changed"  # cwbill's desired values changed (usage or configuration)
    DRIFT = "drift"  # someone edited the line in ConnectWise since cwbill wrote it
    REMOVED = "removed"  # cwbill's line, no longer desired (usage gone, product removed)
    DUPLICATE = "duplicate"  # several of the configuration's lines with one natural key
    ORPHAN = "orphan"  # the marker names a configuration the company no longer has
    ADOPT = "adopt"  # an unmarked line taken over with --adopt


@dataclass(frozen=True, slots=True)
class Change:
    action: Action
    reason: Reason
    company: str  # ConnectWise company identifier
    configuration: str
    agreement_id: int
    agreement_name: str
    product: str  # catalog item identifier
    period: Period
    addition_id: int | None  # None for create
    before: Fields | None  # live managed fields (None for create)
    after: Fields | None  # desired managed fields (None for delete)
    changed: tuple[str, ...] = ()  # update: the managed fields that differ, in field order
    serial_number: str | None = None  # the owner marker to write (create, update)
    product_id: int | None = None  # catalog item id, needed to create

    @property
    def sort_key(self) -> tuple[str, int, str, Period, str, int]:
        return (
            self.company,
            self.agreement_id,
            self.product,
            self.period,
            self.action.value,
            self.addition_id or 0,
        )


@dataclass(frozen=True, slots=True)
class Totals:
    """Σ quantity × unitPrice (billed) and Σ quantity × unitCost of cwbill's lines in scope."""

    billed_before: Decimal = Decimal(0)
    billed_after: Decimal = Decimal(0)
    cost_before: Decimal = Decimal(0)
    cost_after: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Summary:
    create: int = 0
    update: int = 0
    delete: int = 0
    unchanged: int = 0
    owned_in_scope: int = 0  # cwbill's live additions in the periods in scope (safety base)

    @property
    def has_changes(self) -> bool:
        return bool(self.create or self.update or self.delete)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Everything a plan was made from (billing-rules §7), to refuse a stale plan at apply."""

    repository: Mapping[str, str]  # file (relative to the repository) → sha256
    usage: str  # sha256 of the usage as read
    scope: str  # canonical text of the scope (as-of, periods per configuration, selection)
    additions: Mapping[int, str]  # every live addition read in scope: id → _info.lastUpdated
    digest: str  # sha256 over all of the above


@dataclass(frozen=True, slots=True)
class Selection:
    """What a run was asked for; recorded in a saved plan and re-used by `apply --plan`."""

    as_of: dt.date
    period: Period | None = None  # --period override
    companies: tuple[str, ...] = ()  # --company filter (empty: all)
    adopt: bool = False


@dataclass(frozen=True, slots=True)
class Plan:
    selection: Selection
    periods: tuple[Period, ...]  # every period in scope of any configuration
    changes: tuple[Change, ...]
    warnings: tuple[PlanWarning, ...]
    summary: Summary
    totals: Totals
    totals_by_company: Mapping[str, Totals]
    fingerprint: Fingerprint
    currency: str = "USD"
    unit_price_places: int = 2
    unowned: tuple[int, ...] = field(default=())  # ids of unmarked additions seen in scope
    # per period in scope with usage: where its figures came from and when they were read (text)
    usage_ages: tuple[str, ...] = field(default=())

    @property
    def as_of(self) -> dt.date:
        return self.selection.as_of
