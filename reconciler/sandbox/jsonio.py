"""JSON in and out of the sandbox with exact decimals.

Numbers are read with `parse_float=Decimal` (integers stay `int`) and written from the Decimal's own
text, never through float: a unit price stored as `0.0059` is sent back as `0.0059`. The stdlib
encoder cannot emit a Decimal as a bare number, hence this small writer.
"""

from __future__ import annotations

import json
from decimal import Decimal
from json.encoder import encode_basestring


class JsonError(ValueError):
    """A body that is not valid JSON."""


def loads(raw: bytes | str) -> object:
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
        value: object = json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
        return value
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise JsonError(str(exc)) from exc


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number")


def dumps(value: object, *, decimal_as_string: bool = False) -> str:
    """Compact JSON; Decimals as numbers from their text (or as strings, for state files)."""
    out: list[str] = []
    _write(value, out, decimal_as_string)
    return "".join(out)


def dump_bytes(value: object, *, decimal_as_string: bool = False) -> bytes:
    return dumps(value, decimal_as_string=decimal_as_string).encode("utf-8")


def decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"{value} is not a finite number")
    return format(value, "f")


def _scalar(value: object, as_string: bool) -> str | None:
    if value is None or isinstance(value, bool):
        return _CONSTANTS[value]
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, Decimal):
        text = decimal_text(value)
        return encode_basestring(text) if as_string else text
    if isinstance(value, int):
        return str(value)
    return None


_CONSTANTS = {None: "null", True: "true", False: "false"}


def _write(value: object, out: list[str], as_string: bool) -> None:
    scalar = _scalar(value, as_string)
    if scalar is not None:
        out.append(scalar)
    elif isinstance(value, dict):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                out.append(",")
            out.append(encode_basestring(str(key)))
            out.append(":")
            _write(item, out, as_string)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out, as_string)
        out.append("]")
    else:
        # floats included: a float in the sandbox's data is a bug (money is Decimal end to end)
        raise TypeError(f"cannot write {type(value).__name__} as sandbox JSON")
