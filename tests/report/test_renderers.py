"""The report's renderers: text, Markdown, CSV and HTML say the same numbers; user strings are inert."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from reconciler.engine.model import PlanWarning
from reconciler.report.csvout import HEADER, inert, render_csv
from reconciler.report.html import render_html
from reconciler.report.markdown import render_markdown
from reconciler.report.model import Report
from reconciler.report.tables import signed
from reconciler.report.text import render_text
from tests.report.builders import example_report

HOSTILE = "<script>alert(\"x\")</script> & 'quotes' | [link](http://evil) @team #1"


def text_of(report: Report) -> str:
    buffer = io.StringIO()
    render_text(report, buffer)
    return buffer.getvalue()


def hostile_report() -> Report:
    report = example_report()
    lines = tuple(replace(line, company=HOSTILE, agreement_name=HOSTILE) for line in report.lines)
    history = tuple(replace(month, company=HOSTILE + month.company) for month in report.history)
    warning = PlanWarning("period-skipped", HOSTILE, HOSTILE, HOSTILE, "2026-10")
    return replace(report, lines=lines, history=history, warnings=(warning,), currency="<b>USD</b>")


RENDERERS = [
    pytest.param(text_of, id="text"),
    pytest.param(render_markdown, id="markdown"),
    pytest.param(render_html, id="html"),
]


@pytest.mark.parametrize("render", RENDERERS)
def test_every_format_shows_the_billed_total_in_scope(render: object) -> None:
    assert callable(render)
    assert "795.35" in render(example_report())


@pytest.mark.parametrize("render", RENDERERS)
def test_the_output_is_deterministic(render: object) -> None:
    assert callable(render)
    assert render(example_report()) == render(example_report())


def test_csv_has_one_row_per_line_with_exact_two_place_money() -> None:
    report = example_report()
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert list(rows[0]) == list(HEADER)
    assert len(rows) == len(report.lines)
    billed = sum(Decimal(row["billed"]) for row in rows)
    assert billed == Decimal("795.35")
    server = next(
        r for r in rows if (r["company"], r["product"], r["period"]) == ("ACME", "MBS-SERVER", "2026-11")
    )
    assert (server["quantity"], server["unit_price"], server["previous_billed"], server["change"]) == (
        "4",
        "15.00",
        "45.00",
        "15.00",
    )
    gamma = next(r for r in rows if r["company"] == "GAMMA")
    assert (gamma["unit_price"], gamma["catalog_price"]) == ("20.00", "yes")


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        pytest.param('=HYPERLINK("x")', '\'=HYPERLINK("x")', id="a formula is made text"),
        pytest.param("+1", "'+1", id="a plus sign"),
        pytest.param("@SUM", "'@SUM", id="an at sign"),
        pytest.param("ACME", "ACME", id="a plain name is unchanged"),
    ],
)
def test_csv_cells_cannot_run_as_formulas(cell: str, written: str) -> None:
    assert inert(cell) == written


@pytest.mark.parametrize(
    ("value", "text"),
    [
        pytest.param(Decimal("15"), "+15.00", id="a rise is signed"),
        pytest.param(Decimal("-60"), "-60.00", id="a fall"),
        pytest.param(Decimal("0.004"), "0.00", id="less than half a cent is no change"),
        pytest.param(None, "—", id="unknown"),
    ],
)
def test_changes_are_signed(value: Decimal | None, text: str) -> None:
    assert signed(value) == text


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls += [v or "" for k, v in attrs if k in {"src", "href"}]


def test_the_html_is_self_contained() -> None:
    html = render_html(example_report())
    parser = _Collector()
    parser.feed(html)
    assert "script" not in parser.tags and "link" not in parser.tags and "img" not in parser.tags
    assert parser.urls == []
    assert "svg" in parser.tags and "rect" in parser.tags
    assert "default-src 'none'" in html  # the browser refuses anything fetched, should any slip in
    assert re.findall(r"https?://[^\s\"']+", html) == [
        "http://www.w3.org/2000/svg"
    ]  # a namespace, not a fetch


def test_html_escapes_every_user_string() -> None:
    html = render_html(hostile_report())
    assert "<script>" not in html and "<b>USD</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    parser = _Collector()
    parser.feed(html)
    assert "script" not in parser.tags and "b" in parser.tags  # only the report's own bold tags


def test_markdown_escapes_every_user_string() -> None:
    text = render_markdown(hostile_report())
    assert "<script>" not in text and "[link](" not in text and "@team" not in text
    for row in (line for line in text.splitlines() if line.startswith("| ")):
        assert row.count(" | ") + 2 == row.count("|")  # no stray pipe splits a cell


def test_text_replaces_control_characters() -> None:
    report = example_report()
    lines = tuple(replace(line, company="ACME\x1b[31m\nEVIL") for line in report.lines)
    text = text_of(replace(report, lines=lines))
    assert "\x1b" not in text and "\nEVIL" not in text


def test_an_empty_report_says_so() -> None:
    report = replace(example_report(), lines=(), periods=(), history=())
    assert "No lines in scope." in text_of(report)
    assert "No lines in scope." in render_markdown(report)
    assert "nothing to chart" in render_html(report)
    assert render_csv(report) == ",".join(HEADER) + "\n"
