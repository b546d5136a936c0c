"""Faults on real sockets: the sandbox served over HTTP on loopback, cwbill with a short timeout.

What only a socket shows: a request delayed *before* it is handled, past the client's timeout, is
still handled afterwards — a POST the client gave up on commits later (a straggler). Resets and lost
responses arrive as the errors a real connection raises. The invariants are the fault matrix's,
checked once every request the server accepted has finished.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.httpclient import RetryPolicy
from reconciler.sandbox import API_PATH, serve_in_thread
from tests.reliability.harness import Bench, billed_lines, check, duplicates, journal_entries
from tests.reliability.matrix import ALL_FIVE, reference, workload

TIMEOUT = 0.5  # the client's timeout; delayed and stalled requests take 0.7 s (within 2 × TIMEOUT)
CASES = {
    "stragglers: 20% of POSTs handled after the client gave up": {
        "seed": 4,
        "latency": 0.2,
        "latency_seconds": 0.7,
        "methods": ["POST"],
    },
    "mixed on sockets: 5 × 6% and 10% stragglers": {
        "seed": 9,
        **dict.fromkeys(ALL_FIVE, 0.06),
        "retry_after": 0,
        "slow_seconds": 0.7,
        "latency": 0.1,
        "latency_seconds": 0.7,
    },
}


@pytest.fixture
def bench(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Bench]:
    world = Bench(workload("generated"), tmp_path, sandbox_sleep=time.sleep)
    with serve_in_thread(world.sandbox) as url:
        monkeypatch.setenv("CW_URL", url + API_PATH)
        yield world
        world.sandbox.wait_idle()


@pytest.mark.slow
@pytest.mark.parametrize("faults", list(CASES.values()), ids=list(CASES))
def test_apply_over_http_converges_without_duplicates(bench: Bench, faults: dict[str, object]) -> None:
    expected = reference("generated")
    bench.sandbox.faults.update(faults)
    policy = RetryPolicy(timeout=TIMEOUT, base_delay=0.02, max_delay=0.2)
    outcome = bench.converge(concurrency=4, over_http=True, policy=policy)
    assert outcome.codes[-1] == 0, outcome.codes
    bench.quiet()
    bench.sandbox.wait_idle()  # every straggler has landed
    check(bench, expected)
    events = Counter(str(e["event"]) for e in journal_entries(bench.journal))
    unclear = {k: events[k] for k in ("ambiguous", "unsettled", "recovered", "landed")}
    print(f"\nruns {outcome.codes}, faults {outcome.faults}, writes {outcome.writes}, POSTs {unclear}")


@pytest.mark.slow
def test_a_commit_later_than_the_settle_window_is_removed_by_the_next_run(bench: Bench) -> None:
    """ConnectWise takes no idempotency key: a POST that lands more than twice the timeout after it
    was sent can double a line after cwbill last looked. The next run's plan shows it as a
    duplicate and deletes it; nothing else is off."""
    expected = reference("generated")
    bench.sandbox.faults.update({"seed": 4, "latency": 0.2, "latency_seconds": 1.6, "methods": ["POST"]})
    policy = RetryPolicy(timeout=TIMEOUT, base_delay=0.02, max_delay=0.2)
    outcome = bench.converge(concurrency=4, over_http=True, policy=policy)
    assert outcome.codes[-1] == 0, outcome.codes
    bench.quiet()
    bench.sandbox.wait_idle()
    late = duplicates(bench.sandbox.store)
    assert bench.apply_once(over_http=True, policy=policy) == 0
    assert duplicates(bench.sandbox.store) == 0
    assert billed_lines(bench.sandbox.store) == expected
    print(f"\nlate duplicates {late}, removed by the next run")
