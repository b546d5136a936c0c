"""The plan worked out company by company while the additions are still being read.

Everything the diff decides is decided within one company (`reconciler.plan.company`), so each
company's part can be made as soon as its agreements' additions are in; after the last read only
the last companies' parts and the merge remain (docs/performance.md). The parts are the very ones
`build_plan` makes, so the plan is the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reconciler.config.model import Repository
from reconciler.connectwise.live import CatalogItem, LiveAddition
from reconciler.connectwise.read import PendingAdditions
from reconciler.engine.model import AgreementInfo, DesiredResult
from reconciler.engine.periods import Period
from reconciler.plan.company import CompanyPart, company_part, desired_by_company
from reconciler.plan.model import Selection
from reconciler.render.json import ChangeTexts


@dataclass(frozen=True, slots=True)
class PartsRead:
    parts: tuple[CompanyPart, ...]  # one per company the engine names, in the order they were made
    additions: tuple[LiveAddition, ...]  # every addition kept, sorted by id (the LiveState's)


def parts_as_read(
    repository: Repository,
    desired: DesiredResult,
    agreements: Mapping[str, Sequence[AgreementInfo]],
    in_scope: Mapping[int, Sequence[Period]],
    pending: PendingAdditions,
    *,
    catalog: Mapping[str, CatalogItem],
    selection: Selection,
    texts: ChangeTexts | None = None,
) -> PartsRead:
    """Each company's part, made once the additions of its agreements `in_scope` are read
    (`pending`, narrowed to `in_scope`), in the order the reads were asked for; with `texts`, each
    part's changes are written as JSON there as the part is made."""
    pending.narrow(in_scope)
    by_id = {a.id: a for group in agreements.values() for a in group}
    company_of = {a.id: company for company, group in agreements.items() for a in group}
    waiting: dict[str, int] = defaultdict(int)
    for agreement_id in in_scope:
        waiting[company_of[agreement_id]] += 1
    wanted = desired_by_company(desired)
    read: dict[str, list[LiveAddition]] = defaultdict(list)
    parts: list[CompanyPart] = []

    def make(company: str) -> None:
        part = company_part(
            repository, wanted[company], read[company], agreements=by_id, catalog=catalog, selection=selection
        )
        parts.append(part)
        if texts is not None:
            texts.add(part.changes)

    for company in sorted(wanted.keys() - waiting.keys()):  # nothing to read: made at once
        make(company)
    for agreement_id, periods in in_scope.items():
        company = company_of[agreement_id]
        read[company] += pending.additions_of(agreement_id, periods)
        waiting[company] -= 1
        if not waiting[company] and company in wanted:
            make(company)
    additions = sorted((a for found in read.values() for a in found), key=lambda a: a.id)
    return PartsRead(tuple(parts), tuple(additions))
