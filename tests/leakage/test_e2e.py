"""`cwbill leakage` end to end against the sandbox: the buckets add up to what the console reported.

The oracle is not cwbill's arithmetic: it is the sandbox's own console data (the demo seed's
`console` section, or the usage a test gives a generated world), priced here with prices.yaml's
numbers by plain Decimal arithmetic, each amount rounded half-up to the cent.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from reconciler.config.yamlload import load_text
from reconciler.engine.periods import Period
from reconciler.sandbox import Sandbox
from reconciler.sandbox.generator import AGREEMENT, GeneratorSpec, billing_files, generate
from reconciler.sandbox.mbs_data import ConsoleCompany, ConsoleMonth, StorageAmounts, build_console
from reconciler.sandbox.seeds import load_seed
from tests.conftest import Served, edit
from tests.leakage.test_markdown import CMARK, html

AS_OF = "2026-11-02"  # the demo's day: manual configurations bill 2026-10 and 2026-11, auto 2026-10
SEED = Path(__file__).resolve().parents[2] / "reconciler" / "sandbox" / "seeds" / "demo.yaml"
Truth = dict[tuple[str, str, str], Decimal]  # (period, console product name, measure) → quantity
MEASURES = ("stored", "restored", "limit")


def _yaml(path: Path) -> Any:  # parsed YAML, read by shape in the tests
    document, findings = load_text(path.read_bytes(), str(path))
    assert document is not None and not findings
    assert isinstance(document.data, dict)
    return document.data


def demo_console(periods: set[str]) -> Iterator[tuple[str, str, str, str, Decimal]]:
    """(company, period, console product, measure, quantity) as the demo seed's console holds them."""
    console = _yaml(SEED)["console"]
    for company in console["companies"]:
        for month in company["usage"]:
            if str(month["period"]) not in periods:
                continue
            for name, count in (month.get("licenses") or {}).items():
                yield company["name"], str(month["period"]), name, "licenses", Decimal(count)
            for name, amounts in (month.get("storage") or {}).items():
                for measure in MEASURES:
                    yield (
                        company["name"],
                        str(month["period"]),
                        name,
                        measure,
                        Decimal(amounts.get(measure, 0)),
                    )


class Prices:
    """prices.yaml's numbers, read here, by console product name."""

    def __init__(self, billing: Path) -> None:
        products = _yaml(billing / "products.yaml")["products"]
        self.keys = {str(p["console"]): key for key, p in products.items()}
        self.prices = _yaml(billing / "prices.yaml")

    def value(self, name: str, measure: str, quantity: Decimal) -> Decimal | None:
        key = self.keys.get(name)
        if key is None:
            return None  # products.yaml does not map it
        licenses = self.prices.get("licenses") or {}
        storage = self.prices.get("storage") or {}
        if measure == "licenses":
            if key not in licenses:
                return None
            exact = quantity * Decimal(str(licenses[key]["price"]))
        else:
            if key not in storage:
                return None
            rates = storage[key]
            rate = rates[{"stored": "backup", "restored": "restore", "limit": "limit"}[measure]]
            per = Decimal(1000) if rates.get("unit") == "TB" else Decimal(1)
            exact = quantity / per * Decimal(str(rate["price"]))
        return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def check_adds_up(report: Any, truth: list[tuple[str, str, str, str, Decimal]], prices: Prices) -> None:
    """Every console amount is in the units exactly once, and the money adds up to the cent."""
    units = report["units"]
    wanted: Truth = defaultdict(Decimal)
    money = Decimal(0)
    for _company, period, name, measure, quantity in truth:
        if quantity:
            wanted[(period, name, measure)] += quantity
            money += prices.value(name, measure, quantity) or 0
    names = {key: name for name, key in prices.keys.items()}
    found: Truth = defaultdict(Decimal)
    for unit in units:
        found[(unit["period"], names.get(unit["product"], unit["product"]), unit["measure"])] += Decimal(
            unit["quantity"]
        )
    assert found == wanted
    assert sum(Decimal(u["amount"]) for u in units if u["amount"] is not None) == money
    assert Decimal(report["console_total"]["amount"]) == money
    for bucket in report["buckets"]:
        mine = [Decimal(u["amount"] or 0) for u in units if u["bucket"] == bucket["bucket"]]
        assert Decimal(bucket["amount"]) == sum(mine)


