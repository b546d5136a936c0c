"""The `cwbill-validate` pre-commit hook in a separate billing repository, run by pre-commit itself.

The hook's repository is a local clone of this one at HEAD (so it tests what is committed): pre-commit
installs cwbill from it into its own environment, which needs the package index. When that cannot be
built (offline), the tests skip and say why. Slow: the environment takes a few seconds to build, once
per test module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PROJECT, edit

pytestmark = pytest.mark.slow

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
BROKEN = "billing/companies/beta.yaml:11:11: configurations[0].send: send: average is not"


@dataclass(frozen=True, slots=True)
class HookSource:
    clone: Path
    rev: str
    home: Path  # PRE_COMMIT_HOME, shared by the module's tests so the environment is built once


def _git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=120)
    return done.stdout.strip()


def _pre_commit(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    # the environment passes through (pip's index, certificates and proxy settings live there), but
    # not pre-commit's own switches, and not cwbill's secrets: the hook needs none
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PRE_COMMIT", "CW_", "MBS_")) and name != "SKIP"
    }
    env["PRE_COMMIT_HOME"] = str(home)
    return subprocess.run(
        [str(PRE_COMMIT), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=900
    )


@pytest.fixture(scope="module")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> HookSource:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path_factory.mktemp("hook")
    clone = root / "cwbill"
    _git("clone", "--quiet", str(PROJECT), str(clone), cwd=root)
    return HookSource(clone, _git("rev-parse", "HEAD", cwd=clone), root / "pre-commit-home")


def _billing_repository(source: HookSource, target: Path, *, at_root: bool) -> Path:
    """A new git repository holding the clone's billing/ (at its root, or as billing/) and a
    .pre-commit-config.yaml that uses the hook; returns where the billing files are."""
    target.mkdir()
    _git("init", "--quiet", cwd=target)
    billing = target if at_root else target / "billing"
    shutil.copytree(source.clone / "billing", billing, dirs_exist_ok=True)
    args = "\n        args: [.]" if at_root else ""
    (target / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {source.clone}\n    rev: {source.rev}\n    hooks:\n"
        f"      - id: cwbill-validate{args}\n",
        encoding="utf-8",
    )
    _git("add", "--all", cwd=target)
    return billing


@pytest.fixture(scope="module")
def built(hook_source: HookSource, tmp_path_factory: pytest.TempPathFactory) -> HookSource:
    """The hook's environment, built once; a skip with pre-commit's reason when it cannot be."""
    probe = tmp_path_factory.mktemp("probe") / "repo"
    _billing_repository(hook_source, probe, at_root=False)
    done = _pre_commit("install-hooks", cwd=probe, home=hook_source.home)
    if done.returncode != 0:
        lines = [line.strip() for line in (done.stdout + done.stderr).splitlines()]
        reason = next((line for line in lines if line.startswith("ERROR:")), lines[-1] if lines else "")
        pytest.skip(f"pre-commit could not build the hook's environment (offline?): {reason}")
    return hook_source


@pytest.mark.parametrize(
    "at_root", [False, True], ids=["billing/ in the repository", "the repository is billing/"]
)
def test_the_hook_passes_a_valid_repository_and_rejects_a_broken_file(
    built: HookSource, tmp_path: Path, at_root: bool
) -> None:
    repository = tmp_path / "repo"
    billing = _billing_repository(built, repository, at_root=at_root)
    passed = _pre_commit("run", "--all-files", cwd=repository, home=built.home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "cwbill validate" in passed.stdout
    assert "Passed" in passed.stdout

    edit(billing / "companies" / "beta.yaml", "send: total", "send: average")
    _git("add", "--all", cwd=repository)
    failed = _pre_commit("run", "--all-files", cwd=repository, home=built.home)
    assert failed.returncode == 1
    assert "Failed" in failed.stdout
    finding = BROKEN.removeprefix("billing/") if at_root else BROKEN
    assert finding in failed.stdout
