"""The Management Console's data, built from a seed's `console` section (mbs-contract, mbs-api §3–§8).

The console keeps no history of licenses or limits: `/api/Licenses` and `/api/Packages` are a
snapshot of *now*, so they are built from each company's latest seeded period. Storage per month is
history, served by `PUT /api/Billing/Details` per (user, month, account) and summed per user by
`PUT /api/Billing`. Ids are GUIDs derived from names (uuid5), so a seed always gives the same ids.
GB become bytes as `round_half_up(GB × 2^30)` (billing-rules §3), so any amount with at most 6
decimals survives the client's reverse conversion. Besides one user per company, a seed may hold
the edge cases of real accounts (docs/sandbox.md): unlimited limits (StorageLimit -1), expired,
expiring and trial licenses, users of no company, moved or deleted users, two companies of one
name, and a login the console refuses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from reconciler.engine.money import multiply, quantize
from reconciler.sandbox.mbs_licenses import add_available_licenses, add_taken_licenses, guid, slug

JsonObject = dict[str, object]
BYTES_PER_GB: Final = Decimal(2**30)
_STORAGE_TYPES: Final = {"wasabi": "Wasabi", "amazon s3": "AmazonS3", "backblaze b2": "BackblazeB2"}
_DECIMAL_PACKAGE_FIELDS: Final = ("Cost", "StorageLimit", "RestoreLimit")
CREATED: Final = "2026-01-01T00:00:00Z"


UNLIMITED: Final = Decimal(-1)  # the console's StorageLimit for "unlimited" (mbs-api §3, §6)


@dataclass(frozen=True, slots=True)
class StorageAmounts:
    stored: Decimal  # GB
    restored: Decimal  # GB restored in the month
    limit: Decimal  # GB; UNLIMITED (negative) for an unlimited package
    average: Decimal | None = None  # GB of PUT /api/Billing's AverageSpace; None: stored


@dataclass(frozen=True, slots=True)
class ConsoleMonth:
    period: str  # YYYY-MM
    licenses: Mapping[str, int]  # console license type → activated licenses
    storage: Mapping[str, StorageAmounts]  # storage account display name → amounts
    expired: Mapping[str, int] = field(default_factory=dict)  # taken, expired the day before the month
    expiring: Mapping[str, int] = field(default_factory=dict)  # taken, expiring on the month's 15th
    trials: Mapping[str, int] | None = None  # taken trials; None: one of the first license type


@dataclass(frozen=True, slots=True)
class ConsoleCompany:
    name: str
    months: tuple[ConsoleMonth, ...] = ()
    same_name: bool = False  # a second company of this name (its ids get a suffix)


@dataclass(frozen=True, slots=True)
class ConsoleUserSeed:
    """A user besides each company's own: of no company, moved, or deleted."""

    email: str
    company: str  # "" = no company
    months: tuple[ConsoleMonth, ...] = ()
    billed_as: str | None = None  # the company PUT /api/Billing names (a moved user); None: company
    deleted: bool = False  # absent from /api/Users, still in PUT /api/Billing


@dataclass
class ConsoleData:
    companies: list[JsonObject] = field(default_factory=list)
    users: list[JsonObject] = field(default_factory=list)
    licenses: list[JsonObject] = field(default_factory=list)
    accounts: list[JsonObject] = field(default_factory=list)
    packages: list[JsonObject] = field(default_factory=list)
    details: dict[str, list[JsonObject]] = field(default_factory=dict)  # "userId|YYYY-MM" → rows
    current_period: str = ""  # what an empty billing Date means: the latest seeded month
    billed_as: dict[str, str] = field(default_factory=dict)  # user id → PUT /api/Billing's CompanyName
    deleted_users: list[JsonObject] = field(default_factory=list)  # in billing, not in /api/Users
    averages: dict[str, int] = field(default_factory=dict)  # "userId|YYYY-MM" → AverageSpace bytes
    login_refusal: str = ""  # "" | ip-restricted | api-disabled: every login answers 403

    def to_document(self) -> JsonObject:
        return {
            "companies": self.companies,
            "users": self.users,
            "licenses": self.licenses,
            "accounts": self.accounts,
            "packages": self.packages,
            "details": self.details,
            "current_period": self.current_period,
            "billed_as": self.billed_as,
            "deleted_users": self.deleted_users,
            "averages": self.averages,
            "login_refusal": self.login_refusal,
        }

    @classmethod
    def from_document(cls, document: object) -> ConsoleData:
        if not isinstance(document, dict):
            raise ValueError("malformed state file: console")
        packages = [
            {
                k: Decimal(v) if k in _DECIMAL_PACKAGE_FIELDS and isinstance(v, str) else v
                for k, v in p.items()
            }
            for p in document["packages"]
        ]
        return cls(
            companies=document["companies"],
            users=document["users"],
            licenses=document["licenses"],
            accounts=document["accounts"],
            packages=packages,
            details=document["details"],
            current_period=str(document["current_period"]),
            billed_as=document.get("billed_as", {}),
            deleted_users=document.get("deleted_users", []),
            averages=document.get("averages", {}),
            login_refusal=str(document.get("login_refusal", "")),
        )


def to_bytes(gigabytes: Decimal) -> int:
    return int(quantize(multiply(gigabytes, BYTES_PER_GB), 0))


