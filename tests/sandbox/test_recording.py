"""vcrpy cassettes from the sandbox: recorded with credentials filtered, replayed with plain httpx."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.sandbox.recording import CASSETTES, DEMO_CASSETTE, REPLAY_API, record, sandbox_vcr


def test_the_committed_cassette_replays_with_httpx_and_no_sandbox() -> None:
    early = {"product": {"id": 2}, "billCustomer": "NoCharge", "effectiveDate": "2026-11-01T00:00:00Z"}
    with (
        sandbox_vcr().use_cassette(DEMO_CASSETTE),
        httpx.Client(base_url=REPLAY_API, headers={"Authorization": "Basic anything"}) as client,
    ):
        acme = client.get("/company/companies", params={"conditions": 'identifier="ACME"'}).json()
        first = client.get("/finance/agreements/1/additions", params={"pageSize": 2, "orderBy": "id"})
        second = client.get(first.links["next"]["url"])
        refused = client.post("/finance/agreements/4/additions", json=early)
    assert acme[0]["identifier"] == "ACME"
    assert [a["id"] for a in first.json() + second.json()] == [1, 2, 3, 4]
    assert first.links["next"]["url"].startswith(REPLAY_API)
    assert refused.status_code == 400
    assert (
        refused.json()["errors"][0]["message"]
        == "effectiveDate cannot be less than the agreement billing start date."
    )


def test_no_credential_or_live_address_is_in_the_cassette() -> None:
    text = (CASSETTES / DEMO_CASSETTE).read_text()
    for secret in (
        "demo-private-key",
        "demo-public-key",
        "3b1c0a9e",
        "authorization",
        "clientid",
        "127.0.0.1",
    ):
        assert secret not in text.lower()


def test_recording_is_reproducible_and_matches_the_committed_cassette(tmp_path: Path) -> None:
    fresh = tmp_path / DEMO_CASSETTE
    record(fresh)
    assert fresh.read_text() == (CASSETTES / DEMO_CASSETTE).read_text(), (
        "the sandbox now answers differently; if that is deliberate, re-record with "
        "`.venv/bin/python -m tests.sandbox.recording`"
    )
