"""The leakage report as Markdown: a section of the pull-request comment when anything is leaking.

GitHub-flavoured (tables, `<details>`), checked with cmark-gfm in the tests. Every name from the
repository or the console goes through `escape_markdown`; only prices appear, never costs
(billing-rules §7). The units listed are the leaking ones, cut to `limit` characters with a note,
so the section never pushes the plan out of a comment.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.leakage.model import Leakage, Unit
from reconciler.leakage.render import ADVICE, amount_text, money, quantity_text, scope_text, summary_text
from reconciler.render.mdescape import escape_markdown as md

TITLE = "### Revenue leakage"
DEFAULT_LIMIT = 20_000
MIN_LIMIT = 4_000  # the title, the bucket table and the per-company table of a real MSP fit in it


def leakage_section(leakage: Leakage | None, *, limit: int = DEFAULT_LIMIT) -> str:
    """The PR comment's section: empty when nothing leaks (or no leakage was computed)."""
    if leakage is None or not leakage.leaking:
        return ""
    return render_leakage_markdown(leakage, limit=limit)


def render_leakage_markdown(leakage: Leakage, *, limit: int = DEFAULT_LIMIT) -> str:
    """The whole section, ending with a newline, at most `limit` characters (≥ `MIN_LIMIT`)."""
    if limit < MIN_LIMIT:
        raise ValueError(f"the leakage section needs at least {MIN_LIMIT} characters")
    # the scope and the summary are cwbill's own text (dates, numbers, the currency code)
    head = [TITLE, f"{scope_text(leakage)}, at prices.yaml's prices: {md(summary_text(leakage))}."]
    if not leakage.units:
        return "\n\n".join([*head, "No usage in scope."]) + "\n"
    buckets = ["| bucket | amount | units | no price | what to do |", "| --- | ---: | ---: | ---: | --- |"]
    for bucket, total in leakage.by_bucket():
        name = f"**{bucket.value}**" if bucket.leaking else bucket.value
        buckets.append(_row([name, money(total), total.units, total.unpriced, ADVICE[bucket][1]]))
    companies = [
        _row([md(who), money(leaking), leaking.units, leaking.unpriced, money(every)])
        for who, leaking, every in leakage.by_company()
        if leaking.units
    ]
    blocks = [*head, "\n".join(buckets), "Leaking buckets are in bold."]
    budget = limit - len("\n\n".join(blocks)) - 5  # the two block separators and the last newline
    # the companies may take what the units' empty table leaves, the units what the companies left
    units = [_unit_row(u) for u in leakage.leaking]
    units_head = len(_details(_title("Leaking units", len(units), 0), _UNITS_HEAD))
    blocks.append(_cut("Leaking, per company", _COMPANIES_HEAD, companies, budget - units_head))
    blocks.append(_cut("Leaking units", _UNITS_HEAD, units, budget - len(blocks[-1])))
    return "\n\n".join(blocks) + "\n"


_COMPANIES_HEAD = ["| company | leaking | units | no price | total |", "| --- | ---: | ---: | ---: | ---: |"]
_UNITS_HEAD = [
    "| bucket | period | company | configuration | product | measure | quantity | amount |",
    "| --- | --- | --- | --- | --- | --- | ---: | ---: |",
]


def _unit_row(u: Unit) -> str:
    return _row(
        [
            u.bucket.value,
            str(u.period),
            md(u.who),
            md(u.configuration) or "-",
            md(u.product),
            u.measure.value,
            quantity_text(u),
            amount_text(u.amount),
        ]
    )


def _cut(title: str, head: list[str], rows: Sequence[str], budget: int) -> str:
    """A collapsed table of as many of `rows` as fit in `budget` characters, its title saying so."""
    room = budget - len(_details(_title(title, len(rows), 0), head))  # the longest title
    shown = 0
    for row in rows:
        if len(row) + 1 > room:
            break
        room -= len(row) + 1
        shown += 1
    return _details(_title(title, len(rows), shown), [*head, *rows[:shown]])


def _title(title: str, total: int, shown: int) -> str:
    if shown == total:
        return f"{title} ({total})"
    return f"{title} ({shown} of {total} shown; run `cwbill leakage` for all)"


def _details(summary: str, table: list[str]) -> str:
    # the blank lines let GitHub (and cmark-gfm) read the table inside the HTML block
    return f"<details><summary>{summary}</summary>\n\n" + "\n".join(table) + "\n\n</details>"


def _row(cells: Sequence[object]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"
