"""The benchmark's figures as text for the terminal, and as `docs/performance.md`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bench.accounting import kind_rank, pages
from bench.fixed import FixedCosts
from bench.machine import Machine
from bench.scale import Phase, ScaleResult
from bench.targets import Verdict, megabytes


def _kinds(phase: Phase) -> str:
    ordered = sorted(phase.kinds.items(), key=lambda item: (kind_rank(item[0]), item[0]))
    return " + ".join(f"{kind} {count:,}" for kind, count in ordered) or "none"


def _changes(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    if not total:
        return "no changes"
    parts = ", ".join(f"{kind} {counts.get(kind, 0):,}" for kind in ("create", "update", "delete"))
    return f"{total:,} changes ({parts})"


def _minimum(phase: Phase) -> str:
    work = phase.work
    return (
        f"{work.minimum:,} = agreement pages {pages(work.agreements)} + catalog pages "
        f"{pages(work.catalog_items)} + additions reads {work.in_scope:,} + writes {work.changes:,}"
    )


def _timeline(phase: Phase) -> str:
    run = phase.run
    if run.first_request is None or run.last_request is None:
        return "no request seen"
    return (
        f"first request at {run.first_request:.1f} s, last at {run.last_request:.1f} s "
        f"(network {run.last_request - run.first_request:.1f} s); exit at {run.wall:.1f} s"
    )


def phase_text(phase: Phase) -> list[str]:
    floor = f"{phase.work.minimum:,} × {phase.latency * 1000:.0f} ms ÷ {phase.concurrency}"
    extras = phase.extras
    verb = "shows" if phase.name.startswith("plan") else "made"
    return [
        f"{phase.name}: {verb} {_changes(phase.changes)}",
        f"  requests  {phase.requests:,} = {_kinds(phase)}",
        f"  minimum   {_minimum(phase)}  → ratio {phase.request_ratio:.3f}",
        f"  extras    {extras.total:,} = agreement chunks {extras.agreement_chunks} "
        f"+ re-reads after writes {extras.verification_reads:,}",
        f"  wall      {phase.run.wall:.1f} s; latency floor {phase.floor:.1f} s ({floor}) "
        f"→ ratio {phase.wall_ratio:.2f}",
        f"  timeline  {_timeline(phase)}",
        f"  memory    peak RSS {_rss(phase)}; CPU: cwbill "
        f"{phase.run.cpu:.1f} s, sandbox {phase.sandbox_cpu:.1f} s",
    ]


def _title(result: ScaleResult) -> str:
    spec = result.scenario.spec
    return (
        f"{spec.companies:,} companies × {spec.months} months ({result.scenario.live_additions:,} live "
        f"additions), latency {result.settings.latency * 1000:.0f} ms, concurrency "
        f"{result.settings.concurrency}"
    )


def scale_text(result: ScaleResult) -> list[str]:
    lines = [f"== {_title(result)}"]
    for phase in result.phases:
        lines += phase_text(phase)
    if result.naive is not None:
        lines += naive_text(result)
    return lines


def naive_text(result: ScaleResult) -> list[str]:
    baseline = result.naive
    assert baseline is not None
    plan = result.phases[0]
    return [
        "naive baseline (all additions of every agreement, no conditions, one request at a time)",
        f"  requests  {baseline.requests:,}; additions transferred {baseline.records:,}",
        f"  wall      {baseline.wall:.1f} s = {baseline.wall / plan.run.wall:.1f} × cwbill's plan "
        f"({plan.run.wall:.1f} s)",
    ]


def verdict_text(verdicts: Sequence[Verdict]) -> list[str]:
    return [f"  [{'met' if v.met else 'MISSED'}] {v.target}: {v.figures}" for v in verdicts]


# ------------------------------------------------------------------------------------- markdown


def _phase_row(phase: Phase) -> str:
    return (
        f"| {phase.name} | {_changes(phase.changes)} | {_kinds(phase)} | {phase.work.minimum:,} | "
        f"{phase.request_ratio:.3f} | {phase.extras.agreement_chunks} + "
        f"{phase.extras.verification_reads:,} | "
        f"{phase.run.wall:.1f} s | {phase.floor:.1f} s | {phase.wall_ratio:.2f} | "
        f"{_first(phase)} | {_rss(phase)} | {phase.run.cpu:.1f} s | "
        f"{phase.sandbox_cpu:.1f} s |"
    )


def _rss(phase: Phase) -> str:
    shown = f"{megabytes(phase.run.peak_rss_kib):.0f} MB"
    if phase.run.rss_is_own:
        return shown
    launcher = megabytes(phase.run.launcher_rss_kib)
    return f"≤ {shown} (not measurable: the benchmark's own peak is {launcher:.0f} MB)"


def _where(phase: Phase) -> str:
    run = phase.run
    if run.first_request is None or run.last_request is None:
        return f"- {phase.name}: no request seen"
    return (
        f"- {phase.name}: {run.first_request:.1f} s before the first request (start-up, loading the "
        f"repository), {run.last_request - run.first_request:.1f} s from the first request to the last "
        f"(the latency floor is {phase.floor:.1f} s), {run.wall - run.last_request:.1f} s after it "
        "(planning, output)."
    )


def _naive_markdown(result: ScaleResult) -> str:
    baseline = result.naive
    assert baseline is not None
    plan = result.phases[0]
    return (
        f"Reading every agreement's additions without conditions, one request at a time, took "
        f"{baseline.wall:.1f} s for {baseline.requests:,} requests and {baseline.records:,} additions: "
        f"{baseline.wall / plan.run.wall:.1f} × cwbill's whole plan ({plan.run.wall:.1f} s, "
        f"{plan.requests:,} requests, only the additions in scope)."
    )


def _first(phase: Phase) -> str:
    return "–" if phase.run.first_request is None else f"{phase.run.first_request:.1f} s"


def _scaling_row(result: ScaleResult) -> str:
    plan = result.phases[0]
    spec = result.scenario.spec
    cells = [
        f"{spec.companies:,}",
        str(spec.months),
        f"{result.scenario.live_additions:,}",
        f"{plan.changes_total:,}",
        f"{plan.requests:,} / {plan.work.minimum:,}",
        f"{plan.run.wall:.1f} s / {plan.floor:.1f} s ({plan.wall_ratio:.2f})",
    ]
    if len(result.phases) == 3:
        applied, again = result.phases[1:]
        cells += [
            f"{applied.requests:,} / {applied.work.minimum:,}",
            f"{applied.run.wall:.1f} s / {applied.floor:.1f} s ({applied.wall_ratio:.2f})",
            f"{again.run.wall:.1f} s ({again.wall_ratio:.2f})",
            f"{megabytes(plan.run.peak_rss_kib):.0f} / {megabytes(applied.run.peak_rss_kib):.0f} MB",
        ]
    else:  # plan only (the history comparison)
        cells += ["–", "–", "–", f"{megabytes(plan.run.peak_rss_kib):.0f} / – MB"]
    return "| " + " | ".join(cells) + " |"


PHASE_HEADER = (
    "| phase | changes | requests by kind | minimum | requests ÷ minimum | extras (chunks + re-reads) "
    "| wall | latency floor | wall ÷ floor | first request | peak RSS | cwbill CPU | sandbox CPU |\n"
    "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
)
SCALING_HEADER = (
    "| companies | months | live additions | changes | plan requests / minimum | plan wall / floor "
    "| apply requests / minimum | apply wall / floor | second plan wall | peak RSS plan / apply |\n"
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
)

METHOD = """\
## Method

