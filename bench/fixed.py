"""The fixed costs: start-up (`cwbill --version`, `cwbill validate` of the example) and large inputs
(a 20,000-record usage file in JSON and in YAML, a 72,000-addition JSON seed), each in a fresh process.

Start-up is the median wall time of several runs of the real console script, beside a bare
interpreter's (`python -c pass`), so the difference is cwbill's own. A load is timed inside a fresh
interpreter around the one call a run makes, the median of three such runs (`load_usage` of the
file against its repository, `load_seed`'s two steps: reading and checking the file, then building
the store), so imports and the repository's own loading are left out; the interpreter settings of
the `cwbill` entry point (garbage collector thresholds) apply, as they do in a run.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from reconciler.engine.periods import Period
from reconciler.sandbox.generator import PRODUCTS, GeneratorSpec, billing_files
from reconciler.usage.model import StorageUsage, Usage, UsageRecord
from reconciler.usage.yamlwrite import dump_usage

ROOT = Path(__file__).resolve().parent.parent
CWBILL = str(Path(sys.executable).parent / "cwbill")
RUNS = 7  # start-up runs: the median of 7 is steady against a stray slow one
LOAD_RUNS = 3  # large-file loads: each figure the median of 3 (one run moved by ±20 % on a shared host)
USAGE_COMPANIES, USAGE_MONTHS = 2_000, 10  # 20,000 records
SEED_COMPANIES, SEED_MONTHS, SEED_LINES = 2_000, 12, 3  # 72,000 additions
FIRST = Period(2026, 1)
LICENSES = [p for p in PRODUCTS if not p.storage][:2]  # 2 license lines + storage = SEED_LINES

_TIME_USAGE = """
import gc, sys, time
from pathlib import Path
from reconciler.cli import GC_THRESHOLDS
from reconciler.config.load import load_repository
from reconciler.usage.snapshot import load_usage
gc.set_threshold(*GC_THRESHOLDS)
repository, _ = load_repository(Path(sys.argv[1]))
started = time.perf_counter()
usage, findings = load_usage(Path(sys.argv[2]), repository)
elapsed = time.perf_counter() - started
assert usage is not None and len(usage.records) == int(sys.argv[3]), findings[:3]
print(elapsed)
"""
_TIME_SEED = """
import gc, sys, time
from pathlib import Path
from reconciler.cli import GC_THRESHOLDS
from reconciler.config.schema import check_schema
from reconciler.config.yamlload import load_file
from reconciler.sandbox.seeds import build_store
gc.set_threshold(*GC_THRESHOLDS)
started = time.perf_counter()
document, findings = load_file(Path(sys.argv[1]))
assert document is not None and not findings and not check_schema(document, "sandbox-seed")
read = time.perf_counter() - started
store, problems = build_store(document)
elapsed = time.perf_counter() - started
assert not problems and len(store.additions) == int(sys.argv[2]), len(store.additions)
print(elapsed, read)
"""


@dataclass(frozen=True, slots=True)
class FixedCosts:
    bare: float  # seconds: `python -c pass`
    version: float  # `cwbill --version`
    validate: float  # `cwbill validate billing` (the example repository)
    usage_json: float  # load_usage of 20,000 records
    usage_yaml: float
    seed_json: float  # load_seed of 72,000 additions: read, checked, built into the sandbox's store
    seed_read: float  # of which reading the file and checking it against its schema
    usage_bytes: tuple[int, int]  # JSON, YAML
    seed_bytes: int


def _median_wall(command: list[str], cwd: Path) -> float:
    walls: list[float] = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True, env=_environment())
        walls.append(time.perf_counter() - started)
    return statistics.median(walls)


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("CW_", "MBS_"))} | {"NO_COLOR": "1"}


def _timed(script: str, *args: str) -> list[float]:
    """The script's figures, each the median of `LOAD_RUNS` fresh interpreters."""
    runs = []
    for _ in range(LOAD_RUNS):
        done = subprocess.run(
            [sys.executable, "-c", script, *args],
            check=True,
            capture_output=True,
            text=True,
            env=_environment(),
        )
        runs.append([float(figure) for figure in done.stdout.split()])
    return [statistics.median(figures) for figures in zip(*runs, strict=True)]


