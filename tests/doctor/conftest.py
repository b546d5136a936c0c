"""The demo sandbox served on loopback beside a copy of billing/, for `cwbill doctor` end to end."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.sandbox import Sandbox
from reconciler.sandbox.seeds import load_seed
from tests.conftest import SECRET_VARIABLES, Result, Served

AS_OF = "2026-11-02"  # the demo seed's day (docs/sandbox.md)


class Clinic(Served):
    def doctor(self, *args: str) -> Result:
        """`cwbill doctor billing --as-of AS_OF ARGS`; no secret of its environment is ever shown."""
        result = self.cwbill("doctor", "billing", "--as-of", AS_OF, *args)
        for name in SECRET_VARIABLES:
            secret = os.environ.get(name)
            assert not secret or secret not in result.text, f"{name} shown"
        return result

    def doctor_json(self, *args: str) -> tuple[int, dict[str, dict[str, object]]]:
        """The exit code and each check of `doctor --format json`, by code."""
        result = self.doctor("--format", "json", *args)
        checks = json.loads(result.out)["checks"]
        return result.code, {str(check["code"]): check for check in checks}

    def connectwise_requests(self) -> list[str]:
        """The ConnectWise routes requested (`GET /finance/agreements`…), console ones left out."""
        counted = self.sandbox.counters.to_json()["requests"]
        assert isinstance(counted, dict)
        return sorted(route for route in counted if " /api/" not in route)


@pytest.fixture
def clinic(
    billing_copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Clinic]:
    with Clinic.serving(Sandbox(load_seed("demo")), billing_copy, capsys, monkeypatch) as clinic:
        yield clinic
