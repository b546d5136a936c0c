"""The example `billing/` keeps exercising every option the format has (the demo and docs rely on it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.config.load import load_repository
from reconciler.config.model import (
    Bill,
    Configuration,
    DescriptionMode,
    ProductKind,
    Repository,
    SendMode,
    StorageUnit,
)


@pytest.fixture(scope="module")
def example() -> Repository:
    repository, findings = load_repository(Path(__file__).resolve().parents[2] / "billing", environ={})
    assert repository is not None
    assert [(f.path, f.code) for f in findings] == [("products.sql", "no-price")]
    return repository


def configurations(repository: Repository) -> list[Configuration]:
    return [c for company in repository.companies for c in company.configurations]


def kinds(repository: Repository, configuration: Configuration) -> set[ProductKind]:
    return {repository.products[key].kind for key in configuration.console_products}


def test_at_least_five_companies(example: Repository) -> None:
    assert len(example.companies) >= 5


@pytest.mark.parametrize(
    "feature",
    [
        *(pytest.param(lambda c, r, bill=bill: c.bill is bill, id=f"bill-{bill}") for bill in Bill),
        *(pytest.param(lambda c, r, send=send: c.send is send, id=f"send-{send}") for send in SendMode),
        pytest.param(lambda c, r: c.auto_billing, id="auto-billing"),
        pytest.param(lambda c, r: not c.auto_billing, id="manual-billing"),
        pytest.param(lambda c, r: kinds(r, c) == {ProductKind.LICENSE}, id="licenses"),
        pytest.param(lambda c, r: kinds(r, c) == {ProductKind.STORAGE}, id="storage"),
        pytest.param(
            lambda c, r: len(kinds(r, c)) == 2 and c.send is SendMode.TOTAL,
            id="licenses-and-storage-in-total",
        ),
        pytest.param(
            lambda c, r: len(c.console_products) > len(c.connectwise_products),
            id="several-console-products-on-one",
        ),
        pytest.param(
            lambda c, r: any(r.prices.storage_of(k).unit is StorageUnit.TB for k in c.console_products),
            id="storage-priced-per-tb",
        ),
        pytest.param(
            lambda c, r: any(
                k not in r.prices.licenses and k not in r.prices.storage for k in c.console_products
            ),
            id="a-product-without-a-price",
        ),
        pytest.param(
            lambda c, r: c.description_mode(r.settings) is DescriptionMode.SEND, id="invoice-description-sent"
        ),
        pytest.param(
            lambda c, r: c.description_mode(r.settings) is DescriptionMode.FROM_PRODUCT,
            id="invoice-description-from-product",
        ),
        pytest.param(lambda c, r: isinstance(c.agreement, int), id="agreement-by-id"),
    ],
)
def test_some_configuration_exercises(example: Repository, feature: object) -> None:
    assert callable(feature)
    assert any(feature(c, example) for c in configurations(example))
