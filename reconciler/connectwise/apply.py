"""Executing a plan against ConnectWise: one write per change, journaled, converging.

Creates POST the addition with cwbill's marker; updates PATCH only the changed fields and the new
marker; deletes DELETE (an addition already gone counts as deleted). A POST is never retried
blindly: after an ambiguous failure (timeout, lost connection, 5xx) the agreement's additions are
read again and the line is looked for by its marker and natural key before it is created again
(connectwise-api §7). Independent changes go on after a failure; each failure is reported and the
next run converges.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import httpx

from reconciler.connectwise.client import ConnectWiseClient, ConnectWiseError, decode, error_message
from reconciler.connectwise.journal import Journal
from reconciler.connectwise.live import parse_addition
from reconciler.httpclient import RetriesExhausted
from reconciler.plan.fields import MONEY_FIELDS
from reconciler.plan.model import Action, Change, Plan

NUMBER_FIELDS = MONEY_FIELDS | {"quantity"}
DATE_FIELDS = frozenset({"effectiveDate", "cancelledDate"})


@dataclass(frozen=True, slots=True)
class WriteResult:
    change: Change
    ok: bool
    status: int | None
    message: str = ""
    addition_id: int | None = None


@dataclass(frozen=True, slots=True)
class ApplyReport:
    results: tuple[WriteResult, ...]

    @property
    def failures(self) -> tuple[WriteResult, ...]:
        return tuple(r for r in self.results if not r.ok)


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
    def __init__(self, client: ConnectWiseClient, journal: Journal, attempts: int = 3) -> None:
        self.client = client
        self.journal = journal
        self.attempts = attempts

    def apply(self, plan: Plan, progress: Callable[[WriteResult], None] | None = None) -> ApplyReport:
        def one(change: Change) -> WriteResult:
            try:
                result = self.write(change)
            except (ConnectWiseError, RetriesExhausted, httpx.HTTPError) as exc:
                result = WriteResult(change, False, None, _describe(exc))
                self.journal.record(change, "failed", message=result.message)
            if progress is not None:
                progress(result)
            return result

        return ApplyReport(tuple(self.client.map_concurrently(one, list(plan.changes))))

    def write(self, change: Change) -> WriteResult:
        if change.action is Action.CREATE:
            return self.create(change)
        if change.action is Action.UPDATE:
            return self.update(change)
        return self.delete(change)

    def create(self, change: Change) -> WriteResult:
        body = create_body(change)
        for _ in range(self.attempts):
            self.journal.record(change, "sending", sent=body)
            try:
                response = self.client.create_addition(change.agreement_id, body)
            except (httpx.TransportError, RetriesExhausted) as exc:
                found = self.find_created(change)
                self.journal.record(change, "ambiguous", addition_id=found, message=_describe(exc))
                if found is not None:
                    return self._done(change, "recovered", None, found)
                continue
            if response.status_code == 201:
                created = decode(response)
                new_id = created.get("id") if isinstance(created, Mapping) else None
                return self._done(change, "created", 201, new_id if isinstance(new_id, int) else None)
            if response.status_code >= 500:
                found = self.find_created(change)
                self.journal.record(change, "ambiguous", status=response.status_code, addition_id=found)
                if found is not None:
                    return self._done(change, "recovered", response.status_code, found)
                continue
            return self._failed(change, response)
        return self._failed_text(change, f"create not confirmed after {self.attempts} attempts")

    def find_created(self, change: Change) -> int | None:
        """After an ambiguous POST: the addition with this change's marker and natural key, if any."""
        records = self.client.additions_of(change.agreement_id, [change.period])
        for record in records:
            addition = parse_addition(record, change.agreement_id)
            if (
                addition.serial_number == change.serial_number
                and addition.product.casefold() == change.product.casefold()
                and addition.period == change.period
            ):
                return addition.id
        return None

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

    def _done(self, change: Change, event: str, status: int | None, addition_id: int | None) -> WriteResult:
        self.journal.record(change, event, status=status, addition_id=addition_id)
        return WriteResult(change, True, status, event, addition_id)

    def _failed(self, change: Change, response: httpx.Response) -> WriteResult:
        message = f"{response.status_code} {error_message(response)}"
        self.journal.record(change, "failed", status=response.status_code, message=message)
        return WriteResult(change, False, response.status_code, message)

    def _failed_text(self, change: Change, message: str) -> WriteResult:
        self.journal.record(change, "failed", message=message)
        return WriteResult(change, False, None, message)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
