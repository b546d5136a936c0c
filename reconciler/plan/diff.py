"""Desired additions × live additions → a plan of changes (billing-rules §6).

Pure: takes the engine's result and what was read from ConnectWise, returns a `Plan`. Ownership by
the owner marker; for each configuration and natural key (agreement, product, period): create,
update only the differing managed fields, delete what nothing wants, collapse duplicates, never
touch an unmarked line unless adopting, never touch a period out of scope.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from reconciler.config.model import Repository
from reconciler.connectwise.live import CatalogItem, LiveAddition
from reconciler.engine.model import AgreementInfo, DesiredAddition, DesiredResult, PlanWarning
from reconciler.engine.periods import Period
from reconciler.plan.fields import desired_values, differing, display, live_values, normalized
from reconciler.plan.fingerprint import make_fingerprint
from reconciler.plan.marker import digest, marker_for, parse_marker
from reconciler.plan.model import Action, Change, Plan, Reason, Selection, Summary
from reconciler.plan.totals import totals_of

Key = tuple[int, str, Period]  # natural key: agreement id, product identifier, period


@dataclass(frozen=True, slots=True)
class LiveState:
    """What was read from ConnectWise for this run."""

    agreements: Mapping[int, AgreementInfo]
    additions: tuple[LiveAddition, ...]  # the additions of those agreements in the periods read
    catalog: Mapping[str, CatalogItem]  # identifier → item


@dataclass(slots=True)
class _Owned:
    """cwbill's live additions, grouped by (company, configuration) and natural key."""

    by_key: dict[tuple[str, str, Key], list[LiveAddition]]
    orphans: list[tuple[str, str, LiveAddition]]  # (company, marker configuration, addition)
    unowned: dict[Key, list[LiveAddition]]
    in_scope: list[tuple[str, LiveAddition]]  # (company, addition): the safety base and totals


def build_plan(
    repository: Repository,
    desired: DesiredResult,
    live: LiveState,
    selection: Selection,
    usage_digest: str,
    *,
    only: Reason | None = None,
) -> Plan:
    """The plan; with `only`, just the changes of that reason (`plan --drift-only`), their counts
    and the totals of the lines they touch, so that every figure shown adds up to what is shown."""
    places = repository.settings.unit_price_places
    scopes = {(s.company, s.configuration): frozenset(s.periods) for s in desired.scopes}
    owned = _group_live(repository, live, scopes)
    changes: list[Change] = []
    warnings: list[PlanWarning] = list(desired.warnings)
    agreement_names = {a.id: a.name for a in live.agreements.values()}
    wanted: set[tuple[str, str, Key]] = set()
    kept: list[tuple[DesiredAddition, LiveAddition | None]] = []

    for line in desired.additions:
        group_key = (line.company, line.configuration, line.natural_key)
        wanted.add(group_key)
        lines = sorted(owned.by_key.get(group_key, []), key=lambda a: a.id)
        name = agreement_names.get(line.agreement_id, "")
        product_id = live.catalog[line.product].id if line.product in live.catalog else None
        if not lines:
            unowned = sorted(owned.unowned.get(line.natural_key, []), key=lambda a: a.id)
            if unowned and not selection.adopt:
                ids = ", ".join(f"#{a.id}" for a in unowned)
                warnings.append(_conflict_warning(line, ids))
                continue
            if unowned:
                adoption = _update(line, unowned[0], Reason.ADOPT, name, places, force_marker=True)
                assert adoption is not None
                changes.append(adoption)
                kept.append((line, unowned[0]))
                continue
            changes.append(_create(line, name, product_id, places))
            kept.append((line, None))
            continue
        keep, extra = lines[0], lines[1:]
        kept.append((line, keep))
        for duplicate in extra:
            changes.append(
                _delete(
                    line.company,
                    line.configuration,
                    duplicate,
                    reason=Reason.DUPLICATE,
                    agreement_name=name,
                    places=places,
                )
            )
        update = _update(line, keep, None, name, places, force_marker=False)
        if update is not None:
            changes.append(update)
        for other in owned.unowned.get(line.natural_key, []):
            warnings.append(_conflict_warning(line, f"#{other.id}", also_owned=keep.id))

    for (company, configuration, key), lines in sorted(owned.by_key.items(), key=lambda kv: _order(kv[0])):
        if (company, configuration, key) in wanted:
            continue
        for addition in sorted(lines, key=lambda a: a.id):
            name = agreement_names.get(addition.agreement_id, "")
            changes.append(
                _delete(
                    company,
                    configuration,
                    addition,
                    reason=Reason.REMOVED,
                    agreement_name=name,
                    places=places,
                )
            )
    for company, configuration, addition in owned.orphans:
        name = agreement_names.get(addition.agreement_id, "")
        changes.append(
            _delete(
                company, configuration, addition, reason=Reason.ORPHAN, agreement_name=name, places=places
            )
        )

    changes.sort(key=lambda c: c.sort_key)
    # the lines that stay as they are, and the safety base, are the full scope's either way
    unchanged = sum(1 for _, a in kept if a is not None) - sum(c.action is Action.UPDATE for c in changes)
    changes, in_scope, counted = _only(only, changes, owned.in_scope, kept)
    totals, by_company = totals_of(in_scope, counted, live.catalog)
    summary = _summary(changes, unchanged, len(owned.in_scope))
    periods = tuple(sorted({p for s in desired.scopes for p in s.periods}))
    fingerprint = make_fingerprint(repository, usage_digest, selection, desired.scopes, live.additions)
    unowned_ids = tuple(sorted(a.id for group in owned.unowned.values() for a in group))
    return Plan(
        selection=selection,
        periods=periods,
        changes=tuple(changes),
        warnings=tuple(sorted(set(warnings), key=_warning_order)),
        summary=summary,
        totals=totals,
        totals_by_company=by_company,
        fingerprint=fingerprint,
        currency=repository.settings.currency,
        unit_price_places=places,
        unowned=unowned_ids,
    )


