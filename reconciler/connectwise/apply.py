"""Executing a plan against ConnectWise: one write per change, journaled, converging, verified.

Creates POST the addition with cwbill's marker; updates PATCH only the changed fields and the new
marker; deletes DELETE (an addition already gone counts as deleted). A POST is never retried
blindly (connectwise-api §7: no idempotency key): after an ambiguous failure the agreement's
additions are read again and the line is looked for by its marker and natural key. When the server
answered (500, 503) and the line is not there, it is created again after a pause. When it did not
answer — a timeout, a broken connection, a gateway's 502/504 — the request may still be in flight
and commit later, so the create is *unsettled*: not sent again before a settle window (twice the
client's timeout) has passed since it was sent. Independent changes go on after a failure; each
failure is reported and the next run converges.

After the writes, `verify` re-reads each agreement this run created lines on (once the settle
window of every unsettled POST has passed): an unsettled create found there has landed, one still
missing is sent once more, and exact duplicates of a created line — from a late commit or another
cwbill writing at the same time — are deleted, keeping the lowest id as the diff does
(billing-rules §6), so two writers agree on the line that stays.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

import httpx

from reconciler.connectwise.client import ConnectWiseClient, ConnectWiseError, decode, error_message
from reconciler.connectwise.journal import Journal
from reconciler.connectwise.read import read_agreement_additions
from reconciler.httpclient import RetriesExhausted, retry_after
from reconciler.plan.fields import MONEY_FIELDS
from reconciler.plan.model import Action, Change, Plan, Reason
from reconciler.plan.resume import same_line

log = logging.getLogger("cwbill.apply")

NUMBER_FIELDS = MONEY_FIELDS | {"quantity"}
DATE_FIELDS = frozenset({"effectiveDate", "cancelledDate"})
# Answers after which the server has finished with the request (a re-read is conclusive); a
# gateway's 502/504 is not one of them: the origin behind it may still commit.
SETTLED_STATUSES = frozenset({500, 503})
WRITE_ERRORS = (ConnectWiseError, RetriesExhausted, httpx.HTTPError)


@dataclass(frozen=True, slots=True)
class WriteResult:
    change: Change
    ok: bool
    status: int | None
    message: str = ""
    addition_id: int | None = None
    unsettled_since: float | None = None  # time.monotonic() of an unanswered POST's send
    sent: bool = True  # False: not sent at all, the apply was interrupted first


@dataclass(frozen=True, slots=True)
class ApplyReport:
    results: tuple[WriteResult, ...]
    interrupted: bool = False  # stopped by a signal: the writes not yet sent were not sent

    @property
    def failures(self) -> tuple[WriteResult, ...]:
        return tuple(r for r in self.results if not r.ok and r.sent)

    @property
    def not_sent(self) -> tuple[WriteResult, ...]:
        return tuple(r for r in self.results if not r.sent)


def wire_value(field: str, text: str | None) -> object:
    """A plan field's text as ConnectWise takes it (decimals exact, dates at midnight UTC)."""
    if text is None:
        return None
    if field in NUMBER_FIELDS:
        return Decimal(text)
    if field in DATE_FIELDS:
        return f"{dt.date.fromisoformat(text).isoformat()}T00:00:00Z"
    return text


def create_body(change: Change) -> dict[str, object]:
    assert change.after is not None and change.product_id is not None
    body: dict[str, object] = {"product": {"id": change.product_id}}
    for field, text in change.after.items():
        if text is not None:
            body[field] = wire_value(field, text)
    body["serialNumber"] = change.serial_number
    return body


def patch_operations(change: Change) -> list[dict[str, object]]:
    assert change.after is not None
    operations: list[dict[str, object]] = [
        {"op": "replace", "path": field, "value": wire_value(field, change.after.get(field))}
        for field in change.changed
    ]
    operations.append({"op": "replace", "path": "serialNumber", "value": change.serial_number})
    return operations


