"""ConnectWise's length limits on the addition fields cwbill writes, and how characters are counted.

The spec (OpenAPI 2025.8, `Addition`) states them in its descriptions, "Max length: N": `serialNumber`
50 and `invoiceDescription` 6000; nothing else cwbill writes is limited (quantity, unitPrice and
unitCost are numbers, billCustomer an enum, the dates date-times). The spec counts characters
without saying which: ConnectWise is .NET over SQL Server, where a string's length (`string.Length`,
`[MaxLength]`, `nvarchar(n)`) is in UTF-16 code units, so that is how cwbill counts. A character outside
the Basic Multilingual Plane (most emoji) counts 2; counting code points instead would let such a
text pass here and be refused mid-apply. The sandbox enforces the same limits the same way.
"""

from __future__ import annotations

from typing import Final

SERIAL_NUMBER: Final = 50
INVOICE_DESCRIPTION: Final = 6000
ADDITION_LIMITS: Final = {"serialNumber": SERIAL_NUMBER, "invoiceDescription": INVOICE_DESCRIPTION}


def length(text: str) -> int:
    """`text`'s length as ConnectWise counts it: UTF-16 code units."""
    if text.isascii():  # the usual case, and the sandbox's seeding counts 10^5 texts
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2
