"""`.ci/run` is what CI executes on a clean clone: it must parse as bash and end by running `make test`
(nothing weaker), installing the Debian packages the suite's tests need when they are missing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

CI_RUN = Path(__file__).resolve().parents[2] / ".ci" / "run"


def test_ci_run_parses_as_bash() -> None:
    checked = subprocess.run(["bash", "-n", str(CI_RUN)], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr


def test_ci_run_fails_fast_and_ends_with_the_whole_suite() -> None:
    lines = [line.strip() for line in CI_RUN.read_text(encoding="utf-8").splitlines()]
    commands = [line for line in lines if line and not line.startswith("#")]
    assert "set -euo pipefail" in commands
    assert commands[-1] == "make test"


@pytest.mark.parametrize("package", ["chromium", "cmark-gfm", "zsh"])
def test_ci_run_installs_each_package_a_test_needs_when_missing(package: str) -> None:
    text = CI_RUN.read_text(encoding="utf-8")
    assert f"command -v {package} >/dev/null 2>&1 || missing+=({package})" in text
