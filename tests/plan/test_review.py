"""The review aids: each fires on a case built for it and stays quiet where nothing is unusual."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from reconciler.config.model import Bill, CostPrice, Prices, Repository, Review, SendMode
from reconciler.engine.desired import compute_desired
from reconciler.plan.model import Selection
from reconciler.plan.review import Aid, review_run
from reconciler.plan.review import Review as Notes
from reconciler.usage.model import Usage
from tests.engine.builders import (
    PRICES,
    D,
    agreement,
    company,
    configuration,
    record,
    repository,
    storage,
    usage,
)

AS_OF = dt.date(2026, 11, 2)  # manual configurations: 2026-10 and 2026-11
LICENSES = configuration("licenses", console_products=("server", "desktop"))


def review(repo: Repository, snapshot: Usage) -> Notes:
    agreements = {"ACME": [agreement()]}
    desired = compute_desired(repo, snapshot, agreements, AS_OF)
    return review_run(repo, desired, snapshot, agreements, {}, Selection(as_of=AS_OF))


def licenses(*months: tuple[str, int, int]) -> Usage:
    return usage(*(record(p, licenses={"server": s, "desktop": d}) for p, s, d in months))


def aids(notes: Notes) -> list[Aid]:
    return sorted({note.aid for note in notes.notes})


STEADY = licenses(("2026-09", 10, 10), ("2026-10", 11, 10), ("2026-11", 11, 11))


def test_nothing_unusual_raises_no_note() -> None:
    notes = review(repository(company(LICENSES)), STEADY)
    assert notes.notes == ()
    # month over month is shown all the same: each period beside the one before
    assert [(m.period.label, m.billed, m.previous) for m in notes.months] == [
        ("October 2026", D("215.00"), D("200.00")),
        ("November 2026", D("220.00"), D("215.00")),
    ]


def test_a_company_whose_bill_moves_more_than_the_threshold_is_flagged() -> None:
    # +40 % licenses (under the usage threshold of 50 %), +40 % billed (over 25 %)
    notes = review(
        repository(company(LICENSES)), licenses(("2026-09", 10, 10), ("2026-10", 10, 10), ("2026-11", 14, 14))
    )
    assert aids(notes) == [Aid.MONTH]
    (note,) = notes.notes
    assert note.message == (
        "2026-11: billed 280.00, +40.0% against 2026-10 (200.00); more than "
        "review.max_company_change_percent (25%)"
    )
    assert notes.flags("ACME") == [Aid.MONTH]


def test_the_threshold_comes_from_settings() -> None:
    repo = repository(company(LICENSES))
    relaxed = dataclasses.replace(repo.settings, review=Review(max_company_change_percent=D(50)))
    snapshot = licenses(("2026-09", 10, 10), ("2026-10", 10, 10), ("2026-11", 14, 14))
    assert review(dataclasses.replace(repo, settings=relaxed), snapshot).notes == ()


def test_a_usage_jump_is_flagged_when_the_bill_hardly_moves() -> None:
    notes = review(
        repository(company(LICENSES)), licenses(("2026-09", 20, 10), ("2026-10", 20, 10), ("2026-11", 20, 16))
    )
    assert aids(notes) == [Aid.USAGE]
    assert notes.notes[0].message.startswith("2026-11: Desktop licenses 10 → 16 (+60.0% against 2026-10)")


def test_a_storage_jump_is_flagged() -> None:
    wasabi = configuration("storage", console_products=("wasabi",), send=SendMode.TOTAL)
    snapshot = usage(
        record("2026-09", storage={"wasabi": storage("1000")}),
        record("2026-10", storage={"wasabi": storage("1000")}),
        record("2026-11", storage={"wasabi": storage("400")}),
    )
    notes = review(repository(company(wasabi)), snapshot)
    assert Aid.USAGE in aids(notes)
    assert any("Wasabi storage 1,000 GB → 400 GB (-60.0%" in n.message for n in notes.notes)


def test_a_line_priced_below_cost_is_flagged_without_its_cost() -> None:
    prices = Prices(
        licenses={**PRICES.licenses, "desktop": CostPrice(D("6.00"), D("5.00"))}, storage=PRICES.storage
    )
    notes = review(repository(company(LICENSES), prices=prices), STEADY)
    below = [n for n in notes.notes if n.aid is Aid.BELOW_COST]
    assert [n.period.label for n in below] == ["October 2026", "November 2026"]
    assert below[0].message == "MBS-DESKTOP 2026-10: priced below cost"
    assert "6.00" not in below[0].message
    assert (
        below[0].text(show_cost=True)
        == "MBS-DESKTOP 2026-10: priced below cost (unitPrice 5.00 < unitCost 6.00)"
    )


def test_a_billable_line_at_price_zero_is_flagged() -> None:
    with_sql = configuration("licenses", console_products=("server", "sql"))
    snapshot = usage(
        *(record(p, licenses={"server": 10, "sql": 2}) for p in ("2026-09", "2026-10", "2026-11"))
    )
    notes = review(repository(company(with_sql)), snapshot)
    assert aids(notes) == [Aid.AT_ZERO]
    assert notes.notes[0].message.startswith(
        "MBS-SQL 2026-10: billable at unitPrice 0.00 (no price in prices.yaml)"
    )


def test_a_line_billed_as_no_charge_at_zero_is_not_flagged() -> None:
    with_sql = configuration("licenses", console_products=("sql",), bill=Bill.NO_CHARGE)
    snapshot = usage(*(record(p, licenses={"sql": 2}) for p in ("2026-09", "2026-10", "2026-11")))
    assert review(repository(company(with_sql)), snapshot).notes == ()


BETA_STORAGE = usage(
    record("2026-09", storage={"wasabi": storage("500")}),
    record("2026-10", storage={"wasabi": storage("500")}),
    record("2026-11", storage={"wasabi": storage("512.75", "10")}),
)


@pytest.mark.parametrize(
    ("places", "fires"),
    [(2, True), (4, False)],
    ids=["unitPrice to 2 places drops the restore charge", "to 4 places it stays within a cent"],
)
def test_money_lost_to_rounding_an_average_is_flagged(places: int, fires: bool) -> None:
    average = configuration("storage", console_products=("wasabi",), send=SendMode.AVERAGE)
    notes = review(repository(company(average), places=places), BETA_STORAGE)
    rounding = [n for n in notes.notes if n.aid is Aid.ROUNDING]
    assert bool(rounding) is fires
    if fires:
        assert rounding[0].message == (
            "MBS-STORAGE 2026-11: 512.75 × unitPrice 0.02 = 10.26, the exact amount is 10.36: 0.10 lost to "
            "rounding (send: average). Set rounding.unit_price: 4 in settings.yaml, or send: total"
        )


def test_send_total_loses_nothing_to_rounding() -> None:
    total = configuration("storage", console_products=("wasabi",), send=SendMode.TOTAL)
    assert review(repository(company(total)), BETA_STORAGE).notes == ()
