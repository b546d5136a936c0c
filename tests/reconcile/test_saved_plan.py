"""`apply --plan` end to end against the served sandbox (demo seed): the saved plan is a review token.

A forged plan (its digest recomputed, as anyone can) is refused with each difference named and
nothing written; a plan whose earlier apply exited 3 is resumed by the same command and converges
with no duplicate; a fully applied plan says so; anything else that moved is stale.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.connectwise.apply import create_body
from reconciler.reconcile.writes import load_saved_plan
from reconciler.render.json import plan_digest
from tests.reconcile.conftest import AS_OF, World

PLAN = ("plan", "billing", "--as-of", AS_OF, "--detailed-exitcode")
Body = dict[str, object]
ACME_DESKTOP = "create ACME MBS-DESKTOP"
LICENSES = "(configuration licenses, agreement 1)"


def _changes(body: Body) -> list[dict[str, object]]:
    return body["changes"]  # type: ignore[return-value]


def _find(body: Body, action: str, company: str, product: str, period: str) -> dict[str, object]:
    (change,) = [
        c
        for c in _changes(body)
        if (c["action"], c["company"], c["product"], c["period"]) == (action, company, product, period)
    ]
    return change


def _quantity_raised(body: Body) -> str:
    change = _find(body, "create", "ACME", "MBS-DESKTOP", "2026-10")
    change["after"]["quantity"] = "1200"  # type: ignore[index]
    return f"{ACME_DESKTOP} 2026-10 {LICENSES}: after.quantity: saved '1200', computed '12'"


def _create_added(body: Body) -> str:
    copy = dict(_find(body, "create", "ACME", "MBS-DESKTOP", "2026-10"), period="2026-09")
    _changes(body).append(copy)
    return f"{ACME_DESKTOP} 2026-09 {LICENSES}: in the saved plan, not in the plan computed now"


def _delete_removed(body: Body) -> str:
    body["changes"] = [c for c in _changes(body) if c["addition_id"] != 8]
    where = "(configuration servers, agreement 3)"
    return f"delete GAMMA MBS-SERVER 2026-10 #8 {where}: in the plan computed now, not in the saved plan"


def _reason_changed(body: Body) -> str:
    _find(body, "update", "ACME", "MBS-SERVER", "2026-10")["reason"] = "changed"
    return f"update ACME MBS-SERVER 2026-10 #2 {LICENSES}: reason: saved 'changed', computed 'drift'"


def _save_forged(path: Path, forge: Callable[[Body], str]) -> str:
    body = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    del body["plan_digest"]
    expected = forge(body)
    body["plan_digest"] = plan_digest(body)  # a plain SHA-256: anyone can recompute it
    path.write_text(json.dumps(body, sort_keys=True, indent=2), encoding="utf-8")
    return expected


@pytest.mark.parametrize(
    "forge",
    [_quantity_raised, _create_added, _delete_removed, _reason_changed],
    ids=["a raised quantity", "an added create", "a removed delete", "a changed reason"],
)
def test_a_forged_plan_is_refused_naming_the_difference_and_nothing_is_written(
    world: World, tmp_path: Path, forge: Callable[[Body], str]
) -> None:
    saved = tmp_path / "plan.json"
    assert world.cwbill("plan", "billing", "--as-of", AS_OF, "--out", str(saved)).code == 0
    expected = _save_forged(saved, forge)
    refused = world.cwbill("apply", "billing", "--plan", str(saved), "--yes")
    assert refused.code == 1, refused.text
    assert "the saved plan is not the plan computed now" in refused.err
    assert f"  - {expected}\n" in refused.err
    assert refused.err.count("\n  - ") == 1  # that difference and no other
    assert "Traceback" not in refused.err
    assert world.writes() == 0
    assert world.cwbill(*PLAN).code == 2  # everything is still to do


def _lines(world: World, agreements: set[int]) -> Counter[tuple[object, ...]]:
    """cwbill's lines on `agreements` by (agreement, product, period, marker)."""
    found: Counter[tuple[object, ...]] = Counter()
    for agreement in sorted(agreements):
        for addition in world.additions(agreement):
            serial = str(addition.get("serialNumber") or "")
            if serial.startswith("cwbill:"):
                product = addition["product"]["identifier"]  # type: ignore[index]
                found[(agreement, product, str(addition["effectiveDate"])[:7], serial)] += 1
    return found


