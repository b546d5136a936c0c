"""The shape check: every record doctor read, against `reconciler.connectwise.shape.EXPECTED`.

Problems are tallied by (kind, field, problem) with the ids of the first few records, so a
production ConnectWise with a hundred thousand additions gives a short list, not a flood. Records
with an error are left out of the other checks (their parser could not be trusted with them).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from reconciler.connectwise.live import Record
from reconciler.connectwise.shape import EXPECTED, RecordKind, ShapeProblem, shape_problems
from reconciler.doctor.model import Check, check_from
from reconciler.errors import Severity

SHOWN_IDS = 5


@dataclass(slots=True)
class ShapeTally:
    """Thread-safe: additions are read on the client's concurrency."""

    read: dict[RecordKind, int] = field(default_factory=dict)
    problems: dict[ShapeProblem, list[str]] = field(default_factory=dict)
    counts: dict[ShapeProblem, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def sound(self, kind: RecordKind, records: Iterable[Record]) -> list[Record]:
        """Tally `records`; return those without an error."""
        kept: list[Record] = []
        for record in records:
            found = shape_problems(kind, record)
            with self._lock:
                self.read[kind] = self.read.get(kind, 0) + 1
                for problem in found:
                    ids = self.problems.setdefault(problem, [])
                    if len(ids) < SHOWN_IDS:
                        ids.append(str(record.get("id")))
                    self.counts[problem] = self.counts.get(problem, 0) + 1
            if not any(p.severity is Severity.ERROR for p in found):
                kept.append(record)
        return kept


def shape_check(tally: ShapeTally) -> Check:
    lines: list[str] = []
    order = sorted(tally.problems, key=lambda p: (p.severity != Severity.ERROR, p.kind, p.field, p.problem))
    for problem in order:
        count = tally.counts[problem]
        shown = ", ".join(tally.problems[problem]) + (", …" if count > SHOWN_IDS else "")
        mark = "" if problem.severity is Severity.ERROR else "warning: "
        plural = "" if count == 1 else "s"
        lines.append(
            f"{mark}{problem.kind} {problem.field} {problem.problem} ({count} record{plural}: id {shown})"
        )
    read = ", ".join(f"{tally.read.get(kind, 0)} {kind.plural}" for kind in RecordKind)
    fields = sum(len(expected) for expected in EXPECTED.values())
    return check_from(
        "record-shape",
        "records as cwbill expects them (field, type, format)",
        ok=f"{read} read; each has the {fields} fields cwbill relies on, in the expected form",
        problem=f"{read} read; {len(lines)} differ from what cwbill expects",
        fix="an error means cwbill would misread that record: report it with the record's JSON "
        "(GET it with the same credentials); a warning is read correctly but differs from the spec",
        records=lines,
        failing=any(p.severity is Severity.ERROR for p in tally.problems),
    )
