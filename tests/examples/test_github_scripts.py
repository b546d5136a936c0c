"""The `actions/github-script` steps of the GitHub example, run in Node against a recording fake of
the `github` client: the plan comment is updated, never duplicated; apply finds the pull request's
plan run or fails; the drift issue is opened, updated and closed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.examples.workflows import github_workflows

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed: github-script steps not run")

# github-script runs its `script` as the body of an async function of (github, context, core, require,
# process, ...); this harness does the same with fakes that record each API call and answer from `state`.
HARNESS = r"""
const fs = require('fs');
const [scriptPath, statePath] = process.argv.slice(2);
const state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
const calls = [];
const api = (name, answer) => async (params) => {
  calls.push([name, params]);
  return { data: answer === undefined ? {} : answer };
};
const github = {
  paginate: async (method, params) => (await method(params)).data,
  rest: {
    issues: {
      listComments: api('listComments', state.comments),
      createComment: api('createComment'),
      updateComment: api('updateComment'),
      deleteComment: api('deleteComment'),
      listForRepo: api('listForRepo', state.issues),
      create: api('create'),
      update: api('update'),
    },
    repos: { listPullRequestsAssociatedWithCommit: api('listPulls', state.pulls) },
    actions: { listWorkflowRuns: api('listWorkflowRuns', state.runs) },
  },
};
const outputs = {};
let failed = null;
const core = { setOutput: (k, v) => { outputs[k] = v; }, setFailed: (m) => { failed = m; } };
const context = { repo: { owner: 'msp', repo: 'billing' }, issue: { number: 42 }, sha: state.sha };
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
const body = fs.readFileSync(scriptPath, 'utf8');
new AsyncFunction('github', 'context', 'core', 'require', 'process', body)(
  github, context, core, require, process,
).then(() => console.log(JSON.stringify({ calls, outputs, failed })))
  .catch((error) => { console.error(error); process.exit(1); });
