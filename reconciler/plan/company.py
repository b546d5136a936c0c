"""One company's share of a plan: its desired lines × the live additions of its agreements.

Everything the diff decides (billing-rules §6) is decided within one company: a natural key names
one of its agreements, and cwbill's marker a configuration of it. So a plan is its companies' parts
merged (`reconciler.plan.diff.merge_parts`), and a run can work out each part as soon as that
company's agreements are read, while the other reads are still on the wire. `company_part` costs
what the company holds, nothing per other company.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reconciler.config.model import Repository
from reconciler.connectwise.live import CatalogItem, LiveAddition
from reconciler.engine.model import (
    AgreementInfo,
    ConfigurationScope,
    DesiredAddition,
    DesiredResult,
    PlanWarning,
)
from reconciler.engine.periods import Period
from reconciler.plan.changes import conflict_warning, create, delete, update
from reconciler.plan.marker import parse_marker
from reconciler.plan.model import Action, Change, Reason, Selection, Totals
from reconciler.plan.totals import company_totals

Key = tuple[int, str, Period]  # natural key: agreement id, product identifier, period
Kept = tuple[DesiredAddition, LiveAddition | None]  # a desired line and the live line it keeps, if any


@dataclass(frozen=True, slots=True)
class CompanyDesired:
    """One company's share of the engine's result, in the engine's order."""

    company: str  # the repository's identifier
    lines: tuple[DesiredAddition, ...]
    scopes: tuple[ConfigurationScope, ...]


@dataclass(frozen=True, slots=True)
class CompanyPart:
    """One company's changes and figures, before `only` (`plan --drift-only`) picks any."""

    company: str
    changes: tuple[Change, ...]  # in plan order (`Change.sort_key`)
    warnings: tuple[PlanWarning, ...]  # unowned conflicts, as met
    kept: tuple[Kept, ...]  # each desired line that will exist, and the live line it keeps
    in_scope: tuple[LiveAddition, ...]  # cwbill's live lines in scope: the safety base and totals
    unowned: tuple[int, ...]  # ids of the unmarked additions in scope, ascending
    unchanged: int  # live lines kept as they are
    totals: Totals | None  # of the whole part; None: no line in scope before or after
    lines: int  # the desired lines the part was made from (the merge checks it has every company)


def desired_by_company(desired: DesiredResult) -> dict[str, CompanyDesired]:
    """The engine's lines and scopes by company (each in the engine's order), companies ascending.

    As the engine makes them, a line and a scope name their company as the repository spells it,
    and a line's agreement is one of that company's: so a part holds all that touches its company."""
    lines: dict[str, list[DesiredAddition]] = defaultdict(list)
    scopes: dict[str, list[ConfigurationScope]] = defaultdict(list)
    for line in desired.additions:
        lines[line.company].append(line)
    for scope in desired.scopes:
        scopes[scope.company].append(scope)
    return {
        company: CompanyDesired(company, tuple(lines.get(company, ())), tuple(scopes.get(company, ())))
        for company in sorted(lines.keys() | scopes.keys())
    }


def additions_by_company(
    repository: Repository, agreements: Mapping[int, AgreementInfo], additions: Iterable[LiveAddition]
) -> dict[str, list[LiveAddition]]:
    """The live additions by the repository's identifier of their agreement's company (in the order
    given); those of an unknown agreement or a company no file names are left out."""
    by_company: dict[str, list[LiveAddition]] = defaultdict(list)
    for addition in additions:
        agreement = agreements.get(addition.agreement_id)
        company = repository.company(agreement.company) if agreement else None
        if company is not None:
            by_company[company.identifier].append(addition)
    return by_company


@dataclass(slots=True)
class _Owned:
    """The company's live additions in scope, grouped by configuration and natural key; every list
    in id order."""

    by_key: dict[tuple[str, Key], list[LiveAddition]]
    orphans: list[tuple[str, LiveAddition]]  # (marker configuration, addition)
    unowned: dict[Key, list[LiveAddition]]
    in_scope: list[LiveAddition]


def company_part(
    repository: Repository,
    desired: CompanyDesired,
    live_additions: Iterable[LiveAddition],
    *,
    agreements: Mapping[int, AgreementInfo],
    catalog: Mapping[str, CatalogItem],
    selection: Selection,
) -> CompanyPart:
    """The part of `desired.company`: `live_additions` are those read from its agreements in their
    periods in scope (in any order), `agreements` any mapping that holds its agreements by id."""
    places = repository.settings.unit_price_places
    owned = _group_live(repository, desired, live_additions, agreements)
    changes: list[Change] = []
    warnings: list[PlanWarning] = []
    kept: list[Kept] = []
    for line in desired.lines:
        name = _name(agreements, line.agreement_id)
        lines = owned.by_key.get((line.configuration, line.natural_key), [])
        if lines:
            kept.append((line, lines[0]))
            kept_changes, beside = _keep(line, lines, owned, name, places)
            changes += kept_changes
            warnings += beside
            continue
        unowned = owned.unowned.get(line.natural_key, [])
        if unowned and not selection.adopt:
            warnings.append(conflict_warning(line, ", ".join(f"#{a.id}" for a in unowned)))
        elif unowned:
            adoption = update(line, unowned[0], Reason.ADOPT, name, places, force_marker=True)
            assert adoption is not None
            changes.append(adoption)
            kept.append((line, unowned[0]))
        else:
            item = catalog.get(line.product)
            changes.append(create(line, name, item.id if item else None, places))
            kept.append((line, None))
    changes += _unwanted(desired, owned, agreements, places)
    changes.sort(key=lambda c: c.sort_key)
    updates = sum(c.action is Action.UPDATE for c in changes)
    return CompanyPart(
        company=desired.company,
        changes=tuple(changes),
        warnings=tuple(warnings),
        kept=tuple(kept),
        in_scope=tuple(owned.in_scope),
        unowned=tuple(sorted(a.id for group in owned.unowned.values() for a in group)),
        unchanged=sum(1 for _, a in kept if a is not None) - updates,
        totals=company_totals(owned.in_scope, kept, catalog) if kept or owned.in_scope else None,
        lines=len(desired.lines),
    )