class Applier:
    """Writes a plan. `stop`, once set (a signal), ends the apply cleanly: no new write is sent, the
    ones in flight finish or time out, each change not sent is journaled as such, and the creates
    are not verified (the next apply, of the same saved plan or a new one, settles them)."""

    def __init__(
        self,
        client: ConnectWiseClient,
        journal: Journal,
        attempts: int = 3,
        stop: threading.Event | None = None,
    ) -> None:
        self.client = client
        self.journal = journal
        self.attempts = attempts
        self.stop = stop or threading.Event()

    def apply(self, plan: Plan, progress: Callable[[WriteResult], None] | None = None) -> ApplyReport:
        def one(change: Change) -> WriteResult:
            result = self.attempt(change) if not self.stop.is_set() else self._not_sent(change)
            if progress is not None and result.sent:
                progress(result)
            return result

        results = self.client.map_concurrently(one, list(plan.changes))
        if self.stop.is_set():
            return ApplyReport(tuple(results), interrupted=True)
        results = self.verify(results)
        # An unanswered create still missing once the settle window has passed is sent once more:
        # a late commit is now as unlikely as it would be for the next run, which would send it too.
        again = [i for i, r in enumerate(results) if not r.ok and r.unsettled_since is not None]
        if again and not self.stop.is_set():
            log.info("sending %d unanswered creates again after the settle window", len(again))
            retried = self.client.map_concurrently(lambda i: self.attempt(results[i].change), again)
            for index, result in zip(again, retried, strict=True):
                results[index] = result
            results = self.verify(results, only=again)
        return ApplyReport(tuple(results), interrupted=self.stop.is_set())

    def attempt(self, change: Change) -> WriteResult:
        """One change written (with its recovery); a failure is a result, never an exception."""
        try:
            result = self.write(change)
        except WRITE_ERRORS as exc:
            result = WriteResult(change, False, None, _describe(exc))
            self.journal.record(change, "failed", message=result.message)
        outcome = result.message if result.ok else f"failed: {result.message}"
        where = f" (#{result.addition_id})" if result.ok and result.addition_id else ""
        log.info("%s %s: %s%s", change.action.value, _name(change), outcome, where)
        return result

    def write(self, change: Change) -> WriteResult:
        if change.action is Action.CREATE:
            return self.create(change)
        if change.action is Action.UPDATE:
            return self.update(change)
        return self.delete(change)

    def create(self, change: Change) -> WriteResult:
        body = create_body(change)
        for attempt in range(1, self.attempts + 1):
            if attempt > 1 and self.stop.is_set():  # the server said it is not there: stop here
                return self._failed_text(change, "interrupted before it was sent again")
            self.journal.record(change, "sending", sent=body)
            log.debug("POST %s: %s", _name(change), change.serial_number)
            sent_at = time.monotonic()
            try:
                response = self.client.create_addition(change.agreement_id, body)
            except RetriesExhausted as exc:  # never sent: every attempt failed to connect
                self.journal.record(change, "failed", message=_describe(exc))
                return WriteResult(change, False, None, _describe(exc))
            except httpx.TimeoutException as exc:  # sent, unanswered: it may still be in flight
                return self._unanswered(change, _describe(exc), None, sent_at, in_flight=True)
            except httpx.TransportError as exc:  # the connection broke: done, or a proxy gave up
                return self._unanswered(change, _describe(exc), None, sent_at)
            if response.status_code == 201:
                new_id = _new_id(response)
                if new_id is not None:
                    return self._done(change, "created", 201, new_id)
                return self._unanswered(change, "201 without an id", 201, sent_at)
            if response.status_code in SETTLED_STATUSES:
                self.journal.record(change, "ambiguous", status=response.status_code)
                found = self.find_created(change)
                if found is not None:
                    return self._done(change, "recovered", response.status_code, found)
                # the server is done with it and the line is not there: send it again, after a pause
                policy = self.client.policy
                pause = retry_after(response)
                policy.sleep(min(policy.backoff(attempt) if pause is None else pause, policy.max_delay))
                continue
            if response.status_code >= 500:  # a gateway's 502/504: the origin may still be at it
                status = response.status_code
                return self._unanswered(change, str(status), status, sent_at, in_flight=True)
            return self._failed(change, response)
        message = (
            f"create not confirmed after {self.attempts} attempts (the last answered HTTP "
            f"{response.status_code}: {error_message(response)}); the line is not in ConnectWise"
        )
        self.journal.record(change, "failed", status=response.status_code, message=message)
        return WriteResult(change, False, response.status_code, message)

    def _unanswered(
        self, change: Change, why: str, status: int | None, sent_at: float, *, in_flight: bool = False
    ) -> WriteResult:
        """A POST without a conclusive answer: recovered if the line is there, else unsettled.

        After a timeout the request may still be in flight even when a line is found (an earlier
        run's late commit, say), so verification waits for it either way (`unsettled_since`)."""
        self.journal.record(change, "ambiguous", status=status, message=why)
        try:
            found = self.find_created(change)
        except WRITE_ERRORS as exc:  # cannot look: all the more reason not to send it again
            found, why = None, f"{why}; re-read failed: {_describe(exc)}"
        if found is not None:
            result = self._done(change, "recovered", status, found)
            return replace(result, unsettled_since=sent_at) if in_flight else result
        message = (
            f"no answer ({why}) and the line is not in ConnectWise yet: not sent again in this run, "
            "so that a late commit cannot double it; the next run creates it if it never lands"
        )
        self.journal.record(change, "unsettled", status=status, message=message)
        return WriteResult(change, False, status, message, unsettled_since=sent_at)

    def find_created(self, change: Change) -> int | None:
        """After an ambiguous POST: the addition with this change's marker and natural key, if any."""
        lines = read_agreement_additions(self.client, change.agreement_id, [change.period])
        found = sorted(a.id for a in lines if same_line(a, change))
        return found[0] if found else None

    def update(self, change: Change) -> WriteResult:
        assert change.addition_id is not None
        operations = patch_operations(change)
        self.journal.record(change, "sending", sent=operations)
        response = self.client.patch_addition(change.agreement_id, change.addition_id, operations)
        if response.status_code == 200:
            return self._done(change, "updated", 200, change.addition_id)
        return self._failed(change, response)

    def delete(self, change: Change) -> WriteResult:
        assert change.addition_id is not None
        self.journal.record(change, "sending")
        response = self.client.delete_addition(change.agreement_id, change.addition_id)
        if response.status_code in (200, 204):
            return self._done(change, "deleted", response.status_code, change.addition_id)
        if response.status_code == 404:  # already gone (a lost response of an earlier run)
            return self._done(change, "already-deleted", 404, change.addition_id)
        return self._failed(change, response)

    # -- verification ----------------------------------------------------------------------------
    def verify(self, results: Sequence[WriteResult], only: Sequence[int] | None = None) -> list[WriteResult]:
        """Re-read the agreements this run created lines on (the results at `only`, else all);
        settle unanswered creates, and collapse exact duplicates. Deletes it makes are appended."""
        by_agreement: dict[int, list[int]] = defaultdict(list)
        for index in range(len(results)) if only is None else only:
            result = results[index]
            if result.change.action is Action.CREATE and not _refused(result):
                by_agreement[result.change.agreement_id].append(index)
        if not by_agreement:
            return list(results)
        self._settle([results[i] for group in by_agreement.values() for i in group])
        verified = list(results)

        def one(group: list[int]) -> list[WriteResult]:
            return self._verify_agreement(verified, group)

        extra = [r for group in self.client.map_concurrently(one, list(by_agreement.values())) for r in group]
        log.info(
            "verified the creates on %d agreements: %d duplicates removed", len(by_agreement), len(extra)
        )
        return verified + extra

    def _settle(self, results: Sequence[WriteResult]) -> None:
        """Wait until each unsettled POST was sent twice the timeout ago: a late commit has landed."""
        sent = [r.unsettled_since for r in results if r.unsettled_since is not None]
        if sent:
            wait = max(sent) + 2 * self.client.policy.timeout - time.monotonic()
            if wait > 0:
                log.info("waiting %.1f s for unanswered creates to land before re-reading", wait)
                self.client.policy.sleep(wait)

    def _verify_agreement(self, results: list[WriteResult], group: list[int]) -> list[WriteResult]:
        """Settle and de-duplicate the creates at `group` (indexes into `results`, updated in place)."""
        agreement_id = results[group[0]].change.agreement_id
        periods = sorted({results[i].change.period for i in group})
        try:
            lines = read_agreement_additions(self.client, agreement_id, periods)
        except WRITE_ERRORS as exc:
            message = f"could not re-read agreement {agreement_id} to verify ({_describe(exc)}); run plan"
            return [self._failed_text(results[i].change, message) for i in group if results[i].ok]
        extra: list[WriteResult] = []
        for index in group:
            result = results[index]
            same = sorted(a.id for a in lines if same_line(a, result.change))
            if not result.ok and same:
                results[index] = self._done(result.change, "landed", None, same[0])
            elif result.ok and not same:
                self.journal.record(result.change, "missing", message="created, then gone on re-read")
            extra += [self._collapse(result.change, duplicate) for duplicate in same[1:]]
        return extra

    def _collapse(self, change: Change, duplicate: int) -> WriteResult:
        """Delete an exact duplicate of a line this run created (a late commit or another writer)."""
        delete = replace(
            change,
            action=Action.DELETE,
            reason=Reason.DUPLICATE,
            addition_id=duplicate,
            before=change.after,
            after=None,
            changed=(),
            serial_number=None,
        )
        log.info("%s: deleting #%d, a duplicate found on re-read", _name(change), duplicate)
        try:
            return self.delete(delete)
        except WRITE_ERRORS as exc:
            return self._failed_text(delete, _describe(exc))

    # -- outcomes --------------------------------------------------------------------------------
    def _done(self, change: Change, event: str, status: int | None, addition_id: int | None) -> WriteResult:
        self.journal.record(change, event, status=status, addition_id=addition_id)
        return WriteResult(change, True, status, event, addition_id)

    def _failed(self, change: Change, response: httpx.Response) -> WriteResult:
        message = f"{response.status_code} {error_message(response)}"
        self.journal.record(change, "failed", status=response.status_code, message=message)
        return WriteResult(change, False, response.status_code, message)

    def _not_sent(self, change: Change) -> WriteResult:
        self.journal.record(change, "not-sent", message="interrupted before it was sent")
        return WriteResult(change, False, None, "not sent (interrupted)", sent=False)

    def _failed_text(self, change: Change, message: str) -> WriteResult:
        self.journal.record(change, "failed", message=message)
        return WriteResult(change, False, None, message)


def _refused(result: WriteResult) -> bool:
    """ConnectWise refused the create (4xx): nothing can have been written."""
    return not result.ok and result.status is not None and 400 <= result.status < 500


def _new_id(response: httpx.Response) -> int | None:
    try:
        created = decode(response)
    except ConnectWiseError:
        return None
    new_id = created.get("id") if isinstance(created, Mapping) else None
    return new_id if isinstance(new_id, int) and not isinstance(new_id, bool) else None


def _name(change: Change) -> str:
    line = f"{change.company} {change.product} {change.period}"
    return f"{line} #{change.addition_id}" if change.addition_id else line


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
