"""A small Management Console on `httpx.MockTransport`, serving the documented shapes.

For the cases the sandbox does not produce (several users per company, unmapped license types and
accounts, orphan licenses, scripted 401/403/429/5xx): every body follows mbs-api.md
(§2 login and 401/403, §3 Companies `Id`, §4 Users `ID`/`Company` name/`DestinationList`, §5
Licenses, §6 Packages, §7 Accounts, §8.3 Billing/Details) as fixed by the emulation contract
(/work/briefs/mbs-contract.md): bearer tokens, case-insensitive routes, bytes at 2^30 per GB.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import httpx

USERNAME = "api-user"
PASSWORD = "s3cret-Pa55word"
GIB = 2**30


def to_bytes(gigabytes: str) -> int:
    """The emulator's conversion (mbs-contract): round_half_up(GB × 2^30)."""
    return int((Decimal(gigabytes) * GIB).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _license(
    number: int, kind: str, user: str | None, *, taken: bool = True, trial: bool = False
) -> dict[str, object]:
    return {
        "ID": f"lic-{number}",
        "Number": number,
        "ComputerName": f"PC-{number}" if taken else None,
        "OperatingSystem": "Windows",
        "IsTrial": trial,
        "IsTaken": taken,
        "LicenseType": kind,
        "DateExpired": "2027-01-01T00:00:00Z",
        "Transaction": "T-1",
        "User": None if user is None else f"{user}@example.com",
        "UserID": user,
    }


def _user(user_id: str, company: str, *destinations: tuple[str, int | None]) -> dict[str, object]:
    return {
        "ID": user_id,
        "Email": f"{user_id}@example.com",
        "FirstName": user_id,
        "LastName": "User",
        "Company": company,
        "Enabled": True,
        "LicenseManagmentMode": 2,  # sic (mbs-api §4)
        "DestinationList": [
            {
                "ID": f"dest-{user_id}-{i}",
                "CurrentVolume": 0,
                "PackageID": package,
                "AccountID": account,
                "AccountDisplayName": account,
                "Destination": "bucket",
                "DestinationDisplayName": "bucket",
            }
            for i, (account, package) in enumerate(destinations)
        ],
        "SpaceUsed": 0,
    }


def _row(account: str, backup_gb: str, restore_gb: str = "0") -> dict[str, object]:
    return {
        "Computer": "PC",
        "SizeBackup": to_bytes(backup_gb),
        "SizeRestore": to_bytes(restore_gb),
        "Prefix": "CBB",
        "AccountID": account,
        "Destination": "bucket",
    }


def example_data() -> dict[str, object]:
    """Acme Corp (two users, one trial and spare licenses, an unmapped license type and account),
    Beta Logistics, and Orphan Inc (no company file); accounts Wasabi and an unmapped B2."""
    licenses = [
        _license(1, "Server", "u1"),
        _license(2, "Server", "u1"),
        _license(3, "Server", "u2"),
        *(_license(10 + i, "Desktop", "u1") for i in range(12)),
        _license(30, "Server", "u1", trial=True),  # a trial: not counted
        _license(31, "Server", None, taken=False),  # available: not counted
        _license(32, "Hyper-V", "u1"),  # no product maps it
        _license(40, "Server", "u3"),
        _license(41, "Server", "u3"),
        _license(50, "Server", "u4"),  # Orphan Inc has no company file
        _license(60, "Desktop", None),  # taken, but attached to no user
    ]
    return {
        "companies": [
            {"Id": "c-1", "Name": "Acme Corp", "StorageLimit": -1, "LicenseSettings": 0, "Destinations": []},
            {
                "Id": "c-2",
                "Name": "Beta Logistics",
                "StorageLimit": 107374182400,
                "LicenseSettings": 1,
                "Destinations": [],
            },
            {"Id": "c-3", "Name": "Orphan Inc", "StorageLimit": -1, "LicenseSettings": 2, "Destinations": []},
        ],
        "users": [
            _user("u1", "Acme Corp", ("a-wasabi", 1), ("a-b2", None)),
            _user("u2", "Acme Corp", ("a-wasabi", 2)),
            _user("u3", "Beta Logistics", ("a-wasabi", None)),
            _user("u4", "Orphan Inc"),
        ],
        "licenses": licenses,
        "accounts": [
            {
                "ResellerAccountID": "r-1",
                "AccountID": "a-wasabi",
                "DateCreated": "2025-01-01T00:00:00Z",
                "DisplayName": "Wasabi",
                "StorageType": "Wasabi",
                "Destinations": [],
            },
            {
                "ResellerAccountID": "r-2",
                "AccountID": "a-b2",
                "DateCreated": "2025-01-01T00:00:00Z",
                "DisplayName": "Backblaze B2",
                "StorageType": "BackblazeB2",
                "Destinations": [],
            },
        ],
        "packages": [
            {
                "ID": 1,
                "Name": "1.5 TB",
                "Description": "",
                "Enabled": True,
                "Cost": Decimal("30.00"),
                "StorageLimit": Decimal("1500"),
                "RestoreLimit": 0,
                "UseRestoreLimit": False,
                "isGlacierRestoreLimit": False,
                "GlacierRestoreType": 3,
            },
            {
                "ID": 2,
                "Name": "half TB",
                "Description": "",
                "Enabled": True,
                "Cost": Decimal("10.00"),
                "StorageLimit": Decimal("500.0"),
                "RestoreLimit": 0,
                "UseRestoreLimit": False,
                "isGlacierRestoreLimit": False,
                "GlacierRestoreType": 3,
            },
        ],
        "details": {
            # 1000 + 234.5 = 1234.5 GB stored on Wasabi in October; 20 GB restored
            ("u1", "2026-10"): [_row("a-wasabi", "1000", "20"), _row("a-b2", "5")],
            ("u2", "2026-10"): [_row("a-wasabi", "234.5")],
            ("u3", "2026-10"): [_row("a-wasabi", "0.123457")],
            ("u1", "2026-11"): [_row("a-wasabi", "1300.25")],
        },
    }


@dataclass
class FakeConsole:
    data: dict[str, object] = field(default_factory=example_data)
    username: str = USERNAME
    password: str = PASSWORD
    calls: list[str] = field(default_factory=list)
    logins: int = 0
    revoke_after: int | None = None  # revoke the token after this many authenticated calls
    always_refuse: bool = False  # every authenticated call answers 401
    failures: dict[str, list[int]] = field(default_factory=dict)  # route → statuses to answer first
    _token: str = ""
    _served: int = 0

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        route = f"{request.method} {request.url.path.lower()}"
        self.calls.append(route)
        pending = self.failures.get(route)
        if pending:
            return httpx.Response(pending.pop(0), headers={"Retry-After": "0"}, json={"Message": "busy"})
        if route == "POST /api/provider/login":
            return self._login(request)
        if not self._authorized(request):
            return httpx.Response(401, json={"Message": "Authorization has been denied for this request."})
        handler = self._routes().get(route)
        if handler is None:
            return httpx.Response(404, json={"Message": f"No HTTP resource was found for {request.url.path}"})
        return _json(handler(request))

    def _login(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body.get("UserName") != self.username or body.get("Password") != self.password:
            # the documented answer ("Initial Authentication"): the OAuth token endpoint's 400
            error = {"error": "invalid_grant", "error_description": "The user name or password is incorrect."}
            return httpx.Response(400, json=error)
        self.logins += 1
        self._token = f"token-{self.logins}"
        return httpx.Response(
            200, json={"access_token": self._token, "token_type": "bearer", "expires_in": 1209600}
        )

    def _authorized(self, request: httpx.Request) -> bool:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if self.always_refuse or scheme.lower() != "bearer" or not self._token or token != self._token:
            return False
        self._served += 1
        if self.revoke_after is not None and self._served > self.revoke_after:
            self._token, self.revoke_after = "", None  # expired: the next call must log in again
            return False
        return True

    def _routes(self) -> dict[str, Callable[[httpx.Request], object]]:
        return {
            "GET /api/companies": lambda _: self.data["companies"],
            "GET /api/users": lambda _: self.data["users"],
            "GET /api/licenses": self._licenses,
            "GET /api/accounts": lambda _: self.data["accounts"],
            "GET /api/packages": lambda _: self.data["packages"],
            "PUT /api/billing/details": self._details,
            "PUT /api/billing": self._billing,
        }

    def _licenses(self, request: httpx.Request) -> object:
        rows = self.data["licenses"]
        assert isinstance(rows, list)
        if request.url.params.get("isAvailable", "").lower() == "true":
            return [row for row in rows if not row["IsTaken"]]
        return rows

    def _details(self, request: httpx.Request) -> object:
        body = json.loads(request.content)
        users = self.data["users"]
        assert isinstance(users, list)
        if body["UserID"] not in {user["ID"] for user in users}:
            return None  # an unknown user: 200 null (mbs-contract)
        month = str(body.get("Date") or "")[:7]
        details = self.data["details"]
        assert isinstance(details, dict)
        rows = details.get((body["UserID"], month), [])
        return {
            "UserID": body["UserID"],
            "TotalBackupBytes": sum(r["SizeBackup"] for r in rows),
            "TotalRestoreBytes": sum(r["SizeRestore"] for r in rows),
            "UserDetailList": rows,
        }

    def _billing(self, request: httpx.Request) -> object:
        """`PUT /api/Billing` (mbs-api §8.2, the "Get Filtered Billing Records" sample): a row per
        user of the month, under the company it was billed to (`billed_as`, else its company)."""
        body = json.loads(request.content)
        month, wanted = str(body.get("Date") or "")[:7], str(body.get("CompanyName") or "")
        users, details, licenses = self.data["users"], self.data["details"], self.data["licenses"]
        assert isinstance(users, list) and isinstance(details, dict) and isinstance(licenses, list)
        billed = self.data.get("billed_as", {})
        assert isinstance(billed, dict)
        rows = []
        for user in [*users, *self.data.get("deleted_users", [])]:  # type: ignore[misc]  # test data
            company = billed.get(user["ID"], user["Company"])
            if wanted and company != wanted:
                continue
            space = sum(r["SizeBackup"] for r in details.get((user["ID"], month), []))
            used = sum(
                1 for lic in licenses if lic["UserID"] == user["ID"] and lic["IsTaken"] and not lic["IsTrial"]
            )
            rows.append(
                {
                    "UserId": user["ID"],
                    "Email": user["Email"],
                    "FirstName": user["FirstName"],
                    "LastName": user["LastName"],
                    "CompanyName": company or None,
                    "AverageSpace": space,
                    "TotalVolumeRestore": 0,
                    "PlanCost": Decimal("1.0"),
                    "StorageCost": Decimal("0.0"),
                    "RestoreCost": Decimal("0.0"),
                    "TotalCost": Decimal("1.0"),
                    "LicensesUsed": used,
                }
            )
        total = sum(int(str(r["AverageSpace"])) for r in rows)
        return {
            "CurrentSpaceUsed": total,
            "AverageSpaceUsed": total,
            "TotalRestore": 0,
            "StatisticBilling": rows,
        }


def _json(value: object) -> httpx.Response:
    """JSON with Decimals written from their text (the console writes decimals, never floats)."""
    text = json.dumps(value, default=lambda d: f"__decimal__{d}")
    text = re.sub(r'"__decimal__([0-9.]+)"', r"\1", text)
    return httpx.Response(200, content=text.encode(), headers={"Content-Type": "application/json"})
