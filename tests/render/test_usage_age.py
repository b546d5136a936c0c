"""The plan header's line on the age of the usage figures, in text and in Markdown."""

from __future__ import annotations

import dataclasses
import io

import pytest

from reconciler.plan.model import Plan
from reconciler.render.markdown import render_markdown
from reconciler.render.text import make_console, render_text
from reconciler.render.usage_age import usage_age_line
from tests.render.plans import create, plan_of

AGES = ("2026-10: taken 2026-11-01T06:00:00Z (console-api)", "2026-11: taken_at unknown (file)")
LINE = "Usage figures: 2026-10: taken 2026-11-01T06:00:00Z (console-api); 2026-11: taken_at unknown (file)"


def _text(plan: Plan) -> str:
    out = io.StringIO()
    render_text(plan, make_console(out, color=False))
    return out.getvalue()


@pytest.mark.parametrize(
    ("ages", "line"),
    [pytest.param(AGES, LINE, id="one part per period"), pytest.param((), None, id="no usage: no line")],
)
def test_the_line(ages: tuple[str, ...], line: str | None) -> None:
    assert usage_age_line(dataclasses.replace(plan_of([create()]), usage_ages=ages)) == line


def test_text_starts_with_it() -> None:
    plan = dataclasses.replace(plan_of([create()]), usage_ages=AGES)
    assert _text(plan).splitlines()[0] == LINE
    assert LINE not in _text(plan_of([create()]))


def test_markdown_puts_it_under_the_scope_line_escaped() -> None:
    plan = dataclasses.replace(plan_of([create()]), usage_ages=AGES)
    blocks = render_markdown(plan).split("\n\n")
    assert blocks[0] == "## cwbill plan"
    scope, age = blocks[1].split("  \n")  # the header paragraph: the scope line, then the figures' age
    assert scope.startswith("As of ")
    assert age.startswith("Usage figures: 2026-10: taken 2026-11-01T06:00:00Z ")
    assert "(" not in age  # escaped, as every line of the comment
