"""examples/gitlab-ci/cwbill_gitlab.py against a fake GitLab API on 127.0.0.1: the plan note is
updated, never duplicated; fetch-plan downloads the reviewed plan or refuses; the drift and leakage
issues are opened, updated and closed; the token is sent as a header and never printed."""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import PROJECT

TOKEN = "glpat-s3cr3t-token"


def _load_helper() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "cwbill_gitlab", PROJECT / "examples/gitlab-ci/cwbill_gitlab.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as `python cwbill_gitlab.py` has it: its dataclass looks it up
    spec.loader.exec_module(module)
    return module


helper = _load_helper()


@dataclass
class FakeGitLab:
    """Answers (method, path without query) from `routes`; records every request."""

    routes: dict[tuple[str, str], Any] = field(default_factory=dict)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    targets: list[str] = field(default_factory=list)  # with their query

    def answer(self, method: str, target: str, body: Any) -> tuple[int, bytes]:
        self.targets.append(target)
        path = urlsplit(target).path.removeprefix("/api/v4/projects/12")
        self.requests.append((method, path, body))
        if (method, path) not in self.routes:
            done = {"POST": 201, "PUT": 200, "DELETE": 204}
            return (done[method], b"" if method == "DELETE" else b"{}") if method in done else (404, b"{}")
        value = self.routes[(method, path)]
        return 200, value if isinstance(value, bytes) else json.dumps(value).encode()

    def calls(self) -> list[tuple[str, str]]:
        return [(method, path) for method, path, _ in self.requests]


@pytest.fixture
def gitlab(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitLab]:
    fake = FakeGitLab()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            fake.tokens.add(self.headers.get("PRIVATE-TOKEN", ""))
            status, payload = fake.answer(self.command, self.path, body)
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: object) -> None:  # quiet: the test reads requests
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    environ = {
        "CI_API_V4_URL": f"http://127.0.0.1:{server.server_address[1]}/api/v4",
        "CI_PROJECT_ID": "12",
        "CWBILL_GITLAB_TOKEN": TOKEN,
        "CI_MERGE_REQUEST_IID": "8",
        "CI_COMMIT_SHA": "m3rge",
        "CI_JOB_URL": "https://gitlab.example/job/77",
    }
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def run(*args: str) -> int:
    return int(helper.main(list(args)))


NOTES = "/merge_requests/8/notes"
MARKED_NOTE = {"id": 31, "body": "<!-- cwbill-plan -->\nold"}


@pytest.mark.parametrize(
    ("notes", "write"),
    [([], ("POST", NOTES)), ([{"id": 30, "body": "looks fine"}, MARKED_NOTE], ("PUT", f"{NOTES}/31"))],
    ids=["the first plan creates the note", "a later plan updates the marked note"],
)
def test_the_plan_note_is_created_once_then_updated(
    gitlab: FakeGitLab, tmp_path: Path, notes: list[dict[str, Any]], write: tuple[str, str]
) -> None:
    gitlab.routes[("GET", NOTES)] = notes
    (tmp_path / "plan.md").write_text("## cwbill plan\n\nNo changes.\n", encoding="utf-8")
    assert run("comment-plan", "--exit-code", "2", "--plan", str(tmp_path / "plan.md")) == 0
    assert gitlab.calls() == [("GET", NOTES), write]
    body = gitlab.requests[-1][2]["body"]
    assert body.startswith("<!-- cwbill-plan -->\n## cwbill plan\n\nNo changes.\n")
    assert "Plan for m3rge." in body
    assert gitlab.tokens == {TOKEN}


def test_a_plan_in_several_parts_is_one_note_each_and_stale_parts_are_deleted(
    gitlab: FakeGitLab, tmp_path: Path
) -> None:
    old = [
        MARKED_NOTE,
        {"id": 32, "body": "<!-- cwbill-plan 2 -->\nold"},
        {"id": 33, "body": "<!-- cwbill-plan 3 -->\n"},
    ]
    gitlab.routes[("GET", NOTES)] = old
    plan = "## cwbill plan\n\npart one\n<!-- cwbill: next comment -->\n## cwbill plan (continued, 2 of 2)\n"
    (tmp_path / "plan.md").write_text(plan, encoding="utf-8")
    assert run("comment-plan", "--exit-code", "2", "--plan", str(tmp_path / "plan.md")) == 0
    assert gitlab.calls() == [
        ("GET", NOTES),
        ("PUT", f"{NOTES}/31"),
        ("PUT", f"{NOTES}/32"),
        ("DELETE", f"{NOTES}/33"),
    ]
    first, second = (body["body"] for _, _, body in gitlab.requests[1:3])
    assert first.startswith("<!-- cwbill-plan -->\n## cwbill plan\n\npart one\n\n---\nPlan for m3rge.")
    assert second.startswith("<!-- cwbill-plan 2 -->\n## cwbill plan (continued, 2 of 2)\n")


def test_a_failed_plan_note_points_at_the_job(gitlab: FakeGitLab) -> None:
    gitlab.routes[("GET", NOTES)] = [MARKED_NOTE]
    assert run("comment-plan", "--exit-code", "1") == 0
    body = gitlab.requests[-1][2]["body"]
    assert body.startswith("<!-- cwbill-plan -->\n## cwbill plan\n\n**The plan failed** (exit 1) for m3rge")
    assert "https://gitlab.example/job/77" in body


