"""`cwbill init`: a skeleton that validates, names its schemas, never overwrites silently, and plans
against the sandbox's demo data as docs/getting-started.md promises."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reconciler import SCHEMA_VERSION, __version__
from reconciler.cli import app
from reconciler.cli.init import SKELETON, write_skeleton
from reconciler.config.schema import schema_text
from reconciler.config.vendor import VENDORED_KINDS
from reconciler.errors import UserError
from reconciler.sandbox import API_PATH, DEMO_CREDENTIALS, Sandbox, serve_in_thread
from reconciler.sandbox.seeds import load_seed

CWBILL = Path(sys.executable).parent / "cwbill"
SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")
YAML_FILES = [(relative, kind) for relative, kind, _ in SKELETON if kind is not None]


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str, BaseException | None]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr, result.exception


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in DEMO_CREDENTIALS:
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_init_writes_the_skeleton_into_billing_by_default(workdir: Path) -> None:
    code, stdout, stderr, _ = invoke("init")
    assert code == 0
    assert stdout == ""  # messages only, on stderr
    written = sorted(
        p.relative_to(workdir).as_posix() for p in (workdir / "billing").rglob("*") if p.is_file()
    )
    vendored = [f"billing/schemas/{kind}.schema.json" for kind in VENDORED_KINDS] + [
        "billing/schemas/VERSION"
    ]
    assert written == sorted([f"billing/{relative}" for relative, _, _ in SKELETON] + vendored)
    assert stderr.splitlines()[:5] == [f"wrote billing/{relative}" for relative, _, _ in SKELETON]
    assert "wrote .gitignore" in stderr.splitlines()


def test_the_skeleton_is_a_valid_repository(workdir: Path) -> None:
    assert invoke("init", "new")[0] == 0
    code, stdout, stderr, _ = invoke("validate", "new")
    assert (code, stdout) == (0, "")
    assert stderr == "new: valid (1 company, 2 configurations, 0 warnings)\n"


@pytest.mark.parametrize(("relative", "kind"), YAML_FILES, ids=[r for r, _ in YAML_FILES])
def test_each_yaml_file_names_its_schema_and_the_schema_is_there(
    workdir: Path, relative: str, kind: str
) -> None:
    write_skeleton(workdir / "billing")
    path = workdir / "billing" / relative
    match = SCHEMA_LINE.match(path.read_text(encoding="utf-8").splitlines()[0])
    assert match, "the first line is the yaml-language-server comment"
    target = Path(match.group(1))
    resolved = target if target.is_absolute() else path.parent / target
    assert resolved.name == f"{kind}.schema.json"
    assert resolved.is_file()


def _first_lines(directory: Path) -> dict[str, str]:
    return {
        relative: (directory / relative).read_text(encoding="utf-8").splitlines()[0]
        for relative, _, _ in SKELETON
    }


@pytest.mark.parametrize(
    "existing",
    ["settings.yaml", "companies/example.yaml", "usage/README.md"],
    ids=["an existing settings file", "an existing example company", "an existing usage readme"],
)
def test_one_existing_file_refuses_the_whole_init(workdir: Path, existing: str) -> None:
    target = workdir / "billing" / existing
    target.parent.mkdir(parents=True)
    target.write_text("mine\n", encoding="utf-8")
    with pytest.raises(UserError) as refused:
        write_skeleton(workdir / "billing")
    assert refused.value.message == (
        f"billing/{existing} already exists; nothing was written (pass --force to overwrite)"
    )
    assert [p for p in (workdir / "billing").rglob("*") if p.is_file()] == [target]
    assert target.read_text(encoding="utf-8") == "mine\n"


def test_a_refused_init_exits_1_with_the_message_on_stderr(workdir: Path) -> None:
    write_skeleton(workdir / "billing")
    done = subprocess.run(
        [str(CWBILL), "init", "billing"], cwd=workdir, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("error: billing/settings.yaml, billing/products.yaml, ")
    assert done.stderr.endswith(" already exist; nothing was written (pass --force to overwrite)\n")


def test_force_overwrites_the_skeleton_and_leaves_other_files_alone(workdir: Path) -> None:
    billing = workdir / "billing"
    write_skeleton(billing)
    (billing / "settings.yaml").write_text("edited\n", encoding="utf-8")
    (billing / "companies" / "acme.yaml").write_text("a client\n", encoding="utf-8")
    code, _, _, _ = invoke("init", "billing", "--force")
    assert code == 0
    assert (billing / "settings.yaml").read_text(encoding="utf-8").startswith("# yaml-language-server:")
    assert (billing / "companies" / "acme.yaml").read_text(encoding="utf-8") == "a client\n"


def test_a_file_in_place_of_the_directory_is_refused(workdir: Path) -> None:
    (workdir / "billing").write_text("", encoding="utf-8")
    with pytest.raises(UserError, match=r"^billing exists and is not a directory$"):
        write_skeleton(workdir / "billing")


def test_the_schema_base_may_be_a_url_or_an_existing_folder(workdir: Path) -> None:
    assert invoke("schemas", "--out", "vendored")[0] == 0
    write_skeleton(workdir / "a", schemas="https://git.example.com/raw/cwbill/schemas/")
    write_skeleton(workdir / "b", schemas=str(workdir / "vendored"))
    assert _first_lines(workdir / "a")["companies/example.yaml"] == (
        "# yaml-language-server: $schema=https://git.example.com/raw/cwbill/schemas/company.schema.json"
    )
    assert _first_lines(workdir / "b")["settings.yaml"] == (
        "# yaml-language-server: $schema=../vendored/settings.schema.json"
    )
    assert _first_lines(workdir / "b")["companies/example.yaml"] == (
        "# yaml-language-server: $schema=../../vendored/company.schema.json"
    )
    assert not (workdir / "a" / "schemas").exists()  # the headers name where they are: nothing vendored
    assert not (workdir / "b" / "schemas").exists()


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("/nonexistent", "--schemas /nonexistent is not a folder"),
        (
            "empty",
            "--schemas empty has no settings.schema.json, products.schema.json, prices.schema.json, "
            "company.schema.json, usage.schema.json, plan.schema.json",
        ),
    ],
    ids=["a folder that does not exist", "a folder without the schemas"],
)
def test_a_schemas_folder_without_the_schemas_is_refused_and_nothing_is_written(
    workdir: Path, given: str, message: str
) -> None:
    (workdir / "empty").mkdir()
    done = subprocess.run(
        [str(CWBILL), "init", "billing", "--schemas", given],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    code, stderr = done.returncode, done.stderr
    assert code == 1
    assert stderr.startswith(f"error: {message}; give a URL, or a folder written by `cwbill schemas --out")
    assert stderr.endswith("nothing was written\n")
    assert not (workdir / "billing").exists()
    assert not (workdir / ".gitignore").exists()


def test_by_default_the_schemas_are_vendored_and_every_header_is_relative(workdir: Path) -> None:
    """No header names this machine's site-packages or cwbill's checkout: each resolves inside the
    repository, so a clone anywhere finds its schemas — the same bytes the installed cwbill checks with."""
    write_skeleton(workdir / "billing")
    for relative, kind in YAML_FILES:
        target = SCHEMA_LINE.match(_first_lines(workdir / "billing")[relative])
        assert target is not None
        assert not Path(target.group(1)).is_absolute()
        resolved = ((workdir / "billing" / relative).parent / target.group(1)).resolve()
        assert resolved == (workdir / "billing" / "schemas" / f"{kind}.schema.json").resolve()
        assert resolved.read_text(encoding="utf-8") == schema_text(kind)
    stamp = (workdir / "billing" / "schemas" / "VERSION").read_text(encoding="utf-8").splitlines()
    assert stamp[:2] == [f"cwbill {__version__}", f"schemas {SCHEMA_VERSION}"]


def test_a_vendored_schema_that_differs_from_the_installed_one_is_a_validate_warning(workdir: Path) -> None:
    assert invoke("init", "billing")[0] == 0
    stale = workdir / "billing" / "schemas" / "prices.schema.json"
    stale.write_text(stale.read_text(encoding="utf-8").replace('"minimum"', '"exclusiveMinimum"'))
    code, stdout, _, _ = invoke("validate", "billing")
    assert code == 0  # the bill is unaffected; the editor's checks are stale
    assert stdout == (
        "billing/schemas/VERSION:1:1: warning: prices.schema.json differs from the schemas of the installed "
        f"cwbill {__version__} (schemas {SCHEMA_VERSION}); editors check against stale rules: run "
        "`cwbill schemas --out billing/schemas` and commit the result\n"
    )
    assert invoke("schemas", "--out", "billing/schemas")[0] == 0
    assert invoke("validate", "billing")[1] == ""


@pytest.mark.parametrize(
    ("existing", "expected"),
    [
        (None, "# what cwbill runs leave behind (apply's journal, locks)\n.cwbill/\n"),
        ("*.pyc\n", "*.pyc\n# what cwbill runs leave behind (apply's journal, locks)\n.cwbill/\n"),
        ("*.pyc", "*.pyc\n# what cwbill runs leave behind (apply's journal, locks)\n.cwbill/\n"),
        ("/.cwbill/\n", "/.cwbill/\n"),
    ],
    ids=["no .gitignore yet", "one without the line", "one without a final newline", "one that has it"],
)
def test_init_keeps_the_run_folder_out_of_git(workdir: Path, existing: str | None, expected: str) -> None:
    if existing is not None:
        (workdir / ".gitignore").write_text(existing, encoding="utf-8")
    assert invoke("init")[0] == 0
    assert (workdir / ".gitignore").read_text(encoding="utf-8") == expected


def test_the_skeleton_plans_against_the_sandbox_demo(workdir: Path) -> None:
    """getting-started.md: init, pull October's usage from the sandbox, plan — changes, exit 2."""
    assert invoke("init", "billing")[0] == 0
    with serve_in_thread(Sandbox(load_seed("demo"))) as url:
        env = {**DEMO_CREDENTIALS, "CW_URL": url + API_PATH, "MBS_URL": url}
        pulled = invoke(
            "usage", "pull", "billing", "--period", "2026-10", "--out", "billing/usage/2026-10.yaml", env=env
        )
        planned = invoke("plan", "billing", "--as-of", "2026-11-02", "--detailed-exitcode", env=env)
    assert pulled[0] == 0, pulled
    assert 'console_company: "Acme Corp"' in (workdir / "billing" / "usage" / "2026-10.yaml").read_text()
    code, stdout, _, exception = planned
    assert code == 2, (stdout, exception)
    assert 'ACME — agreement 1 "Managed Backup Service"' in stdout
    assert "+ create MBS-DESKTOP 2026-10 (new) · licenses" in stdout


