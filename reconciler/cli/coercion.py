"""Command-line values converted without pydantic when the result is plain, by typer's rules.

typer 0.29 converts every parameter through a pydantic `TypeAdapter`: importing pydantic and building
the adapters is ≈ 0.1 s of every command's start, more than `cwbill validate` spends on the example
repository. The values a command line gives cwbill are simple (text, whole numbers, decimals, paths,
one of a choice), and for the well-formed ones typer's result is plain: the text itself, `int(text)`,
`Path(text)` then typer's own path checks, the choice of that name. `fast_runtime_param` converts
exactly those; anything else — a malformed number, one out of range, an unknown choice, a type not
listed here — goes to typer's own coercion (`build_runtime_param`), which alone words the errors.
tests/cli/test_coercion.py holds both to the same result for every parameter of every command.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer._param_types import coerce_cli_path
from typer.models import ParameterInfo

Convert = Callable[[Any, Any, Any], Any]  # value, parameter, context → the value, or UNSURE
UNSURE = object()
_WHOLE = re.compile(r"0|[1-9][0-9]{0,17}").fullmatch  # no sign, no `_`, no spaces: int() and typer agree
_DECIMAL = re.compile(r"(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?").fullmatch


@dataclass(frozen=True)
class _FastParam(RuntimeParam):
    convert: Convert

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        converted = self.convert(value, param, ctx)
        if converted is UNSURE:  # typer decides, and words the error if there is one
            typer_own = build_runtime_param(param.type_descriptor)
            return typer_own._coerce_value(value, param=param, ctx=ctx)  # what coerce() calls
        return converted


def fast_runtime_param(descriptor: TypeDescriptor) -> RuntimeParam | None:
    """A runtime parameter converting plain values of `descriptor`'s type, or None for a type (or
    option) it does not handle."""
    if descriptor.file_annotation is not None:
        return None
    convert = _converter(descriptor.annotation, descriptor.parameter_info)
    if convert is None:
        return None
    return _FastParam(descriptor.parameter_info, descriptor.annotation, convert)


def _converter(annotation: Any, info: ParameterInfo) -> Convert | None:  # one case per type
    if info.parser is not None:
        return None
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        each = _converter(item, info)
        return None if each is None else _list_of(each)
    if annotation is str:
        return lambda value, param, ctx: value if type(value) is str else UNSURE
    if annotation is bool:  # a flag is already a bool (typer skips it); a text value is typer's
        return lambda value, param, ctx: value if type(value) is bool else UNSURE
    if annotation is int or annotation is float:
        if info.clamp:
            return None
        return _number(annotation, info.min, info.max)
    if isinstance(annotation, type) and issubclass(annotation, Enum) and info.case_sensitive:
        return _choice(annotation)
    if annotation is Path and info.path_type is None:
        return _path(info)
    return None


def _list_of(each: Convert) -> Convert:
    def convert(value: Any, param: Any, ctx: Any) -> Any:
        items = list(value) if isinstance(value, list | tuple) else [value]
        converted = [each(item, param, ctx) for item in items]
        return UNSURE if any(item is UNSURE for item in converted) else converted

    return convert


def _number(kind: type[int] | type[float], low: float | None, high: float | None) -> Convert:
    plain = _WHOLE if kind is int else _DECIMAL

    def convert(value: Any, param: Any, ctx: Any) -> Any:
        if type(value) is kind:
            number = value
        elif type(value) is str and plain(value):
            number = kind(value)
        else:
            return UNSURE
        if (low is not None and number < low) or (high is not None and number > high):
            return UNSURE  # out of range: typer's message
        return number

    return convert


def _choice(enum: type[Enum]) -> Convert:
    by_name = {str(member.value): member for member in enum}

    def convert(value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, enum):
            return value
        if type(value) is str and ctx.token_normalize_func is None and value in by_name:
            return by_name[value]
        return UNSURE

    return convert


def _path(info: ParameterInfo) -> Convert:
    def convert(value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, Path):
            path = value
        elif type(value) is str and value and "\0" not in value:
            path = Path(value)  # what pydantic's Path validation gives for text
        else:
            return UNSURE
        # given a Path, typer's own checks (exists, file or folder, readable…) run without pydantic
        return coerce_cli_path(path, info, path_type=Path, param=param, ctx=ctx)

    return convert
