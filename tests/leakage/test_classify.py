"""Each unit of usage lands in exactly one bucket, decided from the engine's and the plan's results."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from collections.abc import Sequence

import pytest

from reconciler.config.model import Bill, CostPrice, Repository, SendMode, StoragePrice, StorageUnit
from reconciler.connectwise.live import LiveAddition
from reconciler.engine.desired import compute_desired
from reconciler.engine.model import AgreementInfo
from reconciler.engine.periods import Period
from reconciler.leakage.classify import classify_usage
from reconciler.leakage.model import Bucket, Leakage, Measure
from reconciler.plan.diff import LiveState, build_plan
from reconciler.plan.model import Selection
from reconciler.usage.model import Usage
from tests.engine.builders import D, agreement, company, configuration, record, repository, storage, usage

AS_OF = dt.date(2026, 11, 2)  # manual configurations: October and November; auto-billing: October
OCT = Period(2026, 10)


def leak(
    repo: Repository,
    use: Usage,
    additions: Sequence[LiveAddition] = (),
    agreements: Sequence[AgreementInfo] = (),
    companies: tuple[str, ...] = (),
) -> Leakage:
    held = {"ACME": list(agreements or [agreement(1)])}
    desired = compute_desired(repo, use, held, AS_OF, companies=list(companies) or None)
    live = LiveState({a.id: a for a in held["ACME"]}, tuple(additions), {})
    plan = build_plan(repo, desired, live, Selection(AS_OF, companies=companies), "")
    return classify_usage(repo, use, desired, live, plan)


def line(serial: str | None, product: str = "MBS-SERVER", period: Period = OCT) -> LiveAddition:
    return LiveAddition(
        id=7,
        agreement_id=1,
        product=product,
        quantity=D(2),
        unit_price=D("15.00"),
        unit_cost=D("8.00"),
        bill_customer="Billable",
        effective_date=period.first_day,
        cancelled_date=period.last_day,
        invoice_description=None,
        serial_number=serial,
        last_updated="2026-10-01T00:00:00Z",
    )


SERVER = record(licenses={"server": 2})
FREE_RESTORE = StoragePrice(StorageUnit.GB, backup=CostPrice(D(0), D("0.02")))
AUTO_DESKTOP = configuration("desktops", console_products=("desktop",), auto_billing=True)
CASES = [
    pytest.param(repository(company()), usage(record(console_company="Nobody Inc", licenses={"server": 2})),
                 (), (), Bucket.NO_COMPANY_FILE, "30.00", id="a console company without a company file"),
    pytest.param(repository(company()), usage(dataclasses.replace(record(), unmapped_licenses={"HV": 3})),
                 (), (), Bucket.UNMAPPED_PRODUCT, None, id="a console product products.yaml does not map"),
    pytest.param(repository(company()), usage(record(licenses={"desktop": 4})),
                 (), (), Bucket.NOT_SELECTED, "20.00", id="a product no configuration selects"),
    pytest.param(repository(company(configuration(), AUTO_DESKTOP)),
                 usage(record("2026-11", licenses={"desktop": 4})), (), (),
                 Bucket.OUT_OF_SCOPE, "20.00", id="a period outside its configuration's scope"),
    pytest.param(repository(company()), usage(SERVER), (), [agreement(1, bill_start=dt.date(2026, 11, 15))],
                 Bucket.PERIOD_SKIPPED, "30.00", id="a period the agreement's dates skip"),
    pytest.param(repository(company(configuration(console_products=("wasabi",), send=SendMode.QUANTITY))),
                 usage(record(storage={"wasabi": storage(restored="40")})),
                 (), (), Bucket.NOTHING_TO_SEND, "0.40", id="restored storage a quantity line cannot count"),
    pytest.param(repository(company(configuration(bill=Bill.NO_CHARGE))), usage(SERVER),
                 (), (), Bucket.NOT_CHARGED, "30.00", id="a no-charge configuration"),
    pytest.param(repository(company(configuration(console_products=("sql",)))),
                 usage(record(licenses={"sql": 1})), (), (), Bucket.NO_PRICE, None, id="no price"),
    pytest.param(repository(company()), usage(SERVER), [line(None)], (),
                 Bucket.CONFLICT, "30.00", id="a line without cwbill's marker on the key"),
    pytest.param(repository(company()), usage(SERVER), (), (), Bucket.PENDING, "30.00", id="no line yet"),
    pytest.param(repository(company()), usage(SERVER), [line("cwbill:licenses:0badf00d")], (),
                 Bucket.BILLED, "30.00", id="cwbill's own line, even drifted"),
]  # fmt: skip


@pytest.mark.parametrize(("repo", "use", "additions", "agreements", "bucket", "amount"), CASES)
def test_a_unit_lands_in_its_bucket(
    repo: Repository,
    use: Usage,
    additions: Sequence[LiveAddition],
    agreements: Sequence[AgreementInfo],
    bucket: Bucket,
    amount: str | None,
) -> None:
    found = leak(repo, use, additions, agreements)
    assert [(u.bucket, u.amount) for u in found.units] == [(bucket, None if amount is None else D(amount))]
    assert bool(found.leaking) is bucket.leaking


def test_an_unmapped_product_of_a_company_without_a_file_counts_once_as_no_company_file() -> None:
    stray = dataclasses.replace(record(console_company="Nobody Inc"), unmapped_licenses={"Hyper-V": 3})
    found = leak(repository(company()), usage(stray))
    assert [(u.bucket, u.product, u.quantity) for u in found.units] == [
        (Bucket.NO_COMPANY_FILE, "Hyper-V", D(3))
    ]


def test_storage_splits_by_measure_and_its_values_add_up_to_the_line_price() -> None:
    repo = repository(company(configuration("storage", console_products=("wasabi",), send=SendMode.TOTAL)))
    found = leak(repo, usage(record(storage={"wasabi": storage("1234.5", "20", "2000")})))
    # 1234.5 × 0.02 + 20 × 0.01 + 2000 × 0.001 = 24.69 + 0.20 + 2.00 (the total line's unitPrice 26.89)
    assert [(u.measure, u.quantity, u.amount) for u in found.units] == [
        (Measure.STORED, D("1234.5"), D("24.69")),
        (Measure.RESTORED, D("20"), D("0.20")),
        (Measure.LIMIT, D("2000"), D("2.00")),
    ]
    assert {u.bucket for u in found.units} == {Bucket.PENDING}
    assert found.grand_total.amount == D("26.89")


def test_company_selection_leaves_out_console_companies_without_a_file() -> None:
    use = usage(SERVER, record(console_company="Nobody Inc", licenses={"server": 9}))
    assert {u.bucket for u in leak(repository(company()), use).units} == {
        Bucket.PENDING,
        Bucket.NO_COMPANY_FILE,
    }
    assert {u.bucket for u in leak(repository(company()), use, companies=("ACME",)).units} == {Bucket.PENDING}


def test_totals_go_largest_money_first_and_count_units_without_a_price() -> None:
    repo = repository(company(configuration(console_products=("server", "sql"))))
    use = usage(
        record(licenses={"server": 2, "sql": 3}), record(console_company="Big Co", licenses={"vm": 10})
    )
    found = leak(repo, use)
    assert [(b, t.amount, t.units, t.unpriced) for b, t in found.by_bucket()] == [
        (Bucket.NO_COMPANY_FILE, D("225.00"), 1, 0),
        (Bucket.PENDING, D("30.00"), 1, 0),
        (Bucket.NO_PRICE, D(0), 1, 1),
    ]
    assert [(who, leaking.amount, every.units) for who, leaking, every in found.by_company()] == [
        ("Big Co", D("225.00"), 1),
        ("ACME", D("30.00"), 2),
    ]


def test_a_unit_worth_exactly_nothing_does_not_leak() -> None:
    # restored storage at a restore price of 0, on a line no send: quantity configuration can send
    repo = repository(company(configuration(console_products=("wasabi",), send=SendMode.QUANTITY)))
    free = dataclasses.replace(
        repo, prices=dataclasses.replace(repo.prices, storage={"wasabi": FREE_RESTORE})
    )
    found = leak(free, usage(record(storage={"wasabi": storage(restored="40")})))
    assert [(u.bucket, u.amount, u.leaking) for u in found.units] == [
        (Bucket.NOTHING_TO_SEND, D("0.00"), False)
    ]
    assert found.leaking == ()


def test_the_classification_and_its_renderers_import_no_io_library() -> None:
    modules = "reconciler.leakage.classify, reconciler.leakage.render, reconciler.leakage.markdown"
    code = f"import sys, {modules}; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    loaded = set(done.stdout.split())
    assert "reconciler.leakage.classify" in loaded
    forbidden = {"httpx", "typer", "rich", "click", "pathlib", "shutil", "yaml", "jsonschema", "socket"}
    assert loaded & forbidden == set()