def test_init_needs_no_credentials_and_prints_no_secret(workdir: Path) -> None:
    env = {**os.environ, "CW_PRIVATE_KEY": "s3cr3t-private", "MBS_PASSWORD": "s3cr3t-password"}
    done = subprocess.run(
        [str(CWBILL), "init"], cwd=workdir, capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0
    assert "s3cr3t" not in done.stdout + done.stderr


def test_a_fresh_repository_plans_with_the_hint_to_pull_a_month(workdir: Path) -> None:
    """No usage file yet: the plan says so, and how to pull one, before the `no-usage` lines."""
    assert invoke("init", "billing")[0] == 0
    with serve_in_thread(Sandbox(load_seed("demo"))) as url:
        env = {**DEMO_CREDENTIALS, "CW_URL": url + API_PATH, "MBS_URL": url, "NO_COLOR": "1"}
        code, stdout, _, exception = invoke("plan", "billing", "--as-of", "2026-11-02", env=env)
    assert code == 0, exception
    warnings = [line for line in stdout.splitlines() if line.startswith("! ")]
    assert warnings[0] == (
        "! no-usage-files: billing/usage holds no usage files yet: pull a month with `cwbill usage pull "
        "billing --period YYYY-MM --out billing/usage/YYYY-MM.yaml` (or point --usage at one)"
    )
    assert all(line.startswith("! no-usage: ") for line in warnings[1:])
