"""The owner marker cwbill writes in an addition's `serialNumber` (billing-rules §6).

`cwbill:<configuration name>:<digest>`, where the digest is the first 8 hex digits of the SHA-256 of
the managed fields as cwbill wrote them, normalised (decimals without trailing zeros, dates
`YYYY-MM-DD`) in a fixed field order. It tells cwbill which additions are its own, which
configuration owns them, and — by comparing the digest with the live fields — whether someone edited
the line in ConnectWise since (reason `drift`), with no state file.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from reconciler.connectwise.limits import SERIAL_NUMBER

PREFIX = "cwbill"
# cwbill: + a configuration name of at most 32 ASCII characters (schema) + : + 8 hex = 48 at most,
# so a marker always fits ConnectWise's serialNumber; the schema's limit is what enforces it
MAX_SERIAL = SERIAL_NUMBER
# The managed fields, in the fixed order the digest uses (ConnectWise field names).
FIELD_ORDER = (
    "quantity",
    "unitPrice",
    "unitCost",
    "billCustomer",
    "effectiveDate",
    "cancelledDate",
    "invoiceDescription",
)
_MARKER = re.compile(r"^cwbill:([A-Za-z0-9._-]{1,32}):([0-9a-f]{8})$")


@dataclass(frozen=True, slots=True)
class Marker:
    configuration: str
    digest: str

    def __str__(self) -> str:
        return f"{PREFIX}:{self.configuration}:{self.digest}"


def digest(fields: Mapping[str, str | None]) -> str:
    """Digest of normalised managed fields (name → normalised text; None/absent fields are skipped)."""
    lines = [f"{name}={fields[name]}" for name in FIELD_ORDER if fields.get(name) is not None]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:8]


def marker_for(configuration: str, fields: Mapping[str, str | None]) -> str:
    text = f"{PREFIX}:{configuration}:{digest(fields)}"  # str(Marker(…)), without building one
    assert len(text) <= MAX_SERIAL, "configuration names are at most 32 characters (schema)"
    return text


def parse_marker(serial: str | None) -> Marker | None:
    """The marker in a `serialNumber`, or None when the addition is not cwbill's."""
    if not serial:
        return None
    match = _MARKER.match(serial.strip())
    return Marker(match.group(1), match.group(2)) if match else None
