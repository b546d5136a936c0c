"""The review aids' notes in the text plan and the JSON plan: each aid on a case built for it.

The cases are those of tests/plan/test_review.py (its builders); the notes are computed, then
rendered, so a note lost on the way to a terminal or to a machine reader fails here.
"""

from __future__ import annotations

import io
import json

import pytest

from reconciler.config.model import Bill, CostPrice, Prices, Repository, SendMode
from reconciler.errors import UserError
from reconciler.plan.model import Plan
from reconciler.plan.review import REVIEW_TITLE, Aid
from reconciler.plan.review import Review as Notes
from reconciler.render.json import plan_digest, plan_from_json, plan_to_json
from reconciler.render.text import make_console, render_text
from reconciler.usage.model import Usage
from tests.engine.builders import PRICES, D, company, configuration, record, repository, usage
from tests.plan.test_review import BETA_STORAGE, LICENSES, STEADY, licenses, review
from tests.render.plans import empty_plan, full_plan

SOURCE = "plans/next.json"
BELOW_COST_PRICES = Prices(
    licenses={**PRICES.licenses, "desktop": CostPrice(D("6.00"), D("5.00"))}, storage=PRICES.storage
)
WITH_SQL = configuration("licenses", console_products=("server", "sql"))
AVERAGE = configuration("storage", console_products=("wasabi",), send=SendMode.AVERAGE)
SQL_USAGE = usage(*(record(p, licenses={"server": 10, "sql": 2}) for p in ("2026-09", "2026-10", "2026-11")))

# aid → (repository, usage, what its first note says, cut where the line is long)
CASES: dict[Aid, tuple[Repository, Usage, str]] = {
    Aid.MONTH: (
        repository(company(LICENSES)),
        licenses(("2026-09", 10, 10), ("2026-10", 10, 10), ("2026-11", 14, 14)),
        "2026-11: billed 280.00, +40.0% against 2026-10 (200.00); more than "
        "review.max_company_change_percent (25%)",
    ),
    Aid.USAGE: (
        repository(company(LICENSES)),
        licenses(("2026-09", 20, 10), ("2026-10", 20, 10), ("2026-11", 20, 16)),
        "2026-11: Desktop licenses 10 → 16 (+60.0% against 2026-10)",
    ),
    Aid.BELOW_COST: (
        repository(company(LICENSES), prices=BELOW_COST_PRICES),
        STEADY,
        "MBS-DESKTOP 2026-10: priced below cost",
    ),
    Aid.AT_ZERO: (
        repository(company(WITH_SQL)),
        SQL_USAGE,
        "MBS-SQL 2026-10: billable at unitPrice 0.00 (no price in prices.yaml)",
    ),
    Aid.ROUNDING: (
        repository(company(AVERAGE), places=2),
        BETA_STORAGE,
        "MBS-STORAGE 2026-11: 512.75 × unitPrice 0.02 = 10.26, the exact amount is 10.36: 0.10 lost to "
        "rounding (send: average). Set rounding.unit_price: 4 in settings.yaml, or send: total",
    ),
}


def _notes(aid: Aid) -> Notes:
    repo, snapshot, _ = CASES[aid]
    return review(repo, snapshot)


def _text(plan: Plan, notes: Notes, *, show_cost: bool = True) -> str:
    stream = io.StringIO()
    render_text(plan, make_console(stream, color=False), show_cost=show_cost, review=notes)
    return stream.getvalue()


def _json(plan: Plan, notes: Notes, *, show_cost: bool = False) -> dict[str, object]:
    return json.loads(plan_to_json(plan, notes, show_cost=show_cost))  # type: ignore[no-any-return]


@pytest.mark.parametrize("aid", list(CASES), ids=[aid.value for aid in CASES])
def test_each_aid_is_a_line_of_the_text_plans_review_block(aid: Aid) -> None:
    notes = _notes(aid)
    assert {note.aid for note in notes.notes} == {aid}
    text = _text(full_plan(), notes, show_cost=False)
    summary, block = text.split(REVIEW_TITLE)
    assert "Billed total in scope" in summary  # the block comes after the summary
    lines = block.strip("\n").splitlines()
    assert len(lines) == len(notes.notes)  # one line per note
    assert lines[0].startswith(f"  ! ACME · {aid.value}: {CASES[aid][2]}")


