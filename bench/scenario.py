"""The benchmark's world on disk: the generator's billing repository plus usage designed for ≈ 5 changes
per company.

The sandbox serves `generate(spec)`: N companies, one agreement each, `months` of cwbill-marked
history ending at `spec.last_period` (L). The plan runs on the day after the first of the next month
(C = L + 1), so its scope is L (last month's bill, updated) and C (the current month's temporary
bill, created) for every company. The usage written here makes that scope real work:

- C: server, VM and desktop licenses (each L's count + 1, never 0) and storage (L's + 50 GB): 4 creates;
- L: the history's own usage, except one line per company — every tenth company drops its first
  license product to 0 (a delete), the others store 1 GB more (an update).

So an apply makes ≈ 5 × N changes (exactly, unless a company's history of L is empty), and every
agreement in scope holds live lines that must be read and compared.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from bench.accounting import Work
from reconciler.engine.periods import Period
from reconciler.sandbox.generator import PRODUCTS, GeneratorSpec, billing_files, generate
from reconciler.sandbox.state import Store
from reconciler.usage.model import StorageUsage, Usage, UsageRecord
from reconciler.usage.yamlwrite import dump_usage

LICENSES = tuple(p for p in PRODUCTS if not p.storage)
STORAGE = next(p for p in PRODUCTS if p.storage)
CURRENT_LICENSES = ("server", "vm", "desktop")  # licensed in C; `sql` is not: 4 lines with storage
STORAGE_GROWTH = Decimal(50)
DELETE_EVERY = 10  # company numbers divisible by this lose a license in L (a delete)

# product key → quantity, per company number
Lines = dict[int, dict[str, Decimal]]


@dataclass(frozen=True, slots=True)
class Scenario:
    spec: GeneratorSpec
    billing: Path  # the billing repository (settings, products, prices, companies, usage/)
    as_of: dt.date
    expected_changes: int  # the changes the first plan must show (creates + updates + deletes)
    live_additions: int  # additions the sandbox holds at the start (all months of history)

    @property
    def current(self) -> Period:
        return self.spec.last_period.next()

    @property
    def companies(self) -> list[str]:
        return [f"C{number:05d}" for number in range(1, self.spec.companies + 1)]

    @property
    def work_reads(self) -> Work:
        """What any plan of this world must read: every company has usage in both periods in scope,
        so each one's agreement is in scope."""
        return Work(self.spec.companies, len(PRODUCTS), self.spec.companies, 0)

    @property
    def agreements_with_creates(self) -> int:
        """Every company gets the current month's lines: each agreement receives creates."""
        return self.spec.companies


def history_of(store: Store, period: Period) -> Lines:
    """The quantity of each product on each company's agreement in `period`, from the store."""
    by_identifier = {p.identifier: p.key for p in PRODUCTS}
    identifiers = {int(str(item["id"])): str(item["identifier"]) for item in store.catalog.values()}
    numbers = {
        int(str(agreement["id"])): int(
            str(store.companies[int(str(agreement["companyId"]))]["identifier"])[1:]
        )
        for agreement in store.agreements.values()
    }
    first = f"{period.first_day.isoformat()}T"
    lines: Lines = defaultdict(dict)
    for addition in store.additions.values():
        if not str(addition["effectiveDate"]).startswith(first):
            continue
        product = addition["product"]
        assert isinstance(product, dict)
        key = by_identifier[identifiers[int(product["id"])]]
        quantity = addition["quantity"]
        assert isinstance(quantity, Decimal)
        lines[numbers[int(str(addition["agreementId"]))]][key] = quantity
    return lines


def _history(spec: GeneratorSpec) -> tuple[Lines, int]:
    store = generate(spec)
    return dict(history_of(store, spec.last_period)), len(store.additions)


def _history_in_child(spec: GeneratorSpec) -> tuple[Lines, int]:
    """The last month's lines and the number of additions, from the world built in a child process.

    Not here: the world takes ~170 MB per 1,000 companies, and a process started from this one
    reports this one's peak memory as its own floor (Linux carries `ru_maxrss` across exec), which
    would hide cwbill's real peak behind the benchmark's.
    """
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_history, spec).result()


def last_month_usage(history: dict[str, Decimal], number: int) -> tuple[dict[str, Decimal], int]:
    """L's usage for company `number`: its history with one designed change; and the changes it makes."""
    usage = dict(history)
    if number % DELETE_EVERY == 0:
        dropped = next((p.key for p in LICENSES if usage.get(p.key, Decimal(0)) > 0), None)
        if dropped is not None:
            usage[dropped] = Decimal(0)
            return usage, 1
    if usage.get(STORAGE.key, Decimal(0)) > 0:
        usage[STORAGE.key] += 1
        return usage, 1
    return usage, 0


def current_month_usage(history: dict[str, Decimal]) -> dict[str, Decimal]:
    usage = {key: history.get(key, Decimal(0)) + 1 for key in CURRENT_LICENSES}
    usage[STORAGE.key] = history.get(STORAGE.key, Decimal(0)) + STORAGE_GROWTH
    return usage


def usage_file(period: Period, by_company: dict[int, dict[str, Decimal]]) -> str:
    """A usage snapshot exactly as `cwbill usage pull` writes it (`dump_usage`)."""
    records: dict[tuple[str, Period], UsageRecord] = {}
    for number, usage in by_company.items():
        name = f"Company {number:05d}"
        stored = usage.get(STORAGE.key, Decimal(0))
        records[(name, period)] = UsageRecord(
            period,
            name,
            licenses={p.key: int(usage[p.key]) for p in LICENSES if usage.get(p.key, Decimal(0)) > 0},
            storage={STORAGE.key: StorageUsage(stored=stored)} if stored > 0 else {},
        )
    return dump_usage(Usage(records))


def build(spec: GeneratorSpec, root: Path) -> Scenario:
    """Write the billing repository for `spec` under `root/billing` and say what its plan must show."""
    if spec.months < 1:
        raise ValueError("the benchmark needs at least one month of history")
    last = spec.last_period
    history, live_additions = _history_in_child(spec)
    billing = root / "billing"
    for relative, text in billing_files(spec).items():
        target = billing / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    last_usage: dict[int, dict[str, Decimal]] = {}
    current_usage: dict[int, dict[str, Decimal]] = {}
    changes = 0
    for number in range(1, spec.companies + 1):
        own = history.get(number, {})
        last_usage[number], changed = last_month_usage(own, number)
        current_usage[number] = current_month_usage(own)
        changes += changed + len(current_usage[number])
    (billing / "usage").mkdir(exist_ok=True)
    (billing / "usage" / f"{last}.yaml").write_text(usage_file(last, last_usage), encoding="utf-8")
    current = last.next()
    (billing / "usage" / f"{current}.yaml").write_text(usage_file(current, current_usage), encoding="utf-8")
    as_of = current.first_day + dt.timedelta(days=1)
    return Scenario(spec, billing, as_of, changes, live_additions)
