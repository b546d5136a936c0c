"""The credentials the sandbox accepts, and their documented demo values (sandbox-seed.md).

The sandbox accepts exactly the credentials in the environment it was started with — the same
variables the cwbill client reads — and falls back to the demo value of each one that is unset.
`DEMO_CREDENTIALS` is the one place those demo values live; `make demo` exports the same values to
the client. Nothing here is ever logged or echoed: `Credentials.__repr__` hides the secrets.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

DEMO_CREDENTIALS: Final[dict[str, str]] = {
    "CW_COMPANY_ID": "cwbill_demo",
    "CW_PUBLIC_KEY": "demo-public-key",
    "CW_PRIVATE_KEY": "demo-private-key",
    "CW_CLIENT_ID": "3b1c0a9e-5f4d-4c1b-9a0e-2f6d8c7b1a00",
    "MBS_USERNAME": "demo@cwbill.example",
    "MBS_PASSWORD": "demo-password",
}


@dataclass(frozen=True, slots=True)
class Credentials:
    cw_company_id: str = DEMO_CREDENTIALS["CW_COMPANY_ID"]
    cw_public_key: str = field(default=DEMO_CREDENTIALS["CW_PUBLIC_KEY"], repr=False)
    cw_private_key: str = field(default=DEMO_CREDENTIALS["CW_PRIVATE_KEY"], repr=False)
    cw_client_id: str = field(default=DEMO_CREDENTIALS["CW_CLIENT_ID"], repr=False)
    mbs_username: str = field(default=DEMO_CREDENTIALS["MBS_USERNAME"], repr=False)
    mbs_password: str = field(default=DEMO_CREDENTIALS["MBS_PASSWORD"], repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Credentials:
        """Each variable from `environ` when set and not empty, else its demo value."""

        def pick(name: str) -> str:
            return environ.get(name) or DEMO_CREDENTIALS[name]

        return cls(
            cw_company_id=pick("CW_COMPANY_ID"),
            cw_public_key=pick("CW_PUBLIC_KEY"),
            cw_private_key=pick("CW_PRIVATE_KEY"),
            cw_client_id=pick("CW_CLIENT_ID"),
            mbs_username=pick("MBS_USERNAME"),
            mbs_password=pick("MBS_PASSWORD"),
        )

    def cw_basic_user(self) -> str:
        """The Basic-auth text ConnectWise expects: `companyId+publicKey:privateKey`."""
        return f"{self.cw_company_id}+{self.cw_public_key}:{self.cw_private_key}"

    def cw_user_matches(self, user: str) -> bool:
        # The company id is matched without case (it is typed at the login screen that way);
        # the keys exactly. compare_digest keeps the check constant-time.
        company, _, keys = user.partition("+")
        return company.lower() == self.cw_company_id.lower() and hmac.compare_digest(
            keys.encode("utf-8"), f"{self.cw_public_key}:{self.cw_private_key}".encode()
        )

    def cw_client_matches(self, client_id: str | None) -> bool:
        return client_id is not None and hmac.compare_digest(
            client_id.strip().lower().encode("utf-8"), self.cw_client_id.lower().encode("utf-8")
        )

    def mbs_matches(self, username: object, password: object) -> bool:
        if not isinstance(username, str) or not isinstance(password, str):
            return False
        user_ok = hmac.compare_digest(username.lower().encode("utf-8"), self.mbs_username.lower().encode())
        return user_ok and hmac.compare_digest(password.encode("utf-8"), self.mbs_password.encode("utf-8"))
