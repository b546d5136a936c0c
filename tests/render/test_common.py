"""Helpers both renderers share: money text, field lines, grouping."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from reconciler.plan.model import Change
from reconciler.render.common import FieldLine, by_agreement, by_company, field_lines, money_text
from tests.render.plans import adopt_marker_only, create, delete, update


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("1234.5", "1,234.50"),
        ("0", "0.00"),
        ("1234567.891", "1,234,567.89"),
        ("0.005", "0.01"),
        ("2.345", "2.35"),
        ("-1234.5", "-1,234.50"),
        ("1E+3", "1,000.00"),
    ],
    ids=[
        "thousands grouped, two places",
        "zero",
        "millions, rounded",
        "half a cent rounds up",
        "half-up, not banker's",
        "negative",
        "an exponent",
    ],
)
def test_money_text(value: str, text: str) -> None:
    assert money_text(Decimal(value)) == text


@pytest.mark.parametrize(
    ("change", "show_cost", "lines"),
    [
        (update(), True, [FieldLine("quantity", "10", "12"), FieldLine("unitCost", "2.50", "2.75")]),
        (update(), False, [FieldLine("quantity", "10", "12")]),
        (
            create(),
            False,
            [
                FieldLine("quantity", None, "4"),
                FieldLine("unitPrice", None, "15.00"),
                FieldLine("billCustomer", None, "Billable"),
                FieldLine("effectiveDate", None, "2026-11-01"),
                FieldLine("cancelledDate", None, "2026-11-30"),
            ],
        ),
        (
            dataclasses.replace(delete(), before={"invoiceDescription": "x", "zzz": "1", "quantity": "3"}),
            True,
            [
                FieldLine("quantity", "3", None),
                FieldLine("invoiceDescription", "x", None),
                FieldLine("zzz", "1", None),
            ],
        ),
        (adopt_marker_only(), True, []),
    ],
    ids=[
        "an update shows its changed fields",
        "without costs an update hides unitCost",
        "a create shows the fields it sets, not the unset ones",
        "a delete shows what it removes in field order, unknown fields last",
        "an adoption with equal fields shows none",
    ],
)
def test_field_lines(change: Change, show_cost: bool, lines: list[FieldLine]) -> None:
    assert field_lines(change, show_cost=show_cost) == lines


def test_changes_group_by_company_then_agreement_in_plan_order() -> None:
    changes = [delete(company="BETA"), create(product="MBS-Z"), update(), create(company="BETA")]
    grouped = by_company(changes)
    assert [company for company, _ in grouped] == ["ACME", "BETA"]
    assert [c.product for c in grouped[0][1]] == ["MBS-DESKTOP", "MBS-Z"]
    assert by_agreement(grouped[1][1]) == [((1, "Managed Backup Service"), grouped[1][1])]
