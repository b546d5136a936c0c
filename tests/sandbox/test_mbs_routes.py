"""The Management Console routes against the emulation contract (mbs-contract, mbs-api §2–§8)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import httpx
import pytest

from reconciler.engine.money import divide, quantize
from reconciler.sandbox import Credentials, Sandbox
from reconciler.sandbox.jsonio import loads
from tests.sandbox.helpers import mbs_client

GB = Decimal(2**30)


def test_login_trades_credentials_for_a_bearer_token(demo: Sandbox) -> None:
    with mbs_client(demo, login=False) as client:
        answer = client.post(
            "/api/Provider/Login", json={"UserName": "DEMO@cwbill.example", "Password": "demo-password"}
        )
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 1209600
    assert len(body["access_token"]) >= 32 and "demo" not in body["access_token"]


INVALID_GRANT = {"error": "invalid_grant", "error_description": "The user name or password is incorrect."}


@pytest.mark.parametrize(
    ("payload", "status", "body"),
    [
        # the documented answer to bad credentials (MSP360's API documentation, "Initial Authentication")
        ({"UserName": "demo@cwbill.example", "Password": "wrong"}, 400, INVALID_GRANT),
        ({"UserName": "someone@else", "Password": "demo-password"}, 400, INVALID_GRANT),
        ({"UserName": "demo@cwbill.example"}, 400, INVALID_GRANT),
        ([1, 2], 400, {"Message": "The request is invalid."}),
    ],
    ids=["wrong password", "wrong user", "no password", "not an object"],
)
def test_bad_login_is_refused(demo: Sandbox, payload: object, status: int, body: object) -> None:
    with mbs_client(demo, login=False) as client:
        answer = client.post("/api/Provider/Login", json=payload)
    assert answer.status_code == status and answer.json() == body
    assert "demo-password" not in answer.text


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-token", "Basic abc"],
    ids=["no header", "unknown token", "not bearer"],
)
def test_other_routes_need_a_valid_bearer_token(demo: Sandbox, authorization: str | None) -> None:
    with mbs_client(demo, login=False) as client:
        headers = {"Authorization": authorization} if authorization else {}
        answer = client.get("/api/Companies", headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {"Message": "Authorization has been denied for this request."}


def test_scheme_and_route_case_do_not_matter(mbs: httpx.Client) -> None:
    token = mbs.headers["Authorization"].split(" ", 1)[1]
    answer = mbs.get("/API/companies/", headers={"Authorization": f"bearer {token}"})
    assert answer.status_code == 200 and len(answer.json()) == 5


def test_companies_users_accounts_have_the_contract_shapes(mbs: httpx.Client) -> None:
    companies = mbs.get("/api/Companies").json()
    assert [c["Name"] for c in companies] == [
        "Acme Corp",
        "Beta Logistics",
        "Gamma Health",
        "Delta Dental",
        "Epsilon Labs",
    ]
    assert set(companies[0]) == {"Id", "Name", "StorageLimit", "LicenseSettings", "Destinations"}
    assert companies[0]["StorageLimit"] == -1 and companies[0]["LicenseSettings"] == 0
    users = mbs.get("/api/Users").json()
    assert [u["Company"] for u in users] == [c["Name"] for c in companies]
    assert {
        "ID",
        "Email",
        "FirstName",
        "LastName",
        "Company",
        "Enabled",
        "LicenseManagmentMode",
        "DestinationList",
        "SpaceUsed",
    } <= set(users[0])
    destination = users[0]["DestinationList"][0]
    assert set(destination) == {
        "ID",
        "CurrentVolume",
        "PackageID",
        "AccountID",
        "AccountDisplayName",
        "Destination",
        "DestinationDisplayName",
    }
    accounts = mbs.get("/api/Accounts").json()
    assert [a["DisplayName"] for a in accounts] == ["Wasabi", "Amazon S3"]
    assert [a["StorageType"] for a in accounts] == ["Wasabi", "AmazonS3"]
    assert set(accounts[0]) == {
        "ResellerAccountID",
        "AccountID",
        "DateCreated",
        "DisplayName",
        "StorageType",
        "Destinations",
    }


def activated(licenses: list[dict[str, object]], users: list[dict[str, object]]) -> dict[str, Counter[str]]:
    company_of = {u["ID"]: u["Company"] for u in users}
    counts: dict[str, Counter[str]] = {}
    for item in licenses:
        if item["IsTaken"] and not item["IsTrial"]:
            counts.setdefault(str(company_of[item["UserID"]]), Counter())[str(item["LicenseType"])] += 1
    return counts


def test_activated_licenses_are_the_latest_month_of_the_seed(mbs: httpx.Client) -> None:
    licenses = mbs.get("/api/Licenses").json()
    assert activated(licenses, mbs.get("/api/Users").json()) == {
        "Acme Corp": Counter({"Server": 4, "Desktop": 12}),
        "Beta Logistics": Counter({"Server": 2}),
        "Gamma Health": Counter({"Server": 5, "VM Server": 3, "Ultimate": 1}),
        "Delta Dental": Counter({"Desktop": 8, "MS SQL Server": 1}),
    }
    assert any(i["IsTrial"] and i["IsTaken"] for i in licenses), "trials exist, and must not be counted"
    assert set(licenses[0]) == {
        "ID",
        "Number",
        "ComputerName",
        "OperatingSystem",
        "IsTrial",
        "IsTaken",
        "LicenseType",
        "DateExpired",
        "Transaction",
        "User",
        "UserID",
    }


def test_is_available_lists_only_untaken_licenses(mbs: httpx.Client) -> None:
    available = mbs.get("/api/Licenses", params={"isAvailable": "True"}).json()
    assert available and all(i["IsTaken"] is False and i["UserID"] is None for i in available)
    assert len(mbs.get("/api/Licenses", params={"isAvailable": "false"}).json()) > len(available)


def test_storage_limits_come_from_packages_of_the_users_destinations(mbs: httpx.Client) -> None:
    listed = loads(mbs.get("/api/Packages").content)  # exact decimals, as the client reads them
    assert isinstance(listed, list)
    packages = {p["ID"]: p["StorageLimit"] for p in listed}
    accounts = {a["AccountID"]: a["DisplayName"] for a in mbs.get("/api/Accounts").json()}
    limits: dict[tuple[str, str], Decimal] = {}
    for user in mbs.get("/api/Users").json():
        for destination in user["DestinationList"]:
            key = (user["Company"], accounts[destination["AccountID"]])
            limits[key] = limits.get(key, Decimal(0)) + packages.get(destination["PackageID"], Decimal(0))
    assert limits == {
        ("Acme Corp", "Wasabi"): Decimal(2000),
        ("Beta Logistics", "Wasabi"): Decimal(0),
        ("Epsilon Labs", "Amazon S3"): Decimal(0),
    }
    package = mbs.get("/api/Packages").json()[0]
    assert set(package) == {
        "ID",
        "Name",
        "Description",
        "Enabled",
        "Cost",
        "StorageLimit",
        "RestoreLimit",
        "UseRestoreLimit",
        "isGlacierRestoreLimit",
        "GlacierRestoreType",
    }


def usage(mbs: httpx.Client, company: str, date: str) -> dict[str, tuple[Decimal, Decimal]]:
    """GB stored and restored per account, read the way the client must (2^30 bytes, 6 places)."""
    user = next(u for u in mbs.get("/api/Users").json() if u["Company"] == company)
    accounts = {a["AccountID"]: a["DisplayName"] for a in mbs.get("/api/Accounts").json()}
    details = mbs.put("/api/Billing/Details", json={"UserID": user["ID"], "Date": date}).json()
    assert set(details) == {"UserID", "TotalBackupBytes", "TotalRestoreBytes", "UserDetailList"}
    assert details["TotalBackupBytes"] == sum(r["SizeBackup"] for r in details["UserDetailList"])
    return {
        accounts[row["AccountID"]]: (
            quantize(divide(Decimal(row["SizeBackup"]), GB), 6),
            quantize(divide(Decimal(row["SizeRestore"]), GB), 6),
        )
        for row in details["UserDetailList"]
    }


@pytest.mark.parametrize(
    ("company", "date", "expected"),
    [
        ("Acme Corp", "2026-10-01", {"Wasabi": (Decimal("1234.5"), Decimal(20))}),
        ("Acme Corp", "2026-11-17", {"Wasabi": (Decimal("1300.25"), Decimal(0))}),
        ("Acme Corp", "", {"Wasabi": (Decimal("1300.25"), Decimal(0))}),
        ("Epsilon Labs", "2026-10-01T00:00:00+02:00", {"Amazon S3": (Decimal("2345.678"), Decimal(100))}),
        ("Beta Logistics", "2026-11-01", {"Wasabi": (Decimal("512.75"), Decimal(10))}),
        ("Gamma Health", "2026-11-01", {}),
        ("Acme Corp", "2026-03-01", {}),
    ],
    ids=[
        "october",
        "any day selects its month",
        "empty date is the current month",
        "an offset date",
        "restored",
        "licenses only",
        "a month without data",
    ],
)
def test_billing_details_give_bytes_that_read_back_as_the_seeded_gb(
    mbs: httpx.Client, company: str, date: str, expected: dict[str, tuple[Decimal, Decimal]]
) -> None:
    assert usage(mbs, company, date) == expected


def test_billing_details_of_an_unknown_user_are_null_and_a_bad_body_400(mbs: httpx.Client) -> None:
    unknown = mbs.put(
        "/api/Billing/Details", json={"UserID": "00000000-0000-0000-0000-000000000000", "Date": "2026-10-01"}
    )
    assert (unknown.status_code, unknown.text) == (200, "null")
    assert mbs.put("/api/Billing/Details", json={"Date": "2026-10-01"}).status_code == 400
    user = mbs.get("/api/Users").json()[0]["ID"]
    assert mbs.put("/api/Billing/Details", json={"UserID": user, "Date": "October"}).status_code == 400


@pytest.mark.parametrize("collection", ["Companies", "Users", "Licenses", "Accounts", "Packages"])
def test_get_by_id_finds_one_or_answers_null(mbs: httpx.Client, collection: str) -> None:
    key = {"Companies": "Id", "Accounts": "AccountID"}.get(collection, "ID")
    first = mbs.get(f"/api/{collection}").json()[0]
    assert mbs.get(f"/api/{collection}/{first[key]}").json() == first
    assert mbs.get(f"/api/{collection}/4242").text == "null"


def test_unknown_routes_and_methods(mbs: httpx.Client) -> None:
    assert mbs.get("/api/Monitoring").status_code == 404
    assert mbs.post("/api/Companies", json={}).status_code == 405
    assert mbs.get("/api/Billing/Details").status_code == 405


def test_the_console_accepts_exactly_the_configured_credentials() -> None:
    sandbox = Sandbox(
        credentials=Credentials.from_env({"MBS_USERNAME": "ops@msp.example", "MBS_PASSWORD": "pw-123"})
    )
    with mbs_client(sandbox, login=False) as client:
        good = client.post("/api/Provider/Login", json={"UserName": "ops@msp.example", "Password": "pw-123"})
        demo = client.post(
            "/api/Provider/Login", json={"UserName": "demo@cwbill.example", "Password": "demo-password"}
        )
    assert (good.status_code, demo.status_code) == (200, 400)
