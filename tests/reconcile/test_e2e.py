"""plan and apply end to end against the sandbox (demo seed) over real HTTP on loopback.

The demo seed (reconciler/sandbox/seeds/demo.yaml) holds one case of each kind: right lines, a drifted
one, a changed one, a duplicate, an orphan, a removed product, a hand-made line on a desired key, a
closed month and an agreement whose billing starts mid-period.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.config.schema import check_data
from tests.conftest import edit
from tests.reconcile.conftest import AS_OF, World

APPLY = ("apply", "billing", "--as-of", AS_OF, "--yes")
PLAN = ("plan", "billing", "--as-of", AS_OF, "--detailed-exitcode")


def changes_of(plan: dict[str, object]) -> list[dict[str, object]]:
    return plan["changes"]  # type: ignore[return-value]


def by_id(world: World, agreement_id: int) -> dict[int, dict[str, object]]:
    return {int(a["id"]): a for a in world.additions(agreement_id)}  # type: ignore[call-overload]


def test_the_demo_plan_shows_every_reason_and_its_warnings(world: World) -> None:
    plan = world.plan_json()
    reasons = sorted({str(c["reason"]) for c in changes_of(plan)})
    assert reasons == ["changed", "drift", "duplicate", "new", "orphan", "removed"]
    assert plan["summary"] == {"create": 10, "update": 2, "delete": 3, "unchanged": 1, "owned_in_scope": 6}
    codes = sorted({str(w["code"]) for w in plan["warnings"]})  # type: ignore[attr-defined]
    assert codes == ["period-skipped", "unowned-conflict"]
    assert check_data(plan, "plan") == []


def test_apply_converges_and_a_second_apply_writes_nothing(world: World) -> None:
    assert world.cwbill(*PLAN).code == 2
    applied = world.cwbill(*APPLY)
    assert applied.code == 0, applied.err
    assert "Applied: 10 created, 2 updated, 3 deleted." in applied.err
    assert world.writes() == 15
    again = world.cwbill(*PLAN)
    assert again.code == 0
    assert "No changes." in again.out
    assert world.cwbill(*APPLY).code == 0
    assert world.writes() == 15


def test_updates_send_only_the_changed_fields(world: World, tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    assert world.cwbill(*APPLY, "--journal", str(journal)).code == 0
    entries = [json.loads(line) for line in journal.read_text().splitlines()]
    sent = [e["sent"] for e in entries if e["action"] == "update" and e["event"] == "sending"]
    assert sorted([op["path"] for op in ops] for ops in sent) == [
        ["quantity", "serialNumber"],
        ["quantity", "serialNumber"],
    ]
    assert all(e["status"] in (None, 201, 200, 204) for e in entries)


def test_unmarked_additions_are_never_touched(world: World) -> None:
    before = by_id(world, 1)
    assert world.cwbill(*APPLY).code == 0
    after = by_id(world, 1)
    for hand_made in (1, 3):  # a one-time fee and a line on a desired key, both without a marker
        assert after[hand_made] == before[hand_made]


def test_a_conflict_creates_nothing_and_adopt_takes_the_line_over(world: World) -> None:
    desktop_nov = [
        c for c in changes_of(world.plan_json()) if c["product"] == "MBS-DESKTOP" and c["company"] == "ACME"
    ]
    assert [c["period"] for c in desktop_nov] == ["2026-10"]  # November's line is the hand-made #3
    adopted = [c for c in changes_of(world.plan_json("--adopt")) if c["reason"] == "adopt"]
    assert [(c["action"], c["addition_id"]) for c in adopted] == [("update", 3)]
    assert world.cwbill(*APPLY, "--adopt").code == 0
    line = by_id(world, 1)[3]
    assert str(line["serialNumber"]).startswith("cwbill:licenses:")
    assert world.cwbill(*PLAN, "--adopt").code == 0


def test_a_hand_edit_in_connectwise_shows_as_drift(world: World) -> None:
    assert world.cwbill(*APPLY).code == 0
    server_oct = next(
        a
        for a in world.additions(3)
        if a["product"]["identifier"] == "MBS-SERVER" and str(a["effectiveDate"]).startswith("2026-10")  # type: ignore[index]
    )
    with world.api() as client:
        patch = [{"op": "replace", "path": "quantity", "value": 11}]
        assert (
            client.patch(f"/finance/agreements/3/additions/{server_oct['id']}", json=patch).status_code == 200
        )
    (change,) = changes_of(world.plan_json())
    assert (change["reason"], change["changed"], change["addition_id"]) == (
        "drift",
        ["quantity"],
        server_oct["id"],
    )


def test_equal_values_written_with_more_places_are_no_change(world: World) -> None:
    assert world.cwbill(*APPLY).code == 0
    line = next(a for a in world.additions(1) if str(a.get("serialNumber", "")).startswith("cwbill:licenses"))
    with world.api() as client:
        patch = [{"op": "replace", "path": "unitPrice", "value": "15.0000"}]
        assert client.patch(f"/finance/agreements/1/additions/{line['id']}", json=patch).status_code == 200
    assert world.cwbill(*PLAN).code == 0


def test_a_saved_plan_applies_exactly_and_a_stale_one_is_refused(world: World, tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    assert world.cwbill("plan", "billing", "--as-of", AS_OF, "--out", str(saved)).code == 0
    with world.api() as client:  # someone edits a line the plan read
        patch = [{"op": "replace", "path": "quantity", "value": 5}]
        assert client.patch("/finance/agreements/3/additions/9", json=patch).status_code == 200
    refused = world.cwbill("apply", "billing", "--plan", str(saved), "--yes")
    assert refused.code == 1
    assert "stale" in refused.err and "addition #9 was edited" in refused.err
    assert world.writes() == 1  # only the hand edit above
    fresh = tmp_path / "fresh.json"
    assert world.cwbill("plan", "billing", "--as-of", AS_OF, "--out", str(fresh)).code == 0
    applied = world.cwbill("apply", "billing", "--plan", str(fresh), "--yes")
    assert applied.code == 0, applied.err
    assert world.cwbill(*PLAN).code == 0


def test_a_hand_edited_plan_file_is_refused(world: World, tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    assert world.cwbill("plan", "billing", "--as-of", AS_OF, "--out", str(saved)).code == 0
    text = saved.read_text()
    saved.write_text(text.replace('"quantity": "9"', '"quantity": "90"', 1))
    refused = world.cwbill("apply", "billing", "--plan", str(saved), "--yes")
    assert refused.code == 1
    assert "edited by hand" in refused.err
    assert world.writes() == 0


def test_safety_thresholds_refuse_without_force(world: World) -> None:
    edit(world.billing / "settings.yaml", "min_existing: 10", "min_existing: 1")
    refused = world.cwbill(*APPLY)
    assert refused.code == 1
    assert "refusing to apply without --force" in refused.err
    assert "3 deletes are 50.0% of the 6 cwbill additions in scope" in refused.err
    assert world.writes() == 0
    assert world.cwbill(*APPLY, "--force").code == 0
    assert world.writes() == 15


def test_apply_without_a_terminal_needs_yes(world: World) -> None:
    refused = world.cwbill("apply", "billing", "--as-of", AS_OF)
    assert refused.code == 1
    assert "pass --yes" in refused.err
    assert world.writes() == 0


def test_a_user_error_exits_1_and_writes_nothing(world: World) -> None:
    edit(world.billing / "companies" / "acme.yaml", "send: average", "send: averag")
    result = world.cwbill(*APPLY)
    assert result.code == 1
    assert "billing/companies/acme.yaml:" in result.err and "configurations[0].send" in result.err
    assert "Traceback" not in result.err
    assert world.writes() == 0


def test_a_catalog_item_connectwise_lacks_is_shown_where_it_is_written(world: World) -> None:
    edit(world.billing / "products.yaml", "connectwise: MBS-DESKTOP\n", "connectwise: MBS-DESKTOP-OLD\n")
    edit(
        world.billing / "companies" / "acme.yaml",
        "    console_products: [server, desktop]\n",
        "    console_products: [server, desktop]\n    connectwise_products: [MBS-SERVER, MBS-DESKTOP-OLD]\n",
    )
    result = world.cwbill(*APPLY)
    assert result.code == 1
    message = "catalog item 'MBS-DESKTOP-OLD' not found in ConnectWise (/procurement/catalog)"
    # written in acme.yaml: there; mapped by products.yaml for delta: at the mapping, once
    in_acme = "billing/companies/acme.yaml:10:40: configurations[0].connectwise_products[1]"
    assert f"{in_acme}: {message}" in result.err
    assert f"billing/products.yaml:19:18: products.desktop.connectwise: {message}" in result.err
    assert result.err.count(message) == 2
    assert world.writes() == 0


def test_catalog_and_agreement_errors_are_reported_together(world: World) -> None:
    edit(world.billing / "products.yaml", "connectwise: MBS-DESKTOP\n", "connectwise: MBS-DESKTOP-OLD\n")
    edit(world.billing / "companies" / "gamma.yaml", "agreement: ", "agreement: Premium ")
    result = world.cwbill(*APPLY)
    assert result.code == 1
    lines = result.err.splitlines()
    catalog = [i for i, line in enumerate(lines) if "catalog item 'MBS-DESKTOP-OLD' not found" in line]
    agreement = [i for i, line in enumerate(lines) if "agreement 'Premium " in line and "not found" in line]
    assert catalog and agreement  # one run names both, in file order
    assert lines[agreement[0]].startswith("billing/companies/gamma.yaml:")
    assert agreement[0] < catalog[0]  # billing/companies/… sorts before billing/products.yaml
    assert world.writes() == 0


def test_failed_writes_exit_3_and_the_next_run_converges(world: World) -> None:
    world.sandbox.faults.update({"server_error": 1.0, "methods": ["POST"]})
    partial = world.cwbill(*APPLY)
    assert partial.code == 3
    assert partial.err.count("failed: create") == 10
    assert "Applied: 0 created, 2 updated, 3 deleted." in partial.err
    # each failure names the HTTP status, and the run ends with what to do next
    assert partial.err.count("create not confirmed after 3 attempts (the last answered HTTP 50") == 10
    assert partial.err.splitlines()[-1].startswith("next: 10 writes failed (each attempt is in ")
    assert partial.err.splitlines()[-1].endswith(
        "run the same apply again: it converges, sending only what is still missing"
    )
    world.sandbox.faults.update({"server_error": 0.0, "methods": []})
    assert world.cwbill(*APPLY).code == 0
    assert world.cwbill(*PLAN).code == 0


def test_a_renamed_configuration_leaves_no_double_billing(world: World) -> None:
    assert world.cwbill(*APPLY).code == 0
    edit(world.billing / "companies" / "acme.yaml", "- name: licenses", "- name: server-and-desktop")
    reasons = sorted((c["action"], c["reason"]) for c in changes_of(world.plan_json()))
    assert reasons == [("create", "new")] * 3 + [("delete", "orphan")] * 3
    assert world.cwbill(*APPLY).code == 1  # 3 of 13 owned lines deleted: beyond max_delete_percent
    assert world.cwbill(*APPLY, "--force").code == 0
    keys = [
        (a["product"]["identifier"], str(a["effectiveDate"])[:7])  # type: ignore[index]
        for a in world.additions(1)
        if str(a.get("serialNumber") or "").startswith("cwbill:")
    ]
    assert len(keys) == len(set(keys))


def test_switching_average_to_total_updates_in_place(world: World) -> None:
    assert world.cwbill(*APPLY).code == 0
    edit(world.billing / "companies" / "acme.yaml", "send: average", "send: total")
    changes = changes_of(world.plan_json())
    assert {(c["action"], c["product"], c["period"]) for c in changes} == {
        ("update", "MBS-SERVER", "2026-10"),
        ("update", "MBS-DESKTOP", "2026-10"),
        ("update", "MBS-SERVER", "2026-11"),
    }
    server_oct = next(c for c in changes if c["product"] == "MBS-SERVER" and c["period"] == "2026-10")
    # total: quantity 1, unitPrice = 3 × 15.00 = 45.00, unitCost = 3 × 8.00 = 24.00
    assert server_oct["after"]["quantity"] == "1"  # type: ignore[index]
    assert Decimal(server_oct["after"]["unitPrice"]) == Decimal("45.00")  # type: ignore[index]
    assert world.cwbill(*APPLY, "--force").code == 0
    assert world.cwbill(*PLAN).code == 0


def test_a_product_removed_from_a_configuration_deletes_its_lines_in_scope(world: World) -> None:
    assert world.cwbill(*APPLY).code == 0
    edit(
        world.billing / "companies" / "acme.yaml",
        "console_products: [server, desktop]",
        "console_products: [server]",
    )
    changes = changes_of(world.plan_json())
    assert [(c["action"], c["reason"], c["product"], c["period"]) for c in changes] == [
        ("delete", "removed", "MBS-DESKTOP", "2026-10")
    ]


def test_billing_start_skips_a_period_with_a_warning_and_clamps_the_next(world: World) -> None:
    plan = world.plan_json("--company", "DELTA")
    (warning,) = plan["warnings"]  # type: ignore[misc]
    assert warning["code"] == "period-skipped" and "2026-11-15" in warning["message"]
    starts = {c["product"]: c["after"]["effectiveDate"] for c in changes_of(plan)}  # type: ignore[index]
    assert starts == {"MBS-DESKTOP": "2026-11-15", "MBS-SQL": "2026-11-15"}


def test_the_json_plan_is_byte_identical_across_runs(world: World) -> None:
    first = world.cwbill("plan", "billing", "--as-of", AS_OF, "--format", "json")
    second = world.cwbill("plan", "billing", "--as-of", AS_OF, "--format", "json")
    assert first.code == second.code == 0
    assert first.out == second.out


@pytest.mark.parametrize(
    "show_cost", [False, True], ids=["costs hidden by default", "costs with --show-cost"]
)
def test_the_markdown_plan_hides_costs_unless_asked(world: World, show_cost: bool) -> None:
    args = ["plan", "billing", "--as-of", AS_OF, "--format", "markdown"] + (
        ["--show-cost"] if show_cost else []
    )
    result = world.cwbill(*args)
    assert result.code == 0
    assert ("unitCost" in result.out) is show_cost
    assert "<details>" in result.out


def test_drift_only_reports_hand_edits_and_nothing_else(world: World) -> None:
    assert world.cwbill(*APPLY).code == 0
    assert world.cwbill("plan", "billing", "--as-of", AS_OF, "--drift-only").code == 0
    edit(
        world.billing / "companies" / "gamma.yaml", "bill: do-not-bill", "bill: billable"
    )  # a reviewed change
    with world.api() as client:  # and a hand edit in ConnectWise
        patch = [{"op": "replace", "path": "quantity", "value": 2}]
        assert client.patch("/finance/agreements/1/additions/2", json=patch).status_code == 200
    result = world.cwbill("plan", "billing", "--as-of", AS_OF, "--drift-only", "--format", "json")
    assert result.code == 2
    plan = json.loads(result.out)
    assert [(c["reason"], c["addition_id"]) for c in plan["changes"]] == [("drift", 2)]


def test_show_unowned_lists_the_unmarked_additions_in_scope(world: World) -> None:
    unowned = world.plan_json()["unowned"]
    assert unowned, "the demo seed holds hand-made lines in scope"
    text = world.cwbill("plan", "billing", "--as-of", AS_OF, "--show-unowned")
    assert text.code == 0, text.err
    listing = text.out.split("Unowned additions in scope", 1)[1]
    assert sorted(int(i) for i in re.findall(r"^  #(\d+) ", listing, re.MULTILINE)) == sorted(unowned)
    line = by_id(world, 1)[3]  # the hand-made MBS-DESKTOP line of November on agreement 1
    assert f"  #3 MBS-DESKTOP 2026-11: quantity: {Decimal(str(line['quantity'])):f}" in listing
    assert "No unowned additions" not in text.out
    # without the flag, the listing is not there
    assert "Unowned additions" not in world.cwbill("plan", "billing", "--as-of", AS_OF).out


def test_show_unowned_in_markdown_and_refused_for_json(world: World) -> None:
    markdown = world.cwbill("plan", "billing", "--as-of", AS_OF, "--format", "markdown", "--show-unowned")
    assert markdown.code == 0, markdown.err
    section = markdown.out.split("<details><summary>Unowned additions in scope", 1)[1]
    assert f": {len(world.plan_json()['unowned'])}</summary>" in section
    assert "| ACME | Managed Backup Service (1) | 3 | MBS-DESKTOP | 2026-11 |" in section
    assert "unitCost" not in section  # costs stay out of the Markdown comment unless --show-cost
    refused = world.cwbill("plan", "billing", "--as-of", AS_OF, "--format", "json", "--show-unowned")
    assert refused.code == 1
    assert "--show-unowned lists them in text and markdown" in refused.err


def _billed(fields: dict[str, str] | None) -> Decimal:
    if not fields:
        return Decimal(0)
    return Decimal(fields["quantity"]) * Decimal(fields.get("unitPrice") or 0)


def test_drift_only_counts_and_totals_are_those_of_the_changes_shown(world: World) -> None:
    result = world.cwbill("plan", "billing", "--as-of", AS_OF, "--drift-only", "--format", "json")
    assert result.code == 2
    plan = json.loads(result.out)
    changes = plan["changes"]
    assert [c["reason"] for c in changes] == ["drift"]
    assert plan["summary"]["update"] == 1
    assert plan["summary"]["create"] == plan["summary"]["delete"] == 0
    before = sum((_billed(c["before"]) for c in changes), Decimal(0))
    after = sum((_billed(c["after"]) for c in changes), Decimal(0))
    assert (Decimal(plan["billed_total"]["before"]), Decimal(plan["billed_total"]["after"])) == (
        before,
        after,
    )
    assert (before, after) == (Decimal("60.00"), Decimal("45.00"))  # one drift update of -15.00
    markdown = world.cwbill("plan", "billing", "--as-of", AS_OF, "--drift-only", "--format", "markdown").out
    markdown = markdown.replace("\u00a0", " ")  # the cells' no-break spaces
    assert "Billed total in scope: 60.00 → 45.00 USD." in markdown
    assert "| ACME | 0 | 1 | 0 | 60.00 → 45.00 | -15.00 (-25.0%) |" in markdown
    assert "Drift only (--drift-only): the counts and totals are those of the changes shown." in markdown


def test_the_review_aids_stay_quiet_on_the_demo(world: World) -> None:
    markdown = world.cwbill("plan", "billing", "--as-of", AS_OF, "--format", "markdown")
    assert markdown.code == 0, markdown.err
    assert "⚠" not in markdown.out  # nothing unusual: no flag in any row, no note in any details
    assert "flagged" not in markdown.out
    # but month over month is there for each company, beside the month before
    assert "2026-11: 180.00 (2026-10: 160.00, +12.5%)" in markdown.out


def test_a_review_aid_fires_end_to_end_and_never_blocks_apply(world: World) -> None:
    edit(
        world.billing / "prices.yaml",
        "desktop:  {cost: 2.50, price: 5.00}",
        "desktop:  {cost: 6.00, price: 5.00}",
    )
    markdown = world.cwbill("plan", "billing", "--as-of", AS_OF, "--format", "markdown").out
    markdown = markdown.replace("\u00a0", " ")  # the cells' no-break spaces
    acme = next(line for line in markdown.splitlines() if line.startswith("| ACME |"))
    assert acme.endswith("| ⚠ below cost |")
    assert "- ⚠ **below cost**: MBS-DESKTOP 2026-10: priced below cost" in markdown
    assert "6.00" not in markdown.split("### Changes")[0]  # no cost in the summary without --show-cost
    assert world.cwbill(*APPLY).code == 0  # the aids inform; only the safety thresholds block


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--platform", "bitbucket"), "--platform 'bitbucket': choose github or gitlab"),
        (
            ("--comment-limit", "1999"),
            "--comment-limit 1999: a Markdown plan needs at least 2,000 characters",
        ),
    ],
    ids=["an unknown platform", "a limit too small for the summary's frame"],
)
def test_comment_size_flags_are_checked(world: World, flags: tuple[str, ...], message: str) -> None:
    result = world.cwbill("plan", "billing", "--as-of", AS_OF, "--format", "markdown", *flags)
    assert result.code == 1
    assert message in result.err


def test_a_small_comment_limit_keeps_every_company_in_the_summary(world: World) -> None:
    result = world.cwbill(
        "plan", "billing", "--as-of", AS_OF, "--format", "markdown", "--comment-limit", "2000"
    )
    assert result.code == 0, result.err
    comments = result.out.split("<!-- cwbill: next comment -->\n")
    assert all(len(comment) <= 2000 for comment in comments)
    rows = {line.split(" | ")[0] for c in comments for line in c.splitlines() if line.startswith("| ")}
    assert {"| ACME", "| BETA", "| DELTA", "| EPSILON", "| GAMMA"} <= rows
    assert "Details not shown for" in result.out
