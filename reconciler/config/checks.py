"""The semantic checks of a billing repository (billing-rules §2), beyond what the schemas say.

Each check takes the frozen model built from schema-valid files together with the `Document` it came
from, so every finding lands on the line and field path of the value at fault (the model keeps file
order, so an index in the model is the index in the file). Nothing here reads files or stops early:
all findings at once, as the rules ask.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from reconciler.config.model import (
    Company,
    Configuration,
    CostPrice,
    Prices,
    Product,
    ProductKind,
    SendMode,
    Settings,
)
from reconciler.config.yamlload import Document, PathKey, format_path
from reconciler.engine.describe import check_template
from reconciler.engine.money import MAX_PRICE_PLACES, decimal_places
from reconciler.errors import Finding, Location, error, warning

NO_PRICE = "no-price"


@dataclass(frozen=True, slots=True)
class CompanyFile:
    """A company as built, with the document it was built from (for exact locations)."""

    document: Document
    company: Company


def _at(document: Document, path: PathKey, message: str, *, key: bool = False) -> Finding:
    return error(document.location(path, key=key), format_path(path), message)


def _line(location: Location) -> str:
    return f"{location.file}:{location.line}"


def _unknown_product(key: str, products: Mapping[str, Product]) -> str:
    close = difflib.get_close_matches(key, list(products), n=1)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    return f'"{key}" is not a product in products.yaml{hint}'


def check_settings(document: Document, settings: Settings) -> list[Finding]:
    """The invoice template renders: known placeholders only, balanced braces (billing-rules §4)."""
    path: PathKey = ("invoice", "template")
    return [_at(document, path, problem) for problem in check_template(settings.invoice.template)]


def check_products(document: Document, products: Mapping[str, Product]) -> list[Finding]:
    """One console product (per kind) maps to one catalog item, so a console name appears once."""
    findings: list[Finding] = []
    first: dict[tuple[ProductKind, str], Product] = {}
    for product in products.values():
        seen = first.setdefault((product.kind, product.console), product)
        if seen is not product:
            findings.append(
                _at(
                    document,
                    ("products", product.key, "console"),
                    f'"{product.console}" is already the console name of product "{seen.key}" '
                    f"(line {seen.location.line}); a console product maps to one ConnectWise product",
                )
            )
    return findings


def _priced_values(prices: Prices) -> Iterator[tuple[PathKey, Decimal]]:
    def pair(path: PathKey, cost_price: CostPrice) -> Iterator[tuple[PathKey, Decimal]]:
        yield (*path, "cost"), cost_price.cost
        yield (*path, "price"), cost_price.price

    for key, license_price in prices.licenses.items():
        yield from pair(("licenses", key), license_price)
    for key, storage_price in prices.storage.items():
        yield from pair(("storage", key, "backup"), storage_price.backup)
        yield from pair(("storage", key, "restore"), storage_price.restore)
        yield from pair(("storage", key, "limit"), storage_price.limit)


def check_prices(document: Document, prices: Prices, products: Mapping[str, Product] | None) -> list[Finding]:
    """At most 4 decimal places; each key a product of products.yaml, under its kind's section."""
    findings = [
        _at(document, path, f"has {places} decimal places; prices have at most {MAX_PRICE_PLACES}")
        for path, value in _priced_values(prices)
        if (places := decimal_places(value.normalize())) > MAX_PRICE_PLACES
    ]
    if products is None:  # products.yaml is broken: its own findings say so
        return findings
    sections = (
        ("licenses", ProductKind.LICENSE, prices.licenses),
        ("storage", ProductKind.STORAGE, prices.storage),
    )
    for section, kind, entries in sections:
        for key in entries:
            product = products.get(key)
            if product is None:
                message = _unknown_product(key, products)
            elif product.kind is not kind:
                other = "licenses" if product.kind is ProductKind.LICENSE else "storage"
                message = f'"{key}" is a {product.kind} product: price it under {other}'
            else:
                continue
            findings.append(_at(document, (section, key), message, key=True))
    return findings


