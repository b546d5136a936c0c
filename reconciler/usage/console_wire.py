"""The Management Console's JSON answers, read into small typed rows (mbs-api.md §3–§8).

The console is ASP.NET Web API: PascalCase names, `Id` on companies but `ID` elsewhere, bare
arrays, `null` where a string is missing. These readers take the decoded JSON (numbers already
Decimal or int, never float), tolerate extra fields and nulls, never rely on array order, and raise
`UserError` naming the route when an answer does not have the documented shape — so nothing of
type `Any` leaves this module.
"""

from __future__ import annotations

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


@dataclass(frozen=True, slots=True)
class License:
    license_type: str  # the console product name, e.g. "Server"
    user_id: str  # "" when not attached to a user
    activated: bool  # taken and not a trial (mbs-contract: IsTaken && !IsTrial)


@dataclass(frozen=True, slots=True)
class DetailRow:
    """One row of `PUT /api/Billing/Details`: bytes of one user on one account in one month."""

    account_id: str
    backup_bytes: int
    restore_bytes: int


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
        found.append(ConsoleUser(text(row, "ID", "Id"), text(row, "Company"), destinations))
    return found


def licenses(value: object) -> list[License]:
    return [
        License(
            text(row, "LicenseType"),
            text(row, "UserID"),
            flag(row, "IsTaken") and not flag(row, "IsTrial"),
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
