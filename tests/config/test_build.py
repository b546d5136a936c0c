"""Building the frozen model from schema-valid data: defaults, Decimals, enums, overrides."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reconciler.config.build import build_company, build_prices, build_products, build_settings
from reconciler.config.model import Bill, DescriptionMode, SendMode, Settings, StorageUnit
from reconciler.config.schema import check_schema
from reconciler.config.yamlload import Document, load_text
from tests.conftest import EXAMPLE_BILLING


def document(kind: str, text: str) -> Document:
    loaded, findings = load_text(text, f"{kind}.yaml")
    assert loaded is not None
    assert findings == []
    assert check_schema(loaded, kind) == []
    return loaded


def test_settings_left_out_take_the_documented_defaults() -> None:
    settings = build_settings(document("settings", "connectwise: {url: 'https://cw.example/apis/3.0'}\n"))
    assert settings == Settings(connectwise_url="https://cw.example/apis/3.0")
    assert settings.console_url == "https://api.mspbackups.com"
    assert settings.currency == "USD"
    assert settings.invoice.description is DescriptionMode.FROM_PRODUCT
    assert settings.unit_price_places == 2
    assert (settings.safety.max_update_percent, settings.safety.max_delete_percent) == (30, 10)
    assert (settings.safety.min_existing, settings.safety.max_amount_change_percent) == (10, 25)


def test_safety_percentages_are_exact_decimals() -> None:
    settings = build_settings(
        document(
            "settings",
            "connectwise: {url: 'https://cw.example'}\nsafety: {max_update_percent: 12.5, min_existing: 3}\n",
        )
    )
    assert settings.safety.max_update_percent == Decimal("12.5")
    assert isinstance(settings.safety.max_update_percent, Decimal)
    assert settings.safety.min_existing == 3


def test_storage_restore_and_limit_default_to_zero_in_gb() -> None:
    prices = build_prices(document("prices", "storage:\n  wasabi: {backup: {cost: '0.0059', price: 0.02}}\n"))
    wasabi = prices.storage_of("wasabi")
    assert wasabi.unit is StorageUnit.GB
    assert wasabi.backup.cost == Decimal("0.0059")
    assert (wasabi.restore.price, wasabi.limit.price) == (0, 0)


@pytest.mark.parametrize(
    ("file", "expected"),
    [("acme.yaml", DescriptionMode.SEND), ("gamma.yaml", DescriptionMode.FROM_PRODUCT)],
    ids=["settings-apply", "configuration-overrides"],
)
def test_a_configuration_may_override_the_invoice_description(file: str, expected: DescriptionMode) -> None:
    settings = build_settings(document("settings", (EXAMPLE_BILLING / "settings.yaml").read_text()))
    products = build_products(document("products", (EXAMPLE_BILLING / "products.yaml").read_text()))
    company = build_company(document("company", (EXAMPLE_BILLING / "companies" / file).read_text()), products)
    assert company.configurations[0].description_mode(settings) is expected


def test_enums_and_the_agreement_id_are_typed() -> None:
    products = build_products(document("products", (EXAMPLE_BILLING / "products.yaml").read_text()))
    company = build_company(
        document("company", (EXAMPLE_BILLING / "companies" / "epsilon.yaml").read_text()), products
    )
    configuration = company.configurations[0]
    assert (configuration.bill, configuration.send) == (Bill.BILLABLE, SendMode.TOTAL)
    assert configuration.bill.bill_customer == "Billable"
    assert configuration.agreement == 5
    assert configuration.auto_billing is True


def test_a_prices_section_with_every_entry_commented_out_is_empty() -> None:
    prices = build_prices(document("prices", "licenses:\n  # server: {cost: 8, price: 15}\nstorage:\n"))
    assert (dict(prices.licenses), dict(prices.storage)) == ({}, {})
