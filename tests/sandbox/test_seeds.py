"""Seeds: the seed file format (sandbox-seed.md), its errors, and the demo seed's promises."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest

from reconciler.config.yamlload import load_file, load_text
from reconciler.errors import UserError
from reconciler.plan.marker import marker_for, parse_marker
from reconciler.sandbox.seeds import load_seed
from reconciler.sandbox.state import Record, Store

BILLING = Path(__file__).resolve().parents[2] / "billing"
SEED = """\
connectwise:
  catalog:
    - identifier: MBS-SERVER
      description: Managed Backup - Server
      price: 20.00
      cost: 10.00
  companies:
    - identifier: ACME
      name: Acme Corp
      agreements:
        - name: Managed Backup Service
          startDate: 2026-01-01
          additions:
            - product: MBS-SERVER
              quantity: 3
              unitPrice: "15.00"
              effectiveDate: 2026-10-01
              cancelledDate: 2026-10-31
console:
  companies:
    - name: Acme Corp
      usage:
        - period: 2026-10
          licenses: {Server: 3, Desktop: 12}
          storage:
            Wasabi: {stored: 1234.5, restored: 20, limit: 2000}
"""


def write(tmp_path: Path, text: str, name: str = "seed.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_documented_example_seed_loads_with_post_defaults(tmp_path: Path) -> None:
    store = load_seed(write(tmp_path, SEED))
    addition = store.additions[1]
    assert (addition["quantity"], addition["unitPrice"], addition["unitCost"]) == (
        Decimal(3),
        Decimal("15.00"),
        Decimal("10.00"),
    )
    assert addition["billCustomer"] == "Billable" and addition["effectiveDate"] == "2026-10-01T00:00:00Z"
    assert addition["invoiceDescription"] == "Managed Backup - Server", (
        "customerDescription defaults to description"
    )
    assert store.agreements[1]["billStartDate"] == "2026-01-01T00:00:00Z"
    assert store.console.companies[0]["Name"] == "Acme Corp"


def test_a_json_seed_works_like_yaml(tmp_path: Path) -> None:
    text = '{"connectwise": {"catalog": [{"identifier": "X", "description": "x", "price": 1.50}]}}'
    store = load_seed(write(tmp_path, text, "seed.json"))
    assert store.catalog[1]["price"] == Decimal("1.50")


def test_empty_is_empty() -> None:
    store = load_seed("empty")
    assert not store.catalog and not store.companies and not store.console.companies


def rendered(error: pytest.ExceptionInfo[UserError]) -> list[str]:
    return [finding.render() for finding in error.value.findings]


def test_schema_errors_are_file_line_col_path_message(tmp_path: Path) -> None:
    text = SEED.replace("quantity: 3", "quantity: -3").replace(
        "name: Acme Corp\n      agreements", "nam: Acme Corp\n      agreements"
    )
    text = text.replace("period: 2026-10", "period: 2026-13").replace(
        "startDate: 2026-01-01", "startDate: 2026-1-1"
    )
    path = write(tmp_path, text)
    with pytest.raises(UserError) as error:
        load_seed(path)
    company, agreement = "connectwise.companies[0]", "connectwise.companies[0].agreements[0]"
    allowed = "addressLine1, addressLine2, agreements, city, deletedFlag, identifier, name, state, zip"
    assert rendered(error) == [
        f"{path}:8:7: {company}.name: is required but missing",
        f"{path}:9:7: {company}.nam: unknown key (allowed: {allowed})",
        f'{path}:12:22: {agreement}.startDate: "2026-1-1" is not a date YYYY-MM-DD',
        f"{path}:15:25: {agreement}.additions[0].quantity: -3 is below the minimum of 0",
        f'{path}:23:19: console.companies[0].usage[0].period: "2026-13" is not a period YYYY-MM such as '
        '"2026-11"',
    ]


def test_what_connectwise_would_refuse_is_refused_at_its_line(tmp_path: Path) -> None:
    text = SEED.replace("product: MBS-SERVER", "product: MBS-NOPE").replace(
        "startDate: 2026-01-01", "startDate: 2026-01-01\n          billStartDate: 2026-11-01"
    )
    text = text.replace(
        "    - name: Acme Corp\n      usage", "    - name: Acme Corp\n    - name: Acme Corp\n      usage"
    )
    path = write(tmp_path, text)
    with pytest.raises(UserError) as error:
        load_seed(path)
    addition = "connectwise.companies[0].agreements[0].additions[0]"
    assert rendered(error) == [
        f"{path}:15:24: {addition}.product: The product (identifier MBS-NOPE) was not found in the catalog.",
        f"{path}:18:30: {addition}.effectiveDate: "
        "effectiveDate cannot be less than the agreement billing start date.",
        f"{path}:23:13: console.companies[1].name: console company 'Acme Corp' appears twice",
    ]


def test_yaml_problems_and_missing_files_are_findings(tmp_path: Path) -> None:
    with pytest.raises(UserError) as error:
        load_seed(write(tmp_path, "connectwise: [\n"))
    assert "invalid YAML" in rendered(error)[0]
    with pytest.raises(UserError) as error:
        load_seed(str(tmp_path / "nothing.yaml"))
    assert rendered(error) == [f"{tmp_path / 'nothing.yaml'}: no such file"]


# ------------------------------------------------------------------------------------------- demo


@pytest.fixture(scope="module")
def store() -> Store:
    return load_seed("demo")


def test_the_demo_seed_is_deterministic(store: Store) -> None:
    assert load_seed("demo").to_document() == store.to_document()


def test_the_demo_seed_is_valid_as_a_file_too() -> None:
    text = resources.files("reconciler.sandbox").joinpath("seeds", "demo.yaml").read_text("utf-8")
    document, findings = load_text(text, "demo.yaml")
    assert document is not None and findings == []


def test_ids_follow_the_file_and_epsilon_gets_agreement_5(store: Store) -> None:
    companies = {r["identifier"]: r["id"] for r in store.companies.values()}
    assert companies == {"ACME": 1, "BETA": 2, "GAMMA": 3, "DELTA": 4, "EPSILON": 5}
    assert {a["id"]: a["companyId"] for a in store.agreements.values()} == {1: 1, 2: 2, 3: 3, 4: 4, 5: 5}
    assert [r["identifier"] for r in store.catalog.values()] == [
        "MBS-SERVER",
        "MBS-DESKTOP",
        "MBS-SQL",
        "MBS-STORAGE",
        "MBS-STORAGE-TB",
        "MBS-SETUP",
    ]
    prices = {r["identifier"]: (r["price"], r["cost"]) for r in store.catalog.values()}
    assert prices["MBS-STORAGE"] == (Decimal("0.025"), Decimal("0.006"))
    assert all(r["customerDescription"] for r in store.catalog.values())


def test_delta_bills_from_mid_november(store: Store) -> None:
    delta = store.agreements[4]
    assert (delta["startDate"], delta["billStartDate"]) == ("2026-11-01T00:00:00Z", "2026-11-15T00:00:00Z")
    assert not list(store.additions_of(4)) and not list(store.additions_of(5))


def managed(addition: Record, *names: str) -> dict[str, str | None]:
    """The normalised managed fields (billing-rules §6) the digest is computed from."""
    fields: dict[str, str | None] = {}
    for name in names:
        value = addition.get(name)
        if isinstance(value, Decimal):
            fields[name] = format(value.normalize(), "f")
        elif isinstance(value, str) and name.endswith("Date"):
            fields[name] = value[:10]
        else:
            fields[name] = value if isinstance(value, str) else None
    return fields


QUANTITY = ("quantity", "billCustomer", "effectiveDate", "cancelledDate")
AVERAGE = (
    "quantity",
    "unitPrice",
    "unitCost",
    "billCustomer",
    "effectiveDate",
    "cancelledDate",
    "invoiceDescription",
)


def test_gamma_holds_right_duplicate_changed_and_closed_lines(store: Store) -> None:
    september, october, duplicate, november = (store.additions[i] for i in (6, 7, 8, 9))
    for addition in (september, october, duplicate, november):
        marker = parse_marker(str(addition["serialNumber"]))
        assert marker is not None and marker.configuration == "servers"
        assert addition["serialNumber"] == marker_for("servers", managed(addition, *QUANTITY)), (
            "written as is"
        )
    assert (october["quantity"], october["billCustomer"]) == (Decimal(8), "DoNotBill")  # 5 + 2 + 1
    assert {k: v for k, v in duplicate.items() if k not in ("id", "_info", "sequenceNumber")} == {
        k: v for k, v in october.items() if k not in ("id", "_info", "sequenceNumber")
    }
    assert november["quantity"] == Decimal(8), "desired is 5 + 3 + 1 = 9: an update, reason changed"
    assert september["effectiveDate"] == "2026-09-01T00:00:00Z", "a closed month"


def test_acme_holds_a_drifted_line_a_conflict_an_orphan_and_a_one_time_fee(store: Store) -> None:
    fee, drifted, hand_made, orphan = (store.additions[i] for i in (1, 2, 3, 4))
    desired = {**managed(drifted, *AVERAGE), "quantity": "3"}  # October: 3 server licenses at 15.00 / 8.00
    assert drifted["serialNumber"] == marker_for("licenses", desired)
    assert drifted["serialNumber"] != marker_for("licenses", managed(drifted, *AVERAGE)), (
        "edited since: drift"
    )
    assert drifted["quantity"] == Decimal(4)
    assert (hand_made["serialNumber"], hand_made["effectiveDate"], hand_made["quantity"]) == (
        None,
        "2026-11-01T00:00:00Z",
        Decimal(12),
    )
    assert store.catalog[2]["identifier"] == "MBS-DESKTOP" and hand_made["product"] == {"id": 2}
    assert orphan["serialNumber"] == marker_for("old-licenses", managed(orphan, *AVERAGE))
    assert (fee["serialNumber"], fee["effectiveDate"], fee["product"]) == (
        None,
        "2026-06-01T00:00:00Z",
        {"id": 6},
    )


def test_beta_holds_a_line_of_a_product_its_configuration_dropped(store: Store) -> None:
    (line,) = store.additions_of(2)
    assert line["product"] == {"id": 2} and line["serialNumber"] == marker_for(
        "all-in-one", managed(line, *AVERAGE)
    )
    billing = (BILLING / "companies" / "beta.yaml").read_text()
    assert "MBS-DESKTOP" not in billing


def test_the_demo_console_is_exactly_the_example_usage_under_console_names() -> None:
    products, _ = load_file(BILLING / "products.yaml")
    assert products is not None and isinstance(products.data, dict)
    console_name = {key: spec["console"] for key, spec in products.data["products"].items()}
    expected: dict[tuple[str, str], object] = {}
    for name in ("2026-10.yaml", "2026-11.yaml"):
        usage, _ = load_file(BILLING / "usage" / name)
        assert usage is not None and isinstance(usage.data, dict)
        for record in usage.data["usage"]:
            expected[(record["console_company"], record["period"])] = (
                {console_name[k]: v for k, v in record.get("licenses", {}).items()},
                {console_name[k]: v for k, v in record.get("storage", {}).items()},
            )
    text = resources.files("reconciler.sandbox").joinpath("seeds", "demo.yaml").read_text("utf-8")
    demo, _ = load_text(text, "demo.yaml")
    assert demo is not None and isinstance(demo.data, dict)
    seeded = {
        (company["name"], month["period"]): (month.get("licenses", {}), month.get("storage", {}))
        for company in demo.data["console"]["companies"]
        for month in company["usage"]
    }
    assert seeded == expected
