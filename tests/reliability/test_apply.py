"""The writer's rules for an unclear POST, and its verification, one scripted fault at a time.

The demo world (10 creates, 2 updates, 3 deletes) in process. A `Gateway` transport stands between
cwbill and the sandbox where the sandbox has no such fault: a proxy that answers 502 whether or not
the origin committed, a 201 without a body, a re-read that keeps failing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from reconciler.connectwise.apply import create_body
from reconciler.plan.model import Action, Reason
from reconciler.reconcile.writes import execute
from tests.reliability.harness import Bench, billed_lines, check_journal, duplicates, journal_entries
from tests.reliability.matrix import reference, workload

Answer = Callable[[httpx.Request, Callable[[], httpx.Response]], httpx.Response]


class Gateway(httpx.BaseTransport):
    """Passes requests to the sandbox; `answer(request, forward)` decides what cwbill gets back."""

    def __init__(self, inner: httpx.BaseTransport, answer: Answer) -> None:
        self.inner = inner
        self.answer = answer

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        def forward() -> httpx.Response:
            response = self.inner.handle_request(request)
            response.read()
            return response

        return self.answer(request, forward)


def first_post(change: Callable[[httpx.Request, Callable[[], httpx.Response]], httpx.Response]) -> Answer:
    seen: list[bool] = []

    def answer(request: httpx.Request, forward: Callable[[], httpx.Response]) -> httpx.Response:
        if request.method == "POST" and not seen:
            seen.append(True)
            return change(request, forward)
        return forward()

    return answer


@pytest.fixture
def bench(tmp_path: Path) -> Bench:
    return Bench(workload("demo"), tmp_path, sandbox_sleep=lambda seconds: None)


def run_with(bench: Bench, transport: httpx.BaseTransport | None = None) -> tuple[int, list[str]]:
    """Plan and apply once: the failures' count and their messages."""
    client = bench.client(transport=transport)
    try:
        report = execute(bench.plan(client), client, bench.journal)
    finally:
        client.http.close()
    return len(report.failures), [f.message for f in report.failures]


def events(bench: Bench) -> list[str]:
    return [str(e["event"]) for e in journal_entries(bench.journal) if e["action"] == "create"]


def posts(bench: Bench) -> int:
    return sum(w.method == "POST" for w in bench.sandbox.writes())


def test_a_timed_out_post_that_is_not_there_waits_out_the_settle_window_before_it_is_sent_again(
    bench: Bench,
) -> None:
    bench.sandbox.faults.update({"queue": ["slow"], "methods": ["POST"], "slow_commits": False})
    assert run_with(bench) == (0, [])
    unclear = [e for e in journal_entries(bench.journal) if e["action"] == "create"]
    first = next(i for i, e in enumerate(unclear) if e["event"] == "unsettled")
    key = (unclear[first]["product"], unclear[first]["period"])
    story = [str(e["event"]) for e in unclear if (e["product"], e["period"]) == key]
    assert story == ["sending", "ambiguous", "unsettled", "sending", "created"]
    assert bench.outcome.waited >= 2 * 30 - 1  # twice the client's 30 s timeout, before re-reading
    assert posts(bench) == 10 and duplicates(bench.sandbox.store) == 0


def test_a_create_unanswered_twice_is_left_to_the_next_run(bench: Bench) -> None:
    def black_hole(request: httpx.Request, forward: Callable[[], httpx.Response]) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/agreements/5/additions"):
            raise httpx.ReadTimeout("timed out", request=request)  # EPSILON's one line: never answered
        return forward()

    failed, messages = run_with(bench, Gateway(bench.sandbox.transport(), black_hole))
    assert failed == 1 and "the next run creates it if it never lands" in messages[0]
    assert posts(bench) == 9
    assert bench.apply_once() == 0
    assert billed_lines(bench.sandbox.store) == reference("demo")