MERGED = {"iid": 8, "state": "merged", "merge_commit_sha": "m3rge", "squash_commit_sha": None, "sha": "h3ad"}


def _reviewed_pipeline(fake: FakeGitLab, mr: dict[str, Any]) -> None:
    fake.routes[("GET", "/repository/commits/m3rge/merge_requests")] = [mr]
    fake.routes[("GET", "/merge_requests/8/pipelines")] = [
        {"id": 502, "sha": "h3ad", "status": "failed"},
        {"id": 501, "sha": "h3ad", "status": "success"},
        {"id": 500, "sha": "0ld", "status": "success"},
    ]
    fake.routes[("GET", "/pipelines/501/jobs")] = [{"id": 9001, "name": "cwbill-plan"}]
    fake.routes[("GET", "/jobs/9001/artifacts/plan.json")] = b'{"format_version": 1}'


def test_fetch_plan_downloads_the_plan_of_the_merge_requests_head(gitlab: FakeGitLab, tmp_path: Path) -> None:
    _reviewed_pipeline(gitlab, MERGED)
    out = tmp_path / "plan.json"
    assert run("fetch-plan", "--out", str(out)) == 0
    assert out.read_bytes() == b'{"format_version": 1}'


@pytest.mark.parametrize(
    ("mr", "message"),
    [
        ({**MERGED, "state": "opened"}, "m3rge was not merged from a merge request"),
        ({**MERGED, "sha": "n3w"}, "no successful cwbill plan for !8 at n3w"),
    ],
    ids=["not merged from a merge request", "no successful plan of the head commit"],
)
def test_fetch_plan_refuses_without_a_reviewed_plan(
    gitlab: FakeGitLab, tmp_path: Path, mr: dict[str, Any], message: str
) -> None:
    _reviewed_pipeline(gitlab, mr)
    with pytest.raises(SystemExit) as refused:
        run("fetch-plan", "--out", str(tmp_path / "plan.json"))
    assert str(refused.value.code).startswith(f"cwbill_gitlab: {message}")
    assert not (tmp_path / "plan.json").exists()


ISSUES = "/issues"
# subcommand, its file option, its marker (= label), the new issue's title, what it says once cleared
TRACKED = [
    ("drift-issue", "--plan", "cwbill-drift", "cwbill: drift in ConnectWise", "No drift anymore"),
    ("leakage-issue", "--report", "cwbill-leakage", "cwbill: revenue leakage", "No leakage anymore"),
]


@pytest.mark.parametrize(
    ("command", "option", "label", "title", "cleared"), TRACKED, ids=["drift", "leakage"]
)
@pytest.mark.parametrize(
    ("code", "open_issue", "writes"),
    [
        ("2", False, [("POST", ISSUES)]),
        ("2", True, [("PUT", "/issues/4")]),
        ("0", True, [("POST", "/issues/4/notes"), ("PUT", "/issues/4")]),
        ("0", False, []),
    ],
    ids=["exit 2 opens the issue", "exit 2 again updates it", "exit 0 closes it", "exit 0, no issue"],
)
def test_the_issue_follows_the_exit_code(
    gitlab: FakeGitLab,
    tmp_path: Path,
    command: str,
    option: str,
    label: str,
    title: str,
    cleared: str,
    code: str,
    open_issue: bool,
    writes: list[tuple[str, str]],
) -> None:
    # an open issue of the other kind (were the label filter ignored) is never taken for this one
    other = next(other for _, _, other, _, _ in TRACKED if other != label)
    others = [{"iid": 3, "description": f"<!-- {other} -->\nnot ours"}]
    mine = [{"iid": 4, "description": f"<!-- {label} -->\nold report"}] if open_issue else []
    gitlab.routes[("GET", ISSUES)] = others + mine
    (tmp_path / "report.md").write_text("### Found\n\nsomething\n", encoding="utf-8")
    assert run(command, "--exit-code", code, option, str(tmp_path / "report.md")) == 0
    assert gitlab.calls() == [("GET", ISSUES), *writes]
    assert f"labels={label}&" in gitlab.targets[0]
    sent = [body for _, _, body in gitlab.requests[1:]]
    if code == "2":
        description = sent[-1]["description"]
        assert description.startswith(f"<!-- {label} -->\n### Found\n\nsomething\n")
        assert description.endswith("Seen by https://gitlab.example/job/77. Nothing was applied.\n")
    if writes == [("POST", ISSUES)]:
        assert (sent[0]["title"], sent[0]["labels"]) == (title, label)
    if code == "0" and open_issue:
        assert sent == [{"body": f"{cleared} (https://gitlab.example/job/77)."}, {"state_event": "close"}]


def test_an_api_error_names_the_path_but_never_the_token(
    gitlab: FakeGitLab, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as failed:
        run("fetch-plan")  # the commit's merge requests route is not there: 404
    assert failed.value.code == "cwbill_gitlab: GET /repository/commits/m3rge/merge_requests: HTTP 404"
    captured = capsys.readouterr()
    assert TOKEN not in str(failed.value.code) + captured.out + captured.err