def _summary(changes: list[Change], unchanged: int, owned_in_scope: int) -> Summary:
    actions = [c.action for c in changes]
    return Summary(
        create=actions.count(Action.CREATE),
        update=actions.count(Action.UPDATE),
        delete=actions.count(Action.DELETE),
        unchanged=unchanged,
        owned_in_scope=owned_in_scope,
    )


def _only(
    reason: Reason | None,
    changes: list[Change],
    in_scope: list[tuple[str, LiveAddition]],
    kept: list[tuple[DesiredAddition, LiveAddition | None]],
) -> tuple[list[Change], list[tuple[str, LiveAddition]], list[tuple[DesiredAddition, LiveAddition | None]]]:
    """The changes of `reason`, and the live and desired lines they touch (for their totals)."""
    if reason is None:
        return changes, in_scope, kept
    shown = [c for c in changes if c.reason is reason]
    touched = {c.addition_id for c in shown if c.addition_id is not None}
    keys = {(c.company, c.agreement_id, c.product, c.period) for c in shown}
    live = [(company, a) for company, a in in_scope if a.id in touched]
    desired = [(line, a) for line, a in kept if (line.company, *line.natural_key) in keys]
    return shown, live, desired


def _order(key: tuple[str, str, Key]) -> tuple[str, int, str, Period, str]:
    company, configuration, (agreement_id, product, period) = key
    return (company, agreement_id, product, period, configuration)


def _warning_order(w: PlanWarning) -> tuple[str, str, str, str, str]:
    return (w.company, w.configuration, w.period, w.code, w.message)


