"""The Markdown plan is inert whatever ConnectWise and the repository hold, end to end.

A company identifier, an agreement name, catalog identifiers, catalog and invoice descriptions, a
console company name and an invoice template full of HTML, `|`, backticks, @mentions, issue refs,
links and images are seeded in the sandbox and the billing repository; `cwbill plan --format
markdown` is rendered to HTML with a CommonMark renderer (raw HTML allowed, tables on, as GitHub
does). The hostile plan must have exactly the HTML structure of a twin plan with plain names — no
extra tag, link, image, code span or table cell — must still show every hostile string as text,
and must leave no @mention or link for GitHub to make. The text plan shows the same strings
literally (rich markup is not interpreted).
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from reconciler.render.mdescape import ZWSP
from reconciler.sandbox.seeds import load_seed
from tests.security.conftest import AS_OF, Served, serving

HOSTILE = {
    "company": "<b>AC|ME</b>`@all`[x](//e)",
    "agreement": "<img src=x onerror=alert(1)>|@everyone [pwn](https://evil.example) `rm` [red]x[/red]",
    "server": "<script>1</script>|`MBS`@ops ![i](//e/i.png)",
    "desktop": "MBS-DESK<details><summary>open</summary>**",
    "description": "Backup <a href='//evil'>x</a> | `tick` @finance-team #12 www.evil.example ~~s~~",
    "console": "Evil <iframe src=//e></iframe> | @octocat GH-7 :tada:",
    "template": "{product} for {period}: {breakdown} <img src=//e/t.png> | @team [t](http://t.example)",
    "old": "<b>old</b> | @someone",
}
PLAIN = {
    "company": "ACME-PLAIN",
    "agreement": "Managed Backup Service",
    "server": "MBS-SERVER",
    "desktop": "MBS-DESKTOP",
    "description": "Backup of a server",
    "console": "Acme Corp",
    "template": "{product} for {period}: {breakdown}",
    "old": "an old line",
}


def seed(names: dict[str, str]) -> dict[str, object]:
    def item(identifier: str) -> dict[str, object]:
        return {
            "identifier": identifier,
            "description": "Managed backup",
            "customerDescription": names["description"],
            "price": "20.00",
            "cost": "10.00",
        }

    orphan = {
        "product": names["server"],
        "quantity": 2,
        "effectiveDate": "2026-11-01",
        "invoiceDescription": names["old"],
        "serialNumber": "cwbill:gone:0badc0de",
    }
    hand_made = {"product": names["desktop"], "quantity": 1, "effectiveDate": "2026-11-01"}
    agreement = {"name": names["agreement"], "startDate": "2026-01-01", "additions": [orphan, hand_made]}
    return {
        "connectwise": {
            "catalog": [item(names["server"]), item(names["desktop"])],
            "companies": [{"identifier": names["company"], "name": "Hostile", "agreements": [agreement]}],
        }
    }


def billing_files(names: dict[str, str]) -> dict[str, str]:
    quoted = {key: json.dumps(value) for key, value in names.items()}  # a JSON string is YAML too
    configuration = (
        "  - name: {name}\n    agreement: {agreement}\n    bill: billable\n    auto_billing: false\n"
        "    console_products: [{product}]\n    send: {send}\n"
    )
    return {
        "settings.yaml": (
            "connectwise:\n  url: https://api-na.myconnectwise.net/v4_6_release/apis/3.0\n"
            "console:\n  url: https://api.mspbackups.com\ncurrency: USD\n"
            f"invoice:\n  description: send\n  template: {quoted['template']}\n"
            "rounding:\n  unit_price: 2\nsafety:\n  max_update_percent: 30\n  max_delete_percent: 10\n"
            "  min_existing: 10\n  max_amount_change_percent: 25\n"
        ),
        "products.yaml": (
            "products:\n"
            f"  server:\n    kind: license\n    console: Server\n    connectwise: {quoted['server']}\n"
            f"  desktop:\n    kind: license\n    console: Desktop\n    connectwise: {quoted['desktop']}\n"
        ),
        "prices.yaml": (
            "licenses:\n  server: {cost: 8.00, price: 15.00}\n  desktop: {cost: 2.50, price: 5.00}\n"
        ),
        "companies/hostile.yaml": (
            f"company: {quoted['company']}\nconsole_company: {quoted['console']}\nconfigurations:\n"
            + configuration.format(
                name="licenses", agreement=quoted["agreement"], product="server", send="average"
            )
            + configuration.format(name="desktops", agreement="1", product="desktop", send="quantity")
            + "    invoice_description: from-product\n"
        ),
        **{
            f"usage/{period}.yaml": (
                f'usage:\n  - period: "{period}"\n    console_company: {quoted["console"]}\n'
                "    licenses: {server: 3, desktop: 2}\n"
            )
            for period in ("2026-10", "2026-11")
        },
    }


@contextmanager
def world_of(
    names: dict[str, str], root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Served]:
    root.mkdir()
    seed_file = root / "seed.json"
    seed_file.write_text(json.dumps(seed(names)), encoding="utf-8")
    for relative, text in billing_files(names).items():
        (root / "billing" / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / "billing" / relative).write_text(text, encoding="utf-8")
    monkeypatch.chdir(root)
    with serving(load_seed(str(seed_file)), root / "billing", capsys, monkeypatch) as served:
        yield served


def rendered(markdown: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


def structure(markdown: str) -> Counter[str]:
    """The HTML a GitHub-like renderer makes of it, as a multiset of tags (with their attributes)."""
    return Counter(re.findall(r"<[a-zA-Z][^>]*>", rendered(markdown)))


def markdown_plan(served: Served, *extra: str) -> str:
    result = served.cwbill("plan", "billing", "--as-of", AS_OF, "--format", "markdown", *extra)
    assert result.code == 0, result.err
    return result.out


@pytest.mark.parametrize("extra", [(), ("--show-cost",)], ids=["prices only", "with costs"])
def test_hostile_strings_change_nothing_in_the_rendered_plan(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    extra: tuple[str, ...],
) -> None:
    with world_of(PLAIN, tmp_path / "plain", capsys, monkeypatch) as served:
        plain = markdown_plan(served, *extra)
    with world_of(HOSTILE, tmp_path / "hostile", capsys, monkeypatch) as served:
        hostile = markdown_plan(served, *extra)
        assert served.writes() == 0
    assert structure(hostile) == structure(plain)
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered(hostile)))
    shown = text.replace(ZWSP, "")
    for name in ("company", "agreement", "server", "desktop", "old"):
        assert HOSTILE[name] in shown, name  # shown as text, not swallowed
    assert HOSTILE["template"].removeprefix("{product} for {period}: {breakdown}") in shown
    for mention in ("@everyone", "@all", "@ops", "@octocat", "@finance-team", "@team", "@someone"):
        assert mention not in text  # broken by a zero-width space: GitHub notifies nobody
    for raw in ("<script", "<img", "<iframe", "<a href", "<details><summary>open"):
        assert raw not in hostile


def test_the_text_plan_shows_markup_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with world_of(HOSTILE, tmp_path / "hostile", capsys, monkeypatch) as served:
        result = served.cwbill("plan", "billing", "--as-of", AS_OF)
    assert result.code == 0, result.err
    assert "[red]x[/red]" in result.out and HOSTILE["server"] in result.out
