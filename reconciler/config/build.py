"""From schema-checked plain data to the frozen model of `reconciler.config.model`.

Each function takes a `Document` whose data already passed its JSON Schema, so the shapes are known
and only the conversion is left: money and percentages to `Decimal` (from their text, never through
float), enum names to enums, defaults filled in, and each record given its location for later
errors. Semantic checks (`checks.py`) are separate; nothing here reports a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import cast

from reconciler.config.model import (
    Bill,
    Company,
    Configuration,
    CostPrice,
    DescriptionMode,
    InvoiceSettings,
    Prices,
    Product,
    ProductKind,
    Review,
    Safety,
    SendMode,
    Settings,
    StoragePrice,
    StorageUnit,
)
from reconciler.config.yamlload import Document, format_path
from reconciler.engine.money import to_decimal

Data = Mapping[str, object]


def section(data: object, key: str) -> Data:
    """`data[key]` as a mapping; absent or null (every entry commented out) reads as empty."""
    assert isinstance(data, Mapping)
    value = data.get(key) or {}
    assert isinstance(value, Mapping)
    return cast(Data, value)


_DEFAULT_SETTINGS = Settings(connectwise_url="")  # the model's defaults, for keys left out


def build_settings(document: Document) -> Settings:
    data = document.data
    defaults = _DEFAULT_SETTINGS
    invoice = section(data, "invoice")
    safety = section(data, "safety")
    review = section(data, "review")
    return Settings(
        connectwise_url=str(section(data, "connectwise")["url"]),
        console_url=str(section(data, "console").get("url", defaults.console_url)),
        currency=str(cast(Data, data).get("currency", defaults.currency)),
        invoice=InvoiceSettings(
            description=DescriptionMode(str(invoice.get("description", defaults.invoice.description))),
            template=str(invoice.get("template", defaults.invoice.template)),
        ),
        unit_price_places=cast(int, section(data, "rounding").get("unit_price", defaults.unit_price_places)),
        safety=Safety(
            max_update_percent=_percent(safety, "max_update_percent", defaults.safety.max_update_percent),
            max_delete_percent=_percent(safety, "max_delete_percent", defaults.safety.max_delete_percent),
            min_existing=cast(int, safety.get("min_existing", defaults.safety.min_existing)),
            max_amount_change_percent=_percent(
                safety, "max_amount_change_percent", defaults.safety.max_amount_change_percent
            ),
        ),
        review=Review(
            max_company_change_percent=_percent(
                review, "max_company_change_percent", defaults.review.max_company_change_percent
            ),
            max_usage_change_percent=_percent(
                review, "max_usage_change_percent", defaults.review.max_usage_change_percent
            ),
            max_rounding_loss=_percent(review, "max_rounding_loss", defaults.review.max_rounding_loss),
        ),
    )


def _percent(section_data: Data, key: str, default: Decimal) -> Decimal:
    return to_decimal(section_data.get(key, default))


def build_products(document: Document) -> dict[str, Product]:
    products: dict[str, Product] = {}
    for key, entry in section(document.data, "products").items():
        fields = cast(Data, entry)
        products[key] = Product(
            key=key,
            kind=ProductKind(str(fields["kind"])),
            console=str(fields["console"]),
            connectwise=str(fields["connectwise"]),
            location=document.location(("products", key), key=True),
            connectwise_location=document.location(("products", key, "connectwise")),
        )
    return products


def _cost_price(entry: object) -> CostPrice:
    if entry is None:
        return CostPrice()
    fields = cast(Data, entry)
    return CostPrice(cost=to_decimal(fields["cost"]), price=to_decimal(fields["price"]))


def build_prices(document: Document) -> Prices:
    licenses = {key: _cost_price(entry) for key, entry in section(document.data, "licenses").items()}
    storage: dict[str, StoragePrice] = {}
    for key, entry in section(document.data, "storage").items():
        fields = cast(Data, entry)
        storage[key] = StoragePrice(
            unit=StorageUnit(str(fields.get("unit", StorageUnit.GB))),
            backup=_cost_price(fields["backup"]),
            restore=_cost_price(fields.get("restore")),
            limit=_cost_price(fields.get("limit")),
        )
    return Prices(licenses=licenses, storage=storage)


def mapped_connectwise(console_products: tuple[str, ...], products: Mapping[str, Product]) -> tuple[str, ...]:
    """The catalog identifiers `console_products` map to, sorted and unique (unknown keys skipped:
    checks.py reports them)."""
    return tuple(sorted({products[key].connectwise for key in console_products if key in products}))


def _configuration(
    document: Document, index: int, fields: Data, products: Mapping[str, Product]
) -> Configuration:
    console_products = tuple(str(key) for key in cast(list[object], fields["console_products"]))
    if "connectwise_products" in fields:
        connectwise_products = tuple(str(item) for item in cast(list[object], fields["connectwise_products"]))
    else:
        connectwise_products = mapped_connectwise(console_products, products)
    override = fields.get("invoice_description")
    agreement = fields["agreement"]
    return Configuration(
        name=str(fields["name"]),
        agreement=agreement if isinstance(agreement, int) else str(agreement),
        bill=Bill(str(fields["bill"])),
        auto_billing=bool(fields["auto_billing"]),
        console_products=console_products,
        connectwise_products=connectwise_products,
        send=SendMode(str(fields["send"])),
        location=document.location(("configurations", index)),
        invoice_description=None if override is None else DescriptionMode(str(override)),
        field_locations=tuple(
            (format_path(path[2:]), document.location(path))
            for path in document.positions
            if len(path) > 2 and path[:2] == ("configurations", index)
        ),
    )


def build_company(document: Document, products: Mapping[str, Product]) -> Company:
    data = cast(Data, document.data)
    configurations = cast(list[object], data["configurations"])
    return Company(
        identifier=str(data["company"]),
        console_company=str(data["console_company"]),
        configurations=tuple(
            _configuration(document, index, cast(Data, fields), products)
            for index, fields in enumerate(configurations)
        ),
        location=document.location(("company",)),
    )
