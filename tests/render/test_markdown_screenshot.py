"""The plan comment as GitHub shows it: rendered by `cmark-gfm` (GitHub's engine, its extensions on;
Debian's package) into a 760 px column — the width of a pull-request comment — and photographed in
headless Chromium (Debian's `chromium`). The change table must fit the column, and a create row must
stay a few lines tall (the 8-column table it replaced wrapped "2026-10" and "MBS-DESKTOP" and made a
create row about 180 px tall). Skipped only when cmark-gfm or chromium is not installed.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
from decimal import Decimal

import pytest

from reconciler.plan.model import Totals
from reconciler.plan.review import Aid, CompanyMonth, Review, ReviewNote
from reconciler.render.markdown import render_markdown
from tests.render.plans import NOV, OCT, create, delete, plan_of, update
from tests.report.png import Image, read_png
from tests.report.test_html_screenshot import CHROMIUM, screenshot

CMARK = shutil.which("cmark-gfm")
COLUMN = 760  # px: a GitHub pull-request comment's body
WIDTH, HEIGHT = 1000, 2400
STRIPE = (246, 248, 250)  # GitHub's even table rows, #f6f8fa
BORDER = (208, 215, 222)  # GitHub's table borders, #d0d7de
EDGE = 16  # px: the tables' left border (the article's padding)
pytestmark = pytest.mark.skipif(
    CMARK is None or CHROMIUM is None,
    reason="cmark-gfm or chromium is not installed (apt-get install -y cmark-gfm chromium)",
)

# GitHub's comment look, reduced to what decides the layout: font, table cells, stripes, borders.
PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body {{ margin: 0; background: #fff; }}
article {{ width: {column}px; padding: 16px; box-sizing: border-box; font: 14px/1.5 "DejaVu Sans", sans-serif;
  color: #1f2328; }}
table {{ border-collapse: collapse; display: block; max-width: 100%; overflow: auto; }}
th, td {{ border: 1px solid #d0d7de; padding: 6px 13px; }}
tr {{ background: #fff; }} tr:nth-child(2n) {{ background: #f6f8fa; }}
</style></head><body><article>{body}</article></body></html>"""


def comment() -> str:
    description = "MBS-DESKTOP for October 2026: 12 × Desktop"
    changes = (
        create(product="MBS-DESKTOP", quantity="12", description=description),
        update(),
        delete(),
        create(
            company="BETA", product="MBS-STORAGE-TB", description="2.345678 TB Amazon S3 (0.1 TB restored)"
        ),
    )
    totals = {
        "ACME": Totals(Decimal("120"), Decimal("191.89")),
        "BETA": Totals(Decimal("0"), Decimal("83.10")),
    }
    note = ReviewNote(Aid.MONTH, "ACME", NOV, "2026-11: billed 191.89, +59.9% against 2026-10 (120.00)")
    months = (
        CompanyMonth("ACME", OCT, Decimal("120"), None),
        CompanyMonth("ACME", NOV, Decimal("191.89"), Decimal("120")),
    )
    return render_markdown(plan_of(changes, by_company=totals), review=Review((note,), months))


@pytest.fixture(scope="module")
def shot(tmp_path_factory: pytest.TempPathFactory) -> Image:
    folder = tmp_path_factory.mktemp("comment")
    assert CMARK is not None
    html = subprocess.run(
        [CMARK, "--unsafe", "-e", "table", "-e", "strikethrough", "-e", "autolink", "-e", "tagfilter"],
        input=comment().replace("<details>", "<details open>"),  # opened, as a reviewer clicks it
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    page = folder / "comment.html"
    page.write_text(PAGE.format(column=COLUMN, body=html), encoding="utf-8")
    png = folder / "comment.png"
    screenshot(page, png, folder / "profile", (WIDTH, HEIGHT))
    return read_png(png.read_bytes())


def _rows(image: Image, x: int) -> list[int]:
    """Heights of the table rows down the column at `x`: the gaps between horizontal borders."""
    borders = [
        y for y in range(image.height) if image.pixel(x, y) == BORDER and image.pixel(x + 6, y) == BORDER
    ]
    pairs = itertools.pairwise(borders)
    # a row, not the space between two tables: the table's left border runs beside it
    return [b - a - 1 for a, b in pairs if b - a > 4 and image.pixel(EDGE, (a + b) // 2) == BORDER]


def _stripes(image: Image, x: int) -> list[int]:
    """Heights of the striped (even) table rows down the column at `x`."""
    heights, run = [], 0
    for y in range(image.height):
        if image.pixel(x, y) == STRIPE:
            run += 1
        elif run:
            heights.append(run)
            run = 0
    return heights


def test_the_comment_fits_the_760_px_column(shot: Image) -> None:
    beyond = {shot.pixel(x, y) for x in range(COLUMN + 4, WIDTH, 4) for y in range(0, HEIGHT, 4)}
    assert beyond == {(255, 255, 255)}, "something is drawn outside the comment's column"


def test_the_comment_is_rendered_with_its_tables(shot: Image) -> None:
    stripes = _stripes(shot, 40)
    assert len(stripes) >= 3  # the summary's and the change tables' even rows
    assert len({shot.pixel(x, y) for x in range(0, COLUMN, 3) for y in range(0, HEIGHT, 3)}) > 20


def test_no_change_row_is_taller_than_four_lines(shot: Image) -> None:
    rows = _rows(shot, 40)
    assert len(rows) >= 10  # the summary's rows and the change tables' rows were all measured
    # 14 px text at line-height 1.5 is 21 px a line, plus 12 px of padding
    assert max(rows) <= 4 * 21 + 12, rows
