"""Applying a plan: the apply side of a run (`reconcile/run.py` makes the plan).

A saved plan is a review token — loaded, checked as stale or not (its own partial writes resume), and
compared with the plan computed now (`reconciler.plan.saved`); the safety thresholds; then the writes,
holding `apply_lock`, so that two applies on one machine never both plan the same create (ConnectWise
has no conditional write to stop them).
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from reconciler.config.model import Repository
from reconciler.connectwise.apply import Applier, ApplyReport, WriteResult
from reconciler.connectwise.client import ConnectWiseClient
from reconciler.connectwise.journal import Journal
from reconciler.errors import UserError
from reconciler.plan.model import Action, Change, Plan, Reason
from reconciler.plan.resume import Resumption, resume_of
from reconciler.plan.safety import threshold_violations
from reconciler.plan.saved import change_differences
from reconciler.reconcile.run import PlanRun
from reconciler.render.json import plan_from_json


def load_saved_plan(path: Path) -> Plan:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot read the plan ({exc.strerror})") from exc
    return plan_from_json(text, str(path))


def review_saved_plan(saved: Plan, run: PlanRun, source: str) -> Resumption:
    """The saved plan as a review token (`reconciler.plan.saved`): what is left of it to write.

    Refused (a UserError, nothing written) when the world moved in any way other than this plan's
    own writes of an earlier apply (stale), or when what is left of it is not exactly the plan
    computed now."""
    resumption = resume_of(saved, run.plan.fingerprint, run.moved)
    if resumption.stale:
        listed = "\n".join(f"  - {r}" for r in resumption.stale)
        raise UserError(f"{source}: the plan is stale; make a new plan. What changed:\n{listed}")
    computed = [c for c in run.plan.changes if not _collapses(c, resumption.duplicates)]
    differences = change_differences(resumption.remaining, computed)
    if differences:
        listed = "\n".join(f"  - {d}" for d in differences)
        raise UserError(
            f"{source}: the saved plan is not the plan computed now from the same billing files, "
            "usage and ConnectWise, so it is not applied (a saved plan is what was reviewed, never "
            f"instructions); nothing was written. Make a new plan and review it. Differences:\n{listed}"
        )
    return resumption


def _collapses(change: Change, duplicates: Sequence[int]) -> bool:
    """A delete of an extra copy of a line the saved plan created: part of finishing that create."""
    return (
        change.action is Action.DELETE
        and change.reason is Reason.DUPLICATE
        and change.addition_id in duplicates
    )


def check_thresholds(plan: Plan, repository: Repository, force: bool) -> None:
    problems = threshold_violations(plan, repository.settings.safety)
    if problems and not force:
        listed = "\n".join(f"  - {p}" for p in problems)
        raise UserError(f"refusing to apply without --force:\n{listed}")


def execute(
    plan: Plan,
    client: ConnectWiseClient,
    journal_path: Path | None,
    progress: Callable[[WriteResult], None] | None = None,
    stop: threading.Event | None = None,
) -> ApplyReport:
    journal = Journal.open(journal_path) if journal_path is not None else Journal(None)
    try:
        return Applier(client, journal, stop=stop).apply(plan, progress)
    finally:
        journal.close()


@contextmanager
def apply_lock(client: ConnectWiseClient, directory: Path | None = None) -> Iterator[Path]:
    """Hold the one apply per (ConnectWise URL, company id) on this machine; refuse when taken.

    An exclusive `flock` on a file in the temporary directory, taken without waiting: a second apply
    is refused at once, before it reads anything. The kernel releases it when the process ends, even
    by SIGKILL, so a crashed apply never blocks the next (its file stays, empty of meaning, and is
    reused); a finished apply removes the file. Across machines, see docs/reliability.md.
    """
    url, company = client.base_url, client.credentials.company_id
    key = hashlib.sha256(f"{url.casefold()}\n{company.casefold()}".encode()).hexdigest()[:16]
    path = (directory or Path(tempfile.gettempdir())) / f"cwbill-apply-{key}.lock"
    if sys.platform == "win32":  # no flock: the CI's concurrency group is the only guard there
        yield path
        return
    descriptor = _locked(path, url, company)
    try:
        try:
            os.ftruncate(descriptor, 0)
            os.pwrite(descriptor, f"{os.getpid()}\n".encode("ascii"), 0)
        except OSError:
            pass  # another user's lock file, opened read-only: the lock holds, without our pid
        yield path
    finally:
        with suppress(OSError):
            path.unlink()  # still holding it, so no one can be between its open and its lock
        os.close(descriptor)


def _locked(path: Path, url: str, company: str) -> int:
    """A descriptor of `path` holding its exclusive lock, or a UserError when another apply has it."""
    import fcntl

    for _ in range(5):
        descriptor = _open_lock(path)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
            os.close(descriptor)
            raise UserError(
                f"another cwbill apply is running against {url} (company {company}) on this machine"
                f"{f' (pid {holder})' if holder.isdigit() else ''}; nothing was written. Run apply "
                f"again when it has finished (lock file {path})"
            ) from None
        if _same_file(descriptor, path):
            return descriptor
        os.close(descriptor)  # the previous holder removed it between our open and our lock
    raise UserError(f"cannot take the apply lock {path}: it keeps changing; nothing was written")


def _same_file(descriptor: int, path: Path) -> bool:
    try:
        named = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    held = os.fstat(descriptor)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def _open_lock(path: Path) -> int:
    # O_NOFOLLOW: the temporary directory is shared, and a planted symlink must not be followed
    flags = os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        try:
            return os.open(path, flags | os.O_RDWR, 0o644)
        except PermissionError:
            return os.open(path, flags | os.O_RDONLY)
    except OSError as exc:
        raise UserError(f"cannot take the apply lock {path}: {exc.strerror}; nothing was written") from exc
