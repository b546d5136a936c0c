"""Seeds: `empty`, `demo` (a YAML file in the package) or a seed FILE, as sandbox-seed.md specifies.

A seed file is loaded with cwbill's own YAML loader (positions, exact decimals) and checked against
`schemas/sandbox-seed.schema.json`, then built record by record through the same code the API's
POST runs — so a seeded addition gets exactly the defaults a POSTed one would (catalog price and
cost, description, invoice description) and the same checks (known product, effective date not
before the agreement's billing start). Every problem is a finding at its line and column; any error
refuses the seed (`UserError`, exit 1). Ids follow the file's order, from 1 per kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from importlib import resources
from pathlib import Path

from reconciler.config.schema import check_schema
from reconciler.config.yamlload import Document, PathKey, format_path, load_file, load_text
from reconciler.engine.money import to_decimal
from reconciler.errors import Finding, UserError, error, has_errors, sort_findings
from reconciler.sandbox import cw_additions, cw_create, datetimes, jsonio
from reconciler.sandbox.cw_fields import BodyError
from reconciler.sandbox.mbs_data import (
    UNLIMITED,
    ConsoleCompany,
    ConsoleMonth,
    ConsoleUserSeed,
    StorageAmounts,
    build_console,
)
from reconciler.sandbox.state import SEED_USER, Record, Store

DEMO_DISPLAY = "demo seed (reconciler/sandbox/seeds/demo.yaml)"
# Seeds in the package, by name: the demo and the console's edge cases (docs/sandbox.md).
EDGE_CASES = "console-edge-cases"
NAMED = {"demo": "demo.yaml", EDGE_CASES: "console-edge-cases.yaml"}


def load_seed(spec: str) -> Store:
    """The store a `--seed` value describes; UserError with findings when the seed is refused.

    `console-edge-cases` is the demo's ConnectWise side with the console of
    `seeds/console-edge-cases.yaml`, so that a plan runs against it as against the demo."""
    if spec == "empty":
        return Store()
    document = _checked(spec)
    connectwise = _checked("demo") if spec == EDGE_CASES else document
    store, problems = build_store(connectwise, console_document=document)
    if problems:
        raise UserError(findings=sort_findings(problems))
    return store


def _checked(spec: str) -> Document:
    """A seed document read and checked against the schema; UserError with findings otherwise."""
    if spec in NAMED:
        text = resources.files("reconciler.sandbox").joinpath("seeds", NAMED[spec]).read_text("utf-8")
        display = DEMO_DISPLAY if spec == "demo" else f"{spec} seed (reconciler/sandbox/seeds/{NAMED[spec]})"
        document, findings = load_text(text, display)
    else:
        document, findings = load_file(Path(spec), spec)
    if document is not None and not has_errors(findings):
        findings += check_schema(document, "sandbox-seed")
    if document is None or has_errors(findings):
        raise UserError(findings=sort_findings(findings))
    return document


def build_store(document: Document, console_document: Document | None = None) -> tuple[Store, list[Finding]]:
    """A store from a schema-valid seed document (its console from `console_document` when given),
    and the findings of what it cannot hold."""
    store = Store()
    builder = _Builder(document, store)
    data = _mapping(document.data)
    connectwise = _mapping(data.get("connectwise"))
    for index, item in enumerate(_sequence(connectwise.get("catalog"))):
        builder.catalog_item(("connectwise", "catalog", index), _mapping(item))
    for index, company in enumerate(_sequence(connectwise.get("companies"))):
        builder.company(("connectwise", "companies", index), _mapping(company))
    if console_document is not None and console_document is not document:
        builder = _Builder(console_document, store, builder.findings)
        data = _mapping(console_document.data)
    console = _mapping(data.get("console"))
    store.console = build_console(
        builder.console_companies(_sequence(console.get("companies"))),
        builder.console_users(_sequence(console.get("users"))),
        str(console.get("login_refusal") or ""),
    )
    return store, builder.findings


class _Builder:
    def __init__(self, document: Document, store: Store, findings: list[Finding] | None = None) -> None:
        self.document = document
        self.store = store
        self.findings: list[Finding] = [] if findings is None else findings

    def refuse(self, path: PathKey, message: str) -> None:
        self.findings.append(error(self.document.location(path), format_path(path), message))

    def create(self, path: PathKey, kind: str, build: Callable[[], Record]) -> Record | None:
        """Insert what `build` made; its BodyError becomes findings at `path`."""
        try:
            record = build()
        except BodyError as refused:
            self._explain(path, refused)
            return None
        return self.store.insert(kind, record, SEED_USER)

    def _explain(self, path: PathKey, refused: BodyError) -> None:
        body = _mapping(jsonio.loads(refused.response.body))
        details = body.get("errors")
        for detail in details if isinstance(details, list) else [body]:
            entry = _mapping(detail)
            field = entry.get("field")
            at = (*path, str(field)) if isinstance(field, str) and field != "body" else path
            self.refuse(at if at in self.document.positions else path, str(entry.get("message")))

    def catalog_item(self, path: PathKey, item: Mapping[str, object]) -> None:
        body = {k: v for k, v in item.items() if k != "unitOfMeasure"}
        if "unitOfMeasure" in item:
            body["unitOfMeasure"] = {"name": item["unitOfMeasure"]}
        self.create(path, "catalog", lambda: cw_create.create_catalog_item(self.store, body))

    def company(self, path: PathKey, company: Mapping[str, object]) -> None:
        body = {k: v for k, v in company.items() if k != "agreements"}
        record = self.create(path, "companies", lambda: cw_create.create_company(self.store, body))
        if record is None:
            return
        for index, agreement in enumerate(_sequence(company.get("agreements"))):
            self.agreement((*path, "agreements", index), record, _mapping(agreement))

    def agreement(self, path: PathKey, company: Record, agreement: Mapping[str, object]) -> None:
        body: dict[str, object] = {
            k: v for k, v in agreement.items() if k not in ("additions", "agreementStatus")
        }
        body["company"] = {"id": company["id"]}
        body["type"] = {"name": agreement.get("type") or agreement.get("name")}
        _dates(body, ("startDate", "endDate", "billStartDate", "dateCancelled"))

        def build() -> Record:
            record = cw_create.create_agreement(self.store, body, create_types=True)
            if agreement.get("agreementStatus"):
                record["agreementStatus"] = agreement["agreementStatus"]
            return record

        record = self.create(path, "agreements", build)
        if record is None:
            return
        for index, addition in enumerate(_sequence(agreement.get("additions"))):
            self.addition((*path, "additions", index), record, _mapping(addition))

    def addition(self, path: PathKey, agreement: Record, addition: Mapping[str, object]) -> None:
        body: dict[str, object] = {"billCustomer": "Billable", **addition}
        body["product"] = {"identifier": addition.get("product")}
        _dates(body, ("effectiveDate", "cancelledDate"))
        self.create(path, "additions", lambda: cw_additions.create(self.store, agreement, body))

    def console_companies(self, companies: Sequence[object]) -> list[ConsoleCompany]:
        result: list[ConsoleCompany] = []
        seen: set[str] = set()
        for index, raw in enumerate(companies):
            company = _mapping(raw)
            name = str(company.get("name"))
            if name in seen and company.get("same_name") is not True:
                self.refuse(
                    ("console", "companies", index, "name"), f"console company {name!r} appears twice"
                )
            seen.add(name)
            months = self.months(("console", "companies", index), company)
            result.append(ConsoleCompany(name, months, same_name=company.get("same_name") is True))
        return result

    def console_users(self, users: Sequence[object]) -> list[ConsoleUserSeed]:
        result: list[ConsoleUserSeed] = []
        for index, raw in enumerate(users):
            user = _mapping(raw)
            email = str(user.get("email"))
            if any(u.email == email for u in result):
                self.refuse(("console", "users", index, "email"), f"console user {email!r} appears twice")
            billed = user.get("billed_as")
            result.append(
                ConsoleUserSeed(
                    email,
                    str(user.get("company")),
                    self.months(("console", "users", index), user),
                    billed_as=None if billed is None else str(billed),
                    deleted=user.get("deleted") is True,
                )
            )
        return result

    def months(self, path: PathKey, company: Mapping[str, object]) -> tuple[ConsoleMonth, ...]:
        months: list[ConsoleMonth] = []
        for index, raw in enumerate(_sequence(company.get("usage"))):
            usage = _mapping(raw)
            period = str(usage.get("period"))
            if any(m.period == period for m in months):
                self.refuse(
                    (*path, "usage", index, "period"), f"period {period} appears twice for this company"
                )
            storage = {str(k): _amounts(_mapping(v)) for k, v in _mapping(usage.get("storage")).items()}
            trials = usage.get("trial_licenses")
            months.append(
                ConsoleMonth(
                    period,
                    _counts(usage.get("licenses")),
                    storage,
                    expired=_counts(usage.get("expired_licenses")),
                    expiring=_counts(usage.get("expiring_licenses")),
                    trials=None if trials is None else _counts(trials),
                )
            )
        return tuple(months)


def _counts(raw: object) -> dict[str, int]:
    return {str(k): int(str(v)) for k, v in _mapping(raw).items()}


def _amounts(raw: Mapping[str, object]) -> StorageAmounts:
    def amount(name: str) -> Decimal:
        value = raw.get(name)
        return to_decimal(value) if value is not None else Decimal(0)

    limit = UNLIMITED if raw.get("limit") == "unlimited" else amount("limit")
    average = amount("average") if raw.get("average") is not None else None
    return StorageAmounts(amount("stored"), amount("restored"), limit, average)


def _dates(body: dict[str, object], names: Sequence[str]) -> None:
    for name in names:
        value = body.get(name)
        if isinstance(value, str):
            body[name] = datetimes.from_date(value)


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, dict) else {}


def _sequence(value: object) -> Sequence[object]:
    return value if isinstance(value, list) else []
