"""The JSON Schemas of settings, products, prices and company files (billing-format.md)."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from reconciler.config.schema import SCHEMA_KINDS, check_schema, load_schema
from reconciler.config.yamlload import load_text
from tests.conftest import EXAMPLE_BILLING, PROJECT

OWNED = ("settings", "products", "prices", "company")


def findings_of(kind: str, text: str) -> list[str]:
    document, findings = load_text(text, f"{kind}.yaml")
    assert findings == [], findings
    assert document is not None
    return [f.render() for f in check_schema(document, kind)]


@pytest.mark.parametrize("kind", OWNED)
def test_schema_is_valid_draft_2020_12_with_id_and_descriptions(kind: str) -> None:
    schema = load_schema(kind)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://cwbill.example/schemas/{kind}.schema.json"

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            if "properties" in node:
                assert node.get("additionalProperties") is False, where
                for name, prop in node["properties"].items():
                    assert prop.get("description"), f"{where}.{name} has no description"
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    walk(schema, kind)


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_every_shipped_schema_is_a_valid_draft_2020_12_schema(kind: str) -> None:
    # cwbill does not check its own schemas at run time (reconciler.config.schema): this test does
    Draft202012Validator.check_schema(load_schema(kind))


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("settings", "settings.yaml"),
        ("products", "products.yaml"),
        ("prices", "prices.yaml"),
        *[("company", f"companies/{p.name}") for p in sorted((EXAMPLE_BILLING / "companies").glob("*.yaml"))],
    ],
    ids=str,
)
def test_every_example_file_is_valid_and_points_at_its_schema(kind: str, path: str) -> None:
    text = (EXAMPLE_BILLING / path).read_text(encoding="utf-8")
    assert findings_of(kind, text) == []
    first = text.splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    target = (EXAMPLE_BILLING / path).parent / first.split("=", 1)[1]
    assert json.loads(target.read_text(encoding="utf-8"))["$id"].endswith(f"/{kind}.schema.json")


@pytest.mark.parametrize("kind", OWNED)
def test_the_top_level_schemas_folder_is_the_packaged_one(kind: str) -> None:
    text = (PROJECT / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert json.loads(text) == load_schema(kind)


VALID = [
    ("settings", "connectwise: {url: 'https://cw.example/v4_6_release/apis/3.0'}\n"),
    (
        "settings",
        "connectwise: {url: 'http://127.0.0.1:8080/v4_6_release/apis/3.0'}\n"
        "console: {url: 'https://api.mspbackups.com'}\ncurrency: EUR\n"
        "invoice: {description: from-product}\nrounding: {unit_price: 4}\n"
        "safety: {max_update_percent: 12.5, max_delete_percent: 0, min_existing: 0,"
        " max_amount_change_percent: 250}\n",
    ),
    ("products", "products: {}\n"),
    ("products", "products:\n  s3.eu_1: {kind: storage, console: Amazon S3, connectwise: MBS-S3}\n"),
    ("prices", "licenses:\n  server: {cost: '8.00', price: 15}\n"),
    ("prices", "storage:\n  wasabi: {backup: {cost: 0.0059, price: 0.02}}\n"),
    ("prices", "{}\n"),
    (
        "company",
        "company: ACME\nconsole_company: Acme Corp\nconfigurations:\n"
        "  - {name: a.b_c-1, agreement: 7, bill: no-charge, auto_billing: true,"
        " console_products: [server], connectwise_products: [MBS-SERVER], send: quantity,"
        " invoice_description: send}\n",
    ),
]


@pytest.mark.parametrize(("kind", "text"), VALID, ids=[f"{k}-{i}" for i, (k, _) in enumerate(VALID)])
def test_valid_examples_pass(kind: str, text: str) -> None:
    assert findings_of(kind, text) == []


CONFIG = (
    "company: ACME\nconsole_company: Acme Corp\nconfigurations:\n"
    "  - name: licenses\n    agreement: Managed Backup Service\n    bill: billable\n"
    "    auto_billing: false\n    console_products: [server]\n    send: average\n"
)
CW = "connectwise: {url: 'https://cw.example/apis/3.0'}\n"
PRODUCT_KEY = "letters, digits, '.', '_' or '-', at most 64 characters, starting with a letter or digit"
CONFIGURATION_NAME = "letters, digits, '.', '_' or '-', 1 to 32 characters"


def case(kind: str, text: str, expected: str, name: str) -> object:
    return pytest.param(kind, text, expected, id=name)


INVALID = [
    case(
        "settings",
        "currency: USD\n",
        "1:1: connectwise: is required but missing",
        "settings-without-connectwise",
    ),
    case(
        "settings",
        "connectwise: {url: 'ftp://cw.example'}\n",
        '1:20: connectwise.url: "ftp://cw.example" is not an http:// or https:// URL',
        "settings-url-not-http",
    ),
    case(
        "settings",
        CW + "currency: usd\n",
        '2:11: currency: "usd" is not a three-letter ISO 4217 currency code such as USD',
        "settings-currency-in-lower-case",
    ),
    case(
        "settings",
        CW + "rounding: {unit_price: 5}\n",
        "2:24: rounding.unit_price: 5 is above the maximum of 4",
        "settings-rounding-above-4",
    ),
    case(
        "settings",
        CW + "rounding: {unit_price: 2.5}\n",
        "2:24: rounding.unit_price: expected a whole number, got 2.5",
        "settings-rounding-not-whole",
    ),
    case(
        "settings",
        CW + "invoice: {description: always}\n",
        '2:24: invoice.description: "always" is not one of: "from-product", "send"',
        "settings-description-unknown",
    ),
    case(
        "settings",
        CW + "safety: {max_delete_percent: 101}\n",
        "2:30: safety.max_delete_percent: 101 is above the maximum of 100",
        "settings-percent-above-100",
    ),
    case(
        "settings",
        CW + "colour: blue\n",
        "2:1: colour: unknown key "
        "(allowed: connectwise, console, currency, invoice, review, rounding, safety)",
        "settings-unknown-key",
    ),
    case(
        "products",
        "products:\n  server: {kind: licence, console: Server, connectwise: MBS-SERVER}\n",
        '2:18: products.server.kind: "licence" is not one of: "license", "storage"',
        "products-kind-misspelt",
    ),
    case(
        "products",
        "products:\n  server: {kind: license, console: Server}\n",
        "2:11: products.server.connectwise: is required but missing",
        "products-connectwise-missing",
    ),
    case(
        "products",
        "products:\n  'my server': {kind: license, console: Server, connectwise: MBS-SERVER}\n",
        f'2:3: products.my server: "my server" is not a valid product key: {PRODUCT_KEY}',
        "products-key-with-a-space",
    ),
    case(
        "products",
        "products:\n  server: {kind: license, console: Server, connectwise: ' MBS'}\n",
        '2:57: products.server.connectwise: " MBS" must not be blank or start or end with spaces',
        "products-identifier-with-leading-space",
    ),
    case(
        "prices",
        "licenses:\n  server: {cost: 8, price: -15}\n",
        "2:28: licenses.server.price: -15 is below the minimum of 0",
        "prices-negative-number",
    ),
    case(
        "prices",
        "licenses:\n  server: {cost: 8, price: '-15'}\n",
        '2:28: licenses.server.price: "-15" is not a non-negative decimal number such as 15.00'
        " (at most 1,000,000)",
        "prices-negative-text",
    ),
    case(
        "prices",
        "licenses:\n  server: {price: 15}\n",
        "2:11: licenses.server.cost: is required but missing",
        "prices-cost-missing",
    ),
    case(
        "prices",
        "storage:\n  wasabi: {unit: PB, backup: {cost: 0, price: 1}}\n",
        '2:18: storage.wasabi.unit: "PB" is not one of: "GB", "TB"',
        "prices-unit-unknown",
    ),
    case(
        "company",
        CONFIG.replace("name: licenses", "name: all 2026"),
        f'4:11: configurations[0].name: "all 2026" is not a valid configuration name: {CONFIGURATION_NAME}',
        "company-configuration-name-with-spaces",
    ),
    case(
        "company",
        CONFIG.replace("name: licenses", "name: " + "x" * 33),
        f'4:11: configurations[0].name: "{"x" * 33}" is not a valid configuration name: {CONFIGURATION_NAME}',
        "company-configuration-name-of-33-characters",
    ),
    case(
        "company",
        CONFIG.replace("agreement: Managed Backup Service", "agreement: 0"),
        "5:16: configurations[0].agreement: 0 is below the minimum of 1",
        "company-agreement-id-zero",
    ),
    case(
        "company",
        CONFIG.replace("agreement: Managed Backup Service", "agreement: ''"),
        "5:16: configurations[0].agreement: must not be empty",
        "company-agreement-empty",
    ),
    case(
        "company",
        CONFIG.replace("agreement: Managed Backup Service", "agreement: '  '"),
        '5:16: configurations[0].agreement: "  " must not be blank',
        "company-agreement-blank",
    ),
    case(
        "company",
        CONFIG.replace("agreement: Managed Backup Service", "agreement: true"),
        "5:16: configurations[0].agreement: expected a string or a whole number, got true",
        "company-agreement-boolean",
    ),
    case(
        "company",
        CONFIG.replace("send: average", "send: sum"),
        '9:11: configurations[0].send: "sum" is not one of: "average", "total", "quantity"',
        "company-send-unknown",
    ),
    case(
        "company",
        CONFIG.replace("bill: billable", "bill: Billable"),
        '6:11: configurations[0].bill: "Billable" is not one of: "billable", "do-not-bill", "no-charge"',
        "company-bill-in-connectwise-spelling",
    ),
    case(
        "company",
        CONFIG.replace("auto_billing: false", "auto_billing: 'no'"),
        '7:19: configurations[0].auto_billing: expected true or false, got "no"',
        "company-auto-billing-as-text",
    ),
    case(
        "company",
        CONFIG.replace("[server]", "[]"),
        "8:23: configurations[0].console_products: must not be empty",
        "company-no-console-products",
    ),
    case(
        "company",
        CONFIG.replace("[server]", "[server, server]"),
        "8:23: configurations[0].console_products: has duplicate items",
        "company-console-product-listed-twice",
    ),
    case(
        "company",
        CONFIG.replace("    send: average\n", ""),
        "4:5: configurations[0].send: is required but missing",
        "company-send-missing",
    ),
    case(
        "company",
        CONFIG + "    invoice_description: none\n",
        '10:26: configurations[0].invoice_description: "none" is not one of: "from-product", "send"',
        "company-invoice-description-unknown",
    ),
    case(
        "company",
        "company: ACME\nconsole_company: Acme Corp\nconfigurations: []\n",
        "3:17: configurations: must not be empty",
        "company-without-configurations",
    ),
    case(
        "company",
        CONFIG.replace("company: ACME", "company: " + "A" * 31),
        "1:10: company: is longer than 30 characters",
        "company-identifier-of-31-characters",
    ),
]


@pytest.mark.parametrize(("kind", "text", "expected"), INVALID)
def test_invalid_examples_fail_at_the_field(kind: str, text: str, expected: str) -> None:
    assert f"{kind}.yaml:{expected}" in findings_of(kind, text)
