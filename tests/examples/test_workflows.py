"""The CI examples (examples/github-actions, examples/gitlab-ci): valid YAML with the expected jobs,
triggers, concurrency and secrets, and every `cwbill` command line in them parses with the real CLI
and does what the workflow expects when run against the sandbox."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.exceptions import TyperException

from reconciler.sandbox import API_PATH, DEMO_CREDENTIALS, Sandbox, serve_in_thread
from reconciler.sandbox.seeds import load_seed
from tests.conftest import EXAMPLE_BILLING
from tests.examples.workflows import (
    CW_SECRETS,
    GITHUB_JOBS,
    GITLAB,
    MBS_SECRETS,
    Command,
    all_commands,
    commands_in,
    github_workflows,
    load_yaml,
    options_of,
    parse,
    resolve,
    scripts,
    step,
    substitute,
    triggers,
)
from tests.sandbox.helpers import cw_headers

CWBILL = Path(sys.executable).parent / "cwbill"
SHELL_VALUES = {"PERIOD": "2026-10", "period": "2026-10"}  # what the usage jobs compute for Nov. 2026
AS_OF = "2026-11-02"  # the demo seed's day: manual configurations cover Oct + Nov, auto-billing Oct
COMMANDS = all_commands()


# --- GitHub Actions: structure ---------------------------------------------------------------------


def test_the_github_example_has_exactly_the_four_workflows() -> None:
    assert sorted(github_workflows()) == sorted(name for name, _, _ in GITHUB_JOBS)


@pytest.mark.parametrize(
    ("file_name", "job", "on"),
    GITHUB_JOBS,
    ids=["plan on pull requests", "apply on push to main", "drift daily", "usage on days 1-3"],
)
def test_each_workflow_has_its_trigger_and_its_job(file_name: str, job: str, on: dict[str, Any]) -> None:
    workflow = github_workflows()[file_name]
    assert triggers(workflow) == on
    assert list(workflow["jobs"]) == [job]


def test_applies_share_one_concurrency_group_and_are_never_cancelled() -> None:
    apply = github_workflows()["cwbill-apply.yml"]
    assert apply["concurrency"] == {"group": "cwbill-apply", "cancel-in-progress": False}


def test_apply_uses_the_plan_artifact_of_the_pull_requests_head_commit() -> None:
    plan, apply = github_workflows()["cwbill-plan.yml"], github_workflows()["cwbill-apply.yml"]
    upload = step(plan, "plan", "Keep the plan for the merge")
    download = step(apply, "apply", "Download the reviewed plan")
    assert upload["uses"].split("@")[0] == "actions/upload-artifact"
    assert download["uses"].split("@")[0] == "actions/download-artifact"
    assert upload["with"]["name"] == download["with"]["name"] == "cwbill-plan"
    assert upload["with"]["path"] == "plan.json"
    assert download["with"]["run-id"] == "${{ steps.find.outputs.run-id }}"
    finder = step(apply, "apply", "Find the reviewed plan")["with"]["script"]
    assert "workflow_id: 'cwbill-plan.yml', head_sha: pull.head.sha" in finder
    assert apply["jobs"]["apply"]["permissions"]["actions"] == "read"


def test_a_plan_error_fails_the_check_but_changes_do_not() -> None:
    plan = github_workflows()["cwbill-plan.yml"]
    run = step(plan, "plan", "Plan")["run"]
    assert "--detailed-exitcode > plan.md || code=$?" in run
    fail = step(plan, "plan", "Fail on a plan error")
    assert fail["if"] == "steps.plan.outputs.exitcode != '0' && steps.plan.outputs.exitcode != '2'"
    assert "exit 1" in fail["run"]


def test_no_script_inlines_a_secret_or_a_github_expression() -> None:
    for where, script in scripts():
        assert "secrets." not in script, where
        assert "${{" not in script, f"{where}: pass expressions through env:, not into the shell"
        assert "set -x" not in script, where


# --- GitLab CI: structure --------------------------------------------------------------------------

GITLAB_JOBS = {
    "cwbill-plan": '$CI_PIPELINE_SOURCE == "merge_request_event"',
    "cwbill-apply": '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == "push"',
    "cwbill-drift": '$CI_PIPELINE_SOURCE == "schedule" && $CWBILL_SCHEDULE == "drift"',
    "cwbill-leakage": '$CI_PIPELINE_SOURCE == "schedule" && $CWBILL_SCHEDULE == "drift"',
    "cwbill-usage": '$CI_PIPELINE_SOURCE == "schedule" && $CWBILL_SCHEDULE == "usage"',
}


def test_the_gitlab_example_has_its_five_jobs_with_their_rules() -> None:
    pipeline = load_yaml(GITLAB)
    jobs = {name: job for name, job in pipeline.items() if isinstance(job, dict) and "script" in job}
    assert {name: job["rules"] for name, job in jobs.items()} == {
        name: [{"if": rule}] for name, rule in GITLAB_JOBS.items()
    }


def test_gitlab_applies_one_at_a_time_from_the_reviewed_plan() -> None:
    apply = load_yaml(GITLAB)["cwbill-apply"]
    assert apply["resource_group"] == "cwbill-apply"
    assert apply["script"] == [
        "python ci/cwbill_gitlab.py fetch-plan --out plan.json",
        "cwbill apply billing --plan plan.json --yes",
    ]
    assert load_yaml(GITLAB)["cwbill-plan"]["artifacts"]["paths"] == ["plan.json"]


@pytest.mark.parametrize(
    ("job", "command", "report", "helper"),
    [
        (
            "cwbill-drift",
            "cwbill plan billing --drift-only --format markdown --platform gitlab --detailed-exitcode",
            "drift.md",
            'drift-issue --exit-code "$code" --plan',
        ),
        (
            "cwbill-leakage",
            "cwbill leakage billing --format markdown --detailed-exitcode",
            "leakage.md",
            'leakage-issue --exit-code "$code" --report',
        ),
    ],
    ids=["drift", "leakage"],
)
def test_gitlab_keeps_an_issue_for_each_daily_report(
    job: str, command: str, report: str, helper: str
) -> None:
    """Exit 2 or 0 goes on to the helper, which opens, updates or closes the issue; any other exit
    code fails the job before it. Drift and leakage are jobs of their own: one failing hides nothing
    of the other."""
    assert load_yaml(GITLAB)[job]["script"] == [
        "code=0",
        f"{command} > {report} || code=$?",
        'test "$code" -eq 0 || test "$code" -eq 2',
        f"python ci/cwbill_gitlab.py {helper} {report}",
    ]


def test_gitlab_defines_no_secret_values() -> None:
    """Secrets are masked CI/CD variables of the project, never values in the file: a job only maps
    one member's keys to the names cwbill reads."""
    pipeline = load_yaml(GITLAB)
    assert set(pipeline.get("variables", {})).isdisjoint({*CW_SECRETS, *MBS_SECRETS, "CWBILL_GITLAB_TOKEN"})
    for job in pipeline.values():
        if isinstance(job, dict):
            for name, value in job.get("variables", {}).items():
                if name in {*CW_SECRETS, *MBS_SECRETS, "CWBILL_GITLAB_TOKEN"}:
                    assert re.fullmatch(r"\$CW_(PLAN|APPLY)_[A-Z_]+", value), f"{name}: {value}"


