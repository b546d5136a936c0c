"""The leakage section renders as GitHub-flavoured Markdown (cmark-gfm), escapes names, fits its limit."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest

from reconciler.engine.periods import Period
from reconciler.leakage.markdown import MIN_LIMIT, leakage_section, render_leakage_markdown
from reconciler.leakage.model import Bucket, Leakage, Measure, Unit

CMARK = shutil.which("cmark-gfm")
OCT = Period(2026, 10)
HOSTILE = "<img src=x onerror=alert(1)> | @team #12"


def unit(bucket: Bucket, who: str = "ACME", amount: str | None = "30.00", product: str = "server") -> Unit:
    return Unit(
        bucket,
        OCT,
        who,
        who,
        "licenses",
        product,
        Measure.LICENSES,
        Decimal(2),
        None if amount is None else Decimal(amount),
    )


def leakage(*units: Unit) -> Leakage:
    return Leakage(dt.date(2026, 11, 2), (OCT,), units, ())


def html(markdown: str) -> str:
    assert CMARK is not None
    done = subprocess.run(
        [CMARK, "--extension", "table", "--unsafe"],
        input=markdown,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.mark.skipif(CMARK is None, reason="cmark-gfm is not installed (.ci/run installs it)")
def test_the_section_renders_its_tables_in_cmark_gfm_and_names_stay_text() -> None:
    found = leakage(
        unit(Bucket.BILLED),
        unit(Bucket.NO_COMPANY_FILE, who=HOSTILE, amount="12.34"),
        unit(Bucket.NO_PRICE, amount=None),
    )
    rendered = html(leakage_section(found))
    assert rendered.startswith("<h3>Revenue leakage</h3>")
    assert rendered.count("<table>") == 3  # buckets, per company, units
    assert "<img" not in rendered  # the name is text, in its own cell, its mention and issue link broken
    assert rendered.count("<td>&lt;img src=x onerror=alert(1)&gt; | @\u200bteam #\u200b12</td>") == 2
    assert "<strong>no-company-file</strong>" in rendered and "<td>billed</td>" in rendered
    assert '<td align="right">no price</td>' in rendered


def test_nothing_leaking_means_no_section() -> None:
    assert leakage_section(leakage(unit(Bucket.BILLED), unit(Bucket.NOT_CHARGED))) == ""
    assert leakage_section(None) == ""


def test_a_long_listing_is_cut_to_the_limit_with_a_note() -> None:
    many = leakage(*(unit(Bucket.PENDING, who=f"C{n:05d}") for n in range(2_000)))
    text = render_leakage_markdown(many, limit=MIN_LIMIT * 2)
    assert len(text) <= MIN_LIMIT * 2
    assert "of 2000 shown; run `cwbill leakage` for all" in text
    assert "| **pending** | 60000.00 | 2000 | 0 |" in text  # the totals count every unit
