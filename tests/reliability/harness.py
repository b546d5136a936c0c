"""Driving apply to convergence under faults, and the invariants every run must end with.

`Bench` holds one world: a `LedgerSandbox` with a workload's ConnectWise state, the billing
repository on disk and one journal for all its runs. `converge` runs apply (plan → execute, the
path `cwbill apply --yes --force` takes) again while it ends with exit 3 (some writes failed) or with
the exit 1 of a ConnectWise that did not answer (nothing written), as a CI retry would. Then
`check` proves: ConnectWise holds exactly the lines of a fault-free reference run, no natural key has
two of cwbill's lines, every unmarked addition is byte-for-byte as before, and the journal and the
sandbox's ledger of committed writes tell the same story.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx

from reconciler.connectwise.client import ConnectWiseClient
from reconciler.errors import UserError
from reconciler.httpclient import RetryPolicy
from reconciler.plan.marker import parse_marker
from reconciler.plan.model import Plan, Selection
from reconciler.reconcile.inputs import load_checked_repository
from reconciler.reconcile.run import RunOptions, connect, make_plan
from reconciler.reconcile.writes import execute
from reconciler.sandbox.state import Store
from tests.reliability.world import AS_OF, LedgerSandbox, Workload, Write, unmarked

MAX_RUNS = 8
NO_FAULTS: dict[str, object] = {
    "latency": 0.0,
    "rate_limit": 0.0,
    "server_error": 0.0,
    "lost_response": 0.0,
    "slow": 0.0,
    "reset": 0.0,
    "queue": [],
    "methods": [],
}
VERBS = {"created": "POST", "recovered": "POST", "landed": "POST", "updated": "PATCH", "deleted": "DELETE"}
SUCCESS_EVENTS = frozenset(VERBS)
Line = tuple[object, ...]


@dataclass
class Outcome:
    """How one case went: exit codes of its runs, what the sandbox injected, what was found."""

    codes: list[int] = field(default_factory=list)
    faults: dict[str, int] = field(default_factory=dict)
    writes: int = 0  # writes the sandbox committed
    retries: int = 0  # requests the client retried
    waited: float = 0.0  # seconds of back-off and Retry-After the client would have slept
    duplicates: int = 0
    missing: int = 0
    extra: int = 0

    @property
    def runs(self) -> int:
        return len(self.codes)


class Bench:
    def __init__(self, workload: Workload, root: Path, *, sandbox_sleep: Callable[[float], None]) -> None:
        self.sandbox = LedgerSandbox(workload.build_store(), sleep=sandbox_sleep)
        self.billing = workload.write_billing(root / "billing")
        self.journal = root / "journal.jsonl"
        self.before_unmarked = unmarked(self.sandbox.store)
        self.outcome = Outcome()
        self._rng = random.Random(0)  # reproducible back-off jitter

    def policy(self, timeout: float = 30.0) -> RetryPolicy:
        def sleep(seconds: float) -> None:
            self.outcome.waited += seconds

        return RetryPolicy(timeout=timeout, sleep=sleep, rng=self._rng)

    def client(
        self,
        *,
        concurrency: int = 1,
        transport: httpx.BaseTransport | None = None,
        over_http: bool = False,
        policy: RetryPolicy | None = None,
    ) -> ConnectWiseClient:
        """A client as `cwbill apply` builds it: in process (or through `transport`), or over HTTP
        to the served sandbox at CW_URL."""
        repository, _ = load_checked_repository(self.billing)
        if transport is None and not over_http:
            transport = self.sandbox.transport()
        return connect(repository, transport, concurrency=concurrency, policy=policy or self.policy())

    def plan(self, client: ConnectWiseClient) -> Plan:
        repository, _ = load_checked_repository(self.billing)
        selection = Selection(as_of=dt.date.fromisoformat(AS_OF))
        options = RunOptions(self.billing, None, selection, client.concurrency)
        return make_plan(options, repository, client).plan

    def apply_once(self, **kwargs: object) -> int:
        """One `cwbill apply --yes --force`: its exit code (0, 1 when ConnectWise did not answer, 3).

        In process by default; `over_http=True` talks to the served sandbox at CW_URL instead."""
        client = self.client(**kwargs)  # type: ignore[arg-type]  # the client's keywords
        try:
            try:
                plan = self.plan(client)
            except UserError as problem:
                assert "ConnectWise" in problem.message, problem.message  # only an outage is retried
                return 1
            if not plan.summary.has_changes:
                return 0
            report = execute(plan, client, self.journal)
            return 3 if report.failures else 0
        finally:
            self.outcome.retries += client.retries
            client.http.close()

    def converge(self, **kwargs: object) -> Outcome:
        """Apply until a run exits 0 (at most MAX_RUNS)."""
        while self.outcome.runs < MAX_RUNS:
            code = self.apply_once(**kwargs)  # type: ignore[arg-type]  # apply_once's keywords
            self.outcome.codes.append(code)
            if code == 0:
                break
        self.outcome.faults = dict(self.sandbox.faults.injected)
        self.outcome.writes = len(self.sandbox.writes())
        return self.outcome

    def quiet(self) -> None:
        self.sandbox.faults.update(NO_FAULTS)


def billed_lines(store: Store) -> Counter[Line]:
    """Every addition as the fields that bill (ids and timestamps left out), with multiplicity."""
    lines: Counter[Line] = Counter()
    for record in store.additions.values():
        product = record["product"]
        assert isinstance(product, dict)
        lines[
            (
                record["agreementId"],
                product["id"],
                record.get("effectiveDate"),
                record.get("cancelledDate"),
                record.get("serialNumber"),
                _number(record.get("quantity")),
                _number(record.get("unitPrice")),
                _number(record.get("unitCost")),
                record.get("billCustomer"),
                record.get("invoiceDescription"),
            )
        ] += 1
    return lines


def _number(value: object) -> str | None:
    return None if value is None else format(Decimal(str(value)).normalize(), "f")


def duplicates(store: Store) -> int:
    """cwbill lines beyond the first on one (agreement, product, period, configuration)."""
    keys: Counter[tuple[object, ...]] = Counter()
    for record in store.additions.values():
        serial = record.get("serialNumber")
        marker = parse_marker(serial if isinstance(serial, str) else None)
        if marker is not None:
            product = record["product"]
            assert isinstance(product, dict)
            period = str(record.get("effectiveDate"))[:7]
            keys[(record["agreementId"], product["id"], period, marker.configuration)] += 1
    return sum(count - 1 for count in keys.values())


def check(bench: Bench, reference: Counter[Line]) -> None:
    """The invariants of a converged world (see the module docstring); fills the outcome's counts."""
    store = bench.sandbox.store
    final = billed_lines(store)
    bench.outcome.duplicates = duplicates(store)
    bench.outcome.missing = sum((reference - final).values())
    bench.outcome.extra = sum((final - reference).values())
    assert bench.outcome.duplicates == 0, "a natural key holds two of cwbill's lines"
    assert final == reference, f"missing {reference - final}, extra {final - reference}"
    assert unmarked(store) == bench.before_unmarked, "an unmarked addition was changed"
    check_journal(bench.journal, bench.sandbox.writes())


