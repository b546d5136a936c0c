"""User strings made inert for a pull-request comment, and still reading the same."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.render.mdescape import ZWSP, escape_markdown

_SYNTAX = set("<>|`*_[]()#!~\\$\"'")


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("ACME", "ACME"),
        ("<script>alert(1)</script>", "&#60;script&#62;alert&#40;1&#41;&#60;/script&#62;"),
        ("A|B", "A&#124;B"),
        ("`rm -rf`", "&#96;rm -rf&#96;"),
        ("@alice please", f"@{ZWSP}alice please"),
        ("[link](http://evil)", f"&#91;link&#93;&#40;http:{ZWSP}//evil&#41;"),
        ("www.evil.com", f"w{ZWSP}ww.evil.com"),
        ("Shop #12 / GH-3", f"Shop &#35;{ZWSP}12 / G{ZWSP}H-3"),
        ("one\ntwo\r\nthree", "one two three"),
        ("**bold** _it_ ~~x~~", "&#42;&#42;bold&#42;&#42; &#95;it&#95; &#126;&#126;x&#126;&#126;"),
        ("$x^2$", "&#36;x^2&#36;"),
        ('Tom & Jerry\'s "best"', "Tom &#38; Jerry&#39;s &#34;best&#34;"),
        ("![img](x)", "&#33;&#91;img&#93;&#40;x&#41;"),
        ("a\\*b", "a&#92;&#42;b"),
        ("Façade — 15.00", "Façade — 15.00"),
    ],
    ids=[
        "plain text is unchanged",
        "HTML is shown, not run",
        "a pipe does not split a table cell",
        "backticks make no code span",
        "a mention notifies nobody",
        "a link is not a link",
        "a bare www address is not linked",
        "issue references are not linked",
        "newlines stay on one line",
        "emphasis and strike-through are shown as typed",
        "math is not typeset",
        "ampersands and quotes",
        "an image is not loaded",
        "a backslash does not escape the next character",
        "other characters are left alone",
    ],
)
def test_escape_markdown(text: str, escaped: str) -> None:
    assert escape_markdown(text) == escaped


@given(st.text())
def test_escaped_text_has_no_syntax_and_reads_the_same(text: str) -> None:
    escaped = escape_markdown(text)
    without_entities = re.sub(r"&#\d+;", "", escaped)
    assert not (_SYNTAX | {"&", "\n", "\r"}) & set(without_entities)
    flat = re.sub("\r\n|[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]", " ", text)
    assert html.unescape(escaped).replace(ZWSP, "") == flat.replace(ZWSP, "")
