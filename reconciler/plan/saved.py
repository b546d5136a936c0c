"""A saved plan is a review token: the changes a reviewer read, compared with the changes computed now.

`apply --plan` never executes the saved file's changes as instructions (its digest is a plain SHA-256
that anyone can recompute): it recomputes the plan from the same inputs and goes on only when the
saved changes are the computed ones, field for field. Each difference is named — the change (action,
company, product, period, addition), the field, the saved value and the computed one — so that a
forged or mistaken plan is refused with the reason in the log.

The comparison is DeepDiff's (tree view) over the changes keyed by what identifies a change (action,
company, configuration, agreement, product, period, addition id), so that a change missing on one
side reads as "added"/"removed" and an edited one names its field path (`after.quantity`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from reconciler.plan.model import Change

ChangeKey = tuple[str, str, str, int, str, str, int]


def change_key(change: Change) -> ChangeKey:
    """What identifies a change within a plan: the diff makes at most one change per key."""
    return (
        change.action.value,
        change.company,
        change.configuration,
        change.agreement_id,
        change.product,
        str(change.period),
        change.addition_id or 0,
    )


def describe(change: Change) -> str:
    """`create ACME MBS-SERVER 2026-10 (configuration licenses, agreement 1)`, `… #9` for an addition."""
    addition = f" #{change.addition_id}" if change.addition_id else ""
    return (
        f"{change.action.value} {change.company} {change.product} {change.period}{addition} "
        f"(configuration {change.configuration}, agreement {change.agreement_id})"
    )


def _comparable(change: Change) -> dict[str, object]:
    """Everything a change carries beside its key, as plain values (what apply would write)."""
    return {
        "reason": change.reason.value,
        "agreement_name": change.agreement_name,
        "product_id": change.product_id,
        "before": None if change.before is None else dict(change.before),
        "after": None if change.after is None else dict(change.after),
        "changed": list(change.changed),
        "serial_number": change.serial_number,
    }


def _keyed(changes: Iterable[Change], side: str, problems: list[str]) -> dict[str, dict[str, object]]:
    listed = list(changes)
    counts = Counter(change_key(c) for c in listed)
    for change in listed:
        if counts[change_key(change)] > 1:
            problems.append(f"the {side} plan has {describe(change)} {counts[change_key(change)]} times")
            counts[change_key(change)] = 1  # named once
    return {describe(c): _comparable(c) for c in listed}


def _shown(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def change_differences(saved: Sequence[Change], computed: Sequence[Change]) -> list[str]:
    """Each way the saved changes differ from the computed ones; empty when they are the same."""
    from deepdiff import DeepDiff  # only `apply --plan` compares plans: keep it off other commands

    problems: list[str] = []
    saved_keyed = _keyed(saved, "saved", problems)
    computed_keyed = _keyed(computed, "computed", problems)
    tree = DeepDiff(saved_keyed, computed_keyed, view="tree", verbose_level=2)
    found: list[tuple[str, str]] = []
    for kind, levels in tree.items():
        for level in levels:
            change, *parts = level.path(output_format="list")
            field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")
            if kind == "dictionary_item_removed" and not field:
                found.append((change, f"{change}: in the saved plan, not in the plan computed now"))
            elif kind == "dictionary_item_added" and not field:
                found.append((change, f"{change}: in the plan computed now, not in the saved plan"))
            else:
                saved_value = None if kind.endswith("_added") else level.t1
                computed_value = None if kind.endswith("_removed") else level.t2
                found.append(
                    (
                        change,
                        f"{change}: {field}: saved {_shown(saved_value)}, computed {_shown(computed_value)}",
                    )
                )
    return problems + [text for _, text in sorted(found)]