def _usage_records() -> dict[tuple[str, Period], UsageRecord]:
    records: dict[tuple[str, Period], UsageRecord] = {}
    period = FIRST
    for month in range(USAGE_MONTHS):
        for number in range(1, USAGE_COMPANIES + 1):
            name = f"Company {number:05d}"
            licenses = {p.key: (number + month + i) % 11 for i, p in enumerate(PRODUCTS) if not p.storage}
            stored = Decimal(number * 37 % 500_000) / 100 + month
            records[(name, period)] = UsageRecord(
                period, name, licenses, {"wasabi": StorageUsage(stored, Decimal(0), Decimal(1000))}
            )
        period = period.next()
    return records


def write_usage(folder: Path) -> tuple[Path, Path, Path]:
    """The generator's repository for the usage's companies, and the usage as JSON and as YAML."""
    billing = folder / "billing"
    for relative, text in billing_files(GeneratorSpec(USAGE_COMPANIES, 1)).items():
        (billing / relative).parent.mkdir(parents=True, exist_ok=True)
        (billing / relative).write_text(text, encoding="utf-8")
    records = _usage_records()
    as_yaml = folder / "usage.yaml"
    as_yaml.write_text(dump_usage(Usage(records)), encoding="utf-8")
    rows = [
        {
            "period": str(record.period),
            "console_company": record.console_company,
            "licenses": dict(record.licenses),
            "storage": {
                key: {"stored": _Number(a.stored), "restored": _Number(a.restored), "limit": _Number(a.limit)}
                for key, a in record.storage.items()
            },
        }
        for record in records.values()
    ]
    as_json = folder / "usage.json"
    as_json.write_text(json.dumps({"usage": rows}, indent=2) + "\n", encoding="utf-8")
    return billing, as_json, as_yaml


class _Number(float):
    """A Decimal that json writes as a bare number from its own text (never through float's)."""

    def __new__(cls, value: Decimal) -> _Number:
        made = super().__new__(cls, value)
        made.text = format(value, "f")  # type: ignore[attr-defined]  # read by __repr__
        return made

    def __repr__(self) -> str:
        return str(self.text)  # type: ignore[attr-defined]  # set in __new__


def write_seed(path: Path) -> int:
    """A JSON seed of SEED_COMPANIES × SEED_MONTHS × SEED_LINES additions; the number of additions."""
    periods = [FIRST]
    while len(periods) < SEED_MONTHS:
        periods.append(periods[-1].next())
    lines = [*LICENSES, next(p for p in PRODUCTS if p.storage)][:SEED_LINES]
    catalog = [
        {
            "identifier": p.identifier,
            "description": p.console,
            "price": _Number(p.price),
            "cost": _Number(p.cost),
        }
        for p in PRODUCTS
    ]
    companies = []
    for number in range(1, SEED_COMPANIES + 1):
        additions = [
            {
                "product": product.identifier,
                "quantity": _Number(Decimal(number % 9 + 1 + index)),
                "effectiveDate": period.first_day.isoformat(),
                "cancelledDate": period.last_day.isoformat(),
            }
            for period in periods
            for index, product in enumerate(lines)
        ]
        agreement = {"name": "Managed Backup Service", "startDate": periods[0].first_day.isoformat()}
        companies.append(
            {"identifier": f"C{number:05d}", "name": f"Company {number:05d}", "agreements": [
                {**agreement, "additions": additions}]}
        )  # fmt: skip
    seed = {"connectwise": {"catalog": catalog, "companies": companies}}
    path.write_text(json.dumps(seed, indent=2) + "\n", encoding="utf-8")
    return SEED_COMPANIES * SEED_MONTHS * len(lines)


def measure(folder: Path) -> FixedCosts:
    folder.mkdir(parents=True, exist_ok=True)
    bare = _median_wall([sys.executable, "-c", "pass"], ROOT)
    version = _median_wall([CWBILL, "--version"], ROOT)
    validate = _median_wall([CWBILL, "validate", "billing"], ROOT)
    billing, as_json, as_yaml = write_usage(folder)
    records = str(USAGE_COMPANIES * USAGE_MONTHS)
    [usage_json] = _timed(_TIME_USAGE, str(billing), str(as_json), records)
    [usage_yaml] = _timed(_TIME_USAGE, str(billing), str(as_yaml), records)
    seed = folder / "seed.json"
    additions = write_seed(seed)
    seed_json, seed_read = _timed(_TIME_SEED, str(seed), str(additions))
    return FixedCosts(
        bare,
        version,
        validate,
        usage_json,
        usage_yaml,
        seed_json,
        seed_read,
        (as_json.stat().st_size, as_yaml.stat().st_size),
        seed.stat().st_size,
    )
