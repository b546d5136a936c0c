"""Crash and re-run: a real `cwbill apply` killed with SIGKILL at seeded random points while it writes.

Each point starts a fresh world (the generated workload, 139 writes to make, each delayed 10 ms by
the sandbox so the writing lasts over a second), kills the process after a random number of journal
lines or a random time after its first write, and runs `cwbill apply` again. It must converge within two runs:
ConnectWise holds exactly the fault-free reference, no duplicate, no unmarked line touched, and the
journal has a `sending` entry for every write the sandbox committed (including those whose answer
the kill took).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reliability.harness import Bench, billed_lines, check_journal, duplicates
from tests.reliability.matrix import reference
from tests.reliability.processes import environment, kill_when, run_apply, start_apply
from tests.reliability.world import unmarked

KILL_POINTS = 24
FULL_RUN_LINES = 278  # journal lines of the uninterrupted run


@dataclass(frozen=True, slots=True)
class KillPoint:
    number: int
    lines: int = 0  # kill once the journal has this many lines
    delay: float = 0.0  # or this many seconds after the first journal line

    def __str__(self) -> str:
        when = f"{self.lines} journal lines" if self.lines else f"{self.delay:.2f} s of writing"
        return f"kill {self.number:02d} after {when}"


def kill_points() -> list[KillPoint]:
    rng = random.Random(2026)  # the points are seeded: a failure names one that can be re-run
    return [
        KillPoint(n, lines=rng.randint(1, FULL_RUN_LINES - 30))
        if n % 2 == 0
        else KillPoint(n, delay=rng.uniform(0.0, 0.5))
        for n in range(KILL_POINTS)
    ]


@pytest.mark.slow
@pytest.mark.parametrize("point", kill_points(), ids=str)
def test_a_killed_apply_converges_on_the_next_runs(
    served: tuple[Bench, str], tmp_path: Path, point: KillPoint
) -> None:
    bench, url = served
    expected = reference("generated")
    env = environment(url)
    process = start_apply(tmp_path, env, bench.journal, "--concurrency", "2")
    assert kill_when(process, bench.journal, lines=point.lines, delay=point.delay), "it ended first"
    committed_before = len(bench.sandbox.writes())
    codes: list[int] = []
    for _ in range(2):  # "converges within two runs"
        rerun = run_apply(tmp_path, env, bench.journal, "--concurrency", "2")
        assert "Traceback" not in rerun.stderr, rerun.stderr
        codes.append(rerun.returncode)
        if rerun.returncode == 0:
            break
    bench.sandbox.wait_idle()
    store = bench.sandbox.store
    assert codes[-1] == 0, codes
    assert duplicates(store) == 0
    assert billed_lines(store) == expected
    assert unmarked(store) == bench.before_unmarked
    unheard = check_journal(bench.journal, bench.sandbox.writes(), crashed=True)
    print(
        f"\n| {point} | writes before the kill {committed_before} | "
        f"re-runs {len(codes)} ({codes}) | ids the kill kept from the journal {len(unheard)} | duplicates 0 |"
    )
