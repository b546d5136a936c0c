"""Usage statistics (billing-rules §3): what the Management Console counted, per company and month.

Keys are products.yaml keys (console names are mapped before a record is built). Storage amounts are
in GB (1 TB = 1000 GB); license counts are whole numbers of activated licenses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from reconciler.engine.periods import Period
from reconciler.errors import Location

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class StorageUsage:
    stored: Decimal = ZERO  # GB stored
    restored: Decimal = ZERO  # GB restored during the period
    limit: Decimal = ZERO  # GB of the storage limit


@dataclass(frozen=True, slots=True)
class UsageRecord:
    period: Period
    console_company: str
    licenses: Mapping[str, int] = field(default_factory=dict)  # product key → activated licenses
    storage: Mapping[str, StorageUsage] = field(default_factory=dict)  # product key → amounts
    location: Location | None = None  # where the record was read from (a file), if any
    # What no products.yaml product maps, by the console's own name (license type, storage account):
    # kept only by pulls for every console company (`usage pull --all-companies`, `cwbill leakage`).
    unmapped_licenses: Mapping[str, int] = field(default_factory=dict)
    unmapped_storage: Mapping[str, StorageUsage] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Usage:
    """All usage known to a run, by (console company name, period)."""

    records: Mapping[tuple[str, Period], UsageRecord] = field(default_factory=dict)
    # sha256 of the usage as read (files or the console's answer), for the plan fingerprint
    digest: str = ""

    def of(self, console_company: str, period: Period) -> UsageRecord | None:
        return self.records.get((console_company, period))
