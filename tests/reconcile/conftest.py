"""End-to-end fixtures: the sandbox over real HTTP on loopback; `cwbill` run through its entry point."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from reconciler.sandbox import API_PATH, DEMO_CREDENTIALS, Sandbox, serve_in_thread
from reconciler.sandbox.seeds import load_seed
from tests.conftest import Served
from tests.sandbox.helpers import cw_headers

AS_OF = "2026-11-02"  # the demo seed's day: auto-billing sends October; manual covers Oct + Nov


class World(Served):
    """The demo sandbox and a billing repository copy, with helpers to read ConnectWise back."""

    def plan_json(self, *args: str) -> dict[str, object]:
        result = self.cwbill("plan", "billing", "--as-of", AS_OF, "--format", "json", *args)
        assert result.code == 0, result.err
        return json.loads(result.out, parse_float=Decimal)  # type: ignore[no-any-return]

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.url + API_PATH, headers=cw_headers(self.sandbox.credentials))

    def additions(self, agreement_id: int) -> list[dict[str, object]]:
        with self.api() as client:
            response = client.get(f"/finance/agreements/{agreement_id}/additions", params={"pageSize": 1000})
            response.raise_for_status()
            return response.json(parse_float=Decimal)  # type: ignore[no-any-return]


@pytest.fixture
def world(
    billing_copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[World]:
    sandbox = Sandbox(load_seed("demo"))
    with serve_in_thread(sandbox) as url:
        yield World(sandbox, url, billing_copy, capsys, monkeypatch).point(DEMO_CREDENTIALS)
