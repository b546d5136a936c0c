"""A refused console login says which setting to check (the documented 400, the 403 variants)."""

from __future__ import annotations

import pytest

from reconciler.usage.console_login import login_refusal


@pytest.mark.parametrize(
    ("status", "message", "error", "words"),
    [
        pytest.param(
            400,
            "The user name or password is incorrect.",
            "invalid_grant",
            "(HTTP 400: The user name or password is incorrect. (invalid_grant)); check MBS_USERNAME "
            "and MBS_PASSWORD",
            id="the documented wrong-password answer",
        ),
        pytest.param(
            403,
            "Access to the API is not allowed from IP address 203.0.113.7.",
            "",
            "this machine's IP address: add it to the allowed addresses",
            id="an IP restriction",
        ),
        pytest.param(
            403,
            "API access is disabled for this provider.",
            "",
            "API access is turned off: enable it in the console (Settings > General > API)",
            id="API access turned off",
        ),
        pytest.param(
            403,
            "Invalid user name or password.",
            "",
            "check MBS_USERNAME and MBS_PASSWORD",
            id="a 403 that names the credentials",
        ),
        pytest.param(
            403,
            "Forbidden",
            "",
            "check MBS_USERNAME and MBS_PASSWORD (the console's Settings > General > API credentials); a 403 "
            "also means",
            id="a bare 403 names every cause",
        ),
        pytest.param(401, "Unauthorized", "", "check MBS_USERNAME and MBS_PASSWORD", id="a 401"),
    ],
)
def test_a_refused_login_says_what_to_check(status: int, message: str, error: str, words: str) -> None:
    refusal = login_refusal(status, message, error)
    assert refusal is not None and refusal.startswith("the Management Console refused the login (HTTP")
    assert words in refusal


@pytest.mark.parametrize("status", [400, 404, 500])
def test_other_login_failures_are_not_refusals(status: int) -> None:
    # a 400 without invalid_grant is a malformed request: reported as the HTTP error it is
    assert login_refusal(status, "The request is invalid.", "") is None
