"""The pull-request comment: layout, hostile strings inert, costs hidden, cut to the size limit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal

import pytest

from reconciler.engine.model import PlanWarning
from reconciler.engine.periods import Period
from reconciler.plan.model import Plan, Selection, Totals
from reconciler.plan.review import Aid, CompanyMonth, ReviewNote
from reconciler.plan.review import Review as Notes
from reconciler.render.markdown import MIN_LIMIT, render_markdown
from tests.render.plans import WARNING, create, delete, empty_plan, full_plan, plan_of, update

ONE_CREATE = """\
## cwbill plan

As of 2026-11-02 · periods 2026-10, 2026-11

### Summary

**1 to create, 0 to update, 0 to delete.** Billed total in scope: 1,274.00 → 1,496.50 USD.

| company | + | ~ | − | billed before → after | Δ (Δ %) | review |
| --- | ---: | ---: | ---: | ---: | ---: | --- |
| **all** | 1 | 0 | 0 | 1,274.00\u00a0→\u00a01,496.50 | +222.50\u00a0(+17.5%) |  |
| ACME | 1 | 0 | 0 | 1,234.00\u00a0→\u00a01,456.50 | +222.50\u00a0(+18.0%) |  |

### Changes

<details><summary>ACME: 1 to create, 0 to update, 0 to delete · billed 1,234.00 → 1,456.50 (+222.50)</summary>

**Managed Backup Service (1)**

| change | line | fields |
| --- | --- | --- |
| **create**<br>new | MBS-SERVER<br>2026-11\u00a0·\u00a0licenses | 4 × 15.00 = 60.00 · Billable |

