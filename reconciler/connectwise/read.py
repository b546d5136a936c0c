"""Reading what a run needs from ConnectWise, and no more (connectwise-api §2–3).

Agreements of the configured companies (`company/identifier in (…)`), the catalog items the
product mapping names (`identifier in (…)`), and — once the engine knows the scope — each relevant
agreement's additions in the periods in scope (`effectiveDate` range), one agreement at a time on
the client's bounded concurrency.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from reconciler.config.model import Company
from reconciler.connectwise.client import ConnectWiseClient
from reconciler.connectwise.live import (
    CatalogItem,
    LiveAddition,
    parse_addition,
    parse_agreement,
    parse_catalog_item,
)
from reconciler.engine.model import AgreementInfo, ConfigurationScope
from reconciler.engine.periods import Period


def read_agreements(
    client: ConnectWiseClient, companies: Sequence[Company]
) -> dict[str, tuple[AgreementInfo, ...]]:
    """Agreements by the repository's company identifier; a company with none has no key."""
    by_folded = {c.identifier.casefold(): c.identifier for c in companies}
    grouped: dict[str, list[AgreementInfo]] = defaultdict(list)
    for record in client.agreements_of([c.identifier for c in companies]):
        agreement = parse_agreement(record)
        identifier = by_folded.get(agreement.company.casefold())
        if identifier is not None:
            grouped[identifier].append(agreement)
    return {k: tuple(sorted(v, key=lambda a: a.id)) for k, v in sorted(grouped.items())}


def read_catalog(client: ConnectWiseClient, identifiers: Iterable[str]) -> dict[str, CatalogItem]:
    wanted = sorted(set(identifiers))
    if not wanted:
        return {}
    items: dict[str, CatalogItem] = {}
    for record in client.catalog_items(wanted):
        item = parse_catalog_item(record)
        # identifiers compare case-insensitively (SQL Server collation); keep the mapping's spelling
        for identifier in wanted:
            if identifier.casefold() == item.identifier.casefold() and identifier not in items:
                items[identifier] = item
    return items


def agreements_in_scope(
    agreements: Mapping[str, Sequence[AgreementInfo]], scopes: Iterable[ConfigurationScope]
) -> dict[int, tuple[Period, ...]]:
    """Each agreement of a company with periods in scope → those periods.

    Every agreement of the company is read (not only the configured one), so that cwbill's lines
    left on an agreement a configuration no longer names are found and removed.
    """
    company_periods: dict[str, set[Period]] = defaultdict(set)
    for scope in scopes:
        company_periods[scope.company] |= set(scope.periods)
    wanted: dict[int, tuple[Period, ...]] = {}
    for company, periods in company_periods.items():
        if not periods:
            continue
        for agreement in agreements.get(company, ()):
            if agreement.end_date is not None and agreement.end_date < min(periods).first_day:
                continue  # ended before the scope: only closed months live there
            wanted[agreement.id] = tuple(sorted(periods))
    return dict(sorted(wanted.items()))


def read_additions(
    client: ConnectWiseClient, wanted: Mapping[int, Sequence[Period]]
) -> tuple[LiveAddition, ...]:
    """The additions of each agreement in its periods, read concurrently; sorted by id."""

    def one(item: tuple[int, Sequence[Period]]) -> list[LiveAddition]:
        agreement_id, periods = item
        records = client.additions_of(agreement_id, periods)
        additions = [parse_addition(record, agreement_id) for record in records]
        return [a for a in additions if a.period is not None and a.period in periods]

    pages = client.map_concurrently(one, list(wanted.items()))
    return tuple(sorted((a for page in pages for a in page), key=lambda a: a.id))
