"""The console client against the sandbox's Management Console, in process (SandboxTransport).

The seed is written in the seed-file format of sandbox-seed.md (a contract), from the committed
usage snapshots of the example repository, so the round trip usage file → console → `fetch_usage`
must give the same usage back (licenses and limits being the console's *latest* month).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import httpx
import pytest

from reconciler.config.load import load_repository
from reconciler.config.model import Repository
from reconciler.engine.periods import Period
from reconciler.httpclient import RetryPolicy
from reconciler.sandbox import DEMO_CREDENTIALS, FaultSettings, Sandbox
from reconciler.usage.console import fetch_usage
from reconciler.usage.model import Source, Usage, UsageRecord
from reconciler.usage.snapshot import load_usage
from tests.conftest import EXAMPLE_BILLING
from tests.usage.sandbox_seed import sandbox_for

OCT, NOV = Period(2026, 10), Period(2026, 11)
USERNAME, PASSWORD = DEMO_CREDENTIALS["MBS_USERNAME"], DEMO_CREDENTIALS["MBS_PASSWORD"]


@pytest.fixture(scope="module")
def example() -> tuple[Repository, Usage]:
    repository, _ = load_repository(EXAMPLE_BILLING)
    assert repository is not None
    usage, findings = load_usage(EXAMPLE_BILLING / "usage", repository)
    assert usage is not None, findings
    return repository, usage


def _fetch(sandbox: Sandbox, repository: Repository, *periods: Period) -> tuple[Usage, list[str]]:
    policy = RetryPolicy(attempts=6, sleep=lambda _: None)
    with httpx.Client(transport=sandbox.transport(), base_url="http://127.0.0.1:1") as client:
        usage, warnings = fetch_usage(client, repository, periods, USERNAME, PASSWORD, policy)
    return usage, [w.code for w in warnings]


def _month(usage: Usage, period: Period) -> dict[tuple[str, Period], UsageRecord]:
    """The figures of `period`: the records without where, when and how they were read."""
    return {
        k: dataclasses.replace(r, provenance=None, notes=())
        for k, r in usage.records.items()
        if k[1] == period
    }


def test_one_seeded_month_comes_back_exactly(example: tuple[Repository, Usage], tmp_path: Path) -> None:
    repository, committed = example
    october = [r for r in committed.records.values() if r.period == OCT]
    sandbox = sandbox_for(october, repository, tmp_path)
    pulled, warnings = _fetch(sandbox, repository, OCT)
    assert warnings == []
    assert _month(pulled, OCT) == _month(committed, OCT)
    assert {r.provenance.source for r in pulled.records.values() if r.provenance} == {Source.CONSOLE_API}


def test_licenses_and_limits_are_the_latest_month(example: tuple[Repository, Usage], tmp_path: Path) -> None:
    # The console keeps no license history: pulled in November, October shows November's licenses.
    repository, committed = example
    sandbox = sandbox_for(committed.records.values(), repository, tmp_path)
    pulled, _ = _fetch(sandbox, repository, OCT, NOV)
    assert _month(pulled, NOV) == _month(committed, NOV)
    for (company, _), record in _month(pulled, OCT).items():
        november = committed.of(company, NOV)
        october = committed.of(company, OCT)
        assert november is not None and october is not None
        assert record.licenses == november.licenses
        assert {k: a.stored for k, a in record.storage.items()} == {
            k: a.stored for k, a in october.storage.items()
        }


def test_console_faults_are_retried(example: tuple[Repository, Usage], tmp_path: Path) -> None:
    repository, committed = example
    october = [r for r in committed.records.values() if r.period == OCT]
    store = sandbox_for(october, repository, tmp_path).store
    faults = FaultSettings(seed=7, rate_limit=0.2, server_error=0.2, include_mbs=True, retry_after=0)
    sandbox = Sandbox(store, faults=faults)
    pulled, _ = _fetch(sandbox, repository, OCT)
    assert _month(pulled, OCT) == _month(committed, OCT)
    # 1 login + 5 lists + 5 companies' Billing/Details + 1 Billing = 12 requests without faults
    total = sandbox.counters.to_json()["total"]
    assert isinstance(total, int) and total > 12
