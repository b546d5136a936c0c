"""Request accounting: what a phase sent, by kind, against the least any client could send.

The minimum for a phase (issue 9): the pages of agreements and of catalog items (1000 a page), one
additions read per agreement in scope, and exactly one write per change. cwbill's *known extras*
are what it sends beyond that by design, each counted here so that the bench can say requests =
minimum + extras exactly: agreement reads split into several `company/identifier in (…)` requests
to keep each URL short (connectwise-api §2), and — in an apply — one re-read per agreement it created
lines on (the writer's verification after the writes). The latency floor is the minimum's requests
× the latency ÷ the requests in flight: no client could be faster against that server.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from reconciler.connectwise.client import PAGE_SIZE, in_chunks

ADDITIONS_READ = "GET /finance/agreements/{id}/additions"
KINDS: Mapping[str, str] = {
    "GET /finance/agreements": "read agreements",
    "GET /procurement/catalog": "read catalog",
    ADDITIONS_READ: "read additions",
    "POST /finance/agreements/{id}/additions": "create",
    "PUT /finance/agreements/{id}/additions/{id}": "update",
    "PATCH /finance/agreements/{id}/additions/{id}": "update",
    "DELETE /finance/agreements/{id}/additions/{id}": "delete",
}
WRITES = ("create", "update", "delete")
_ORDER = ("read agreements", "read catalog", "read additions", *WRITES)


def kind_rank(kind: str) -> int:
    """Reads before writes, in the order a run sends them; other routes last."""
    return _ORDER.index(kind) if kind in _ORDER else len(_ORDER)


def by_kind(requests: Mapping[str, int]) -> dict[str, int]:
    """Counter routes (`GET /finance/agreements`, …) grouped into kinds; unknown routes stay as they are."""
    kinds: Counter[str] = Counter()
    for route, count in requests.items():
        kinds[KINDS.get(route, route)] += count
    return dict(kinds)


def pages(records: int) -> int:
    return max(1, math.ceil(records / PAGE_SIZE))


def agreement_requests(company_identifiers: list[str]) -> int:
    """How many requests cwbill's client splits its agreement read into (URL-length chunks)."""
    return sum(1 for _ in in_chunks("company/identifier", sorted(set(company_identifiers))))


@dataclass(frozen=True, slots=True)
class Work:
    """What a phase had to do."""

    agreements: int  # agreements of the configured companies
    catalog_items: int  # catalog items the product mapping names
    in_scope: int  # agreements whose additions must be read
    changes: int  # writes the phase must make (0 for a plan)

    @property
    def minimum(self) -> int:
        return pages(self.agreements) + pages(self.catalog_items) + self.in_scope + self.changes

    def floor(self, latency: float, concurrency: int) -> float:
        """Seconds no client can beat: the minimum's requests, `concurrency` at a time."""
        return self.minimum * latency / concurrency


@dataclass(frozen=True, slots=True)
class Extras:
    """Requests cwbill sends beyond the minimum by design."""

    agreement_chunks: int  # agreement requests beyond the agreement pages
    verification_reads: int  # re-reads of agreements after the writes (apply only)

    @property
    def total(self) -> int:
        return self.agreement_chunks + self.verification_reads


def extras_of(work: Work, chunks: int, kinds: Mapping[str, int]) -> Extras:
    """The extras a phase showed: agreement chunks, and additions reads beyond those in scope."""
    rereads = max(0, kinds.get("read additions", 0) - work.in_scope) if work.changes else 0
    return Extras(max(0, chunks - pages(work.agreements)), rereads)


def writes(kinds: Mapping[str, int]) -> int:
    return sum(kinds.get(kind, 0) for kind in WRITES)
