"""End-to-end fixtures: the sandbox over real HTTP on loopback; `cwbill` run through its entry point."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from reconciler.sandbox import DEMO_CREDENTIALS, Sandbox, serve_in_thread
from reconciler.sandbox.seeds import load_seed
from tests.conftest import Result, run_cwbill

AS_OF = "2026-11-02"  # the demo seed's day: auto-billing sends October; manual covers Oct + Nov
CW_BASE = "/v4_6_release/apis/3.0"


@dataclass
class World:
    """A running sandbox, a billing repository copy, and helpers to run cwbill and read ConnectWise."""

    sandbox: Sandbox
    url: str
    billing: Path
    capsys: pytest.CaptureFixture[str]
    monkeypatch: pytest.MonkeyPatch

    def cwbill(self, *args: str) -> Result:
        return run_cwbill(self.capsys, self.monkeypatch, *args)

    def plan_json(self, *args: str) -> dict[str, object]:
        result = self.cwbill("plan", "billing", "--as-of", AS_OF, "--format", "json", *args)
        assert result.code == 0, result.err
        return json.loads(result.out, parse_float=Decimal)  # type: ignore[no-any-return]

    def api(self) -> httpx.Client:
        creds = DEMO_CREDENTIALS
        token = f"{creds['CW_COMPANY_ID']}+{creds['CW_PUBLIC_KEY']}:{creds['CW_PRIVATE_KEY']}"
        headers = {
            "Authorization": "Basic " + base64.b64encode(token.encode()).decode(),
            "clientId": creds["CW_CLIENT_ID"],
        }
        return httpx.Client(base_url=self.url + CW_BASE, headers=headers)

    def additions(self, agreement_id: int) -> list[dict[str, object]]:
        with self.api() as client:
            response = client.get(f"/finance/agreements/{agreement_id}/additions", params={"pageSize": 1000})
            response.raise_for_status()
            return response.json(parse_float=Decimal)  # type: ignore[no-any-return]

    def writes(self) -> int:
        return int(self.sandbox.counters.to_json()["writes_committed"])  # type: ignore[call-overload]


@pytest.fixture
def world(
    billing_copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[World]:
    sandbox = Sandbox(load_seed("demo"))
    with serve_in_thread(sandbox) as url:
        for name, value in DEMO_CREDENTIALS.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("CW_URL", url + CW_BASE)
        monkeypatch.setenv("MBS_URL", url)
        monkeypatch.setenv("NO_COLOR", "1")
        yield World(sandbox, url, billing_copy, capsys, monkeypatch)
