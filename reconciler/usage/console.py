"""The Management Console (MBS provider API) client: usage pulled per company and month.

Read-only, on an injected `httpx.Client` (STYLE §5). It logs in with `POST /api/Provider/Login`,
caches the bearer token for the run and logs in again once when a call answers 401 or 403
(mbs-api §2); retries 429/5xx through `reconciler.httpclient`; reads Companies, Users, Licenses,
Accounts and Packages once, `PUT /api/Billing/Details` per user and month (the recipe of
mbs-api §9 as fixed by the emulation contract) and `PUT /api/Billing` per month (who the console
billed, to tell deleted and moved users), at most `concurrency` requests at a time. A refused login
says which setting to check (`login_refusal`). Neither the password nor the token ever appears in
an error or a log line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from decimal import Decimal

import httpx

from reconciler.config.model import Repository
from reconciler.engine.model import PlanWarning
from reconciler.engine.periods import Period
from reconciler.errors import UserError
from reconciler.httpclient import (
    RETRY_STATUSES,
    RetriesExhausted,
    RetryPolicy,
    json_or_none,
    request_with_retries,
    require_safe_url,
    retry_after,
)
from reconciler.usage import console_checks as checks
from reconciler.usage import console_wire as wire
from reconciler.usage.console_explain import StorageCheck, storage_checks
from reconciler.usage.console_login import AUTH_STATUSES, login_refusal
from reconciler.usage.console_map import ConsoleState, UsageBuilder
from reconciler.usage.model import Usage, UsageRecord
from reconciler.usage.yamlwrite import dump_usage

log = logging.getLogger("cwbill.console")

LOGIN = "/api/Provider/Login"


class ConsoleClient:
    """One run's session with the Management Console."""

    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        username: str,
        password: str,
        *,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.http = http
        self.base_url = require_safe_url(base_url, "Management Console URL")
        self._username = username
        self._password = password
        self.policy = policy or RetryPolicy()
        self._token: str | None = None
        self._lock = threading.Lock()  # one login at a time, even with concurrent calls

    def __repr__(self) -> str:
        return f"ConsoleClient({self.base_url!r})"  # never the credentials

    def _send(self, method: str, path: str, body: object = None, token: str | None = None) -> httpx.Response:
        headers = {"Accept": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        content = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(body).encode("utf-8")
        try:
            return request_with_retries(
                self.http, method, self.base_url + path, policy=self.policy, headers=headers, content=content
            )
        except (RetriesExhausted, httpx.HTTPError) as exc:
            raise UserError(
                f"Management Console {method} {path}: no answer from {self.base_url} ({exc})"
            ) from exc

    def login(self, stale: str | None = None) -> str:
        """A bearer token; a new one when `stale` is the cached token (it was refused)."""
        with self._lock:
            if self._token is not None and self._token != stale:
                return self._token
            response = self._login_response()
            refusal = login_refusal(response.status_code, self._message(response), self._error(response))
            if refusal is not None:
                raise UserError(refusal)
            answer = self._decode(response, f"POST {LOGIN}")
            token = answer.get("access_token") if isinstance(answer, dict) else None
            if not isinstance(token, str) or not token:
                raise UserError(f"Management Console POST {LOGIN}: the answer holds no access_token")
            self._token = token
            return token

    def _login_response(self) -> httpx.Response:
        """POST the credentials; 5xx retried here too: the httpclient retries only 429 on a POST, but
        a login changes nothing on the server, so repeating it is safe."""
        body = {"UserName": self._username, "Password": self._password}
        attempt = 1
        response = self._send("POST", LOGIN, body)
        while response.status_code in RETRY_STATUSES - {429} and attempt < self.policy.attempts:
            delay = retry_after(response)
            self.policy.sleep(
                min(self.policy.backoff(attempt) if delay is None else delay, self.policy.max_delay)
            )
            attempt += 1
            response = self._send("POST", LOGIN, body)
        return response

    def call(self, method: str, path: str, body: object = None) -> object:
        """The decoded JSON answer of an authenticated call; one new login on 401/403, then fail."""
        token = self.login()
        response = self._send(method, path, body, token)
        if response.status_code in AUTH_STATUSES:
            log.info(
                "Management Console answered %s to %s %s; logging in again",
                response.status_code,
                method,
                path,
            )
            response = self._send(method, path, body, self.login(stale=token))
            if response.status_code in AUTH_STATUSES:
                raise UserError(
                    f"Management Console {method} {path}: access refused after a new login "
                    f"(HTTP {response.status_code}: {self._message(response)}); check that the API "
                    "credentials in MBS_USERNAME and MBS_PASSWORD are allowed to read billing"
                )
        return self._decode(response, f"{method} {path}")

    def _decode(self, response: httpx.Response, what: str) -> object:
        if response.status_code >= 400:
            raise UserError(
                f"Management Console {what}: HTTP {response.status_code}: {self._message(response)}"
            )
        try:
            return json.loads(response.content or b"null", parse_float=Decimal)
        except ValueError as exc:
            raise UserError(f"Management Console {what}: the answer is not JSON") from exc

    def _message(self, response: httpx.Response) -> str:
        """The API's `Message` (or OAuth's `error_description`), or the status reason; the
        credentials scrubbed should it echo them."""
        body = _body(response)
        text = str(body.get("Message") or body.get("error_description") or "")
        return self._scrub(text or response.reason_phrase or "no message")

    def _error(self, response: httpx.Response) -> str:
        """OAuth's `error` code of a refused login (`invalid_grant`), or ""."""
        return self._scrub(str(_body(response).get("error") or ""))

    def _scrub(self, text: str) -> str:
        for secret in (self._password, self._token):
            if secret:
                text = text.replace(secret, "***")
        return text[:300]


def read_console_state(console: ConsoleClient) -> ConsoleState:
    """Companies, Users, Licenses, Accounts and Packages, read once (logging in first if needed)."""
    return ConsoleState(
        companies=wire.companies(console.call("GET", "/api/Companies")),
        users=wire.users(console.call("GET", "/api/Users")),
        licenses=wire.licenses(console.call("GET", "/api/Licenses")),
        accounts=wire.accounts(console.call("GET", "/api/Accounts")),
        packages=wire.packages(console.call("GET", "/api/Packages")),
    )


def _body(response: httpx.Response) -> Mapping[str, object]:
    body = json_or_none(response)
    return body if isinstance(body, dict) else {}


@dataclass(frozen=True, slots=True)
class Pulled:
    """What one pull read: the usage, its warnings and, with `explain`, the storage cross-check."""

    usage: Usage
    warnings: list[PlanWarning]
    storage_checks: list[StorageCheck] = field(default_factory=list)


def fetch_usage(  # noqa: PLR0917  # the signature of the brief; policy may be passed positionally
    client: httpx.Client,
    repository: Repository,
    periods: Sequence[Period],
    username: str,
    password: str,
    policy: RetryPolicy | None = None,
    *,
    base_url: str | None = None,
    concurrency: int = 4,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    all_companies: bool = False,
) -> tuple[Usage, list[PlanWarning]]:
    """The usage of every configured company the console has (of every console company with
    `all_companies`), for each of `periods` (`pull_usage`)."""
    url = base_url or str(client.base_url) or repository.settings.console_url
    console = ConsoleClient(client, url, username, password, policy=policy)
    pulled = pull_usage(
        console, repository, periods, concurrency=concurrency, now=now, all_companies=all_companies
    )
    return pulled.usage, pulled.warnings


def pull_usage(
    console: ConsoleClient,
    repository: Repository,
    periods: Sequence[Period],
    *,
    concurrency: int = 4,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    explain: bool = False,
    all_companies: bool = False,
) -> Pulled:
    """The usage of every configured company the console has, for each of `periods` — of every
    console company with `all_companies`, with what no product maps kept by its console name
    (`cwbill leakage`): no further list call, only the Billing/Details of those companies' users.

    Every record says when it was read (`now()` as the lists are read) and how. The digest is
    `usage_digest`'s, so equal billed figures give an equal fingerprint whenever they are read and
    with or without `all_companies`. With `explain`, `PUT /api/Billing` is also read per pulled
    company and month, for the storage cross-check.
    """
    pull = ConsolePull(console, sorted(set(periods)), concurrency)
    taken_at = now()
    state = pull.state()
    builder = UsageBuilder(repository, state, taken_at, all_companies=all_companies)
    users = [*builder.users, *checks.companyless_users(state)]
    details = pull.details([user.id for user in users])
    for period in pull.periods:
        checks.report_companyless(state, period, details, builder.report)
        checks.report_unattributed(state, period, pull.billing(period), details, builder.report)
    records = builder.build(pull.periods, details)
    warnings = sorted(set(builder.warnings), key=lambda w: (w.company, w.period, w.code, w.message))
    cross = []
    if explain:
        pulled = sorted({record.console_company for record in records.values()})
        answers = {(name, period): pull.billing(period, name) for name in pulled for period in pull.periods}
        cross = storage_checks(builder.users, details, answers)
    return Pulled(Usage(records, usage_digest(records, repository)), warnings, cross)


def usage_digest(records: Mapping[tuple[str, Period], UsageRecord], repository: Repository) -> str:
    """SHA-256 of the snapshot text of what a plan bills: the configured companies' figures alone
    (provenance, notes and `unmapped_*` left out).

    Billed figures only, so a plan made for leakage (`plan --leakage --out`) is not stale for the
    apply that reads the configured companies only, nor a plan stale because it was read later.
    """
    configured = {c.console_company for c in repository.companies}
    figures = {
        key: replace(record, provenance=None, notes=(), unmapped_licenses={}, unmapped_storage={})
        for key, record in records.items()
        if record.console_company in configured
    }
    return hashlib.sha256(dump_usage(Usage(figures)).encode("utf-8")).hexdigest()


class ConsolePull:
    """The reads of one pull: the lists once, then per user and month, at most `concurrency` at once."""

    def __init__(self, console: ConsoleClient, periods: Sequence[Period], concurrency: int) -> None:
        self.console = console
        self.periods = list(periods)
        self.concurrency = max(1, concurrency)

    def state(self) -> ConsoleState:
        return read_console_state(self.console)

    def details(self, user_ids: Sequence[str]) -> dict[tuple[str, Period], list[wire.DetailRow]]:
        asks = [(user_id, period) for user_id in user_ids for period in self.periods]

        def ask(key: tuple[str, Period]) -> list[wire.DetailRow]:
            user_id, period = key
            body = {"UserID": user_id, "Date": period.first_day.isoformat()}
            return wire.details(self.console.call("PUT", "/api/Billing/Details", body))

        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            answers = list(pool.map(ask, asks))
        return dict(zip(asks, answers, strict=True))

    def billing(self, period: Period, company: str = "") -> wire.Billing:
        """`PUT /api/Billing` of a month: every user (no CompanyName), or one company's."""
        body = {"CompanyName": company, "Date": period.first_day.isoformat()}
        return wire.billing(self.console.call("PUT", "/api/Billing", body))
