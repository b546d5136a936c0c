"""The billing repository as frozen values (billing-rules §1, billing-format.md).

Built by `reconciler.config.load` from checked YAML; everything downstream (engine, plan) reads
these types only. Money is `Decimal`; every record keeps the `Location` it came from so that later
errors (an unknown agreement at plan time) can still name the file and line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from reconciler.errors import Location

ZERO = Decimal(0)


class Bill(StrEnum):
    BILLABLE = "billable"
    DO_NOT_BILL = "do-not-bill"
    NO_CHARGE = "no-charge"

    @property
    def bill_customer(self) -> str:
        """ConnectWise's `billCustomer` value (billing-rules §4)."""
        return {"billable": "Billable", "do-not-bill": "DoNotBill", "no-charge": "NoCharge"}[self.value]


class SendMode(StrEnum):
    AVERAGE = "average"
    TOTAL = "total"
    QUANTITY = "quantity"


class ProductKind(StrEnum):
    LICENSE = "license"
    STORAGE = "storage"


class DescriptionMode(StrEnum):
    FROM_PRODUCT = "from-product"
    SEND = "send"


class StorageUnit(StrEnum):
    GB = "GB"
    TB = "TB"


@dataclass(frozen=True, slots=True)
class Product:
    """One Management Console product (a license type or a storage account) → one catalog item."""

    key: str
    kind: ProductKind
    console: str  # the name as the Management Console reports it
    connectwise: str  # ConnectWise catalog item identifier
    location: Location
    connectwise_location: Location | None = None  # where `connectwise:` is written (None: `location`)


@dataclass(frozen=True, slots=True)
class CostPrice:
    cost: Decimal = ZERO
    price: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class StoragePrice:
    unit: StorageUnit = StorageUnit.GB
    backup: CostPrice = CostPrice()
    restore: CostPrice = CostPrice()
    limit: CostPrice = CostPrice()


@dataclass(frozen=True, slots=True)
class Prices:
    """Cost/price settings; a product without an entry is billed at 0 (source; billing-rules §2)."""

    licenses: Mapping[str, CostPrice] = field(default_factory=dict)
    storage: Mapping[str, StoragePrice] = field(default_factory=dict)

    def license(self, key: str) -> CostPrice:
        return self.licenses.get(key, CostPrice())

    def storage_of(self, key: str) -> StoragePrice:
        return self.storage.get(key, StoragePrice())


@dataclass(frozen=True, slots=True)
class InvoiceSettings:
    description: DescriptionMode = DescriptionMode.FROM_PRODUCT
    template: str = "{product} for {period}: {breakdown}"


@dataclass(frozen=True, slots=True)
class Safety:
    max_update_percent: Decimal = Decimal(30)
    max_delete_percent: Decimal = Decimal(10)
    min_existing: int = 10
    max_amount_change_percent: Decimal = Decimal(25)


@dataclass(frozen=True, slots=True)
class Review:
    """Thresholds of the review aids of the plan comment (docs/ci.md); they inform, never block."""

    max_company_change_percent: Decimal = Decimal(25)
    max_usage_change_percent: Decimal = Decimal(50)
    max_rounding_loss: Decimal = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Settings:
    connectwise_url: str
    console_url: str = "https://api.mspbackups.com"
    currency: str = "USD"
    invoice: InvoiceSettings = InvoiceSettings()
    unit_price_places: int = 2  # settings.rounding.unit_price
    safety: Safety = Safety()
    review: Review = Review()


@dataclass(frozen=True, slots=True)
class Configuration:
    """One billing configuration of a company (billing-rules §1)."""

    name: str
    agreement: str | int  # agreement name, or numeric id
    bill: Bill
    auto_billing: bool
    console_products: tuple[str, ...]  # keys of products.yaml
    connectwise_products: tuple[str, ...]  # catalog identifiers (defaulted from console_products)
    send: SendMode
    location: Location
    # Optional per-configuration override of settings.invoice.description (None: the setting applies)
    invoice_description: DescriptionMode | None = None
    # Where each value inside the configuration is written: ("agreement", loc), ("console_products[1]", loc)
    field_locations: tuple[tuple[str, Location], ...] = ()

    def location_of(self, field: str) -> Location:
        """Where `field` (`agreement`, `connectwise_products[0]`…) is written, else the configuration."""
        for name, where in self.field_locations:
            if name == field:
                return where
        return self.location

    def writes(self, field: str) -> bool:
        """Whether the file writes `field` (else a default applies, e.g. the product mapping's)."""
        return any(name == field for name, _ in self.field_locations)

    def description_mode(self, settings: Settings) -> DescriptionMode:
        """The invoice description mode in force: the override, else settings.invoice.description."""
        return self.invoice_description or settings.invoice.description


@dataclass(frozen=True, slots=True)
class Company:
    identifier: str  # ConnectWise company identifier
    console_company: str  # the company's name in the Management Console
    configurations: tuple[Configuration, ...]
    location: Location


@dataclass(frozen=True, slots=True)
class Repository:
    """The whole billing repository, checked and frozen."""

    settings: Settings
    products: Mapping[str, Product]
    prices: Prices
    companies: tuple[Company, ...]
    # (path relative to the repository, sha256 hex) of every file read, for the plan fingerprint
    files: tuple[tuple[str, str], ...] = ()
    _by_identifier: Mapping[str, Company] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # identifiers compare case-insensitively, as in ConnectWise; the first file wins a tie
        index = {company.identifier.casefold(): company for company in reversed(self.companies)}
        object.__setattr__(self, "_by_identifier", index)

    @property
    def configuration_count(self) -> int:
        return sum(len(company.configurations) for company in self.companies)

    def company(self, identifier: str) -> Company | None:
        """The company `identifier` names (case-insensitively), in constant time."""
        return self._by_identifier.get(identifier.casefold())
