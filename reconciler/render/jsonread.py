"""Reading a saved plan back: strict JSON parsing, and plain data → the exact `Plan` it was made from.

`render.json.plan_from_json` checks the format version, the schema and the digest, then calls
`decode_plan`. The parser refuses what `json.loads` would silently accept (a duplicate key keeps the
last value; `NaN`) and reads numbers with a point as `Decimal`, never float.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import cast

from reconciler.engine.model import PlanWarning
from reconciler.engine.periods import Period
from reconciler.errors import UserError
from reconciler.plan.model import (
    Action,
    Change,
    Fingerprint,
    Plan,
    Reason,
    Selection,
    Summary,
    Totals,
)


class PlanDecodeError(ValueError):
    """Plain data that passed the schema but is still not a plan (e.g. `2026-02-30`)."""


class _NotJson(ValueError):
    pass


def parse_json(text: str, source: str) -> dict[str, object]:
    """The JSON object in `text`, or a `UserError` naming `source` and what is wrong."""
    try:
        data = json.loads(
            text, parse_float=Decimal, parse_constant=_refuse_constant, object_pairs_hook=_unique_keys
        )
    except json.JSONDecodeError as exc:
        raise UserError(
            f"{source}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except _NotJson as exc:
        raise UserError(f"{source}: not valid JSON: {exc}") from None
    except RecursionError:
        raise UserError(f"{source}: not a cwbill plan (nested too deeply)") from None
    if not isinstance(data, dict):
        raise UserError(f"{source}: not a cwbill plan (expected a JSON object)")
    return cast(dict[str, object], data)


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    mapping: dict[str, object] = {}
    for key, value in pairs:
        if key in mapping:
            raise _NotJson(f"the key {json.dumps(key, ensure_ascii=False)} appears twice in one object")
        mapping[key] = value
    return mapping


def _refuse_constant(name: str) -> object:
    raise _NotJson(f"{name} is not a number")


def decode_plan(body: Mapping[str, object]) -> Plan:
    """The `Plan` in schema-valid plan data (without `plan_digest`)."""
    try:
        return _plan(body)
    except (ValueError, InvalidOperation) as exc:
        raise PlanDecodeError(str(exc)) from None


def _plan(body: Mapping[str, object]) -> Plan:
    selection = _selection(_object(body["selection"]))
    if _str(body["as_of"]) != selection.as_of.isoformat():
        raise ValueError("as_of differs from selection.as_of")
    billed, cost = _object(body["billed_total"]), _object(body["cost_total"])
    summary = _object(body["summary"])
    return Plan(
        selection=selection,
        periods=tuple(Period.parse(_str(period)) for period in _list(body["periods"])),
        changes=tuple(_change(_object(change)) for change in _list(body["changes"])),
        warnings=tuple(_warning(_object(warning)) for warning in _list(body["warnings"])),
        summary=Summary(
            create=_int(summary["create"]),
            update=_int(summary["update"]),
            delete=_int(summary["delete"]),
            unchanged=_int(summary["unchanged"]),
            owned_in_scope=_int(summary["owned_in_scope"]),
        ),
        totals=_totals(billed, cost),
        totals_by_company=_totals_by_company(_object(billed["by_company"]), _object(cost["by_company"])),
        fingerprint=_fingerprint(_object(body["fingerprint"])),
        currency=_str(body["currency"]),
        unit_price_places=_int(body["unit_price_places"]),
        unowned=tuple(_int(addition) for addition in _list(body["unowned"])),
    )


def _selection(data: Mapping[str, object]) -> Selection:
    period = data["period"]
    return Selection(
        as_of=dt.date.fromisoformat(_str(data["as_of"])),
        period=None if period is None else Period.parse(_str(period)),
        companies=tuple(_str(company) for company in _list(data["companies"])),
        adopt=_bool(data["adopt"]),
    )


def _change(data: Mapping[str, object]) -> Change:
    return Change(
        action=Action(_str(data["action"])),
        reason=Reason(_str(data["reason"])),
        company=_str(data["company"]),
        configuration=_str(data["configuration"]),
        agreement_id=_int(data["agreement_id"]),
        agreement_name=_str(data["agreement_name"]),
        product=_str(data["product"]),
        period=Period.parse(_str(data["period"])),
        addition_id=_optional_int(data["addition_id"]),
        before=_fields(data["before"]),
        after=_fields(data["after"]),
        changed=tuple(_str(name) for name in _list(data["changed"])),
        serial_number=None if data["serial_number"] is None else _str(data["serial_number"]),
        product_id=_optional_int(data["product_id"]),
    )


def _fields(value: object) -> dict[str, str | None] | None:
    if value is None:
        return None
    return {name: None if text is None else _str(text) for name, text in _object(value).items()}


def _warning(data: Mapping[str, object]) -> PlanWarning:
    return PlanWarning(
        code=_str(data["code"]),
        company=_str(data["company"]),
        configuration=_str(data["configuration"]),
        message=_str(data["message"]),
        period=_str(data["period"]),
    )


def _totals(billed: Mapping[str, object], cost: Mapping[str, object]) -> Totals:
    return Totals(
        billed_before=Decimal(_str(billed["before"])),
        billed_after=Decimal(_str(billed["after"])),
        cost_before=Decimal(_str(cost["before"])),
        cost_after=Decimal(_str(cost["after"])),
    )


def _totals_by_company(billed: Mapping[str, object], cost: Mapping[str, object]) -> dict[str, Totals]:
    if billed.keys() != cost.keys():
        raise ValueError("billed_total.by_company and cost_total.by_company name different companies")
    return {company: _totals(_object(billed[company]), _object(cost[company])) for company in billed}


def _fingerprint(data: Mapping[str, object]) -> Fingerprint:
    return Fingerprint(
        repository={file: _str(sha) for file, sha in _object(data["repository"]).items()},
        usage=_str(data["usage"]),
        scope=_str(data["scope"]),
        additions={int(addition): _str(updated) for addition, updated in _object(data["additions"]).items()},
        digest=_str(data["digest"]),
    )


# Typed access to JSON values. The schema has already checked the shapes; these keep mypy honest
# and turn a gap between the schema and this reader into a clear error instead of a wrong plan.
def _object(value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise ValueError(f"expected an object, got {type(value).__name__}")
    return cast(dict[str, object], value)


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list, got {type(value).__name__}")
    return cast(list[object], value)


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {type(value).__name__}")
    return value


def _int(value: object) -> int:
    if type(value) is not int:
        raise ValueError(f"expected a whole number, got {type(value).__name__}")
    return value


def _optional_int(value: object) -> int | None:
    return None if value is None else _int(value)


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {type(value).__name__}")
    return value
