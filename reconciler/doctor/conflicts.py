"""The unowned additions in scope that would conflict, and what `--adopt` would do about them.

Pure: the plan's own `build_plan`, run twice on the same desired and live state — once as plan
runs (each `unowned-conflict` warning is a desired line left uncreated, or billed beside an unmarked
line), once with `--adopt` (each `adopt` change an unmarked line taken over) — counted per company.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from reconciler.config.model import Repository
from reconciler.doctor.model import Check, check_from
from reconciler.engine.model import DesiredResult
from reconciler.plan.diff import LiveState, build_plan
from reconciler.plan.model import Reason, Selection

CONFLICT = "unowned-conflict"


def conflicts_check(
    repository: Repository, desired: DesiredResult, live: LiveState, selection: Selection, usage_digest: str
) -> Check:
    plain = build_plan(repository, desired, live, replace(selection, adopt=False), usage_digest)
    adopting = build_plan(repository, desired, live, replace(selection, adopt=True), usage_digest)
    conflicts = [w for w in plain.warnings if w.code == CONFLICT]
    per_company = Counter(w.company for w in conflicts)
    adoptions = Counter(c.company for c in adopting.changes if c.reason is Reason.ADOPT)
    records: list[str] = []
    for company in sorted(per_company.keys() | adoptions.keys()):
        count, adopted = per_company[company], adoptions[company]
        records.append(
            f"{company}: {count} conflict{'s' if count != 1 else ''}; `--adopt` would adopt {adopted}"
        )
        records += (f"  {w.period} {w.configuration}: {w.message}" for w in conflicts if w.company == company)
    total, adopted_total = len(conflicts), sum(adoptions.values())
    return check_from(
        "unowned-conflict",
        "unowned additions in scope that would conflict",
        ok=f"no unmarked addition bills a line cwbill wants ({len(live.additions)} additions in scope)",
        problem=f"{total} desired line{' meets' if total == 1 else 's meet'} an unmarked addition; "
        f"`cwbill apply --adopt` would adopt {adopted_total}",
        fix="see them with `cwbill plan --show-unowned`; adopt those that bill exactly cwbill's line "
        "(`cwbill plan --adopt`, then `cwbill apply --adopt`), or remove them in ConnectWise "
        "(docs/migrating.md)",
        records=records,
        failing=False,  # plan goes on: it creates nothing that would bill twice
    )
