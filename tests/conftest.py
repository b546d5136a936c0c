"""Fixtures shared across the suite: a breakable copy of the example billing repository."""

from __future__ import annotations

import gc
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import pytest

from reconciler.cli import main
from reconciler.sandbox import API_PATH, DEMO_CREDENTIALS, Sandbox, serve_in_thread

PROJECT = Path(__file__).resolve().parent.parent
EXAMPLE_BILLING = PROJECT / "billing"
SECRET_VARIABLES = ("CW_PRIVATE_KEY", "CW_PUBLIC_KEY", "MBS_PASSWORD")


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A throwaway self-signed certificate and key for 127.0.0.1 (the TLS tests' server)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command for a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


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


@dataclass
class Served:
    """A sandbox served on loopback, a billing repository beside it, and `cwbill` run in process."""

    sandbox: Sandbox
    url: str
    billing: Path
    capsys: pytest.CaptureFixture[str]
    monkeypatch: pytest.MonkeyPatch

    @classmethod
    @contextmanager
    def serving(
        cls,
        sandbox: Sandbox,
        billing: Path,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
        credentials: Mapping[str, str] = DEMO_CREDENTIALS,
    ) -> Iterator[Self]:
        """`sandbox` served on loopback until the block ends, cwbill pointed at it with `credentials`."""
        with serve_in_thread(sandbox) as url:
            yield cls(sandbox, url, billing, capsys, monkeypatch).point(credentials)

    def cwbill(self, *args: str) -> Result:
        return run_cwbill(self.capsys, self.monkeypatch, *args)

    def writes(self) -> int:
        return int(str(self.sandbox.counters.to_json()["writes_committed"]))

    def point(self, credentials: Mapping[str, str]) -> Self:
        """cwbill's environment: `credentials`, and CW_URL and MBS_URL at this sandbox; no colour."""
        for name, value in credentials.items():
            self.monkeypatch.setenv(name, value)
        self.monkeypatch.setenv("CW_URL", self.url + API_PATH)
        self.monkeypatch.setenv("MBS_URL", self.url)
        self.monkeypatch.setenv("NO_COLOR", "1")
        return self


def run_cwbill(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    """Run `cwbill ARGS` through its real entry point (the top-level handler included), in process."""
    capsys.readouterr()
    monkeypatch.setattr(sys, "argv", ["cwbill", *args])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        assert gc.get_freeze_count() > 0  # main leaves what is alive to the process's exit (see main)
        gc.unfreeze()  # this process goes on: its collector works again
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)
