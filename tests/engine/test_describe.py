"""The invoice-description template: plain placeholders only, nothing that can run code (§4)."""

from __future__ import annotations

import pytest

from reconciler.config.model import ProductKind
from reconciler.engine.describe import breakdown, check_template, render_template
from reconciler.engine.lines import Contribution
from tests.engine.builders import D

VALUES = {
    "product": "MBS-SERVER",
    "period": "November 2026",
    "quantity": "3",
    "breakdown": "3 × Server",
    "company": "ACME",
    "configuration": "licenses",
}


@pytest.mark.parametrize(
    "template",
    [
        pytest.param("{product} for {period}: {breakdown}", id="the default template"),
        pytest.param("{company}/{configuration}: {quantity} × {product}", id="every placeholder"),
        pytest.param("no placeholder at all", id="plain text"),
        pytest.param("{{literal}} braces", id="doubled braces are literal"),
        pytest.param("", id="empty"),
    ],
)
def test_good_templates_have_no_problems(template: str) -> None:
    assert check_template(template) == []


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        pytest.param("{produt}", "unknown placeholder {produt} at character 1", id="a misspelt name"),
        pytest.param(
            "x {product.__class__}",
            "unknown placeholder {product.__class__} at character 3",
            id="attribute access",
        ),
        pytest.param("{product[0]}", "unknown placeholder {product[0]}", id="indexing"),
        pytest.param("{product:>10}", "unknown placeholder {product:>10}", id="a format spec"),
        pytest.param("{product!r}", "unknown placeholder {product!r}", id="a conversion"),
        pytest.param("{0}", "unknown placeholder {0}", id="a positional field"),
        pytest.param("{}", "unknown placeholder {}", id="an empty field"),
        pytest.param("for {period", "unbalanced '{' at character 5", id="an unclosed brace"),
        pytest.param("a } b", "unbalanced '}' at character 3", id="a lone closing brace"),
        pytest.param("{a{product}", "unbalanced '{' at character 1", id="a brace inside a field"),
    ],
)
def test_bad_templates_are_reported(template: str, problem: str) -> None:
    problems = check_template(template)
    assert problems, template
    assert problems[0].startswith(problem)


@pytest.mark.parametrize(
    ("template", "rendered"),
    [
        pytest.param(
            "{product} for {period}: {breakdown}",
            "MBS-SERVER for November 2026: 3 × Server",
            id="the default",
        ),
        pytest.param(
            "{company}/{configuration} ×{quantity}", "ACME/licenses ×3", id="company, configuration, quantity"
        ),
        pytest.param("{{product}} is {product}", "{product} is MBS-SERVER", id="literal braces"),
        pytest.param("{{{product}}}", "{MBS-SERVER}", id="a placeholder inside literal braces"),
        pytest.param("{product.__class__}", "{product.__class__}", id="attribute access stays text"),
        pytest.param(
            "{product[0]}{product:>20}", "{product[0]}{product:>20}", id="indexing and specs stay text"
        ),
        pytest.param("50% {period", "50% {period", id="an unbalanced brace stays text"),
    ],
)
def test_render(template: str, rendered: str) -> None:
    assert render_template(template, VALUES) == rendered


def test_rendered_descriptions_are_never_cut() -> None:
    # too long for ConnectWise is a plan error (engine/desired), not a silently shortened invoice
    rendered = render_template("{breakdown}" * 3, {"breakdown": "x" * 2500})
    assert rendered == "x" * 7500


def _license(console: str, count: int) -> Contribution:
    return Contribution(console.lower(), console, ProductKind.LICENSE, D(count), D(0), D(0))


def _storage(
    console: str, stored: str, restored: str = "0", limit: str = "0", unit: str = "GB"
) -> Contribution:
    return Contribution(
        console.lower(), console, ProductKind.STORAGE, D(stored), D(0), D(0), unit, D(restored), D(limit)
    )


@pytest.mark.parametrize(
    ("found", "text"),
    [
        pytest.param(
            (_license("Server", 3), _license("Desktop", 12)), "3 × Server, 12 × Desktop", id="licenses"
        ),
        pytest.param(
            (_license("Server", 3), _license("VM Server", 0)), "3 × Server", id="zero counts are left out"
        ),
        pytest.param((_storage("Wasabi", "1234.50"),), "1234.5 GB Wasabi", id="storage stored only"),
        pytest.param(
            (_storage("Wasabi", "1234.5", "20", "2000"),),
            "1234.5 GB Wasabi (20 GB restored, 2000 GB limit)",
            id="storage with restore and limit",
        ),
        pytest.param(
            (_storage("Amazon S3", "2.345678", "0.1", unit="TB"),),
            "2.345678 TB Amazon S3 (0.1 TB restored)",
            id="storage in TB",
        ),
        pytest.param((_storage("Wasabi", "0", "10"),), "0 GB Wasabi (10 GB restored)", id="restored only"),
    ],
)
def test_breakdown(found: tuple[Contribution, ...], text: str) -> None:
    assert breakdown(found) == text