# --- every cwbill command line parses with the real CLI --------------------------------------------

EXPECTED_COMMANDS = {
    "cwbill validate billing",
    "cwbill doctor billing",
    "cwbill plan billing --format markdown --out plan.json --detailed-exitcode",
    "cwbill apply billing --plan plan.json --yes",
    "cwbill plan billing --drift-only --format markdown --detailed-exitcode",
    "cwbill leakage billing --format markdown --detailed-exitcode",
    # GitLab's notes hold 1,000,000 characters, GitHub's comments 65,536 (the default)
    "cwbill plan billing --format markdown --platform gitlab --out plan.json --detailed-exitcode",
    "cwbill plan billing --drift-only --format markdown --platform gitlab --detailed-exitcode",
    "cwbill usage pull billing --period $PERIOD --out billing/usage/$PERIOD.yaml",
    "cwbill usage pull billing --period $period --out billing/usage/$period.yaml",
}


def test_the_examples_run_the_expected_commands() -> None:
    assert {command.text for command in COMMANDS} == EXPECTED_COMMANDS
    sources = {command.source.split()[0] for command in COMMANDS}
    assert sources == {"github", "gitlab"}


def _skip_unless_supported(args: list[str]) -> None:
    command, path, _ = resolve(args)
    if "--drift-only" in args and "--drift-only" not in options_of(command):
        pytest.skip(f"`cwbill {' '.join(path)}` has no --drift-only yet (issue 7 is adding it)")


@pytest.mark.parametrize("command", COMMANDS, ids=[f"{c.source}: {c.text}" for c in COMMANDS])
def test_every_command_line_parses_with_the_real_cli(command: Command) -> None:
    args = substitute(command.args, SHELL_VALUES)
    _skip_unless_supported(args)
    context = parse(args)
    for arg in args:
        if arg.startswith("--"):
            assert arg.split("=", 1)[0] in options_of(context.command), arg


@pytest.mark.parametrize(
    "line",
    [
        "cwbill plan billing --detailed-exit-code",
        "cwbill plan billing --format",
        "cwbill apply billing --concurrency many",
        "cwbill usage pul billing",
    ],
    ids=["a misspelt flag", "a flag without its value", "a value of the wrong type", "an unknown subcommand"],
)
def test_the_check_rejects_a_broken_command_line(line: str) -> None:
    (command,) = commands_in("example", line)
    # typer's (vendored click) usage errors are TyperExceptions; an unknown command fails resolve()
    with pytest.raises((TyperException, AssertionError)):
        parse(substitute(command.args, SHELL_VALUES))


# --- and they do what the workflows expect, against the sandbox ------------------------------------


def _command(text: str) -> Command:
    return next(command for command in COMMANDS if command.text == text)


