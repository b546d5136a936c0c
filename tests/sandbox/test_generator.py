"""The benchmark's generator: deterministic, the documented shape, real markers."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from reconciler.config.schema import check_schema
from reconciler.config.yamlload import load_text
from reconciler.engine.periods import Period
from reconciler.plan.marker import marker_for, parse_marker
from reconciler.sandbox.generator import GeneratorSpec, billing_files, generate


def test_the_same_spec_gives_the_same_world_and_another_seed_another() -> None:
    spec = GeneratorSpec(companies=20, months=3, seed=42)
    assert generate(spec).to_document() == generate(spec).to_document()
    assert generate(GeneratorSpec(20, 3, 43)).to_document() != generate(spec).to_document()


def test_the_shape_is_n_companies_one_agreement_each_five_products_m_months() -> None:
    store = generate(GeneratorSpec(companies=12, months=4, seed=1, last_period=Period(2026, 2)))
    assert [c["identifier"] for c in store.companies.values()] == [f"C{n:05d}" for n in range(1, 13)]
    assert [c["Name"] for c in store.console.companies] == [f"Company {n:05d}" for n in range(1, 13)]
    assert len(store.agreements) == 12 and len(store.catalog) == 5
    assert store.agreements[1]["billStartDate"] == "2025-11-01T00:00:00Z"
    months = Counter(str(a["effectiveDate"])[:7] for a in store.additions.values())
    assert sorted(months) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert store.console.current_period == "2026-02"


def test_every_line_carries_the_marker_cwbill_would_write() -> None:
    store = generate(GeneratorSpec(companies=5, months=2, seed=3))
    for addition in store.additions.values():
        marker = parse_marker(str(addition["serialNumber"]))
        assert marker is not None and marker.configuration in ("licenses", "storage")
        quantity = addition["quantity"]
        assert isinstance(quantity, Decimal) and quantity > 0
        fields = {
            "quantity": format(quantity.normalize(), "f"),
            "billCustomer": "Billable",
            "effectiveDate": str(addition["effectiveDate"])[:10],
            "cancelledDate": str(addition["cancelledDate"])[:10],
        }
        assert addition["serialNumber"] == marker_for(marker.configuration, fields)


def test_the_matching_billing_repository_passes_the_schemas() -> None:
    files = billing_files(GeneratorSpec(companies=3, months=1))
    kinds = {"settings.yaml": "settings", "products.yaml": "products", "prices.yaml": "prices"}
    assert sorted(files) == [
        "companies/c00001.yaml",
        "companies/c00002.yaml",
        "companies/c00003.yaml",
        "prices.yaml",
        "products.yaml",
        "settings.yaml",
    ]
    for name, text in files.items():
        document, findings = load_text(text, name)
        assert document is not None and findings == []
        assert check_schema(document, kinds.get(name, "company")) == [], name


@pytest.mark.slow
def test_two_thousand_companies_times_twelve_months_build_the_benchmark_world() -> None:
    # how long this takes is the benchmark's to measure (make bench builds this world), never a test's
    store = generate(GeneratorSpec(companies=2000, months=12, seed=7))
    assert len(store.additions) > 100_000
    assert len(store.agreements) == 2000
    assert all(store.by_agreement.get(agreement_id) for agreement_id in store.agreements)
