"""Two applies at once on one billing repository.

On one machine the apply lock lets one run and refuses the other at once, before it reads anything
(exit 1, "another cwbill apply is running against …"). Two machines share no lock (simulated here by
a temporary directory each): both plan the same creates, and the verification after the writes
deletes the exact duplicates, each writer keeping the lowest id — so they end in the same state.

Neither test leaves the overlap to the machine's speed: the sandbox holds every write at a gate that
opens only once the race is set up (the refused run has exited; both writers have journaled a first
write, so both planned before either wrote), or after a minute.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from reconciler.sandbox import serve_in_thread
from tests.reliability.harness import Bench, billed_lines, check_journal, duplicates
from tests.reliability.matrix import WRITES, reference, workload
from tests.reliability.processes import environment, lines_in, start_apply
from tests.reliability.world import unmarked

GATE_SECONDS = 60.0  # the longest a write is held when the race never sets up (the test then fails)


class Gate:
    """The sandbox's latency sleep for writes: every write waits until `open()`, then sleeps as asked."""

    def __init__(self) -> None:
        self._opened = threading.Event()

    def sleep(self, seconds: float) -> None:
        self._opened.wait(timeout=GATE_SECONDS)
        time.sleep(seconds)

    def open(self) -> None:
        self._opened.set()


Ready = Callable[[Sequence["subprocess.Popen[str]"], tuple[Path, Path]], bool]


@pytest.fixture
def gated(tmp_path: Path) -> Iterator[tuple[Bench, str, Gate]]:
    """`served`'s workload with every write held at a gate the test opens."""
    gate = Gate()
    bench = Bench(workload("generated"), tmp_path, sandbox_sleep=gate.sleep)
    bench.sandbox.faults.update({"latency": 1.0, "latency_seconds": 0.01, "methods": WRITES})
    with serve_in_thread(bench.sandbox) as url:
        yield bench, url, gate
        gate.open()
        bench.sandbox.wait_idle()


def both(
    served: tuple[Bench, str, Gate], tmp_path: Path, temporary: tuple[Path, Path], ready: Ready
) -> list[tuple[int, str]]:
    bench, url, gate = served
    journals = (tmp_path / "first.jsonl", tmp_path / "second.jsonl")
    processes = [
        start_apply(tmp_path, environment(url, TMPDIR=str(folder)), journal, "-v")
        for folder, journal in zip(temporary, journals, strict=True)
    ]
    deadline = time.monotonic() + GATE_SECONDS
    while not ready(processes, journals) and time.monotonic() < deadline:
        time.sleep(0.05)
    gate.open()
    outcomes = []
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert "Traceback" not in err, err
        outcomes.append((process.returncode, err))
    bench.sandbox.wait_idle()
    together = tmp_path / "both.jsonl"  # the two writers' journals tell the story together
    together.write_bytes(b"".join(j.read_bytes() for j in journals if j.exists()))
    check_journal(together, bench.sandbox.writes())
    return outcomes


def any_exited(processes: Sequence[subprocess.Popen[str]]) -> bool:
    return any(process.poll() is not None for process in processes)


def both_journaled(processes: Sequence[subprocess.Popen[str]], journals: tuple[Path, Path]) -> bool:
    """Each writer has journaled its first `sending` (so both planned before either wrote), or one
    has stopped (the test's assertions then say what went wrong)."""
    return any_exited(processes) or all(lines_in(journal) > 0 for journal in journals)


def assert_right(bench: Bench) -> None:
    store = bench.sandbox.store
    assert duplicates(store) == 0
    assert billed_lines(store) == reference("generated")
    assert unmarked(store) == bench.before_unmarked


@pytest.mark.slow
def test_on_one_machine_the_second_apply_is_refused(gated: tuple[Bench, str, Gate], tmp_path: Path) -> None:
    bench, url, _ = gated
    shared = tmp_path / "tmp"
    shared.mkdir()
    outcomes = both(gated, tmp_path, (shared, shared), lambda processes, _: any_exited(processes))
    assert sorted(code for code, _ in outcomes) == [0, 1], outcomes
    refused = next(err for code, err in outcomes if code == 1)
    assert f"another cwbill apply is running against {url}" in refused
    assert "nothing was written" in refused
    assert_right(bench)


@pytest.mark.slow
def test_on_two_machines_both_apply_and_the_duplicates_are_collapsed(
    gated: tuple[Bench, str, Gate], tmp_path: Path
) -> None:
    bench, _, _ = gated
    machines = (tmp_path / "machine-a", tmp_path / "machine-b")
    for folder in machines:
        folder.mkdir()
    outcomes = both(gated, tmp_path, machines, both_journaled)
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    assert_right(bench)
    posts = [w for w in bench.sandbox.writes() if w.method == "POST"]
    doubled = len(posts) - len({(w.agreement_id, str(w.body)) for w in posts})
    assert doubled > 0, "the two applies did not overlap: nothing was proven"
    print(f"\nboth applied; lines created twice: {doubled}, all deleted on re-read")
