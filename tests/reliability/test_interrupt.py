"""Ctrl-C and SIGTERM, sent for real to a real `cwbill` process against the served sandbox.

During apply's writes (the generated workload, each write slowed 10 ms by the sandbox): no new write
is sent, the ones in flight end, the journal names every change not sent, the counts are printed and
the exit is 130; the same `apply --plan` then resumes and converges on the fault-free reference with
no duplicate. During a plan (reads slowed): `interrupted`, exit 130, no traceback.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.reliability.harness import Bench, billed_lines, duplicates
from tests.reliability.matrix import reference
from tests.reliability.processes import CWBILL, environment, lines_in, run_apply, start_apply
from tests.reliability.world import AS_OF, unmarked

COUNTS = re.compile(
    r"interrupted: (?P<done>\d+) of (?P<planned>\d+) writes done \((?P<created>\d+) created, "
    r"(?P<updated>\d+) updated, (?P<deleted>\d+) deleted; "
    r"(?P<failed>\d+) failed, (?P<unsent>\d+) not sent\)\."
)


def _events(journal: Path, event: str) -> int:
    lines = journal.read_text(encoding="utf-8").splitlines()
    return sum(json.loads(line)["event"] == event for line in lines if line.strip())


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_a_signal_mid_apply_stops_the_writes_and_the_same_apply_resumes_them(
    served: tuple[Bench, str], tmp_path: Path, number: signal.Signals
) -> None:
    bench, url = served
    env = environment(url)
    planned = subprocess.run(
        [CWBILL, "plan", "billing", "--as-of", AS_OF, "--out", "plan.json"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert planned.returncode == 0, planned.stderr
    changes = len(json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))["changes"])
    process = start_apply(tmp_path, env, bench.journal, "--plan", "plan.json", "--concurrency", "2")
    while process.poll() is None and lines_in(bench.journal) < 30:  # about 15 writes in
        time.sleep(0.002)
    process.send_signal(number)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    counts = COUNTS.search(err)
    assert counts is not None, err
    done, unsent = int(counts["done"]), int(counts["unsent"])
    assert int(counts["planned"]) == changes
    assert 0 < done < changes and unsent > 0
    assert done + int(counts["failed"]) + unsent == changes
    assert done == int(counts["created"]) + int(counts["updated"]) + int(counts["deleted"])
    assert "--plan plan.json` again: it resumes this plan" in err
    bench.sandbox.wait_idle()
    assert len(bench.sandbox.writes()) == done  # every write sent ended, and was counted
    assert _events(bench.journal, "not-sent") == unsent

    rerun = run_apply(tmp_path, env, bench.journal, "--plan", "plan.json", "--concurrency", "2")
    assert rerun.returncode == 0, rerun.stderr
    assert f"{done} of {changes} changes of this plan are in ConnectWise already" in rerun.stderr
    bench.sandbox.wait_idle()
    assert duplicates(bench.sandbox.store) == 0
    assert billed_lines(bench.sandbox.store) == reference("generated")
    assert unmarked(bench.sandbox.store) == bench.before_unmarked
    assert len(bench.sandbox.writes()) == changes  # each change written once, over the two runs
    print(
        f"\n| {number.name} after 30 journal lines | {counts[0]} | re-run: exit 0, {changes - done} written |"
    )


def test_ctrl_c_during_a_plan_says_interrupted_and_exits_130(
    served: tuple[Bench, str], tmp_path: Path
) -> None:
    bench, url = served
    bench.sandbox.faults.update({"latency": 1.0, "latency_seconds": 0.2, "methods": ["GET"]})
    process = subprocess.Popen(
        [CWBILL, "plan", "billing", "--as-of", AS_OF],
        cwd=tmp_path, env=environment(url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    while process.poll() is None and not bench.sandbox.counters.to_json()["total"]:
        time.sleep(0.005)  # it is reading
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err.splitlines()[-1] == "interrupted"
    assert "Traceback" not in err
    assert out == ""  # no plan: it was not made
