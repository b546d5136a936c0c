"""The fault matrix: each fault alone and mixed, at rates up to 30%, on the in-process sandbox.

`python -m tests.reliability.matrix` runs every case and prints the table that docs/reliability.md
quotes (runs to converge, faults injected, writes committed, duplicates found). The test module
`test_fault_matrix.py` runs the same cases, one test each. Concurrency 1 keeps the request order —
and so the seeded faults — identical on every run; the `parallel` cases use 8 threads and prove the
same invariants with an order that varies.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from tests.reliability.harness import Bench, Line, Outcome, billed_lines, check
from tests.reliability.world import Workload, demo_workload, generated_workload

WRITES = ["POST", "PATCH", "DELETE"]
ALL_FIVE = ("rate_limit", "server_error", "lost_response", "slow", "reset")


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    faults: dict[str, object] = field(hash=False)
    concurrency: int = 1
    workload: str = "generated"


def _alone(kind: str, rate: float, **extra: object) -> Case:
    return Case(f"{kind} {rate:.0%}", {"seed": 11, kind: rate, "retry_after": 2, **extra})


def _mixed(rate: float, **extra: object) -> dict[str, object]:
    return {"seed": 23, "retry_after": 1, **dict.fromkeys(ALL_FIVE, rate), **extra}


CASES: tuple[Case, ...] = (
    Case("outage: the first read fails 6 times", {"queue": ["server_error"] * 6, "methods": ["GET"]}),
    _alone("rate_limit", 0.1),
    _alone("rate_limit", 0.3),
    Case(
        "429 storm on POST (12 in a row)",
        {"queue": ["rate_limit"] * 12, "methods": ["POST"], "retry_after": 5},
    ),
    _alone("server_error", 0.1),
    _alone("server_error", 0.3),
    Case("server_error 30% on writes", {"seed": 5, "server_error": 0.3, "methods": WRITES}),
    _alone("lost_response", 0.1),
    _alone("lost_response", 0.3),
    Case("lost_response 30% on writes", {"seed": 5, "lost_response": 0.3, "methods": WRITES}),
    _alone("slow", 0.1),
    _alone("slow", 0.3),
    Case("slow 30% without commit", {"seed": 11, "slow": 0.3, "slow_commits": False}),
    _alone("reset", 0.1),
    _alone("reset", 0.3),
    Case("mixed 5 × 6% (≈ 27%)", _mixed(0.06)),
    Case("mixed 5 × 6% on writes", _mixed(0.06, methods=WRITES)),
    Case("mixed 5 × 6%, 8 in flight", _mixed(0.06), concurrency=8),
    Case("lost_response 30%, 8 in flight", {"seed": 3, "lost_response": 0.3}, concurrency=8),
    Case("mixed 5 × 6%, demo seed", _mixed(0.06), workload="demo"),
)


def workload(name: str) -> Workload:
    return demo_workload() if name == "demo" else generated_workload(companies=20)


@cache
def reference(name: str) -> Counter[Line]:
    """The lines a fault-free apply leaves (the state every faulted case must end in)."""
    with tempfile.TemporaryDirectory() as folder:
        bench = Bench(workload(name), Path(folder), sandbox_sleep=lambda seconds: None)
        outcome = bench.converge()
        assert outcome.codes == [0], outcome
        return billed_lines(bench.sandbox.store)


def run_case(case: Case, root: Path) -> Outcome:
    bench = Bench(workload(case.workload), root, sandbox_sleep=lambda seconds: None)
    bench.sandbox.faults.update(case.faults)
    outcome = bench.converge(concurrency=case.concurrency)
    assert outcome.codes[-1] == 0, f"{case.name}: no convergence in {outcome.runs} runs: {outcome.codes}"
    bench.quiet()
    check(bench, reference(case.workload))
    return outcome


HEADER = "| case | runs (exit codes) | faults injected | writes committed | retries | duplicates | missing |"


def row(case: Case, outcome: Outcome) -> str:
    faults = ", ".join(f"{k} {v}" for k, v in sorted(outcome.faults.items())) or "—"
    codes = " → ".join(str(c) for c in outcome.codes)
    return (
        f"| {case.name} | {outcome.runs} ({codes}) | {faults} | {outcome.writes} | {outcome.retries} "
        f"| {outcome.duplicates} | {outcome.missing} |"
    )


def main() -> int:
    print(HEADER)
    print("|" + " --- |" * HEADER.count(" | ") + " --- |")
    for case in CASES:
        with tempfile.TemporaryDirectory() as folder:
            print(row(case, run_case(case, Path(folder))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
