"""What `cwbill import` reads and what it infers, as plain frozen values.

The reader (`reconciler.importer.read`) fills `ImportInput` from ConnectWise; the pure inference
(`reconciler.importer.infer`) turns it into an `ImportedCompany`, in which every value cwbill cannot
know for certain is a `Todo` instead of a guess; the renderer writes it as YAML with `# TODO:` lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from reconciler.config.model import Bill, CostPrice, DescriptionMode, ProductKind, SendMode
from reconciler.connectwise.live import LiveAddition
from reconciler.engine.model import AgreementInfo
from reconciler.engine.periods import Period


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """A catalog item as the importer needs it: its own price and cost, and its invoice text."""

    identifier: str
    price: Decimal | None
    cost: Decimal | None
    customer_description: str | None = None


@dataclass(frozen=True, slots=True)
class ImportInput:
    """Everything read from ConnectWise for one company and one period."""

    company: str  # ConnectWise company identifier, as ConnectWise spells it
    company_name: str  # ConnectWise's name for the company ("" when unknown)
    period: Period
    agreements: tuple[AgreementInfo, ...]  # all of the company's agreements (for name uniqueness)
    chosen: tuple[AgreementInfo, ...]  # the agreements imported (all, or the one of --agreement)
    additions: tuple[LiveAddition, ...]  # the chosen agreements' additions in the period
    catalog: Mapping[str, CatalogEntry] = field(default_factory=dict)  # by identifier


@dataclass(frozen=True, slots=True)
class Todo:
    """A value the user must decide; `hint` says what to choose and why cwbill could not."""

    hint: str
    suggestion: str | None = None  # shown in the TODO line, never written as the value


@dataclass(frozen=True, slots=True)
class ImportedConfiguration:
    name: str
    name_note: str  # where the name comes from
    agreement: str | int  # by name when unique on the company, else by id
    agreement_note: str
    bill: Bill | Todo
    bill_note: str
    auto_billing: Todo  # never visible in the lines (billing-rules §5 decides it by the calendar)
    console_products: tuple[str, ...] | Todo
    connectwise_products: tuple[str, ...]
    send: SendMode | Todo
    send_note: str
    invoice_description: DescriptionMode | Todo | None  # None: the settings' mode applies
    addition_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class NewProduct:
    """A products.yaml entry the repository lacks: a catalog item no product maps."""

    key: str  # a suggested key (the user's choice; not a fact about the world)
    connectwise: str
    kind: ProductKind | Todo
    console: Todo  # the console's name for it is never visible in ConnectWise


@dataclass(frozen=True, slots=True)
class PriceEntry:
    """A prices.yaml entry the repository lacks (or whose rates differ from the lines')."""

    key: str
    kind: ProductKind | None  # None: the product's kind is itself still a TODO
    rate: CostPrice | Todo
    note: str = ""


@dataclass(frozen=True, slots=True)
class ImportedCompany:
    company: str
    console_company: Todo
    period: Period
    configurations: tuple[ImportedConfiguration, ...]
    new_products: tuple[NewProduct, ...] = ()
    prices: tuple[PriceEntry, ...] = ()
    notes: tuple[str, ...] = ()  # agreements without lines, an existing company file, rate differences
