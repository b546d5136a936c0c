"""A plan made company by company, as the reads arrive, is `build_plan`'s plan exactly."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from reconciler.plan.company import CompanyDesired, CompanyPart, company_part, desired_by_company
from reconciler.plan.diff import build_plan, merge_parts
from reconciler.plan.model import Plan, Reason, Selection
from tests.plan.worlds import AS_OF, World, world

SEEDS = range(12)
SEED_WITH_USAGE_GONE = 3  # a world where a company in scope wants nothing: its lines are removed


def parts_as_a_run_makes_them(w: World, selection: Selection, seed: int) -> list[CompanyPart]:
    """Each company's part from what a run holds of it alone: its own agreements (as read, by the
    repository's identifier) and their additions, in no particular order; the parts in any order."""
    parts = []
    for company, wanted in desired_by_company(w.desired).items():
        agreements = {a.id: a for a in w.agreements_by_company.get(company, ())}
        additions = [a for a in reversed(w.live.additions) if a.agreement_id in agreements]
        parts.append(
            company_part(
                w.repository,
                wanted,
                additions,
                agreements=agreements,
                catalog=w.live.catalog,
                selection=selection,
            )
        )
    random.Random(seed).shuffle(parts)
    return parts


def merged(w: World, parts: list[CompanyPart], selection: Selection, only: Reason | None = None) -> Plan:
    return merge_parts(
        w.repository,
        w.desired,
        parts,
        live_additions=w.live.additions,
        catalog=w.live.catalog,
        selection=selection,
        usage_digest="usage-digest",
        only=only,
    )


@pytest.mark.parametrize("seed", SEEDS, ids=lambda seed: f"world {seed}")
@pytest.mark.parametrize("adopt", [False, True], ids=["as plan runs", "with --adopt"])
@pytest.mark.parametrize(
    "only",
    [None, Reason.DRIFT, Reason.REMOVED, Reason.NEW, Reason.ADOPT],
    ids=["every change", "--drift-only", "only removed", "only new", "only adopted"],
)
def test_parts_made_as_the_reads_arrive_merge_to_the_plan_of_build_plan(
    seed: int, adopt: bool, only: Reason | None
) -> None:
    w = world(seed)
    selection = Selection(AS_OF, adopt=adopt)
    expected = build_plan(w.repository, w.desired, w.live, selection, "usage-digest", only=only)
    assert merged(w, parts_as_a_run_makes_them(w, selection, seed), selection, only) == expected


def test_the_worlds_hold_every_case_of_the_diff() -> None:
    """So that the equality above is about something: every reason, conflicts, unowned lines,
    companies without agreements, unchanged lines, a company in scope whose usage is gone, totals
    of several companies."""
    reasons: Counter[Reason] = Counter()
    codes: Counter[str] = Counter()
    without_agreements = unchanged = unowned = companies_with_totals = usage_gone = 0
    for seed in SEEDS:
        w = world(seed)
        for adopt in (False, True):
            plan = build_plan(w.repository, w.desired, w.live, Selection(AS_OF, adopt=adopt), "")
            reasons.update(c.reason for c in plan.changes)
            codes.update(warning.code for warning in plan.warnings)
            unchanged += plan.summary.unchanged
            unowned += len(plan.unowned)
            companies_with_totals = max(companies_with_totals, len(plan.totals_by_company))
            wanting = {line.company for line in w.desired.additions}
            usage_gone += sum(c.company not in wanting and c.reason is Reason.REMOVED for c in plan.changes)
        without_agreements += len(w.repository.companies) - len(w.agreements_by_company)
    assert set(reasons) == set(Reason)
    assert codes["unowned-conflict"] > 0
    assert min(without_agreements, unchanged, unowned, usage_gone) > 0
    assert companies_with_totals > 2


@pytest.mark.parametrize(
    "with_lines", [True, False], ids=["a company with desired lines", "a company in scope with none"]
)
def test_a_company_left_without_its_part_is_refused(with_lines: bool) -> None:
    """Without the part of a company in scope whose usage is gone, its lines would not be removed."""
    w = world(SEED_WITH_USAGE_GONE)
    selection = Selection(AS_OF)
    parts = parts_as_a_run_makes_them(w, selection, SEED_WITH_USAGE_GONE)
    left_out = next(p for p in parts if bool(p.lines) is with_lines and p.changes)
    with pytest.raises(ValueError, match="a company has no part"):
        merged(w, [p for p in parts if p is not left_out], selection)


def test_two_parts_of_one_company_are_refused() -> None:
    w = world(3)
    selection = Selection(AS_OF)
    parts = parts_as_a_run_makes_them(w, selection, 3)
    with pytest.raises(ValueError, match="two parts of one company"):
        merged(w, [*parts, parts[0]], selection)


def test_an_addition_of_another_companys_agreement_is_refused() -> None:
    w = world(3)
    wanted = next(
        share
        for company, share in desired_by_company(w.desired).items()
        if company in w.agreements_by_company and any(scope.periods for scope in share.scopes)
    )
    stranger = next(
        a for a in w.live.additions if w.live.agreements[a.agreement_id].company.upper() != wanted.company
    )
    with pytest.raises(ValueError, match=f"#{stranger.id} is not on an agreement of {wanted.company}"):
        company_part(
            w.repository,
            wanted,
            [stranger],
            agreements=w.live.agreements,
            catalog={},
            selection=Selection(AS_OF),
        )


def test_the_engines_result_is_split_by_company_in_its_own_order() -> None:
    w = world(5)
    split = desired_by_company(w.desired)
    assert list(split) == sorted(
        {line.company for line in w.desired.additions} | {s.company for s in w.desired.scopes}
    )
    for company, share in split.items():
        assert share == CompanyDesired(
            company,
            tuple(line for line in w.desired.additions if line.company == company),
            tuple(scope for scope in w.desired.scopes if scope.company == company),
        )
