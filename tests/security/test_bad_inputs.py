"""The bad-input corpus (tests/data/bad/, listed in its README): each case through the real entry point.

Every case runs `cwbill apply` against the served demo sandbox: exit 1, each expected line (with
its file, line and column) on stderr, no traceback, no secret, and no write to ConnectWise — the
sandbox's `writes_committed` counter stays 0 (one sandbox serves the whole module, so it stays 0
across every case). A handful run again as real subprocesses. Cases with
an `# xfail:` line are known defects outside this suite's files; they are strict xfails, so they
turn into failures the moment they are fixed (and the line must go).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.security.badinput import BAD, BadCase, files_without_sidecar, load_cases
from tests.security.conftest import FAKE, Served, leaks

CASES = load_cases()
SUBPROCESS = (
    "company-tabs",
    "company-latin1",
    "settings-secret-key",
    "usage-unmapped-negative",
    "plan-edited-by-hand",
    "dir-missing",
)


def params(cases: list[BadCase]) -> list[object]:
    return [
        pytest.param(case, id=case.name, marks=[pytest.mark.xfail(strict=True, reason=case.xfail)])
        if case.xfail
        else pytest.param(case, id=case.name)
        for case in cases
    ]


def test_the_corpus_holds_40_files_each_with_its_expectation_and_listed() -> None:
    assert len([case for case in CASES if case.data is not None]) >= 40
    assert files_without_sidecar() == []
    assert all(case.expected for case in CASES), [case.name for case in CASES if not case.expected]
    readme = (BAD / "README.md").read_text(encoding="utf-8")
    assert [case.name for case in CASES if f"`{case.name}" not in readme] == []


def refused(world: Served, case: BadCase, root: Path) -> None:
    case.install(root)
    result = world.cwbill(*case.args)
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    missing = [line for line in case.expected if line not in result.err]
    assert missing == [], result.err
    assert leaks(result.text) == []
    assert world.writes() == 0


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input_is_refused_with_its_message_and_nothing_is_written(
    case: BadCase, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # A known defect may write: it gets a sandbox of its own, so it cannot spoil the shared one.
    world: Served = request.getfixturevalue("served" if case.xfail else "read_only")
    refused(world, case, tmp_path)


@pytest.mark.parametrize("case", params([c for c in CASES if c.name in SUBPROCESS]))
def test_as_a_real_process_too(read_only: Served, case: BadCase, tmp_path: Path) -> None:
    case.install(tmp_path)
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    env = {**keep, **FAKE, "CW_URL": os.environ["CW_URL"], "NO_COLOR": "1"}
    cwbill = str(Path(sys.executable).parent / "cwbill")
    done = subprocess.run(
        [cwbill, *case.args], check=False, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert [line for line in case.expected if line not in done.stderr] == []
    assert read_only.writes() == 0