</details>
"""

NOV_PERIOD = Period(2026, 11)

HOSTILE = [
    "<script>alert(1)</script>",
    "A|B|C",
    "`code` ```",
    "@mention @org/team",
    "[link](http://evil)",
    "first line\nsecond line",
    "<img src=x onerror=alert(1)>",
    "**bold** #1",
]
HOSTILE_IDS = [
    "script tag",
    "pipes",
    "backticks",
    "mentions",
    "link",
    "newline",
    "img tag",
    "emphasis and issue",
]


def plain(text: str) -> str:
    """The comment with its no-break spaces as spaces, to compare cells as they read."""
    return text.replace("\u00a0", " ")


def test_a_small_plan_renders_byte_for_byte() -> None:
    assert render_markdown(plan_of((create(),))) == ONE_CREATE


def test_warnings_come_first_and_the_summary_before_the_changes() -> None:
    text = render_markdown(full_plan())
    order = [text.index(mark) for mark in ("### Warnings", "average-as-total", "### Summary", "<details>")]
    assert order == sorted(order)
    assert "- **average-as-total** (ACME, storage, 2026-11): nothing stored but restores billed" in text
    text = plain(text)
    assert "| **update**<br>drift · id 12 | MBS-DESKTOP<br>2026-10 · licenses | quantity: 10 → 12 |" in text
    assert "| **update**<br>adopt · id 30 | MBS-STORAGE<br>2026-11 · storage | (only the owner marker" in text
    assert text.count("<details>") == text.count("</details>") == 2


@pytest.mark.parametrize(
    "warnings",
    [(), (WARNING,)],
    ids=["without warnings", "with a warning"],
)
def test_a_plan_without_changes_says_no_changes(warnings: tuple[PlanWarning, ...]) -> None:
    text = render_markdown(empty_plan(warnings))
    assert text.endswith("\n\nNo changes.\n")
    assert "### Summary" not in text
    assert ("### Warnings" in text) is bool(warnings)


def _hostile_plan(where: str, value: str) -> Plan:
    if where == "description":
        change = dataclasses.replace(delete(), before={"quantity": "1", "invoiceDescription": value})
    elif where == "company":
        change = create(company=value)
    elif where == "agreement_name":
        change = dataclasses.replace(create(), agreement_name=value)
    elif where == "product":
        change = create(product=value)
    elif where == "configuration":
        change = dataclasses.replace(create(), configuration=value)
    else:
        change = create()
    warning = PlanWarning("conflict", value if where == "warning" else "ACME", "licenses", value, "2026-11")
    totals = {change.company: Totals(Decimal(1), Decimal(2))}
    return plan_of((change,), (warning,) if where == "warning" else (), by_company=totals)


@pytest.mark.parametrize("value", HOSTILE, ids=HOSTILE_IDS)
@pytest.mark.parametrize(
    "where", ["company", "agreement_name", "product", "configuration", "description", "warning"]
)
def test_user_strings_are_inert(where: str, value: str) -> None:
    text = render_markdown(_hostile_plan(where, value), show_cost=True)
    for dangerous in ("<script", "<img", "](", "http://", "@mention", "@org", "`code`", "**bold**"):
        assert dangerous not in text
    assert not re.search(r"(?<!&)#1", text)  # an issue reference (`&#124;` is an escaped pipe)
    assert "first line\nsecond line" not in text
    _assert_tables_intact(text)


def _assert_tables_intact(text: str) -> None:
    """Every table row has as many cells as its header: no pipe or newline broke out of a cell."""
    columns = 0
    for line in text.splitlines():
        if not line.startswith("|"):
            columns = 0
            continue
        cells = line.count("|")
        columns = columns or cells
        assert cells == columns, line


def test_costs_are_absent_by_default() -> None:
    text = render_markdown(full_plan())
    assert "unitCost" not in text
    assert "cost" not in text.lower().replace("hidden cost", "")
    assert "8.00" not in text  # the unit cost of the created line
    assert "700.25" not in text  # the cost total after


def test_costs_are_shown_with_show_cost() -> None:
    text = render_markdown(full_plan(), show_cost=True)
    assert "4 × 15.00 = 60.00 · unitCost 8.00 · Billable" in text
    assert "unitCost: 2.50 → 2.75" in text
    assert "Cost total in scope: 600.00 → 700.25 USD." in text
    assert "| **all** | 1 | 2 | 1 | 1,274.00 → 1,496.50 | +222.50 (+17.5%) | 600.00 → 700.25 |  |" in plain(
        text
    )


def test_an_update_of_only_a_hidden_cost_shows_no_value() -> None:
    cost_only = dataclasses.replace(update(), changed=("unitCost",))
    text = render_markdown(plan_of((cost_only,)))
    assert "| (a hidden cost field changes) |" in text
    assert "2.75" not in text


def test_a_limit_below_the_minimum_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        render_markdown(full_plan(), limit=MIN_LIMIT - 1)


@pytest.mark.parametrize(
    ("companies", "shown"),
    [
        (("ACME", "B|ETA"), "companies ACME, B&#124;ETA"),
        (tuple(f"<{'X' * 60}{n}>" for n in range(50)), "50 companies (--company)"),
    ],
    ids=["a short --company list is named", "a long one is counted, so the header stays small"],
)
def test_the_header_names_the_selection(companies: tuple[str, ...], shown: str) -> None:
    plan = dataclasses.replace(
        full_plan(), selection=Selection(dt.date(2026, 11, 2), Period(2026, 10), companies, adopt=True)
    )
    text = render_markdown(plan, limit=MIN_LIMIT)
    assert text.startswith(
        f"## cwbill plan\n\nAs of 2026-11-02 · periods 2026-10, 2026-11 · period 2026-10 (--period) · {shown}"
        " · adopting unmarked lines (--adopt)\n\n"
    )
    assert len(text) <= MIN_LIMIT


REVIEW = Notes(
    notes=(
        ReviewNote(Aid.MONTH, "ACME", NOV_PERIOD, "2026-11: billed 280.00, +40.0% against 2026-10 (200.00)"),
        ReviewNote(
            Aid.BELOW_COST,
            "ACME",
            NOV_PERIOD,
            "MBS-SERVER 2026-11: priced below cost",
            "MBS-SERVER 2026-11: priced below cost (unitPrice 15.00 < unitCost 16.00)",
        ),
    ),
    months=(CompanyMonth("ACME", NOV_PERIOD, Decimal("280"), Decimal("200")),),
)


def test_review_aids_flag_the_summary_row_and_explain_in_the_details() -> None:
    text = plain(render_markdown(plan_of((create(), create(company="BETA"))), review=REVIEW))
    assert "| ACME | 1 | 0 | 0 | 1,234.00 → 1,456.50 | +222.50 (+18.0%) | ⚠ month<br>⚠ below cost |" in text
    assert "| BETA | 1 | 0 | 0 | 40.00 → 40.00 | 0.00 (0.0%) |  |" in text
    assert "| **all** | 2 | 0 | 0 |" in text and "| 1 flagged |" in text
    details = text.split("<summary>ACME", 1)[1].split("</details>", 1)[0]
    assert "- ⚠ **month**: 2026-11: billed 280.00, +40.0% against 2026-10 &#40;200.00&#41;" in details
    assert "- ⚠ **below cost**: MBS-SERVER 2026-11: priced below cost\n" in details
    assert "16.00" not in text  # the cost stays out without --show-cost
    assert (
        "Month over month (billed by the desired lines): 2026-11: 280.00 (2026-10: 200.00, +40.0%)" in details
    )


def test_the_below_cost_note_shows_the_costs_with_show_cost() -> None:
    text = render_markdown(plan_of((create(),)), review=REVIEW, show_cost=True)
    assert "priced below cost &#40;unitPrice 15.00 &#60; unitCost 16.00&#41;" in text
