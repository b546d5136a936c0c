"""Worlds for the reliability suite: a sandbox that keeps a ledger of every committed write, and a
ConnectWise state with work of every kind for apply (creates, drift updates, duplicates, orphans)
plus hand-made lines that apply must leave exactly as they are.

The generated world starts from the benchmark generator (every line right), writes usage files
that reproduce it, then spoils it with a seeded random generator. Both the world and the spoiling
are deterministic, so a fault-free reference run on a fresh copy gives the state every faulted run
must end in.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from reconciler.engine.periods import Period
from reconciler.plan.marker import parse_marker
from reconciler.sandbox import Sandbox
from reconciler.sandbox.generator import PRODUCTS, GeneratorSpec, billing_files, generate
from reconciler.sandbox.seeds import load_seed
from reconciler.sandbox.state import Record, Store
from reconciler.sandbox.wire import Exchange, Request

AS_OF = "2026-11-02"  # manual configurations: October and November are in scope
EXAMPLE_BILLING = Path(__file__).resolve().parents[2] / "billing"
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class Write:
    """A ConnectWise write the sandbox committed (answered 2xx), whether or not the client heard it."""

    method: str
    agreement_id: int
    addition_id: int  # the new id for a POST
    body: object  # the request body as JSON (decimals as Decimal)
    delivered: bool  # False: the response was lost, reset or stalled past the client's timeout


class LedgerSandbox(Sandbox):
    """The sandbox, plus a ledger of committed writes and a count of requests still being handled."""

    def __init__(self, store: Store, **kwargs: object) -> None:
        super().__init__(store, **kwargs)  # type: ignore[arg-type]  # the Sandbox's own keywords
        self.ledger: list[Write] = []
        self._ledger_lock = threading.Lock()
        self._in_flight = 0

    def handle(self, request: Request) -> Exchange:
        with self._ledger_lock:
            self._in_flight += 1
        try:
            exchange = super().handle(request)
            self._record(request, exchange)
            return exchange
        finally:
            with self._ledger_lock:
                self._in_flight -= 1

    def _record(self, request: Request, exchange: Exchange) -> None:
        response = exchange.response
        if request.method not in _WRITES or response is None or response.status >= 300:
            return
        parts = request.path.rstrip("/").split("/")
        if "additions" not in parts:
            return  # companies, agreements, catalog: test setup, not cwbill
        agreement_id = int(parts[parts.index("agreements") + 1])
        body = json.loads(request.body or b"null", parse_float=Decimal)
        addition_id = int(json.loads(response.body)["id"]) if request.method == "POST" else int(parts[-1])
        delivered = exchange.disposition.value == "deliver"
        with self._ledger_lock:
            self.ledger.append(Write(request.method, agreement_id, addition_id, body, delivered))

    def writes(self) -> list[Write]:
        with self._ledger_lock:
            return list(self.ledger)

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until no request is being handled (a stalled or delayed one may still commit)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._ledger_lock:
                if self._in_flight == 0:
                    return
            time.sleep(0.01)
        raise AssertionError("the sandbox is still handling requests")


@dataclass(frozen=True, slots=True)
class Workload:
    """A billing repository and the ConnectWise state it is applied to (built fresh each time)."""

    name: str
    files: dict[str, str]  # relative path → text
    build_store: Callable[[], Store] = field(compare=False)

    def write_billing(self, root: Path) -> Path:
        for relative, text in self.files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return root


def demo_workload() -> Workload:
    """The example repository against the demo seed: every reason, a conflict, a closed month."""
    files = {
        str(path.relative_to(EXAMPLE_BILLING)): path.read_text(encoding="utf-8")
        for path in sorted(EXAMPLE_BILLING.rglob("*.yaml"))
    }
    return Workload("demo", files, lambda: load_seed("demo"))


def generated_workload(companies: int = 12, seed: int = 7) -> Workload:
    """`companies` generated companies (October and November), spoiled by `seed`."""
    spec = GeneratorSpec(companies, 2, seed, Period(2026, 11))
    files = dict(billing_files(spec))
    files.update(_usage_files(generate(spec)))

    def build() -> Store:
        store = generate(spec)
        spoil(store, random.Random(seed))  # reproducible test data
        return store

    return Workload(f"generated-{companies}", files, build)


def _usage_files(store: Store) -> dict[str, str]:
    """Usage snapshots that make every generated line right (quantity mode: quantity = usage)."""
    products = {p.identifier: p for p in PRODUCTS}
    items = {item_id: products[str(r["identifier"])] for item_id, r in store.catalog.items()}
    names = {c["id"]: c["name"] for c in store.companies.values()}
    company_of = {a["id"]: names[a["companyId"]] for a in store.agreements.values()}
    usage: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(dict)
    for addition in store.additions.values():
        product = items[int(addition["product"]["id"])]  # type: ignore[index]
        key = (str(addition["effectiveDate"])[:7], str(company_of[addition["agreementId"]]))
        usage[key][product.key] = Decimal(str(addition["quantity"]))
    files: dict[str, str] = {}
    for period in sorted({p for p, _ in usage}):
        lines = ["usage:"]
        for (line_period, company), amounts in sorted(usage.items()):
            if line_period != period:
                continue
            lines.append(f'  - period: "{period}"\n    console_company: {company}')
            licenses = {k: v for k, v in amounts.items() if k != "wasabi"}
            if licenses:
                lines.append("    licenses: {" + ", ".join(f"{k}: {v}" for k, v in licenses.items()) + "}")
            if "wasabi" in amounts:
                stored = amounts["wasabi"]
                lines.append(f"    storage:\n      wasabi: {{stored: {stored}, restored: 0, limit: 0}}")
        files[f"usage/{period}.yaml"] = "\n".join(lines) + "\n"
    return files


def spoil(store: Store, rng: random.Random) -> None:
    """Give apply work of every kind, and hand-made lines it must not touch.

    Of cwbill's lines: about 45% deleted (apply creates them again), 15% edited by hand (drift:
    update), 8% duplicated (delete). Per agreement, sometimes an orphan (a configuration that no
    longer exists), an unmarked line on a key whose marked line is gone (a conflict: nothing may
    be created there), and an unmarked line beside a marked one (a warning, nothing else).
    """
    for addition_id in sorted(store.additions):
        record = store.additions[addition_id]
        draw = rng.random()
        if draw < 0.45:
            store.delete_addition(addition_id)
        elif draw < 0.60:
            edited = {**record, "quantity": Decimal(str(record["quantity"])) + 1}
            store.replace_addition(addition_id, edited, "hand-edit")
        elif draw < 0.68:
            store.insert("additions", {k: v for k, v in record.items() if k not in ("id", "_info")})
    for agreement_id in sorted(store.agreements):
        lines = sorted(store.by_agreement.get(agreement_id, {}).values(), key=lambda r: int(str(r["id"])))
        if not lines:
            continue
        template = {k: v for k, v in lines[0].items() if k not in ("id", "_info")}
        draw = rng.random()
        if draw < 0.25:
            store.insert("additions", {**template, "serialNumber": "cwbill:retired-config:0badc0de"})
        elif draw < 0.5:
            store.insert(
                "additions", {**template, "serialNumber": "INV-4711", "invoiceDescription": "by hand"}
            )
        elif draw < 0.7:  # the marker wiped by hand: an unmarked line on a desired key, a conflict
            store.replace_addition(
                int(str(lines[-1]["id"])), {**lines[-1], "serialNumber": None}, "hand-edit"
            )


def unmarked(store: Store) -> dict[int, Record]:
    """The additions without cwbill's marker, by id, as stored (apply must leave them as they are)."""
    return {
        addition_id: json.loads(json.dumps(record, default=str))
        for addition_id, record in store.additions.items()
        if parse_marker(_text(record.get("serialNumber"))) is None
    }


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