def _run(command: Command, cwd: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess[str]:
    args = [*substitute(command.args, SHELL_VALUES), *extra]
    return subprocess.run(
        [str(CWBILL), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=120
    )


@pytest.fixture
def sandbox_env(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    shutil.copytree(EXAMPLE_BILLING, tmp_path / "billing")
    with serve_in_thread(Sandbox(load_seed("demo"))) as url:
        yield (
            tmp_path,
            {
                "PATH": str(CWBILL.parent),
                "NO_COLOR": "1",
                **DEMO_CREDENTIALS,
                "CW_URL": url + API_PATH,
                "MBS_URL": url,
            },
        )


def test_plan_then_apply_the_saved_plan_then_refuse_it_when_stale(
    sandbox_env: tuple[Path, dict[str, str]],
) -> None:
    """The pull-request plan (with --as-of, so the test does not depend on today), apply on merge."""
    cwd, env = sandbox_env
    plan = _command("cwbill plan billing --format markdown --out plan.json --detailed-exitcode")
    apply = _command("cwbill apply billing --plan plan.json --yes")
    assert plan.redirect == "plan.md"
    assert _run(_command("cwbill validate billing"), cwd, env).returncode == 0
    planned = _run(plan, cwd, env, "--as-of", AS_OF)
    assert planned.returncode == 2, planned.stderr  # changes: the job goes on
    assert planned.stdout.startswith("## cwbill plan\n")
    assert (cwd / "plan.json").is_file()
    applied = _run(apply, cwd, env)
    assert applied.returncode == 0, applied.stderr
    assert "Applied: 10 created, 2 updated, 3 deleted." in applied.stderr
    again = _run(apply, cwd, env)  # a re-run of the apply job: the plan's own writes are no change
    assert again.returncode == 0, again.stderr
    assert "this plan is already applied; nothing to do" in again.stderr
    with httpx.Client(base_url=env["CW_URL"], headers=cw_headers()) as client:
        patch = [{"op": "replace", "path": "quantity", "value": 5}]  # someone edits a line it read
        assert client.patch("/finance/agreements/3/additions/9", json=patch).status_code == 200
    stale = _run(apply, cwd, env)
    assert stale.returncode == 1  # ConnectWise moved since the plan: refused, nothing written
    assert "the plan is stale" in stale.stderr and "addition #9 was edited" in stale.stderr
    replanned = _run(plan, cwd, env, "--as-of", AS_OF)
    assert replanned.returncode == 2  # the fresh plan puts #9 back
    assert "drift" in replanned.stdout


def test_the_drift_plan_exits_2_on_drift_and_0_once_applied(sandbox_env: tuple[Path, dict[str, str]]) -> None:
    cwd, env = sandbox_env
    drift = _command("cwbill plan billing --drift-only --format markdown --detailed-exitcode")
    _skip_unless_supported(list(drift.args))
    before = _run(drift, cwd, env, "--as-of", AS_OF)
    assert before.returncode == 2, before.stderr  # the demo seed's addition #2 was edited by hand
    assert "drift" in before.stdout
    applied = subprocess.run(
        [str(CWBILL), "apply", "billing", "--as-of", AS_OF, "--yes"], cwd=cwd, env=env, check=False
    )
    assert applied.returncode == 0
    assert _run(drift, cwd, env, "--as-of", AS_OF).returncode == 0


@pytest.mark.parametrize("platform", ["github", "gitlab"])
def test_the_usage_job_writes_a_valid_snapshot(
    platform: str, sandbox_env: tuple[Path, dict[str, str]]
) -> None:
    cwd, env = sandbox_env
    pull = next(c for c in COMMANDS if c.source.startswith(platform) and c.args[:2] == ("usage", "pull"))
    target = cwd / "billing" / "usage" / "2026-10.yaml"
    target.unlink()  # the job runs only when the month is not committed yet
    pulled = _run(pull, cwd, env)
    assert pulled.returncode == 0, pulled.stderr
    assert pulled.stderr.endswith("wrote billing/usage/2026-10.yaml: 5 companies for 2026-10\n")
    planned = subprocess.run(
        [str(CWBILL), "plan", "billing", "--as-of", AS_OF],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert planned.returncode == 0, planned.stderr  # the pulled snapshot is read back by plan


@pytest.mark.parametrize("platform", ["github", "gitlab"])
def test_the_daily_leakage_report_exits_2_while_billable_usage_is_unbilled(
    platform: str, sandbox_env: tuple[Path, dict[str, str]]
) -> None:
    """The demo leaks (docs/leakage.md, "On the demo": 345.35 USD in 14 units before apply), so the
    job's command exits 2 and its Markdown section becomes the issue's body."""
    cwd, env = sandbox_env
    (leakage,) = (c for c in COMMANDS if c.source.startswith(platform) and c.args[0] == "leakage")
    assert leakage.redirect == "leakage.md"
    reported = _run(leakage, cwd, env, "--as-of", AS_OF)
    assert reported.returncode == 2, reported.stderr
    assert reported.stdout.startswith("### Revenue leakage")
