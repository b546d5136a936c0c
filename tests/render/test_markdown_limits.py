"""The comment's size: the summary is never cut, details are cut smallest change first, a summary
too long for one comment goes on in the next, and each platform has its own limit."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest

from reconciler.engine.model import PlanWarning
from reconciler.plan.model import Change, Plan, Totals
from reconciler.render.markdown import (
    COMMENT_BREAK,
    DEFAULT_LIMIT,
    MIN_LIMIT,
    PLATFORM_LIMITS,
    comment_limit,
    render_comments,
    render_markdown,
)
from tests.render.plans import create, delete, plan_of

SUMMARY_ROW = re.compile(r"^\| (COMPANY-\d{5}) \| \d+ \| \d+ \| \d+ \|", flags=re.MULTILINE)
DETAILS = re.compile(r"<details><summary>(COMPANY-\d{5}):")


def many(companies: int, per_company: int = 6) -> Plan:
    """`per_company` changes each; company n's billed total moves by n × 10 (a delete in every
    third company, so that deletes are spread through the list)."""
    changes: list[Change] = []
    totals: dict[str, Totals] = {}
    for number in range(companies):
        company = f"COMPANY-{number:05d}"
        products = [f"MBS-PRODUCT-{k}" for k in range(per_company)]
        made = [
            create(company=company, product=p, description=f"{p} for November 2026: 4 × Server")
            for p in products
        ]
        if number % 3 == 0:
            made[-1] = delete(company=company)
        changes += made
        totals[company] = Totals(Decimal(100), Decimal(100 + 10 * number))
    return plan_of(tuple(changes), by_company=totals)


def test_600_changes_over_100_companies_list_all_100_in_the_summary_under_the_limit() -> None:
    text = render_markdown(many(100))
    assert COMMENT_BREAK not in text  # one comment
    assert len(text) <= DEFAULT_LIMIT == PLATFORM_LIMITS["github"] - 500
    listed = SUMMARY_ROW.findall(text)
    assert sorted(listed) == [f"COMPANY-{n:05d}" for n in range(100)]
    # sorted by the size of the money change: the largest first
    assert listed[:3] == ["COMPANY-00099", "COMPANY-00098", "COMPANY-00097"]
    assert "| **all** | 566 | 0 | 34 |" in text  # the deletes are counted, and each row shows its own


def test_details_are_cut_smallest_money_change_first_with_a_note_naming_them() -> None:
    text = render_markdown(many(100))
    shown = DETAILS.findall(text)
    assert 0 < len(shown) < 100
    expected = [f"COMPANY-{n:05d}" for n in range(99, 99 - len(shown), -1)]
    assert shown == expected
    left = [f"COMPANY-{n:05d}" for n in range(99 - len(shown), -1, -1)]
    note = text[text.index("Details not shown for") :]
    assert note.startswith(f"Details not shown for {len(left)} companies with the smallest money changes")
    assert ", ".join(left[:5]) in note
    assert "`cwbill plan billing --company ID`" in note
    assert "JSON plan" in note
    assert text.count("<details>") == text.count("</details>")


def test_the_budget_is_used_not_given_away() -> None:
    plan = many(100)
    text = render_markdown(plan)
    wider = render_markdown(plan, limit=len(text) + 3000)
    assert len(DETAILS.findall(wider)) > len(DETAILS.findall(text))


def test_a_gitlab_note_holds_the_whole_plan() -> None:
    limit = comment_limit("gitlab")
    text = render_markdown(many(100), limit=limit)
    assert limit == 1_000_000 - 500
    assert PLATFORM_LIMITS["github"] < len(text) <= limit  # larger than GitHub allows
    assert len(DETAILS.findall(text)) == 100
    assert "Details not shown" not in text


def test_a_summary_too_long_for_one_comment_goes_on_in_the_next() -> None:
    plan = many(400, per_company=1)
    comments = render_comments(plan, limit=10_000)
    assert len(comments) >= 2
    assert all(len(comment) <= 10_000 for comment in comments)
    listed = [name for comment in comments for name in SUMMARY_ROW.findall(comment)]
    assert sorted(listed) == [f"COMPANY-{n:05d}" for n in range(400)]  # every company, once
    assert comments[0].count("The summary goes on in the next comment.") == 1
    assert comments[1].startswith(f"## cwbill plan (continued, 2 of {len(comments)})")
    joined = render_markdown(plan, limit=10_000)
    assert joined.split(f"{COMMENT_BREAK}\n") == comments


def test_thousands_of_warnings_are_cut_but_not_the_summary() -> None:
    warnings = tuple(PlanWarning("no-price", f"C{n}", "licenses", "w" * 100) for n in range(2000))
    text = render_markdown(dataclasses.replace(many(50), warnings=warnings))
    assert len(text) <= DEFAULT_LIMIT
    kept = text.count("- **no-price**")
    assert 0 < kept < 2000
    assert (
        f"- {2000 - kept:,} more warnings not shown (the comment is limited to {DEFAULT_LIMIT:,} characters)"
        in text
    )
    assert len(SUMMARY_ROW.findall(text)) == 50


def test_a_company_too_large_for_any_comment_has_its_row_and_a_note() -> None:
    huge = dataclasses.replace(create(company="HUGE"), agreement_name="x" * 70_000)
    text = render_markdown(plan_of((create(), huge)))
    assert len(text) <= DEFAULT_LIMIT
    assert "| HUGE |" in text
    assert "<summary>HUGE" not in text
    assert "Details not shown for 1 company" in text


@pytest.mark.parametrize("limit", [MIN_LIMIT, 10_000, DEFAULT_LIMIT], ids=["the minimum", "10,000", "GitHub"])
def test_every_comment_stays_within_the_limit(limit: int) -> None:
    comments = render_comments(many(300, per_company=2), limit=limit)
    assert all(len(comment) <= limit for comment in comments)


def test_a_header_line_and_a_section_are_added_by_one_argument_each() -> None:
    text = render_markdown(many(3), header=["Usage taken at 2026-11-01"], sections=["### Leakage\n\nNone."])
    assert "periods 2026-10, 2026-11  \nUsage taken at 2026-11-01\n\n" in text
    assert text.index("### Summary") < text.index("### Leakage") < text.index("### Changes")


def test_a_limit_below_the_minimum_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        render_markdown(many(1), limit=MIN_LIMIT - 1)
