"""Usage statistics (billing-rules §3): what the Management Console counted, per company and month.

Keys are products.yaml keys (console names are mapped before a record is built). Storage amounts are
in GB (1 TB = 1000 GB); license counts are whole numbers of activated licenses. A record may say
what it measured: when its figures were read and from where (`Provenance`), and notes on figures
that are not what they seem (`UsageNote`, e.g. an unlimited storage limit billed as none).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from reconciler.engine.periods import Period

ZERO = Decimal(0)
UNLIMITED_LIMIT = "unlimited-limit"  # the note of a limit the console holds as unlimited (below 0)


@dataclass(frozen=True, slots=True)
class StorageUsage:
    stored: Decimal = ZERO  # GB stored
    restored: Decimal = ZERO  # GB restored during the period
    limit: Decimal = ZERO  # GB of the storage limit


class Source(StrEnum):
    """Where a record's figures came from."""

    CONSOLE_API = "console-api"  # read from the Management Console API (`cwbill usage pull`, a run)
    FILE = "file"  # written or edited by hand


@dataclass(frozen=True, slots=True)
class Provenance:
    """When and how a record's figures were measured."""

    source: Source
    taken_at: dt.datetime | None = None  # when the figures were read (aware, UTC); None: unknown
    methods: Mapping[str, str] = field(default_factory=dict)  # figure (licenses, stored, …) → method


@dataclass(frozen=True, slots=True)
class UsageNote:
    """A remark on a record's figures, shown as a plan warning of the same code."""

    code: str  # stable, e.g. `unlimited-limit`
    message: str


@dataclass(frozen=True, slots=True)
class UsageRecord:
    period: Period
    console_company: str
    licenses: Mapping[str, int] = field(default_factory=dict)  # product key → activated licenses
    storage: Mapping[str, StorageUsage] = field(default_factory=dict)  # product key → amounts
    provenance: Provenance | None = None  # None: the file does not say
    notes: tuple[UsageNote, ...] = ()
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
