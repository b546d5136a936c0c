"""The store: ids, the logical clock, and the --state file round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.sandbox import Sandbox
from reconciler.sandbox.generator import GeneratorSpec, generate
from reconciler.sandbox.seeds import load_seed
from reconciler.sandbox.state import LogicalClock, Store
from tests.sandbox.helpers import cw_client, mbs_client, new_addition


def test_the_logical_clock_advances_one_second_per_tick_across_days() -> None:
    clock = LogicalClock()
    assert [clock.tick() for _ in range(2)] == ["2026-01-01T00:00:01Z", "2026-01-01T00:00:02Z"]
    for _ in range(86_397):
        clock.tick()
    assert clock.tick() == "2026-01-02T00:00:00Z"


def test_a_state_file_round_trips_everything_exactly(tmp_path: Path) -> None:
    sandbox = Sandbox(load_seed("demo"))
    with cw_client(sandbox) as client:
        client.post(
            "/finance/agreements/1/additions", json=new_addition(quantity="0.125", unitPrice="0.0059")
        )
        client.delete("/finance/agreements/3/additions/8")
    path = tmp_path / "state.json"
    sandbox.store.save(path)
    raw = json.loads(path.read_text())
    assert raw["additions"][-1]["quantity"] == "0.125" and raw["additions"][-1]["unitPrice"] == "0.0059"
    loaded = Store.load(path)
    assert loaded.to_document() == sandbox.store.to_document()
    again = Sandbox(loaded)
    with cw_client(again) as client:
        created = client.post("/finance/agreements/1/additions", json=new_addition()).json()
    assert created["id"] == 11, "ids go on after a reload"
    assert created["_info"]["lastUpdated"] > raw["clock"][:19], "and so does the clock"
    client = mbs_client(again)
    assert len(client.get("/api/Licenses").json()) == len(sandbox.store.console.licenses)
    client.close()


def test_a_generated_store_round_trips_too(tmp_path: Path) -> None:
    store = generate(GeneratorSpec(companies=3, months=2, seed=9))
    store.save(tmp_path / "s.json")
    assert Store.load(tmp_path / "s.json").to_document() == store.to_document()


@pytest.mark.parametrize(
    "text", ['{"format": 2}', "[]", '{"format": 1}'], ids=["other format", "not an object", "incomplete"]
)
def test_a_file_that_is_not_a_state_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises((ValueError, KeyError)):
        Store.load(path)


def test_a_company_is_found_by_identifier_however_the_table_was_filled() -> None:
    store = Store()
    first = store.insert("companies", {"identifier": "Acme", "name": "Acme Inc"})
    store.insert("companies", {"identifier": "beta", "name": "Beta"})
    assert store.company(identifier="ACME") is first  # any case, as ConnectWise compares them
    assert store.company(identifier="gamma") is None
    later = store.insert("companies", {"identifier": "Gamma", "name": "Gamma"})
    assert store.company(identifier="gamma") is later
    # a table filled directly (a state file, a test), with an identifier repeated: the first one
    store.companies[99] = {"id": 99, "identifier": "Delta", "name": "Delta"}
    store.companies[100] = {"id": 100, "identifier": "delta", "name": "Delta again"}
    assert store.company(identifier="delta") == store.companies[99]
    assert store.company(identifier="acme") is first