def _group_live(
    repository: Repository, live: LiveState, scopes: Mapping[tuple[str, str], frozenset[Period]]
) -> _Owned:
    company_scope: dict[str, set[Period]] = defaultdict(set)
    for (company_id, _), periods in scopes.items():
        company_scope[company_id] |= periods
    owned = _Owned(by_key=defaultdict(list), orphans=[], unowned=defaultdict(list), in_scope=[])
    configuration_names = {c.identifier: {f.name for f in c.configurations} for c in repository.companies}
    for addition in live.additions:
        agreement = live.agreements.get(addition.agreement_id)
        period = addition.period
        company = repository.company(agreement.company) if agreement else None
        if company is None or period is None:  # not a configured company, or no effective date
            continue
        key: Key = (addition.agreement_id, addition.product, period)
        marker = parse_marker(addition.serial_number)
        if marker is None:
            if period in company_scope[company.identifier]:
                owned.unowned[key].append(addition)
            continue
        if marker.configuration in configuration_names[company.identifier]:
            if period in scopes.get((company.identifier, marker.configuration), frozenset()):
                owned.by_key[(company.identifier, marker.configuration, key)].append(addition)
                owned.in_scope.append((company.identifier, addition))
        elif period in company_scope[company.identifier]:
            owned.orphans.append((company.identifier, marker.configuration, addition))
            owned.in_scope.append((company.identifier, addition))
    return owned


def _conflict_warning(line: DesiredAddition, ids: str, also_owned: int | None = None) -> PlanWarning:
    if also_owned is None:
        message = (
            f"addition {ids} on agreement {line.agreement_id} bills {line.product} for {line.period} "
            "without cwbill's marker; nothing is created (it would bill twice). Adopt it with --adopt, "
            "or remove it in ConnectWise"
        )
    else:
        message = (
            f"addition {ids} on agreement {line.agreement_id} bills {line.product} for {line.period} "
            f"without cwbill's marker, beside cwbill's #{also_owned}: the client may be billed twice"
        )
    unbilled = line.product if also_owned is None else ""  # beside cwbill's line, the plan bills it
    return PlanWarning(
        "unowned-conflict", line.company, line.configuration, message, str(line.period), unbilled
    )


def _create(line: DesiredAddition, agreement_name: str, product_id: int | None, places: int) -> Change:
    values = desired_values(line)
    return Change(
        action=Action.CREATE,
        reason=Reason.NEW,
        company=line.company,
        configuration=line.configuration,
        agreement_id=line.agreement_id,
        agreement_name=agreement_name,
        product=line.product,
        period=line.period,
        addition_id=None,
        before=None,
        after=display(values, places),
        serial_number=marker_for(line.configuration, normalized(values)),
        product_id=product_id,
    )


def _update(
    line: DesiredAddition,
    addition: LiveAddition,
    reason: Reason | None,
    agreement_name: str,
    places: int,
    *,
    force_marker: bool,
) -> Change | None:
    wanted = desired_values(line)
    current = live_values(addition, wanted.keys())
    changed = differing(wanted, current)
    if not changed and not force_marker:
        return None  # equal managed fields: unchanged, whatever the digest says (§6)
    if reason is None:
        marker = parse_marker(addition.serial_number)
        edited = marker is not None and marker.digest != digest(normalized(current))
        reason = Reason.DRIFT if edited else Reason.CHANGED
    return Change(
        action=Action.UPDATE,
        reason=reason,
        company=line.company,
        configuration=line.configuration,
        agreement_id=line.agreement_id,
        agreement_name=agreement_name,
        product=line.product,
        period=line.period,
        addition_id=addition.id,
        before=display(current, places),
        after=display(wanted, places),
        changed=changed,
        serial_number=marker_for(line.configuration, normalized(wanted)),
    )


def _delete(
    company: str,
    configuration: str,
    addition: LiveAddition,
    *,
    reason: Reason,
    agreement_name: str,
    places: int,
) -> Change:
    period = addition.period
    assert period is not None
    return Change(
        action=Action.DELETE,
        reason=reason,
        company=company,
        configuration=configuration,
        agreement_id=addition.agreement_id,
        agreement_name=agreement_name,
        product=addition.product,
        period=period,
        addition_id=addition.id,
        before=display(live_values(addition), places),
        after=None,
    )
