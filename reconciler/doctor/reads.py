"""What doctor reads from ConnectWise: the repository's companies, their agreements, the catalog
items products.yaml and the configurations name, and the additions in scope — each record through
the shape check first, then through the same parsers and grouping a plan uses (`connectwise.read`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reconciler.config.model import Repository
from reconciler.connectwise.client import ConnectWiseClient, in_chunks
from reconciler.connectwise.live import CatalogItem, LiveAddition, parse_addition
from reconciler.connectwise.read import group_agreements, match_catalog
from reconciler.connectwise.shape import RecordKind
from reconciler.doctor.shapes import ShapeTally
from reconciler.engine.model import AgreementInfo
from reconciler.engine.periods import Period


@dataclass(frozen=True, slots=True)
class LiveCompany:
    id: int
    identifier: str
    deleted: bool


@dataclass(frozen=True, slots=True)
class LiveRead:
    companies: Mapping[str, LiveCompany]  # casefolded identifier → company
    agreements: Mapping[str, tuple[AgreementInfo, ...]]  # repository identifier → its agreements
    catalog: Mapping[str, CatalogItem]  # identifier as the repository spells it → item


def catalog_identifiers(repository: Repository) -> set[str]:
    """Every catalog identifier the repository names: in products.yaml and in configurations."""
    named = {product.connectwise for product in repository.products.values()}
    return named | {
        i for c in repository.companies for conf in c.configurations for i in conf.connectwise_products
    }


def read_live(client: ConnectWiseClient, repository: Repository, tally: ShapeTally) -> LiveRead:
    identifiers = sorted({c.identifier for c in repository.companies})
    conditions = list(in_chunks("identifier", identifiers))
    pages = client.map_concurrently(lambda c: client.list_all("/company/companies", c), conditions)
    companies = {
        str(record.get("identifier")).casefold(): LiveCompany(
            int(str(record.get("id"))), str(record.get("identifier")), record.get("deletedFlag") is True
        )
        for page in pages
        for record in tally.sound(RecordKind.COMPANY, page)
    }
    agreements = group_agreements(
        tally.sound(RecordKind.AGREEMENT, client.agreements_of(identifiers)), repository.companies
    )
    wanted = sorted(catalog_identifiers(repository))
    items = tally.sound(RecordKind.CATALOG, client.catalog_items(wanted)) if wanted else []
    return LiveRead(companies, agreements, match_catalog(items, wanted))


def read_additions(
    client: ConnectWiseClient, wanted: Mapping[int, Sequence[Period]], tally: ShapeTally
) -> tuple[LiveAddition, ...]:
    """The additions of each agreement in its periods (as `connectwise.read.read_additions`), tallied."""

    def one(item: tuple[int, Sequence[Period]]) -> list[LiveAddition]:
        agreement_id, periods = item
        records = tally.sound(RecordKind.ADDITION, client.additions_of(agreement_id, periods))
        additions = [parse_addition(record, agreement_id) for record in records]
        return [a for a in additions if a.period is not None and a.period in periods]

    found = client.map_concurrently(one, list(wanted.items()))
    return tuple(sorted((a for group in found for a in group), key=lambda a: a.id))
