"""GitLab glue for cwbill's CI jobs (.gitlab-ci.yml): the plan note, the reviewed plan, the drift
and leakage issues.

Copy it to `ci/cwbill_gitlab.py` in your billing repository. Standard library only, so the job image
needs nothing beyond Python. It talks to the GitLab REST API (v4) with the token in
CWBILL_GITLAB_TOKEN (a project access token with the `api` scope, stored as a masked CI/CD
variable), and reads GitLab's predefined variables (CI_API_V4_URL, CI_PROJECT_ID, ...).

    python ci/cwbill_gitlab.py comment-plan --exit-code N    # one merge request note, updated in place
    python ci/cwbill_gitlab.py fetch-plan --out plan.json    # the plan reviewed on the merged MR
    python ci/cwbill_gitlab.py drift-issue --exit-code N     # open/update/close the drift issue
    python ci/cwbill_gitlab.py leakage-issue --exit-code N   # the same for revenue leakage

The token is sent in a header and never printed; errors name the API path, not the URL's secrets.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

PLAN_MARKER = "<!-- cwbill-plan -->"
COMMENT_BREAK = "<!-- cwbill: next comment -->"  # between the notes of a long plan (docs/ci.md)
PLAN_JOB = "cwbill-plan"


@dataclass(frozen=True, slots=True)
class Tracked:
    """One issue kept open while a scheduled cwbill command exits 2 and closed when it exits 0."""

    command: str  # the cwbill command whose exit code and Markdown output it follows
    marker: str  # the first line of the issue's description: how the job finds it again
    label: str
    title: str
    option: str  # the helper's option naming the Markdown file
    default: str
    cleared: str  # the closing note, before the job's URL


TRACKED = {  # by the helper's subcommand (.gitlab-ci.yml)
    "drift-issue": Tracked(
        "cwbill plan --drift-only", "<!-- cwbill-drift -->", "cwbill-drift", "cwbill: drift in ConnectWise",
        "--plan", "drift.md", "No drift anymore",
    ),
    "leakage-issue": Tracked(
        "cwbill leakage", "<!-- cwbill-leakage -->", "cwbill-leakage", "cwbill: revenue leakage",
        "--report", "leakage.md", "No leakage anymore",
    ),
}  # fmt: skip


class GitLab:
    """The few API calls the jobs need, on one project."""

    def __init__(self, environ: dict[str, str]) -> None:
        needed = ("CI_API_V4_URL", "CI_PROJECT_ID", "CWBILL_GITLAB_TOKEN")
        missing = [name for name in needed if not environ.get(name)]
        if missing:
            raise SystemExit(f"cwbill_gitlab: not set: {', '.join(missing)}")
        self.base = environ["CI_API_V4_URL"].rstrip("/")
        self.project = urllib.parse.quote(environ["CI_PROJECT_ID"], safe="")
        self._token = environ["CWBILL_GITLAB_TOKEN"]

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """JSON in and out; `path` is below /projects/:id."""
        raw = self.raw(method, path, body)
        return json.loads(raw) if raw else None

    def raw(self, method: str, path: str, body: dict[str, Any] | None = None) -> bytes:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310  # the URL is GitLab's own API base
            f"{self.base}/projects/{self.project}{path}", data=data, method=method
        )
        request.add_header("PRIVATE-TOKEN", self._token)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            exc.close()  # it holds the response's connection
            where = path.split("?", maxsplit=1)[0]
            raise SystemExit(f"cwbill_gitlab: {method} {where}: HTTP {exc.code}") from None

    def all_pages(self, path: str) -> list[Any]:
        found: list[Any] = []
        page = 1
        while True:
            joiner = "&" if "?" in path else "?"
            batch = self.call("GET", f"{path}{joiner}per_page=100&page={page}")
            found += batch
            if len(batch) < 100:
                return found
            page += 1


def comment_plan(gitlab: GitLab, environ: dict[str, str], exit_code: int, plan_file: str) -> None:
    """Create or update the merge request's plan note (found by its hidden marker). A plan whose
    summary does not fit one note goes on in further notes (cwbill separates them with
    `COMMENT_BREAK` lines), each with its own marker; those left from a longer plan are deleted."""
    iid, sha = environ["CI_MERGE_REQUEST_IID"], environ.get("CI_COMMIT_SHA", "")
    if exit_code in (0, 2):
        with open(plan_file, encoding="utf-8") as stream:
            parts = stream.read().split(f"{COMMENT_BREAK}\n")
        footer = (
            f"\n---\nPlan for {sha}. Merging applies exactly this plan; "
            "apply refuses it if anything changed since.\n"
        )
        bodies = [f"{_plan_marker(n)}\n{part}{footer}" for n, part in enumerate(parts)]
    else:
        bodies = [
            f"{PLAN_MARKER}\n## cwbill plan\n\n**The plan failed** (exit {exit_code}) for {sha}: "
            f"see the job log, {environ.get('CI_JOB_URL', '')}\n"
        ]
    notes = gitlab.all_pages(f"/merge_requests/{iid}/notes?sort=asc")
    for number, body in enumerate(bodies):
        previous = next((n for n in notes if _plan_part(n) == number), None)
        if previous is None:
            gitlab.call("POST", f"/merge_requests/{iid}/notes", {"body": body})
        else:
            gitlab.call("PUT", f"/merge_requests/{iid}/notes/{previous['id']}", {"body": body})
    for stale in (n for n in notes if _plan_part(n) >= len(bodies)):
        gitlab.call("DELETE", f"/merge_requests/{iid}/notes/{stale['id']}")


def _plan_marker(number: int) -> str:
    return PLAN_MARKER if number == 0 else f"<!-- cwbill-plan {number + 1} -->"


def _plan_part(note: dict[str, Any]) -> int:
    """Which part of the plan a note holds (0 for the first), -1 for any other note."""
    found = re.match(r"<!-- cwbill-plan(?: (\d+))? -->", str(note.get("body", "")))
    if found is None:
        return -1
    return int(found.group(1)) - 1 if found.group(1) else 0


def fetch_plan(gitlab: GitLab, environ: dict[str, str], out: str) -> None:
    """Write the plan.json of the cwbill-plan job that ran for the merged MR's head commit."""
    sha = environ["CI_COMMIT_SHA"]
    requests = gitlab.call("GET", f"/repository/commits/{sha}/merge_requests")
    # a merge commit, a squash commit, or (fast-forward) the head commit itself
    merged = [
        mr
        for mr in requests
        if mr.get("state") == "merged"
        and sha in (mr.get("merge_commit_sha"), mr.get("squash_commit_sha"), mr.get("sha"))
    ]
    if not merged:
        raise SystemExit(
            f"cwbill_gitlab: {sha} was not merged from a merge request: there is no reviewed plan to apply"
        )
    request = merged[0]
    pipelines = gitlab.call("GET", f"/merge_requests/{request['iid']}/pipelines")
    reviewed = [p for p in pipelines if p.get("sha") == request["sha"] and p.get("status") == "success"]
    if not reviewed:
        head = f"!{request['iid']} at {request['sha']}"
        raise SystemExit(f"cwbill_gitlab: no successful cwbill plan for {head}")
    jobs = gitlab.call("GET", f"/pipelines/{reviewed[0]['id']}/jobs?scope[]=success")
    job = next((j for j in jobs if j.get("name") == PLAN_JOB), None)
    if job is None:
        raise SystemExit(f"cwbill_gitlab: pipeline {reviewed[0]['id']} has no successful {PLAN_JOB} job")
    with open(out, "wb") as stream:
        stream.write(gitlab.raw("GET", f"/jobs/{job['id']}/artifacts/plan.json"))
    print(f"cwbill_gitlab: {out} is the plan of !{request['iid']} (job {job['id']})", file=sys.stderr)


