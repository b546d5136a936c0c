"""`cwbill validate` also checks the committed usage snapshots under usage/."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from reconciler.cli import app
from tests.conftest import edit


def test_a_bad_usage_snapshot_fails_validation_with_its_line(billing_copy: Path) -> None:
    edit(
        billing_copy / "usage" / "2026-10.yaml",
        "licenses: {desktop: 7, sql: 1}",
        "licenses: {desktop: 7, sqll: 1}",
    )
    result = CliRunner().invoke(app, ["validate", "billing"])
    assert result.exit_code == 1
    assert "billing/usage/2026-10.yaml:" in result.output
    assert "sqll" in result.output


def test_the_example_usage_snapshots_are_valid(billing_copy: Path) -> None:
    result = CliRunner().invoke(app, ["validate", "billing"])
    assert result.exit_code == 0, result.output
