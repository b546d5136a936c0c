"""From what the Management Console reports to usage records keyed like the repository (§3, §9).

Pure: takes the console's rows (already read by `console_wire`) and the billing repository, and
returns one `UsageRecord` per configured company present in the console and per period, plus a
warning for everything it cannot map — a console company without a company file, a company file
whose console company the console lacks, a license type or storage account no product names —
so nothing is dropped silently. Two console companies with one configured name are an error: whose
usage is whose cannot be told. With `all_companies` (`usage pull --all-companies`, `cwbill leakage`)
every console company gets its records, and what no product maps is kept in them by its console
name (`UsageRecord.unmapped_*`), so the leakage report can count it. Licenses and package limits are
the console's current state (it keeps no history), so they are read at `taken_at` for every period
pulled; a license that expired before a period starts is not counted in it, and a package limit
below 0 (the console's "unlimited") is no limit charge, with an `unlimited-limit` note. Stored and
restored bytes come per user, account and month from Billing/Details and become GB at 2^30 bytes per
GB, 6 places. Each record says what it measured (`Provenance`, docs/billing.md §9).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from reconciler.config.model import ProductKind, Repository
from reconciler.engine import money
from reconciler.engine.model import PlanWarning
from reconciler.engine.periods import Period
from reconciler.engine.scope import AUTO_BILLING_LAST_DAY
from reconciler.errors import UserError
from reconciler.usage.console_wire import ConsoleCompany, ConsoleUser, DetailRow, License
from reconciler.usage.model import (
    UNLIMITED_LIMIT,
    Provenance,
    Source,
    StorageUsage,
    UsageNote,
    UsageRecord,
)

UNMAPPED_PRODUCT = "unmapped-console-product"
UNMAPPED_COMPANY = "unmapped-console-company"
SAME_NAME = "same-name-console-companies"
EXPIRED_LICENSE = "expired-license"
LATE_PULL = "late-pull"
# What each figure of a pulled record is (docs/billing.md §9), written into the snapshot.
METHODS: Mapping[str, str] = {
    "licenses": "activated at taken_at (IsTaken, not IsTrial, DateExpired not before the month)",
    "stored": "sum of SizeBackup for the month (PUT /api/Billing/Details)",
    "restored": "sum of SizeRestore for the month (PUT /api/Billing/Details)",
    "limit": "sum of the destinations' package StorageLimit at taken_at; negative = unlimited",
}
BYTES_PER_GB = Decimal(2**30)  # billing-rules §3 (the console's own unit), over mbs-api §9 step 5
GB_PLACES = 6  # any GB amount with ≤ 6 places survives bytes → GB exactly (mbs-contract)


def gigabytes(count: int) -> Decimal:
    """Bytes → GB, half-up to 6 places, written without trailing zeros (1234.500000 → 1234.5)."""
    return Decimal(money.normalize(money.quantize(money.divide(Decimal(count), BYTES_PER_GB), GB_PLACES)))


@dataclass(frozen=True, slots=True)
class ConsoleState:
    """The console's current state, as read once per run."""

    companies: Sequence[ConsoleCompany]
    users: Sequence[ConsoleUser]
    licenses: Sequence[License]
    accounts: Mapping[str, str]  # AccountID → DisplayName
    packages: Mapping[int, Decimal]  # package ID → StorageLimit GB


@dataclass(frozen=True, slots=True)
class _Bytes:
    backup: int = 0
    restore: int = 0


def billed_users(
    repository: Repository, state: ConsoleState, *, all_companies: bool = False
) -> list[ConsoleUser]:
    """The users whose usage is pulled: those of a configured company the console has (of every
    console company with `all_companies`)."""
    wanted = {c.name for c in state.companies}
    if not all_companies:
        wanted &= {c.console_company for c in repository.companies}
    return sorted((u for u in state.users if u.company in wanted), key=lambda u: u.id)


