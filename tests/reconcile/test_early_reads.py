"""A plan's first reads start while the repository loads (reconcile/early.py): the same plan, the
same requests, sent earlier; a repository that fails its checks leaves nothing behind."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import httpx
import pytest

from reconciler.config.model import Company
from reconciler.connectwise import client as cw_client
from reconciler.errors import UserError
from reconciler.plan.model import Selection
from reconciler.reconcile.early import EarlyReads
from reconciler.reconcile.inputs import load_checked_repository
from reconciler.reconcile.run import PlanRun, RunOptions, connect, make_plan
from reconciler.sandbox import API_PATH, DEMO_CREDENTIALS, Sandbox
from tests.reliability.world import Workload, generated_workload

AS_OF = dt.date(2026, 11, 2)
AGREEMENTS = "/finance/agreements"


class Recording(httpx.BaseTransport):
    """The sandbox in process, with every request's path and conditions kept in order."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._inner = sandbox.transport()
        self.sent: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix(API_PATH)
        with self._lock:
            self.sent.append((path, request.url.params.get("conditions", "")))
        return self._inner.handle_request(request)

    def paths(self, prefix: str = "") -> list[str]:
        return [path for path, _ in self.sent if path.startswith(prefix)]

    def chunks(self) -> list[str]:
        """The conditions of the agreements reads (`company/identifier in (…)`) sent so far."""
        with self._lock:
            return [conditions for path, conditions in self.sent if path == AGREEMENTS]


@pytest.fixture
def workload(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Workload, Path]:
    for name, value in DEMO_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CW_URL", "http://127.0.0.1" + API_PATH)  # in process: nothing listens there
    monkeypatch.setenv("MBS_URL", "http://127.0.0.1")
    world = generated_workload(companies=40, seed=11)  # conflicts, duplicates, orphans, drift
    return world, world.write_billing(tmp_path / "billing")


def _plan(root: Path, sandbox: Sandbox, selection: Selection, *, early: bool) -> tuple[PlanRun, Recording]:
    transport = Recording(sandbox)
    options = RunOptions(root, None, selection, 4, review=True)
    with EarlyReads(selection, 4, transport) as reads:
        observer = reads if early else None
        repository, _ = load_checked_repository(root, observer=observer)
        client = reads.client if early and reads.client else connect(repository, transport, concurrency=4)
        try:
            run = make_plan(options, repository, client, sandbox.transport(), early=reads if early else None)
        finally:
            client.http.close()
    return run, transport


def test_the_early_reads_make_the_same_plan_with_the_same_requests(
    workload: tuple[Workload, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    world, root = workload
    monkeypatch.setattr(cw_client, "MAX_CONDITIONS_CHARS", 120)  # several agreement chunks for 40 companies
    selection = Selection(as_of=AS_OF)
    late, late_sent = _plan(root, Sandbox(world.build_store()), selection, early=False)
    early, early_sent = _plan(root, Sandbox(world.build_store()), selection, early=True)
    assert early.plan == late.plan
    assert early.review == late.review
    assert early.plan.summary.has_changes  # the world gives the plan work of every kind
    # one read per agreement, chunks of companies, one catalog read: the same requests, in another order
    assert len(early_sent.paths(AGREEMENTS + "/")) == 40  # the generator gives each company one agreement
    assert sorted(path for path, _ in early_sent.sent if "/additions" in path) == sorted(
        path for path, _ in late_sent.sent if "/additions" in path
    )
    assert len(early_sent.paths("/procurement/catalog")) == 1
    chunks = [c for p, c in early_sent.sent if p == AGREEMENTS]
    assert len(chunks) > 2
    inside = (c.removeprefix("company/identifier in (").rstrip(")") for c in chunks)
    named = sorted(i for listed in inside for i in listed.split(","))
    assert named == sorted(f'"C{n:05d}"' for n in range(1, 41))  # every company once


def test_agreement_chunks_are_sent_while_the_repository_loads(
    workload: tuple[Workload, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    world, root = workload
    monkeypatch.setattr(cw_client, "MAX_CONDITIONS_CHARS", 120)
    transport = Recording(Sandbox(world.build_store()))
    identifiers = [f"C{n:05d}" for n in range(1, 41)]  # the files' order
    chunks = list(cw_client.in_chunks("company/identifier", identifiers))
    assert len(chunks) >= 3
    seen_in_load: list[list[str]] = []

    class Watching(EarlyReads):
        def company(self, company: Company) -> None:
            super().company(company)
            if company.identifier == identifiers[-1]:  # the load's last file: it has not returned yet
                deadline = time.monotonic() + 10
                while len(transport.chunks()) < len(chunks) - 1 and time.monotonic() < deadline:
                    time.sleep(0.005)
                seen_in_load.append(sorted(c for p, c in transport.sent if p == AGREEMENTS))

    with Watching(Selection(as_of=AS_OF), 4, transport) as reads:
        load_checked_repository(root, observer=reads)
    # each full chunk went out while the load was still going; the last one waits to be asked for
    assert seen_in_load == [sorted(chunks[:-1])]
    assert sorted(c for p, c in transport.sent if p == AGREEMENTS) == sorted(chunks[:-1])


def test_a_repository_that_fails_its_checks_leaves_no_read_behind(
    workload: tuple[Workload, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    world, root = workload
    monkeypatch.setattr(cw_client, "MAX_CONDITIONS_CHARS", 120)
    broken = "company: C00040\nconfigurations: nope\n"  # a schema error
    (root / "companies" / "c00040.yaml").write_text(broken, encoding="utf-8")
    transport = Recording(Sandbox(world.build_store()))
    before = threading.active_count()
    with pytest.raises(UserError) as failed, EarlyReads(Selection(as_of=AS_OF), 4, transport) as reads:
        load_checked_repository(root, observer=reads)
    assert any("c00040.yaml" in finding.render() for finding in failed.value.findings)
    assert threading.active_count() == before  # every reader thread has ended: nothing more is sent
    assert transport.chunks()  # the load did send reads before its checks failed


def test_a_company_selection_reads_only_those_companies(workload: tuple[Workload, Path]) -> None:
    world, root = workload
    selection = Selection(as_of=AS_OF, companies=("C00007",))
    run, sent = _plan(root, Sandbox(world.build_store()), selection, early=True)
    late, _ = _plan(root, Sandbox(world.build_store()), selection, early=False)
    assert run.plan == late.plan
    assert [c for p, c in sent.sent if p == AGREEMENTS] == ['company/identifier in ("C00007")']
    assert {c.company for c in run.plan.changes} <= {"C00007"}


def test_without_credentials_nothing_is_read_early_and_the_plan_says_what_is_missing(
    workload: tuple[Workload, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    world, root = workload
    monkeypatch.delenv("CW_PRIVATE_KEY")
    transport = Recording(Sandbox(world.build_store()))
    with EarlyReads(Selection(as_of=AS_OF), 4, transport) as reads:
        repository, _ = load_checked_repository(root, observer=reads)
        assert reads.client is None
        with pytest.raises(UserError, match="CW_PRIVATE_KEY"):
            connect(repository, transport)
    assert transport.sent == []
