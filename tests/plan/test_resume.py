"""Resuming a saved plan: an earlier apply's own writes are recognised by marker and fields, and
nothing else is."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from reconciler.connectwise.live import LiveAddition
from reconciler.plan.marker import marker_for
from reconciler.plan.model import Action, Change, Fingerprint, Plan, Reason
from reconciler.plan.resume import Resumption, resume_of
from tests.render.plans import NOV, plan_of

AFTER = {
    "quantity": "4",
    "unitPrice": "15.00",
    "billCustomer": "Billable",
    "effectiveDate": "2026-11-01",
    "cancelledDate": "2026-11-30",
}
MARKER = marker_for("licenses", {**AFTER, "unitPrice": "15"})  # the digest normalises decimals


def _change(action: Action, addition_id: int | None, product: str = "MBS-SERVER") -> Change:
    before = None if action is Action.CREATE else {**AFTER, "quantity": "3"}
    return Change(
        action=action,
        reason={Action.CREATE: Reason.NEW, Action.UPDATE: Reason.CHANGED, Action.DELETE: Reason.REMOVED}[
            action
        ],
        company="ACME",
        configuration="licenses",
        agreement_id=1,
        agreement_name="Managed Backup Service",
        product=product,
        period=NOV,
        addition_id=addition_id,
        before=before,
        after=None if action is Action.DELETE else AFTER,
        changed=("quantity",) if action is Action.UPDATE else (),
        serial_number=None if action is Action.DELETE else MARKER,
        product_id=101 if action is Action.CREATE else None,
    )


CREATE, UPDATE, DELETE = _change(Action.CREATE, None), _change(Action.UPDATE, 12), _change(Action.DELETE, 14)
READ = {12: "t1", 14: "t2", 100: "t3"}  # what the saved plan read: its update, its delete, another line


def _saved() -> Plan:
    plan = plan_of((CREATE, UPDATE, DELETE))
    return replace(plan, fingerprint=replace(plan.fingerprint, additions=READ))


def _line(
    addition_id: int, quantity: str = "4", serial: str | None = MARKER, product: str = "MBS-SERVER"
) -> LiveAddition:
    return LiveAddition(
        id=addition_id,
        agreement_id=1,
        product=product,
        quantity=Decimal(quantity),
        unit_price=Decimal("15.0000"),
        unit_cost=None,
        bill_customer="Billable",
        effective_date=dt.date(2026, 11, 1),
        cancelled_date=dt.date(2026, 11, 30),
        invoice_description=None,
        serial_number=serial,
        last_updated="t9",
    )


def _now(
    moved: list[LiveAddition], gone: tuple[int, ...] = (), **fields: str
) -> tuple[Fingerprint, dict[int, LiveAddition]]:
    additions = {i: t for i, t in READ.items() if i not in gone} | {a.id: a.last_updated for a in moved}
    return replace(_saved().fingerprint, additions=additions, **fields), {a.id: a for a in moved}


CASES = [
    ("nothing moved: all of it is left", _now([]), (), (CREATE, UPDATE, DELETE), (), ()),
    ("its create landed", _now([_line(200)]), (CREATE,), (UPDATE, DELETE), (), ()),
    ("its create landed twice", _now([_line(200), _line(201)]), (CREATE,), (UPDATE, DELETE), (201,), ()),
    ("its update was written", _now([_line(12)]), (UPDATE,), (CREATE, DELETE), (), ()),
    ("its delete was made", _now([], gone=(14,)), (DELETE,), (CREATE, UPDATE), (), ()),
    (
        "all of it was written",
        _now([_line(200), _line(12)], gone=(14,)),
        (CREATE, UPDATE, DELETE),
        (),
        (),
        (),
    ),
    (
        "its created line edited by hand since",
        _now([_line(200, quantity="5")]),
        (),
        (CREATE, UPDATE, DELETE),
        (),
        ("addition #200 appeared in ConnectWise since the plan",),
    ),
    (
        "a line with another product appeared",
        _now([_line(200, product="MBS-SQL")]),
        (),
        (CREATE, UPDATE, DELETE),
        (),
        ("addition #200 appeared in ConnectWise since the plan",),
    ),
    (
        "its updated line carries another marker",
        _now([_line(12, serial="cwbill:licenses:00000000")]),
        (),
        (CREATE, UPDATE, DELETE),
        (),
        ("addition #12 was edited in ConnectWise since the plan (t1 → t9)",),
    ),
    (
        "the line it updates was deleted",
        _now([], gone=(12,)),
        (),
        (CREATE, UPDATE, DELETE),
        (),
        ("addition #12 was deleted in ConnectWise since the plan",),
    ),
    (
        "a line it only read was edited",
        _now([_line(100)]),
        (),
        (CREATE, UPDATE, DELETE),
        (),
        ("addition #100 was edited in ConnectWise since the plan (t3 → t9)",),
    ),
    (
        "the usage changed",
        _now([_line(200)], usage="e" * 64),
        (CREATE,),
        (UPDATE, DELETE),
        (),
        ("the usage changed since the plan",),
    ),
]


@pytest.mark.parametrize(
    ("now", "done", "remaining", "duplicates", "stale"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_only_the_plans_own_writes_are_taken_as_done(
    now: tuple[Fingerprint, dict[int, LiveAddition]],
    done: tuple[Change, ...],
    remaining: tuple[Change, ...],
    duplicates: tuple[int, ...],
    stale: tuple[str, ...],
) -> None:
    current, moved = now
    assert resume_of(_saved(), current, moved) == Resumption(done, remaining, duplicates, stale)


@pytest.mark.parametrize(
    ("resumption", "applied"),
    [
        (Resumption((CREATE,), (), (), ()), True),
        (Resumption((CREATE,), (UPDATE,), (), ()), False),
        (Resumption((), (), (), ()), False),  # a plan without changes was never "applied"
    ],
    ids=["all done", "one left", "nothing to do at all"],
)
def test_a_plan_is_applied_when_all_of_its_changes_are_done(resumption: Resumption, applied: bool) -> None:
    assert resumption.applied is applied
