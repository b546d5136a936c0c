"""vcrpy cassettes recorded from the served sandbox, replayable with no sandbox at all.

`sandbox_vcr()` is the one configuration to use, for recording and for replay: the `Authorization`
and `clientId` headers are filtered out (and `Host`, `User-Agent`, which vary); the served
sandbox's `http://127.0.0.1:PORT` is rewritten to the stable `http://sandbox.test` (in request URIs,
in response bodies and `Link` headers), so a replay needs no port; `Date` and `Server` are dropped,
so a recording is byte-for-byte reproducible (the sandbox is deterministic). To replay against
your own client code:

    with sandbox_vcr().use_cassette("demo_read_and_write.yaml"):
        client = httpx.Client(base_url=REPLAY_API)   # any credentials: they were not recorded
        ...                                           # the recorded requests, in order

Re-record the committed cassette after a deliberate change of the sandbox's answers:
`.venv/bin/python -m tests.sandbox.recording`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import vcr  # type: ignore[import-untyped]  # vcrpy ships no type hints

from reconciler.jsonwire import dumps
from reconciler.sandbox import API_PATH, Sandbox, serve_in_thread
from reconciler.sandbox.seeds import load_seed
from tests.sandbox.helpers import cw_headers

CASSETTES = Path(__file__).parent / "cassettes"
DEMO_CASSETTE = "demo_read_and_write.yaml"
REPLAY_ORIGIN = "http://sandbox.test"
REPLAY_API = f"{REPLAY_ORIGIN}{API_PATH}"
DROPPED_RESPONSE_HEADERS = ("date", "server")


def sandbox_vcr(
    record_mode: str = "none",
    live_origin: str | None = None,
    library: Path = CASSETTES,
    replay_origin: str = REPLAY_ORIGIN,
) -> vcr.VCR:
    """A VCR for sandbox cassettes; `live_origin` (the served URL) is rewritten to `replay_origin`."""

    def on_request(request: Any) -> Any:
        if live_origin:
            request.uri = request.uri.replace(live_origin, replay_origin)
        return request

    def on_response(response: dict[str, Any]) -> dict[str, Any]:
        headers = {k: v for k, v in response["headers"].items() if k.lower() not in DROPPED_RESPONSE_HEADERS}
        if live_origin:
            headers = {
                k: [value.replace(live_origin, replay_origin) for value in v] for k, v in headers.items()
            }
            body = response["body"]["string"]
            replaced = body.replace(live_origin.encode(), replay_origin.encode())
            response["body"]["string"] = replaced
            if "content-length" in {k.lower() for k in headers}:
                headers = {
                    k: [str(len(replaced))] if k.lower() == "content-length" else v
                    for k, v in headers.items()
                }
        response["headers"] = headers
        return response

    return vcr.VCR(
        cassette_library_dir=str(library),
        record_mode=record_mode,
        # credentials never; host and user-agent vary by port and httpx version
        filter_headers=["authorization", "clientid", "host", "user-agent"],
        before_record_request=on_request,
        before_record_response=on_response,
        match_on=["method", "scheme", "host", "port", "path", "query", "body"],
        decode_compressed_response=True,
    )


def demo_conversation(client: httpx.Client) -> None:
    """What the committed cassette holds: reads with paging, a create, a patch, a delete, a refusal."""
    client.get("/company/companies", params={"conditions": 'identifier="ACME"'})
    client.get("/finance/agreements", params={"conditions": "company/id=1"})
    page = client.get("/finance/agreements/1/additions", params={"pageSize": 2, "orderBy": "id"})
    next_url = page.links.get("next", {}).get("url")
    if next_url:
        client.get(next_url)
    line = {
        "product": {"identifier": "MBS-SERVER"},
        "billCustomer": "Billable",
        "quantity": 3,
        "unitPrice": Decimal("15.00"),  # a JSON number of the exact text, as the spec types it
        "unitCost": Decimal("8.00"),
        "effectiveDate": "2026-11-01T00:00:00Z",
        "cancelledDate": "2026-11-30T00:00:00Z",
        "serialNumber": "cwbill:licenses:00000000",
    }
    created = client.post(
        "/finance/agreements/1/additions", content=dumps(line), headers={"Content-Type": "application/json"}
    ).json()
    path = f"/finance/agreements/1/additions/{created['id']}"
    client.patch(path, json=[{"op": "replace", "path": "quantity", "value": 4}])
    client.delete(path)
    client.post(
        "/finance/agreements/4/additions",
        json={"product": {"id": 2}, "billCustomer": "NoCharge", "effectiveDate": "2026-11-01T00:00:00Z"},
    )


def record(
    cassette: Path,
    conversation: Callable[[httpx.Client], None] = demo_conversation,
    sandbox: Sandbox | None = None,
) -> None:
    """Serve a (demo) sandbox, hold `conversation` with it over HTTP, and write it to `cassette`."""
    served = sandbox if sandbox is not None else Sandbox(load_seed("demo"))
    cassette.unlink(missing_ok=True)
    with serve_in_thread(served) as url:
        recorder = sandbox_vcr("all", live_origin=url, library=cassette.parent)
        with (
            recorder.use_cassette(cassette.name),
            httpx.Client(base_url=f"{url}{API_PATH}", headers=cw_headers(), trust_env=False) as client,
        ):
            conversation(client)


if __name__ == "__main__":
    record(CASSETTES / DEMO_CASSETTE)
    print(f"recorded {CASSETTES / DEMO_CASSETTE}")
