"""Make a user-supplied string inert in a GitHub pull-request comment (Markdown with HTML).

Company names, agreement names, descriptions and warning messages come from users and from
ConnectWise, and a plan comment is read by people who trust it: a name must not inject HTML, break a
table, start a link or an image, format text, mention a person or team, or link an issue. Every
special character becomes a numeric character reference, which means the same thing in a Markdown
paragraph, in a table cell and inside raw HTML (`<summary>`), and is never read as syntax (CommonMark
§6.2: references are literal text). What GitHub adds after rendering (mentions, issue links, bare
URLs) is broken with a zero-width space, which the reader does not see.
"""

from __future__ import annotations

import re

from reconciler.render.common import UNSAFE_CHARACTERS

ZWSP = "\u200b"
# HTML, and Markdown's inline syntax plus `$` (GitHub math). Block syntax (`-`, `+`, `1.`, `=`) only
# counts at the start of a line, and an escaped string never starts one: the renderer puts it after
# a table pipe or a list marker.
_ENTITIES = {char: f"&#{ord(char)};" for char in "&<>\"'|`*_[]()#!~\\$"}
# Newlines and every other control character, and bidirectional overrides, read as one space.
_CONTROL = re.compile(f"\r\n|[{UNSAFE_CHARACTERS}]")
# What GitHub links after rendering: `@user`, `#123`, `GH-123`, `http://…`, `www.…`.
_AUTOLINK = re.compile(r"(?i)(@|#|gh-|://|www\.)")


def escape_markdown(text: str) -> str:
    """`text` as inert Markdown: shows the same characters, means nothing to the renderer."""
    flat = _CONTROL.sub(" ", text)
    broken = _AUTOLINK.sub(lambda match: _break(match.group(0)), flat)
    return "".join(_ENTITIES.get(char, char) for char in broken)


def _break(token: str) -> str:
    """Put a zero-width space inside a token GitHub would turn into a link or a mention."""
    return token[0] + ZWSP + token[1:]
