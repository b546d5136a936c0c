"""Inferring a company file from the additions ConnectWise holds (`cwbill import`). Pure.

What the lines show for certain becomes a value; everything else becomes a `Todo`, never a guess.
Lines that already carry cwbill's owner marker (billing-rules §6) keep the configuration they name.
The others are grouped per agreement, and split by the send mode each line shows (rules in
`line_send_mode`), because lines of one agreement sent differently came from different
configurations — and one configuration may not mix them (billing-rules §2).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from reconciler.config.model import Bill, DescriptionMode, Repository, SendMode
from reconciler.connectwise.live import LiveAddition
from reconciler.engine.model import AgreementInfo
from reconciler.importer.model import (
    CatalogEntry,
    ImportedCompany,
    ImportedConfiguration,
    ImportInput,
    NewProduct,
    Todo,
)
from reconciler.importer.products import new_product, price_entries
from reconciler.plan.marker import parse_marker

MAX_NAME = 32  # configuration names: [A-Za-z0-9._-]{1,32} (billing-rules §6)
MAX_AGREEMENT_NAME = 100  # the company schema's limit for `agreement` as a name
_NOT_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_BILL = {"Billable": Bill.BILLABLE, "DoNotBill": Bill.DO_NOT_BILL, "NoCharge": Bill.NO_CHARGE}
_SEND_ORDER = (SendMode.AVERAGE, SendMode.QUANTITY, SendMode.TOTAL)
_SEND_NOTES = {
    SendMode.TOTAL: "every line has quantity 1 (for one unit, average bills the same)",
    SendMode.QUANTITY: "quantities at the catalog item's own price and cost",
    SendMode.AVERAGE: "quantities with a unit price other than the catalog item's",
}
AUTO_BILLING_TODO = Todo(
    "true: only the previous month is sent, on days 1-3 of each month; false (manual): the previous "
    "and the current month. The lines do not show which",
    "true | false",
)


def line_send_mode(addition: LiveAddition, catalog: CatalogEntry | None) -> SendMode:
    """The send mode a line shows (billing-rules §4), by these rules, in order:

    quantity 1 → `total` (one unit sent as an average has the same quantity and price, so this
    month's line is reproduced either way); no unitPrice, or unitPrice and unitCost equal to the
    catalog item's → `quantity` (the catalog price applied); otherwise → `average`.
    """
    if addition.quantity == 1:
        return SendMode.TOTAL
    if addition.unit_price is None:
        return SendMode.QUANTITY
    if catalog is not None and catalog.price is not None and addition.unit_price == catalog.price:
        catalog_cost = catalog.cost if catalog.cost is not None else 0
        if addition.unit_cost is None or addition.unit_cost == catalog_cost:
            return SendMode.QUANTITY
    return SendMode.AVERAGE


def slug(text: str) -> str:
    """A configuration name from free text: `Managed Backup Service` → `managed-backup-service`."""
    return _NOT_NAME.sub("-", text).strip("-._").lower()[:MAX_NAME].rstrip("-._")


@dataclass(slots=True)
class _Group:
    agreement: AgreementInfo
    marker: str | None  # the configuration named by the lines' owner marker
    send: SendMode | None  # the send class of unmarked lines (None for marked groups)
    lines: list[LiveAddition] = field(default_factory=list)


def infer_company(inputs: ImportInput, repository: Repository) -> ImportedCompany:
    """The company file `inputs` support, with every uncertain value left as a `Todo`."""
    notes: list[str] = []
    groups = _groups(inputs, notes)
    existing = repository.company(inputs.company)
    if existing is not None:
        notes.insert(0, f"the repository already describes {inputs.company} in {existing.location.file}")
    with_lines = {g.agreement.id for g in groups}
    for agreement in inputs.chosen:
        if agreement.id not in with_lines:
            notes.append(
                f"agreement {agreement.name!r} (id {agreement.id}) has no additions in {inputs.period}"
            )
    names = _names(groups)
    unmapped: dict[str, NewProduct] = {}
    configurations = [
        _configuration(inputs, repository, group, name, unmapped)
        for group, name in zip(groups, names, strict=True)
    ]
    prices = price_entries(configurations, [g.lines for g in groups], repository, unmapped, notes)
    suggestion = inputs.company_name or None
    console_company = Todo(
        "the company's name in the Management Console"
        + (" (the suggestion is ConnectWise's name for it: a guess)" if suggestion else ""),
        suggestion,
    )
    return ImportedCompany(
        company=inputs.company,
        console_company=console_company,
        period=inputs.period,
        configurations=tuple(configurations),
        new_products=tuple(unmapped[i] for i in sorted(unmapped)),
        prices=prices,
        notes=tuple(notes),
    )


def _groups(inputs: ImportInput, notes: list[str]) -> list[_Group]:
    """Lines grouped into would-be configurations, one line per (agreement, product).

    cwbill's own duplicates are the plan's to delete (reason `duplicate`); an unmarked line on the
    key of another line is noted and left out, since one product may be selected once per agreement.
    """
    by_id = {a.id: a for a in inputs.chosen}
    wanted = [a for a in inputs.additions if a.agreement_id in by_id and a.product]
    # marked lines first: they are cwbill's already, an unmarked line beside one is the extra
    ordered = sorted(wanted, key=lambda a: (parse_marker(a.serial_number) is None, a.id))
    first: dict[tuple[int, str], LiveAddition] = {}
    for addition in ordered:
        line_key = (addition.agreement_id, addition.product.casefold())
        if line_key not in first:
            first[line_key] = addition
        elif parse_marker(addition.serial_number) is None:
            kept = first[line_key].id
            notes.append(
                f"{addition.product} has several lines on agreement {by_id[addition.agreement_id].name!r} "
                f"in {inputs.period}: #{kept} is imported, #{addition.id} is left out (delete it by hand, "
                "or it stays an unowned-conflict)"
            )
    grouped: dict[tuple[int, str, str], _Group] = {}
    for addition in first.values():
        agreement = by_id[addition.agreement_id]
        marker = parse_marker(addition.serial_number)
        if marker is not None:
            key: tuple[int, str, str] = (agreement.id, "marker", marker.configuration)
            send = None
        else:
            send = line_send_mode(addition, inputs.catalog.get(addition.product))
            key = (agreement.id, "class", str(_SEND_ORDER.index(send)))
        group = grouped.setdefault(key, _Group(agreement, marker.configuration if marker else None, send))
        group.lines.append(addition)
    return [grouped[key] for key in sorted(grouped)]


def _names(groups: Sequence[_Group]) -> list[str]:
    """Marker names as they are; others from the agreement's name (+ the send mode when it splits)."""
    taken = {g.marker.casefold() for g in groups if g.marker is not None}
    classes: dict[int, int] = defaultdict(int)
    for group in groups:
        if group.marker is None:
            classes[group.agreement.id] += 1
    names: list[str] = []
    for group in groups:
        if group.marker is not None:
            names.append(group.marker)
            continue
        base = slug(group.agreement.name) or f"agreement-{group.agreement.id}"
        suffix = f"-{group.send}" if classes[group.agreement.id] > 1 else ""
        name = _unique(base, suffix, taken)
        taken.add(name.casefold())
        names.append(name)
    return names


def _unique(base: str, suffix: str, taken: set[str]) -> str:
    number = 1
    while True:
        tail = suffix + (f"-{number}" if number > 1 else "")
        name = base[: MAX_NAME - len(tail)].rstrip("-._") + tail
        if name.casefold() not in taken:
            return name
        number += 1


def _configuration(
    inputs: ImportInput,
    repository: Repository,
    group: _Group,
    name: str,
    unmapped: dict[str, NewProduct],
) -> ImportedConfiguration:
    agreement = group.agreement
    identifiers = tuple(sorted({line.product for line in group.lines}))
    send = group.send or _marked_send(group.lines, inputs)
    bill, bill_note = _bill(group.lines)
    console = _console_products(identifiers, repository, unmapped)
    send_value, send_note = _checked_send(send, identifiers, repository)
    return ImportedConfiguration(
        name=name,
        name_note=_name_note(group, name, send),
        agreement=_agreement_reference(agreement, inputs.agreements),
        agreement_note=f"agreement id {agreement.id}",
        bill=bill,
        bill_note=bill_note,
        auto_billing=AUTO_BILLING_TODO,
        console_products=console,
        connectwise_products=identifiers,
        send=send_value,
        send_note=send_note,
        invoice_description=_description_mode(group.lines, inputs, repository),
        addition_ids=tuple(line.id for line in group.lines),
    )


def _name_note(group: _Group, name: str, send: SendMode) -> str:
    if group.marker is not None:
        return "the configuration its lines' owner marker names"
    split = f" and the send mode ({send})" if name.endswith(f"-{send}") else ""
    return f"from the agreement's name{split}"


def _marked_send(lines: Iterable[LiveAddition], inputs: ImportInput) -> SendMode:
    """cwbill's own lines of one configuration: the most specific mode any of them shows."""
    shown = {line_send_mode(line, inputs.catalog.get(line.product)) for line in lines}
    return next(mode for mode in _SEND_ORDER if mode in shown or mode is SendMode.TOTAL)


def _checked_send(
    send: SendMode, identifiers: Sequence[str], repository: Repository
) -> tuple[SendMode | Todo, str]:
    kinds = {p.kind for p in repository.products.values() if p.connectwise in identifiers}
    if send is not SendMode.TOTAL and len(kinds) > 1:
        todo = Todo(
            f"the lines show {send}, but they mix licenses and storage, which only total may "
            "(billing-rules §2): split the configuration per kind, or choose total",
            "total",
        )
        return todo, ""
    return send, _SEND_NOTES[send]


def _bill(lines: Sequence[LiveAddition]) -> tuple[Bill | Todo, str]:
    seen = sorted({line.bill_customer or "(not set)" for line in lines})
    if len(seen) == 1 and seen[0] in _BILL:
        return _BILL[seen[0]], f"every line is billCustomer {seen[0]}"
    return Todo(
        f"the lines have billCustomer {', '.join(seen)}: choose one for the configuration",
        "billable | do-not-bill | no-charge",
    ), ""


def _console_products(
    identifiers: Sequence[str], repository: Repository, unmapped: dict[str, NewProduct]
) -> tuple[str, ...] | Todo:
    keys: list[str] = []
    open_choices: list[str] = []
    for identifier in identifiers:
        candidates = sorted(
            key for key, p in repository.products.items() if p.connectwise.casefold() == identifier.casefold()
        )
        if not candidates:
            if identifier not in unmapped:
                taken = {*repository.products, *(p.key for p in unmapped.values())}
                unmapped[identifier] = new_product(identifier, taken)
            product = unmapped[identifier]
            keys.append(product.key)
        elif len(candidates) == 1:
            keys.append(candidates[0])
        else:
            keys.append("|".join(candidates))
            open_choices.append(f"{identifier} is mapped from {', '.join(candidates)}")
    if not open_choices:
        return tuple(keys)
    return Todo(
        "; ".join(open_choices) + " in products.yaml: keep those these lines bill",
        "[" + ", ".join(keys) + "]",
    )


def _agreement_reference(agreement: AgreementInfo, agreements: Sequence[AgreementInfo]) -> str | int:
    """By name when exactly one agreement of the company has it (as the engine resolves), else by id."""
    same = [a for a in agreements if a.name == agreement.name]
    name = agreement.name
    if len(same) == 1 and name.strip() and name == name.strip() and len(name) <= MAX_AGREEMENT_NAME:
        return name
    return agreement.id


def _description_mode(
    lines: Sequence[LiveAddition], inputs: ImportInput, repository: Repository
) -> DescriptionMode | Todo | None:
    """`send` when a line carries its own invoice text; None when the settings' mode already matches."""
    modes = set()
    for line in lines:
        catalog = inputs.catalog.get(line.product)
        own = line.invoice_description or ""
        default = catalog.customer_description if catalog else None
        modes.add(DescriptionMode.FROM_PRODUCT if not own or own == default else DescriptionMode.SEND)
    if len(modes) > 1:
        return Todo(
            "some lines carry their own invoice description and some the catalog item's",
            "send | from-product",
        )
    mode = modes.pop()
    return None if mode is repository.settings.invoice.description else mode
