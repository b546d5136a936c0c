"""What the text and Markdown renderers share: field order, money text, grouping and counts.

Pure functions over the plan model, so both renderers say the same thing in the same order
(billing-rules §7: per company, per agreement, each change with its reason and field diff). Costs are
confidential (billing-rules §7), so every place that lists fields takes `show_cost`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

from reconciler.engine.model import PlanWarning
from reconciler.engine.money import fixed
from reconciler.plan.marker import FIELD_ORDER
from reconciler.plan.model import Action, Change, Fields
from reconciler.plan.unowned import UnownedLine

# What no user string may carry into output as it is: C0 and C1 controls (newlines included), the
# line and paragraph separators, and bidirectional overrides (they reorder what is shown). A regex
# character class body, for `re.compile(f"[{UNSAFE_CHARACTERS}]")`.
UNSAFE_CHARACTERS = "\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
COST_FIELDS = frozenset({"unitCost"})
NOT_SET = "(not set)"
MARKER_ONLY = "(only the owner marker is written)"
HIDDEN_COST = "(a hidden cost field changes)"


@dataclass(frozen=True, slots=True)
class FieldLine:
    """One field of a change: `before` None on a create, `after` None on a delete."""

    name: str
    before: str | None
    after: str | None


def money_text(value: Decimal) -> str:
    """`1234.5` → `"1,234.50"`: rounded once by `money.fixed`, then grouped for reading."""
    return f"{Decimal(fixed(value, 2)):,f}"


def summary_line(create: int, update: int, delete: int) -> str:
    return f"{create} to create, {update} to update, {delete} to delete."


def ordered_names(fields: Fields) -> list[str]:
    """The fields in ConnectWise's managed-field order (the marker's), unknown names after, sorted."""
    known = [name for name in FIELD_ORDER if name in fields]
    return known + sorted(name for name in fields if name not in FIELD_ORDER)


def field_lines(change: Change, *, show_cost: bool) -> list[FieldLine]:
    """Create: the fields it writes; delete: the fields it removes; update: the changed ones."""
    if change.action is Action.UPDATE:
        before = change.before or {}
        after = change.after or {}
        lines = [FieldLine(name, before.get(name), after.get(name)) for name in change.changed]
    elif change.action is Action.CREATE:
        after = change.after or {}
        lines = [
            FieldLine(name, None, after[name]) for name in ordered_names(after) if after[name] is not None
        ]
    else:
        before = change.before or {}
        names = [name for name in ordered_names(before) if before[name] is not None]
        lines = [FieldLine(name, before[name], None) for name in names]
    return [line for line in lines if show_cost or line.name not in COST_FIELDS]


def empty_update_note(change: Change, *, show_cost: bool) -> str:
    """What to say for an update that shows no field: an adoption as it is, or a hidden cost."""
    if not show_cost and any(name in COST_FIELDS for name in change.changed):
        return HIDDEN_COST
    return MARKER_ONLY


def sorted_changes(changes: Iterable[Change]) -> list[Change]:
    return sorted(changes, key=lambda change: change.sort_key)


def by_company(changes: Iterable[Change]) -> list[tuple[str, list[Change]]]:
    """Changes grouped per company, companies and changes in plan order (`Change.sort_key`)."""
    return [
        (company, list(group)) for company, group in groupby(sorted_changes(changes), lambda c: c.company)
    ]


def by_agreement(changes: Iterable[Change]) -> list[tuple[tuple[int, str], list[Change]]]:
    """One company's changes grouped per agreement (id, name)."""
    return [
        (agreement, list(group))
        for agreement, group in groupby(sorted_changes(changes), lambda c: (c.agreement_id, c.agreement_name))
    ]


def counts(changes: Iterable[Change]) -> tuple[int, int, int]:
    """(creates, updates, deletes)."""
    actions = [change.action for change in changes]
    return actions.count(Action.CREATE), actions.count(Action.UPDATE), actions.count(Action.DELETE)


def warning_context(warning: PlanWarning) -> list[str]:
    """The non-empty parts of where a warning applies: company, configuration, period."""
    return [part for part in (warning.company, warning.configuration, warning.period) if part]


UNOWNED_TITLE = "Unowned additions in scope (no cwbill marker: left alone unless --adopt takes one over)"
NO_UNOWNED = "No unowned additions in scope."


def unowned_fields(line: UnownedLine, *, show_cost: bool) -> list[tuple[str, str]]:
    """An unowned addition's fields that are set, in field order; costs only with `show_cost`."""
    return [
        (name, value)
        for name in ordered_names(line.fields)
        if (value := line.fields[name]) is not None and (show_cost or name not in COST_FIELDS)
    ]


def by_unowned_agreement(
    lines: Iterable[UnownedLine],
) -> list[tuple[tuple[str, int, str], list[UnownedLine]]]:
    """Unowned additions grouped per (company, agreement id, agreement name), in listing order."""
    return [
        (key, list(group))
        for key, group in groupby(lines, lambda u: (u.company, u.agreement_id, u.agreement_name))
    ]
