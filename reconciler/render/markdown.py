"""The plan as a pull-request comment: header, warnings, a summary that is never cut, then one
folded `<details>` per company.

A comment has a size limit (GitHub 65,536 characters, GitLab 1,000,000; `PLATFORM_LIMITS`, less
`CI_RESERVE` for the marker and footer the CI recipes add). The summary lists every company with
changes, sorted by the size of its money change, and is never cut: what gets cut are the details,
the smallest money changes first, with a note naming the companies left out and how to see them.
When even the summary does not fit, it goes on in further comments, joined in the output by
`COMMENT_BREAK` for the CI recipe to post one by one (docs/ci.md). Every comment is at most `limit`.

Extension points: `header_lines` is the list of lines under the title (one `append` adds one), and
`render_markdown(..., sections=[...])` adds whole sections after the summary, never cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reconciler.engine.model import PlanWarning
from reconciler.plan.model import Plan
from reconciler.plan.review import NO_REVIEW, Review
from reconciler.render.common import by_company, money_text, summary_line, warning_context
from reconciler.render.mdescape import escape_markdown as md
from reconciler.render.mdparts import CompanyPart, company_part, summary_head, total_row
from reconciler.render.mdunowned import render_unowned_markdown
from reconciler.render.usage_age import usage_age_line

PLATFORM_LIMITS = {"github": 65_536, "gitlab": 1_000_000}
CI_RESERVE = 500  # the recipes' hidden marker and footer ("Plan for <sha>. …")
COMMENT_BREAK = "<!-- cwbill: next comment -->"
MIN_LIMIT = 2_000  # room for the title, the totals and the notes
_MAX_SELECTED_TEXT = 300
_NOTE_ROOM = 2_100  # the notes; all but 600 of it for the names of the companies left out


def comment_limit(platform: str = "github") -> int:
    """Characters cwbill may write per comment on `platform`."""
    return PLATFORM_LIMITS[platform] - CI_RESERVE


DEFAULT_LIMIT = comment_limit()


def render_markdown(
    plan: Plan,
    *,
    review: Review = NO_REVIEW,
    show_cost: bool = False,
    limit: int = DEFAULT_LIMIT,
    header: Sequence[str] = (),
    sections: Sequence[str] = (),
) -> str:
    """The comments (each ends with a newline, at most `limit` characters), each after the first
    on the line after a `COMMENT_BREAK` line; `header` adds lines under the scope line, `sections`
    whole sections."""
    return f"{COMMENT_BREAK}\n".join(  # each comment ends with a newline: the break is a line
        render_comments(
            plan, review=review, show_cost=show_cost, limit=limit, header=header, sections=sections
        )
    )


def render_comments(
    plan: Plan,
    *,
    review: Review = NO_REVIEW,
    show_cost: bool = False,
    limit: int = DEFAULT_LIMIT,
    header: Sequence[str] = (),
    sections: Sequence[str] = (),
) -> list[str]:
    if limit < MIN_LIMIT:
        raise ValueError(f"a Markdown plan needs at least {MIN_LIMIT} characters")
    parts = [
        company_part(plan, company, group, review, show_cost) for company, group in by_company(plan.changes)
    ]
    parts.sort(key=lambda part: (-abs(part.change), part.company))
    layout = _Layout(plan, review, show_cost, limit, [*header_lines(plan), *header], list(sections), parts)
    return layout.comments()


def header_lines(plan: Plan) -> list[str]:
    """The lines under the title, never cut: the scope, then one line per fact about the inputs."""
    return [_scope_line(plan), *(md(line) for line in [usage_age_line(plan)] if line)]


@dataclass(frozen=True, slots=True)
class _Layout:
    """Everything the comments could show; `comments` fits it into comments of `limit`."""

    plan: Plan
    review: Review
    show_cost: bool
    limit: int
    header: list[str]
    sections: list[str]
    parts: list[CompanyPart]

    @property
    def note_room(self) -> int:
        """Room kept for the notes (left-out details, continued summary): a fifth of a small limit."""
        return min(_NOTE_ROOM, self.limit // 5)

    def comments(self) -> list[str]:
        warnings = [_warning_item(w) for w in self.plan.warnings]
        if not self.plan.changes:
            blocks = [*self._head(), *self._warnings(warnings, self.limit), "No changes.", *self.sections]
            return [_join(blocks)]
        rows = [part.row for part in self.parts]
        whole = len(_join([*self._head(), *self._summary(rows), *self.sections])) + self.note_room
        # warnings take what the summary leaves; when the summary needs more comments, a quarter
        warning_budget = self.limit - whole if whole < self.limit else self.limit // 4
        first = [*self._head(), *self._warnings(warnings, warning_budget)]
        chunks = self._chunks(rows, self.limit - len(_join(first)) - self.note_room)
        comments = [[*first, *self._summary(chunks[0], more=len(chunks) > 1)]]
        for number, chunk in enumerate(chunks[1:], start=2):
            title = f"## cwbill plan (continued, {number} of {len(chunks)})"
            comments.append([title, *self._summary(chunk, continued=True, more=number < len(chunks))])
        last = [*comments[-1], *self.sections]
        comments[-1] = [*last, *self._details(self.limit - len(_join(last)) - 2)]
        return [_join(blocks) for blocks in comments]

    def _head(self) -> list[str]:
        return ["## cwbill plan", "  \n".join(self.header)]  # two spaces: a line break in one paragraph

    def _warnings(self, items: list[str], budget: int) -> list[str]:
        if not items:
            return []
        kept = _fit([len(item) + 1 for item in items], budget - 200)
        hidden = len(items) - kept
        note = [f"- {hidden:,} more warnings not shown{_limit_note(self.limit)}"] if hidden else []
        return ["### Warnings", "\n".join([*items[:kept], *note])]

    def _summary(self, rows: Sequence[str], *, continued: bool = False, more: bool = False) -> list[str]:
        table = [
            *summary_head(self.show_cost),
            *(() if continued else (total_row(self.plan, self.review, self.show_cost),)),
            *rows,
        ]
        blocks = ["### Summary (continued)" if continued else "### Summary"]
        if not continued:
            blocks.append(_totals_line(self.plan, self.show_cost))
        blocks.append("\n".join(table))
        if more:
            blocks.append("The summary goes on in the next comment.")
        return blocks

    def _chunks(self, rows: list[str], first_budget: int) -> list[list[str]]:
        """The summary rows split in comments: as many as fit in the first, then in each next."""
        chunks: list[list[str]] = []
        budget = first_budget
        rest = rows
        while True:
            kept = max(_fit([len(r) + 1 for r in rest], budget), 1)
            chunks.append(rest[:kept])
            rest = rest[kept:]
            if not rest:
                return chunks
            budget = (
                self.limit
                - len(
                    _join(
                        [
                            "## cwbill plan (continued, 99 of 99)",
                            *self._summary([], continued=True, more=True),
                        ]
                    )
                )
                - self.note_room
            )

    def _details(self, budget: int) -> list[str]:
        sizes = [len(part.details) + 2 for part in self.parts]
        shown = _fit(sizes, budget - len("### Changes") - 2 - self.note_room)
        blocks = ["### Changes", *(part.details for part in self.parts[:shown])]
        left = self.parts[shown:]
        if left:
            blocks.append(self._left_out_note([part.company for part in left]))
        return blocks if shown or left else []

    def _left_out_note(self, companies: list[str]) -> str:
        names: list[str] = []
        for company in companies:
            if sum(len(n) + 2 for n in names) + len(md(company)) > self.note_room - 600:
                break
            names.append(md(company))
        more = len(companies) - len(names)
        listed = ", ".join(names) + (f" and {more:,} more" if more else "")
        noun = "company" if len(companies) == 1 else "companies"
        return (
            f"Details not shown for {len(companies):,} {noun} with the smallest money changes"
            f"{_limit_note(self.limit)}: {listed}. They are in the summary above; see their changes with "
            "`cwbill plan billing --company ID`, or all of them in the JSON plan "
            "(`cwbill plan --format json`; on CI the `plan.json` artifact)."
        )


def _join(blocks: Sequence[str]) -> str:
    return "\n\n".join(blocks) + "\n"


def _fit(sizes: Sequence[int], budget: int) -> int:
    """How many of the first items fit in `budget`."""
    kept = 0
    for size in sizes:
        if size > budget:
            break
        kept += 1
        budget -= size
    return kept


def _limit_note(limit: int) -> str:
    return f" (the comment is limited to {limit:,} characters)"


def _scope_line(plan: Plan) -> str:
    selection = plan.selection
    words = [
        f"As of {plan.as_of.isoformat()}",
        f"periods {', '.join(str(p) for p in plan.periods) or 'none'}",
    ]
    if selection.period is not None:
        words.append(f"period {selection.period} (--period)")
    if selection.companies:
        shown = ", ".join(md(company) for company in selection.companies)
        # The header is never cut, so it must stay small whatever --company was given.
        fits = len(shown) <= _MAX_SELECTED_TEXT
        words.append(f"companies {shown}" if fits else f"{len(selection.companies)} companies (--company)")
    if selection.adopt:
        words.append("adopting unmarked lines (--adopt)")
    return " · ".join(words)


def _warning_item(warning: PlanWarning) -> str:
    context = ", ".join(md(part) for part in warning_context(warning))
    where = f" ({context})" if context else ""
    return f"- **{md(warning.code)}**{where}: {md(warning.message)}"


def _totals_line(plan: Plan, show_cost: bool) -> str:
    summary, totals, currency = plan.summary, plan.totals, md(plan.currency)
    line = (
        f"**{summary_line(summary.create, summary.update, summary.delete)}** Billed total in scope: "
        f"{money_text(totals.billed_before)} → {money_text(totals.billed_after)} {currency}."
    )
    if show_cost:
        line += (
            f" Cost total in scope: {money_text(totals.cost_before)} → "
            f"{money_text(totals.cost_after)} {currency}."
        )
    return line


__all__ = ["COMMENT_BREAK", "DEFAULT_LIMIT", "MIN_LIMIT", "render_unowned_markdown"]
