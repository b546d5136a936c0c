"""One change of a plan, built from a desired line and the live addition it meets (billing-rules §6).

Create (a desired line nothing bills yet), update (only the differing managed fields; the reason
`drift` when the live fields are no longer what the marker's digest says cwbill wrote), delete, and
the `unowned-conflict` warning of a desired line that meets an unmarked addition. The plan writes the
managed fields twice for each line: as display text and, digested, in the owner marker; both come
from one pass over the fields (`display_and_normalized`).
"""

from __future__ import annotations

from reconciler.connectwise.live import LiveAddition
from reconciler.engine.model import DesiredAddition, PlanWarning
from reconciler.plan.fields import desired_values, differing, display, display_and_normalized, live_values
from reconciler.plan.marker import digest, marker_for, parse_marker
from reconciler.plan.model import Action, Change, Reason


def conflict_warning(line: DesiredAddition, ids: str, also_owned: int | None = None) -> PlanWarning:
    if also_owned is None:
        message = (
            f"addition {ids} on agreement {line.agreement_id} bills {line.product} for {line.period} "
            "without cwbill's marker; nothing is created (it would bill twice). Adopt it with --adopt, "
            "or remove it in ConnectWise"
        )
    else:
        message = (
            f"addition {ids} on agreement {line.agreement_id} bills {line.product} for {line.period} "
            f"without cwbill's marker, beside cwbill's #{also_owned}: the client may be billed twice"
        )
    unbilled = line.product if also_owned is None else ""  # beside cwbill's line, the plan bills it
    return PlanWarning(
        "unowned-conflict", line.company, line.configuration, message, str(line.period), unbilled
    )


def create(line: DesiredAddition, agreement_name: str, product_id: int | None, places: int) -> Change:
    after, canonical = display_and_normalized(desired_values(line), places)
    return Change(
        action=Action.CREATE,
        reason=Reason.NEW,
        company=line.company,
        configuration=line.configuration,
        agreement_id=line.agreement_id,
        agreement_name=agreement_name,
        product=line.product,
        period=line.period,
        addition_id=None,
        before=None,
        after=after,
        serial_number=marker_for(line.configuration, canonical),
        product_id=product_id,
    )


def update(
    line: DesiredAddition,
    addition: LiveAddition,
    reason: Reason | None,
    agreement_name: str,
    places: int,
    *,
    force_marker: bool,
) -> Change | None:
    wanted = desired_values(line)
    current = live_values(addition, wanted.keys())
    changed = differing(wanted, current)
    if not changed and not force_marker:
        return None  # equal managed fields: unchanged, whatever the digest says (§6)
    before, current_canonical = display_and_normalized(current, places)
    after, wanted_canonical = display_and_normalized(wanted, places)
    if reason is None:
        marker = parse_marker(addition.serial_number)
        edited = marker is not None and marker.digest != digest(current_canonical)
        reason = Reason.DRIFT if edited else Reason.CHANGED
    return Change(
        action=Action.UPDATE,
        reason=reason,
        company=line.company,
        configuration=line.configuration,
        agreement_id=line.agreement_id,
        agreement_name=agreement_name,
        product=line.product,
        period=line.period,
        addition_id=addition.id,
        before=before,
        after=after,
        changed=changed,
        serial_number=marker_for(line.configuration, wanted_canonical),
    )


def delete(
    company: str,
    configuration: str,
    addition: LiveAddition,
    *,
    reason: Reason,
    agreement_name: str,
    places: int,
) -> Change:
    period = addition.period
    assert period is not None
    return Change(
        action=Action.DELETE,
        reason=reason,
        company=company,
        configuration=configuration,
        agreement_id=addition.agreement_id,
        agreement_name=agreement_name,
        product=addition.product,
        period=period,
        addition_id=addition.id,
        before=display(live_values(addition), places),
        after=None,
    )
