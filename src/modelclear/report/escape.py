"""Escaping for the formats a report lands in: Markdown (our report and SARIF's ``markdown``) and URLs.

Strings reaching a report are already printable (:mod:`modelclear.safetext`): one line where they
name something, no control characters. What is left is the syntax of the target format: a backtick
or ``<`` in a file name must not close a code span, open raw HTML or start a link in the report that
legal reads. HTML is escaped by Jinja's autoescaping, rich text by building ``Text`` objects (never
markup strings) — see :mod:`modelclear.report.text`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: Characters with a meaning in CommonMark / GitHub Markdown inline text (code spans, emphasis, links and
#: images, raw HTML and autolinks, entities, table cells, strike-through). Block syntax (``#``, ``-``,
#: ``>``) only counts at the start of a line, and escaped text is always one line placed after a prefix.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
_BACKTICKS = re.compile(r"`+")
#: URL schemes a report may link to; anything else (``javascript:``, ``data:``, ``file:``) is text.
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def md_text(text: str) -> str:
    """``text`` as literal Markdown inline text: every special character backslash-escaped, one line."""
    text = " ".join(text.splitlines())
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_code(text: str) -> str:
    """``text`` as one Markdown code span that nothing inside can close (CommonMark §6.1)."""
    text = " ".join(text.splitlines()) or " "
    runs = [len(m) for m in _BACKTICKS.findall(text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def safe_url(url: str) -> str | None:
    """``url`` when it is an absolute http(s)/mailto URL with no characters that break out of a link."""
    if not url or any(ch in url for ch in " <>\"'`\\\n\r\t"):
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in SAFE_SCHEMES else None


def md_link(label: str, url: str) -> str:
    """A Markdown link with an escaped label, or the escaped label and URL as text when the URL is unsafe."""
    ok = safe_url(url)
    shown = md_text(label or url)
    if ok is None:
        return f"{shown} ({md_code(url)})" if url and url != label else shown
    return f"[{shown}](<{ok}>)"
