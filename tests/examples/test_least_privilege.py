"""The CI recipes keep the keys where they belong (docs/ci.md, "Least privilege"): the read-only
ConnectWise member in plan and drift, the write member only in apply's protected environment;
actions pinned to commit SHAs, no persisted checkout credentials, permissions per job; zizmor finds
nothing in examples/."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.examples.workflows import (
    CW_SECRETS,
    EXAMPLES,
    GITHUB,
    GITHUB_JOBS,
    GITLAB,
    MBS_SECRETS,
    github_workflows,
    load_yaml,
    step,
)

CWBILL = Path(sys.executable).parent / "cwbill"


def _uses(workflow: dict[str, Any]) -> list[str]:
    return [step["uses"] for job in workflow["jobs"].values() for step in job["steps"] if "uses" in step]


PINNED = re.compile(
    r"\s+(?:- )?uses: (?P<action>[\w.-]+/[\w.-]+)@(?P<sha>[0-9a-f]{40})  # (?P<version>v\d+\.\d+\.\d+)"
)


def test_actions_are_pinned_to_full_commit_shas_with_the_version_in_a_comment() -> None:
    """A tag can be moved to other code; a commit cannot. One action, one commit, one version."""
    pins: dict[str, set[tuple[str, str]]] = {}
    for path in sorted(GITHUB.glob("*.yml")):
        uses = [line for line in path.read_text(encoding="utf-8").splitlines() if "uses:" in line]
        assert len(uses) == len(_uses(load_yaml(path))), path.name  # every step's `uses:` is on a line
        for line in uses:
            pinned = PINNED.fullmatch(line)
            assert pinned is not None, f"{path.name}: {line.strip()}"
            pins.setdefault(pinned["action"], set()).add((pinned["sha"], pinned["version"]))
    assert {action: len(found) for action, found in pins.items()} == dict.fromkeys(pins, 1)


@pytest.mark.parametrize("file_name", [name for name, _, _ in GITHUB_JOBS])
def test_permissions_are_per_job_and_checkout_keeps_no_credentials(file_name: str) -> None:
    workflow = github_workflows()[file_name]
    assert workflow["permissions"] == {}  # nothing for the workflow as a whole
    for job in workflow["jobs"].values():
        assert "write-all" not in str(job["permissions"]) and job["permissions"]
        for each in job["steps"]:
            if each.get("uses", "").startswith("actions/checkout@"):
                assert each["with"]["persist-credentials"] is False


# the read-only member's keys, from their own secrets, as the variables cwbill reads
READ_ONLY = {
    "CW_COMPANY_ID": "CW_COMPANY_ID",
    "CW_PUBLIC_KEY": "CW_PLAN_PUBLIC_KEY",
    "CW_PRIVATE_KEY": "CW_PLAN_PRIVATE_KEY",
    "CW_CLIENT_ID": "CW_CLIENT_ID",
}
SECRET_USE = [
    ("cwbill-plan.yml", "plan", ("Doctor", "Plan"), READ_ONLY),
    ("cwbill-apply.yml", "apply", ("Apply",), {name: name for name in CW_SECRETS}),
    ("cwbill-drift.yml", "drift", ("Plan the drift", "Report revenue leakage"), READ_ONLY),
    ("cwbill-usage.yml", "usage", ("Pull the usage",), {name: name for name in MBS_SECRETS}),
]
ALL_SECRETS = (*CW_SECRETS, *MBS_SECRETS, "CW_PLAN_PUBLIC_KEY", "CW_PLAN_PRIVATE_KEY")


@pytest.mark.parametrize(
    ("file_name", "job", "steps", "names"),
    SECRET_USE,
    ids=["plan reads ConnectWise", "apply writes ConnectWise", "drift reads ConnectWise", "usage reads MBS"],
)
def test_secrets_come_from_the_secret_store_only_where_needed(
    file_name: str, job: str, steps: tuple[str, ...], names: dict[str, str]
) -> None:
    workflow = github_workflows()[file_name]
    for name in steps:
        env = step(workflow, job, name)["env"]
        assert {variable: env[variable] for variable in names} == {
            variable: f"${{{{ secrets.{secret} }}}}" for variable, secret in names.items()
        }
    elsewhere = [
        other.get("name")
        for other in workflow["jobs"][job]["steps"]
        if other.get("name") not in steps and any(secret in str(other) for secret in ALL_SECRETS)
    ]
    assert elsewhere == []


def test_the_write_keys_reach_only_the_apply_job_in_its_protected_environment() -> None:
    write_keys = ("secrets.CW_PUBLIC_KEY", "secrets.CW_PRIVATE_KEY")
    for name, workflow in github_workflows().items():
        for job_name, job in workflow["jobs"].items():
            uses_them = any(key in str(job) for key in write_keys)
            assert uses_them == (job_name == "apply"), f"{name} {job_name}"
    assert github_workflows()["cwbill-apply.yml"]["jobs"]["apply"]["environment"] == "billing"


def test_zizmor_reports_nothing_on_the_recipes() -> None:
    """zizmor (dev extras) at its default persona, offline: no finding on examples/."""
    zizmor = shutil.which("zizmor", path=str(CWBILL.parent))
    assert zizmor is not None, "zizmor is a dev extra: pip install -e '.[dev]'"
    result = subprocess.run(
        [zizmor, "--offline", "--no-progress", "--format", "plain", str(EXAMPLES)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("job", "member"),
    [
        ("cwbill-plan", "PLAN"),
        ("cwbill-drift", "PLAN"),
        ("cwbill-leakage", "PLAN"),
        ("cwbill-apply", "APPLY"),
    ],
    ids=["plan reads", "drift reads", "leakage reads", "apply writes"],
)
def test_gitlab_jobs_use_the_member_their_work_needs(job: str, member: str) -> None:
    found = load_yaml(GITLAB)[job]
    assert found["variables"] == {
        "CW_PUBLIC_KEY": f"$CW_{member}_PUBLIC_KEY",
        "CW_PRIVATE_KEY": f"$CW_{member}_PRIVATE_KEY",
    }
    assert ("environment" in found) == (member == "APPLY")
    if member == "APPLY":
        assert found["environment"] == {"name": "billing"}
