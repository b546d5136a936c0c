"""The console's edge cases as the sandbox serves them (docs/sandbox.md, the console-edge-cases seed)."""

from __future__ import annotations

from contextlib import closing
from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.errors import UserError
from reconciler.sandbox import Sandbox
from reconciler.sandbox.seeds import load_seed
from tests.sandbox.helpers import mbs_client

GB = 2**30
STATISTIC_KEYS = {
    "UserId",
    "Email",
    "FirstName",
    "LastName",
    "CompanyName",
    "AverageSpace",
    "TotalVolumeRestore",
    "PlanCost",
    "StorageCost",
    "RestoreCost",
    "TotalCost",
    "LicensesUsed",
}


@pytest.fixture(scope="module")
def edge() -> Sandbox:
    return Sandbox(load_seed("console-edge-cases"))


def test_the_edge_seed_keeps_the_demo_connectwise_side(edge: Sandbox) -> None:
    edge_state, demo_state = edge.store.to_document(), load_seed("demo").to_document()
    assert {k: v for k, v in edge_state.items() if k != "console"} == {
        k: v for k, v in demo_state.items() if k != "console"
    }
    assert edge_state["console"] != demo_state["console"]


def test_an_unlimited_limit_is_a_package_of_minus_one(edge: Sandbox) -> None:
    with closing(mbs_client(edge)) as client:
        packages = client.get("/api/Packages").json()
        users = client.get("/api/Users").json()
    acme = next(u for u in users if u["Company"] == "Acme Corp")
    (package_id,) = [d["PackageID"] for d in acme["DestinationList"]]
    assert next(p for p in packages if p["ID"] == package_id)["StorageLimit"] == -1


def test_expired_expiring_and_trial_licenses(edge: Sandbox) -> None:
    with closing(mbs_client(edge)) as client:
        licenses = client.get("/api/Licenses").json()
    acme = [lic for lic in licenses if lic["User"] == "backup@acme-corp.example"]
    expiries = sorted(
        (lic["LicenseType"], lic["DateExpired"][:10], lic["IsTrial"]) for lic in acme if lic["IsTaken"]
    )
    assert expiries.count(("Server", "2026-10-31", False)) == 2  # expired before November
    assert expiries.count(("Desktop", "2026-11-15", False)) == 1  # expiring inside it
    assert sum(1 for _, _, trial in expiries if trial) == 2


def test_users_of_no_company_moved_and_deleted(edge: Sandbox) -> None:
    with closing(mbs_client(edge)) as client:
        users = client.get("/api/Users").json()
        billing = client.put("/api/Billing", json={"Date": "2026-11-01"}).json()
        acme = client.put("/api/Billing", json={"CompanyName": "Acme Corp", "Date": "2026-11-01"}).json()
        details = client.put("/api/Billing/Details", json={"UserID": "x", "Date": "2026-11-01"})
    emails = {u["Email"]: u["Company"] for u in users}
    assert emails["nobody@edge.example"] == "" and emails["mover@edge.example"] == "Beta Logistics"
    assert "gone@edge.example" not in emails
    rows = {row["Email"]: row for row in billing["StatisticBilling"]}
    assert all(set(row) == STATISTIC_KEYS for row in rows.values())
    assert rows["nobody@edge.example"]["CompanyName"] is None  # as the documented sample shows
    assert rows["mover@edge.example"]["CompanyName"] == "Acme Corp"  # billed where it was
    assert rows["gone@edge.example"]["AverageSpace"] == 75 * GB
    assert {row["Email"] for row in acme["StatisticBilling"]} == {
        "backup@acme-corp.example",
        "mover@edge.example",
        "gone@edge.example",
    }
    assert acme["AverageSpaceUsed"] == (1250 + 25 + 75) * GB  # the seeded average, not the stored
    assert acme["CurrentSpaceUsed"] == int(Decimal("1300.25") * GB)
    assert details.json() is None  # an unknown (or deleted) user has no details


def test_two_companies_of_one_name_get_two_ids(edge: Sandbox) -> None:
    with closing(mbs_client(edge)) as client:
        companies = client.get("/api/Companies").json()
    twins = [c["Id"] for c in companies if c["Name"] == "Zeta Twins"]
    assert len(twins) == len(set(twins)) == 2


def test_a_name_twice_without_same_name_is_still_refused(tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text("console:\n  companies:\n    - name: A\n    - name: A\n", encoding="utf-8")
    with pytest.raises(UserError) as raised:
        load_seed(str(seed))
    assert "console company 'A' appears twice" in str(raised.value.findings[0].message)


@pytest.mark.parametrize(
    ("refusal", "message"),
    [("ip-restricted", "IP address"), ("api-disabled", "API access is disabled")],
)
def test_a_refused_login_is_a_403(tmp_path: Path, refusal: str, message: str) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(f"console:\n  login_refusal: {refusal}\n", encoding="utf-8")
    sandbox = Sandbox(load_seed(str(seed)))
    with mbs_client(sandbox, login=False) as client:
        answer = client.post("/api/Provider/Login", json={"UserName": "demo@cwbill.example", "Password": "x"})
    assert answer.status_code == 403 and message in answer.json()["Message"]
