"""Deterministic YAML for usage snapshots, written by hand so that every number is exact.

A generic YAML dumper would write Decimals through float or as tagged objects; this writer emits
each amount from its Decimal text, quotes every string it cannot prove plain, and always orders
things the same way (records by period then company; product keys sorted), so that a snapshot
committed under `usage/` changes only when the usage does — and `load_usage` reads it back equal.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal

from reconciler.usage.model import Provenance, StorageUsage, Usage, UsageRecord

SCHEMA_REF = "../schemas/usage.schema.json"  # from billing/usage/ to the repository's vendored schemas/
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# Words YAML 1.1 would read as booleans or null if left unquoted.
_RESERVED = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def dump_usage(usage: Usage, schema_ref: str = SCHEMA_REF) -> str:
    """The snapshot text of `usage`: a schema header, then the records sorted by (period, company)."""
    lines = [f"# yaml-language-server: $schema={schema_ref}"]
    records = sorted(usage.records.values(), key=lambda r: (r.period, r.console_company))
    if not records:
        lines.append("usage: []")
    else:
        lines.append("usage:")
        for record in records:
            lines.extend(_record(record))
    return "\n".join(lines) + "\n"


def _record(record: UsageRecord) -> list[str]:
    # Keys in the documented order (billing-format.md) rather than alphabetical: period first reads best.
    lines = [
        f"  - period: {quote(str(record.period))}",
        f"    console_company: {quote(record.console_company)}",
    ]
    if record.provenance is not None:
        lines.extend(_provenance(record.provenance))
    if record.licenses:
        lines.append(f"    licenses: {_flow({k: str(v) for k, v in record.licenses.items()})}")
    if record.storage:
        lines.append("    storage:")
        lines.extend(
            f"      {key_text(key)}: {_amounts(record.storage[key])}" for key in sorted(record.storage)
        )
    if record.unmapped_licenses or record.unmapped_storage:
        lines.append("    unmapped:")  # console names no product maps (usage pull --all-companies)
        if record.unmapped_licenses:
            counts = {k: str(v) for k, v in record.unmapped_licenses.items()}
            lines.append(f"      licenses: {_flow(counts)}")
        if record.unmapped_storage:
            lines.append("      storage:")
            lines.extend(
                f"        {key_text(name)}: {_amounts(record.unmapped_storage[name])}"
                for name in sorted(record.unmapped_storage)
            )
    if record.notes:
        lines.append("    notes:")
        lines.extend(
            f"      - {{code: {quote(note.code)}, message: {quote(note.message)}}}" for note in record.notes
        )
    return lines


def _provenance(provenance: Provenance) -> list[str]:
    lines = [f"    source: {provenance.source.value}"]
    if provenance.taken_at is not None:
        lines.append(f"    taken_at: {quote(timestamp_text(provenance.taken_at))}")
    if provenance.methods:
        methods = {key: quote(provenance.methods[key]) for key in provenance.methods}
        lines.append(f"    method: {_flow(methods)}")
    return lines


def timestamp_text(moment: dt.datetime) -> str:
    """UTC, to the second, with a `Z`: `2026-11-24T10:05:00Z`."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _amounts(amounts: StorageUsage) -> str:
    return (
        f"{{stored: {decimal_text(amounts.stored)}, restored: {decimal_text(amounts.restored)}, "
        f"limit: {decimal_text(amounts.limit)}}}"
    )


def _flow(values: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"{key_text(key)}: {values[key]}" for key in sorted(values)) + "}"


def decimal_text(value: Decimal) -> str:
    """Plain decimal text as held (`1234.5`, `2000`, `0.0059`); never an exponent, never a float."""
    return format(abs(value) if value == 0 else value, "f")  # -0 is written 0


def key_text(key: str) -> str:
    """A mapping key: plain when it cannot be misread, else double-quoted."""
    if _PLAIN_KEY.match(key) and key.lower() not in _RESERVED:
        return key
    return quote(key)


def quote(text: str) -> str:
    """A YAML double-quoted scalar; non-printable and line-breaking characters are escaped."""
    parts = ['"']
    for char in text:
        code = ord(char)
        if char in {'"', "\\"}:
            parts.append("\\" + char)
        elif _printable(code):
            parts.append(char)
        elif code <= 0xFF:
            parts.append(f"\\x{code:02X}")
        elif code <= 0xFFFF:
            parts.append(f"\\u{code:04X}")
        else:
            parts.append(f"\\U{code:08X}")
    parts.append('"')
    return "".join(parts)


def _printable(code: int) -> bool:
    """YAML's printable set, less the characters YAML treats as line breaks (NEL, LS, PS)."""
    return (
        0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or (0xE000 <= code <= 0xFFFD and code not in {0xFEFF})
        or 0x10000 <= code <= 0x10FFFF
    ) and code not in {0x2028, 0x2029}