def journal_entries(path: Path) -> list[dict[str, object]]:
    """The journal's entries. A line torn by a kill is skipped, but it must stand alone (the next run
    starts a fresh line): a torn line glued to the next entry would not parse and ends with `}`."""
    if not path.exists():
        return []
    entries: list[dict[str, object]] = []
    for line in path.read_bytes().splitlines():
        try:
            entries.append(json.loads(line, parse_float=Decimal))
        except ValueError:
            assert line.startswith(b"{") and not line.endswith(b"}"), f"a corrupt journal line: {line!r}"
    return entries


def _create_key(agreement_id: object, body: object) -> tuple[object, ...]:
    assert isinstance(body, dict)
    product = body.get("product")
    assert isinstance(product, dict)
    return (agreement_id, product.get("id"), str(body.get("effectiveDate"))[:10], body.get("serialNumber"))


def check_journal(path: Path, ledger: list[Write], *, crashed: bool = False) -> list[int]:
    """Every committed write is in the journal, and every success the journal claims was committed.

    A POST whose answer was lost is named by its id once cwbill found the line (recovered, landed,
    or deleted as a duplicate); an idempotent PATCH or DELETE that the HTTP layer re-sent may commit
    twice for one `sending` entry, so those are matched by target, not counted. A run killed between
    a POST and its answer cannot name the id it never heard (`crashed`): those ids are returned.
    """
    entries = journal_entries(path)
    sent_creates = Counter(
        _create_key(e["agreement_id"], e["sent"])
        for e in entries
        if e["action"] == "create" and e["event"] == "sending"
    )
    committed_creates = Counter(_create_key(w.agreement_id, w.body) for w in ledger if w.method == "POST")
    assert not committed_creates - sent_creates, "a committed POST has no `sending` entry in the journal"
    named = {e["addition_id"] for e in entries if e["addition_id"] is not None}
    unnamed = [w.addition_id for w in ledger if w.method == "POST" and w.addition_id not in named]
    assert crashed or not unnamed, f"created additions the journal never names: {unnamed}"
    for method, action in (("PATCH", "update"), ("DELETE", "delete")):
        targets = {e["addition_id"] for e in entries if e["action"] == action and e["event"] == "sending"}
        written = {w.addition_id for w in ledger if w.method == method}
        assert written <= targets, f"{method} of {sorted(written - targets)} is not in the journal"
    committed = {(w.method, w.addition_id) for w in ledger}
    for entry in entries:
        if entry["event"] in SUCCESS_EVENTS:
            claim = (VERBS[str(entry["event"])], entry["addition_id"])
            assert claim in committed, f"the journal claims {claim} but ConnectWise never committed it"
    return unnamed
