"""The saved plan as a review token: each difference between saved and computed changes, named."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reconciler.plan.model import Change, Reason
from reconciler.plan.saved import change_differences
from tests.render.plans import create, delete, update

CREATE = "create ACME MBS-SERVER 2026-11 (configuration licenses, agreement 1)"
UPDATE = "update ACME MBS-DESKTOP 2026-10 #12 (configuration licenses, agreement 1)"
DELETE = "delete ACME MBS-SERVER 2026-11 #14 (configuration old-licenses, agreement 1)"
COMPUTED = (create(), update(), delete())


def _after(change: Change, **fields: str | None) -> Change:
    assert change.after is not None
    return replace(change, after={**change.after, **fields})


CASES = [
    ("the same changes", COMPUTED, []),
    (
        "a raised quantity",
        (_after(create(), quantity="1200"), update(), delete()),
        [f"{CREATE}: after.quantity: saved '1200', computed '4'"],
    ),
    (
        "a changed reason",
        (create(), replace(update(), reason=Reason.CHANGED), delete()),
        [f"{UPDATE}: reason: saved 'changed', computed 'drift'"],
    ),
    (
        "an added create",
        (create(), create(product="MBS-SQL"), update(), delete()),
        [
            "create ACME MBS-SQL 2026-11 (configuration licenses, agreement 1): in the saved plan, "
            "not in the plan computed now"
        ],
    ),
    (
        "a removed delete",
        (create(), update()),
        [f"{DELETE}: in the plan computed now, not in the saved plan"],
    ),
    (
        "a field the computed plan does not set",
        (_after(create(), unitCost=None), update(), delete()),
        [f"{CREATE}: after.unitCost: saved (none), computed '8.00'"],
    ),
    (
        "one more changed field",
        (create(), replace(update(), changed=("quantity", "unitCost", "unitPrice")), delete()),
        [f"{UPDATE}: changed[2]: saved 'unitPrice', computed (none)"],
    ),
    (
        "another marker",
        (replace(create(), serial_number="cwbill:licenses:ffffffff"), update(), delete()),
        [f"{CREATE}: serial_number: saved 'cwbill:licenses:ffffffff', computed 'cwbill:licenses:0123abcd'"],
    ),
    (
        "a delete of another addition",
        (create(), update(), replace(delete(), addition_id=15)),
        [
            f"{DELETE}: in the plan computed now, not in the saved plan",
            "delete ACME MBS-SERVER 2026-11 #15 (configuration old-licenses, agreement 1): in the saved "
            "plan, not in the plan computed now",
        ],
    ),
    (
        "a change written twice",
        (create(), create(), update(), delete()),
        [f"the saved plan has {CREATE} 2 times"],
    ),
]


@pytest.mark.parametrize(("saved", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_difference_is_named_with_its_field_and_both_values(
    saved: tuple[Change, ...], expected: list[str]
) -> None:
    assert change_differences(saved, COMPUTED) == expected
