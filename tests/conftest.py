"""Fixtures shared across the suite: a breakable copy of the example billing repository."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from reconciler.cli import main

PROJECT = Path(__file__).resolve().parent.parent
EXAMPLE_BILLING = PROJECT / "billing"
SECRET_VARIABLES = ("CW_PRIVATE_KEY", "CW_PUBLIC_KEY", "MBS_PASSWORD")


@pytest.fixture
def billing_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of `billing/` at `tmp_path/billing`, with the working directory set to `tmp_path`
    (so findings name `billing/...`) and no secret variables from the developer's environment."""
    target = tmp_path / "billing"
    shutil.copytree(EXAMPLE_BILLING, target)
    monkeypatch.chdir(tmp_path)
    for name in SECRET_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return target


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of `old` in `path` (fails loudly if the example changed)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@dataclass(frozen=True, slots=True)
class Result:
    """What one `cwbill` run printed, and its exit code."""

    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


def run_cwbill(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    """Run `cwbill ARGS` through its real entry point (the top-level handler included), in process."""
    capsys.readouterr()
    monkeypatch.setattr(sys, "argv", ["cwbill", *args])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)
