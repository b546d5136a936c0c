"""The issue's targets, checked against measured figures: each a sentence, a verdict and the numbers."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from bench.fixed import FixedCosts
from bench.scale import Phase, ScaleResult

PLAN_REQUESTS = 1.02  # × minimum
WALL = 1.5  # × latency floor: apply from 300 companies, plan at 300
PLAN_WALL_LARGE = 1.25  # × latency floor: plan from 2,000 companies
PLAN_OVER_FLOOR = 1.0  # seconds above the floor: plan up to 300 companies, where start-up weighs most
SMALL_UP_TO = 300
LARGE_FROM = 2000
APPLY_FROM = 300
MEMORY_MB = 300  # at 2,000 companies
MEMORY_AT = 2000
HISTORY_TOLERANCE = 0.15  # 3 vs 12 months of history: within ±15 % in time and memory
GROWTH_TOLERANCE = 1.5  # marginal cost per company between scales may vary by this factor


@dataclass(frozen=True, slots=True)
class Verdict:
    target: str
    met: bool
    figures: str


def megabytes(kib: int) -> float:
    return kib * 1024 / 1e6


def phase(result: ScaleResult, name: str) -> Phase | None:
    return next((p for p in result.phases if p.name == name), None)


def per_scale(result: ScaleResult, judge_walls: bool) -> list[Verdict]:
    """The targets one scale can be judged on; wall times only when `judge_walls`."""
    plans = [p for p in result.phases if p.name.startswith("plan")]
    verdicts = [
        Verdict(
            f"plan requests ≤ {PLAN_REQUESTS} × minimum",
            max(p.request_ratio for p in plans) <= PLAN_REQUESTS,
            "; ".join(f"{p.name} {p.requests:,} / {p.work.minimum:,} = {p.request_ratio:.3f}" for p in plans),
        )
    ]
    applied = phase(result, "apply")
    if applied is not None:
        verdicts.append(_writes(result, applied))
    if judge_walls and result.settings.latency > 0:  # without latency there is no floor
        verdicts += _walls(result, plans, applied)
    if result.scenario.spec.companies == MEMORY_AT:
        peak = max(megabytes(p.run.peak_rss_kib) for p in result.phases)
        own = all(p.run.rss_is_own for p in result.phases)
        figures = f"{peak:.0f} MB" if own else f"{peak:.0f} MB, not cwbill's own (see the phases)"
        verdicts.append(
            Verdict(
                f"peak memory < {MEMORY_MB} MB at {MEMORY_AT:,} companies", own and peak < MEMORY_MB, figures
            )
        )
    return verdicts


def _walls(result: ScaleResult, plans: list[Phase], applied: Phase | None) -> list[Verdict]:
    """Issue 16's wall targets: near the floor in seconds where start-up weighs most (small MSPs),
    in ratio where the network does (large ones)."""
    companies = result.scenario.spec.companies
    figures = "; ".join(
        f"{p.name} {p.run.wall:.1f} s / {p.floor:.1f} s = {p.wall_ratio:.2f} (+{p.run.wall - p.floor:.1f} s)"
        for p in plans
    )
    verdicts: list[Verdict] = []
    if companies <= SMALL_UP_TO:
        over = max(p.run.wall - p.floor for p in plans)
        verdicts.append(Verdict(f"plan wall − floor ≤ {PLAN_OVER_FLOOR} s", over <= PLAN_OVER_FLOOR, figures))
    if companies == SMALL_UP_TO:
        worst = max(p.wall_ratio for p in plans)
        verdicts.append(Verdict(f"plan wall ≤ {WALL} × latency floor", worst <= WALL, figures))
    if companies >= LARGE_FROM:
        worst = max(p.wall_ratio for p in plans)
        verdicts.append(
            Verdict(f"plan wall ≤ {PLAN_WALL_LARGE} × latency floor", worst <= PLAN_WALL_LARGE, figures)
        )
    if applied is not None and companies >= APPLY_FROM:
        verdicts.append(
            Verdict(
                f"apply wall ≤ {WALL} × latency floor",
                applied.wall_ratio <= WALL,
                f"{applied.run.wall:.1f} s / {applied.floor:.1f} s = {applied.wall_ratio:.2f}",
            )
        )
    return verdicts


def _writes(result: ScaleResult, applied: Phase) -> Verdict:
    planned = result.phases[0].changes_total
    again = phase(result, "plan again")
    left = again.changes_total + again.writes if again is not None else 0
    return Verdict(
        "apply writes = changes exactly",
        applied.writes == planned == applied.writes_committed and left == 0,
        f"{applied.writes:,} writes sent, {applied.writes_committed:,} committed, {planned:,} changes "
        f"planned; the second plan: {left} changes",
    )


def history(short: ScaleResult, long: ScaleResult) -> Verdict:
    """Same companies, different months of history: the same requests, and time and memory alike."""
    a, b = short.phases[0], long.phases[0]
    wall = b.run.wall / a.run.wall
    memory = b.run.peak_rss_kib / a.run.peak_rss_kib
    own = a.run.rss_is_own and b.run.rss_is_own  # else a memory figure is the benchmark's own
    met = own and a.requests == b.requests and max(abs(wall - 1), abs(memory - 1)) <= HISTORY_TOLERANCE
    months = f"{short.scenario.spec.months} vs {long.scenario.spec.months} months"
    return Verdict(
        f"plan time and memory do not grow with history ({months}, ±{HISTORY_TOLERANCE:.0%})",
        met,
        f"wall {a.run.wall:.1f} s vs {b.run.wall:.1f} s (×{wall:.2f}), peak RSS "
        f"{megabytes(a.run.peak_rss_kib):.0f} vs {megabytes(b.run.peak_rss_kib):.0f} MB (×{memory:.2f}), "
        f"requests {a.requests:,} vs {b.requests:,}",
    )


def growth(results: Sequence[ScaleResult]) -> Verdict | None:
    """Marginal wall time (over the floor) and memory per company stay alike from scale to scale."""
    ordered = sorted(results, key=lambda r: r.scenario.spec.companies)
    if len(ordered) < 3:
        return None
    marginal_memory: list[float] = []
    ratios: list[float] = []
    for smaller, larger in itertools.pairwise(ordered):
        companies = larger.scenario.spec.companies - smaller.scenario.spec.companies
        grown = larger.phases[0].run.peak_rss_kib - smaller.phases[0].run.peak_rss_kib
        marginal_memory.append(megabytes(grown) * 1000 / companies)
    for result in ordered:
        ratios.append(result.phases[0].wall_ratio)
    spread = max(marginal_memory) / max(min(marginal_memory), 1e-9)
    met = spread <= GROWTH_TOLERANCE and max(ratios[1:]) <= min(ratios[1:]) * GROWTH_TOLERANCE
    return Verdict(
        "memory and time grow linearly with companies",
        met,
        "plan memory per 1,000 more companies: "
        + ", ".join(f"{m:.0f} MB" for m in marginal_memory)
        + "; plan wall ÷ floor: "
        + ", ".join(f"{r:.2f}" for r in ratios),
    )


VERSION_OVER_BARE = 0.15  # seconds above a bare interpreter
VALIDATE = 0.4  # seconds, the example repository
USAGE_JSON, USAGE_YAML, SEED_JSON = 1.0, 2.0, 5.0  # seconds to load


def fixed(costs: FixedCosts) -> list[Verdict]:
    """Start-up and large inputs (issue 16)."""
    over = costs.version - costs.bare
    return [
        Verdict(
            f"`cwbill --version` ≤ {VERSION_OVER_BARE} s above a bare interpreter",
            over <= VERSION_OVER_BARE,
            f"{costs.version:.3f} s − {costs.bare:.3f} s = {over:.3f} s (median of runs)",
        ),
        Verdict(
            f"`cwbill validate billing` ≤ {VALIDATE} s",
            costs.validate <= VALIDATE,
            f"{costs.validate:.3f} s (median of runs)",
        ),
        Verdict(
            f"a 20,000-record usage file loads in ≤ {USAGE_JSON} s (JSON)",
            costs.usage_json <= USAGE_JSON,
            f"{costs.usage_json:.2f} s ({costs.usage_bytes[0] / 1e6:.1f} MB)",
        ),
        Verdict(
            f"a 20,000-record usage file loads in ≤ {USAGE_YAML} s (YAML)",
            costs.usage_yaml <= USAGE_YAML,
            f"{costs.usage_yaml:.2f} s ({costs.usage_bytes[1] / 1e6:.1f} MB)",
        ),
        Verdict(
            f"the 72,000-addition JSON seed loads in ≤ {SEED_JSON} s",
            costs.seed_json <= SEED_JSON,
            f"{costs.seed_json:.2f} s ({costs.seed_bytes / 1e6:.1f} MB): read and checked in "
            f"{costs.seed_read:.2f} s, then built through the API's create code",
        ),
    ]
