"""Load a billing repository (`billing/`): read, schema-check, build the model, run every check.

`load_repository` reads `settings.yaml`, `products.yaml`, `prices.yaml` and `companies/*.yaml`
(usage files are the usage loader's), checks each against its schema, builds the frozen
`Repository` from the files that passed, runs the semantic checks of billing-rules §2 and the secret
guards, and returns the repository with every finding at once — or `None` when any finding is an
error. Files are named in findings relative to the working directory when they lie under it
(`billing/companies/acme.yaml`), else as given.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from reconciler.config import build, checks, secrets
from reconciler.config.model import Company, Prices, Product, Repository, Settings
from reconciler.config.schema import check_schema
from reconciler.config.yamlload import Document, load_text, read_bytes
from reconciler.errors import Finding, Location, error, has_errors, warning

REQUIRED_FILES = (("settings.yaml", "settings"), ("products.yaml", "products"), ("prices.yaml", "prices"))
COMPANIES = "companies"
COMPANY_SUFFIXES = (".yaml", ".yml")


class LoadObserver(Protocol):
    """Told of each part as soon as it is built, before the repository is checked as a whole, so a
    caller may start work that needs only that part (`reconcile/early.py`: the first ConnectWise
    reads overlap the loading). What it is told may still be refused by the checks that follow:
    it must act on it only in ways that are harmless when the load then fails (reads, not writes)."""

    def settings(self, settings: Settings) -> None: ...

    def products(self, products: Mapping[str, Product]) -> None: ...

    def company(self, company: Company) -> None: ...


@dataclass(frozen=True, slots=True)
class _Source:
    """One file read: its name inside the repository, its document when it parsed and passed its
    schema (None otherwise), and the SHA-256 of its bytes."""

    relative: str
    document: Document | None
    sha256: str


def display_path(path: Path, cwd: str | None = None) -> str:
    """`path` relative to the working directory when under it (`billing/settings.yaml`), else as given.

    Made absolute as `abspath` does, not `resolve`, so a symlinked repository keeps the name the user
    typed; `cwd`: the working directory when the caller names many files (asked of the OS once)."""
    here = os.getcwd() if cwd is None else cwd
    try:
        return Path(os.path.normpath(os.path.join(here, path))).relative_to(here).as_posix()
    except ValueError:
        return str(path)


def company_files(directory: Path) -> list[Path]:
    """The `*.yaml` and `*.yml` files of `directory`, sorted; hidden files (editor backups) are not
    companies."""
    return sorted(
        entry
        for entry in directory.iterdir()
        if entry.suffix in COMPANY_SUFFIXES and not entry.name.startswith(".")
    )


def _read(
    root: Path, path: Path, kind: str, environ: Mapping[str, str], cwd: str
) -> tuple[_Source | None, list[Finding]]:
    name = display_path(path, cwd)
    raw, findings = read_bytes(path, name)
    if raw is None:
        return None, findings
    document, findings = load_text(raw, name)
    findings += secrets.find_secret_values(raw, name, environ, document)
    if document is not None:
        schema_findings = check_schema(document, kind)
        secret_keys = secrets.find_secret_keys(document)
        flagged = {finding.path for finding in secret_keys}
        # a secret key is also an unknown key: say the more useful thing once, and since the
        # builders ignore it, keep checking the rest of the file
        schema_findings = [f for f in schema_findings if f.path not in flagged]
        findings += schema_findings + secret_keys
        if schema_findings:
            document = None  # the model is built only from schema-valid files
    relative = path.relative_to(root).as_posix()
    return _Source(relative, document, hashlib.sha256(raw).hexdigest()), findings


def _read_required(root: Path, environ: Mapping[str, str]) -> tuple[dict[str, _Source], list[Finding]]:
    """settings.yaml, products.yaml and prices.yaml by kind, and the findings of reading them."""
    findings: list[Finding] = []
    required: dict[str, _Source] = {}
    cwd = os.getcwd()
    for file_name, kind in REQUIRED_FILES:
        source, found = _read(root, root / file_name, kind, environ, cwd)
        findings += found
        if source is not None:
            required[kind] = source
    return required, findings


def _read_companies(
    root: Path, environ: Mapping[str, str], on_read: Callable[[_Source], None] | None = None
) -> tuple[list[_Source], list[Finding]]:
    """The company files in order and the findings of reading them; `on_read` hears of each file
    as soon as it is read."""
    findings: list[Finding] = []
    companies: list[_Source] = []
    directory = root / COMPANIES
    if not directory.is_dir():
        message = "is not a directory" if directory.exists() else "no such directory (one file per company)"
        return companies, [error(Location(display_path(directory)), "", message)]
    try:
        paths = company_files(directory)
    except OSError as exc:
        return companies, [error(Location(display_path(directory)), "", f"cannot read: {exc.strerror}")]
    if not paths:
        location = Location(display_path(directory))
        findings.append(warning(location, "", "no company files: nothing to bill", "no-companies"))
    cwd = os.getcwd()
    for path in paths:
        source, found = _read(root, path, "company", environ, cwd)
        findings += found
        if source is not None:
            companies.append(source)
            if on_read is not None:
                on_read(source)
    return companies, findings


def load_repository(
    root: Path, *, environ: Mapping[str, str] | None = None, observer: LoadObserver | None = None
) -> tuple[Repository | None, list[Finding]]:
    """The checked repository at `root` and every finding; `None` when any finding is an error.

    `environ` (default: the process environment) supplies the secret values that must not appear
    in the files (nor in the findings); `observer` is told of the settings, the products and each
    company as soon as each is built (see `LoadObserver`)."""
    env = os.environ if environ is None else environ
    if not root.is_dir():
        message = "is not a directory" if root.exists() else "no such directory"
        return None, [error(Location(display_path(root)), "", message)]
    required, findings = _read_required(root, env)
    settings, products, prices, parts_found = _build_parts(required)
    if observer is not None and settings is not None and products is not None:
        observer.settings(settings)
        observer.products(products)
    companies: list[checks.CompanyFile] = []

    def built(source: _Source) -> None:
        if source.document is None:
            return
        company = build.build_company(source.document, products or {})
        companies.append(checks.CompanyFile(source.document, company))
        if observer is not None and products is not None:
            observer.company(company)

    company_sources, found = _read_companies(root, env, built)
    findings += found + parts_found  # the order they have always been reported in
    findings += checks.check_companies(companies)
    for company_file in companies:
        findings += checks.check_configurations(company_file, products)
    if settings is not None and products is not None and prices is not None:
        for company_file in companies:
            places = settings.unit_price_places
            findings += checks.check_average_rounding(company_file, products, prices, places)
    findings = secrets.redact(findings, env)
    if has_errors(findings) or settings is None or products is None or prices is None:
        return None, findings
    files = sorted((source.relative, source.sha256) for source in [*required.values(), *company_sources])
    repository = Repository(
        settings=settings,
        products=products,
        prices=prices,
        companies=tuple(company_file.company for company_file in companies),
        files=tuple(files),
    )
    return repository, findings


def _build_parts(
    required: Mapping[str, _Source],
) -> tuple[Settings | None, dict[str, Product] | None, Prices | None, list[Finding]]:
    """Settings, products and prices, each built and checked when its file loaded (else None)."""

    def document(kind: str) -> Document | None:
        source = required.get(kind)
        return None if source is None else source.document

    findings: list[Finding] = []
    settings: Settings | None = None
    if (settings_document := document("settings")) is not None:
        settings = build.build_settings(settings_document)
        findings += checks.check_settings(settings_document, settings)
    products: dict[str, Product] | None = None
    if (products_document := document("products")) is not None:
        products = build.build_products(products_document)
        findings += checks.check_products(products_document, products)
    prices: Prices | None = None
    if (prices_document := document("prices")) is not None:
        prices = build.build_prices(prices_document)
        findings += checks.check_prices(prices_document, prices, products)
        if products is not None:
            findings += checks.check_unpriced(products, prices)
    return settings, products, prices, findings