class UsageBuilder:
    """Maps console names to repository keys and collects the warnings and notes of one pull."""

    def __init__(
        self,
        repository: Repository,
        state: ConsoleState,
        taken_at: dt.datetime | None = None,
        *,
        all_companies: bool = False,
    ) -> None:
        self.state = state
        self.all_companies = all_companies
        self.provenance = Provenance(Source.CONSOLE_API, taken_at, METHODS)
        self.identifiers = {c.console_company: c.identifier for c in repository.companies}
        self.keys: dict[ProductKind, dict[str, str]] = {kind: {} for kind in ProductKind}
        for key in sorted(repository.products):
            product = repository.products[key]
            self.keys[product.kind].setdefault(product.console, key)
        self.warnings: list[PlanWarning] = []
        self.notes: dict[tuple[str, Period | None], list[UsageNote]] = defaultdict(list)
        self.users = billed_users(repository, state, all_companies=all_companies)
        self._unlimited: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        # with all_companies: what no product maps, per company (and period, for licenses: expired
        # ones are not counted) by console name (the leakage report's)
        self.unmapped_licenses: dict[tuple[str, Period], Counter[str]] = defaultdict(Counter)
        self.unmapped_limits: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        self.refuse_same_names()  # before a single Billing/Details call is spent on them

    def warn(self, code: str, company: str, message: str, period: Period | None = None) -> None:
        identifier = self.identifiers.get(company, "")
        self.warnings.append(
            PlanWarning(code, identifier, "", message, "" if period is None else str(period))
        )

    def build(
        self, periods: Sequence[Period], details: Mapping[tuple[str, Period], Sequence[DetailRow]]
    ) -> dict[tuple[str, Period], UsageRecord]:
        present = self.companies()
        limits = self.limits()
        records: dict[tuple[str, Period], UsageRecord] = {}
        for period in periods:
            licenses = self.license_counts(period)
            unmapped: dict[str, dict[str, _Bytes]] = defaultdict(lambda: defaultdict(_Bytes))
            stored = self.stored(period, details, unmapped)
            for company in present:
                storage = {
                    key: StorageUsage(
                        gigabytes(amount.backup), gigabytes(amount.restore), limits[company][key]
                    )
                    for key, amount in _merge(stored[company], limits[company]).items()
                }
                self.unlimited_notes(company, period)
                self.late_note(company, period)
                records[(company, period)] = UsageRecord(
                    period,
                    company,
                    {key: count for key, count in sorted(licenses[company].items()) if count},
                    {key: amounts for key, amounts in sorted(storage.items()) if amounts != StorageUsage()},
                    provenance=self.provenance,
                    notes=tuple(sorted(self.notes.get((company, period), []), key=_note_order)),
                    unmapped_licenses=dict(sorted(self.unmapped_licenses[(company, period)].items())),
                    unmapped_storage=self.unmapped_storage(unmapped[company], self.unmapped_limits[company]),
                )
        return records

    @staticmethod
    def unmapped_storage(
        stored: Mapping[str, _Bytes], limits: Mapping[str, Decimal]
    ) -> dict[str, StorageUsage]:
        return {
            name: StorageUsage(
                gigabytes(amount.backup), gigabytes(amount.restore), limits.get(name, Decimal(0))
            )
            for name, amount in _merge(stored, limits).items()
        }

    def late_note(self, company: str, period: Period) -> None:
        """Read after the month's billing days, its license counts and limits are today's, not the
        month's: the console keeps no history of them (docs/billing.md §9)."""
        taken_at = self.provenance.taken_at
        if taken_at is None:
            return
        taken = taken_at.astimezone(dt.UTC).date()
        if (taken - period.last_day).days <= AUTO_BILLING_LAST_DAY:
            return
        message = (
            f"license counts and limits are as of {taken.isoformat()}, not of the end of {period}: "
            "the console keeps no history of them; pull a month on days 1-3 of the next one "
            "(the CI recipe of docs/ci.md does) and commit the snapshot"
        )
        self.note(company, period, LATE_PULL, message)

    def note(self, company: str, period: Period, code: str, message: str) -> None:
        """A remark kept in the company's record of `period` (and shown by the plan as a warning)."""
        self.notes[(company, period)].append(UsageNote(code, message))

    def report(self, company: str, period: Period, code: str, message: str) -> None:
        """A note when `company` is pulled, else a warning of the pull: said either way."""
        if company in self.identifiers and company in {c.name for c in self.state.companies}:
            self.note(company, period, code, message)
        else:
            self.warn(code, company, message, period)

    def companies(self) -> list[str]:
        """Configured companies the console has; a warning for every company on one side only."""
        console = {c.name for c in self.state.companies}
        outcome = "pulled, not billed" if self.all_companies else "not pulled"
        for name in sorted(console - self.identifiers.keys()):
            self.warn(UNMAPPED_COMPANY, name, f"console company {name!r} has no company file; {outcome}")
        for name in sorted(self.identifiers.keys() - console):
            message = f"console_company {name!r} is not a company of the Management Console; no usage pulled"
            self.warn(UNMAPPED_COMPANY, name, message)
        return sorted(console if self.all_companies else console & self.identifiers.keys())

    def refuse_same_names(self) -> None:
        """Two console companies with one configured name: an error naming both (cwbill cannot tell
        whose users, and so whose usage, is whose); with a name no company file uses, a warning."""
        ids: dict[str, list[str]] = defaultdict(list)
        for console_company in self.state.companies:
            ids[console_company.name].append(console_company.id)
        twins = {name: found for name, found in sorted(ids.items()) if len(found) > 1}
        refused = []
        # with all_companies their usage is pulled as one record (never billed; leakage counts it)
        outcome = "their usage is pulled as one, not billed" if self.all_companies else "nothing is pulled"
        for name, found in twins.items():
            listed = " and ".join(f"Id {i!r}" for i in found)
            message = f"{len(found)} console companies are named {name!r} ({listed})"
            if name in self.identifiers:
                refused.append(message)
            else:
                self.warn(SAME_NAME, name, f"{message}; no company file names it, so {outcome}")
        if refused:
            raise UserError(
                "the Management Console has several companies with one name, so cwbill cannot tell "
                "whose usage is whose: " + "; ".join(refused) + ". Rename one in the console "
                "(Organization > Companies) and pull again"
            )

    def license_counts(self, period: Period) -> dict[str, Counter[str]]:
        """Activated licenses per company and license product in `period` (mbs-api §9 step 3): those
        that expired before the period starts are left out, with an `expired-license` note."""
        owners = {user.id: user.company for user in self.users}
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        unmapped: Counter[tuple[str, str]] = Counter()
        expired: dict[tuple[str, str], list[dt.date]] = defaultdict(list)
        for license in self.state.licenses:
            company = owners.get(license.user_id)
            if not license.activated or company is None:
                continue  # users of other companies are covered by the company warnings
            if not license.active_in(period.first_day):
                assert license.expires is not None
                expired[(company, license.license_type)].append(license.expires)
                continue
            key = self.keys[ProductKind.LICENSE].get(license.license_type)
            if key is None:
                unmapped[(company, license.license_type)] += 1
            else:
                counts[company][key] += 1
        for (company, license_type), days in sorted(expired.items()):
            message = (
                f"{len(days)} activated {license_type!r} licenses expired before {period} "
                f"(DateExpired {', '.join(sorted({d.isoformat() for d in days}))}); not counted"
            )
            self.note(company, period, EXPIRED_LICENSE, message)
        self.orphan_licenses(period)
        for (company, license_type), count in sorted(unmapped.items()):
            if self.all_companies:
                self.unmapped_licenses[(company, period)][license_type] = count
            message = (
                f"{count} activated {license_type!r} licenses of {company!r} match no license product "
                "in products.yaml (console:); not billed"
            )
            self.warn(UNMAPPED_PRODUCT, company, message)
        return counts

    def account_name(self, account_id: str) -> str:
        """The storage account's display name, or `AccountID <id>` when the console has none."""
        return self.state.accounts.get(account_id, "") or f"AccountID {account_id}"

    def orphan_licenses(self, period: Period) -> None:
        known_users = {user.id for user in self.state.users}
        orphans = sum(
            1
            for lic in self.state.licenses
            if lic.active_in(period.first_day) and lic.user_id not in known_users
        )
        if orphans:
            self.warn(UNMAPPED_COMPANY, "", f"{orphans} activated licenses belong to no user; not billed")

    def account_key(self, company: str, account_id: str, what: str, period: Period | None) -> str | None:
        display = self.state.accounts.get(account_id, "")
        key = self.keys[ProductKind.STORAGE].get(display)
        if key is None:
            name = repr(display) if display else f"with AccountID {account_id!r}"
            message = (
                f"{what} on storage account {name} of {company!r} matches no storage product in "
                "products.yaml (console:); not billed"
            )
            self.warn(UNMAPPED_PRODUCT, company, message, period)
        return key

    def limits(self) -> dict[str, dict[str, Decimal]]:
        """GB of storage limit per company and account: the packages its users' destinations reference."""
        limits: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for user in self.users:
            for destination in user.destinations:
                limit = self.state.packages.get(destination.package_id or 0, Decimal(0))
                if limit < 0:  # the console's "unlimited" (mbs-api §3, §6): no limit to charge
                    self.unlimited(user, destination.account_id, destination.package_id)
                    continue
                if limit == 0:
                    continue
                key = self.account_key(user.company, destination.account_id, f"a {limit} GB limit", None)
                if key is not None:
                    limits[user.company][key] = money.add(limits[user.company][key], limit)
                elif self.all_companies:
                    held = self.unmapped_limits[user.company]
                    name = self.account_name(destination.account_id)
                    held[name] = money.add(held[name], limit)
        return limits

    def unlimited(self, user: ConsoleUser, account_id: str, package_id: int | None) -> None:
        key = self.account_key(user.company, account_id, "an unlimited limit", None)
        if key is not None:
            self._unlimited[user.company][key].append(f"{user.email or user.id} (package {package_id})")

    def unlimited_notes(self, company: str, period: Period) -> None:
        for key, holders in sorted(self._unlimited.get(company, {}).items()):
            message = (
                f"{key}: the storage limit of {', '.join(sorted(holders))} is unlimited in the console "
                "(StorageLimit below 0); no limit is charged for it"
            )
            self.note(company, period, UNLIMITED_LIMIT, message)

    def stored(
        self,
        period: Period,
        details: Mapping[tuple[str, Period], Sequence[DetailRow]],
        kept: dict[str, dict[str, _Bytes]] | None = None,
    ) -> dict[str, dict[str, _Bytes]]:
        """Bytes stored and restored per company and storage product in `period` (§9 step 5); with
        all_companies, what no product maps goes to `kept` (company → account name → bytes)."""
        totals: dict[str, dict[str, _Bytes]] = defaultdict(lambda: defaultdict(_Bytes))
        unmapped: dict[tuple[str, str], _Bytes] = defaultdict(_Bytes)
        for user in self.users:
            for row in details.get((user.id, period), ()):
                key = self.keys[ProductKind.STORAGE].get(self.state.accounts.get(row.account_id, ""))
                if key is None:
                    unmapped[(user.company, row.account_id)] = _plus(
                        unmapped[(user.company, row.account_id)], row
                    )
                else:
                    totals[user.company][key] = _plus(totals[user.company][key], row)
        for (company, account_id), amount in sorted(unmapped.items()):
            if amount.backup or amount.restore:
                what = f"{gigabytes(amount.backup)} GB stored and {gigabytes(amount.restore)} GB restored"
                self.account_key(company, account_id, what, period)
                if self.all_companies and kept is not None:
                    name = self.account_name(account_id)
                    held = kept[company][name]
                    kept[company][name] = _Bytes(held.backup + amount.backup, held.restore + amount.restore)
        return totals


def _note_order(note: UsageNote) -> tuple[str, str]:
    return (note.code, note.message)


def _plus(amount: _Bytes, row: DetailRow) -> _Bytes:
    return _Bytes(amount.backup + row.backup_bytes, amount.restore + row.restore_bytes)


def _merge(stored: Mapping[str, _Bytes], limits: Mapping[str, Decimal]) -> dict[str, _Bytes]:
    """Every account with bytes or a limit (a limit alone is still a charge)."""
    return {key: stored.get(key, _Bytes()) for key in sorted(set(stored) | set(limits))}
