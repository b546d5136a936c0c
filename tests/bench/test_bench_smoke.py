"""The benchmark's machinery at a tiny scale (20 companies, no latency), so that it cannot silently rot.

It runs what `make bench` runs — the generated world served by a `cwbill sandbox serve` subprocess,
cwbill as real subprocesses, the naive baseline — and checks the request accounting exactly:
requests = minimum + the known extras, one write per change, nothing left to do afterwards. It asserts
no timing: those belong to `make bench` on a quiet machine.
"""

from __future__ import annotations

import pytest

from bench import accounting, report, targets
from bench.accounting import Work
from bench.machine import this_machine
from bench.scale import ScaleResult, Settings, measure
from reconciler.sandbox.generator import GeneratorSpec

COMPANIES = 20


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> ScaleResult:
    spec = GeneratorSpec(COMPANIES, 3, seed=1)
    return measure(
        spec, Settings(latency=0.0, concurrency=4, naive=True), tmp_path_factory.mktemp("bench"), False
    )


def test_the_world_asks_for_five_changes_per_company(result: ScaleResult) -> None:
    plan = result.phases[0]
    assert plan.name == "plan"
    assert plan.changes_total == result.scenario.expected_changes == 5 * COMPANIES
    assert plan.changes["create"] == 4 * COMPANIES


def test_a_plan_sends_exactly_the_minimum(result: ScaleResult) -> None:
    for phase in (result.phases[0], result.phases[2]):
        assert phase.kinds == {"read agreements": 1, "read catalog": 1, "read additions": COMPANIES}
        assert phase.requests == phase.work.minimum == 1 + 1 + COMPANIES
        assert phase.extras.total == 0


def test_an_apply_writes_once_per_change_and_its_extras_are_the_known_ones(result: ScaleResult) -> None:
    plan, applied, again = result.phases
    assert {kind: applied.kinds.get(kind, 0) for kind in accounting.WRITES} == plan.changes
    assert applied.writes == applied.writes_committed == plan.changes_total
    assert applied.changes == plan.changes
    assert applied.extras.agreement_chunks == 0
    assert applied.extras.verification_reads == result.scenario.agreements_with_creates
    assert applied.requests == applied.work.minimum + applied.extras.total
    assert again.changes_total == 0 and again.writes == 0


def test_the_naive_baseline_reads_every_addition_one_agreement_at_a_time(result: ScaleResult) -> None:
    assert result.naive is not None
    assert result.naive.requests == 1 + COMPANIES
    assert result.naive.records == result.scenario.live_additions


def test_each_cwbill_run_is_measured(result: ScaleResult) -> None:
    for phase in result.phases:
        assert phase.run.exit_code in (0, 2)
        assert phase.run.peak_rss_kib > 0 and phase.run.wall > 0
        assert phase.run.first_request is not None


def test_the_figures_render_as_text_and_markdown(result: ScaleResult) -> None:
    text = "\n".join(report.scale_text(result))
    assert f"minimum   {1 + 1 + COMPANIES:,} = agreement pages 1 + catalog pages 1" in text
    verdicts = targets.per_scale(result, judge_walls=True)  # no latency, so no wall is judged
    assert [v.target for v in verdicts] == [
        "plan requests ≤ 1.02 × minimum",
        "apply writes = changes exactly",
    ]
    assert all(v.met for v in verdicts)
    page = report.markdown([result], verdicts, this_machine(), "python -m bench --scales 20", result)
    assert "| plan | 100 changes (create 80, update 18, delete 2) |" in page


@pytest.mark.parametrize(
    ("companies", "agreement_requests", "minimum"),
    [(20, 1, 22), (200, 2, 202), (2000, 18, 2003), (10000, 87, 10011)],
    ids=["one-chunk", "two-chunks", "default-scale", "largest-scale"],
)
def test_agreement_reads_are_chunked_by_url_length_and_pages_count_1000(
    companies: int, agreement_requests: int, minimum: int
) -> None:
    identifiers = [f"C{n:05d}" for n in range(1, companies + 1)]
    assert accounting.agreement_requests(identifiers) == agreement_requests
    assert Work(companies, 5, companies, 0).minimum == minimum


def test_the_latency_floor_is_the_minimum_at_the_given_concurrency() -> None:
    assert Work(2000, 5, 2000, 10000).floor(0.05, 8) == pytest.approx(12003 * 0.05 / 8)