def test_a_timed_out_post_that_committed_is_recovered_not_doubled(bench: Bench) -> None:
    bench.sandbox.faults.update({"queue": ["slow"], "methods": ["POST"]})
    assert run_with(bench) == (0, [])
    assert posts(bench) == 10
    assert "recovered" in events(bench)
    assert duplicates(bench.sandbox.store) == 0


@pytest.mark.parametrize(
    ("status", "commits", "story"),
    [
        (502, True, ["sending", "ambiguous", "recovered"]),  # committed behind the proxy: found
        (502, False, ["sending", "ambiguous", "unsettled", "sending", "created"]),  # sent after the wait
        (504, False, ["sending", "ambiguous", "unsettled", "sending", "created"]),
    ],
    ids=[
        "a 502 after a commit is recovered",
        "a 502 without a commit is sent again only after the settle window",
        "so is a 504",
    ],
)
def test_a_gateway_error_is_never_re_sent_blindly(
    bench: Bench, status: int, commits: bool, story: list[str]
) -> None:
    def gateway(request: httpx.Request, forward: Callable[[], httpx.Response]) -> httpx.Response:
        if commits:
            forward()
        return httpx.Response(status, json={"message": "Bad gateway"}, request=request)

    assert run_with(bench, Gateway(bench.sandbox.transport(), first_post(gateway))) == (0, [])
    assert events(bench)[: len(story)] == story
    assert posts(bench) == 10
    assert billed_lines(bench.sandbox.store) == reference("demo")
    check_journal(bench.journal, bench.sandbox.writes())


def test_a_500_from_connectwise_itself_is_re_read_then_sent_again(bench: Bench) -> None:
    bench.sandbox.faults.update({"queue": ["server_error"], "methods": ["POST"]})
    assert run_with(bench) == (0, [])
    assert events(bench)[:3] == ["sending", "ambiguous", "sending"]
    assert posts(bench) == 10


def test_a_201_without_an_id_is_found_by_re_reading(bench: Bench) -> None:
    def empty(request: httpx.Request, forward: Callable[[], httpx.Response]) -> httpx.Response:
        forward()
        return httpx.Response(201, content=b"", request=request)

    assert run_with(bench, Gateway(bench.sandbox.transport(), first_post(empty))) == (0, [])
    assert "recovered" in events(bench)
    check_journal(bench.journal, bench.sandbox.writes())


def test_a_line_another_writer_created_meanwhile_is_collapsed_to_the_lowest_id(bench: Bench) -> None:
    client = bench.client()
    plan = bench.plan(client)
    create = next(c for c in plan.changes if c.action is Action.CREATE)
    other = bench.client()  # another machine, between our plan and our writes
    theirs = other.create_addition(create.agreement_id, create_body(create)).json()["id"]
    other.http.close()
    report = execute(plan, client, bench.journal)
    client.http.close()
    assert not report.failures
    ours = next(r.addition_id for r in report.results if r.change == create)
    collapsed = [r.change.addition_id for r in report.results if r.change.reason is Reason.DUPLICATE]
    assert ours is not None and ours > theirs
    assert ours in collapsed  # the higher id goes, as the other writer's own verification would do
    assert theirs in bench.sandbox.store.additions
    assert duplicates(bench.sandbox.store) == 0
    assert billed_lines(bench.sandbox.store) == reference("demo")


def test_a_verification_that_cannot_read_is_a_failure_not_a_pass(bench: Bench) -> None:
    wrote: list[bool] = []

    def after_writes(request: httpx.Request, forward: Callable[[], httpx.Response]) -> httpx.Response:
        if request.method == "POST":
            wrote.append(True)
        if request.method == "GET" and wrote and "/additions" in request.url.path:
            return httpx.Response(503, json={"message": "down"}, request=request)
        return forward()

    failed, messages = run_with(bench, Gateway(bench.sandbox.transport(), after_writes))
    assert failed > 0 and all("could not re-read agreement" in m for m in messages)
    assert bench.apply_once() == 0  # the next run's plan finds nothing to do but what failed
    assert duplicates(bench.sandbox.store) == 0
