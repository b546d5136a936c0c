"""A fast yes/no for "is this data valid against this schema?", so jsonschema runs only on invalid data.

jsonschema walks a 20,000-record usage file in ≈ 12 s (a `$ref` resolved, a validator evolved, per
value); the repository's files are valid nearly always, and then only the answer matters. `compile`
turns a schema into one nested predicate per keyword, for the keywords cwbill's schemas use, each
written to decide exactly as jsonschema's Draft 2020-12 keyword does (`jsonschema._keywords`, its
type checker and its format checker); a schema with any other keyword is not compiled (None), and
a value the predicate cannot judge exactly (`uniqueItems` over mixed items) raises `Unsure`. The
caller (`reconciler.config.schema`) runs jsonschema whenever the predicate does not say "valid",
so findings and their messages always come from jsonschema; tests/config/test_schemacheck.py holds
the predicate to jsonschema's verdict on the shipped examples and on generated data.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

Check = Callable[[object], bool]
Schema = Mapping[str, Any]

_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$defs",
        "$comment",
        "title",
        "description",
        "examples",
        "default",
        "x-pattern-message",
    }
)
_HANDLED_ELSEWHERE = frozenset({"then", "else"})  # read by `if`


class Unsure(Exception):
    """The predicate cannot decide this value exactly as jsonschema would: ask jsonschema."""


class _Unsupported(Exception):
    pass


def _is_number(value: object) -> bool:
    kind = type(value)
    if kind is int or kind is Decimal:  # what the loaders make: skip the ABC's slower check
        return True
    return isinstance(value, numbers.Number) and kind is not bool


_TYPES: Mapping[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def compile_schema(root: Schema) -> Check | None:
    """The predicate of `root` (a whole schema with its `$defs`), or None when it uses a keyword
    this module does not decide exactly."""
    try:
        return _Compiler(root).compile(root)
    except _Unsupported:
        return None


class _Compiler:
    def __init__(self, root: Schema) -> None:
        self.root = root
        self.references: dict[str, Check] = {}

    def compile(self, schema: object) -> Check:
        if schema is True:
            return lambda value: True
        if schema is False:
            return lambda value: False
        if not isinstance(schema, dict):
            raise _Unsupported
        checks = [self.keyword(schema, name, argument) for name, argument in schema.items()]
        active = [check for check in checks if check is not None]
        return _all_of(active)

    def keyword(self, schema: Schema, name: str, argument: Any) -> Check | None:  # noqa: PLR0912  # one case per keyword
        if name in _ANNOTATIONS or name in _HANDLED_ELSEWHERE:
            return None
        if name == "type":
            return _type(argument)
        if name == "$ref":
            return self.reference(argument)
        if name == "properties":
            return self.properties(argument)
        if name == "additionalProperties":
            return self.additional(schema, argument)
        if name == "required":
            required = frozenset(argument)
            return lambda v: not isinstance(v, dict) or v.keys() >= required
        if name == "propertyNames":
            names = self.compile(argument)
            return lambda v: not isinstance(v, dict) or all(names(key) for key in v)
        if name == "items":
            if "prefixItems" in schema:
                raise _Unsupported
            item = self.compile(argument)
            return lambda v: not isinstance(v, list) or all(item(each) for each in v)
        if name in ("pattern", "minLength", "maxLength", "format"):
            return _string(name, argument)
        if name in ("minimum", "maximum"):
            return _bound(name, argument)
        if name in ("enum", "const"):
            return _one_of(argument if name == "enum" else [argument])
        if name == "minItems":
            return lambda v: not isinstance(v, list) or len(v) >= argument
        if name == "uniqueItems":
            return _unique if argument else None
        if name == "allOf":
            return _all_of([self.compile(part) for part in argument])
        if name == "oneOf":
            branches = [self.compile(part) for part in argument]
            return lambda v: sum(1 for branch in branches if branch(v)) == 1
        if name == "if":
            return self.conditional(schema, argument)
        raise _Unsupported

    def reference(self, target: object) -> Check:
        if not isinstance(target, str) or not target.startswith("#/"):
            raise _Unsupported
        if target not in self.references:
            node: Any = self.root
            for escaped in target[2:].split("/"):
                part = escaped.replace("~1", "/").replace("~0", "~")
                if not isinstance(node, dict) or part not in node:
                    raise _Unsupported
                node = node[part]
            compiled: list[Check] = []

            def resolved(value: object) -> bool:  # a recursive $ref finds it filled in
                return compiled[0](value)

            self.references[target] = resolved
            compiled.append(self.compile(node))
        return self.references[target]

    def properties(self, argument: object) -> Check:
        if not isinstance(argument, dict):
            raise _Unsupported
        checks = {key: self.compile(sub) for key, sub in argument.items()}

        def check(value: object) -> bool:
            if not isinstance(value, dict):
                return True
            for key, item in value.items():
                each = checks.get(key)
                if each is not None and not each(item):
                    return False
            return True

        return check

    def additional(self, schema: Schema, argument: object) -> Check:
        known = frozenset(schema.get("properties", {}))
        patterns = "|".join(schema.get("patternProperties", {}))
        if "patternProperties" in schema:
            raise _Unsupported  # not used by cwbill's schemas; jsonschema decides

        def extras(value: dict[str, object]) -> list[str]:
            return [key for key in value if key not in known and not (patterns and re.search(patterns, key))]

        if argument is False and not patterns:  # the keys, as a set, within the known ones (in C)
            return lambda v: not isinstance(v, dict) or v.keys() <= known
        if argument is False:
            return lambda v: not isinstance(v, dict) or not extras(v)
        extra = self.compile(argument)
        return lambda v: not isinstance(v, dict) or all(extra(v[key]) for key in extras(v))

    def conditional(self, schema: Schema, argument: object) -> Check:
        condition = self.compile(argument)
        then = self.compile(schema.get("then", True))
        otherwise = self.compile(schema.get("else", True))
        return lambda v: then(v) if condition(v) else otherwise(v)


def _all_of(checks: Sequence[Check]) -> Check:
    if len(checks) == 1:
        return checks[0]

    def check(value: object) -> bool:
        for each in checks:  # noqa: SIM110  # a loop, not all(<generator>): once per value and keyword
            if not each(value):
                return False
        return True

    return check


def _type(argument: object) -> Check:
    names = [argument] if isinstance(argument, str) else argument
    if not isinstance(names, list) or any(name not in _TYPES for name in names):
        raise _Unsupported
    checks = [_TYPES[name] for name in names]
    if len(checks) == 1:
        return checks[0]
    return lambda v: any(check(v) for check in checks)


def _string(name: str, argument: Any) -> Check:
    if name == "pattern":
        compiled = re.compile(argument)  # jsonschema: re.search(pattern, instance)
        return lambda v: not isinstance(v, str) or compiled.search(v) is not None
    if name == "minLength":
        return lambda v: not isinstance(v, str) or len(v) >= argument
    if name == "maxLength":
        return lambda v: not isinstance(v, str) or len(v) <= argument
    from jsonschema import Draft202012Validator  # only a schema with `format` (the plan's) needs it

    checker = Draft202012Validator.FORMAT_CHECKER  # the checker jsonschema is given (config/schema.py)
    return lambda v: checker.conforms(v, argument)


def _bound(name: str, argument: Any) -> Check:
    if not _is_number(argument):
        raise _Unsupported
    if name == "minimum":
        return lambda v: not _is_number(v) or not v < argument
    return lambda v: not _is_number(v) or not v > argument


def _one_of(values: object) -> Check:
    """`enum` / `const` as jsonschema's `equal` decides them, for strings, integers and null: a string
    equals only a string, a number only a number (never a boolean), null only null."""
    if not isinstance(values, list) or not all(
        value is None or isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
        for value in values
    ):
        raise _Unsupported
    strings = frozenset(value for value in values if isinstance(value, str))
    numbers_allowed = [value for value in values if isinstance(value, int)]
    null = None in values

    def check(value: object) -> bool:
        if isinstance(value, str):
            return value in strings
        if _is_number(value):
            return any(value == allowed for allowed in numbers_allowed)
        return value is None and null

    return check


def _unique(value: object) -> bool:
    if not isinstance(value, list):
        return True
    if all(isinstance(item, str) for item in value) or all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    ):
        return len(set(value)) == len(value)
    raise Unsure  # jsonschema's equality across numbers, booleans and collections: its own to decide
