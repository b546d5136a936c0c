"""A record's notes as plan warnings, and the age of each period's figures."""

from __future__ import annotations

import datetime as dt

import pytest

from reconciler.engine.model import PlanWarning
from reconciler.engine.periods import Period
from reconciler.usage.model import Provenance, Source, Usage, UsageNote, UsageRecord
from reconciler.usage.notes import note_warnings, usage_ages
from tests.engine.builders import company, repository

OCT, NOV = Period(2026, 10), Period(2026, 11)
REPOSITORY = repository(company(), company(identifier="BETA", console_company="Beta Logistics"))


def _at(day: int, hour: int = 6) -> Provenance:
    return Provenance(Source.CONSOLE_API, dt.datetime(2026, 11, day, hour, tzinfo=dt.UTC))


def test_notes_of_periods_in_scope_become_warnings_of_the_company() -> None:
    note = UsageNote("unlimited-limit", "wasabi: unlimited")
    usage = Usage(
        {
            ("Acme Corp", OCT): UsageRecord(OCT, "Acme Corp", notes=(note,)),
            ("Acme Corp", NOV): UsageRecord(NOV, "Acme Corp", notes=(note,)),
            # a company without a file (`usage pull --all-companies`) is never billed: no warning
            ("Orphan Co", OCT): UsageRecord(OCT, "Orphan Co", notes=(note,)),
        }
    )
    assert note_warnings(usage, REPOSITORY, [OCT]) == [
        PlanWarning("unlimited-limit", "ACME", "", "wasabi: unlimited", "2026-10")
    ]


@pytest.mark.parametrize(
    ("provenances", "text"),
    [
        pytest.param([_at(1), _at(1)], "2026-10: taken 2026-11-01T06:00:00Z (console-api)", id="one pull"),
        pytest.param(
            [_at(1), _at(24, 10)],
            "2026-10: taken 2026-11-01T06:00:00Z to 2026-11-24T10:00:00Z (console-api)",
            id="two pulls: the range",
        ),
        pytest.param([None, None], "2026-10: taken_at unknown (file)", id="files that do not say"),
        pytest.param(
            [_at(1), None],
            "2026-10: taken 2026-11-01T06:00:00Z, 1 records without taken_at (console-api, file)",
            id="some say, some do not",
        ),
    ],
)
def test_the_age_of_a_period(provenances: list[Provenance | None], text: str) -> None:
    companies = ("Acme Corp", "Beta Logistics")
    usage = Usage(
        {
            (name, OCT): UsageRecord(OCT, name, provenance=p)
            for name, p in zip(companies, provenances, strict=True)
        }
    )
    assert [age.text() for age in usage_ages(usage, [OCT, NOV])] == [text]  # November: no record, no line
