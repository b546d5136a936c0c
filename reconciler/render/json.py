"""The plan as JSON (billing-format.md, "JSON plan"): what `--out PLAN.json` saves, `apply --plan` reads.

Deterministic (sorted keys, money as decimal strings with at least two places, lists in plan order),
so the same plan is the same bytes and a plan diff in a pull request shows only real change.
`plan_digest`, computed last, is the SHA-256 of the canonical JSON of everything else: a plan edited
by hand is named as such at apply. The digest is no proof — anyone can recompute it —, so apply
also compares the saved changes with the ones it computes (`reconciler.plan.saved`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from reconciler.config.schema import check_data
from reconciler.engine.money import decimal_places, fixed
from reconciler.errors import UserError
from reconciler.plan.model import FORMAT_VERSION, Change, Fields, Plan, Totals
from reconciler.plan.review import NO_REVIEW, Review
from reconciler.render.jsonread import PlanDecodeError, decode_plan, parse_json
from reconciler.render.jsontext import Raw, dumps_at, dumps_indented

SCHEMA_KIND = "plan"
_MAX_VIOLATIONS_SHOWN = 10


CHANGE_NEWLINE = "\n    "  # where a change's lines start: an item of the top-level `changes` list
_NO_CHANGES = '"changes":[]'  # the canonical text of the key with its changes left out


class ChangeTexts:
    """The JSON text of changes, made ahead (while a plan's reads still arrive, `RunOptions.json_plan`):
    `plan_to_json(texts=…)` copies them for the changes of its plan found here — the very objects,
    not equal ones — and writes the same bytes it writes without them."""

    def __init__(self) -> None:
        self._texts: dict[int, tuple[Change, str, Raw]] = {}

    def add(self, changes: Iterable[Change]) -> None:
        for change in changes:
            fields = _change(change)
            self._texts[id(change)] = (change, _canonical(fields), Raw(dumps_at(fields, CHANGE_NEWLINE)))

    def of(self, changes: Sequence[Change]) -> tuple[list[str], list[Raw]] | None:
        """The canonical and the indented text of each of `changes`, or None when one was not added."""
        found = [self._texts.get(id(change)) for change in changes]
        if any(text is None or text[0] is not change for text, change in zip(found, changes, strict=True)):
            return None
        return [text[1] for text in found if text], [text[2] for text in found if text]


def plan_to_json(
    plan: Plan, review: Review = NO_REVIEW, *, show_cost: bool = False, texts: ChangeTexts | None = None
) -> str:
    """The plan as JSON text (UTF-8, two-space indent, sorted keys, trailing newline).

    `review` (the review aids' notes) is written only when it has any, so a plan without notes is
    the same bytes as before the aids; it is inside the digest like everything else, yet never read
    back: apply compares the changes only. Its messages carry cost values only with `show_cost`.
    `texts`: the changes' text made ahead, where it has them (the same bytes)."""
    ahead = None if texts is None else texts.of(plan.changes)
    body = _body(plan, changes=ahead is None)
    _add_review(body, review, show_cost)
    if ahead is not None:
        canonical = _canonical(body)
        if canonical.count(_NO_CHANGES) == 1:  # else the full body is written below, as always
            compact, indented = ahead
            spliced = canonical.replace(_NO_CHANGES, '"changes":[' + ",".join(compact) + "]")
            body["plan_digest"] = _sha256(spliced)
            body["changes"] = indented
            return dumps_indented(body) + "\n"
        body = _body(plan)
        _add_review(body, review, show_cost)
    body["plan_digest"] = plan_digest(body)
    return dumps_indented(body) + "\n"


def _add_review(body: dict[str, object], review: Review, show_cost: bool) -> None:
    if review.notes:
        body["review"] = [
            {
                "aid": note.aid.value,
                "company": note.company,
                "period": str(note.period),
                "message": note.text(show_cost=show_cost),
            }
            for note in review.notes
        ]


def plan_from_json(text: str, source: str) -> Plan:
    """The `Plan` saved in `text` (read from `source`, named in every error), checked and verified."""
    data = parse_json(text, source)
    version = data.get("format_version")
    if "format_version" not in data:
        raise UserError(f"{source}: not a cwbill plan (it has no format_version)")
    if type(version) is not int or version != FORMAT_VERSION:
        raise UserError(
            f"{source}: format_version {_shown(version)} is not one this cwbill reads "
            f"(it reads {FORMAT_VERSION}); make a new plan with this cwbill"
        )
    body = {key: value for key, value in data.items() if key != "plan_digest"}
    claimed = data.get("plan_digest")
    # The digest first: a hand edit is named as such, whatever else it broke.
    if isinstance(claimed, str) and claimed != plan_digest(body):
        raise UserError(f"{source}: the plan was edited by hand (its digest does not match); make a new plan")
    violations = check_data(data, SCHEMA_KIND)
    if violations:
        shown = violations[:_MAX_VIOLATIONS_SHOWN]
        more = len(violations) - len(shown)
        extra = f"; and {more} more" if more > 0 else ""
        raise UserError(f"{source}: not a valid cwbill plan: {'; '.join(shown)}{extra}")
    try:
        return decode_plan(body)
    except PlanDecodeError as exc:
        raise UserError(f"{source}: not a valid cwbill plan: {exc}") from None


def plan_digest(body: Mapping[str, object]) -> str:
    """SHA-256 (hex) of the canonical JSON of `body`: sorted keys, no whitespace, UTF-8."""
    return _sha256(_canonical(body))


def _canonical(value: object) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_number_for_digest
    )


def _sha256(canonical: str) -> str:
    # surrogatepass: a lone surrogate read from a (hostile) JSON file must not crash the check
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _shown(value: object) -> str:
    text = str(value) if isinstance(value, Decimal) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def _number_for_digest(value: object) -> str:
    """A number with a point, read from a plan as `Decimal`: cwbill never writes one (money is text)."""
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def decimal_text(value: Decimal) -> str:
    """Exact decimal text with at least two places: `Decimal("1234.5")` → `"1234.50"`."""
    return fixed(value, max(2, decimal_places(value)))


def _body(plan: Plan, *, changes: bool = True) -> dict[str, object]:
    """The plan's fields; with `changes=False` its `changes` left empty (their text made ahead)."""
    selection = plan.selection
    summary = plan.summary
    fingerprint = plan.fingerprint
    return {
        "format_version": FORMAT_VERSION,
        "as_of": plan.as_of.isoformat(),
        "periods": [str(period) for period in plan.periods],
        "selection": {
            "as_of": selection.as_of.isoformat(),
            "period": None if selection.period is None else str(selection.period),
            "companies": list(selection.companies),
            "adopt": selection.adopt,
        },
        "currency": plan.currency,
        "unit_price_places": plan.unit_price_places,
        "summary": {
            "create": summary.create,
            "update": summary.update,
            "delete": summary.delete,
            "unchanged": summary.unchanged,
            "owned_in_scope": summary.owned_in_scope,
        },
        "warnings": [
            {
                "code": warning.code,
                "message": warning.message,
                "company": warning.company,
                "configuration": warning.configuration,
                "period": warning.period,
            }
            for warning in plan.warnings
        ],
        "changes": [_change(change) for change in plan.changes] if changes else [],
        "billed_total": _totals(plan, billed=True),
        "cost_total": _totals(plan, billed=False),
        "fingerprint": {
            "digest": fingerprint.digest,
            "repository": dict(fingerprint.repository),
            "usage": fingerprint.usage,
            "scope": fingerprint.scope,
            "additions": {str(addition): updated for addition, updated in fingerprint.additions.items()},
        },
        "unowned": list(plan.unowned),
    }


def _change(change: Change) -> dict[str, object]:
    return {
        "action": change.action.value,
        "reason": change.reason.value,
        "company": change.company,
        "configuration": change.configuration,
        "agreement_id": change.agreement_id,
        "agreement_name": change.agreement_name,
        "product": change.product,
        "product_id": change.product_id,
        "period": str(change.period),
        "addition_id": change.addition_id,
        "before": _fields(change.before),
        "after": _fields(change.after),
        "changed": list(change.changed),
        "serial_number": change.serial_number,
    }


def _fields(fields: Fields | None) -> dict[str, str | None] | None:
    return None if fields is None else dict(fields)


def _totals(plan: Plan, *, billed: bool) -> dict[str, object]:
    def pair(totals: Totals) -> dict[str, str]:
        before, after = (
            (totals.billed_before, totals.billed_after) if billed else (totals.cost_before, totals.cost_after)
        )
        return {"before": decimal_text(before), "after": decimal_text(after)}

    return {
        **pair(plan.totals),
        "by_company": {company: pair(totals) for company, totals in plan.totals_by_company.items()},
    }