def leakage_json(world: Served, *args: str, code: int = 0) -> Any:  # the JSON report
    result = world.cwbill("leakage", "billing", "--as-of", AS_OF, "--format", "json", *args)
    assert result.code == code, result.err
    return json.loads(result.out)


def buckets(report: Any) -> dict[str, set[tuple[str, str, str]]]:
    held: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for unit in report["units"]:
        held[unit["bucket"]].add(
            (unit["period"], unit["company"] or unit["console_company"], unit["product"])
        )
    return held


@pytest.fixture
def demo(
    billing_copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Served]:
    with Served.serving(Sandbox(load_seed("demo")), billing_copy, capsys, monkeypatch) as served:
        yield served


def test_the_demo_buckets_add_up_to_the_console_to_the_cent(demo: Served) -> None:
    report = leakage_json(demo)  # usage from billing/usage/, which holds what the console reported
    check_adds_up(report, list(demo_console({"2026-10", "2026-11"})), Prices(demo.billing))
    held = buckets(report)
    assert set(held) == {"billed", "pending", "conflict", "not-charged", "out-of-scope", "period-skipped"}
    assert held["conflict"] == {("2026-11", "ACME", "desktop")}  # the hand-made line of the seed
    assert held["period-skipped"] == {("2026-10", "DELTA", "desktop"), ("2026-10", "DELTA", "sql")}
    assert held["billed"] == {("2026-10", "ACME", "server")}  # cwbill's (drifted) line
    assert {who for _, who, _ in held["not-charged"]} == {"DELTA", "GAMMA"}  # no-charge, do-not-bill
    assert report["leaking_total"] == {"amount": "345.35", "units": 14, "unpriced": 1}


def test_after_apply_pending_is_billed_and_the_totals_stay(demo: Served) -> None:
    before = leakage_json(demo, "--detailed-exitcode", code=2)
    assert demo.cwbill("apply", "billing", "--as-of", AS_OF, "--yes").code == 0
    after = leakage_json(demo, "--detailed-exitcode", code=2)  # October of DELTA stays skipped
    held = buckets(after)
    assert "pending" not in held
    assert held["billed"] == buckets(before)["billed"] | buckets(before)["pending"]
    assert after["console_total"] == before["console_total"]
    assert set(buckets(after)) - {"billed", "out-of-scope", "not-charged"} == {"conflict", "period-skipped"}


def test_every_format_shows_the_buckets(demo: Served) -> None:
    text = demo.cwbill("leakage", "billing", "--as-of", AS_OF)
    assert text.code == 0, text.err
    assert "console total 900.86 USD" in text.out and "* period-skipped" in text.out
    csv = demo.cwbill("leakage", "billing", "--as-of", AS_OF, "--format", "csv").out.splitlines()
    assert csv[0].startswith("bucket,leaking,period,company") and len(csv) == 1 + 27
    markdown = demo.cwbill("leakage", "billing", "--as-of", AS_OF, "--format", "markdown").out
    assert markdown.startswith("### Revenue leakage") and "unitCost" not in markdown
    if CMARK is not None:  # GitHub's own Markdown (cmark-gfm): the three tables render
        assert html(markdown).count("<table>") == 3
    comment = demo.cwbill("plan", "billing", "--as-of", AS_OF, "--format", "markdown", "--leakage").out
    assert comment.index("## cwbill plan") < comment.index("### Revenue leakage")
    assert (
        "### Revenue leakage"
        not in demo.cwbill("plan", "billing", "--as-of", AS_OF, "--format", "markdown").out
    )


def _section(comment: str) -> str:
    """The Revenue leakage section of a plan comment (the company details follow it)."""
    start = comment.index("### Revenue leakage")
    return comment[start : comment.index("</details>", comment.index("Leaking units", start))]


def test_the_plan_comment_section_counts_every_change_and_fits_the_comment(demo: Served) -> None:
    plan = ("plan", "billing", "--as-of", AS_OF, "--format", "markdown", "--leakage")
    drift = demo.cwbill(*plan, "--drift-only")
    assert drift.code == 2, drift.err  # the demo's drifted line
    # the section is of the whole plan (the lines it creates are pending), though only drift is shown
    whole = demo.cwbill(*plan)
    assert whole.code == 0, whole.err
    assert _section(drift.out) == _section(whole.out) and "| **pending** |" in _section(drift.out)
    refused = demo.cwbill(*plan, "--comment-limit", "15999")
    assert refused.code == 1 and "--comment-limit 16000 or more" in refused.err
    small = demo.cwbill(*plan, "--comment-limit", "16000")
    assert small.code == 0, small.err
    comments = small.out.split("<!-- cwbill: next comment -->\n")
    assert max(map(len, comments)) <= 16000 and "### Revenue leakage" in comments[-1]


