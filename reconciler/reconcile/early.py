"""A plan's first ConnectWise reads, sent while the repository is still loading (docs/performance.md).

`EarlyReads` is `load_repository`'s observer (`config.load.LoadObserver`). Told of the settings, it
connects; of the product mapping, it reads the catalog items the mapping names; of each company
file, it adds the company to an agreements read (`company/identifier in (…)`), sent as soon as the
chunk is as long as a URL allows; as each of those answers, it starts reading every agreement's
additions in each period the company's configurations may touch on the run's date — exactly
what `make_plan` would start after the load. `make_plan` takes what was read for the companies and
catalog items it needs (`agreements`, `catalog`, `take_additions`); when something it needs was not
read early, it reads it itself, as before. Either way the requests and what is kept of their
answers are the same; only their start moves earlier.

Everything here is a read, so a repository that then fails its checks costs nothing but the reads
(`close` cancels what is not sent, and waits for what is). It never raises into the load: without
credentials or a usable URL it reads nothing, and the plan's own path reports the problem in its
usual place and order. Only `plan` uses it; `apply` reads once it holds the apply lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType

import httpx

from reconciler.config.model import Company, Product, Settings
from reconciler.connectwise.client import AGREEMENT_COMPANY, Chunker, ConnectWiseClient, open_client
from reconciler.connectwise.live import CatalogItem, Record
from reconciler.connectwise.read import PendingAdditions, agreements_in_scope, group_agreements, match_catalog
from reconciler.engine.model import AgreementInfo, ConfigurationScope
from reconciler.engine.scope import periods_in_scope
from reconciler.errors import UserError
from reconciler.plan.model import Selection

FIRST_READS = 2  # agreement chunks and the catalog in flight at once, beside the additions reads


def possible_scopes(companies: Iterable[Company], selection: Selection) -> list[ConfigurationScope]:
    """Each configuration of `companies` with every period it may touch on the run's date."""
    return [
        ConfigurationScope(c.identifier, conf.name, periods_in_scope(conf, selection.as_of, selection.period))
        for c in companies
        for conf in c.configurations
    ]


class EarlyReads:
    """The reads a plan of `selection` starts while the repository loads (see the module)."""

    def __init__(
        self, selection: Selection, concurrency: int = 8, transport: httpx.BaseTransport | None = None
    ) -> None:
        self._selection = selection
        self._concurrency = concurrency
        self._transport = transport
        self._only = {c.casefold() for c in selection.companies}  # empty: every company
        self.client: ConnectWiseClient | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._additions: PendingAdditions | None = None
        self._chunker = Chunker(AGREEMENT_COMPANY)
        self._chunk: list[Company] = []
        self._offered: set[str] = set()  # the identifiers of every company in a chunk sent or to send
        self._agreements: list[Future[list[Record]]] = []
        self._catalog: tuple[frozenset[str], Future[list[Record]]] | None = None

    def __enter__(self) -> EarlyReads:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # -- the load's observer ------------------------------------------------------------------
    def settings(self, settings: Settings) -> None:
        try:
            client = open_client(settings.connectwise_url, self._transport, concurrency=self._concurrency)
        except UserError:
            return  # no credentials, or a URL cwbill refuses: the plan's own connect says so
        self.client = client
        self._pool = ThreadPoolExecutor(max_workers=FIRST_READS, thread_name_prefix="cwbill-early")
        self._additions = PendingAdditions(client, {})

    def products(self, products: Mapping[str, Product]) -> None:
        if self._pool is None or self.client is None:
            return
        identifiers = sorted({product.connectwise for product in products.values()})
        if identifiers:
            reading = self._pool.submit(self.client.catalog_items, identifiers)
            self._catalog = (frozenset(identifiers), reading)

    def company(self, company: Company) -> None:
        if self._pool is None or (self._only and company.identifier.casefold() not in self._only):
            return
        full = self._chunker.add(company.identifier)
        if full is not None:
            self._send(full, self._chunk)
            self._chunk = []
        self._chunk.append(company)
        self._offered.add(company.identifier)

    # -- what make_plan takes -----------------------------------------------------------------
    def agreements(self, companies: Sequence[Company]) -> dict[str, tuple[AgreementInfo, ...]] | None:
        """`read_agreements(client, companies)` from the early reads, or None when some company of
        `companies` was not in them. A read that failed raises here, as it would have there."""
        if self._pool is None or any(c.identifier not in self._offered for c in companies):
            return None
        rest = self._chunker.rest()
        if rest is not None:
            self._send(rest, self._chunk)
            self._chunk = []
        records: dict[object, Record] = {}
        for read in self._agreements:
            for record in read.result():
                records.setdefault(record.get("id"), record)
        return group_agreements(records.values(), companies)

    def catalog(self, identifiers: Iterable[str]) -> dict[str, CatalogItem] | None:
        """`read_catalog(client, identifiers)` from the early read, or None when it did not ask for
        all of them."""
        wanted = set(identifiers)
        if not wanted:
            return {}
        if self._catalog is None or not wanted <= self._catalog[0]:
            return None
        return match_catalog(self._catalog[1].result(), wanted)

    def take_additions(self) -> PendingAdditions | None:
        """The additions reads started so far (the caller collects and closes them)."""
        additions, self._additions = self._additions, None
        return additions

    def close(self) -> None:
        """Cancel what has not been sent, wait for what has, then close the client (idempotent)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._additions is not None:
            self._additions.close()
        if self.client is not None:
            self.client.http.close()

    # -- the reads ----------------------------------------------------------------------------
    def _send(self, condition: str, companies: Sequence[Company]) -> None:
        assert self._pool is not None
        self._agreements.append(self._pool.submit(self._read_chunk, condition, tuple(companies)))

    def _read_chunk(self, condition: str, companies: tuple[Company, ...]) -> list[Record]:
        """One chunk's agreements; their additions reads are started before this returns, so that
        once every chunk has answered, every read `make_plan` would start has been started."""
        assert self.client is not None
        records = self.client.agreements_where(condition)
        additions = self._additions
        if additions is not None:
            grouped = group_agreements(records, companies)
            additions.add(agreements_in_scope(grouped, possible_scopes(companies, self._selection)))
        return records
