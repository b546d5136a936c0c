"""Which billing periods a run may touch, per configuration (billing-rules §5).

The scope is decided by the run's `as_of` date alone (never by the clock), so a plan is reproducible:
auto-billing configurations send the previous month on days 1–3 only (source: "sent … on the first 3
days of each month"); manual ones update the previous month's bill and the current month's temporary
bill; `--period` overrides both for a one-off re-send of that month.
"""

from __future__ import annotations

import datetime as dt

from reconciler.config.model import Configuration
from reconciler.engine.periods import Period

AUTO_BILLING_LAST_DAY = 3  # billing-rules §5: auto-billing runs on days 1, 2 and 3 of a month


def periods_in_scope(
    configuration: Configuration, as_of: dt.date, period: Period | None = None
) -> tuple[Period, ...]:
    """The periods `configuration` may touch on `as_of`, oldest first; `period` overrides."""
    if period is not None:
        return (period,)
    current = Period.of(as_of)
    if configuration.auto_billing:
        return (current.previous(),) if as_of.day <= AUTO_BILLING_LAST_DAY else ()
    return (current.previous(), current)
