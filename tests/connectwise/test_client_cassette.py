"""cwbill's ConnectWise client replayed from a vcrpy cassette recorded from the sandbox.

The cassette `cassettes/client_reads_and_writes.yaml` is a real exchange of this client with the
served sandbox (demo seed), recorded with credentials filtered out (`tests/sandbox/recording.py`).
Re-record after a deliberate change: `.venv/bin/python -m tests.connectwise.test_client_cassette`.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import httpx

from reconciler.connectwise.client import ConnectWiseClient, Credentials
from reconciler.connectwise.live import parse_addition, parse_agreement
from reconciler.engine.periods import Period
from reconciler.httpclient import RetryPolicy
from reconciler.sandbox import API_PATH, DEMO_CREDENTIALS, Sandbox, serve_in_thread
from reconciler.sandbox.seeds import load_seed
from tests.sandbox.recording import sandbox_vcr

CASSETTES = Path(__file__).parent / "cassettes"
CASSETTE = "client_reads_and_writes.yaml"
# cwbill's client refuses plain http except to loopback, so the replay origin is a loopback address
# that nothing listens on: a request the cassette does not hold fails instead of reaching a server
REPLAY_ORIGIN = "http://127.0.0.9:9"
REPLAY_API = f"{REPLAY_ORIGIN}{API_PATH}"
NEW_LINE = {  # as apply's create_body builds it: numbers are Decimals, sent as JSON numbers
    "product": {"id": 2},
    "quantity": Decimal("12"),
    "unitPrice": Decimal("5.00"),
    "unitCost": Decimal("2.50"),
    "billCustomer": "Billable",
    "effectiveDate": "2026-10-01T00:00:00Z",
    "cancelledDate": "2026-10-31T00:00:00Z",
    "serialNumber": "cwbill:licenses:0123abcd",
}


def conversation(base_url: str, credentials: Credentials) -> dict[str, object]:
    """What the client does in a plan and an apply: scoped reads, then one write of each kind."""
    with httpx.Client() as http:
        client = ConnectWiseClient(http, base_url, credentials, policy=RetryPolicy(attempts=1), concurrency=1)
        agreements = [parse_agreement(r) for r in client.agreements_of(["ACME", "GAMMA"])]
        catalog = client.catalog_items(["MBS-DESKTOP", "MBS-SERVER"])
        additions = [
            parse_addition(r, 1) for r in client.additions_of(1, [Period(2026, 10), Period(2026, 11)])
        ]
        created = client.create_addition(1, NEW_LINE)
        new_id = created.json()["id"]
        patched = client.patch_addition(
            1, new_id, [{"op": "replace", "path": "quantity", "value": Decimal("13")}]
        )
        deleted = client.delete_addition(1, new_id)
        return {
            "agreements": [(a.id, a.company, a.name) for a in agreements],
            "catalog": sorted(str(r["identifier"]) for r in catalog),
            "additions": [(a.id, a.product, str(a.period)) for a in additions],
            "statuses": (created.status_code, patched.status_code, deleted.status_code),
            "quantity": patched.json()["quantity"],
            "requests": client.requests_sent,
        }


def test_the_client_replays_a_recorded_sandbox_exchange() -> None:
    with sandbox_vcr(library=CASSETTES, replay_origin=REPLAY_ORIGIN).use_cassette(CASSETTE):
        # any credentials: the cassette holds none, and replay does not match on headers
        result = conversation(REPLAY_API, Credentials("replay", "pub", "priv", "client"))
    assert result["agreements"] == [
        (1, "ACME", "Managed Backup Service"),
        (3, "GAMMA", "Managed Backup Service"),
    ]
    assert result["catalog"] == ["MBS-DESKTOP", "MBS-SERVER"]
    assert result["additions"] == [
        (2, "MBS-SERVER", "2026-10"),
        (3, "MBS-DESKTOP", "2026-11"),
        (4, "MBS-SERVER", "2026-11"),
    ]
    assert result["statuses"] == (201, 200, 204)
    assert result["quantity"] == 13
    assert result["requests"] == 6


def test_the_recorded_writes_carry_json_numbers() -> None:
    text = (CASSETTES / CASSETTE).read_text()
    assert '"quantity":12,"unitPrice":5.00,"unitCost":2.50' in text, "exact decimal text, not strings"
    assert '"value":13' in text


def test_the_cassette_holds_no_credential() -> None:
    text = (CASSETTES / CASSETTE).read_text()
    for name in ("CW_PUBLIC_KEY", "CW_PRIVATE_KEY", "CW_CLIENT_ID"):
        assert DEMO_CREDENTIALS[name] not in text
    assert "authorization" not in text.lower()


def record() -> None:  # pragma: no cover - run by hand to re-record
    (CASSETTES / CASSETTE).unlink(missing_ok=True)  # "all" would append to what is there
    with serve_in_thread(Sandbox(load_seed("demo"))) as url:
        recorder = sandbox_vcr(
            record_mode="all", live_origin=url, library=CASSETTES, replay_origin=REPLAY_ORIGIN
        )
        with recorder.use_cassette(CASSETTE):
            creds = DEMO_CREDENTIALS
            conversation(
                url + API_PATH,
                Credentials(
                    creds["CW_COMPANY_ID"],
                    creds["CW_PUBLIC_KEY"],
                    creds["CW_PRIVATE_KEY"],
                    creds["CW_CLIENT_ID"],
                ),
            )


if __name__ == "__main__":  # pragma: no cover
    record()
