"""JSON in and out of the sandbox with exact decimals.

Numbers are read with `parse_float=Decimal` (integers stay `int`) and written from the Decimal's own
text, never through float (`reconciler.jsonwire`, the writer cwbill's client uses too): a unit price
stored as `0.0059` is sent back as `0.0059`.
"""

from __future__ import annotations

import json
from decimal import Decimal

from reconciler.jsonwire import decimal_text, dump_bytes, dumps

__all__ = ["JsonError", "decimal_text", "dump_bytes", "dumps", "loads"]


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