"""


def _script(file_name: str, step_name: str) -> str:
    workflow = github_workflows()[file_name]
    (job,) = workflow["jobs"].values()
    (step,) = [s for s in job["steps"] if s.get("name") == step_name]
    assert step["uses"].split("@")[0] == "actions/github-script"
    return str(step["with"]["script"])


def run_script(
    tmp_path: Path, script: str, state: dict[str, Any], env: dict[str, str] | None = None
) -> dict[str, Any]:
    assert NODE is not None
    (tmp_path / "script.js").write_text(script, encoding="utf-8")
    (tmp_path / "harness.js").write_text(HARNESS, encoding="utf-8")
    (tmp_path / "state.json").write_text(json.dumps(state), encoding="utf-8")
    done = subprocess.run(
        [NODE, "harness.js", "script.js", "state.json"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _names(result: dict[str, Any]) -> list[str]:
    return [name for name, _ in result["calls"]]


# --- the plan comment ------------------------------------------------------------------------------

PLAN_ENV = {"HEAD_SHA": "abc123", "RUN_URL": "https://github.example/run/9"}
OTHER = {"id": 5, "body": "LGTM"}
MARKED = {"id": 6, "body": "<!-- cwbill-plan -->\n## cwbill plan\n\nold plan"}


@pytest.mark.parametrize(
    ("comments", "expected"),
    [([], ["listComments", "createComment"]), ([OTHER, MARKED], ["listComments", "updateComment"])],
    ids=["the first plan creates the comment", "a later plan updates the marked comment in place"],
)
def test_the_plan_comment_is_created_once_then_updated(
    tmp_path: Path, comments: list[dict[str, Any]], expected: list[str]
) -> None:
    (tmp_path / "plan.md").write_text("## cwbill plan\n\nNo changes.\n", encoding="utf-8")
    script = _script("cwbill-plan.yml", "Comment the plan")
    result = run_script(tmp_path, script, {"comments": comments}, {**PLAN_ENV, "PLAN_EXITCODE": "0"})
    assert _names(result) == expected
    params = result["calls"][-1][1]
    assert params["body"].startswith("<!-- cwbill-plan -->\n## cwbill plan\n\nNo changes.\n")
    assert "Plan for abc123." in params["body"]
    if expected[-1] == "updateComment":
        assert params["comment_id"] == 6
    else:
        assert params["issue_number"] == 42


def test_a_plan_in_several_parts_is_one_comment_each_and_stale_parts_are_deleted(tmp_path: Path) -> None:
    plan = "## cwbill plan\n\npart one\n<!-- cwbill: next comment -->\n## cwbill plan (continued, 2 of 2)\n"
    (tmp_path / "plan.md").write_text(plan, encoding="utf-8")
    old = [OTHER, MARKED, {"id": 7, "body": "<!-- cwbill-plan 3 -->\nold"}]
    script = _script("cwbill-plan.yml", "Comment the plan")
    result = run_script(tmp_path, script, {"comments": old}, {**PLAN_ENV, "PLAN_EXITCODE": "2"})
    assert _names(result) == ["listComments", "updateComment", "createComment", "deleteComment"]
    first, second, stale = (params for _, params in result["calls"][1:])
    assert first["comment_id"] == 6
    assert first["body"].startswith(
        "<!-- cwbill-plan -->\n## cwbill plan\n\npart one\n\n---\nPlan for abc123."
    )
    assert second["body"].startswith("<!-- cwbill-plan 2 -->\n## cwbill plan (continued, 2 of 2)\n")
    assert stale["comment_id"] == 7


def test_a_failed_plan_says_so_in_the_comment(tmp_path: Path) -> None:
    script = _script("cwbill-plan.yml", "Comment the plan")
    result = run_script(tmp_path, script, {"comments": [MARKED]}, {**PLAN_ENV, "PLAN_EXITCODE": "1"})
    body = result["calls"][-1][1]["body"]
    assert body.startswith("<!-- cwbill-plan -->\n## cwbill plan\n\n**The plan failed** (exit 1) for abc123")
    assert "https://github.example/run/9" in body


# --- apply: the plan reviewed on the merged pull request -------------------------------------------

MERGED = {
    "number": 7,
    "merged_at": "2026-11-02T10:00:00Z",
    "merge_commit_sha": "m3rge",
    "head": {"sha": "h3ad"},
}


def test_apply_finds_the_plan_run_of_the_merged_pull_requests_head(tmp_path: Path) -> None:
    state = {"sha": "m3rge", "pulls": [MERGED], "runs": {"workflow_runs": [{"id": 991}]}}
    result = run_script(tmp_path, _script("cwbill-apply.yml", "Find the reviewed plan"), state)
    assert result["failed"] is None
    assert result["outputs"] == {"run-id": "991", "pull": "7"}
    runs_query = result["calls"][1][1]
    assert runs_query["head_sha"] == "h3ad"
    assert (runs_query["workflow_id"], runs_query["status"]) == ("cwbill-plan.yml", "success")


@pytest.mark.parametrize(
    ("pulls", "runs", "message"),
    [
        ([], [], "m3rge was not merged from a pull request"),
        ([{**MERGED, "merged_at": None}], [], "m3rge was not merged from a pull request"),
        ([MERGED], [], "no successful cwbill plan for #7 at h3ad"),
    ],
    ids=["a direct push", "an open pull request containing the commit", "no successful plan run"],
)
def test_apply_fails_without_a_reviewed_plan(
    tmp_path: Path, pulls: list[dict[str, Any]], runs: list[dict[str, Any]], message: str
) -> None:
    state = {"sha": "m3rge", "pulls": pulls, "runs": {"workflow_runs": runs}}
    result = run_script(tmp_path, _script("cwbill-apply.yml", "Find the reviewed plan"), state)
    assert result["failed"].startswith(message)
    assert result["outputs"] == {}


# --- the drift issue -------------------------------------------------------------------------------

DRIFT_ISSUE = {"number": 3, "body": "<!-- cwbill-drift -->\nold drift"}


@pytest.mark.parametrize(
    ("code", "issues", "expected"),
    [
        ("2", [], ["listForRepo", "create"]),
        ("2", [DRIFT_ISSUE], ["listForRepo", "update"]),
        ("0", [DRIFT_ISSUE], ["listForRepo", "createComment", "update"]),
        ("0", [], ["listForRepo"]),
    ],
    ids=[
        "new drift opens the issue",
        "more drift updates the open issue",
        "no drift closes the open issue",
        "no drift and no issue does nothing",
    ],
)
def test_the_drift_issue_follows_the_drift(
    tmp_path: Path, code: str, issues: list[dict[str, Any]], expected: list[str]
) -> None:
    (tmp_path / "drift.md").write_text("## cwbill plan\n\ndrifted lines\n", encoding="utf-8")
    env = {"PLAN_EXITCODE": code, "RUN_URL": "https://github.example/run/10"}
    script = _script("cwbill-drift.yml", "Open, update or close the drift issue")
    result = run_script(tmp_path, script, {"issues": issues}, env)
    assert _names(result) == expected
    assert result["calls"][0][1]["labels"] == "cwbill-drift"
    last = result["calls"][-1][1]
    if code == "2":
        assert last["body"].startswith("<!-- cwbill-drift -->\n## cwbill plan\n\ndrifted lines\n")
    if expected[-1] == "create":
        assert last["labels"] == ["cwbill-drift"]
    if code == "0" and issues:
        assert last == {"owner": "msp", "repo": "billing", "issue_number": 3, "state": "closed"}
