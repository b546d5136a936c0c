"""The HTML report renders in a real browser: headless Chromium (Debian's `chromium`) takes a
screenshot of the file, offline, and the picture is a report — not blank, and with the chart's bars
in their colours. Skipped only when chromium is not installed."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from reconciler.report.html import render_html
from reconciler.report.svg import series
from tests.report.builders import example_report
from tests.report.png import Image, read_png

WIDTH, HEIGHT = 1280, 900
CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)"
)


def screenshot(html: Path, png: Path, profile: Path, size: tuple[int, int] = (WIDTH, HEIGHT)) -> None:
    """`html` photographed in headless Chromium, offline, in a window of `size` (width, height)."""
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--screenshot={png}",
        "--hide-scrollbars",
        f"--window-size={size[0]},{size[1]}",
        html.as_uri(),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def colours(image: Image) -> Counter[tuple[int, int, int]]:
    return Counter(image.pixel(x, y) for y in range(0, image.height, 2) for x in range(0, image.width, 2))


@pytest.fixture(scope="module")
def shot(tmp_path_factory: pytest.TempPathFactory) -> tuple[Image, list[tuple[str, str]]]:
    folder = tmp_path_factory.mktemp("screenshot")
    report = example_report()
    html = folder / "report.html"
    html.write_text(render_html(report), encoding="utf-8")
    png = folder / "report.png"
    screenshot(html, png, folder / "profile")
    assert png.is_file()
    return read_png(png.read_bytes()), series(report.history)


def test_the_screenshot_has_the_window_size(shot: tuple[Image, list[tuple[str, str]]]) -> None:
    image, _ = shot
    assert (image.width, image.height) == (WIDTH, HEIGHT)


def test_the_screenshot_is_not_blank(shot: tuple[Image, list[tuple[str, str]]]) -> None:
    image, _ = shot
    counts = colours(image)
    luminance = [sum(pixel) / 3 for pixel, n in counts.items() for _ in range(n)]
    mean = sum(luminance) / len(luminance)
    variance = sum((value - mean) ** 2 for value in luminance) / len(luminance)
    assert variance > 200  # a white page has 0; text, tables and bars give thousands
    assert len(counts) > 50
    assert image.pixel(2, 2) == (255, 255, 255)  # the page's background


@pytest.mark.parametrize(
    "rank", range(5), ids=[f"the company ranked {n + 1} by billed total" for n in range(5)]
)
def test_each_company_has_a_bar_in_its_colour(shot: tuple[Image, list[tuple[str, str]]], rank: int) -> None:
    image, named = shot
    company, colour = named[rank]
    assert colours(image)[rgb(colour)] > 100, f"no bar of {company} ({colour}) in the screenshot"
