"""Real accounts' edge cases, end to end against the sandbox's `console-edge-cases` seed.

Each case of issue #15 is served by the sandbox (docs/sandbox.md lists them) and checked here: an
unlimited (-1) package limit, expired, expiring and trial licenses, a user of no company, a moved and
a deleted user, two console companies of one name, and the logins the console refuses. The pull
writes a snapshot that `cwbill validate` accepts, and the plan made from it says how old it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from reconciler.config.load import load_repository
from reconciler.config.model import Repository
from reconciler.engine.periods import Period
from reconciler.errors import UserError
from reconciler.httpclient import RetryPolicy
from reconciler.render.mdescape import escape_markdown as md
from reconciler.sandbox import DEMO_CREDENTIALS, Sandbox
from reconciler.sandbox.seeds import load_seed
from reconciler.usage.console import fetch_usage
from reconciler.usage.model import StorageUsage, Usage, UsageNote, UsageRecord
from reconciler.usage.snapshot import load_usage
from tests.conftest import EXAMPLE_BILLING, Served

NOV = Period(2026, 11)
USERNAME, PASSWORD = DEMO_CREDENTIALS["MBS_USERNAME"], DEMO_CREDENTIALS["MBS_PASSWORD"]
ON_TIME = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)  # day 1 of the next month: the CI recipe's


def _pull(
    repository: Repository, sandbox: Sandbox, moment: dt.datetime = ON_TIME, period: Period = NOV
) -> tuple[Usage, list[tuple[str, str, str, str]]]:
    policy = RetryPolicy(attempts=2, sleep=lambda _: None)
    with httpx.Client(transport=sandbox.transport(), base_url="http://127.0.0.1:1") as client:
        usage, warnings = fetch_usage(
            client, repository, [period], USERNAME, PASSWORD, policy, now=lambda: moment
        )
    return usage, [(w.code, w.company, w.period, w.message) for w in warnings]


@pytest.fixture(scope="module")
def example() -> Repository:
    repository, _ = load_repository(EXAMPLE_BILLING)
    assert repository is not None
    return repository


@pytest.fixture(scope="module")
def pulled(example: Repository) -> tuple[Usage, list[tuple[str, str, str, str]]]:
    return _pull(example, Sandbox(load_seed("console-edge-cases")))


def _record(usage: Usage, company: str) -> UsageRecord:
    record = usage.of(company, NOV)
    assert record is not None, f"no record of {company}"
    return record


def _gb(stored: str, restored: str = "0", limit: str = "0") -> StorageUsage:
    return StorageUsage(Decimal(stored), Decimal(restored), Decimal(limit))


def test_expired_licenses_are_not_counted_expiring_ones_are_and_trials_never(
    pulled: tuple[Usage, list[tuple[str, str, str, str]]],
) -> None:
    acme = _record(pulled[0], "Acme Corp")
    # 4 Server + 2 expired on 2026-10-31 (left out) + 2 trials (left out); 12 Desktop + 1 expiring
    # on 2026-11-15 (in: it was active when November started)
    assert acme.licenses == {"server": 4, "desktop": 13}
    assert (
        UsageNote(
            "expired-license",
            "2 activated 'Server' licenses expired before 2026-11 (DateExpired 2026-10-31); not counted",
        )
        in acme.notes
    )


def test_an_unlimited_limit_is_no_limit_charge_with_a_note(
    pulled: tuple[Usage, list[tuple[str, str, str, str]]],
) -> None:
    acme = _record(pulled[0], "Acme Corp")
    assert acme.storage == {"wasabi": _gb("1300.25")}  # limit 0, never -1
    assert [n for n in acme.notes if n.code == "unlimited-limit"] == [
        UsageNote(
            "unlimited-limit",
            "wasabi: the storage limit of backup@acme-corp.example (package 1) is unlimited in the "
            "console (StorageLimit below 0); no limit is charged for it",
        )
    ]
    beta = _record(pulled[0], "Beta Logistics")
    assert beta.storage["wasabi"].limit == Decimal(1000)  # a real limit is still charged


def test_a_deleted_user_is_a_note_with_its_name_and_amount(
    pulled: tuple[Usage, list[tuple[str, str, str, str]]],
) -> None:
    acme = _record(pulled[0], "Acme Corp")
    assert [n.message for n in acme.notes if n.code == "deleted-user"] == [
        "user 'gone@edge.example' of 'Acme Corp' is in the console's billing of 2026-11 (75 GB average "
        "space, 0 licenses used) but no longer a console user: its usage cannot be read per storage "
        "account and is not billed"
    ]


def test_a_moved_user_counts_where_it_is_now_and_says_so(
    pulled: tuple[Usage, list[tuple[str, str, str, str]]],
) -> None:
    beta = _record(pulled[0], "Beta Logistics")
    assert beta.licenses == {"server": 2, "desktop": 1}  # the mover's Desktop license
    assert beta.storage == {"wasabi": _gb("537.75", "10", "1000")}  # 512.75 + the mover's 25
    assert [n.message for n in beta.notes if n.code == "moved-user"] == [
        "user 'mover@edge.example' is billed under 'Acme Corp' in the console's billing of 2026-11 but "
        "belongs to 'Beta Logistics' now: its 25 GB stored and 0 GB restored in 2026-11 count for "
        "'Beta Logistics'"
    ]


def test_what_belongs_to_no_company_file_is_warned_with_names_and_amounts(
    pulled: tuple[Usage, list[tuple[str, str, str, str]]],
) -> None:
    usage, warnings = pulled
    twins = [w for w in warnings if w[0] == "same-name-console-companies"]
    assert len(twins) == 1 and twins[0][3].startswith("2 console companies are named 'Zeta Twins' (Id '")
    assert (
        "user-without-company",
        "",
        "2026-11",
        "console user 'nobody@edge.example' belongs to no company: 1 activated licenses and 42 GB stored "
        "and 0 GB restored in 2026-11 are not billed; assign the user to a company in the console",
    ) in warnings
    assert sorted({w[0] for w in warnings}) == [
        "same-name-console-companies",
        "unmapped-console-company",
        "user-without-company",
    ]
    assert usage.of("Zeta Twins", NOV) is None
    assert len(usage.records) == 5


def test_two_console_companies_of_a_configured_name_are_an_error_naming_both(
    example: Repository, tmp_path: Path
) -> None:
    billing = tmp_path / "billing"
    (billing / "companies").mkdir(parents=True)
    for name in ("settings.yaml", "products.yaml", "prices.yaml"):
        (billing / name).write_bytes((EXAMPLE_BILLING / name).read_bytes())
    acme = (EXAMPLE_BILLING / "companies" / "acme.yaml").read_text(encoding="utf-8")
    (billing / "companies" / "zeta.yaml").write_text(
        acme.replace("company: ACME", "company: ZETA").replace(
            "console_company: Acme Corp", "console_company: Zeta Twins"
        ),
        encoding="utf-8",
    )
    repository, findings = load_repository(billing)
    assert repository is not None, findings
    sandbox = Sandbox(load_seed("console-edge-cases"))
    with pytest.raises(UserError) as raised:
        _pull(repository, sandbox)
    message = str(raised.value)
    ids = [c["Id"] for c in sandbox.store.console.companies if c["Name"] == "Zeta Twins"]
    assert len(ids) == 2 and all(f"Id {i!r}" in message for i in ids)
    assert "cannot tell whose usage is whose" in message


def test_a_pull_after_the_billing_days_says_its_counts_are_of_today(example: Repository) -> None:
    late = dt.datetime(2026, 12, 24, 10, 0, tzinfo=dt.UTC)
    usage, _ = _pull(example, Sandbox(load_seed("console-edge-cases")), late)
    for record in usage.records.values():
        assert (
            UsageNote(
                "late-pull",
                "license counts and limits are as of 2026-12-24, not of the end of 2026-11: the console "
                "keeps no history of them; pull a month on days 1-3 of the next one (the CI recipe of "
                "docs/ci.md does) and commit the snapshot",
            )
            in record.notes
        )
    on_time, _ = _pull(
        example, Sandbox(load_seed("console-edge-cases")), dt.datetime(2026, 12, 3, 23, tzinfo=dt.UTC)
    )
    assert not [n for r in on_time.records.values() for n in r.notes if n.code == "late-pull"]


@pytest.mark.parametrize(
    ("refusal", "words"),
    [
        pytest.param(
            "ip-restricted", "IP address: add it to the allowed addresses", id="an IP address not allowed"
        ),
        pytest.param(
            "api-disabled", "API access is turned off: enable it in the console", id="API access off"
        ),
    ],
)
def test_a_login_the_console_refuses_names_the_setting(
    example: Repository, tmp_path: Path, refusal: str, words: str
) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text(f"console:\n  login_refusal: {refusal}\n  companies: []\n", encoding="utf-8")
    with pytest.raises(UserError) as raised:
        _pull(example, Sandbox(load_seed(str(seed))))
    assert "refused the login (HTTP 403" in str(raised.value) and words in str(raised.value)
    assert PASSWORD not in str(raised.value)


@pytest.fixture
def edge(
    billing_copy: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Served]:
    seed = load_seed("console-edge-cases")
    with Served.serving(Sandbox(seed), billing_copy, capsys, monkeypatch) as served:
        yield served


def test_the_pulled_snapshot_validates_and_the_plan_shows_its_age(edge: Served) -> None:
    out = edge.billing / "usage" / "2026-11.yaml"
    pulled = edge.cwbill("usage", "pull", "billing", "--period", "2026-11", "--out", str(out))
    assert pulled.code == 0, pulled.text
    for code in ("user-without-company", "same-name-console-companies", "unlimited-limit", "moved-user"):
        assert f"[{code}]" in pulled.err
    text = out.read_text(encoding="utf-8")
    assert "limit: -" not in text and text.count("    source: console-api\n") == 5
    validated = edge.cwbill("validate", "billing")
    assert validated.code == 0, validated.text
    repository, _ = load_repository(edge.billing)
    assert repository is not None
    usage, findings = load_usage(out, repository)
    assert usage is not None and not findings
    taken = _record(usage, "Acme Corp").provenance
    assert taken is not None and taken.taken_at is not None
    stamp = taken.taken_at.isoformat().replace("+00:00", "Z")
    plan = edge.cwbill("plan", "billing", "--as-of", "2026-12-01")
    assert plan.code in (0, 2), plan.text
    assert f"Usage figures: 2026-11: taken {stamp} (console-api)" in plan.out
    assert "unlimited-limit: wasabi: the storage limit" in plan.out  # the file's notes warn in the plan
    markdown = edge.cwbill("plan", "billing", "--as-of", "2026-12-01", "--format", "markdown")
    assert f"  \n{md(f'Usage figures: 2026-11: taken {stamp} (console-api)')}\n\n" in markdown.out


def test_explain_sets_size_backup_beside_the_billing_figures(edge: Served) -> None:
    result = edge.cwbill("usage", "pull", "billing", "--period", "2026-11", "--explain")
    assert result.code == 0, result.text
    lines = result.err.splitlines()
    heading = lines.index("storage cross-check (GB of 2^30 bytes; docs/billing.md §9):")
    assert lines[heading + 1].split() == [
        "company",
        "period",
        "SizeBackup",
        "sum",
        "GB",
        "AverageSpace",
        "GB",
        "CurrentSpaceUsed",
        "GB",
        "AverageSpace/SizeBackup",
        "CurrentSpaceUsed/SizeBackup",
    ]
    rows = {" ".join(line.split()[:-6]): line.split()[-6:] for line in lines[heading + 2 :]}
    # Acme Corp: 1300.25 GB of SizeBackup; the console's billing puts under it the seeded AverageSpace
    # 1250, the deleted user's 75 and the moved user's 25 GB: the ratio shows the figures differ
    assert rows["Acme Corp"] == ["2026-11", "1300.25", "1350", "1300.25", "1.038", "1"]
    assert rows["Gamma Health"] == ["2026-11", "0", "0", "0", "-", "-"]  # no storage: no ratio
    assert sorted(rows) == ["Acme Corp", "Beta Logistics", "Delta Dental", "Epsilon Labs", "Gamma Health"]
