"""Two applies at once on one billing repository.

On one machine the apply lock lets one run and refuses the other at once, before it reads anything
(exit 1, "another cwbill apply is running against …"). Two machines share no lock (simulated here by
a temporary directory each): both plan the same creates, and the verification after the writes
deletes the exact duplicates, each writer keeping the lowest id — so they end in the same state.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.harness import Bench, billed_lines, check_journal, duplicates
from tests.reliability.matrix import reference
from tests.reliability.processes import environment, start_apply
from tests.reliability.world import unmarked


def both(bench: Bench, tmp_path: Path, url: str, temporary: tuple[Path, Path]) -> list[tuple[int, str]]:
    journals = (tmp_path / "first.jsonl", tmp_path / "second.jsonl")
    processes = [
        start_apply(tmp_path, environment(url, TMPDIR=str(folder)), journal, "-v")
        for folder, journal in zip(temporary, journals, strict=True)
    ]
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


def assert_right(bench: Bench) -> None:
    store = bench.sandbox.store
    assert duplicates(store) == 0
    assert billed_lines(store) == reference("generated")
    assert unmarked(store) == bench.before_unmarked


@pytest.mark.slow
def test_on_one_machine_the_second_apply_is_refused(served: tuple[Bench, str], tmp_path: Path) -> None:
    bench, url = served
    shared = tmp_path / "tmp"
    shared.mkdir()
    outcomes = both(bench, tmp_path, url, (shared, shared))
    assert sorted(code for code, _ in outcomes) == [0, 1], outcomes
    refused = next(err for code, err in outcomes if code == 1)
    assert f"another cwbill apply is running against {url}" in refused
    assert "nothing was written" in refused
    assert_right(bench)


@pytest.mark.slow
def test_on_two_machines_both_apply_and_the_duplicates_are_collapsed(
    served: tuple[Bench, str], tmp_path: Path
) -> None:
    bench, url = served
    machines = (tmp_path / "machine-a", tmp_path / "machine-b")
    for folder in machines:
        folder.mkdir()
    outcomes = both(bench, tmp_path, url, machines)
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    assert_right(bench)
    posts = [w for w in bench.sandbox.writes() if w.method == "POST"]
    doubled = len(posts) - len({(w.agreement_id, str(w.body)) for w in posts})
    assert doubled > 0, "the two applies did not overlap: nothing was proven"
    print(f"\nboth applied; lines created twice: {doubled}, all deleted on re-read")