def tracked_issue(
    gitlab: GitLab, environ: dict[str, str], tracked: Tracked, exit_code: int, report: str
) -> None:
    """Exit 2: open or update the issue with the command's Markdown output; exit 0: close it if open.
    Other exit codes are errors, which the job fails on before calling this."""
    issues = gitlab.all_pages(f"/issues?state=opened&labels={tracked.label}")
    issue = next((i for i in issues if str(i.get("description") or "").startswith(tracked.marker)), None)
    seen = environ.get("CI_JOB_URL", "")
    if exit_code == 2:
        with open(report, encoding="utf-8") as stream:
            body = f"{tracked.marker}\n{stream.read()}\n---\nSeen by {seen}. Nothing was applied.\n"
        if issue is None:
            fields = {"title": tracked.title, "description": body, "labels": tracked.label}
            gitlab.call("POST", "/issues", fields)
        else:
            gitlab.call("PUT", f"/issues/{issue['iid']}", {"description": body})
    elif exit_code == 0 and issue is not None:
        gitlab.call("POST", f"/issues/{issue['iid']}/notes", {"body": f"{tracked.cleared} ({seen})."})
        gitlab.call("PUT", f"/issues/{issue['iid']}", {"state_event": "close"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cwbill_gitlab.py", description="GitLab glue for cwbill's CI jobs.")
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("comment-plan", help="create or update the merge request's plan note")
    plan.add_argument("--exit-code", type=int, required=True, help="the exit code of cwbill plan")
    plan.add_argument("--plan", default="plan.md", help="the Markdown plan (default plan.md)")
    fetch = commands.add_parser("fetch-plan", help="download the plan reviewed on the merged MR")
    fetch.add_argument("--out", default="plan.json", help="where to write it (default plan.json)")
    for name, tracked in TRACKED.items():
        issue = commands.add_parser(
            name, help=f"open, update or close the issue that follows `{tracked.command}`"
        )
        issue.add_argument("--exit-code", type=int, required=True, help=f"the exit code of {tracked.command}")
        issue.add_argument(
            tracked.option, dest="report", default=tracked.default,
            help=f"its Markdown output (default {tracked.default})",
        )  # fmt: skip
    args = parser.parse_args(argv)
    environ = dict(os.environ)
    gitlab = GitLab(environ)
    if args.command == "comment-plan":
        comment_plan(gitlab, environ, args.exit_code, args.plan)
    elif args.command == "fetch-plan":
        fetch_plan(gitlab, environ, args.out)
    else:
        tracked_issue(gitlab, environ, TRACKED[args.command], args.exit_code, args.report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