@pytest.mark.parametrize("aid", list(CASES), ids=[aid.value for aid in CASES])
def test_each_aid_is_an_entry_of_the_json_plans_review(aid: Aid) -> None:
    notes = _notes(aid)
    data = _json(full_plan(), notes)
    entries = data["review"]
    assert isinstance(entries, list) and len(entries) == len(notes.notes)
    first = notes.notes[0]
    assert entries[0] == {
        "aid": aid.value,
        "company": "ACME",
        "period": str(first.period),
        "message": first.message,
    }
    assert str(entries[0]["message"]).startswith(CASES[aid][2])
    assert plan_from_json(json.dumps(data), SOURCE) == full_plan()  # schema-valid, digest covers it


def test_nothing_unusual_adds_no_review_block_and_no_review_key() -> None:
    notes = review(repository(company(LICENSES)), STEADY)
    assert notes.notes == ()
    assert REVIEW_TITLE not in _text(full_plan(), notes)
    assert "review" not in _json(full_plan(), notes)
    assert plan_to_json(full_plan(), notes) == plan_to_json(full_plan())  # the same bytes as before


@pytest.mark.parametrize("show_cost", [False, True], ids=["costs hidden", "--show-cost"])
def test_below_cost_shows_its_values_only_with_show_cost(show_cost: bool) -> None:
    notes = _notes(Aid.BELOW_COST)
    values = "(unitPrice 5.00 < unitCost 6.00)"
    messages = [entry["message"] for entry in _json(empty_plan(), notes, show_cost=show_cost)["review"]]  # type: ignore[attr-defined]
    assert all((values in message) is show_cost for message in messages)
    assert (values in _text(empty_plan(), notes, show_cost=show_cost)) is show_cost


def test_a_plan_without_changes_still_shows_its_notes() -> None:
    text = _text(empty_plan(), _notes(Aid.AT_ZERO))
    assert "No changes." in text and "ACME · at zero: MBS-SQL 2026-10" in text


def test_a_no_charge_line_at_zero_raises_nothing_to_render() -> None:
    no_charge = configuration("licenses", console_products=("sql",), bill=Bill.NO_CHARGE)
    notes = review(repository(company(no_charge)), SQL_USAGE)
    assert REVIEW_TITLE not in _text(full_plan(), notes)


def test_a_hand_edited_review_is_caught_by_the_digest() -> None:
    data = _json(full_plan(), _notes(Aid.BELOW_COST))
    data["review"][0]["message"] = "nothing to see"  # type: ignore[index]
    with pytest.raises(UserError) as caught:
        plan_from_json(json.dumps(data), SOURCE)
    assert "edited by hand" in caught.value.message
    del data["review"]  # dropping the notes is an edit as well
    with pytest.raises(UserError, match="edited by hand"):
        plan_from_json(json.dumps(data), SOURCE)


def test_a_plan_saved_before_the_aids_still_loads_and_notes_change_no_change() -> None:
    old = json.loads(plan_to_json(full_plan()))  # no `review`: as written before the aids
    assert "review" not in old
    assert plan_from_json(json.dumps(old), SOURCE) == full_plan()
    # what apply compares — the decoded plan's changes — is the same with or without notes
    with_notes = plan_from_json(plan_to_json(full_plan(), _notes(Aid.MONTH)), SOURCE)
    assert with_notes == plan_from_json(json.dumps(old), SOURCE)


def test_the_digest_covers_the_review() -> None:
    data = _json(full_plan(), _notes(Aid.ROUNDING))
    claimed = data.pop("plan_digest")
    assert claimed == plan_digest(data)
    assert claimed != plan_digest({key: value for key, value in data.items() if key != "review"})
