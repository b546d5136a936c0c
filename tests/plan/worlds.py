"""Random worlds of several companies for the diff, holding every case billing-rules §6 knows.

Each company gets 0–2 agreements (their company spelled in any case, as ConnectWise may), one or
two configurations with periods in scope (or none: not selected), desired lines, and live additions
that make each desired line new, unchanged, changed, drifted, duplicated, unmarked (a conflict, or an
adoption) or billed beside an unmarked line — or, for a company whose usage is gone, the lines it
had; besides those, lines nothing wants, orphans of a
configuration the company no longer has, closed months, lines without an effective date, lines of
an agreement no file names, and of an agreement nobody read.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal

from reconciler.config.model import Bill, Company, Configuration, Prices, Repository, SendMode, Settings
from reconciler.connectwise.live import CatalogItem, LiveAddition
from reconciler.engine.model import (
    AgreementInfo,
    ConfigurationScope,
    DesiredAddition,
    DesiredResult,
    PlanWarning,
)
from reconciler.engine.periods import Period
from reconciler.errors import Location
from reconciler.plan.diff import LiveState
from reconciler.plan.fields import desired_values, normalized
from reconciler.plan.marker import marker_for

D = Decimal
SEP, OCT, NOV = Period(2026, 9), Period(2026, 10), Period(2026, 11)
AS_OF = dt.date(2026, 11, 9)
PRODUCTS = ("MBS-SERVER", "MBS-DESKTOP", "MBS-STORAGE")  # the catalog lacks the last one
CATALOG = {
    "MBS-SERVER": CatalogItem(7, "MBS-SERVER", D("20.00"), D("10.00")),
    "MBS-DESKTOP": CatalogItem(8, "MBS-DESKTOP", D("5"), None),
}
HERE = Location("billing/companies/c.yaml", 1, 1)
LINE_CASES = ("new", "same", "changed", "drift", "duplicates", "unmarked", "beside")


@dataclass(frozen=True, slots=True)
class World:
    repository: Repository
    desired: DesiredResult
    live: LiveState
    agreements_by_company: dict[str, tuple[AgreementInfo, ...]]  # as `read_agreements` gives them


def _configuration(name: str) -> Configuration:
    return Configuration(
        name=name,
        agreement="Managed Backup Service",
        bill=Bill.BILLABLE,
        auto_billing=False,
        console_products=("server",),
        connectwise_products=PRODUCTS,
        send=SendMode.AVERAGE,
        location=HERE,
    )


def _line(
    rng: random.Random, company: str, configuration: str, agreement: int, product: str, period: Period
) -> DesiredAddition:
    send_quantity = rng.random() < 0.3  # no prices: the live line's or the catalog's apply
    return DesiredAddition(
        company=company,
        configuration=configuration,
        agreement_id=agreement,
        product=product,
        period=period,
        quantity=D(rng.choice(["0", "1", "3", "12.5", "250"])),
        unit_price=None if send_quantity else D(rng.choice(["15.00", "15.5", "0.0059", "22.50"])),
        unit_cost=None if send_quantity else D(rng.choice(["8.00", "0", "2.125"])),
        bill_customer=rng.choice(["Billable", "DoNotBill"]),
        effective_date=period.first_day,
        cancelled_date=period.last_day,
        invoice_description=rng.choice([None, f"{product} for {period}"]),
    )


class _Live:
    """Live additions being made up, with ids in the order they are made."""

    def __init__(self) -> None:
        self.additions: list[LiveAddition] = []
        self._ids: Iterator[int] = itertools.count(100)

    def add(self, line: DesiredAddition, serial: str | None, **edits: object) -> None:
        addition = LiveAddition(
            id=next(self._ids),
            agreement_id=line.agreement_id,
            product=line.product,
            quantity=line.quantity,
            unit_price=line.unit_price if line.unit_price is not None else D("19.00"),
            unit_cost=line.unit_cost,
            bill_customer=line.bill_customer,
            effective_date=line.effective_date,
            cancelled_date=line.cancelled_date,
            invoice_description=line.invoice_description,
            serial_number=serial,
            last_updated=f"2026-11-0{1 + len(self.additions) % 9}T00:00:00Z",
        )
        self.additions.append(replace(addition, **edits))

    def marked(self, line: DesiredAddition, written: DesiredAddition | None = None, **edits: object) -> None:
        """A line cwbill wrote as `written` (default: `line`), then `edits` made in ConnectWise."""
        serial = marker_for(line.configuration, normalized(desired_values(written or line)))
        self.add(line, serial, **edits)


def _meet(live: _Live, rng: random.Random, line: DesiredAddition) -> None:
    """What ConnectWise holds for a desired line: one of `LINE_CASES`."""
    case = rng.choice(LINE_CASES)
    more = replace(line, quantity=line.quantity + 1)
    if case == "same":
        live.marked(line)
    elif case == "changed":  # cwbill wrote another quantity, the usage changed since
        live.marked(line, more, quantity=more.quantity)
    elif case == "drift":  # cwbill wrote this line, someone edited it since
        live.marked(line, quantity=more.quantity)
    elif case == "duplicates":
        for _ in range(rng.randint(2, 3)):
            live.marked(line, more, quantity=more.quantity)
    elif case == "unmarked":
        live.add(line, rng.choice([None, "", "INV-2026-0001"]), quantity=more.quantity)
    elif case == "beside":
        live.marked(line)
        live.add(line, None)


def _leftovers(live: _Live, rng: random.Random, company: str, agreement: AgreementInfo) -> None:
    """Lines on an agreement no desired line meets."""
    line = _line(rng, company, "licenses", agreement.id, "MBS-SQL", rng.choice([OCT, NOV]))
    live.marked(line)  # nothing wants it any more (removed), if its period is in scope
    live.marked(replace(line, configuration="legacy"))  # a configuration the company no longer has
    live.marked(replace(line, configuration="storage", product="MBS-STORAGE"))  # orphan unless it has one
    live.marked(_line(rng, company, "licenses", agreement.id, "MBS-SERVER", SEP))  # a closed month
    live.add(line, None, product="MBS-BACKUP")  # someone else's line
    live.marked(line, effective_date=None)  # no effective date: no period


def world(seed: int, companies: int = 7) -> World:
    rng = random.Random(seed)
    live = _Live()
    agreement_ids = itertools.count(1)
    repository_companies: list[Company] = []
    by_company: dict[str, tuple[AgreementInfo, ...]] = {}
    lines: list[DesiredAddition] = []
    scopes: list[ConfigurationScope] = []
    for number in range(companies):
        identifier = f"C{number:02d}"
        names = ("licenses", "storage") if rng.random() < 0.5 else ("licenses",)
        repository_companies.append(
            Company(identifier, f"Company {number}", tuple(map(_configuration, names)), HERE)
        )
        spelled = identifier.lower() if rng.random() < 0.3 else identifier
        agreements = tuple(
            AgreementInfo(
                next(agreement_ids), f"Agreement {number}", spelled, dt.date(2026, 1, 1), None, None
            )
            for _ in range(rng.choice([0, 1, 1, 2]))
        )
        if agreements:
            by_company[identifier] = agreements
        gone = rng.random() < 0.2  # its usage is gone: in scope, yet nothing desired
        if rng.random() >= 0.15:  # else not selected: no scope, nothing desired
            for name in names:
                periods = tuple(p for p in (OCT, NOV) if rng.random() < 0.8)
                scopes.append(ConfigurationScope(identifier, name, periods))
                for period, product in itertools.product(periods, PRODUCTS):
                    if agreements and rng.random() < 0.6:
                        line = _line(rng, identifier, name, rng.choice(agreements).id, product, period)
                        lines += () if gone else (line,)
                        _meet(live, rng, line)
        for agreement in agreements:
            _leftovers(live, rng, identifier, agreement)
    ghost = AgreementInfo(next(agreement_ids), "Elsewhere", "GHOST", None, None, None)  # no file names it
    _leftovers(live, rng, "GHOST", ghost)
    stray = _line(rng, "C00", "licenses", 999, "MBS-SERVER", OCT)  # an agreement nobody read
    live.marked(stray)
    warnings = (
        PlanWarning("average-as-total", "C01", "licenses", "an engine warning", "2026-10"),
        PlanWarning("average-as-total", "C01", "licenses", "an engine warning", "2026-10"),
        PlanWarning("unlimited-limit", "C03", "storage", "a usage note"),
    )
    every_agreement = {a.id: a for group in (*by_company.values(), (ghost,)) for a in group}
    repository = Repository(
        settings=Settings(connectwise_url="https://cw.example/v4_6_release/apis/3.0"),
        products={},
        prices=Prices(),
        companies=tuple(repository_companies),
        files=(("settings.yaml", "0" * 64),),
    )
    return World(
        repository,
        DesiredResult(tuple(lines), warnings, tuple(scopes)),
        LiveState(every_agreement, tuple(live.additions), CATALOG),
        by_company,
    )
