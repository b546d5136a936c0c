"""`cwbill validate`: exit codes, findings on stdout, the summary on stderr, text and JSON."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from reconciler.cli import app
from tests.conftest import PROJECT, edit

FINDING_LINE = re.compile(r"^[^:\s]+:\d+:\d+: [\w.\[\]-]+: (warning: )?\S.*$")
WARNING = (
    "billing/products.yaml:20:3: products.sql: warning: has no cost/price in prices.yaml: "
    "billed at cost 0, price 0"
)
CWBILL = Path(sys.executable).parent / "cwbill"
SECRET = "mbsSecretX4k2"


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["validate", *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_the_example_is_valid_and_says_so_on_stderr(billing_copy: Path) -> None:
    code, stdout, stderr = invoke("billing")
    assert code == 0
    assert stdout.splitlines() == [WARNING]
    assert stderr == "billing: valid (5 companies, 6 configurations, 1 warning)\n"


def test_the_directory_defaults_to_billing_in_the_working_directory(billing_copy: Path) -> None:
    code, stdout, _ = invoke()
    assert code == 0
    assert stdout.splitlines() == [WARNING]


def test_a_broken_repository_exits_1_with_one_line_per_finding_sorted(billing_copy: Path) -> None:
    edit(billing_copy / "companies" / "beta.yaml", "send: total", "send: average")
    edit(billing_copy / "companies" / "acme.yaml", "[server, desktop]", "[server, dekstop]")
    code, stdout, stderr = invoke("billing")
    assert code == 1
    lines = stdout.splitlines()
    assert all(FINDING_LINE.match(line) for line in lines), lines
    assert [line.split(":")[0] for line in lines] == [
        "billing/companies/acme.yaml",
        "billing/companies/beta.yaml",
        "billing/products.yaml",
    ]
    assert lines[1].startswith(
        "billing/companies/beta.yaml:11:11: configurations[0].send: send: average is not"
    )
    assert stderr == "billing: invalid (2 errors, 1 warning)\n"


def test_a_missing_directory_is_one_finding(billing_copy: Path) -> None:
    code, stdout, stderr = invoke("nowhere")
    assert (code, stdout) == (1, "nowhere: no such directory\n")
    assert stderr == "nowhere: invalid (1 error)\n"


@pytest.mark.parametrize(
    ("broken", "valid", "errors"),
    [(False, True, 0), (True, False, 1)],
    ids=["valid-example", "broken-copy"],
)
def test_json_output_is_one_object_with_counts_and_findings(
    billing_copy: Path, broken: bool, valid: bool, errors: int
) -> None:
    if broken:
        edit(billing_copy / "settings.yaml", "unit_price: 2", "unit_price: 6")
    code, stdout, _ = invoke("billing", "--format", "json")
    assert code == (0 if valid else 1)
    report = json.loads(stdout)
    assert (report["valid"], report["errors"], report["warnings"]) == (valid, errors, 1)
    assert len(report["findings"]) == errors + 1
    warning = next(f for f in report["findings"] if f["severity"] == "warning")
    assert warning == {
        "file": "billing/products.yaml",
        "line": 20,
        "col": 3,
        "path": "products.sql",
        "message": "has no cost/price in prices.yaml: billed at cost 0, price 0",
        "severity": "warning",
        "code": "no-price",
    }


def test_a_secret_value_is_never_printed(billing_copy: Path) -> None:
    edit(billing_copy / "settings.yaml", "currency: USD", f"currency: {SECRET}")
    for output_format in ("text", "json"):
        code, stdout, stderr = invoke("billing", "--format", output_format, env={"MBS_PASSWORD": SECRET})
        assert code == 1
        assert SECRET not in stdout + stderr
        assert "$MBS_PASSWORD" in stdout


def run_cwbill(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(CWBILL.parent), "NO_COLOR": "1"}
    return subprocess.run(
        [str(CWBILL), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_installed_command_validates_the_example() -> None:
    result = run_cwbill("validate", "billing", cwd=PROJECT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [WARNING]
    assert result.stderr.startswith("billing: valid (")


# `reconciler.cli.main` runs the app with standalone_mode=False, where typer returns the code of a
# `typer.Exit` instead of raising it, and typer 0.29's own usage errors are not `click` exceptions:
# reported to the lead. strict: once main is fixed these pass, and the markers must go.


def break_copy(billing: Path) -> None:
    edit(billing / "prices.yaml", "price: 15.00}", "price: -15.00}")
    (billing / "companies" / "delta.yaml").write_bytes(b"company: DELTA\nconsole_company: D\xe9lta\n")


def test_the_installed_command_reports_a_broken_copy_without_a_traceback(billing_copy: Path) -> None:
    break_copy(billing_copy)
    result = run_cwbill("validate", "billing", cwd=billing_copy.parent)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "billing/companies/delta.yaml:2:19: the file is not UTF-8 text",
        "billing/prices.yaml:4:33: licenses.server.price: -15.00 is below the minimum of 0",
    ]
    assert result.stderr == "billing: invalid (2 errors)\n"


def test_the_installed_command_exits_1_on_a_broken_copy(billing_copy: Path) -> None:
    break_copy(billing_copy)
    assert run_cwbill("validate", "billing", cwd=billing_copy.parent).returncode == 1


def test_a_bad_option_exits_1_without_a_traceback(billing_copy: Path) -> None:
    result = run_cwbill("validate", "billing", "--format", "xml", cwd=billing_copy.parent)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "xml" in result.stderr


def test_the_pre_commit_hook_validates_billing_yaml_only() -> None:
    hooks = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "cwbill-validate")
    assert (hook["entry"], hook["language"], hook["pass_filenames"]) == ("cwbill validate", "python", False)
    files = re.compile(hook["files"])
    for path in (
        "billing/settings.yaml",
        "billing/companies/acme.yml",
        "prices.yaml",
        "companies/x.yaml",
        "billing/usage/2026-10.yaml",
        "usage/2026-11.json",
    ):
        assert files.search(path), path
    for path in (
        "README.md",
        "reconciler/settings.py",
        "docs/products.yaml.md",
    ):
        assert not files.search(path), path


@pytest.mark.parametrize(
    ("command", "file"),
    [("validate-manifest", ".pre-commit-hooks.yaml"), ("validate-config", ".pre-commit-config.yaml")],
    ids=["hooks-manifest", "repository-config"],
)
def test_pre_commit_accepts_the_hook_files(command: str, file: str) -> None:
    pre_commit = CWBILL.parent / "pre-commit"
    result = subprocess.run(
        [str(pre_commit), command, file], cwd=PROJECT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("places", "warned"),
    [("2", True), ("4", False)],
    ids=["unitPrice to 2 places: warned up front", "to 4 places: nothing to lose"],
)
def test_send_average_on_storage_warns_of_rounding_up_front(
    billing_copy: Path, places: str, warned: bool
) -> None:
    edit(billing_copy / "companies" / "acme.yaml", "    send: total", "    send: average")
    edit(billing_copy / "settings.yaml", "unit_price: 2 ", f"unit_price: {places} ")
    code, stdout, _ = invoke("billing")
    assert code == 0  # a warning, never an error
    expected = (
        "billing/companies/acme.yaml:16:11: configurations[1].send: warning: send: average rounds a storage "
        f"line's unitPrice (restores and limit included) to {places} places"
    )
    assert any(line.startswith(expected) for line in stdout.splitlines()) is warned
    if warned:
        assert "set rounding.unit_price: 4 in settings.yaml, or send: total" in stdout
