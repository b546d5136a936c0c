"""A cassette of the console's edge cases, recorded from the served sandbox (vcrpy).

The conversation is the one `cwbill usage pull` holds with a console whose account has every edge
case of `--seed console-edge-cases` (docs/sandbox.md), plus the documented refusal of a wrong
password (400 `invalid_grant`). Credentials never reach the file: the `Authorization` header is
filtered, the login bodies' `UserName` and `Password` become `***`, and the accepted login (its
answer holds the bearer token) is not recorded at all; the live `http://127.0.0.1:PORT` becomes
`http://sandbox.test`. Interactions replay in their recorded order, matched on method and path, so
a replay needs neither the sandbox nor the credentials. Re-record after a deliberate change of the
sandbox's answers: `.venv/bin/python -m tests.usage.console_recording`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import vcr  # type: ignore[import-untyped]  # vcrpy ships no type hints

from reconciler.sandbox import DEMO_CREDENTIALS, Sandbox, serve_in_thread
from reconciler.sandbox.seeds import load_seed

CASSETTES = Path(__file__).parent / "cassettes"
CASSETTE = "console_edge_cases.yaml"
REPLAY_ORIGIN = "http://sandbox.test"


def console_vcr(
    record_mode: str = "none", live_origin: str | None = None, library: Path = CASSETTES
) -> vcr.VCR:
    def on_request(request: Any) -> Any:
        if live_origin:
            request.uri = request.uri.replace(live_origin, REPLAY_ORIGIN)
        if request.path.lower().endswith("/provider/login") and request.body:
            body = json.loads(request.body)
            request.body = json.dumps({key: "***" for key in body}).encode()
        return request

    def on_response(response: dict[str, Any]) -> dict[str, Any] | None:
        if b"access_token" in response["body"]["string"]:
            return None  # the accepted login: a token is a credential, never kept
        response["headers"] = {
            k: v for k, v in response["headers"].items() if k.lower() not in {"date", "server"}
        }
        return response

    return vcr.VCR(
        cassette_library_dir=str(library),
        record_mode=record_mode,
        filter_headers=["authorization", "host", "user-agent"],
        before_record_request=on_request,
        before_record_response=on_response,
        match_on=["method", "path"],
        decode_compressed_response=True,
    )


def conversation(client: httpx.Client) -> None:
    """A refused login, the login (not recorded), the lists, the month's billing and one user's details."""
    client.post(
        "/api/Provider/Login", json={"UserName": DEMO_CREDENTIALS["MBS_USERNAME"], "Password": "wrong"}
    )
    token = client.post(
        "/api/Provider/Login",
        json={"UserName": DEMO_CREDENTIALS["MBS_USERNAME"], "Password": DEMO_CREDENTIALS["MBS_PASSWORD"]},
    ).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    for route in ("Companies", "Users", "Licenses", "Accounts", "Packages"):
        client.get(f"/api/{route}")
    client.put("/api/Billing", json={"CompanyName": "", "Date": "2026-11-01"})
    acme = next(u for u in client.get("/api/Users").json() if u["Company"] == "Acme Corp")
    client.put("/api/Billing/Details", json={"UserID": acme["ID"], "Date": "2026-11-01"})


def record(cassette: Path) -> None:
    cassette.unlink(missing_ok=True)
    with serve_in_thread(Sandbox(load_seed("console-edge-cases"))) as url:
        recorder = console_vcr("all", live_origin=url, library=cassette.parent)
        with recorder.use_cassette(cassette.name), httpx.Client(base_url=url, trust_env=False) as client:
            conversation(client)


if __name__ == "__main__":
    record(CASSETTES / CASSETTE)
    print(f"recorded {CASSETTES / CASSETTE}")