def build_console(
    companies: Sequence[ConsoleCompany], users: Sequence[ConsoleUserSeed] = (), login_refusal: str = ""
) -> ConsoleData:
    data = ConsoleData(login_refusal=login_refusal)
    account_names: list[str] = []
    for months in [c.months for c in companies] + [u.months for u in users]:
        for month in months:
            account_names.extend(a for a in month.storage if a not in account_names)
    accounts = {name: _account(name) for name in account_names}
    data.accounts = list(accounts.values())
    license_types: list[str] = []
    for company in companies:
        _add_company(data, company, accounts, license_types)
    for user in users:
        seeded = _User(f"user:{user.email}", user.email, user.company, user.months, deleted=user.deleted)
        user_id = _add_user(data, seeded, accounts, license_types)
        if user.billed_as is not None:
            data.billed_as[user_id] = user.billed_as
    add_available_licenses(data, license_types)
    periods = [m.period for c in companies for m in c.months]
    data.current_period = max(periods) if periods else ""
    return data


@dataclass(frozen=True, slots=True)
class _User:
    key: str  # what its GUID derives from
    email: str
    company: str
    months: tuple[ConsoleMonth, ...]
    deleted: bool = False


def _account(name: str) -> JsonObject:
    return {
        "ResellerAccountID": guid(f"reseller:{name}"),
        "AccountID": guid(f"account:{name}"),
        "DateCreated": CREATED,
        "DisplayName": name,
        "StorageType": _STORAGE_TYPES.get(name.lower(), "S3Compatible"),
        "Destinations": [],
    }


def _add_company(
    data: ConsoleData, company: ConsoleCompany, accounts: Mapping[str, JsonObject], license_types: list[str]
) -> None:
    name = company.name
    key = f"{name}#{len(data.companies)}" if company.same_name else name
    data.companies.append(
        {
            "Id": guid(f"company:{key}"),
            "Name": name,
            "StorageLimit": -1,
            "LicenseSettings": 0,
            "Destinations": [],
        }
    )
    suffix = f"-{len(data.companies)}" if company.same_name else ""
    user = _User(f"user:{key}", f"backup{suffix}@{slug(name)}.example", name, company.months)
    _add_user(data, user, accounts, license_types)


def _add_user(
    data: ConsoleData, user: _User, accounts: Mapping[str, JsonObject], license_types: list[str]
) -> str:
    """The user, its destinations, months and licenses; its id."""
    user_id, email, name = guid(user.key), user.email, user.company or slug(user.email)
    latest = max(user.months, key=lambda m: m.period) if user.months else None
    used = [a for a in accounts if any(a in m.storage for m in user.months)]
    destinations = [_destination(data, name, accounts[a], latest) for a in used]
    (data.deleted_users if user.deleted else data.users).append(
        {
            "ID": user_id,
            "Email": email,
            "FirstName": "Backup",
            "LastName": "Admin",
            "NotificationEmails": [email],
            "Company": user.company,
            "Enabled": True,
            "LicenseManagmentMode": 0,
            "DestinationList": destinations,
            "SpaceUsed": sum(_int(d["CurrentVolume"]) for d in destinations),
        }
    )
    for month in user.months:
        data.details[f"{user_id}|{month.period}"] = [
            {
                "Computer": f"{slug(name)}-backup-01",
                "SizeBackup": to_bytes(amounts.stored),
                "SizeRestore": to_bytes(amounts.restored),
                "Prefix": slug(name),
                "AccountID": accounts[account]["AccountID"],
                "Destination": _bucket(name, account),
            }
            for account, amounts in month.storage.items()
        ]
        averages = [a.average for a in month.storage.values() if a.average is not None]
        if averages:
            data.averages[f"{user_id}|{month.period}"] = sum(
                to_bytes(a.stored if a.average is None else a.average) for a in month.storage.values()
            )
    if latest is not None and not user.deleted:
        add_taken_licenses(data, name, user_id=user_id, email=email, month=latest, types=license_types)
    return user_id


def _destination(
    data: ConsoleData, company: str, account: JsonObject, latest: ConsoleMonth | None
) -> JsonObject:
    display = str(account["DisplayName"])
    amounts = latest.storage.get(display) if latest else None
    package_id = None
    if amounts is not None and amounts.limit != 0:
        package_id = len(data.packages) + 1
        data.packages.append(
            {
                "ID": package_id,
                "Name": f"{company} {display} {amounts.limit} GB",
                "Description": f"Storage limit of {company} on {display}",
                "Enabled": True,
                "Cost": Decimal(0),
                "StorageLimit": amounts.limit,
                "RestoreLimit": Decimal(0),
                "UseRestoreLimit": False,
                "isGlacierRestoreLimit": False,
                "GlacierRestoreType": 3,
            }
        )
    destination_id = guid(f"destination:{company}:{display}")
    bucket = _bucket(company, display)
    destinations = account["Destinations"]
    assert isinstance(destinations, list)
    destinations.append(
        {
            "DestinationID": destination_id,
            "AccountID": account["AccountID"],
            "Destination": bucket,
            "DestinationDisplayName": f"{company} on {display}",
        }
    )
    return {
        "ID": destination_id,
        "CurrentVolume": to_bytes(amounts.stored) if amounts else 0,
        "PackageID": package_id,
        "AccountID": account["AccountID"],
        "AccountDisplayName": display,
        "Destination": bucket,
        "DestinationDisplayName": f"{company} on {display}",
    }


def _bucket(company: str, account: str) -> str:
    return f"{slug(company)}-{slug(account)}"


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0
