"""The unowned listing (`plan --show-unowned`): grouped, costs hidden on request, cut to its limit."""

from __future__ import annotations

import io

from reconciler.engine.periods import Period
from reconciler.plan.unowned import UnownedLine
from reconciler.render.markdown import render_unowned_markdown
from reconciler.render.text import make_console, render_unowned_text


def line(addition_id: int, company: str = "ACME", description: str = "Backup") -> UnownedLine:
    return UnownedLine(
        company=company,
        agreement_id=1,
        agreement_name="Managed Backup Service",
        addition_id=addition_id,
        product="MBS-SERVER",
        period=Period(2026, 11),
        fields={
            "quantity": "3",
            "unitPrice": "15.00",
            "unitCost": "7.50",
            "billCustomer": "Billable",
            "effectiveDate": "2026-11-01",
            "cancelledDate": None,
            "invoiceDescription": description,
        },
    )


def text_of(lines: list[UnownedLine], *, show_cost: bool) -> str:
    stream = io.StringIO()
    render_unowned_text(lines, make_console(stream, color=False), show_cost=show_cost)
    return stream.getvalue()


def test_text_groups_by_agreement_and_leaves_unset_fields_out() -> None:
    out = text_of([line(7), line(9, company="BETA")], show_cost=True)
    assert out.splitlines() == [
        "Unowned additions in scope (no cwbill marker: left alone unless --adopt takes one over)",
        'ACME — agreement 1 "Managed Backup Service"',
        "  #7 MBS-SERVER 2026-11: quantity: 3, unitPrice: 15.00, unitCost: 7.50, billCustomer: Billable, "
        "effectiveDate: 2026-11-01, invoiceDescription: Backup",
        'BETA — agreement 1 "Managed Backup Service"',
        "  #9 MBS-SERVER 2026-11: quantity: 3, unitPrice: 15.00, unitCost: 7.50, billCustomer: Billable, "
        "effectiveDate: 2026-11-01, invoiceDescription: Backup",
    ]
    assert "unitCost" not in text_of([line(7)], show_cost=False)
    assert text_of([], show_cost=True) == "No unowned additions in scope.\n"


def test_text_neutralises_control_characters() -> None:
    out = text_of([line(7, description="evil\x1b[2Jline\nnext")], show_cost=False)
    assert "\x1b" not in out
    assert len(out.splitlines()) == 3


def test_markdown_escapes_and_fits_its_limit() -> None:
    one = render_unowned_markdown([line(7, description="<script>|x")])
    assert "<script>" not in one and "| 7 | MBS-SERVER | 2026-11 |" in one
    many = [line(i, description="d" * 200) for i in range(1, 501)]
    cut = render_unowned_markdown(many, limit=10_000)
    assert len(cut) <= 10_000
    shown = cut.count("| MBS-SERVER | 2026-11 |")
    assert 0 < shown < 500
    assert f"… and {500 - shown:,} more" in cut
    assert ": 500</summary>" in cut
    assert render_unowned_markdown([]) == "No unowned additions in scope.\n"
