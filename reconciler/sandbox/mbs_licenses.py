"""The console's `/api/Licenses`: taken, expired, expiring, trial and spare licenses (mbs-contract).

Built from a user's latest seeded month (the console keeps no license history): one taken, paid
license per activated one, taken licenses that expired the day before the month or expire on its
15th, taken trials (by default one of the first license type), and per license type one spare
license and one spare trial. Ids derive from names (`guid`, uuid5; `slug` for readable names),
here because licenses need them first and `mbs_data` imports them back; numbers follow the list.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from reconciler.sandbox.mbs_data import ConsoleData, ConsoleMonth, JsonObject

_NAMESPACE: Final = uuid.UUID("6f1d3c2a-8e4b-4b8e-9c1a-5d2e7f9a0b11")


def guid(text: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, text))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def add_taken_licenses(
    data: ConsoleData, company: str, *, user_id: str, email: str, month: ConsoleMonth, types: list[str]
) -> None:
    first_day = dt.date.fromisoformat(f"{month.period}-01")
    kinds = (
        ("", month.licenses, None),
        ("expired", month.expired, first_day - dt.timedelta(days=1)),
        ("expiring", month.expiring, first_day.replace(day=15)),
    )
    for kind, counts, expires in kinds:
        for license_type, count in counts.items():
            if license_type not in types:
                types.append(license_type)
            prefix = f"{slug(company)}-{slug(license_type)}" + (f"-{kind}" if kind else "")
            for index in range(count):
                key = f"{company}:{license_type}:{kind + ':' if kind else ''}{index}"
                taken = _license(data, key, license_type, user_id, email)
                taken["ComputerName"] = f"{prefix}-{index + 1:02d}"
                if expires is not None:
                    taken["DateExpired"] = f"{expires.isoformat()}T00:00:00Z"
                data.licenses.append(taken)
    # Trials on the same user: realism the client must not count (they are not billed). By default
    # one of the first license type, as the demo seed has always served.
    trials = month.trials if month.trials is not None else dict.fromkeys(list(month.licenses)[:1], 1)
    for license_type, count in trials.items():
        for index in range(count):
            suffix = "" if index == 0 else f":{index}"
            trial = _license(data, f"{company}:{license_type}:trial{suffix}", license_type, user_id, email)
            trial.update(
                IsTrial=True, ComputerName=f"{slug(company)}-trial" + (f"-{index + 1}" if index else "")
            )
            data.licenses.append(trial)


def add_available_licenses(data: ConsoleData, types: Sequence[str]) -> None:
    for license_type in types:
        for kind in ("available", "available-trial"):
            spare = _license(data, f"spare:{license_type}:{kind}", license_type, None, None)
            spare.update(
                IsTaken=False, IsTrial=kind.endswith("trial"), ComputerName=None, OperatingSystem=None
            )
            data.licenses.append(spare)


def _license(
    data: ConsoleData, key: str, license_type: str, user_id: str | None, email: str | None
) -> JsonObject:
    number = len(data.licenses) + 1
    desktop = license_type.lower().startswith("desktop")
    return {
        "ID": guid(f"license:{key}"),
        "Number": number,
        "ComputerName": None,
        "OperatingSystem": "Windows 11 Pro" if desktop else "Windows Server 2022",
        "IsTrial": False,
        "IsTaken": True,
        "LicenseType": license_type,
        "DateExpired": "2027-12-31T00:00:00Z",
        "Transaction": f"TX-{number:06d}",
        "User": email,
        "UserID": user_id,
    }
