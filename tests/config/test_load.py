"""Loading a billing repository: files, positions, exact numbers, the model, all findings at once."""

from __future__ import annotations

import hashlib
import itertools
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.config.load import display_path, load_repository
from reconciler.config.model import Repository
from reconciler.errors import Finding, Severity
from tests.conftest import edit


def rendered(findings: list[Finding]) -> list[str]:
    return sorted(f.render() for f in findings)


def loaded(root: Path) -> Repository:
    repository, findings = load_repository(root, environ={})
    assert all(f.severity is Severity.WARNING for f in findings), rendered(findings)
    assert repository is not None
    return repository


def test_the_example_is_valid_with_one_warning_for_the_unpriced_product(billing_copy: Path) -> None:
    repository, findings = load_repository(billing_copy, environ={})
    assert rendered(findings) == [
        "billing/products.yaml:20:3: products.sql: warning: has no cost/price in prices.yaml: "
        "billed at cost 0, price 0"
    ]
    assert findings[0].code == "no-price"
    assert repository is not None
    assert [c.identifier for c in repository.companies] == ["ACME", "BETA", "DELTA", "EPSILON", "GAMMA"]
    assert repository.configuration_count == 6


def test_files_are_listed_relative_to_the_repository_with_their_sha256(billing_copy: Path) -> None:
    (billing_copy / "usage" / "2026-11.yaml").write_text("not read by the config loader: [")
    repository = loaded(billing_copy)
    names = [name for name, _ in repository.files]
    assert names == sorted(names)
    assert names == [
        "companies/acme.yaml",
        "companies/beta.yaml",
        "companies/delta.yaml",
        "companies/epsilon.yaml",
        "companies/gamma.yaml",
        "prices.yaml",
        "products.yaml",
        "settings.yaml",
    ]
    digest = dict(repository.files)["settings.yaml"]
    assert digest == hashlib.sha256((billing_copy / "settings.yaml").read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("0.1", Decimal("0.1")),
        ("0.0059", Decimal("0.0059")),
        ("1234.5", Decimal("1234.5")),
        ('"15.00"', Decimal("15.00")),
    ],
    ids=["one-tenth", "four-places", "one-place", "quoted-text"],
)
def test_prices_reach_the_model_exactly_as_written(
    billing_copy: Path, written: str, expected: Decimal
) -> None:
    edit(
        billing_copy / "prices.yaml",
        "server:   {cost: 8.00, price: 15.00}",
        f"server: {{cost: 8.00, price: {written}}}",
    )
    price = loaded(billing_copy).prices.license("server").price
    assert isinstance(price, Decimal)
    assert price == expected
    assert str(price) == str(expected)  # the digits as written, not a float's approximation


def test_storage_prices_keep_their_unit_and_exact_decimals(billing_copy: Path) -> None:
    prices = loaded(billing_copy).prices
    assert prices.storage_of("wasabi").backup.cost == Decimal("0.0059")
    assert str(prices.storage_of("s3").unit) == "TB"
    assert prices.storage_of("s3").backup.price == Decimal("35.00")


@pytest.mark.parametrize(
    ("company", "configuration", "expected"),
    [
        ("GAMMA", "servers", ("MBS-SERVER",)),  # three console products, one catalog item
        ("ACME", "licenses", ("MBS-DESKTOP", "MBS-SERVER")),  # sorted
        ("BETA", "all-in-one", ("MBS-SERVER", "MBS-STORAGE")),  # given explicitly
    ],
    ids=["defaulted-and-unique", "defaulted-and-sorted", "explicit"],
)
def test_connectwise_products_default_to_the_mapped_identifiers(
    billing_copy: Path, company: str, configuration: str, expected: tuple[str, ...]
) -> None:
    found = loaded(billing_copy).company(company)
    assert found is not None
    by_name = {c.name: c for c in found.configurations}
    assert by_name[configuration].connectwise_products == expected


def test_the_model_carries_the_file_and_line_of_each_record(billing_copy: Path) -> None:
    acme = loaded(billing_copy).company("acme")
    assert acme is not None
    storage = acme.configurations[1]
    assert (storage.location.file, storage.location.line) == ("billing/companies/acme.yaml", 11)
    epsilon = loaded(billing_copy).company("EPSILON")
    assert epsilon is not None
    assert epsilon.configurations[0].agreement == 5  # an id stays an int


def test_a_nested_schema_error_names_its_line_column_and_path(billing_copy: Path) -> None:
    edit(billing_copy / "companies" / "acme.yaml", "    send: total\n", "    send: monthly\n")
    repository, findings = load_repository(billing_copy, environ={})
    assert repository is None
    assert (
        'billing/companies/acme.yaml:16:11: configurations[1].send: "monthly" is not one of: '
        in rendered(findings)[0]
    )


