"""The fingerprint of a plan: everything it was made from (billing-rules §7).

The billing repository's files, the usage, the scope and selection, and every live addition read
(id and `_info.lastUpdated`). `apply --plan` recomputes it from the world as it is and refuses,
naming each difference, when the plan is stale — unless the only differences are the plan's own
writes of an earlier apply (`reconciler.plan.resume`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from reconciler.config.model import Repository
from reconciler.connectwise.live import LiveAddition
from reconciler.engine.model import ConfigurationScope
from reconciler.engine.periods import Period
from reconciler.plan.model import Fingerprint, Selection


def scope_text(selection: Selection, scopes: Iterable[ConfigurationScope]) -> str:
    parts = [
        f"as-of={selection.as_of.isoformat()}",
        f"period={selection.period or ''}",
        f"companies={','.join(sorted(selection.companies))}",
        f"adopt={selection.adopt}",
    ]
    texts: dict[tuple[Period, ...], str] = {}  # thousands of scopes share a handful of period lists
    for scope in sorted(scopes, key=lambda s: (s.company, s.configuration)):
        periods = texts.get(scope.periods)
        if periods is None:
            periods = texts[scope.periods] = ",".join(str(p) for p in scope.periods)
        parts.append(f"{scope.company}/{scope.configuration}={periods}")
    return ";".join(parts)


def fingerprint_digest(repository: dict[str, str], usage: str, scope: str, additions: dict[int, str]) -> str:
    canonical = json.dumps(
        {
            "repository": repository,
            "usage": usage,
            "scope": scope,
            "additions": {str(k): v for k, v in sorted(additions.items())},
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def make_fingerprint(
    repository: Repository,
    usage_digest: str,
    selection: Selection,
    scopes: Iterable[ConfigurationScope],
    additions: Iterable[LiveAddition],
) -> Fingerprint:
    files = dict(sorted(repository.files))
    scope = scope_text(selection, scopes)
    read = {a.id: a.last_updated for a in sorted(additions, key=lambda a: a.id)}
    return Fingerprint(files, usage_digest, scope, read, fingerprint_digest(files, usage_digest, scope, read))


def input_reasons(planned: Fingerprint, current: Fingerprint) -> list[str]:
    """Each way the repository, the usage or the scope changed since the plan was made."""
    reasons: list[str] = []
    for name in sorted(set(planned.repository) | set(current.repository)):
        before, after = planned.repository.get(name), current.repository.get(name)
        if before != after:
            what = "added" if before is None else "removed" if after is None else "changed"
            reasons.append(f"billing repository file {name} {what} since the plan")
    if planned.usage != current.usage:
        reasons.append("the usage changed since the plan")
    if planned.scope != current.scope:
        reasons.append(f"the scope changed since the plan ({planned.scope} → {current.scope})")
    return reasons


def addition_reason(addition_id: int, before: str | None, after: str | None) -> str:
    """How one addition read by the plan (`_info.lastUpdated` then and now) moved since."""
    if before is None:
        return f"addition #{addition_id} appeared in ConnectWise since the plan"
    if after is None:
        return f"addition #{addition_id} was deleted in ConnectWise since the plan"
    return f"addition #{addition_id} was edited in ConnectWise since the plan ({before} → {after})"
