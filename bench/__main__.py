"""`make bench` / `python -m bench`: plan and apply at MSP scale, measured against the minimum.

Runs each scale (default 50, 300 and 2,000 companies, 12 months of history;
`--scales all` adds 10,000), the main scale once more with less history (3 months) to show that
history does not cost, and the naive baseline at the main scale; then the fixed costs (start-up,
20,000-record usage files, a 72,000-addition seed; see `bench.fixed`); prints every figure and writes
`docs/performance.md`.
Exit 0 when every target is met, 1 when one is missed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from bench import fixed, report, targets
from bench.machine import this_machine
from bench.scale import ScaleResult, Settings, measure
from reconciler.sandbox.generator import GeneratorSpec

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SCALES = (50, 300, 2000)
ALL_SCALES = (50, 300, 2000, 10000)


def _scales(text: str) -> tuple[int, ...]:
    if text.strip().lower() == "all":
        return ALL_SCALES
    try:
        scales = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--scales {text!r}: numbers of companies, e.g. 200,2000") from None
    if not scales or min(scales) < 1:
        raise argparse.ArgumentTypeError("--scales: at least one positive number of companies")
    return scales


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=_scales, default=DEFAULT_SCALES, help="e.g. 200,2000 or all")
    parser.add_argument(
        "--main", type=int, default=2000, help="the scale of the naive baseline and the history run"
    )
    parser.add_argument("--months", type=int, default=12, help="months of history (default 12)")
    parser.add_argument(
        "--history-months", type=int, default=3, help="the main scale again with this history; 0: skip"
    )
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the sandbox adds per request")
    parser.add_argument("--concurrency", type=int, default=8, help="cwbill's requests in flight")
    parser.add_argument("--seed", type=int, default=0, help="the generator's seed")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    parser.add_argument("--no-fixed", action="store_true", help="skip start-up and large-file loads")
    parser.add_argument("--doc", default=str(ROOT / "docs" / "performance.md"), help="'' to write no page")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the worlds and outputs here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = parse(sys.argv[1:] if argv is None else argv)
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="cwbill-bench-"))
    machine = this_machine()
    print(f"cwbill benchmark on {machine.describe()}; {_load()}", flush=True)
    started_load = _load()
    # (companies, months, settings): each scale in full; the main one again with less history, plan only
    runs = [
        (
            companies,
            options.months,
            Settings(
                options.latency, options.concurrency, naive=companies == options.main and not options.no_naive
            ),
        )
        for companies in options.scales
    ]
    if options.history_months and options.main in options.scales and options.history_months != options.months:
        # right after the main scale, so that both are measured under the same conditions
        plan_only = Settings(options.latency, options.concurrency, apply=False)
        runs.insert(options.scales.index(options.main) + 1, (options.main, options.history_months, plan_only))
    results: list[ScaleResult] = []
    verdicts: list[targets.Verdict] = []
    costs: fixed.FixedCosts | None = None
    try:
        for companies, months, settings in runs:
            spec = GeneratorSpec(companies, months, options.seed)
            print(f"\n-- {companies:,} companies × {months} months", flush=True)
            result = measure(spec, settings, workdir / f"{companies}x{months}")
            results.append(result)
            print("\n".join(report.scale_text(result)), flush=True)
            verdicts += [
                targets.Verdict(f"{v.target} ({companies:,}×{months})", v.met, v.figures)
                for v in targets.per_scale(result, judge_walls=True)
            ]
        if not options.no_fixed:
            # last: writing the large inputs raises this process's peak memory, which Linux would
            # carry into every later cwbill run's `ru_maxrss` (see `processes.Run`)
            print("\n-- fixed costs: start-up, large input files", flush=True)
            costs = fixed.measure(workdir / "fixed")
            fixed_verdicts = targets.fixed(costs)
            verdicts = fixed_verdicts + verdicts
            print("\n".join(report.verdict_text(fixed_verdicts)), flush=True)
    finally:
        if options.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    verdicts += _cross_checks(results, options)
    print("\nTargets", flush=True)
    print("\n".join(report.verdict_text(verdicts)), flush=True)
    main_result = next(
        (
            r
            for r in results
            if r.scenario.spec.companies == options.main and r.scenario.spec.months == options.months
        ),
        None,
    )
    if options.doc:
        command = "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv)
        load = f"{started_load} at the start, {_load()} at the end"
        text = report.markdown(
            results, verdicts, machine, command.strip(), main_result, load=load, fixed=costs
        )
        Path(options.doc).write_text(text, encoding="utf-8")
        print(f"\nwritten: {options.doc}", flush=True)
    return 0 if all(v.met for v in verdicts) else 1


def _load() -> str:
    """The load average: other work on the machine slows both processes, and the figures with them."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def _cross_checks(results: list[ScaleResult], options: argparse.Namespace) -> list[targets.Verdict]:
    checks: list[targets.Verdict] = []
    at_main = {r.scenario.spec.months: r for r in results if r.scenario.spec.companies == options.main}
    if options.months in at_main and options.history_months in at_main:
        checks.append(targets.history(at_main[options.history_months], at_main[options.months]))
    full_history = [r for r in results if r.scenario.spec.months == options.months and r.settings.apply]
    growth = targets.growth(full_history)
    if growth is not None:
        checks.append(growth)
    return checks


if __name__ == "__main__":
    sys.exit(main())
