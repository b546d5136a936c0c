"""The apply journal: one JSON line per write attempt and outcome, flushed as it happens.

It records what was sent and what ConnectWise answered (time, action, natural key, ids, fields sent,
HTTP status) so that a crash or a lost response can be traced afterwards. Requests' headers are
never passed in, so no credential can reach it. A run killed in the middle of a line leaves it torn;
the next run starts on a fresh line, so the torn one stays alone and every other line parses.
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


def _ends_mid_line(path: Path) -> bool:
    """The file exists and its last byte is not a newline (a killed run's torn last line)."""
    try:
        with path.open("rb") as existing:
            if existing.seek(0, 2) == 0:
                return False
            existing.seek(-1, 2)
            return existing.read(1) != b"\n"
    except FileNotFoundError:
        return False


class Journal:
    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path) -> Journal:
        path.parent.mkdir(parents=True, exist_ok=True)
        torn = _ends_mid_line(path)
        stream = path.open("a", encoding="utf-8")
        if torn:
            stream.write("\n")
            stream.flush()
        return cls(stream)

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
