"""The sandbox's own controls under /_sandbox/: counters, faults, state."""

from __future__ import annotations

import httpx

from reconciler.sandbox import Sandbox
from reconciler.sandbox.jsonio import dumps, loads
from reconciler.sandbox.wire import Request
from tests.sandbox.helpers import ORIGIN, control, mbs_client, new_addition


def test_counters_count_requests_by_method_and_route_template(demo: Sandbox, cw: httpx.Client) -> None:
    cw.get("/finance/agreements")
    cw.get("/finance/agreements?page=2")
    cw.get("/finance/agreements/1/additions")
    cw.post("/finance/agreements/1/additions", json=new_addition())
    cw.post("/finance/agreements/1/additions", json=new_addition(product=None))  # refused: not a write
    cw.patch("/finance/agreements/1/additions/10", json=[{"op": "replace", "path": "quantity", "value": 1}])
    cw.delete("/finance/agreements/1/additions/10")
    cw.get("/finance/agreements/count")
    mbs_client(demo).close()  # one login
    with control(demo) as controls:
        counters = controls.get("/counters").json()
    assert counters == {
        "requests": {
            "DELETE /finance/agreements/{id}/additions/{id}": 1,
            "GET /finance/agreements": 2,
            "GET /finance/agreements/count": 1,
            "GET /finance/agreements/{id}/additions": 1,
            "PATCH /finance/agreements/{id}/additions/{id}": 1,
            "POST /api/Provider/Login": 1,
            "POST /finance/agreements/{id}/additions": 2,
        },
        "total": 9,
        "writes_committed": 3,
        "faults_injected": {},
    }


def test_reset_counters_starts_over(demo: Sandbox, cw: httpx.Client) -> None:
    cw.get("/company/companies")
    with control(demo) as controls:
        assert controls.post("/reset-counters").status_code == 204
        assert controls.get("/counters").json()["total"] == 0


def test_state_dumps_everything_in_the_state_file_format(demo: Sandbox) -> None:
    with control(demo) as controls:
        state = loads(controls.get("/state").content)
    assert isinstance(state, dict)
    assert state["format"] == 1
    additions = state["additions"]
    assert isinstance(additions, list) and len(additions) == 9
    assert additions[1]["quantity"] == "4" and additions[1]["unitPrice"] == "15.00", "decimals as strings"
    assert state == loads(dumps(demo.store.to_document(), decimal_as_string=True))


def test_controls_answer_loopback_clients_only(demo: Sandbox) -> None:
    remote = Request.build("GET", f"{ORIGIN}/_sandbox/counters", client_is_loopback=False)
    exchange = demo.handle(remote)
    assert exchange.response is not None and exchange.response.status == 403


def test_unknown_controls_are_404(demo: Sandbox) -> None:
    with control(demo) as controls:
        assert controls.get("/nothing").status_code == 404
        assert controls.delete("/counters").status_code == 404
