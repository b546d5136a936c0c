"""Invoice descriptions rendered from `settings.invoice.template` (billing-rules §4).

The template is user input that ends up on a customer's invoice, so it is rendered by a tiny
renderer of its own — never `str.format`, whose attribute access and indexing (`{x.__class__}`,
`{x[0]}`) can reach into Python objects. Only plain `{name}` placeholders from a fixed list exist;
`{{` and `}}` are literal braces. `check_template` lists a template's problems for `cwbill validate`;
`render_template` never fails (a problem is rendered literally), since validation has already spoken.
Nor does it cut: a rendered text longer than ConnectWise's invoiceDescription holds is a plan error
(`desired`), never a silently shortened invoice line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from reconciler.config.model import ProductKind
from reconciler.engine import money
from reconciler.engine.lines import Contribution

PLACEHOLDERS = ("product", "period", "quantity", "breakdown", "company", "configuration")


@dataclass(frozen=True, slots=True)
class _Placeholder:
    name: str
    position: int  # 1-based character position of its `{`


@dataclass(frozen=True, slots=True)
class _Problem:
    message: str
    literal: str  # how the offending text is rendered


def _tokens(template: str) -> Iterator[str | _Placeholder | _Problem]:
    """Literal text, placeholders and problems, in order."""
    i = 0
    while i < len(template):
        char = template[i]
        if char in "{}" and template.startswith(char * 2, i):
            yield char
            i += 2
        elif char == "}":
            yield _Problem(f"unbalanced '}}' at character {i + 1} (write '}}}}' for a literal brace)", "}")
            i += 1
        elif char == "{":
            end = template.find("}", i + 1)
            inner_open = template.find("{", i + 1)
            if end < 0 or 0 <= inner_open < end:
                yield _Problem(
                    f"unbalanced '{{' at character {i + 1} (write '{{{{' for a literal brace)", "{"
                )
                i += 1
            else:
                yield _Placeholder(template[i + 1 : end], i + 1)
                i = end + 1
        else:
            end = min(
                (j for j in (template.find("{", i), template.find("}", i)) if j >= 0), default=len(template)
            )
            yield template[i:end]
            i = end


def check_template(template: str) -> list[str]:
    """Problems of an invoice template: unknown placeholders and unbalanced braces (empty: fine)."""
    known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
    problems: list[str] = []
    for token in _tokens(template):
        if isinstance(token, _Problem):
            problems.append(token.message)
        elif isinstance(token, _Placeholder) and token.name not in PLACEHOLDERS:
            problems.append(
                f"unknown placeholder {{{token.name}}} at character {token.position} "
                f"(placeholders are plain names: {known})"
            )
    return problems


def render_template(template: str, values: Mapping[str, str]) -> str:
    """`template` with its placeholders replaced from `values`."""
    parts: list[str] = []
    for token in _tokens(template):
        if isinstance(token, str):
            parts.append(token)
        elif isinstance(token, _Problem):
            parts.append(token.literal)
        elif token.name in values and token.name in PLACEHOLDERS:
            parts.append(values[token.name])
        else:
            parts.append("{" + token.name + "}")
    return "".join(parts)


def breakdown(found: tuple[Contribution, ...]) -> str:
    """`3 × Server, 12 × Desktop` / `1234.5 GB Wasabi (20 GB restored, 2000 GB limit)`; zeros left out."""
    return ", ".join(_one(c) for c in found if not c.is_zero)


def _one(contribution: Contribution) -> str:
    if contribution.kind is ProductKind.LICENSE:
        return f"{money.normalize(contribution.units)} × {contribution.console}"
    unit = contribution.unit
    text = f"{money.normalize(contribution.units)} {unit} {contribution.console}"
    extras = [
        f"{money.normalize(amount)} {unit} {what}"
        for amount, what in ((contribution.restored, "restored"), (contribution.limit, "limit"))
        if amount != 0
    ]
    return f"{text} ({', '.join(extras)})" if extras else text
