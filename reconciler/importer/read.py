"""What `cwbill import` reads from ConnectWise: the company, its agreements, their additions in the
period, and the catalog items those additions name (for their own price, cost and invoice text).

Reads only, through the one client (STYLE §5). Identifiers compare ignoring case, as ConnectWise's
conditions do (connectwise-api §3).
"""

from __future__ import annotations

from dataclasses import replace

from reconciler.connectwise.client import ConnectWiseClient, quote
from reconciler.connectwise.live import Record, parse_agreement, parse_decimal
from reconciler.connectwise.read import read_additions
from reconciler.engine.model import AgreementInfo
from reconciler.engine.periods import Period
from reconciler.errors import UserError
from reconciler.importer.model import CatalogEntry, ImportInput


def read_import_input(
    client: ConnectWiseClient, company: str, agreement: str | None, period: Period
) -> ImportInput:
    """Everything to infer `company`'s file from; a UserError when the company or agreement is unknown."""
    identifier, name = _company(client, company)
    agreements = tuple(
        sorted(
            (
                parse_agreement(record)
                for record in client.agreements_of([identifier])
                if _company_of(record).casefold() == identifier.casefold()
            ),
            key=lambda a: a.id,
        )
    )
    chosen = choose_agreements(agreements, agreement, identifier)
    additions = read_additions(client, {a.id: (period,) for a in chosen})
    identifiers = sorted({a.product for a in additions if a.product})
    catalog = {entry.identifier: entry for entry in _catalog(client, identifiers)}
    return ImportInput(identifier, name, period, agreements, chosen, additions, catalog)


def choose_agreements(
    agreements: tuple[AgreementInfo, ...], wanted: str | None, company: str
) -> tuple[AgreementInfo, ...]:
    """All agreements, or the one `--agreement` names (a numeric id, else an exact name)."""
    if wanted is None:
        if not agreements:
            raise UserError(f"company {company} has no agreements in ConnectWise")
        return agreements
    found = [a for a in agreements if str(a.id) == wanted.strip()] if wanted.strip().isdigit() else []
    found = found or [a for a in agreements if a.name == wanted]
    if len(found) == 1:
        return (found[0],)
    listed = ", ".join(f"{a.name!r} (id {a.id})" for a in agreements) or "none"
    if found:
        raise UserError(
            f"--agreement {wanted!r} names several agreements of {company}: pass its id; {listed}"
        )
    raise UserError(f"--agreement {wanted!r}: no such agreement of {company}; its agreements: {listed}")


def _company(client: ConnectWiseClient, wanted: str) -> tuple[str, str]:
    records = client.list_all("/company/companies", f"identifier={quote(wanted)}")
    matches = [r for r in records if str(r.get("identifier") or "").casefold() == wanted.casefold()]
    if not matches:
        raise UserError(f"--company {wanted}: no company with that identifier in ConnectWise")
    record = matches[0]
    return str(record.get("identifier")), str(record.get("name") or "")


def _company_of(record: Record) -> str:
    company = record.get("company")
    return str(company.get("identifier") or "") if isinstance(company, dict) else ""


def _catalog(client: ConnectWiseClient, identifiers: list[str]) -> list[CatalogEntry]:
    if not identifiers:
        return []
    entries = []
    for record in client.catalog_items(identifiers):
        text = record.get("customerDescription")
        entries.append(
            CatalogEntry(
                identifier=str(record.get("identifier") or ""),
                price=parse_decimal(record.get("price")),
                cost=parse_decimal(record.get("cost")),
                customer_description=text if isinstance(text, str) else None,
            )
        )
    # the additions name items as ConnectWise spells them; key the entries the same way
    spelled = {i.casefold(): i for i in identifiers}
    return [replace(e, identifier=spelled.get(e.identifier.casefold(), e.identifier)) for e in entries]
