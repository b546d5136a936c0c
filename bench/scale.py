"""One benchmark scale: build the world, serve it, then a cold plan, an apply, a second plan (and the
naive baseline when asked), each measured from the sandbox's counters and the cwbill process.

The naive baseline runs right after the first plan, before anything is written, so it reads the same
state that plan read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from bench import accounting, naive, processes
from bench.accounting import Extras, Work
from bench.scenario import Scenario, build
from reconciler.sandbox.generator import GeneratorSpec

_APPLIED = re.compile(r"Applied: (\d+) created, (\d+) updated, (\d+) deleted\.")


class BenchError(RuntimeError):
    """A cwbill run that did not do what the benchmark needs (its stderr is in the message)."""


@dataclass(frozen=True, slots=True)
class Settings:
    latency: float = 0.05  # seconds per request, added by the sandbox
    concurrency: int = 8  # cwbill's requests in flight (its default)
    naive: bool = False  # also run the naive baseline
    apply: bool = True  # plan, apply, plan again; False: the cold plan only


@dataclass(frozen=True, slots=True)
class Phase:
    name: str
    work: Work
    kinds: dict[str, int]  # requests by kind
    writes_committed: int
    extras: Extras
    changes: dict[str, int]  # what the phase showed or did: create / update / delete
    run: processes.Run
    sandbox_cpu: float
    latency: float
    concurrency: int

    @property
    def requests(self) -> int:
        return sum(self.kinds.values())

    @property
    def floor(self) -> float:
        return self.work.floor(self.latency, self.concurrency)

    @property
    def request_ratio(self) -> float:
        return self.requests / self.work.minimum

    @property
    def wall_ratio(self) -> float:
        return self.run.wall / self.floor if self.floor else 0.0

    @property
    def writes(self) -> int:
        return accounting.writes(self.kinds)

    @property
    def changes_total(self) -> int:
        return sum(self.changes.values())


@dataclass(frozen=True, slots=True)
class ScaleResult:
    scenario: Scenario
    settings: Settings
    phases: list[Phase] = field(default_factory=list)
    naive: naive.NaiveRun | None = None


def _summary(plan_json: Path) -> dict[str, int]:
    """The plan's change counts, read line by line from cwbill's indented JSON.

    Not `json.load` of the whole plan: 50,000 changes make ~150 MB of objects, and this process's
    peak becomes the floor of the next cwbill run's `ru_maxrss` (see `processes.Run`)."""
    lines: list[str] = []
    with plan_json.open(encoding="utf-8") as plan:
        for line in plan:
            if lines or line.startswith('  "summary": {'):
                lines.append(line)
                if line.startswith("  }"):
                    break
    if not lines:
        raise BenchError(f"{plan_json}: no summary in cwbill's plan")
    summary = json.loads("{" + "".join(lines).rstrip().rstrip(",") + "}", parse_float=Decimal)["summary"]
    return {kind: int(summary[kind]) for kind in ("create", "update", "delete")}


def _applied(stderr: str) -> dict[str, int]:
    found = _APPLIED.search(stderr)
    if found is None:
        return {}
    return dict(zip(("create", "update", "delete"), map(int, found.groups()), strict=True))


class _Measure:
    """Runs cwbill phases against one sandbox and turns counters into `Phase`s."""

    def __init__(self, scenario: Scenario, settings: Settings, server: processes.Sandbox, work: Path):
        self.scenario = scenario
        self.settings = settings
        self.server = server
        self.work = work
        self.env = processes.environment(server.url)
        self.chunks = accounting.agreement_requests(scenario.companies)

    def cwbill(self, name: str, args: list[str], work: Work) -> Phase:
        self.server.reset_counters()
        cpu = self.server.cpu_seconds()
        out = self.work / f"{name.replace(' ', '-')}.out"
        run = processes.run_cwbill(args, self.env, self.work, out, self.server)
        if run.exit_code not in (0, 2):
            raise BenchError(f"cwbill {args[0]} exited {run.exit_code}:\n{run.stderr[-4000:]}")
        counters = self.server.counters()
        kinds = accounting.by_kind(counters.requests)
        changes = _summary(out) if args[0] == "plan" else _applied(run.stderr)
        return Phase(
            name=name,
            work=work,
            kinds=kinds,
            writes_committed=counters.writes_committed,
            extras=accounting.extras_of(work, self.chunks, kinds),
            changes=changes,
            run=run,
            sandbox_cpu=self.server.cpu_seconds() - cpu,
            latency=self.settings.latency,
            concurrency=self.settings.concurrency,
        )

    def common(self) -> list[str]:
        as_of = self.scenario.as_of.isoformat()
        return ["billing", "--as-of", as_of, "--concurrency", str(self.settings.concurrency)]

    def plan(self, name: str) -> Phase:
        return self.cwbill(name, ["plan", *self.common(), "--format", "json"], self.scenario.work_reads)

    def apply(self, changes: int) -> Phase:
        reads = self.scenario.work_reads
        work = Work(reads.agreements, reads.catalog_items, reads.in_scope, changes)
        journal = str(self.work / "journal.jsonl")
        return self.cwbill("apply", ["apply", *self.common(), "--yes", "--force", "--journal", journal], work)


def measure(spec: GeneratorSpec, settings: Settings, work: Path, progress: bool = True) -> ScaleResult:
    """Build `spec`'s world under `work`, serve it, and measure plan → (naive) → (apply → plan)."""
    work.mkdir(parents=True, exist_ok=True)
    scenario = build(spec, work)
    result = ScaleResult(scenario, settings)
    with processes.sandbox(spec, settings.latency, work / "sandbox.log") as server:
        measure_ = _Measure(scenario, settings, server, work)
        first = measure_.plan("plan")
        result.phases.append(first)
        _say(progress, f"  plan: {first.run.wall:.1f} s, {first.requests} requests")
        if settings.naive:
            server.reset_counters()
            baseline = naive.read_everything(server.url)
            result = ScaleResult(scenario, settings, result.phases, baseline)
            _say(progress, f"  naive baseline: {baseline.wall:.1f} s, {baseline.requests} requests")
        if not settings.apply:
            return result
        applied = measure_.apply(sum(first.changes.values()))
        result.phases.append(applied)
        _say(progress, f"  apply: {applied.run.wall:.1f} s, {applied.requests} requests")
        again = measure_.plan("plan again")
        result.phases.append(again)
        _say(progress, f"  plan again: {again.run.wall:.1f} s, {again.requests} requests")
    return result


def _say(progress: bool, text: str) -> None:
    if progress:
        print(text, flush=True)
