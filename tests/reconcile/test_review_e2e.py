"""The review aids through `cwbill plan` in a terminal and as JSON, and through a saved plan at apply."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.plan.review import REVIEW_TITLE
from tests.conftest import edit
from tests.reconcile.conftest import AS_OF, World

PLAN = ("plan", "billing", "--as-of", AS_OF)


def _below_cost(world: World) -> None:
    edit(
        world.billing / "prices.yaml",
        "desktop:  {cost: 2.50, price: 5.00}",
        "desktop:  {cost: 6.00, price: 5.00}",
    )


def test_the_demo_has_no_review_note_in_text_or_json(world: World) -> None:
    text = world.cwbill(*PLAN)
    assert text.code == 0, text.err
    assert REVIEW_TITLE not in text.out
    assert "review" not in world.plan_json()


def test_a_line_priced_below_cost_is_shown_in_text_and_json(world: World) -> None:
    _below_cost(world)
    text = world.cwbill(*PLAN).out
    assert REVIEW_TITLE in text
    # the text plan shows every cost (as its lines' unitCost), so the note carries the values too
    assert (
        "  ! ACME · below cost: MBS-DESKTOP 2026-10: priced below cost (unitPrice 5.00 < unitCost 6.00)"
        in text
    )
    entries = world.plan_json()["review"]
    assert {"aid": "below cost", "company": "ACME", "period": "2026-10"}.items() <= entries[0].items()  # type: ignore[index]
    assert [e["message"] for e in entries] == [  # type: ignore[attr-defined]
        "MBS-DESKTOP 2026-10: priced below cost",
        "MBS-DESKTOP 2026-11: priced below cost",
    ]
    shown = world.plan_json("--show-cost")["review"]
    assert shown[0]["message"].endswith("(unitPrice 5.00 < unitCost 6.00)")  # type: ignore[index]


def test_a_saved_plan_with_notes_applies_and_an_edited_note_is_refused(world: World, tmp_path: Path) -> None:
    _below_cost(world)
    saved = tmp_path / "plan.json"
    assert world.cwbill(*PLAN, "--out", str(saved)).code == 0
    data = json.loads(saved.read_text())
    assert data["review"]
    edited = tmp_path / "edited.json"
    data["review"] = []
    edited.write_text(json.dumps(data))
    refused = world.cwbill("apply", "billing", "--plan", str(edited), "--yes")
    assert refused.code == 1 and "edited by hand" in refused.err
    assert world.writes() == 0
    applied = world.cwbill("apply", "billing", "--plan", str(saved), "--yes")
    assert applied.code == 0, applied.err  # the notes inform: apply compares the changes only
    assert "ACME · below cost: MBS-DESKTOP 2026-10" in applied.out  # shown before it asks or writes
    assert world.cwbill(*PLAN, "--detailed-exitcode").code == 0
