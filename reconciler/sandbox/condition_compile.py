"""A parsed `conditions` AST compiled once into a predicate over records, for the list handlers.

`condition_eval.evaluate` is the reference: it walks the tree for each record and decides again,
at every node, what the operator and the literal's kind are. A list tests one condition against
every record of a collection (an agreement's fifty additions, two thousand agreements), so here
those decisions are taken once and a record meets only closures: AND/OR of their operands, a
field read by its exact name first, and the comparisons clients send most (a date-time, number or
string literal; `in` over strings as one set lookup) specialised by kind. Anything else defers to
`condition_eval`'s own comparison. The answer, and every `ConditionError` (its message, and which
record raises it first), is the reference's (tests/sandbox/test_condition_compile.py).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final

from reconciler.sandbox import condition_eval
from reconciler.sandbox.conditions import Comparison, ConditionError, Literal, LiteralKind, Node

__all__ = ["Predicate", "compile_condition"]

Predicate = Callable[[Mapping[str, object]], bool]
_Test = Callable[[object], bool]  # one comparison against a field's value (not null, not a reference)
_Reader = Callable[[Mapping[str, object]], object]

_OPERATORS: Final[dict[str, Callable[[Any, Any], Any]]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def compile_condition(node: Node) -> Predicate:
    """`record → evaluate(node, record)`, with the tree's decisions taken now."""
    if isinstance(node, Comparison):
        return _comparison(node)
    operands = tuple(compile_condition(operand) for operand in node.operands)
    return _any_of(operands) if node.operator == "or" else _all_of(operands)


def _any_of(operands: tuple[Predicate, ...]) -> Predicate:
    if len(operands) == 2:
        first, second = operands
        return lambda record: first(record) or second(record)
    return lambda record: any(operand(record) for operand in operands)


def _all_of(operands: tuple[Predicate, ...]) -> Predicate:
    if len(operands) == 2:
        first, second = operands
        return lambda record: first(record) and second(record)
    return lambda record: all(operand(record) for operand in operands)


def _comparison(node: Comparison) -> Predicate:
    read = _reader(node.field)
    name = "/".join(node.field)
    if node.operator != "in" and node.values[0].kind is LiteralKind.NULL:
        # `= null` / `!= null` test presence; any other operator against null is unknown (false)
        decides, wanted = node.operator in ("=", "!="), node.operator == "="

        def null_test(record: Mapping[str, object]) -> bool:
            actual = read(record)
            if isinstance(actual, dict | list):
                raise _not_single(name)
            return decides and (actual is None) == wanted

        return null_test
    test = _in_test(node) if node.operator == "in" else _single_test(node)

    def compare(record: Mapping[str, object]) -> bool:
        actual = read(record)
        if actual is None:
            return False  # SQL: null compares unknown, and NOT unknown is unknown
        if isinstance(actual, dict | list):
            raise _not_single(name)
        return test(actual)

    return compare


def _not_single(name: str) -> ConditionError:
    return ConditionError(f"{name} is not a single value; name one of its fields")


def _reader(path: tuple[str, ...]) -> _Reader:
    """`condition_eval.resolve(record, path)`, a name present as written read at once."""
    if len(path) == 1:
        (key,) = path

        def read_one(record: Mapping[str, object]) -> object:
            if type(record) is dict and key in record:
                return record[key]
            return condition_eval.resolve(record, path)

        return read_one
    if len(path) == 2:
        outer, inner = path

        def read_two(record: Mapping[str, object]) -> object:
            if type(record) is dict and outer in record:
                nested = record[outer]
                if type(nested) is dict and inner in nested:
                    return nested[inner]
            return condition_eval.resolve(record, path)

        return read_two
    return lambda record: condition_eval.resolve(record, path)


def _in_test(node: Comparison) -> _Test:
    tests = tuple(
        _reference_test("=", value, node.field) for value in node.values if value.kind is not LiteralKind.NULL
    )
    strings = _folded_strings(node.values)
    negated = node.negated

    def in_test(actual: object) -> bool:
        if strings is not None and isinstance(actual, str):
            return (actual.casefold() in strings) != negated
        matched = False
        for test in tests:
            if test(actual):
                matched = True
                break
        return matched != negated

    return in_test


def _folded_strings(values: tuple[Literal, ...]) -> frozenset[str] | None:
    """The case-folded strings of an `in` list made only of strings (and nulls), else None: such a
    list against a string is one set lookup (a hundred identifiers against thousands of records)."""
    strings: set[str] = set()
    for value in values:
        if value.kind is LiteralKind.STRING:
            assert isinstance(value.value, str)
            strings.add(value.value.casefold())
        elif value.kind is not LiteralKind.NULL:
            return None
    return frozenset(strings)


def _single_test(node: Comparison) -> _Test:
    literal, negated = node.values[0], node.negated
    op = _OPERATORS.get(node.operator)
    name = "/".join(node.field)
    test: _Test | None = None
    if op is not None and literal.kind is LiteralKind.DATETIME:
        test = _datetime_test(op, literal, name)
    elif op is not None and literal.kind is LiteralKind.NUMBER:
        test = _number_test(op, literal, name)
    elif op is not None and literal.kind is LiteralKind.STRING:
        test = _string_test(op, literal, name)
    if test is None:
        test = _reference_test(node.operator, literal, node.field)
    if negated:
        positive = test
        return lambda actual: not positive(actual)
    return test


def _reference_test(operator_text: str, literal: Literal, field: tuple[str, ...]) -> _Test:
    return lambda actual: condition_eval.compare(operator_text, actual, literal, field)


def _datetime_test(op: Callable[[Any, Any], Any], literal: Literal, name: str) -> _Test:
    right = literal.value

    def datetime_test(actual: object) -> bool:
        if isinstance(actual, str):
            try:
                left = condition_eval.datetime_of(actual)
            except ValueError:
                pass
            else:
                return bool(op(left, right))
        raise ConditionError(f"{name} cannot be compared with a date-time")

    return datetime_test


def _number_test(op: Callable[[Any, Any], Any], literal: Literal, name: str) -> _Test:
    right = literal.value

    def number_test(actual: object) -> bool:
        if isinstance(actual, int | Decimal) and not isinstance(actual, bool):
            return bool(op(Decimal(actual), right))
        if isinstance(actual, str):
            return bool(op(condition_eval.to_number(actual, name), right))
        raise ConditionError(f"{name} cannot be compared with a number")

    return number_test


def _string_test(op: Callable[[Any, Any], Any], literal: Literal, name: str) -> _Test:
    assert isinstance(literal.value, str)
    text, folded = literal.value, literal.value.casefold()

    def string_test(actual: object) -> bool:
        if isinstance(actual, str):
            return bool(op(actual.casefold(), folded))
        if isinstance(actual, int | Decimal) and not isinstance(actual, bool):
            return bool(op(Decimal(actual), condition_eval.to_number(text, name)))
        raise ConditionError(f"{name} cannot be compared with a string")

    return string_test