def check_unpriced(products: Mapping[str, Product], prices: Prices) -> list[Finding]:
    """A product without a cost/price entry is billed at 0 (source; billing-rules §2): a warning."""
    return [
        warning(
            product.location,
            format_path(("products", product.key)),
            "has no cost/price in prices.yaml: billed at cost 0, price 0",
            NO_PRICE,
        )
        for product in products.values()
        if product.key not in (prices.licenses if product.kind is ProductKind.LICENSE else prices.storage)
    ]


def check_companies(files: Sequence[CompanyFile]) -> list[Finding]:
    """Company identifiers and console names are unique across companies/, ignoring case."""
    findings: list[Finding] = []
    for field, label in (("company", "company"), ("console_company", "console company")):
        first: dict[str, CompanyFile] = {}
        for file in files:
            value = file.company.identifier if field == "company" else file.company.console_company
            seen = first.setdefault(value.casefold(), file)
            if seen is not file:
                where = _line(seen.document.location((field,)))
                findings.append(
                    _at(file.document, (field,), f'{label} "{value}" is already configured in {where}')
                )
    return findings


def check_configurations(file: CompanyFile, products: Mapping[str, Product] | None) -> list[Finding]:
    """The configurations of one company: names, product selections, send modes, overlaps (§2)."""
    findings = _duplicate_names(file)
    if products is None:  # products.yaml is broken: its own findings say so
        return findings
    for index, configuration in enumerate(file.company.configurations):
        findings += _check_selection(file.document, index, configuration, products)
    overlaps = _billed_twice(file)
    reported = {finding.path for finding in overlaps}
    # the same console product twice on one agreement is one mistake, reported once (as billed twice)
    findings += overlaps + [f for f in _shared_natural_key(file, products) if f.path not in reported]
    return findings


def _duplicate_names(file: CompanyFile) -> list[Finding]:
    # ignoring case: ConnectWise searches serialNumber (the owner marker) without regard to case
    findings: list[Finding] = []
    first: dict[str, int] = {}
    for index, configuration in enumerate(file.company.configurations):
        seen = first.setdefault(configuration.name.casefold(), index)
        if seen != index:
            line = file.document.location(("configurations", seen, "name")).line
            message = f'configuration "{configuration.name}" is already defined on line {line}'
            findings.append(_at(file.document, ("configurations", index, "name"), message))
    return findings


def _explicit_connectwise(document: Document, index: int) -> bool:
    return ("configurations", index, "connectwise_products") in document.positions


def _check_selection(
    document: Document, index: int, configuration: Configuration, products: Mapping[str, Product]
) -> list[Finding]:
    base: PathKey = ("configurations", index)
    explicit = _explicit_connectwise(document, index)
    findings: list[Finding] = []
    selected = [products[key] for key in configuration.console_products if key in products]
    for position, key in enumerate(configuration.console_products):
        path: PathKey = (*base, "console_products", position)
        product = products.get(key)
        if product is None:
            findings.append(_at(document, path, _unknown_product(key, products)))
        elif explicit and product.connectwise not in configuration.connectwise_products:
            message = f'"{key}" maps to {product.connectwise}, which is not in connectwise_products'
            findings.append(_at(document, path, message))
    mapped = {product.connectwise for product in selected}
    for position, identifier in enumerate(configuration.connectwise_products if explicit else ()):
        if identifier not in mapped:
            message = f"no selected console product maps to {identifier} (see products.yaml)"
            findings.append(_at(document, (*base, "connectwise_products", position), message))
    if len({product.kind for product in selected}) > 1 and configuration.send is not SendMode.TOTAL:
        message = (
            f"send: {configuration.send} is not available when a configuration selects both licenses "
            "and storage accounts: use total, or split it into two configurations"
        )
        findings.append(_at(document, (*base, "send"), message))
    return findings


