"""The Management Console (MBS provider API) client: usage pulled per company and month.

Read-only, on an injected `httpx.Client` (STYLE §5). It logs in with `POST /api/Provider/Login`,
caches the bearer token for the run and logs in again once when a call answers 401 or 403
(mbs-api §2); retries 429/5xx through `reconciler.httpclient`; reads Companies, Users, Licenses,
Accounts and Packages once and `PUT /api/Billing/Details` per user and month (the recipe of
mbs-api §9 as fixed by the emulation contract), at most `concurrency` requests at a time. Neither
the password nor the token ever appears in an error or a log line.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
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
    request_with_retries,
    require_safe_url,
    retry_after,
)
from reconciler.usage import console_wire as wire
from reconciler.usage.console_map import ConsoleState, UsageBuilder
from reconciler.usage.model import Usage
from reconciler.usage.yamlwrite import dump_usage

log = logging.getLogger("cwbill.console")

LOGIN = "/api/Provider/Login"
AUTH_STATUSES = frozenset({401, 403})


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
            if response.status_code in AUTH_STATUSES:
                raise UserError(
                    f"the Management Console refused the login (HTTP {response.status_code}: "
                    f"{self._message(response)}); check MBS_USERNAME and MBS_PASSWORD"
                )
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
        """The API's `Message`, or the status reason; the credentials scrubbed should it echo them."""
        try:
            body = json.loads(response.content or b"null", parse_float=Decimal)
        except ValueError:
            body = None
        text = str(body.get("Message") or "") if isinstance(body, dict) else ""
        text = text or response.reason_phrase or "no message"
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
) -> tuple[Usage, list[PlanWarning]]:
    """The usage of every configured company the console has, for each of `periods`.

    The console's URL is `base_url`, else the client's own `base_url`, else `settings.console_url`
    (callers pass `MBS_URL` when set). The digest of the result is the SHA-256 of its snapshot
    text, so equal usage gives an equal fingerprint.
    """
    url = base_url or str(client.base_url) or repository.settings.console_url
    console = ConsoleClient(client, url, username, password, policy=policy)
    state = read_console_state(console)
    builder = UsageBuilder(repository, state)
    asks = [(user.id, period) for user in builder.users for period in sorted(set(periods))]

    def ask(key: tuple[str, Period]) -> list[wire.DetailRow]:
        user_id, period = key
        body = {"UserID": user_id, "Date": period.first_day.isoformat()}
        return wire.details(console.call("PUT", "/api/Billing/Details", body))

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        answers = list(pool.map(ask, asks))
    records = builder.build(sorted(set(periods)), dict(zip(asks, answers, strict=True)))
    digest = hashlib.sha256(dump_usage(Usage(records)).encode("utf-8")).hexdigest()
    warnings = sorted(builder.warnings, key=lambda w: (w.company, w.period, w.code, w.message))
    return Usage(records, digest), warnings