# A generated world: three companies; the third has no company file, "VM Server" is not mapped, and
# the first company's agreement starts billing in November, so its October is skipped.
USAGE = {
    "Company 00001": ({"Server": 2, "VM Server": 1}, {"Wasabi": ("100.5", "2", "1000")}),
    "Company 00002": ({"Server": 1, "Desktop": 3, "VM Server": 2}, {"Wasabi": ("10", "0", "0")}),
    "Company 00003": ({"Server": 4, "MS SQL Server": 1}, {"Wasabi": ("7.25", "0", "0")}),
}


PERIODS = ("2026-10", "2026-11")


def generated_truth() -> Iterator[tuple[str, str, str, str, Decimal]]:
    for company, (licenses, storage) in USAGE.items():
        for period in PERIODS:
            for name, count in licenses.items():
                yield company, period, name, "licenses", Decimal(count)
            for account, values in storage.items():
                for measure, value in zip(MEASURES, values, strict=True):
                    yield company, period, account, measure, Decimal(value)


def generated_console() -> list[ConsoleCompany]:
    companies = []
    for name, (licenses, storage) in USAGE.items():
        amounts = {a: StorageAmounts(*(Decimal(v) for v in values)) for a, values in storage.items()}
        months = tuple(ConsoleMonth(p, licenses, amounts) for p in PERIODS)
        companies.append(ConsoleCompany(name, months))
    return companies


@pytest.fixture
def generated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Served]:
    spec = GeneratorSpec(companies=3, months=2, last_period=Period(2026, 11))
    store = generate(spec)
    store.console = build_console(generated_console())
    first = next(a for a in store.agreements.values() if a["name"] == AGREEMENT)
    first["billStartDate"] = "2026-11-01T00:00:00Z"
    billing = tmp_path / "billing"
    for name, text in billing_files(spec).items():
        (billing / name).parent.mkdir(parents=True, exist_ok=True)
        (billing / name).write_text(text, encoding="utf-8")
    (billing / "companies" / "c00003.yaml").unlink()
    edit(
        billing / "products.yaml",
        "  vm:\n    kind: license\n    console: VM Server\n    connectwise: MBS-VM\n",
        "",
    )
    edit(billing / "prices.yaml", "  vm: {cost: 12.00, price: 25.00}\n", "")
    for number in (1, 2):
        edit(
            billing / "companies" / f"c0000{number}.yaml",
            "[server, vm, desktop, sql]",
            "[server, desktop, sql]",
        )
    monkeypatch.chdir(tmp_path)
    with Served.serving(Sandbox(store), billing, capsys, monkeypatch) as served:
        yield served


def test_a_generated_world_shows_each_gap_in_its_bucket(generated: Served) -> None:
    report = leakage_json(generated, "--detailed-exitcode", code=2)  # usage from the console
    truth = list(generated_truth())
    check_adds_up(report, truth, Prices(generated.billing))
    held = buckets(report)
    no_file = {(p, "Company 00003", product) for p in PERIODS for product in ("server", "sql", "wasabi")}
    assert held["no-company-file"] == no_file
    # C00001's October VM Server is unmapped first (a unit counts in the first bucket that applies)
    assert held["unmapped-product"] == {(p, c, "VM Server") for p in PERIODS for c in ("C00001", "C00002")}
    assert held["period-skipped"] == {("2026-10", "C00001", "server"), ("2026-10", "C00001", "wasabi")}
    assert set(held) == {"no-company-file", "unmapped-product", "period-skipped", "billed"}


def test_a_plan_made_with_leakage_is_not_stale_for_its_apply(generated: Served, tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    planned = generated.cwbill(
        "plan", "billing", "--as-of", AS_OF, "--format", "markdown", "--leakage", "--out", str(saved)
    )
    assert planned.code == 0, planned.err
    assert "### Revenue leakage" in planned.out and "Company 00003" in planned.out
    applied = generated.cwbill("apply", "billing", "--plan", str(saved), "--yes", "--force")  # a big change
    assert applied.code == 0, applied.err
