"""The semantic checks of billing-rules §2, one broken thing per case on a copy of billing/."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.config.load import load_repository
from reconciler.errors import Severity
from tests.conftest import edit

ACME = "companies/acme.yaml"
BETA = "companies/beta.yaml"
NEW_COMPANY = (
    "company: {company}\nconsole_company: {console}\nconfigurations:\n"
    "  - {{name: all, agreement: 1, bill: billable, auto_billing: false,"
    " console_products: [server], send: total}}\n"
)


def case(file: str, old: str, new: str, expected: str, name: str, *more: tuple[str, str]) -> object:
    """Replace `old` by `new` in `file` (and each further (old, new) pair), or create `file` with
    `new` when `old` is empty."""
    return pytest.param(file, ((old, new), *more), expected, id=name)


ERRORS = [
    case(
        "companies/zeta.yaml",
        "",
        NEW_COMPANY.format(company="acme", console="Zeta"),
        'billing/companies/zeta.yaml:1:10: company: company "acme" is already configured in '
        "billing/companies/acme.yaml:2",
        "company-identifier-twice-ignoring-case",
    ),
    case(
        "companies/zeta.yaml",
        "",
        NEW_COMPANY.format(company="ZETA", console="gamma health"),
        'billing/companies/zeta.yaml:2:18: console_company: console company "gamma health" is already '
        "configured in billing/companies/gamma.yaml:3",
        "console-company-twice-ignoring-case",
    ),
    case(
        ACME,
        "  - name: storage",
        "  - name: Licenses",
        'billing/companies/acme.yaml:11:11: configurations[1].name: configuration "Licenses" is already '
        "defined on line 5",
        "configuration-name-twice-ignoring-case",
    ),
    case(
        ACME,
        "[server, desktop]",
        "[server, dekstop]",
        'billing/companies/acme.yaml:9:32: configurations[0].console_products[1]: "dekstop" is not a '
        'product in products.yaml (did you mean "desktop"?)',
        "unknown-console-product",
    ),
    case(
        BETA,
        "[MBS-SERVER, MBS-STORAGE]",
        "[MBS-SERVER]",
        'billing/companies/beta.yaml:9:32: configurations[0].console_products[1]: "wasabi" maps to '
        "MBS-STORAGE, which is not in connectwise_products",
        "mapped-connectwise-product-not-selected",
    ),
    case(
        BETA,
        "[MBS-SERVER, MBS-STORAGE]",
        "[MBS-SERVER, MBS-STORAGE, MBS-SQL]",
        "billing/companies/beta.yaml:10:53: configurations[0].connectwise_products[2]: no selected console "
        "product maps to MBS-SQL (see products.yaml)",
        "selected-connectwise-product-mapped-by-nothing",
    ),
    case(
        BETA,
        "send: total",
        "send: average",
        "billing/companies/beta.yaml:11:11: configurations[0].send: send: average is not available when a "
        "configuration selects both licenses and storage accounts: use total, or split it into two "
        "configurations",
        "average-with-licenses-and-storage",
    ),
    case(
        BETA,
        "send: total",
        "send: quantity",
        "billing/companies/beta.yaml:11:11: configurations[0].send: send: quantity is not available when a "
        "configuration selects both licenses and storage accounts: use total, or split it into two "
        "configurations",
        "quantity-with-licenses-and-storage",
    ),
    case(
        "prices.yaml",
        "price: 15.00}",
        "price: 15.00001}",
        "billing/prices.yaml:4:33: licenses.server.price: has 5 decimal places; prices have at most 4",
        "price-with-5-decimal-places",
    ),
    case(
        "prices.yaml",
        "  desktop:  {cost: 2.50, price: 5.00}",
        "  desktop:  {cost: 2.50, price: 5.00}\n  destkop: {cost: 1, price: 2}",
        'billing/prices.yaml:8:3: licenses.destkop: "destkop" is not a product in products.yaml '
        '(did you mean "desktop"?)',
        "price-for-an-unknown-product",
    ),
    case(
        "prices.yaml",
        "  s3:\n",
        "  desktop:\n    backup: {cost: 0, price: 1}\n  s3:\n",
        'billing/prices.yaml:15:3: storage.desktop: "desktop" is a license product: price it under licenses',
        "license-priced-as-storage",
    ),
    case(
        "prices.yaml",
        "  desktop:  {cost: 2.50, price: 5.00}",
        "  desktop:  {cost: 2.50, price: 5.00}\n  s3: {cost: 1, price: 2}",
        'billing/prices.yaml:8:3: licenses.s3: "s3" is a storage product: price it under storage',
        "storage-priced-as-license",
    ),
    case(
        ACME,
        "[wasabi]",
        "[wasabi, desktop]",
        'billing/companies/acme.yaml:15:32: configurations[1].console_products[1]: "desktop" is already '
        'billed by configuration "licenses" (line 5): it would be billed twice',
        "console-product-in-two-configurations",
    ),
    case(
        ACME,
        "[wasabi]",
        "[wasabi, vm]",
        "billing/companies/acme.yaml:15:32: configurations[1].console_products[1]: MBS-SERVER on agreement "
        '"Managed Backup Service" is already billed by configuration "licenses" (line 5): their additions '
        "would share one natural key",
        "connectwise-product-twice-on-one-agreement",
    ),
    case(
        ACME,
        "    agreement: Managed Backup Service\n    bill: billable\n    auto_billing: true",
        "    agreement: managed backup service\n    bill: billable\n    auto_billing: true\n"
        "    connectwise_products: [MBS-STORAGE, MBS-SERVER]",
        "billing/companies/acme.yaml:15:41: configurations[1].connectwise_products[1]: MBS-SERVER on "
        'agreement "managed backup service" is already billed by configuration "licenses" (line 5): '
        "their additions would share one natural key",
        "connectwise-product-twice-on-one-agreement-named-in-another-case",
        ("[wasabi]", "[wasabi, vm]"),
    ),
    case(
        "settings.yaml",
        '"{product} for {period}: {breakdown}"',
        '"{product} for {month}"',
        "billing/settings.yaml:9:13: invoice.template: unknown placeholder {month} at character 15 "
        "(placeholders are plain names: {product}, {period}, {quantity}, {breakdown}, {company}, "
        "{configuration})",
        "template-with-an-unknown-placeholder",
    ),
    case(
        "products.yaml",
        "  vm:\n",
        "  server2: {kind: license, console: Server, connectwise: MBS-SQL}\n  vm:\n",
        'billing/products.yaml:8:37: products.server2.console: "Server" is already the console name of '
        'product "server" (line 4); a console product maps to one ConnectWise product',
        "console-name-mapped-twice",
    ),
]


def apply_edits(root: Path, file: str, edits: tuple[tuple[str, str], ...]) -> None:
    for old, new in edits:
        if old:
            edit(root / file, old, new)
        else:
            (root / file).write_text(new)


@pytest.mark.parametrize(("file", "edits", "expected"), ERRORS)
def test_each_rule_is_an_error_at_its_field(
    billing_copy: Path, file: str, edits: tuple[tuple[str, str], ...], expected: str
) -> None:
    apply_edits(billing_copy, file, edits)
    repository, findings = load_repository(billing_copy, environ={})
    assert repository is None
    assert [f.render() for f in findings if f.severity is Severity.ERROR] == [expected]


VALID = [
    case(
        ACME,
        "[wasabi]",
        "[wasabi, vm]",
        "",
        "same-product-on-another-agreement",
        (
            "    agreement: Managed Backup Service\n    bill: billable\n    auto_billing: true",
            "    agreement: Storage Agreement\n    bill: billable\n    auto_billing: true",
        ),
    ),
    case(
        ACME,
        "[wasabi]",
        "[wasabi, vm]",
        "",
        "an-agreement-id-and-a-name-are-only-compared-at-plan-time",
        (
            "    agreement: Managed Backup Service\n    bill: billable\n    auto_billing: true",
            "    agreement: 12\n    bill: billable\n    auto_billing: true",
        ),
    ),
    case(ACME, "    send: total", "    send: average", "", "average-over-storage-alone"),
    case(
        BETA,
        "    connectwise_products: [MBS-SERVER, MBS-STORAGE]\n",
        "",
        "",
        "connectwise-products-left-to-default",
    ),
]


@pytest.mark.parametrize(("file", "edits", "expected"), VALID)
def test_what_the_rules_allow_is_valid(
    billing_copy: Path, file: str, edits: tuple[tuple[str, str], ...], expected: str
) -> None:
    apply_edits(billing_copy, file, edits)
    repository, findings = load_repository(billing_copy, environ={})
    assert [f.render() for f in findings if f.severity is Severity.ERROR] == []
    assert repository is not None


def test_a_storage_product_without_prices_is_billed_at_zero_with_a_warning(billing_copy: Path) -> None:
    edit(
        billing_copy / "prices.yaml",
        "  s3:\n    unit: TB\n    backup:  {cost: 21.00, price: 35.00}    # per TB stored\n"
        "    restore: {cost: 5.00, price: 10.00}     # per TB restored in the period\n"
        "    limit:   {cost: 0, price: 0}\n",
        "",
    )
    repository, findings = load_repository(billing_copy, environ={})
    assert repository is not None
    assert sorted((f.path, f.code, str(f.severity)) for f in findings) == [
        ("products.s3", "no-price", "warning"),
        ("products.sql", "no-price", "warning"),
    ]
    assert repository.prices.storage_of("s3").backup.price == 0
