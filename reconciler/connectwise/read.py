"""Reading what a run needs from ConnectWise, and no more (connectwise-api §2–3).

Agreements of the configured companies (`company/identifier in (…)`), the catalog items the
product mapping names (`identifier in (…)`), and — once the engine knows the scope — each relevant
agreement's additions in the periods in scope (`effectiveDate` range), one agreement at a time on
the client's bounded concurrency. Those reads may start before the engine has run
(`PendingAdditions` with every period a configuration may touch): a plan's wall time is then
the reads, not the reads plus the engine. `collect` keeps only what the engine's exact scope asks for,
so the result is the same as reading after it.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from reconciler.config.model import Company
from reconciler.connectwise.client import ConnectWiseClient
from reconciler.connectwise.live import (
    CatalogItem,
    LiveAddition,
    Record,
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
    return group_agreements(client.agreements_of([c.identifier for c in companies]), companies)


def group_agreements(
    records: Iterable[Record], companies: Sequence[Company]
) -> dict[str, tuple[AgreementInfo, ...]]:
    """The agreement `records` of `companies`, parsed, by the repository's company identifier."""
    by_folded = {c.identifier.casefold(): c.identifier for c in companies}
    grouped: dict[str, list[AgreementInfo]] = defaultdict(list)
    for record in records:
        agreement = parse_agreement(record)
        identifier = by_folded.get(agreement.company.casefold())
        if identifier is not None:
            grouped[identifier].append(agreement)
    return {k: tuple(sorted(v, key=lambda a: a.id)) for k, v in sorted(grouped.items())}


def read_catalog(client: ConnectWiseClient, identifiers: Iterable[str]) -> dict[str, CatalogItem]:
    wanted = sorted(set(identifiers))
    if not wanted:
        return {}
    return match_catalog(client.catalog_items(wanted), wanted)


def match_catalog(records: Iterable[Record], identifiers: Iterable[str]) -> dict[str, CatalogItem]:
    """The catalog item `records` parsed, by each of `identifiers` they answer."""
    wanted = sorted(set(identifiers))
    items: dict[str, CatalogItem] = {}
    for record in records:
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


Progress = Callable[[int, int], None]  # (agreements read, agreements to read), from the reader threads


def read_agreement_additions(
    client: ConnectWiseClient, agreement_id: int, periods: Sequence[Period]
) -> list[LiveAddition]:
    """One agreement's additions in `periods` (one request and its pages), parsed."""
    records = client.additions_of(agreement_id, periods)
    additions = [parse_addition(record, agreement_id) for record in records]
    return [a for a in additions if a.period is not None and a.period in periods]


class PendingAdditions:
    """Additions being read in the background, one request (and its pages) per agreement.

    Start it as soon as the agreements are known; `collect` later and `close` in any case."""

    def __init__(
        self,
        client: ConnectWiseClient,
        wanted: Mapping[int, Sequence[Period]],
        progress: Progress | None = None,
    ) -> None:
        self._client = client
        self._pool = ThreadPoolExecutor(max_workers=client.concurrency, thread_name_prefix="cwbill-read")
        self._reads: dict[int, tuple[frozenset[Period], Future[list[LiveAddition]]]] = {}
        self._progress = progress
        # re-entrant: a read that is already done runs `_tick` at once, inside `add`/`collect`
        self._lock = threading.RLock()
        self._done = 0
        self._total = 0
        self.add(wanted)

    def add(self, wanted: Mapping[int, Sequence[Period]]) -> None:
        """Start reading more agreements (any thread; an agreement already started is left as is)."""
        with self._lock:
            fresh = {i: p for i, p in wanted.items() if i not in self._reads}
            self._total += len(fresh)  # before any read can finish and report
            for agreement_id, periods in fresh.items():
                self._start(agreement_id, periods)

    def watch(self, progress: Progress | None) -> None:
        """Report progress from now on to `progress` (reads started earlier report too)."""
        self._progress = progress

    def _start(self, agreement_id: int, periods: Sequence[Period]) -> Future[list[LiveAddition]]:
        read = self._pool.submit(read_agreement_additions, self._client, agreement_id, periods)
        self._reads[agreement_id] = (frozenset(periods), read)
        read.add_done_callback(self._tick)
        return read

    def _tick(self, read: Future[list[LiveAddition]]) -> None:
        if read.cancelled():
            return
        with self._lock:
            self._done += 1
            done, total = self._done, self._total
        progress = self._progress
        if progress is not None:
            progress(done, total)

    def collect(self, wanted: Mapping[int, Sequence[Period]]) -> tuple[LiveAddition, ...]:
        """The additions of `wanted` (each agreement in its periods), sorted by id (see `narrow`)."""
        self.narrow(wanted)
        found = [
            a for agreement_id, periods in wanted.items() for a in self.additions_of(agreement_id, periods)
        ]
        return tuple(sorted(found, key=lambda a: a.id))

    def narrow(self, wanted: Mapping[int, Sequence[Period]]) -> None:
        """Keep to `wanted`: reads started for agreements it leaves out are cancelled when not yet
        sent; an agreement not read yet, or read for fewer periods, is read now."""
        with self._lock:
            for agreement_id, (_, read) in self._reads.items():
                if agreement_id not in wanted and read.cancel():
                    self._total -= 1
            for agreement_id, periods in wanted.items():
                started = self._reads.get(agreement_id)
                if started is None or not started[0] >= set(periods):
                    self._total += 1
                    self._start(agreement_id, periods)

    def additions_of(self, agreement_id: int, periods: Sequence[Period]) -> list[LiveAddition]:
        """One agreement's additions in `periods`, once read (after `narrow` with it); a failed read
        raises here."""
        with self._lock:
            read = self._reads[agreement_id][1]
        return [a for a in read.result() if a.period in periods]

    def close(self) -> None:
        """Cancel what has not been sent and wait for what has (a run never leaves requests behind)."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def read_additions(
    client: ConnectWiseClient, wanted: Mapping[int, Sequence[Period]]
) -> tuple[LiveAddition, ...]:
    """The additions of each agreement in its periods, read now (concurrently); sorted by id."""
    pending = PendingAdditions(client, wanted)
    try:
        return pending.collect(wanted)
    finally:
        pending.close()
