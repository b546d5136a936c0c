"""The sandbox and cwbill's client against ConnectWise's own OpenAPI spec, exchange by exchange.

Two exchange sets: everything a full plan + apply + plan of the demo repository sends and receives
(in process, through a recording transport), and direct probes of each operation the sandbox serves
(list, count, get by id, create, patch, put, delete, and its error answers). Every exchange is
checked (`conformance.check_exchange`); the expected number of violations is zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from reconciler.plan.model import Selection
from reconciler.reconcile.inputs import load_checked_repository
from reconciler.reconcile.run import RunOptions, connect, make_plan
from reconciler.reconcile.writes import execute
from reconciler.sandbox import API_PATH, DEMO_CREDENTIALS, Sandbox
from reconciler.sandbox.seeds import load_seed
from tests.conftest import PROJECT
from tests.openapi.conformance import Exchange, RecordingTransport, check_all, check_exchange
from tests.sandbox.helpers import cw_headers

AS_OF = dt.date(2026, 11, 2)  # the demo seed's day (tests/reconcile)
IN_PROCESS = "http://127.0.0.1"  # loopback, so the client takes plain http; nothing listens there


def demo_exchanges(billing: Path) -> list[Exchange]:
    """Every ConnectWise exchange of plan, apply (with its verification) and a second plan
    (the environment holds the demo credentials and the in-process CW_URL)."""
    sandbox = Sandbox(load_seed("demo"))
    recording = RecordingTransport(sandbox.transport())
    repository, _ = load_checked_repository(billing)
    client = connect(repository, recording, concurrency=1)
    options = RunOptions(billing, None, Selection(as_of=AS_OF), client.concurrency)
    plan = make_plan(options, repository, client, sandbox.transport()).plan
    report = execute(plan, client, None)
    assert report.failures == ()
    assert not make_plan(options, repository, client, sandbox.transport()).plan.summary.has_changes
    return recording.exchanges


@pytest.fixture
def demo_run(billing_copy: Path, monkeypatch: pytest.MonkeyPatch) -> list[Exchange]:
    for name, value in DEMO_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CW_URL", IN_PROCESS + API_PATH)
    monkeypatch.setenv("MBS_URL", IN_PROCESS)
    return demo_exchanges(billing_copy)


def test_a_full_plan_and_apply_conforms_to_the_spec(demo_run: list[Exchange]) -> None:
    methods = {exchange.method for exchange in demo_run}
    assert methods == {"GET", "POST", "PATCH", "DELETE"}, "the run writes every kind of change"
    violations = check_all(demo_run)
    assert [str(v) for v in violations] == []


# ------------------------------------------------------------------------------------ direct probes


@dataclass(frozen=True, slots=True)
class Probe:
    method: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    body: object = None
    status: int = 200
    bad_request: bool = False  # the request is wrong on purpose: only the answer is checked


LINE = {
    "product": {"id": 1},
    "billCustomer": "Billable",
    "quantity": 3,
    "unitPrice": 15.00,
    "effectiveDate": "2026-12-01T00:00:00Z",
    "cancelledDate": "2026-12-31T00:00:00Z",
    "serialNumber": "probe",
}
PROBES: dict[str, Probe] = {
    "companies are listed": Probe("GET", "/company/companies", (("pageSize", "1000"),)),
    "a company is read by id": Probe("GET", "/company/companies/1"),
    "agreements are listed": Probe(
        "GET", "/finance/agreements", (("conditions", 'company/identifier="ACME"'),)
    ),
    "an agreement is read by id": Probe("GET", "/finance/agreements/1"),
    "additions are listed": Probe("GET", "/finance/agreements/1/additions", (("orderBy", "id desc"),)),
    "additions are counted": Probe("GET", "/finance/agreements/1/additions/count"),
    "an addition is read by id": Probe("GET", "/finance/agreements/1/additions/1"),
    "a projection keeps to the schema": Probe(
        "GET", "/finance/agreements/1/additions", (("fields", "id,product"),)
    ),
    "the catalog is listed": Probe("GET", "/procurement/catalog", (("page", "1"), ("pageSize", "2"))),
    "a catalog item is read by id": Probe("GET", "/procurement/catalog/1"),
    "an addition is created": Probe("POST", "/finance/agreements/1/additions", body=LINE, status=201),
    "an addition is patched": Probe(
        "PATCH",
        "/finance/agreements/1/additions/1",
        body=[{"op": "replace", "path": "quantity", "value": 4.50}],
    ),
    "an addition is replaced": Probe("PUT", "/finance/agreements/1/additions/1", body=LINE),
    "an addition is deleted": Probe("DELETE", "/finance/agreements/1/additions/2", status=204),
    "a company is created": Probe(
        "POST",
        "/company/companies",
        body={"identifier": "PROBE", "name": "Probe Ltd", "city": "Leeds"},
        status=201,
    ),
    "an agreement is created": Probe(
        "POST",
        "/finance/agreements",
        body={"name": "Probe", "type": {"id": 1}, "company": {"id": 1}, "contact": {"id": 1}},
        status=201,
    ),
    "a catalog item is created": Probe(
        "POST",
        "/procurement/catalog",
        body={
            "identifier": "PROBE-1",
            "description": "Probe",
            "customerDescription": "Probe item",
            "subcategory": {"id": 1},
            "type": {"id": 1},
            "price": 1.25,
        },
        status=201,
    ),
    "an unknown record is a 404": Probe("GET", "/finance/agreements/999", status=404),
    "an unknown parent is a 404": Probe("GET", "/finance/agreements/999/additions", status=404),
    "a bad condition is a 400": Probe(
        "GET", "/procurement/catalog", (("conditions", "identifier="),), status=400
    ),
    "an invalid addition is a 400": Probe(
        "POST",
        "/finance/agreements/1/additions",
        body={**LINE, "serialNumber": "x" * 51, "billCustomer": "Sometimes"},
        status=400,
        bad_request=True,
    ),
    "a value of the wrong type is a 400": Probe(
        "POST",
        "/finance/agreements/1/additions",
        body={**LINE, "quantity": "three"},
        status=400,
        bad_request=True,
    ),
    "an unsupported method is a 405": Probe("DELETE", "/company/companies/1", status=405),
}


@pytest.fixture
def probe_client() -> Iterator[tuple[httpx.Client, RecordingTransport]]:
    sandbox = Sandbox(load_seed("demo"))
    recording = RecordingTransport(sandbox.transport())
    with httpx.Client(transport=recording, base_url=IN_PROCESS + API_PATH, headers=cw_headers()) as client:
        yield client, recording


@pytest.mark.parametrize("probe", PROBES.values(), ids=PROBES.keys())
def test_each_operation_answers_as_the_spec_says(
    probe: Probe, probe_client: tuple[httpx.Client, RecordingTransport]
) -> None:
    client, recording = probe_client
    response = client.request(probe.method, probe.path, params=probe.params, json=probe.body)
    assert response.status_code == probe.status, response.text
    (exchange,) = recording.exchanges
    violations = check_exchange(exchange)
    if probe.bad_request:
        violations = [v for v in violations if v.where != "request"]
    assert [str(v) for v in violations] == []


def test_an_unauthenticated_request_gets_an_error_body_of_the_spec() -> None:
    recording = RecordingTransport(Sandbox(load_seed("demo")).transport())
    with httpx.Client(transport=recording, base_url=IN_PROCESS + API_PATH) as client:
        assert client.get("/company/companies").status_code == 401
    assert [str(v) for v in check_all(recording.exchanges)] == []


CASSETTES = (
    PROJECT / "tests" / "connectwise" / "cassettes" / "client_reads_and_writes.yaml",
    PROJECT / "tests" / "sandbox" / "cassettes" / "demo_read_and_write.yaml",
)


def _recorded(cassette: Path) -> list[Exchange]:
    def raw(body: object) -> bytes:
        return body.encode() if isinstance(body, str) else b""  # vcrpy writes bodies as text, or null

    interactions = yaml.safe_load(cassette.read_text(encoding="utf-8"))["interactions"]
    return [
        Exchange(
            i["request"]["method"],
            i["request"]["uri"],
            raw(i["request"]["body"]),
            i["response"]["status"]["code"],
            raw(i["response"]["body"]["string"]),
        )
        for i in interactions
    ]


@pytest.mark.parametrize("cassette", CASSETTES, ids=[c.parent.parent.name for c in CASSETTES])
def test_the_committed_cassettes_conform_too(cassette: Path) -> None:
    exchanges = _recorded(cassette)
    assert exchanges, "a cassette with interactions"
    assert [str(v) for v in check_all(exchanges)] == []
