"""The apply journal: one JSON line per write attempt and outcome, flushed as it happens.

It records what was sent and what ConnectWise answered (time, action, natural key, ids, fields sent,
HTTP status) so that a crash or a lost response can be traced afterwards. Requests' headers are
never passed in, so no credential can reach it.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from reconciler.plan.model import Change


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class Journal:
    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path) -> Journal:
        path.parent.mkdir(parents=True, exist_ok=True)
        return cls(path.open("a", encoding="utf-8"))

    def record(
        self,
        change: Change,
        event: str,
        *,
        status: int | None = None,
        addition_id: int | None = None,
        sent: object = None,
        message: str = "",
    ) -> None:
        if self._stream is None:
            return
        entry = {
            "time": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "event": event,
            "action": change.action.value,
            "reason": change.reason.value,
            "company": change.company,
            "configuration": change.configuration,
            "agreement_id": change.agreement_id,
            "product": change.product,
            "period": str(change.period),
            "addition_id": addition_id if addition_id is not None else change.addition_id,
            "sent": sent,
            "status": status,
            "message": message,
        }
        line = json.dumps(entry, sort_keys=True, default=_default, ensure_ascii=False)
        with self._lock:
            self._stream.write(line + "\n")
            # flushed to the OS at once: a killed process loses nothing it wrote (no fsync: a
            # per-line fsync would serialise 10,000 writes behind the disk)
            self._stream.flush()

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
