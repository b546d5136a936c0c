"""The credentials the sandbox accepts: from the environment, demo values otherwise, never shown."""

from __future__ import annotations

from reconciler.sandbox.credentials import DEMO_CREDENTIALS, Credentials


def test_unset_or_empty_variables_take_the_demo_values() -> None:
    credentials = Credentials.from_env({"CW_PRIVATE_KEY": "", "MBS_PASSWORD": "real"})
    assert credentials.cw_private_key == DEMO_CREDENTIALS["CW_PRIVATE_KEY"]
    assert credentials.mbs_password == "real"
    assert Credentials.from_env({}) == Credentials()


def test_the_demo_values_cover_every_variable_the_client_reads() -> None:
    assert set(DEMO_CREDENTIALS) == {
        "CW_COMPANY_ID",
        "CW_PUBLIC_KEY",
        "CW_PRIVATE_KEY",
        "CW_CLIENT_ID",
        "MBS_USERNAME",
        "MBS_PASSWORD",
    }


def test_repr_never_shows_a_secret() -> None:
    credentials = Credentials.from_env(
        {"CW_PRIVATE_KEY": "top-secret", "MBS_PASSWORD": "hunter2", "CW_PUBLIC_KEY": "pub"}
    )
    shown = repr(credentials)
    assert "top-secret" not in shown and "hunter2" not in shown and "pub" not in shown
    assert "cwbill_demo" in shown


def test_matching() -> None:
    credentials = Credentials()
    assert credentials.cw_user_matches("CWBILL_DEMO+demo-public-key:demo-private-key")
    assert not credentials.cw_user_matches("cwbill_demo+demo-public-key:DEMO-private-key")
    assert credentials.cw_client_matches(credentials.cw_client_id.upper())
    assert not credentials.cw_client_matches(None)
    assert credentials.mbs_matches("Demo@Cwbill.Example", "demo-password")
    assert not credentials.mbs_matches("demo@cwbill.example", None)
