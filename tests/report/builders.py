"""The example billing/ repository and its usage as a report, with agreements as the demo seed has
them — built without a server, for the renderer and screenshot tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from reconciler.config.load import load_repository
from reconciler.config.model import Repository
from reconciler.connectwise.live import CatalogItem
from reconciler.engine.model import AgreementInfo
from reconciler.plan.model import Selection
from reconciler.report.build import build_report
from reconciler.report.model import Report
from reconciler.usage.model import Usage
from reconciler.usage.snapshot import load_usage
from tests.conftest import EXAMPLE_BILLING

AS_OF = dt.date(2026, 11, 2)
JAN = dt.date(2026, 1, 1)
# agreement ids as the demo seed gives them (EPSILON's configuration names agreement 5 by id)
AGREEMENT_IDS = {"ACME": 1, "BETA": 2, "GAMMA": 3, "DELTA": 4, "EPSILON": 5}
CATALOG = {"MBS-SERVER": CatalogItem(1, "MBS-SERVER", Decimal("20.00"), Decimal("10.00"))}


def example(root: Path = EXAMPLE_BILLING) -> tuple[Repository, Usage]:
    repository, findings = load_repository(root)
    assert repository is not None, findings
    usage, findings = load_usage(root / "usage", repository)
    assert usage is not None, findings
    return repository, usage


def agreements(repository: Repository) -> dict[str, tuple[AgreementInfo, ...]]:
    found: dict[str, tuple[AgreementInfo, ...]] = {}
    for company in repository.companies:
        start = dt.date(2026, 11, 15) if company.identifier == "DELTA" else JAN
        agreement_id = AGREEMENT_IDS[company.identifier]
        found[company.identifier] = (
            AgreementInfo(agreement_id, "Managed Backup Service", company.identifier, start, start, None),
        )
    return found


def example_report(selection: Selection | None = None, root: Path = EXAMPLE_BILLING) -> Report:
    repository, usage = example(root)
    report = build_report(repository, usage, agreements(repository), CATALOG, selection or Selection(AS_OF))
    assert isinstance(report, Report), report
    return report
