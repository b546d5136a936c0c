"""`cwbill report` end to end against the sandbox (demo seed): the same money as the plan, to the
cent, in every format; reads only."""

# The e2e `world` fixture is imported, then requested by parameter name (which ruff reads as shadowing).
# ruff: noqa: F811

from __future__ import annotations

import csv
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from tests.reconcile.conftest import AS_OF, World, world  # noqa: F401  # `world` is a fixture

SELECTIONS = [
    pytest.param((), id="the whole scope"),
    pytest.param(("--company", "ACME", "--company", "GAMMA"), id="two companies"),
    pytest.param(("--period", "2026-11"), id="one month"),
    pytest.param(("--as-of", "2026-11-20"), id="mid-month: no auto-billing"),
]


def report_csv(world: World, *args: str) -> list[dict[str, str]]:
    result = world.cwbill("report", "billing", "--as-of", AS_OF, "--format", "csv", *args)
    assert result.code == 0, result.err
    return list(csv.DictReader(io.StringIO(result.out)))


@pytest.mark.parametrize("args", SELECTIONS)
def test_the_report_bills_what_the_plan_bills_to_the_cent(world: World, args: tuple[str, ...]) -> None:
    # --adopt: the plan then keeps every desired line (a conflict would otherwise be left out)
    plan = world.plan_json("--adopt", *args)
    rows = report_csv(world, *args)
    billed: dict[str, Decimal] = {}
    for row in rows:  # quantity × unitPrice from the CSV's exact columns, summed per company
        if row["quantity"]:
            line = Decimal(row["quantity"]) * Decimal(row["unit_price"] or 0)
            billed[row["company"]] = billed.get(row["company"], Decimal(0)) + line
    totals = plan["billed_total"]
    assert isinstance(totals, dict)
    expected = {company: Decimal(t["after"]) for company, t in totals["by_company"].items()}
    assert {c: v for c, v in billed.items()} == {c: v for c, v in expected.items() if c in billed}
    assert sum(billed.values()) == Decimal(totals["after"])
    text = world.cwbill("report", "billing", "--as-of", AS_OF, *args)
    assert f"Billed total in scope: {Decimal(totals['after']):,.2f} USD" in text.out
    cost = plan["cost_total"]
    assert isinstance(cost, dict)
    assert f"(cost {Decimal(cost['after']):,.2f}," in text.out


def test_the_report_writes_nothing_to_connectwise(world: World) -> None:
    assert world.cwbill("report", "billing", "--as-of", AS_OF).code == 0
    assert world.writes() == 0


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [
        pytest.param("text", "Billed total in scope: 795.35 USD", id="text"),
        pytest.param("markdown", "## cwbill report", id="markdown"),
        pytest.param("csv", "period,company,console_company", id="csv"),
        pytest.param("html", "<!DOCTYPE html>", id="html"),
    ],
)
def test_every_format_goes_to_stdout_or_to_a_file(
    world: World, tmp_path: Path, fmt: str, marker: str
) -> None:
    shown = world.cwbill("report", "billing", "--as-of", AS_OF, "--format", fmt)
    assert shown.code == 0, shown.err
    assert marker in shown.out
    target = tmp_path / "out" / f"report.{fmt}"
    saved = world.cwbill("report", "billing", "--as-of", AS_OF, "--format", fmt, "--out", str(target))
    assert saved.code == 0 and saved.out == ""
    assert target.read_text(encoding="utf-8") == shown.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(("--format", "pdf"), "choose text, markdown, csv or html", id="an unknown format"),
        pytest.param(
            ("--company", "NOPE"), "--company NOPE: no company file names it", id="an unknown company"
        ),
        pytest.param(("--period", "November"), "is not a month", id="a bad --period"),
        pytest.param(("--usage", "missing.yaml"), "no such file or directory", id="missing usage"),
    ],
)
def test_mistakes_are_one_message_and_exit_1(world: World, args: tuple[str, ...], message: str) -> None:
    result = world.cwbill("report", "billing", "--as-of", AS_OF, *args)
    assert result.code == 1
    assert message in result.err
    assert "Traceback" not in result.err


def test_usage_from_the_console_when_there_are_no_files(world: World) -> None:
    shutil.rmtree(world.billing / "usage")
    result = world.cwbill("report", "billing", "--as-of", AS_OF)
    assert result.code == 0, result.err
    # the console counts licenses as of now (billing-rules §3), so October differs from the files;
    # the report still bills what the plan bills from the same source
    totals = world.plan_json("--adopt")["billed_total"]
    assert isinstance(totals, dict)
    assert f"Billed total in scope: {Decimal(totals['after']):,.2f} USD" in result.out
    for secret in ("demo-password", "demo-private-key"):
        assert secret not in result.out + result.err


def _money(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


@pytest.mark.parametrize("args", SELECTIONS)
def test_the_report_names_each_difference_from_the_plan_without_adopt(
    world: World, args: tuple[str, ...]
) -> None:
    plan = world.plan_json(*args)
    totals = plan["billed_total"]
    assert isinstance(totals, dict)
    out = world.cwbill("report", "billing", "--as-of", AS_OF, *args).out
    report_total = _money(out.split("Billed total in scope: ")[1].split(" USD")[0])
    plan_total = Decimal(totals["after"])
    if report_total == plan_total:
        assert f"The plan's billed total after apply is the same: {plan_total:,.2f} USD." in out
        return
    assert f"The plan's billed total after apply is {plan_total:,.2f} USD; the difference is:" in out
    parts = [_money(line.split()[0]) for line in out.splitlines() if line.startswith("   ") and ": " in line]
    assert sum(parts) == report_total - plan_total  # the named differences add up to the cent


def test_on_the_demo_the_difference_is_the_unowned_conflict_and_the_skipped_period_is_named(
    world: World,
) -> None:
    out = world.cwbill("report", "billing", "--as-of", AS_OF).out
    assert "Billed total in scope: 795.35 USD" in out
    assert "The plan's billed total after apply is 735.35 USD; the difference is:" in out
    assert "60.00  ACME MBS-DESKTOP 2026-11 (licenses): not sent: an addition without cwbill's marker" in out
    assert "Billed in neither: DELTA, workstations, 2026-10 (period-skipped)" in out
    totals = world.plan_json()["billed_total"]
    assert isinstance(totals, dict)
    assert totals["after"] == "735.35"


def test_the_report_help_says_how_it_compares_with_the_plan(world: World) -> None:
    help_text = " ".join(world.cwbill("report", "--help").out.split())
    assert "each difference named" in help_text
    assert "to the cent" in help_text


def test_a_report_whose_plan_cannot_be_made_says_so_instead_of_comparing(world: World) -> None:
    # the plan needs every catalog item; the report prices only send: quantity lines by the catalog
    products = world.billing / "products.yaml"
    products.write_text(
        products.read_text().replace("connectwise: MBS-DESKTOP\n", "connectwise: MBS-DESKTOP-OLD\n")
    )
    result = world.cwbill("report", "billing", "--as-of", AS_OF)
    assert result.code == 0, result.err
    assert "Not compared with the plan, which could not be made: " in result.out
    assert "MBS-DESKTOP-OLD" in result.out
    assert "The plan's billed total" not in result.out