@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        (shutil.rmtree, "billing: no such directory"),
        (lambda root: (shutil.rmtree(root), root.write_text("x")), "billing: is not a directory"),
        (lambda root: (root / "settings.yaml").unlink(), "billing/settings.yaml: no such file"),
        (
            lambda root: shutil.rmtree(root / "companies"),
            "billing/companies: no such directory (one file per company)",
        ),
        (lambda root: (root / "prices.yaml").write_bytes(b""), "billing/prices.yaml:1:1: the file is empty"),
        (
            lambda root: (root / "companies" / "beta.yaml").write_bytes(
                b"company: BETA\nconsole_company: B\xe9ta\n"
            ),
            "billing/companies/beta.yaml:2:19: the file is not UTF-8 text",
        ),
        (
            lambda root: (root / "companies" / "beta.yaml").write_text(
                (root / "companies" / "beta.yaml").read_text() + "company: BETA2\n"
            ),
            "billing/companies/beta.yaml:12:1: company: duplicate key 'company' (first defined on line 2)",
        ),
    ],
    ids=[
        "missing-directory",
        "a-file-instead-of-the-directory",
        "missing-settings",
        "missing-companies-directory",
        "empty-file",
        "non-utf8-company-file",
        "duplicate-key",
    ],
)
def test_unreadable_repositories_are_findings(
    billing_copy: Path, break_it: Callable[[Path], object], expected: str
) -> None:
    break_it(billing_copy)
    repository, findings = load_repository(billing_copy, environ={})
    assert repository is None
    assert expected in rendered(findings)


def test_an_alias_bomb_in_a_company_file_is_refused(billing_copy: Path) -> None:
    lines = ["a: &a [x,x,x,x,x,x,x,x,x]"]
    for prev, cur in itertools.pairwise("abcdefghi"):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    (billing_copy / "companies" / "bomb.yaml").write_text("\n".join(lines))
    repository, findings = load_repository(billing_copy, environ={})
    assert repository is None
    assert any(
        f.location.file == "billing/companies/bomb.yaml" and "alias bomb" in f.message for f in findings
    )


def test_all_errors_are_reported_at_once_across_files(billing_copy: Path) -> None:
    edit(billing_copy / "settings.yaml", "currency: USD", "currency: dollars")
    edit(billing_copy / "prices.yaml", "cost: 0.0059", "cost: 0.00591")
    edit(billing_copy / "companies" / "delta.yaml", "[desktop, sql]", "[desktop, sqll]")
    _, findings = load_repository(billing_copy, environ={})
    assert rendered([f for f in findings if f.severity is Severity.ERROR]) == [
        'billing/companies/delta.yaml:9:33: configurations[0].console_products[1]: "sqll" is not a '
        'product in products.yaml (did you mean "sql"?)',
        "billing/prices.yaml:12:21: storage.wasabi.backup.cost: has 5 decimal places; prices have at most 4",
        'billing/settings.yaml:6:11: currency: "dollars" is not a three-letter ISO 4217 currency code '
        "such as USD",
    ]


def test_a_broken_products_file_holds_back_the_checks_that_need_it(billing_copy: Path) -> None:
    (billing_copy / "products.yaml").write_text("products: [server]\n")
    edit(billing_copy / "companies" / "delta.yaml", "[desktop, sql]", "[desktop, sqll]")
    _, findings = load_repository(billing_copy, environ={})
    assert rendered(findings) == ["billing/products.yaml:1:11: products: expected a mapping, got a list"]


def test_yml_files_are_companies_and_hidden_files_are_not(billing_copy: Path) -> None:
    companies = billing_copy / "companies"
    (companies / "gamma.yaml").rename(companies / "gamma.yml")
    (companies / ".#acme.yaml").write_text("editor lock file: [")
    names = [name for name, _ in loaded(billing_copy).files]
    assert "companies/gamma.yml" in names
    assert not any(".#" in name for name in names)


def test_an_empty_companies_folder_is_valid_with_a_warning(billing_copy: Path) -> None:
    for path in (billing_copy / "companies").iterdir():
        path.unlink()
    repository, findings = load_repository(billing_copy, environ={})
    assert repository is not None
    assert repository.companies == ()
    assert "billing/companies: warning: no company files: nothing to bill" in rendered(findings)


def test_paths_outside_the_working_directory_are_shown_as_given(
    billing_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert display_path(billing_copy / "settings.yaml") == str(billing_copy / "settings.yaml")
    monkeypatch.chdir(billing_copy)
    assert display_path(Path("settings.yaml")) == "settings.yaml"
    assert display_path(Path(".")) == "."


def test_a_path_is_shown_relative_to_the_working_directory_as_typed(
    billing_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "link").symlink_to(billing_copy)
    monkeypatch.chdir(tmp_path)
    cases = {
        Path("link/settings.yaml"): "link/settings.yaml",  # a symlink keeps its name
        Path("link/../link/companies/acme.yaml"): "link/companies/acme.yaml",
        tmp_path / "link" / "prices.yaml": "link/prices.yaml",
        Path("./link"): "link",
    }
    for path, shown in cases.items():
        assert (display_path(path), display_path(path, str(tmp_path))) == (shown, shown), path
