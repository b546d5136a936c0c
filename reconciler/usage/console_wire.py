"""The Management Console's JSON answers, read into small typed rows (mbs-api.md §3–§8).

The console is ASP.NET Web API: PascalCase names, `Id` on companies but `ID` elsewhere, bare
arrays, `null` where a string is missing. These readers take the decoded JSON (numbers already
Decimal or int, never float), tolerate extra fields and nulls, never rely on array order, and raise
`UserError` naming the route when an answer does not have the documented shape — so nothing of
type `Any` leaves this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from reconciler.engine.money import to_decimal
from reconciler.errors import UserError

Json = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class ConsoleCompany:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Destination:
    account_id: str
    package_id: int | None  # → /api/Packages ID; None when the destination has no storage limit


@dataclass(frozen=True, slots=True)
class ConsoleUser:
    id: str
    company: str  # the company NAME (mbs-api §4); "" when the user has none
    destinations: tuple[Destination, ...]
    email: str = ""  # the user's login, named in warnings


@dataclass(frozen=True, slots=True)
class License:
    license_type: str  # the console product name, e.g. "Server"
    user_id: str  # "" when not attached to a user
    activated: bool  # taken and not a trial (mbs-contract: IsTaken && !IsTrial)
    expires: dt.date | None = None  # DateExpired's day; None when absent or unreadable

    def active_in(self, first_day: dt.date) -> bool:
        """Activated and not expired before `first_day` (docs/billing.md §9: a license that
        expires inside a month still counts for that month)."""
        return self.activated and (self.expires is None or self.expires >= first_day)


@dataclass(frozen=True, slots=True)
class DetailRow:
    """One row of `PUT /api/Billing/Details`: bytes of one user on one account in one month."""

    account_id: str
    backup_bytes: int
    restore_bytes: int


@dataclass(frozen=True, slots=True)
class BillingUser:
    """One `StatisticBilling` row of `PUT /api/Billing` (mbs-api §8.2): a user's month."""

    user_id: str
    email: str
    company: str  # CompanyName of the row; "" for none (the samples show null)
    average_space: int  # bytes, "average space used" in the month
    licenses_used: int


@dataclass(frozen=True, slots=True)
class Billing:
    """`PUT /api/Billing` for a month: the totals and the rows per user (bytes)."""

    current_space_used: int
    average_space_used: int
    users: tuple[BillingUser, ...]


def objects(value: object, route: str) -> list[Json]:
    """A bare JSON array of objects (mbs-api §1); `null` items are skipped."""
    if not isinstance(value, list):
        raise UserError(f"Management Console {route}: expected a JSON array, got {_kind(value)}")
    rows: list[Json] = []
    for item in value:
        if item is None:
            continue
        if not isinstance(item, dict):
            raise UserError(f"Management Console {route}: expected objects in the array, got {_kind(item)}")
        rows.append(item)
    return rows


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def text(row: Json, *names: str) -> str:
    """The first present string field among `names` ("" when absent or null)."""
    for name in names:
        value = row.get(name)
        if value is not None:
            return str(value)
    return ""


def flag(row: Json, name: str) -> bool:
    return row.get(name) is True


def whole(row: Json, name: str, route: str) -> int:
    value = row.get(name)
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    raise UserError(f"Management Console {route}: {name} is not a whole number ({value!r})")


def decimal(row: Json, name: str, route: str) -> Decimal:
    value = row.get(name)
    if value is None:
        return Decimal(0)
    try:
        return to_decimal(value)
    except (TypeError, ArithmeticError) as exc:
        raise UserError(f"Management Console {route}: {name} is not a number ({value!r})") from exc


def day(row: Json, name: str) -> dt.date | None:
    """The date of an ISO-8601 field (`2027-12-31T00:00:00Z`, `…+00:00`); None when absent or
    unreadable, so that an odd date never drops a license (it then counts as not expired)."""
    value = row.get(name)
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def companies(value: object) -> list[ConsoleCompany]:
    route = "GET /api/Companies"
    return [ConsoleCompany(text(row, "Id", "ID"), text(row, "Name")) for row in objects(value, route)]


def users(value: object) -> list[ConsoleUser]:
    route = "GET /api/Users"
    found: list[ConsoleUser] = []
    for row in objects(value, route):
        destinations = tuple(
            Destination(text(entry, "AccountID"), whole(entry, "PackageID", route) or None)
            for entry in objects(row.get("DestinationList") or [], route)
        )
        found.append(
            ConsoleUser(text(row, "ID", "Id"), text(row, "Company"), destinations, text(row, "Email"))
        )
    return found


def licenses(value: object) -> list[License]:
    return [
        License(
            text(row, "LicenseType"),
            text(row, "UserID"),
            flag(row, "IsTaken") and not flag(row, "IsTrial"),
            day(row, "DateExpired"),
        )
        for row in objects(value, "GET /api/Licenses")
    ]


def accounts(value: object) -> dict[str, str]:
    """AccountID → DisplayName (the storage product's console name, mbs-api §7)."""
    return {text(row, "AccountID"): text(row, "DisplayName") for row in objects(value, "GET /api/Accounts")}


def packages(value: object) -> dict[int, Decimal]:
    """Package ID → StorageLimit in GB (mbs-api §6)."""
    route = "GET /api/Packages"
    return {whole(row, "ID", route): decimal(row, "StorageLimit", route) for row in objects(value, route)}


def billing(value: object) -> Billing:
    """A `PUT /api/Billing` answer (mbs-api §8.2); `null` is a month with nothing billed."""
    route = "PUT /api/Billing"
    if value is None:
        return Billing(0, 0, ())
    if not isinstance(value, dict):
        raise UserError(f"Management Console {route}: expected a JSON object, got {_kind(value)}")
    rows = tuple(
        BillingUser(
            text(row, "UserId", "UserID"),
            text(row, "Email"),
            text(row, "CompanyName"),
            whole(row, "AverageSpace", route),
            whole(row, "LicensesUsed", route),
        )
        for row in objects(value.get("StatisticBilling") or [], route)
    )
    return Billing(whole(value, "CurrentSpaceUsed", route), whole(value, "AverageSpaceUsed", route), rows)


def details(value: object) -> list[DetailRow]:
    """`UserDetailList` of a Billing/Details answer; `null` (an unknown user) has no rows."""
    route = "PUT /api/Billing/Details"
    if value is None:
        return []
    if not isinstance(value, dict):
        raise UserError(f"Management Console {route}: expected a JSON object, got {_kind(value)}")
    return [
        DetailRow(text(row, "AccountID"), whole(row, "SizeBackup", route), whole(row, "SizeRestore", route))
        for row in objects(value.get("UserDetailList") or [], route)
    ]
