"""The CI examples as data: their files, their shell scripts, and the `cwbill` command lines in them.

Shared by the example tests. A command line is found as a shell would see it: each script line is
split with `shlex` (quotes, comments, operators), and `cwbill` at a command position (or after
`exec`) starts a command that runs to the next operator or redirection.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from typer import Context
from typer.core import TyperGroup
from typer.main import get_command

from reconciler.cli import app
from tests.conftest import PROJECT

EXAMPLES = PROJECT / "examples"
GITHUB = EXAMPLES / "github-actions" / ".github" / "workflows"
GITLAB = EXAMPLES / "gitlab-ci" / ".gitlab-ci.yml"
CW_SECRETS = ("CW_COMPANY_ID", "CW_PUBLIC_KEY", "CW_PRIVATE_KEY", "CW_CLIENT_ID")
MBS_SECRETS = ("MBS_USERNAME", "MBS_PASSWORD")
GITHUB_JOBS = [
    ("cwbill-plan.yml", "plan", {"pull_request": {"branches": ["main"]}}),
    ("cwbill-apply.yml", "apply", {"push": {"branches": ["main"]}}),
    ("cwbill-drift.yml", "drift", {"schedule": [{"cron": "17 5 * * *"}], "workflow_dispatch": None}),
    ("cwbill-usage.yml", "usage", {"schedule": [{"cron": "0 6 1-3 * *"}], "workflow_dispatch": None}),
]
OPERATORS = {";", "&&", "||", "|", "&", "(", ")", ">", ">>", "<", "<<", "2>", "&>"}
VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


@dataclass(frozen=True, slots=True)
class Command:
    """One `cwbill …` command line of an example: where it is and its arguments after `cwbill`."""

    source: str  # e.g. `github cwbill-plan.yml plan[Plan]`
    args: tuple[str, ...]
    redirect: str | None  # the file its stdout goes to (`> plan.md`), if any

    @property
    def text(self) -> str:
        return "cwbill " + " ".join(self.args)


def load_yaml(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), f"{path} is not a YAML mapping"
    return loaded


def triggers(workflow: Mapping[Any, Any]) -> dict[str, Any]:
    """A workflow's `on:`; PyYAML (YAML 1.1) reads the bare key `on` as True."""
    found = workflow.get("on", workflow.get(True))
    assert isinstance(found, dict), "the workflow has no `on:` mapping"
    return found


def step(workflow: dict[str, Any], job: str, name: str) -> dict[str, Any]:
    """The one step of `job` named `name`."""
    found = [s for s in workflow["jobs"][job]["steps"] if s.get("name") == name]
    assert len(found) == 1, f"{job} has {len(found)} steps named {name!r}"
    return found[0]


def github_workflows() -> dict[str, dict[str, Any]]:
    return {path.name: load_yaml(path) for path in sorted(GITHUB.glob("*.yml"))}


def scripts() -> Iterator[tuple[str, str]]:
    """(where, shell script) for every `run:` of the GitHub workflows and `script:` of GitLab's."""
    for name, workflow in github_workflows().items():
        for job_name, job in workflow["jobs"].items():
            for step in job["steps"]:
                if "run" in step:
                    yield f"github {name} {job_name}[{step.get('name', step['run'][:20])}]", step["run"]
    for job_name, job in load_yaml(GITLAB).items():
        if isinstance(job, dict):
            for key in ("before_script", "script"):
                for line in job.get(key, []):
                    yield f"gitlab {job_name}.{key}", line


def _split(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()<>")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    return list(lexer)


def commands_in(source: str, script: str) -> Iterator[Command]:
    for line in script.replace("\\\n", " ").splitlines():
        tokens = _split(line)
        for index, token in enumerate(tokens):
            if token != "cwbill" or (index and tokens[index - 1] not in {*OPERATORS, "exec"}):
                continue
            end = next((i for i in range(index + 1, len(tokens)) if tokens[i] in OPERATORS), len(tokens))
            after = tokens[end : end + 2]
            redirect = after[1] if len(after) == 2 and after[0] == ">" else None
            yield Command(source, tuple(tokens[index + 1 : end]), redirect)


def all_commands() -> list[Command]:
    return [command for source, script in scripts() for command in commands_in(source, script)]


def substitute(args: tuple[str, ...], values: Mapping[str, str]) -> list[str]:
    """Shell variables replaced by `values` (a variable without a value is an error)."""
    return [VARIABLE.sub(lambda match: values[match.group(1)], arg) for arg in args]


def resolve(args: list[str]) -> tuple[Any, list[str], list[str]]:
    """The (typer-vendored) click command an argument list names, its path (`usage pull`) and its
    own arguments."""
    command = get_command(app)
    path: list[str] = []
    rest = list(args)
    while isinstance(command, TyperGroup):
        assert rest, f"`cwbill {' '.join(path)}` needs a subcommand"
        found = command.get_command(Context(command), rest[0])
        assert found is not None, f"cwbill has no command {rest[0]!r}"
        path.append(rest.pop(0))
        command = found
    return command, path, rest


def options_of(command: Any) -> set[str]:
    return {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}


def parse(args: list[str]) -> Context:
    """Parse `args` exactly as `cwbill` would (types, choices, unknown flags), without running it."""
    command, path, rest = resolve(args)
    return command.make_context(f"cwbill {' '.join(path)}", rest)
