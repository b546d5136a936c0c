"""Evaluating a parsed `conditions` AST against a rendered record, as SQL Server would.

Strings compare without case (SQL Server's default collation); `like` takes `*` and `%` for any
run, `_` for one character and `[...]` classes (DG's `[[]` escape included); numbers compare as
decimals; `[date-time]` literals against the record's date-time text; a reference's fields by
`/` paths, names without case. A null field satisfies nothing but `= null`: `!= x`, `not like`,
`not in` skip nulls, as SQL's unknown does. Comparing unlike types raises `ConditionError`, as SQL
Server's failed conversion does, instead of silently matching nothing. `evaluate` walks the tree
for one record: it is the reference the list handlers' compiled predicates (`condition_compile`)
are tested against, and their comparisons not specialised there are this module's `compare`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from reconciler.sandbox import datetimes
from reconciler.sandbox.conditions import ConditionError, Junction, Literal, LiteralKind, Node

__all__ = ["compare", "datetime_of", "evaluate", "resolve", "to_number"]


def evaluate(node: Node, record: Mapping[str, object]) -> bool:
    if isinstance(node, Junction):
        wanted = node.operator == "or"  # the operand value that decides the junction
        for operand in node.operands:
            if evaluate(operand, record) == wanted:
                return wanted
        return not wanted
    actual = resolve(record, node.field)
    if isinstance(actual, dict | list):
        raise ConditionError(f"{'/'.join(node.field)} is not a single value; name one of its fields")
    if node.operator == "in":
        if actual is None:
            return False  # SQL: null IN (...) is unknown, and so is null NOT IN (...)
        matched = any(
            value.kind is not LiteralKind.NULL and compare("=", actual, value, node.field)
            for value in node.values
        )
        return matched != node.negated
    if node.values[0].kind is LiteralKind.NULL:
        if node.operator in ("=", "!="):
            return (actual is None) == (node.operator == "=")
        return False
    if actual is None:
        return False  # SQL: null compares unknown, and NOT unknown is unknown
    matched = compare(node.operator, actual, node.values[0], node.field)
    return matched != node.negated


def resolve(record: Mapping[str, object], path: tuple[str, ...]) -> object:
    """The value at `company/identifier`-style path, keys without case; None when absent."""
    current: object = record
    for part in path:
        # dict first: records are dicts, and the ABC check costs more than the lookup itself
        if not isinstance(current, dict) and not isinstance(current, Mapping):
            return None
        if part in current:
            current = current[part]
            continue
        lowered = part.lower()
        current = next((value for key, value in current.items() if str(key).lower() == lowered), None)
    return current


def compare(operator: str, actual: object, literal: Literal, field: tuple[str, ...]) -> bool:
    """`actual` (a field's value: not null, not a reference) `operator` `literal`, SQL Server's way."""
    left, right = _coerce(actual, literal, field)
    if operator == "contains":
        return str(right) in str(left)
    if operator == "like":
        return _like_pattern(str(right)).fullmatch(str(left)) is not None
    if operator == "=":
        return left == right
    if operator == "!=":
        return left != right
    if isinstance(left, bool) or isinstance(right, bool):
        raise ConditionError(f"{'/'.join(field)}: true/false cannot be ordered")
    return _ordered(operator, left, right)


def _ordered(operator: str, left: Any, right: Any) -> bool:
    # Any: _coerce has made both sides one comparable type (Decimal, str or datetime).
    if operator == "<":
        return bool(left < right)
    if operator == "<=":
        return bool(left <= right)
    if operator == ">":
        return bool(left > right)
    return bool(left >= right)


def _coerce(actual: object, literal: Literal, field: tuple[str, ...]) -> tuple[object, object]:
    """Both sides as comparable values (SQL Server's implicit conversions), or ConditionError."""
    name = "/".join(field)
    if literal.kind is LiteralKind.STRING:
        assert isinstance(literal.value, str)
        if isinstance(actual, str):
            return actual.casefold(), literal.value.casefold()
        if isinstance(actual, int | Decimal) and not isinstance(actual, bool):
            return Decimal(actual), to_number(literal.value, name)
    elif literal.kind is LiteralKind.NUMBER:
        if isinstance(actual, int | Decimal) and not isinstance(actual, bool):
            return Decimal(actual), literal.value
        if isinstance(actual, str):
            return to_number(actual, name), literal.value
    elif literal.kind is LiteralKind.BOOLEAN:
        if isinstance(actual, bool):
            return actual, literal.value
    elif literal.kind is LiteralKind.DATETIME and isinstance(actual, str):
        try:
            return datetime_of(actual), literal.value
        except ValueError:
            pass
    raise ConditionError(f"{name} cannot be compared with a {literal.kind}")


@functools.lru_cache(maxsize=4096)
def datetime_of(text: str) -> dt.datetime:
    # Records repeat few date-times (first and last days of months): parse each text once.
    return datetimes.parse(text, allow_offset=True)


def to_number(text: str, name: str) -> Decimal:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise ConditionError(f"{name}: {text!r} is not a number") from None


@functools.lru_cache(maxsize=256)
def _like_pattern(pattern: str) -> re.Pattern[str]:
    """SQL Server LIKE (plus ConnectWise's `*`) as a case-insensitive regular expression."""
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char in "*%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        elif char == "[" and "]" in pattern[index + 2 :]:
            end = pattern.index("]", index + 2)
            body = pattern[index + 1 : end]
            negate = body.startswith("^")
            body = body[1:] if negate else body
            escaped = "".join(c if c == "-" else re.escape(c) for c in body)
            parts.append(f"[{'^' if negate else ''}{escaped}]")
            index = end
        else:
            parts.append(re.escape(char))
        index += 1
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)
