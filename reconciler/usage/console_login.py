"""What to tell the user when the Management Console refuses the login (mbs-api §2).

Pure: status, message and OAuth error code in, one sentence out, naming the setting to check —
`MBS_USERNAME` / `MBS_PASSWORD`, or the console's API settings — and never a secret (the caller
scrubs the message before it gets here).
"""

from __future__ import annotations

AUTH_STATUSES = frozenset({401, 403})

CREDENTIALS_HINT = "check MBS_USERNAME and MBS_PASSWORD (the console's Settings > General > API credentials)"


def login_refusal(status: int, message: str, error: str) -> str | None:
    """What to tell the user when `POST /api/Provider/Login` is refused; None when it was not.

    The real API answers a wrong user name or password with 400 `{"error": "invalid_grant",
    "error_description": "The user name or password is incorrect."}` (the OAuth token endpoint of
    ASP.NET; MSP360's API documentation, "Initial Authentication"). Third-party clients report 403
    for bad credentials, and for an IP address the console does not allow or API access turned off
    (mbs-api §2); the 403 body is unconfirmed, so its message picks the hint and, failing that, all
    three causes are named.
    """
    said = f"HTTP {status}: {message}" + (f" ({error})" if error else "")
    if status == 400 and error == "invalid_grant":
        return f"the Management Console refused the login ({said}); {CREDENTIALS_HINT}"
    if status not in AUTH_STATUSES:
        return None
    lowered = message.lower()
    if "ip" in lowered.replace(",", " ").split() or "address" in lowered:
        cause = (
            "the console does not accept API calls from this machine's IP address: add it to the "
            "allowed addresses of the API settings (Settings > General > API) or run from an allowed "
            "address"
        )
    elif any(word in lowered for word in ("disabled", "not enabled", "not allowed", "turned off")):
        cause = "API access is turned off: enable it in the console (Settings > General > API)"
    elif status == 403 and any(word in lowered for word in ("password", "user name", "credential")):
        cause = CREDENTIALS_HINT
    else:
        cause = (
            f"{CREDENTIALS_HINT}; a 403 also means the console does not allow API calls from this IP "
            "address or has API access turned off (Settings > General > API)"
        )
    return f"the Management Console refused the login ({said}); {cause}"
