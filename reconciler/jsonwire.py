"""JSON written with exact decimals: a `Decimal` becomes a JSON number token of its own text.

The stdlib encoder cannot emit a Decimal as a bare number (only through float, which would turn a
unit price of `0.0059` or `2.50` into whatever the nearest binary double prints as). ConnectWise's
spec types quantity, unitPrice and unitCost as `number`, so cwbill's client writes them with this
writer (`2.50` stays `2.50` on the wire), and the sandbox answers with it. Floats are refused: a
float in the money path is a bug. `decimal_as_string` writes them as strings instead (state files).
"""

from __future__ import annotations

from decimal import Decimal
from json.encoder import encode_basestring

_CONSTANTS = {None: "null", True: "true", False: "false"}


def decimal_text(value: Decimal) -> str:
    """A finite Decimal's exact text, never in exponent form (`2.50`, `0.0059`, `1200`)."""
    if not value.is_finite():
        raise ValueError(f"{value} is not a finite number")
    return format(value, "f")


def dumps(value: object, *, decimal_as_string: bool = False) -> str:
    """Compact JSON; Decimals as numbers from their text (or as strings, for state files)."""
    out: list[str] = []
    _write(value, out, decimal_as_string)
    return "".join(out)


def dump_bytes(value: object, *, decimal_as_string: bool = False) -> bytes:
    return dumps(value, decimal_as_string=decimal_as_string).encode("utf-8")


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


def _write(value: object, out: list[str], as_string: bool) -> None:
    scalar = _scalar(value, as_string)
    if scalar is not None:
        out.append(scalar)
    elif isinstance(value, dict):
        _write_object(value, out, as_string)
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out, as_string)
        out.append("]")
    else:
        # floats included: a float in the money path is a bug (money is Decimal end to end)
        raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _write_object(value: dict[object, object], out: list[str], as_string: bool) -> None:
    # The sandbox answers with thousands of records of ~35 fields each: a value of an exact type a
    # record holds is written here at once, anything else (subclasses too) by _write, as before.
    if not value:
        out.append("{}")
        return
    separator = "{"
    for key, item in value.items():
        out.append(separator + encode_basestring(key if type(key) is str else str(key)) + ":")
        separator = ","
        if type(item) is str:
            out.append(encode_basestring(item))
        elif type(item) is Decimal and not as_string:
            out.append(decimal_text(item))
        elif item is None or type(item) is bool:
            out.append(_CONSTANTS[item])
        elif type(item) is int:
            out.append(str(item))
        else:
            _write(item, out, as_string)
    out.append("}")
