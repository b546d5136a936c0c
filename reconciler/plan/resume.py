"""Resuming a saved plan: which of its changes an earlier apply already wrote, and what is left.

After an apply of `plan.json` that exited 3 (some writes failed) or was interrupted, ConnectWise
differs from the plan's fingerprint exactly by the writes that apply made: additions that appeared
(its creates), were edited (its updates) or are gone (its deletes). Each such difference is
recognised as the plan's own write by what cwbill writes on every line — the owner marker
(billing-rules §6) — and by what the plan says: an appeared line is one of the plan's creates when
it carries that create's marker on the same agreement, product and period, and its managed fields
still hash to the marker's digest (no hand edit since); an edited line is one of the plan's updates
when it carries that update's new marker and fields; a gone line is one of the plan's deletes. No
state file is needed, so a CI re-run in a fresh workspace (without the earlier job's journal)
resumes just as well. Any other difference is stale, as before; and what is left must still be
exactly what the plan computed now says (`reconciler.plan.saved`), or nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reconciler.connectwise.live import LiveAddition
from reconciler.plan.fields import live_values, normalized
from reconciler.plan.fingerprint import addition_reason, input_reasons
from reconciler.plan.marker import digest, parse_marker
from reconciler.plan.model import Action, Change, Fingerprint, Plan
from reconciler.plan.saved import ChangeKey, change_key


@dataclass(frozen=True, slots=True)
class Resumption:
    done: tuple[Change, ...]  # the saved plan's changes already in ConnectWise (an earlier apply's)
    remaining: tuple[Change, ...]  # the saved plan's changes still to write, in plan order
    duplicates: tuple[int, ...]  # extra copies of a line the plan created (a late commit): deleted
    stale: tuple[str, ...]  # each difference that is not the plan's own write

    @property
    def applied(self) -> bool:
        """Every change of the plan is in ConnectWise (and there was at least one)."""
        return bool(self.done) and not self.remaining


def same_line(addition: LiveAddition, change: Change) -> bool:
    """The live addition is the line `change` creates: its marker, product and period."""
    return (
        addition.serial_number == change.serial_number
        and addition.product.casefold() == change.product.casefold()
        and addition.period == change.period
    )


def written_by(addition: LiveAddition, change: Change) -> bool:
    """The live addition holds what `change` wrote: its marker, and managed fields matching the
    marker's digest (so not edited by hand since)."""
    marker = parse_marker(change.serial_number)
    if marker is None or change.after is None or addition.serial_number != change.serial_number:
        return False
    if addition.agreement_id != change.agreement_id:
        return False
    return digest(normalized(live_values(addition, change.after.keys()))) == marker.digest


def resume_of(saved: Plan, current: Fingerprint, moved: Mapping[int, LiveAddition]) -> Resumption:
    """Compare the saved plan with ConnectWise now (`current`, and `moved`: each live addition whose
    `lastUpdated` is not the one the plan read)."""
    stale = input_reasons(saved.fingerprint, current)
    done: set[ChangeKey] = set()
    duplicates: list[int] = []
    planned, now = saved.fingerprint.additions, current.additions
    for addition_id in sorted(set(planned) | set(now)):
        before, after = planned.get(addition_id), now.get(addition_id)
        if before == after:
            continue
        own = _own_write(saved, addition_id, appeared=before is None, live=moved.get(addition_id))
        if own is None:
            stale.append(addition_reason(addition_id, before, after))
            continue
        if own in done and before is None:  # ids ascend: the lowest is the line kept (§6)
            duplicates.append(addition_id)
        done.add(own)
    return Resumption(
        done=tuple(c for c in saved.changes if change_key(c) in done),
        remaining=tuple(c for c in saved.changes if change_key(c) not in done),
        duplicates=tuple(duplicates),
        stale=tuple(stale),
    )


def _own_write(
    saved: Plan, addition_id: int, *, appeared: bool, live: LiveAddition | None
) -> ChangeKey | None:
    """The saved change whose write explains how addition `addition_id` moved, if one does: `live`
    is the addition now (None: it is gone)."""
    if appeared:
        creates = (c for c in saved.changes if c.action is Action.CREATE)
        found = next((c for c in creates if live and same_line(live, c) and written_by(live, c)), None)
        return None if found is None else change_key(found)
    change = next((c for c in saved.changes if c.addition_id == addition_id), None)
    if change is None:
        return None
    if live is None:
        return change_key(change) if change.action is Action.DELETE else None
    return change_key(change) if change.action is Action.UPDATE and written_by(live, change) else None
