"""`cwbill usage pull`: the console's month as a snapshot, byte for byte; credentials from the env.

(Mirrors `reconciler/cli/usage.py`; it lives here because tests/cli/ is another engineer's folder.)
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reconciler.cli import app
from reconciler.config.load import load_repository
from reconciler.engine.periods import Period
from reconciler.errors import UserError
from reconciler.sandbox import DEMO_CREDENTIALS, Sandbox, serve_in_thread
from reconciler.usage.model import Usage, UsageRecord
from reconciler.usage.snapshot import dump_usage, load_usage
from tests.usage.sandbox_seed import sandbox_for

CWBILL = Path(sys.executable).parent / "cwbill"
OCT = Period(2026, 10)
USERNAME, PASSWORD = DEMO_CREDENTIALS["MBS_USERNAME"], DEMO_CREDENTIALS["MBS_PASSWORD"]


def _october(billing: Path, tmp_path: Path, extra: tuple[str, ...] = ()) -> tuple[Usage, Sandbox]:
    """The committed October snapshot, and a sandbox whose console reports exactly it."""
    repository, _ = load_repository(billing)
    assert repository is not None
    committed, findings = load_usage(billing / "usage" / "2026-10.yaml", repository)
    assert committed is not None, findings
    october = Usage({key: record for key, record in committed.records.items() if key[1] == OCT})
    return october, sandbox_for(october.records.values(), repository, tmp_path, extra)


def _invoke(*args: str, env: dict[str, str]) -> tuple[int, str, str, BaseException | None]:
    result = CliRunner().invoke(app, ["usage", "pull", *args], env=env)
    return result.exit_code, result.stdout, result.stderr, result.exception


_PROVENANCE = re.compile(r"^    (source|taken_at|method): .*\n|^    notes:\n(^      - .*\n)+", re.MULTILINE)


def _figures(snapshot: str) -> str:
    """The snapshot without when and how it was read (and its notes), byte for byte otherwise."""
    return _PROVENANCE.sub("", snapshot)


def _late_notes(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.endswith("[late-pull]")]


def _env(url: str, password: str = PASSWORD) -> dict[str, str]:
    return {"MBS_URL": url, "MBS_USERNAME": USERNAME, "MBS_PASSWORD": password}


def test_pulling_october_reproduces_the_committed_snapshot(billing_copy: Path, tmp_path: Path) -> None:
    october, console = _october(billing_copy, tmp_path)
    out = billing_copy / "usage" / "pulled" / "2026-10.yaml"
    with serve_in_thread(console) as url:
        code, stdout, stderr, _ = _invoke("billing", "--period", "2026-10", "--out", str(out), env=_env(url))
    assert code == 0, stderr
    assert stdout == ""
    # pulled after October's billing days (the clock is past 2026-11-03): each company is told so
    assert len(_late_notes(stderr)) == 5
    assert stderr.endswith("wrote billing/usage/pulled/2026-10.yaml: 5 companies for 2026-10\n")
    pulled = out.read_text(encoding="utf-8")
    # one folder deeper than usage/: the schema comment still finds ../schemas/ as settings.yaml does
    assert _figures(pulled) == dump_usage(october, "../../schemas/usage.schema.json")
    assert pulled.count("    source: console-api\n") == pulled.count("    taken_at: ") == 5


@pytest.mark.parametrize(
    ("settings_header", "expected"),
    [
        ("../schemas/settings.schema.json", "../../schemas/usage.schema.json"),
        ("vendored/settings.schema.json", "../vendored/usage.schema.json"),
        (
            "https://git.example.com/raw/schemas/settings.schema.json",
            "https://git.example.com/raw/schemas/usage.schema.json",
        ),
        ("/opt/cwbill/schemas/settings.schema.json", "/opt/cwbill/schemas/usage.schema.json"),
    ],
)
def test_the_schema_comment_follows_the_one_of_settings_yaml(
    billing_copy: Path, tmp_path: Path, settings_header: str, expected: str
) -> None:
    settings = billing_copy / "settings.yaml"
    lines = settings.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[0].startswith("# yaml-language-server: $schema=")
    settings.write_text(f"# yaml-language-server: $schema={settings_header}\n" + "".join(lines[1:]))
    october, console = _october(billing_copy, tmp_path)
    with serve_in_thread(console) as url:
        code, stdout, stderr, _ = _invoke("billing", "--period", "2026-10", env=_env(url))
    assert code == 0, stderr
    assert stdout.splitlines()[0] == f"# yaml-language-server: $schema={expected}"
    assert _figures(stdout) == dump_usage(october, expected)


def test_the_default_month_is_the_one_before_as_of_and_output_is_stdout(
    billing_copy: Path, tmp_path: Path
) -> None:
    october, console = _october(billing_copy, tmp_path)
    with serve_in_thread(console) as url:
        code, stdout, _, _ = _invoke("billing", "--as-of", "2026-11-02", env=_env(url))
        again = _invoke("billing", "--as-of", "2026-11-30", env=_env(url))[1]
    assert code == 0
    # deterministic but for when it was read: the same usage, the same bytes
    assert _figures(stdout) == _figures(again) == dump_usage(october)


def test_unmapped_console_companies_are_warned_on_stderr(billing_copy: Path, tmp_path: Path) -> None:
    _, console = _october(billing_copy, tmp_path, extra=("Orphan Inc",))
    with serve_in_thread(console) as url:
        code, _, stderr, _ = _invoke("billing", "--period", "2026-10", env=_env(url))
    assert code == 0
    assert (
        "warning: console company 'Orphan Inc' has no company file; not pulled [unmapped-console-company]"
        in stderr
    )


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        pytest.param(
            ("--period", "2026-10"),
            {"MBS_USERNAME": USERNAME},
            "not set: MBS_PASSWORD",
            id="a missing password is named, never guessed",
        ),
        pytest.param(
            ("--period", "2026-10"),
            {},
            "not set: MBS_USERNAME, MBS_PASSWORD",
            id="both credentials missing",
        ),
        pytest.param(
            ("--period", "2026-13"),
            _env("http://127.0.0.1:9"),
            "--period '2026-13' is not a month",
            id="a bad period",
        ),
        pytest.param(
            ("--as-of", "2026-11-31"),
            _env("http://127.0.0.1:9"),
            "--as-of '2026-11-31' is not a date",
            id="a bad date",
        ),
        pytest.param(
            ("--period", "2026-10"),
            _env("http://console.example"),
            "must use https://",
            id="plain http to a remote console is refused",
        ),
    ],
)
def test_user_errors(billing_copy: Path, args: tuple[str, ...], env: dict[str, str], message: str) -> None:
    full_env = {"MBS_URL": "", "MBS_USERNAME": "", "MBS_PASSWORD": "", **env}
    _, _, _, exception = _invoke("billing", *args, env=full_env)
    assert isinstance(exception, UserError)
    assert message in str(exception)


def test_the_installed_command_fails_cleanly_and_keeps_the_password_secret(
    billing_copy: Path, tmp_path: Path
) -> None:
    _, console = _october(billing_copy, tmp_path)
    secret = "wrong-Secret-4711"
    with serve_in_thread(console) as url:
        result = subprocess.run(
            [str(CWBILL), "usage", "pull", "billing", "--period", "2026-10"],
            cwd=billing_copy.parent,
            env={"PATH": str(CWBILL.parent), "NO_COLOR": "1", **_env(url, secret)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert result.stdout == ""
    assert (
        "refused the login (HTTP 400: The user name or password is incorrect. (invalid_grant))"
        in result.stderr
    )
    assert "check MBS_USERNAME and MBS_PASSWORD" in result.stderr
    assert "Traceback" not in result.stderr
    assert secret not in result.stderr


def test_all_companies_writes_companies_without_a_file_and_validate_only_warns(
    billing_copy: Path, tmp_path: Path
) -> None:
    october, _ = _october(billing_copy, tmp_path)
    repository, _ = load_repository(billing_copy)
    assert repository is not None
    orphan = UsageRecord(OCT, "Orphan Inc", {"server": 2})
    console = sandbox_for([*october.records.values(), orphan], repository, tmp_path)
    out = billing_copy / "usage" / "2026-10.yaml"
    with serve_in_thread(console) as url:
        code, _, stderr, _ = _invoke(
            "billing", "--period", "2026-10", "--all-companies", "--out", str(out), env=_env(url)
        )
    assert code == 0, stderr
    assert "has no company file; pulled, not billed" in stderr
    pulled, findings = load_usage(out, repository)
    assert pulled is not None
    found = pulled.of("Orphan Inc", OCT)
    assert found is not None and (found.licenses, found.storage) == ({"server": 2}, {})
    # the warning is at Orphan Inc's console_company line (records say their provenance before it)
    line = out.read_text(encoding="utf-8").splitlines().index('    console_company: "Orphan Inc"') + 1
    assert [f.render() for f in findings] == [
        f"billing/usage/2026-10.yaml:{line}:22: usage[5].console_company: warning: no company file has "
        "console_company 'Orphan Inc'; not billed (cwbill leakage counts it)"
    ]
    checked = CliRunner().invoke(app, ["validate", "billing"])
    assert checked.exit_code == 0, checked.output
    assert "no company file has console_company 'Orphan Inc'" in checked.output