def test_the_same_apply_after_exit_3_resumes_and_converges_with_no_duplicate(
    world: World, tmp_path: Path
) -> None:
    saved = tmp_path / "plan.json"
    apply = ("apply", "billing", "--plan", str(saved), "--yes")
    assert world.cwbill("plan", "billing", "--as-of", AS_OF, "--out", str(saved)).code == 0
    agreements = {
        int(str(c["agreement_id"])) for c in _changes(json.loads(saved.read_text(encoding="utf-8")))
    }
    before = sum(_lines(world, agreements).values())
    world.sandbox.faults.update({"server_error": 1.0, "methods": ["POST"]})
    partial = world.cwbill(*apply)
    assert partial.code == 3, partial.text
    assert "Applied: 0 created, 2 updated, 3 deleted." in partial.err
    world.sandbox.faults.update({"server_error": 0.0, "methods": []})
    writes = world.writes()

    resumed = world.cwbill(*apply)  # what "Re-run failed jobs" does
    assert resumed.code == 0, resumed.text
    assert "5 of 15 changes of this plan are in ConnectWise already" in resumed.err
    assert "Applied: 10 created, 0 updated, 0 deleted." in resumed.err
    assert world.writes() == writes + 10
    assert world.cwbill(*PLAN).code == 0  # converged
    lines = _lines(world, agreements)
    assert sum(lines.values()) == before - 3 + 10  # 3 deleted, 10 created: each once
    assert max(lines.values()) == 1  # no duplicate

    again = world.cwbill(*apply)
    assert again.code == 0, again.text
    assert "this plan is already applied; nothing to do" in again.err
    assert world.writes() == writes + 10


def test_a_hand_edit_after_the_apply_makes_the_plan_stale_not_applied(world: World, tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    assert world.cwbill("plan", "billing", "--as-of", AS_OF, "--out", str(saved)).code == 0
    assert world.cwbill("apply", "billing", "--plan", str(saved), "--yes").code == 0
    created = next(
        a
        for a in world.additions(1)
        if a["product"]["identifier"] == "MBS-DESKTOP"  # type: ignore[index]
        and str(a["effectiveDate"]).startswith("2026-10")
        and str(a.get("serialNumber", "")).startswith("cwbill:")
    )
    with world.api() as client:  # someone edits a line the plan created: not the plan's write anymore
        patch = [{"op": "replace", "path": "quantity", "value": 13}]
        response = client.patch(f"/finance/agreements/1/additions/{created['id']}", json=patch)
        assert response.status_code == 200
    writes = world.writes()
    refused = world.cwbill("apply", "billing", "--plan", str(saved), "--yes")
    assert refused.code == 1
    assert f"addition #{created['id']} appeared in ConnectWise since the plan" in refused.err
    assert "already applied" not in refused.err
    assert world.writes() == writes


def test_a_resumed_plan_is_refused_when_something_else_moved(world: World, tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    assert world.cwbill("plan", "billing", "--as-of", AS_OF, "--out", str(saved)).code == 0
    world.sandbox.faults.update({"server_error": 1.0, "methods": ["POST"]})
    assert world.cwbill("apply", "billing", "--plan", str(saved), "--yes").code == 3
    world.sandbox.faults.update({"server_error": 0.0, "methods": []})
    with world.api() as client:  # an addition the plan read but does not change (the unmarked #3)
        patch = [{"op": "replace", "path": "quantity", "value": 7}]
        assert client.patch("/finance/agreements/1/additions/3", json=patch).status_code == 200
    writes = world.writes()
    refused = world.cwbill("apply", "billing", "--plan", str(saved), "--yes")
    assert refused.code == 1
    assert "the plan is stale" in refused.err and "addition #3 was edited" in refused.err
    assert "#2" not in refused.err  # the plan's own update of #2 is not named as a change
    assert world.writes() == writes


def test_a_create_that_landed_twice_is_resumed_and_its_extra_copy_deleted(
    world: World, tmp_path: Path
) -> None:
    """An earlier apply's create committed twice (a late commit): one copy is the plan's write, the
    other is deleted as a duplicate, and the rest of the plan is written."""
    saved = tmp_path / "plan.json"
    assert world.cwbill("plan", "billing", "--as-of", AS_OF, "--out", str(saved)).code == 0
    plan = load_saved_plan(saved)
    (create,) = [
        c for c in plan.changes if (c.company, c.product, str(c.period)) == ("ACME", "MBS-DESKTOP", "2026-10")
    ]
    with world.api() as client:
        for _ in range(2):
            body = json.dumps(create_body(create), default=str)
            headers = {"Content-Type": "application/json"}
            response = client.post(
                f"/finance/agreements/{create.agreement_id}/additions", content=body, headers=headers
            )
            assert response.status_code == 201, response.text
    writes = world.writes()
    resumed = world.cwbill("apply", "billing", "--plan", str(saved), "--yes")
    assert resumed.code == 0, resumed.text
    assert "1 of 15 changes of this plan are in ConnectWise already" in resumed.err
    assert "resuming with the 14 left, and deleting 1 extra copies of lines it created" in resumed.err
    assert world.writes() == writes + 15  # the 14 left and the extra copy's delete
    assert world.cwbill(*PLAN).code == 0
    agreements = {c.agreement_id for c in plan.changes}
    assert max(_lines(world, agreements).values()) == 1
