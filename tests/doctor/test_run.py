"""`cwbill doctor` end to end against the served demo sandbox: the example repository is healthy,
and each broken repository (or ConnectWise, or console) fails its own check, naming the file and
line or the live record concerned — while the sandbox's counters show that nothing was written."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from reconciler.sandbox import API_PATH
from tests.conftest import edit
from tests.doctor.conftest import Clinic

EVERY_CHECK = [
    "repository",
    "connectwise-url",
    "connectwise-codebase",
    "connectwise-auth",
    "read-companies",
    "read-agreements",
    "read-catalog",
    "read-additions",
    "write-additions",
    "companies",
    "catalog",
    "agreements",
    "billing-periods",
    "unowned-conflict",
    "record-shape",
    "console-login",
    "console-products",
]


def test_the_example_repository_against_the_demo_is_ready_with_every_check_listed(clinic: Clinic) -> None:
    code, checks = clinic.doctor_json()
    assert code == 0
    assert list(checks) == EVERY_CHECK
    warned = {name for name, check in checks.items() if check["status"] == "warn"}
    # the price-less MBS-SQL, the write permission, DELTA's October, addition #3 of the demo seed
    assert warned == {"repository", "write-additions", "billing-periods", "unowned-conflict"}
    assert all(checks[name]["status"] == "ok" for name in EVERY_CHECK if name not in warned)
    conflicts = checks["unowned-conflict"]
    assert conflicts["records"][0] == "ACME: 1 conflict; `--adopt` would adopt 1"
    assert "addition #3 on agreement 1 bills MBS-DESKTOP for 2026-11" in str(conflicts["records"][1])
    assert "cannot be verified without writing" in str(checks["write-additions"]["summary"])
    assert clinic.writes() == 0
    assert all(route.startswith("GET ") for route in clinic.connectwise_requests())


def test_the_text_checklist_marks_each_check_and_sums_up_on_stderr(clinic: Clinic) -> None:
    result = clinic.doctor()
    assert result.code == 0
    lines = [line for line in result.out.splitlines() if not line.startswith("    ")]
    assert len(lines) == len(EVERY_CHECK)
    assert {line[0] for line in lines} == {"✔", "!"}
    assert "\n    billing/companies/delta.yaml:6:16: configurations[0].agreement: warning:" in result.out
    assert result.err.strip() == "doctor: ready (13 ok, 4 warnings, 0 failed, 0 skipped)"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _insert_agreement_like(clinic: Clinic, agreement_id: int) -> None:
    original = clinic.sandbox.store.agreements[agreement_id]
    clinic.sandbox.store.insert("agreements", {k: v for k, v in original.items() if k not in ("id", "_info")})


@dataclass(frozen=True, slots=True)
class Broken:
    code: str  # the check that must fail
    named: str  # what its findings or records must name (file:line, or the live record)
    make: Callable[[Clinic], object]


BROKEN = {
    "the repository is not valid": Broken(
        "repository", "billing/companies/acme.yaml:10:11: configurations[0].send",
        lambda c: edit(c.billing / "companies/acme.yaml", "send: average", "send: sometimes"),
    ),
    "a ConnectWise credential is not set": Broken(
        "connectwise-auth", "not set: CW_PRIVATE_KEY",
        lambda c: c.monkeypatch.delenv("CW_PRIVATE_KEY"),
    ),
    "the ConnectWise URL does not answer": Broken(
        "connectwise-url",
        "no answer from http://127.0.0.1:",
        lambda c: c.monkeypatch.setenv("CW_URL", f"http://127.0.0.1:{_closed_port()}{API_PATH}"),
    ),
    "the company id is unknown to codebase discovery": Broken(
        "connectwise-codebase", "ConnectWise knows no company 'nobody'",
        lambda c: c.monkeypatch.setenv("CW_COMPANY_ID", "nobody"),
    ),
    "the API member's key is wrong": Broken(
        "connectwise-auth", "rejected the credentials (401",
        lambda c: c.monkeypatch.setenv("CW_PRIVATE_KEY", "not-the-key"),
    ),
    "the member may not read companies": Broken(
        "read-companies", "Inquire on Companies › Company Maintenance",
        lambda c: c.sandbox.faults.update({"forbidden": ["GET /company/companies"]}),
    ),
    "the member may not read agreements": Broken(
        "read-agreements", "Inquire on Finance › Agreements",
        lambda c: c.sandbox.faults.update({"forbidden": ["GET /finance/agreements"]}),
    ),
    "the member may not read the catalog": Broken(
        "read-catalog", "Inquire on Procurement › Product Catalog",
        lambda c: c.sandbox.faults.update({"forbidden": ["GET /procurement/catalog"]}),
    ),
    "the member may not read additions": Broken(
        "read-additions", "refused (403: You do not have security permission",
        lambda c: c.sandbox.faults.update({"forbidden": ["GET /finance/agreements/{id}/additions"]}),
    ),
    "a company file names a company ConnectWise lacks": Broken(
        "companies", "billing/companies/acme.yaml:2:",
        lambda c: edit(c.billing / "companies/acme.yaml", "company: ACME ", "company: ACMEX "),
    ),
    "products.yaml names a catalog item ConnectWise lacks": Broken(
        "catalog",
        "billing/products.yaml:19:18: products.desktop.connectwise: catalog item 'MBS-NOPE' not found",
        lambda c: edit(c.billing / "products.yaml", "connectwise: MBS-DESKTOP", "connectwise: MBS-NOPE"),
    ),
    "a catalog item is inactive": Broken(
        "catalog", "products.sql.connectwise: catalog item 'MBS-SQL' (id 3) is inactive",
        lambda c: c.sandbox.store.catalog[3].update(inactiveFlag=True),
    ),
    "an agreement name matches no agreement": Broken(
        "agreements",
        "billing/companies/gamma.yaml:6:16: configurations[0].agreement: agreement 'Managed Backup' not",
        lambda c: edit(c.billing / "companies/gamma.yaml", "Managed Backup Service", "Managed Backup"),
    ),
    "an agreement name is ambiguous": Broken(
        "agreements", "is ambiguous on company GAMMA: ids 3, 6",
        lambda c: _insert_agreement_like(c, 3),
    ),
    "an agreement is cancelled, so no period in scope can be billed": Broken(
        "billing-periods",
        "billing/companies/beta.yaml:6:16: configurations[0].agreement: all-in-one bills nothing",
        lambda c: c.sandbox.store.agreements[2].update(cancelledFlag=True),
    ),
    "a record lacks a field cwbill relies on": Broken(
        "record-shape",
        "addition _info has no lastUpdated (cwbill's only concurrency token) (1 record: id 7)",
        lambda c: c.sandbox.store.additions[7].update(_info={}),
    ),
    "the console refuses the login": Broken(
        "console-login", "the Management Console refused the login",
        lambda c: c.monkeypatch.setenv("MBS_PASSWORD", "not-the-password"),
    ),
    "a storage account a billed company uses is mapped by no product": Broken(
        "console-products", "storage account 'Wasabi'",
        lambda c: edit(c.billing / "products.yaml", "console: Wasabi ", "console: Wasabi Hot "),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", BROKEN.values(), ids=BROKEN.keys())
def test_each_broken_case_fails_its_check_naming_what_is_wrong_and_writes_nothing(
    clinic: Clinic, case: Broken
) -> None:
    case.make(clinic)
    code, checks = clinic.doctor_json()
    assert code == 1
    assert list(checks) == EVERY_CHECK  # every check is still listed, ✘ or skipped
    check = checks[case.code]
    assert check["status"] == "fail", check
    shown = [str(check["summary"]), str(check["fix"]), *map(str, check["records"])]
    shown += [f"{f['file']}:{f['line']}:{f['col']}: {f['path']}: {f['message']}" for f in check["findings"]]  # type: ignore[index, union-attr]
    assert any(case.named in line for line in shown), shown
    assert clinic.writes() == 0
    assert all(route.startswith("GET ") for route in clinic.connectwise_requests())


def test_an_unmarked_line_beside_cwbills_own_is_counted_but_not_adoptable(clinic: Clinic) -> None:
    """GAMMA's October MBS-SERVER line is cwbill's (#7); a hand-made twin bills the client twice,
    and `--adopt` cannot resolve it (there is nothing left to adopt it for)."""
    twin = {k: v for k, v in clinic.sandbox.store.additions[7].items() if k not in ("id", "_info")}
    clinic.sandbox.store.insert("additions", {**twin, "serialNumber": None})
    clinic.sandbox.counters.reset()
    code, checks = clinic.doctor_json()
    assert code == 0  # plan goes on (it creates nothing that bills twice): a warning, as in plan
    records = [str(line) for line in checks["unowned-conflict"]["records"]]  # type: ignore[attr-defined]
    assert "ACME: 1 conflict; `--adopt` would adopt 1" in records
    assert "GAMMA: 1 conflict; `--adopt` would adopt 0" in records
    assert any("addition #10 on agreement 3" in line and "beside cwbill's #7" in line for line in records)
    assert clinic.writes() == 0