def _keep(
    line: DesiredAddition,
    lines: list[LiveAddition],
    owned: _Owned,
    name: str,
    places: int,
) -> tuple[list[Change], list[PlanWarning]]:
    """The lowest id of the configuration's lines with the line's key stays (updated if it differs),
    the others go; an unmarked line beside it is warned of."""
    keep = lines[0]
    changes = [
        delete(
            line.company,
            line.configuration,
            duplicate,
            reason=Reason.DUPLICATE,
            agreement_name=name,
            places=places,
        )
        for duplicate in lines[1:]
    ]
    changed = update(line, keep, None, name, places, force_marker=False)
    if changed is not None:
        changes.append(changed)
    beside = owned.unowned.get(line.natural_key, [])
    return changes, [conflict_warning(line, f"#{other.id}", also_owned=keep.id) for other in beside]


def _unwanted(
    desired: CompanyDesired, owned: _Owned, agreements: Mapping[int, AgreementInfo], places: int
) -> list[Change]:
    """cwbill's lines that no desired line wants (removed), and those of a configuration the company
    no longer has (orphans)."""
    wanted = {(line.configuration, line.natural_key) for line in desired.lines}
    removed = [
        (configuration, addition, Reason.REMOVED)
        for (configuration, key), additions in sorted(owned.by_key.items(), key=_order)
        if (configuration, key) not in wanted
        for addition in additions
    ]
    orphans = [(configuration, addition, Reason.ORPHAN) for configuration, addition in owned.orphans]
    return [
        delete(
            desired.company,
            configuration,
            addition,
            reason=reason,
            agreement_name=_name(agreements, addition.agreement_id),
            places=places,
        )
        for configuration, addition, reason in [*removed, *orphans]
    ]


def _name(agreements: Mapping[int, AgreementInfo], agreement_id: int) -> str:
    agreement = agreements.get(agreement_id)
    return agreement.name if agreement else ""


def _by_id(addition: LiveAddition) -> int:
    return addition.id


def _order(item: tuple[tuple[str, Key], list[LiveAddition]]) -> tuple[int, str, Period, str]:
    (configuration, (agreement_id, product, period)), _ = item
    return (agreement_id, product, period, configuration)


def _group_live(
    repository: Repository,
    desired: CompanyDesired,
    live_additions: Iterable[LiveAddition],
    agreements: Mapping[int, AgreementInfo],
) -> _Owned:
    """cwbill's lines in the scope of their configuration, orphans (a configuration the company no
    longer has) and unmarked lines, each in a period of the company's scope."""
    scopes: dict[str, frozenset[Period]] = {s.configuration: frozenset(s.periods) for s in desired.scopes}
    company_scope = frozenset(p for periods in scopes.values() for p in periods)
    company = repository.company(desired.company)
    owned = _Owned(by_key=defaultdict(list), orphans=[], unowned=defaultdict(list), in_scope=[])
    if company is None or not company_scope:  # no file names it (no agreement of it is read), or
        return owned  # nothing of it is in scope
    names = {c.name for c in company.configurations}
    ours: set[int] = set()  # the agreements seen to be the company's
    for addition in sorted(live_additions, key=_by_id):
        if addition.agreement_id not in ours:
            agreement = agreements.get(addition.agreement_id)
            if agreement is None:
                continue
            if repository.company(agreement.company) is not company:
                raise ValueError(f"addition #{addition.id} is not on an agreement of {desired.company}")
            ours.add(addition.agreement_id)
        period = addition.period
        if period is None:  # no effective date
            continue
        key: Key = (addition.agreement_id, addition.product, period)
        marker = parse_marker(addition.serial_number)
        if marker is None:
            if period in company_scope:
                owned.unowned[key].append(addition)
        elif marker.configuration in names:
            if period in scopes.get(marker.configuration, frozenset()):
                owned.by_key[(marker.configuration, key)].append(addition)
                owned.in_scope.append(addition)
        elif period in company_scope:
            owned.orphans.append((marker.configuration, addition))
            owned.in_scope.append(addition)
    return owned
