"""The leakage report as text, CSV and JSON, from one `Leakage` (its Markdown is `leakage.markdown`).

Amounts are the units' values at the repository's prices, each already to the cent, so every total
printed is the exact sum of the rows under it. "no price" stands for a unit prices.yaml (or
products.yaml) gives no price; such units are counted, never valued at 0. Costs are never shown.
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import TextIO

from reconciler.engine.money import fixed
from reconciler.leakage.model import Bucket, Leakage, Measure, Total, Unit
from reconciler.report.csvout import inert
from reconciler.report.tables import Row
from reconciler.report.text import table

NO_PRICE = "no price"
# what each bucket means and what to do about it (docs/leakage.md says the same at length)
ADVICE: dict[Bucket, tuple[str, str]] = {
    Bucket.NO_COMPANY_FILE: ("no company file", "add companies/<name>.yaml for the console company"),
    Bucket.UNMAPPED_PRODUCT: ("product not mapped", "map the console product in products.yaml"),
    Bucket.NOT_SELECTED: ("not selected", "add the product to a configuration's console_products"),
    Bucket.OUT_OF_SCOPE: ("not in this run", "none: auto-billing sends the previous month on days 1-3"),
    Bucket.PERIOD_SKIPPED: ("period skipped", "fix the agreement's dates in ConnectWise"),
    Bucket.NOTHING_TO_SEND: ("nothing to send", "choose send: total or average for the configuration"),
    Bucket.NOT_CHARGED: ("not charged", "none: bill is do-not-bill or no-charge on purpose"),
    Bucket.NO_PRICE: ("no price (billed at 0)", "add the product's price to prices.yaml"),
    Bucket.CONFLICT: ("billed by an unowned line", "adopt the line (cwbill apply --adopt) or remove it"),
    Bucket.PENDING: ("not billed yet", "run cwbill apply"),
    Bucket.BILLED: ("billed", "none"),
}


_NUMERIC = frozenset({"amount", "units", "no price", "leaking", "total", "quantity"})


def money(total: Total) -> str:
    return fixed(total.amount, 2)


def quantity_text(unit: Unit) -> str:
    """`12` (licenses: the measure column says so) or `1234.5 GB`."""
    text = format(unit.quantity, "f")
    return text if unit.measure is Measure.LICENSES else f"{text} {unit.measure.unit}"


def amount_text(value: Decimal | None) -> str:
    return NO_PRICE if value is None else fixed(value, 2)


def scope_text(leakage: Leakage) -> str:
    periods = ", ".join(str(p) for p in leakage.periods) or "none"
    return f"as of {leakage.as_of.isoformat()}, periods {periods}"


def summary_text(leakage: Leakage) -> str:
    console, leaking = leakage.grand_total, _leaking_total(leakage)
    return (
        f"console total {money(console)} {leakage.currency} in {console.units} units"
        f"{_unpriced(console)}; leaking (billable, on no invoice line) {money(leaking)} "
        f"{leakage.currency} in {leaking.units} units{_unpriced(leaking)}"
    )


def _leaking_total(leakage: Leakage) -> Total:
    result = Total()
    for unit in leakage.leaking:
        result = result.plus(unit)
    return result


def _unpriced(total: Total) -> str:
    return f" ({total.unpriced} with no price)" if total.unpriced else ""


def render_text(leakage: Leakage, stream: TextIO) -> None:
    lines = [f"cwbill leakage {scope_text(leakage)} ({leakage.currency}, at prices.yaml's prices)"]
    lines += [summary_text(leakage), "", "Buckets:"]
    rows = [
        Row((f"{'*' if b.leaking else ' '} {b.value}", money(t), str(t.units), str(t.unpriced), ADVICE[b][1]))
        for b, t in leakage.by_bucket()
    ]
    lines += table(("bucket", "amount", "units", "no price", "what to do"), rows, _NUMERIC)
    lines += ["  * leaking: billable usage that no invoice line carries", "", "Per company:"]
    rows = [
        Row((who, money(leaking), str(leaking.units), str(leaking.unpriced), money(every)))
        for who, leaking, every in leakage.by_company()
    ]
    lines += table(("company", "leaking", "units", "no price", "total"), rows, _NUMERIC)
    lines += ["", "Units:"]
    rows = [
        Row(
            (
                u.bucket.value,
                str(u.period),
                u.who,
                u.configuration or "-",
                u.product,
                u.measure.value,
                quantity_text(u),
                amount_text(u.amount),
            )
        )
        for u in leakage.units
    ]
    headers = ("bucket", "period", "company", "configuration", "product", "measure", "quantity", "amount")
    lines += table(headers, rows, _NUMERIC)
    stream.write("\n".join(lines) + "\n")


CSV_HEADER = (
    "bucket",
    "leaking",
    "period",
    "company",
    "console_company",
    "configuration",
    "product",
    "measure",
    "unit",
    "quantity",
    "amount",
    "currency",
)


def render_csv(leakage: Leakage) -> str:
    """One row per unit; `amount` empty when the unit has no price."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for unit in leakage.units:
        writer.writerow(
            [
                unit.bucket.value,
                "yes" if unit.leaking else "no",
                str(unit.period),
                inert(unit.company),
                inert(unit.console_company),
                inert(unit.configuration),
                inert(unit.product),
                unit.measure.value,
                unit.measure.unit,
                format(unit.quantity, "f"),
                "" if unit.amount is None else fixed(unit.amount, 2),
                leakage.currency,
            ]
        )
    return buffer.getvalue()


def _total_json(total: Total) -> dict[str, object]:
    return {"amount": money(total), "units": total.units, "unpriced": total.unpriced}


def _unit_json(unit: Unit) -> dict[str, object]:
    return {
        "bucket": unit.bucket.value,
        "leaking": unit.leaking,
        "period": str(unit.period),
        "company": unit.company,
        "console_company": unit.console_company,
        "configuration": unit.configuration,
        "product": unit.product,
        "measure": unit.measure.value,
        "unit": unit.measure.unit,
        "quantity": format(unit.quantity, "f"),
        "amount": None if unit.amount is None else fixed(unit.amount, 2),
    }


def render_json(leakage: Leakage) -> str:
    """Deterministic JSON (sorted keys, amounts as 2-place decimal text, null for no price)."""
    document = {
        "as_of": leakage.as_of.isoformat(),
        "periods": [str(p) for p in leakage.periods],
        "currency": leakage.currency,
        "console_total": _total_json(leakage.grand_total),
        "leaking_total": _total_json(_leaking_total(leakage)),
        "buckets": [
            {"bucket": b.value, "leaking": b.leaking, **_total_json(t)} for b, t in leakage.by_bucket()
        ],
        "companies": [
            {"company": who, "leaking": _total_json(leaking), "total": _total_json(every)}
            for who, leaking, every in leakage.by_company()
        ],
        "console": [
            {"period": str(p), "product": product, "measure": m.value, "quantity": format(q, "f")}
            for p, product, m, q in leakage.console
        ],
        "units": [_unit_json(u) for u in leakage.units],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