- **Fixed costs** (`bench/fixed.py`). Start-up is the median wall time of 7 runs of the real console
  script in the checkout, `cwbill --version` and `cwbill validate billing`, beside 7 of a bare
  `python -c pass`. A load is timed in a fresh interpreter around the one call a run makes (each
  figure the median of 3 such interpreters: on this shared host one run moves by ±20 %):
  `load_usage` of a 20,000-record snapshot (2,000 companies × 10 months, against the generator's
  repository for them) written once as `cwbill usage pull` writes YAML and once as indented JSON, and
  `load_seed` of a JSON seed of 2,000 companies × 12 months × 3 additions (72,000, every one built
  through the code the API's POST runs); imports and the repository's own loading are left out.
  What each command imports is held by tests/cli/test_startup.py; `python -X importtime` shows it
  (`-c "import sys; sys.argv=['cwbill', 'validate', 'billing']; from reconciler.cli import main; main()"`).
- **World.** `cwbill sandbox serve --companies N --months M` (the generator: one agreement per
  company, 5 catalog items, cwbill-marked history ending 2026-10) runs as its own process, with
  `--latency 1 --latency-seconds 0.05`: every ConnectWise request waits 50 ms before it is handled.
  The billing repository is the generator's (`billing_files`) plus two usage snapshots written as
  `cwbill usage pull` writes them: October repeats the history except one line per company (every
  tenth company drops a license: a delete; the others store 1 GB more: an update), November adds 4
  lines per company (creates). Plans run `--as-of 2026-11-02`, so the scope is October and November
  for every company: about 5 changes per company.
- **cwbill** runs as a real subprocess, `cwbill plan billing --format json` and
  `cwbill apply billing --yes --force`, at its default concurrency (8 requests in flight). Its wall time
  is start to exit (start-up, loading the repository and usage, reading, planning, output); its peak
  memory is the process's own `ru_maxrss` from `wait4`.
- **Requests** are the sandbox's counters by route (`/_sandbox/counters`), reset before each phase.
  The **minimum** is what any client must send for the same work: pages of agreements and catalog
  items (1000 a page), one additions read per agreement in scope, one write per change. cwbill's
  **extras** are by design: its agreement read is split into `company/identifier in (…)` chunks so
  each URL stays short, and after writing, apply re-reads each agreement it created lines on (to
  settle unanswered creates and collapse duplicates).
- The **latency floor** is minimum × 50 ms ÷ 8: the time no client can beat at that concurrency.
  *First request* is when the sandbox first saw a request (polled every 50 ms): what comes before is
  start-up and loading the billing repository and usage.
- The **naive baseline** reads what a hand-written script reads: every agreement, then every
  agreement's additions without conditions (all months), one request at a time, 1000 a page.
  Only its reads are timed.
- **What keeps a plan near its floor** (found with py-spy and cProfile; before, a plan at 2,000
  companies took 22.6 s, 1.80 × its floor): the 2,003 YAML files are built straight from libyaml's
  event stream when PyYAML has it (no node graph, the resolver once per distinct plain text; ≈ 15×
  faster; the pure-Python path stays the reference for every finding, see
  `reconciler/config/yamlevents.py`); usage loads in a thread while agreements and catalog are read,
  and every agreement's additions are read while the engine computes, then kept to the engine's
  exact scope (`PendingAdditions` in `reconciler/connectwise/read.py`); and the `cwbill` entry point
  raises the garbage collector's thresholds and sets a 1 ms GIL switch interval
  (`reconciler/cli/__init__.py`), so reader threads are not kept waiting by the engine; the catalog
  is read beside the agreements, not after them; the review aids and usage notes are worked out
  while the additions are still being read; and the JSON plan is written by one recursive function
  (`reconciler/render/jsontext.py`, the very text of `json.dumps` with an indent, ≈ 2× faster).
  The first reads start while the repository is still loading (`reconciler/reconcile/early.py`):
  the loader tells an observer of the settings, the product mapping and each company as it is built;
  each `company/identifier in (…)` chunk of the agreements read goes out as soon as it is full, and
  as it answers, that chunk's additions reads start — the first request leaves ≈ 0.4 s after start,
  not after the whole repository is loaded and checked (≈ 1.5 s at 2,000 companies). The client's
  request slots are handed out first come, first served (`FairSlots` in `reconciler/httpclient.py`):
  with `threading.Semaphore` a reader thread working through its queue took its slot straight back,
  and the agreements of the next companies waited behind every queued additions read. Each
  company's part of the plan is made as soon as its agreements' additions are in
  (`reconciler/reconcile/overlap.py`; the diff is decided within one company,
  `reconciler/plan/company.py`), and for a JSON plan each change's text is written then too
  (`ChangeTexts` in `reconciler/render/json.py`): after the last read only the merge (≈ 0.06 s at
  2,000 companies, was `build_plan`'s 0.54 s) and the rest of the JSON (≈ 0.24 s, was 0.45 s) remain.
  The sandbox's own handling was made cheaper too (conditions compiled once and cached, one send per
  response): it holds its GIL ≈ 0.6 ms a request, where it was ≈ 0.9 ms.
- **What keeps the fixed costs low** (issue 16, measured with `python -X importtime`, cProfile and
  py-spy): each command's module is imported only when that command runs (`lazy_command` in
  `reconciler/cli/__init__.py`), so `--version` loads no parser, schema, HTTP client or renderer and
  `validate` no httpx or rich (tests/cli/test_startup.py). typer 0.29 converts every command-line
  value through a pydantic `TypeAdapter` (importing pydantic and building them: ≈ 0.1 s of every
  command); cwbill converts the plain ones itself, exactly as typer does, and leaves anything else,
  with every error message, to typer (`reconciler/cli/coercion.py`, held to typer's results by
  tests/cli/test_coercion.py), so no command imports pydantic. Valid data is recognised by a
  predicate written as Python source from each schema, one function per schema node
  (`reconciler/config/schemacheck.py`, ≈ 30× faster than jsonschema, which still explains what is
  invalid), and the shipped schemas are checked against the metaschema by a test, not on every run.
  JSON goes through the json module with exact decimals, its positions found only when a finding
  asks for one (`reconciler/config/jsonload.py`); a usage file in YAML keeps no positions while it
  loads either (≈ 30 % of the fast path's time) and builds them from its text again the first time a
  finding needs one (`lazy_positions` in `reconciler/config/yamlload.py`), which leaves libyaml's own
  parsing (≈ 0.6 s of the 1.3 s for 20,000 records). The alias-bomb guard counts what aliases
  expand, so a large file without aliases is never refused.
"""


def _fixed_markdown(costs: FixedCosts) -> list[str]:
    return [
        "## Fixed costs",
        "",
        "| what | seconds |",
        "| --- | ---: |",
        f"| `python -c pass` (a bare interpreter) | {costs.bare:.3f} |",
        f"| `cwbill --version` | {costs.version:.3f} |",
        f"| `cwbill validate billing` (the example) | {costs.validate:.3f} |",
        f"| 20,000-record usage file, JSON ({costs.usage_bytes[0] / 1e6:.1f} MB) | {costs.usage_json:.2f} |",
        f"| 20,000-record usage file, YAML ({costs.usage_bytes[1] / 1e6:.1f} MB) | {costs.usage_yaml:.2f} |",
        f"| 72,000-addition seed, JSON ({costs.seed_bytes / 1e6:.1f} MB) | {costs.seed_json:.2f} |",
        f"| … of which reading and checking the file | {costs.seed_read:.2f} |",
        "",
    ]


def markdown(
    results: Sequence[ScaleResult],
    verdicts: Sequence[Verdict],
    machine: Machine,
    command: str,
    main: ScaleResult | None,
    *,
    load: str = "",
    fixed: FixedCosts | None = None,
) -> str:
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "# Performance",
        "",
        f"Written by the benchmark itself (`{command}`) on {today}. Re-run it to refresh this page; "
        "`make bench SCALE=all` adds 10,000 companies. The figures are wall times of real processes: "
        "other work on the machine (see the load average) makes them slower, never faster.",
        "",
        f"**Machine:** {machine.describe()}; {load or 'load not recorded'}. cwbill and the sandbox run "
        "as two processes, so with 2 CPUs any other work on the machine slows the figures.",
        "",
        "## Targets",
        "",
        "| target | result | figures |",
        "| --- | --- | --- |",
        *(f"| {v.target} | {'met' if v.met else '**missed**'} | {v.figures} |" for v in verdicts),
        "",
    ]
    if fixed is not None:
        parts += _fixed_markdown(fixed)
    if main is not None:
        parts += [f"## The phases at {_title(main)}", "", PHASE_HEADER, *map(_phase_row, main.phases), ""]
        parts += ["### Where the time goes", "", *map(_where, main.phases), ""]
        if main.naive is not None:
            parts += ["### Against a naive script", "", _naive_markdown(main), ""]
    parts += [
        "## Scaling",
        "",
        SCALING_HEADER,
        *map(
            _scaling_row, sorted(results, key=lambda r: (r.scenario.spec.companies, r.scenario.spec.months))
        ),
        "",
        METHOD,
    ]
    return "\n".join(parts)
