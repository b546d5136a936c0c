"""The console's edge cases replayed from a recorded cassette: no sandbox, no credentials.

The cassette (`tests/usage/console_recording.py`) holds what the sandbox's console answers an
account with every edge case; the readers and the mapping are run on the recorded bodies.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from reconciler.config.load import load_repository
from reconciler.engine.periods import Period
from reconciler.usage import console_wire as wire
from reconciler.usage.console_checks import report_unattributed
from reconciler.usage.console_login import login_refusal
from reconciler.usage.console_map import ConsoleState, UsageBuilder
from tests.conftest import EXAMPLE_BILLING
from tests.usage.console_recording import CASSETTE, CASSETTES, REPLAY_ORIGIN, console_vcr, record

NOV = Period(2026, 11)


@pytest.fixture(scope="module")
def answers() -> dict[str, httpx.Response]:
    replies: dict[str, httpx.Response] = {}
    with console_vcr().use_cassette(CASSETTE), httpx.Client(base_url=REPLAY_ORIGIN) as client:
        replies["refused"] = client.post("/api/Provider/Login", json={"UserName": "x", "Password": "y"})
        for route in ("Companies", "Users", "Licenses", "Accounts", "Packages"):
            replies[route] = client.get(f"/api/{route}")
        replies["Billing"] = client.put("/api/Billing", json={})
        client.get("/api/Users")
        replies["Details"] = client.put("/api/Billing/Details", json={})
    return replies


def _json(response: httpx.Response) -> object:
    return response.json(parse_float=Decimal)


def test_a_wrong_password_is_the_documented_400(answers: dict[str, httpx.Response]) -> None:
    refused = answers["refused"]
    body = refused.json()
    assert refused.status_code == 400 and body["error"] == "invalid_grant"
    message = login_refusal(refused.status_code, body["error_description"], body["error"])
    assert message is not None and "check MBS_USERNAME and MBS_PASSWORD" in message


def test_the_recorded_account_maps_to_the_edge_cases(answers: dict[str, httpx.Response]) -> None:
    repository, _ = load_repository(EXAMPLE_BILLING)
    assert repository is not None
    state = ConsoleState(
        companies=wire.companies(_json(answers["Companies"])),
        users=wire.users(_json(answers["Users"])),
        licenses=wire.licenses(_json(answers["Licenses"])),
        accounts=wire.accounts(_json(answers["Accounts"])),
        packages=wire.packages(_json(answers["Packages"])),
    )
    assert Decimal(-1) in state.packages.values()  # the unlimited package, as the console writes it
    builder = UsageBuilder(repository, state)
    acme = next(u for u in builder.users if u.company == "Acme Corp")
    details = {(acme.id, NOV): wire.details(_json(answers["Details"]))}
    report_unattributed(state, NOV, wire.billing(_json(answers["Billing"])), details, builder.report)
    records = builder.build([NOV], details)
    record_ = records[("Acme Corp", NOV)]
    assert record_.licenses == {"server": 4, "desktop": 13}
    assert record_.storage["wasabi"].limit == 0
    assert sorted(n.code for n in record_.notes) == ["deleted-user", "expired-license", "unlimited-limit"]
    assert [n.code for n in records[("Beta Logistics", NOV)].notes] == ["moved-user"]


def test_no_credential_or_live_address_is_in_the_cassette() -> None:
    text = (CASSETTES / CASSETTE).read_text(encoding="utf-8")
    for secret in ("demo-password", "demo@cwbill.example", "authorization", "bearer ", "127.0.0.1"):
        assert secret not in text.lower()


def test_recording_is_reproducible_and_matches_the_committed_cassette(tmp_path: Path) -> None:
    fresh = tmp_path / CASSETTE
    record(fresh)
    assert fresh.read_text() == (CASSETTES / CASSETTE).read_text(), (
        "the sandbox's console now answers differently; if that is deliberate, re-record with "
        "`.venv/bin/python -m tests.usage.console_recording`"
    )
