"""infer_company: what the lines show is a value, the rest a TODO — never a guess."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from reconciler.config.model import Bill, CostPrice, DescriptionMode, Prices, SendMode
from reconciler.connectwise.live import LiveAddition
from reconciler.engine.model import AgreementInfo
from reconciler.importer.infer import infer_company, line_send_mode, slug
from reconciler.importer.model import Todo
from tests.importer.builders import CATALOG, JAN, MBS, addition, example_repository, inputs

REPOSITORY = example_repository()


@pytest.mark.parametrize(
    ("line", "send"),
    [
        pytest.param(
            addition(1, "MBS-SERVER", "1", "45.00", "24.00"), SendMode.TOTAL, id="quantity 1 is a total"
        ),
        pytest.param(
            addition(1, "MBS-SERVER", "8"), SendMode.QUANTITY, id="no unit price: the catalog's applies"
        ),
        pytest.param(
            addition(1, "MBS-SERVER", "8", "20.00", "10.00"),
            SendMode.QUANTITY,
            id="the catalog's own price and cost",
        ),
        pytest.param(
            addition(1, "MBS-SERVER", "3", "15.00", "8.00"), SendMode.AVERAGE, id="a price of its own"
        ),
        pytest.param(
            addition(1, "MBS-SERVER", "3", "20.00", "8.00"),
            SendMode.AVERAGE,
            id="the catalog price, another cost",
        ),
        pytest.param(
            addition(1, "MBS-OTHER", "3", "20.00"), SendMode.AVERAGE, id="an item the catalog lacks"
        ),
    ],
)
def test_a_line_shows_its_send_mode(line: LiveAddition, send: SendMode) -> None:
    assert line_send_mode(line, CATALOG.get(line.product)) == send


@pytest.mark.parametrize(
    ("text", "name"),
    [
        pytest.param("Managed Backup Service", "managed-backup-service", id="words become dashes"),
        pytest.param("  Backup (2026) / EU ", "backup-2026-eu", id="punctuation runs collapse"),
        pytest.param("Ünïcode Agreement", "n-code-agreement", id="only the allowed characters remain"),
        pytest.param("x" * 40, "x" * 32, id="at most 32 characters"),
        pytest.param("+++", "", id="nothing left"),
    ],
)
def test_configuration_names_come_from_agreement_names(text: str, name: str) -> None:
    assert slug(text) == name


def test_certain_values_are_inferred() -> None:
    imported = infer_company(
        inputs(
            addition(10, "MBS-DESKTOP", "12", "5.00", "2.50", description="MBS-DESKTOP for October 2026"),
            addition(11, "MBS-STORAGE", "1", "26.89", "7.28", description="MBS-STORAGE for October 2026"),
        ),
        REPOSITORY,
    )
    average, total = imported.configurations
    assert (average.name, total.name) == ("managed-backup-service-average", "managed-backup-service-total")
    assert average.agreement == "Managed Backup Service"
    assert (average.bill, average.send, average.console_products) == (
        Bill.BILLABLE,
        SendMode.AVERAGE,
        ("desktop",),
    )
    assert (total.send, total.console_products, total.connectwise_products) == (
        SendMode.TOTAL,
        ("wasabi",),
        ("MBS-STORAGE",),
    )
    assert average.invoice_description is None  # the lines carry their own text, as settings send
    assert isinstance(average.auto_billing, Todo)
    assert imported.console_company == Todo(imported.console_company.hint, "Acme Corp")
    assert "a guess" in imported.console_company.hint


def test_lines_with_an_owner_marker_keep_their_configuration() -> None:
    imported = infer_company(
        inputs(
            addition(2, "MBS-SERVER", "3", "15.00", "8.00", serial="cwbill:licenses:e5963afb"),
            addition(3, "MBS-DESKTOP", "12", "5.00", "2.50", serial="cwbill:licenses:0badf00d"),
            addition(4, "MBS-STORAGE", "1", "26.89", "7.28"),
        ),
        REPOSITORY,
    )
    assert {(c.name, c.connectwise_products) for c in imported.configurations} == {
        ("licenses", ("MBS-DESKTOP", "MBS-SERVER")),
        ("managed-backup-service", ("MBS-STORAGE",)),
    }


@pytest.mark.parametrize(
    ("lines", "field", "hint"),
    [
        pytest.param(
            [addition(1, "MBS-SERVER", "3", "15.00", "8.00")],
            "console_products",
            "MBS-SERVER is mapped from server, ultimate, vm",
            id="a catalog item mapped from several products",
        ),
        pytest.param(
            [
                addition(1, "MBS-DESKTOP", "3", "5.00", bill="Billable"),
                addition(2, "MBS-SERVER", "2", "15.00", bill="NoCharge"),
            ],
            "bill",
            "billCustomer Billable, NoCharge",
            id="lines billed differently",
        ),
        pytest.param(
            [addition(1, "MBS-DESKTOP", "3", "5.00"), addition(2, "MBS-STORAGE", "1234.5", "0.03")],
            "send",
            "mix licenses and storage",
            id="an average mixing licenses and storage",
        ),
        pytest.param(
            [
                addition(1, "MBS-DESKTOP", "3", "5.00", description="own"),
                addition(2, "MBS-SERVER", "4", "15.00"),
            ],
            "invoice_description",
            "some lines carry their own invoice description",
            id="descriptions sent for some lines only",
        ),
    ],
)
def test_what_the_lines_do_not_settle_is_a_todo(lines: list[LiveAddition], field: str, hint: str) -> None:
    imported = infer_company(inputs(*lines), REPOSITORY)
    (configuration,) = imported.configurations
    value = getattr(configuration, field)
    assert isinstance(value, Todo)
    assert hint in value.hint


def test_an_agreement_whose_name_is_not_unique_is_named_by_id() -> None:
    twin = AgreementInfo(7, "Managed Backup Service", "ACME", JAN, JAN, None)
    imported = infer_company(
        inputs(addition(1, "MBS-DESKTOP", "3", "5.00", agreement=7), agreements=(MBS, twin)), REPOSITORY
    )
    (configuration,) = imported.configurations
    assert configuration.agreement == 7


def test_an_unmapped_catalog_item_needs_a_product_entry_with_todos() -> None:
    imported = infer_company(inputs(addition(1, "MBS-VEEAM", "4", "9.00")), REPOSITORY)
    (product,) = imported.new_products
    assert (product.key, product.connectwise) == ("mbs-veeam", "MBS-VEEAM")
    assert isinstance(product.kind, Todo) and isinstance(product.console, Todo)
    (configuration,) = imported.configurations
    assert configuration.console_products == ("mbs-veeam",)
    (price,) = imported.prices
    assert price.key == "mbs-veeam" and isinstance(price.rate, Todo)


def test_a_rate_is_read_off_an_average_line_only_when_prices_lack_it() -> None:
    prices = Prices(licenses={k: v for k, v in REPOSITORY.prices.licenses.items() if k != "desktop"})
    repository = replace(REPOSITORY, prices=prices)
    imported = infer_company(
        inputs(addition(1, "MBS-DESKTOP", "12", "5.0125", "2.5"), addition(2, "MBS-SQL", "1", "0")),
        repository,
    )
    by_key = {p.key: p for p in imported.prices}
    assert by_key["desktop"].rate == CostPrice(Decimal("2.5"), Decimal("5.0125"))
    assert isinstance(by_key["sql"].rate, Todo)  # a total does not show the count of licenses


def test_a_rate_differing_from_prices_yaml_is_noted() -> None:
    imported = infer_company(inputs(addition(1, "MBS-DESKTOP", "12", "6.50", "2.50")), REPOSITORY)
    assert imported.prices == ()
    assert any("prices.yaml bills desktop at price 5.00" in note for note in imported.notes)


def test_extra_unmarked_lines_on_one_key_are_left_out_and_noted() -> None:
    imported = infer_company(
        inputs(addition(5, "MBS-DESKTOP", "12", "5.00"), addition(3, "MBS-DESKTOP", "12", "5.00")), REPOSITORY
    )
    (configuration,) = imported.configurations
    assert configuration.addition_ids == (3,)
    assert any("#3 is imported, #5 is left out" in note for note in imported.notes)


def test_the_invoice_description_mode_is_written_only_when_settings_differ() -> None:
    imported = infer_company(
        inputs(addition(1, "MBS-DESKTOP", "12", "5.00", description="Managed backup of a desktop")),
        REPOSITORY,
    )
    (configuration,) = imported.configurations
    assert configuration.invoice_description is DescriptionMode.FROM_PRODUCT  # the catalog's own text


def test_new_product_keys_never_collide() -> None:
    imported = infer_company(
        inputs(
            addition(1, "MBS X", "4", "9.00"),
            addition(2, "mbs-x", "4", "9.00"),
            addition(3, "Server", "2", "9"),
        ),
        REPOSITORY,
    )
    keys = [p.key for p in imported.new_products]
    assert sorted(keys) == ["mbs-x", "mbs-x-2", "server-2"]  # `server` is products.yaml's already
