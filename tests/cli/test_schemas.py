"""`cwbill schemas --out FOLDER`: the installed cwbill's schemas and their stamp, for a repository's editors;
and the example `billing/` carries exactly those (its headers resolve inside it, on every clone)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from reconciler.config.schema import schema_text
from reconciler.config.vendor import STAMP, VENDORED_KINDS, check_vendored, stamp_text
from tests.conftest import EXAMPLE_BILLING

CWBILL = Path(sys.executable).parent / "cwbill"
HEADER = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def _schemas(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CWBILL), "schemas", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_schemas_writes_every_vendored_schema_and_the_stamp_and_replaces_stale_ones(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "company.schema.json").write_text("stale\n", encoding="utf-8")
    (tmp_path / "out" / "notes.txt").write_text("mine\n", encoding="utf-8")
    done = _schemas("--out", "out", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == f"wrote {len(VENDORED_KINDS)} schemas and VERSION to out\n"
    for kind in VENDORED_KINDS:
        assert (tmp_path / "out" / f"{kind}.schema.json").read_text(encoding="utf-8") == schema_text(kind)
    assert (tmp_path / "out" / STAMP).read_text(encoding="utf-8") == stamp_text()
    assert (tmp_path / "out" / "notes.txt").read_text(encoding="utf-8") == "mine\n"  # left alone


def test_schemas_onto_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("", encoding="utf-8")
    done = _schemas("--out", "out", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == "error: out exists and is not a folder; nothing was written\n"


def test_the_example_repository_carries_the_installed_schemas() -> None:
    assert check_vendored(EXAMPLE_BILLING, "billing") == []


def test_every_header_of_the_example_resolves_inside_it() -> None:
    for path in sorted(EXAMPLE_BILLING.rglob("*.yaml")):
        found = HEADER.match(path.read_text(encoding="utf-8").splitlines()[0])
        assert found, path
        target = (path.parent / found.group(1)).resolve()
        assert target.is_relative_to(EXAMPLE_BILLING.resolve()), path
        assert target.is_file(), path
