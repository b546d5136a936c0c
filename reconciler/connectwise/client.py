"""The ConnectWise Manage REST client cwbill uses: reads agreements, reads and writes additions.

Built on an injected `httpx.Client` (STYLE §5): tests pass the sandbox's in-process transport.
Headers as the real API wants them (connectwise-api §1): Basic `company+public:private`, the
`clientId` header, a pinned `Accept` version. Bodies are written as the spec (OpenAPI 2025.8) types
them: quantity, unitPrice and unitCost as JSON numbers of the Decimal's exact text (`2.50`, never
through float: `jsonwire`). Lists page at 1000 following the `Link` header
(§2); `conditions` keep reads to what is in scope (§3). One semaphore bounds the requests in flight
for the whole run, reads and writes alike. Credentials never appear in errors or logs.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar, cast
from urllib.parse import quote as urlquote

import httpx

from reconciler.connectwise.live import Record
from reconciler.engine.periods import Period
from reconciler.errors import UserError
from reconciler.httpclient import (
    FairSlots,
    RetriesExhausted,
    RetryPolicy,
    json_or_none,
    request_with_retries,
    require_safe_url,
)
from reconciler.jsonwire import dumps as json_text

log = logging.getLogger("cwbill.connectwise")

ACCEPT = "application/vnd.connectwise.com+json; version=2025.8"
PAGE_SIZE = 1000
AGREEMENT_COMPANY = "company/identifier"  # the field an agreements read selects companies by
MAX_CONDITIONS_CHARS = 1500  # keep URLs well under the ~2000 characters the API tolerates
ENV_VARS = ("CW_COMPANY_ID", "CW_PUBLIC_KEY", "CW_PRIVATE_KEY", "CW_CLIENT_ID")
_NEXT = re.compile(r'<[^>]+>;\s*rel="next"')
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Credentials:
    company_id: str
    public_key: str = field(repr=False)
    private_key: str = field(repr=False)
    client_id: str = field(repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials:
        env = os.environ if environ is None else environ
        missing = [name for name in ENV_VARS if not env.get(name)]
        if missing:
            raise UserError(
                "ConnectWise credentials come from the environment; not set: " + ", ".join(missing)
            )
        return cls(env["CW_COMPANY_ID"], env["CW_PUBLIC_KEY"], env["CW_PRIVATE_KEY"], env["CW_CLIENT_ID"])

    def headers(self) -> dict[str, str]:
        token = f"{self.company_id}+{self.public_key}:{self.private_key}".encode()
        return {
            "Authorization": "Basic " + base64.b64encode(token).decode("ascii"),
            "clientId": self.client_id,
            "Accept": ACCEPT,
        }

    def secrets(self) -> tuple[str, ...]:
        return (self.public_key, self.private_key)


class ConnectWiseError(Exception):
    """A ConnectWise answer cwbill cannot go on from (status and the API's own message)."""

    def __init__(self, message: str, status: int | None = None, body: object = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


def quote(value: str) -> str:
    """A string literal for `conditions`: double quotes, with `\\` and `"` escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Chunker:
    """`field in (…)` conditions built value by value, each short enough for a URL: `add` returns
    the condition of the values before it when `value` would not fit, `rest` the last one."""

    def __init__(self, field_name: str) -> None:
        self.field_name = field_name
        self._chunk: list[str] = []
        self._size = 0

    def add(self, value: str | int) -> str | None:
        literal = quote(value) if isinstance(value, str) else str(value)
        encoded = len(urlquote(literal)) + 1
        full = self.rest() if self._chunk and self._size + encoded > MAX_CONDITIONS_CHARS else None
        self._chunk.append(literal)
        self._size += encoded
        return full

    def rest(self) -> str | None:
        """The condition of the values added since the last one returned (None: there are none)."""
        if not self._chunk:
            return None
        condition = f"{self.field_name} in ({','.join(self._chunk)})"
        self._chunk, self._size = [], 0
        return condition


def in_chunks(field_name: str, values: Sequence[str | int]) -> Iterator[str]:
    """`field in (…)` conditions over `values`, split so each stays short enough for a URL."""
    chunker = Chunker(field_name)
    for value in values:
        if (condition := chunker.add(value)) is not None:
            yield condition
    if (condition := chunker.rest()) is not None:
        yield condition


def period_condition(periods: Iterable[Period]) -> str:
    """Additions whose effectiveDate falls in the span of `periods`."""
    ordered = sorted(periods)
    start = ordered[0].first_day.isoformat()
    end = ordered[-1].next().first_day.isoformat()
    return f"effectiveDate>=[{start}T00:00:00Z] and effectiveDate<[{end}T00:00:00Z]"


class ConnectWiseClient:
    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        credentials: Credentials,
        *,
        policy: RetryPolicy | None = None,
        concurrency: int = 8,
    ) -> None:
        self.http = http
        self.base_url = require_safe_url(base_url, "ConnectWise URL")
        self.credentials = credentials
        self.policy = policy or RetryPolicy()
        self.concurrency = max(1, concurrency)
        self._slots = FairSlots(self.concurrency)
        self._lock = threading.Lock()
        self.requests_sent = 0
        self.retries = 0

    # -- transport -------------------------------------------------------------------------------
    def request(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        """One logical request (with retries where safe); raises on transport failure."""
        url = path if path.startswith("http") else self.base_url + path
        headers = self.credentials.headers()
        if "json" in kwargs:
            headers["Content-Type"] = "application/json"
            # numbers as the spec types them (JSON numbers), from the Decimal's exact text
            kwargs["content"] = json_text(kwargs.pop("json")).encode("utf-8")
        with self._slots:
            try:
                return request_with_retries(
                    self.http,
                    method,
                    url,
                    policy=self.policy,
                    on_retry=self._count_retry,
                    headers=headers,
                    **kwargs,
                )
            finally:
                with self._lock:
                    self.requests_sent += 1

    def _count_retry(self, attempt: int, why: str) -> None:
        with self._lock:
            self.retries += 1
        log.info("retrying ConnectWise request (attempt %d): %s", attempt + 1, why)

    def read_json(self, path: str, params: Mapping[str, str] | None = None) -> httpx.Response:
        try:
            response = self.request("GET", path, params=dict(params or {}))
        except (RetriesExhausted, httpx.HTTPError) as exc:
            raise ConnectWiseError(f"GET {path}: no answer from ConnectWise ({exc})") from exc
        raise_for_status(response, f"GET {path}")
        return response

    def list_all(self, path: str, conditions: str | None = None, fields: str | None = None) -> list[Record]:
        """Every record of a collection, following `Link: rel="next"` at pageSize 1000."""
        params = {"pageSize": str(PAGE_SIZE), "page": "1", "orderBy": "id asc"}
        if conditions:
            params["conditions"] = conditions
        if fields:
            params["fields"] = fields
        records: list[Record] = []
        number = 1
        while True:
            response = self.read_json(path, {**params, "page": str(number)})
            page = decode(response)
            if not isinstance(page, list):
                raise ConnectWiseError(f"GET {path}: expected a list, got {type(page).__name__}")
            records.extend(cast(list[Record], page))
            # Only the presence of rel="next" is used: the next page is asked of our own base URL,
            # so credentials are never sent to a host named in a response header.
            if not _NEXT.search(response.headers.get("Link", "")) or len(page) < PAGE_SIZE:
                return records
            number += 1

    def map_concurrently(self, work: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """Run `work` over `items` with at most `concurrency` requests in flight, in order."""
        if len(items) <= 1:
            return [work(item) for item in items]
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(work, items))

    # -- reads -----------------------------------------------------------------------------------
    def agreements_of(self, company_identifiers: Sequence[str]) -> list[Record]:
        conditions = list(in_chunks(AGREEMENT_COMPANY, sorted(set(company_identifiers))))
        pages = self.map_concurrently(self.agreements_where, conditions)
        return [record for page in pages for record in page]

    def agreements_where(self, conditions: str) -> list[Record]:
        """The agreements `conditions` selects (one `company/identifier in (…)` chunk)."""
        return self.list_all("/finance/agreements", conditions)

    def catalog_items(self, identifiers: Sequence[str]) -> list[Record]:
        conditions = list(in_chunks("identifier", sorted(set(identifiers))))
        pages = self.map_concurrently(lambda c: self.list_all("/procurement/catalog", c), conditions)
        return [record for page in pages for record in page]

    def additions_of(self, agreement_id: int, periods: Sequence[Period]) -> list[Record]:
        return self.list_all(f"/finance/agreements/{agreement_id}/additions", period_condition(periods))

    # -- writes ----------------------------------------------------------------------------------
    def create_addition(self, agreement_id: int, body: Mapping[str, object]) -> httpx.Response:
        return self.request("POST", f"/finance/agreements/{agreement_id}/additions", json=dict(body))

    def patch_addition(
        self, agreement_id: int, addition_id: int, operations: Sequence[Mapping[str, object]]
    ) -> httpx.Response:
        path = f"/finance/agreements/{agreement_id}/additions/{addition_id}"
        return self.request("PATCH", path, json=list(operations))

    def delete_addition(self, agreement_id: int, addition_id: int) -> httpx.Response:
        return self.request("DELETE", f"/finance/agreements/{agreement_id}/additions/{addition_id}")


def open_client(
    settings_url: str,
    transport: httpx.BaseTransport | None = None,
    *,
    concurrency: int = 8,
    policy: RetryPolicy | None = None,
) -> ConnectWiseClient:
    """A client of the ConnectWise at CW_URL, else `settings_url` (settings.yaml connectwise.url),
    with credentials from the environment (a UserError names what is missing)."""
    url = os.environ.get("CW_URL") or settings_url
    credentials = Credentials.from_env()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    http = httpx.Client(transport=transport, limits=limits, follow_redirects=False)
    return ConnectWiseClient(http, url, credentials, policy=policy, concurrency=concurrency)


def decode(response: httpx.Response) -> object:
    """A response body as JSON with every number a Decimal (never a float)."""
    if not response.content:
        return None
    try:
        return json.loads(response.content, parse_float=Decimal)
    except ValueError as exc:
        raise ConnectWiseError(
            f"ConnectWise answered {response.status_code} with a body that is not JSON"
        ) from exc


def error_message(response: httpx.Response) -> str:
    """The API's own words for an error (`message` and each `errors[].message`), or the status."""
    body = json_or_none(response)
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}"
    parts = [str(body.get("message") or body.get("code") or body.get("error") or "")]
    for item in body.get("errors") or []:
        if isinstance(item, dict) and item.get("message"):
            parts.append(str(item["message"]))
    return "; ".join(p for p in parts if p) or f"HTTP {response.status_code}"


def raise_for_status(response: httpx.Response, what: str) -> None:
    if response.status_code < 400:
        return
    if response.status_code == 401:
        raise UserError(
            f"{what}: ConnectWise rejected the credentials (401: {error_message(response)}); check "
            "CW_COMPANY_ID, CW_PUBLIC_KEY, CW_PRIVATE_KEY and CW_CLIENT_ID"
        )
    if response.status_code == 403:
        raise UserError(f"{what}: the API member lacks a security role (403: {error_message(response)})")
    raise ConnectWiseError(f"{what}: {response.status_code} {error_message(response)}", response.status_code)