def _billed_twice(file: CompanyFile) -> list[Finding]:
    findings: list[Finding] = []
    first: dict[str, Configuration] = {}
    for index, configuration in enumerate(file.company.configurations):
        for position, key in enumerate(configuration.console_products):
            seen = first.setdefault(key, configuration)
            if seen is not configuration:
                message = (
                    f'"{key}" is already billed by configuration "{seen.name}" (line {seen.location.line}): '
                    "it would be billed twice"
                )
                findings.append(
                    _at(file.document, ("configurations", index, "console_products", position), message)
                )
    return findings


def _agreement_key(agreement: str | int) -> str:
    return f"#{agreement}" if isinstance(agreement, int) else agreement.strip().casefold()


def _shared_natural_key(file: CompanyFile, products: Mapping[str, Product]) -> list[Finding]:
    """Two configurations billing one catalog item on one agreement would share natural keys (§6).
    An agreement named in one and numbered in the other is only caught at plan time."""
    findings: list[Finding] = []
    first: dict[tuple[str, str], Configuration] = {}
    for index, configuration in enumerate(file.company.configurations):
        for identifier in configuration.connectwise_products:
            seen = first.setdefault((_agreement_key(configuration.agreement), identifier), configuration)
            if seen is configuration:
                continue
            message = (
                f'{identifier} on agreement "{configuration.agreement}" is already billed by configuration '
                f'"{seen.name}" (line {seen.location.line}): their additions would share one natural key'
            )
            path = _selecting_path(file.document, index, configuration, identifier, products)
            findings.append(_at(file.document, path, message))
    return findings


def _selecting_path(
    document: Document,
    index: int,
    configuration: Configuration,
    identifier: str,
    products: Mapping[str, Product],
) -> PathKey:
    """Where `identifier` is chosen: its connectwise_products entry, else the first console product
    mapping to it."""
    base: PathKey = ("configurations", index)
    if _explicit_connectwise(document, index):
        return (*base, "connectwise_products", configuration.connectwise_products.index(identifier))
    for position, key in enumerate(configuration.console_products):
        if key in products and products[key].connectwise == identifier:
            return (*base, "console_products", position)
    return base


AVERAGE_ROUNDING = "average-rounding"


def check_average_rounding(
    file: CompanyFile, products: Mapping[str, Product], prices: Prices, places: int
) -> list[Finding]:
    """`send: average` on storage divides the whole charge (restores and the limit included) by the
    amount stored and rounds that unitPrice to `rounding.unit_price` places (billing-rules §4), so
    cents can be lost on every line: a warning up front, where the plan comment flags each loss."""
    if places >= MAX_PRICE_PLACES:
        return []
    findings: list[Finding] = []
    for index, configuration in enumerate(file.company.configurations):
        kinds = {products[key].kind for key in configuration.console_products if key in products}
        if configuration.send is not SendMode.AVERAGE or kinds != {ProductKind.STORAGE}:
            continue  # licenses mixed with storage are an error of their own (`_check_selection`)
        rates = [
            prices.storage_of(key)
            for key in configuration.console_products
            if key in products and products[key].kind is ProductKind.STORAGE
        ]
        lossy = len(rates) > 1 or any(
            rate.restore.price or rate.limit.price or decimal_places(rate.backup.price) > places
            for rate in rates
        )
        if rates and lossy:
            message = (
                f"send: average rounds a storage line's unitPrice (restores and limit included) to "
                f"{places} places, which can lose cents on each line (the plan comment flags each); "
                f"set rounding.unit_price: {MAX_PRICE_PLACES} in settings.yaml, or send: total"
            )
            path: PathKey = ("configurations", index, "send")
            findings.append(
                warning(file.document.location(path), format_path(path), message, AVERAGE_ROUNDING)
            )
    return findings
