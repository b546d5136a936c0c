"""The terminal plan: exact text, colour rules, hostile names printed as written."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
from rich.console import Console

from reconciler.engine.model import PlanWarning
from reconciler.plan.model import Plan
from reconciler.render.text import PIPE_WIDTH, make_console, render_text
from tests.render.plans import WARNING, create, empty_plan, full_plan, plan_of, update

FULL_PLAN_TEXT = """\
! average-as-total: nothing stored but restores billed: sent as total (ACME, storage, 2026-11)

ACME — agreement 1 "Managed Backup Service"
  ~ update MBS-DESKTOP 2026-10 #12 (drift) · licenses
      quantity: 10 → 12
      unitCost: 2.50 → 2.75
  + create MBS-SERVER 2026-11 (new) · licenses
      quantity: 4
      unitPrice: 15.00
      unitCost: 8.00
      billCustomer: Billable
      effectiveDate: 2026-11-01
      cancelledDate: 2026-11-30
  - delete MBS-SERVER 2026-11 #14 (orphan) · old-licenses
      quantity: 3
      unitPrice: 15.00
      unitCost: 8.00
      billCustomer: Billable
      effectiveDate: 2026-11-01
      cancelledDate: 2026-11-30
      invoiceDescription: Server for November 2026

BETA — agreement 7 "Backup"
  ~ update MBS-STORAGE 2026-11 #30 (adopt) · storage
      (only the owner marker is written)

1 to create, 2 to update, 1 to delete.
Billed total in scope: 1,274.00 → 1,496.50 USD
  ACME: 1,234.00 → 1,456.50 USD
Cost total in scope: 600.00 → 700.25 USD
"""


class _Terminal(io.StringIO):
    """A stream that says it is a terminal, as stdout does in an interactive shell."""

    def isatty(self) -> bool:
        return True


def _render(plan: Plan, *, show_cost: bool = True, color: bool | None = None) -> str:
    stream = io.StringIO()
    render_text(plan, make_console(stream, color=color), show_cost=show_cost)
    return stream.getvalue()


def test_full_plan_renders_byte_for_byte() -> None:
    assert _render(full_plan()) == FULL_PLAN_TEXT


def test_a_plain_rich_console_gives_the_same_text() -> None:
    stream = io.StringIO()
    render_text(full_plan(), Console(file=stream, width=80, color_system=None))
    assert stream.getvalue() == FULL_PLAN_TEXT


def test_without_show_cost_unit_cost_and_cost_total_are_left_out() -> None:
    text = _render(full_plan(), show_cost=False)
    assert "unitCost" not in text
    assert "Cost total" not in text
    assert "      quantity: 10 → 12\n" in text


def test_an_update_of_only_a_hidden_cost_says_so() -> None:
    cost_only = dataclasses.replace(update(), changed=("unitCost",))
    text = _render(plan_of((cost_only,)), show_cost=False)
    assert (
        "  ~ update MBS-DESKTOP 2026-10 #12 (drift) · licenses\n      (a hidden cost field changes)\n" in text
    )
    assert "2.75" not in text


@pytest.mark.parametrize(
    ("warnings", "expected"),
    [
        ((), "No changes.\n"),
        (
            (WARNING,),
            "! average-as-total: nothing stored but restores billed: sent as total (ACME, storage, 2026-11)\n"
            "\nNo changes.\n",
        ),
        (
            (PlanWarning("no-price", "", "", "server has no price"),),
            "! no-price: server has no price\n\nNo changes.\n",
        ),
    ],
    ids=["nothing at all", "a warning above it", "a warning about no company in particular"],
)
def test_a_plan_without_changes_says_no_changes(warnings: tuple[PlanWarning, ...], expected: str) -> None:
    assert _render(empty_plan(warnings)) == expected


@pytest.mark.parametrize(
    ("stream", "no_color_env", "color", "ansi"),
    [
        (io.StringIO(), "", None, False),
        (_Terminal(), "", None, True),
        (_Terminal(), "1", None, False),
        (io.StringIO(), "", True, True),
        (_Terminal(), "", False, False),
    ],
    ids=[
        "a pipe gets no colour",
        "a terminal gets colour",
        "NO_COLOR turns it off on a terminal",
        "colour can be forced on a pipe",
        "colour can be turned off on a terminal",
    ],
)
def test_colour_only_on_a_terminal_without_no_color(
    monkeypatch: pytest.MonkeyPatch, stream: io.StringIO, no_color_env: str, color: bool | None, ansi: bool
) -> None:
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TERM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", no_color_env)
    render_text(full_plan(), make_console(stream, color=color))
    output = stream.getvalue()
    assert ("\x1b[" in output) is ansi
    if not ansi:
        assert output == FULL_PLAN_TEXT


def test_a_pipe_has_a_fixed_width_and_long_lines_are_not_wrapped() -> None:
    stream = io.StringIO()
    console = make_console(stream)
    long_name = "A" * 300
    render_text(plan_of((create(company=long_name),)), console)
    assert console.width == PIPE_WIDTH
    assert f'{long_name} — agreement 1 "Managed Backup Service"\n' in stream.getvalue()


@pytest.mark.parametrize(
    ("company", "shown"),
    [
        ("[bold red]ACME[/]", "[bold red]ACME[/]"),
        ("[link=http://evil]x[/link]", "[link=http://evil]x[/link]"),
        (":warning: Corp", ":warning: Corp"),
        ("Evil\x1b[2J Corp", "Evil\ufffd[2J Corp"),
        ("Two\nLines", "Two↵Lines"),
    ],
    ids=["rich markup", "a markup link", "an emoji code", "a terminal escape", "a newline"],
)
@pytest.mark.parametrize("color", [False, True], ids=["plain", "coloured"])
def test_user_strings_print_as_written(company: str, shown: str, color: bool) -> None:
    text = _render(plan_of((create(company=company),)), color=color)
    assert f"{shown} — agreement 1" in _strip_ansi(text)
    assert "\x1b[2J" not in text


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)
