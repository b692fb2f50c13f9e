"""Untrusted text made safe to show: file names that are not UTF-8, control characters, bidi tricks.

Everything a scan reports comes from files someone else wrote: file names (bytes on POSIX, not always
UTF-8), model ids in code, model-card YAML. Internally paths stay lossless (``str`` with
``surrogateescape``, exactly what :func:`os.fsdecode` gives); whatever reaches a report passes
through :func:`printable` first, which shows

- each byte that is not UTF-8 (a lone surrogate ``U+DC80``–``U+DCFF``) as ``\\xNN`` (80–ff);
- control characters, which could clear a terminal, retitle it or hide CI log lines: C0 and DEL as
  ``\\xNN`` (``\\n``, ``\\r`` and ``\\t`` by name; newlines and tabs kept on request), C1 as ``\\uNNNN``;
- invisible format characters that reorder or hide text (bidi overrides and isolates, zero-width
  characters: "Trojan Source") as ``\\uNNNN``.

The result is valid UTF-8 with no control characters, and :func:`printable` is idempotent, so a string
can be made safe at every boundary without being escaped twice. Each output format then escapes the
result for its own syntax (Markdown, HTML, SARIF Markdown, rich markup).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import re
from typing import Any

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: Escaped in every string: lone surrogates (undecodable bytes), C0 controls but tab and line feed,
#: DEL and C1, and the invisible format characters that can reorder or hide text: soft hyphen,
#: zero-width and joiner characters, bidi marks, embeddings, overrides and isolates, word joiner and
#: invisible operators, BOM, interlinear marks. One-line text escapes tab and line feed as well.
_ALWAYS = ("\ud800-\udfff\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
           "\u2060-\u206f\ufeff\ufff9-\ufffb")
_LINE_BREAKS = "\t\n"
_UNSAFE = re.compile(f"[{_ALWAYS}{_LINE_BREAKS}]")
_UNSAFE_KEEP_LINES = re.compile(f"[{_ALWAYS}]")


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    if ch in _NAMED:
        return _NAMED[ch]
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the original byte (0x80-0xff)
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x80:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"  # C1 controls too, so "\\x80"-"\\xff" always mean a raw byte


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with undecodable bytes, control and invisible format characters shown escaped.

    With ``keep_newlines`` line feeds and tabs stay as they are (for multi-line free text); otherwise
    the result is one line.
    """
    pattern = _UNSAFE_KEEP_LINES if keep_newlines else _UNSAFE
    return pattern.sub(_escape, text) if pattern.search(text) else text


_ESCAPED = re.compile(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|[nrt])")


def path_bytes(shown: str) -> bytes:
    """The bytes of a path that :func:`printable` showed (its escapes undone), e.g. for a SARIF URI."""
    out = bytearray()
    pos = 0
    for m in _ESCAPED.finditer(shown):
        out += shown[pos:m.start()].encode("utf-8", "surrogateescape")
        esc = m.group(1)
        if esc[0] == "x":
            out.append(int(esc[1:], 16))
        elif esc[0] == "u":
            out += chr(int(esc[1:], 16)).encode("utf-8")
        else:
            out += {"n": b"\n", "r": b"\r", "t": b"\t"}[esc]
        pos = m.end()
    out += shown[pos:].encode("utf-8", "surrogateescape")
    return bytes(out)


#: Fields shown as one line (names, ids, paths, code): a newline there is an injection, not layout.
ONE_LINE_FIELDS = frozenset({"path", "raw", "id", "evidence", "root", "loader", "name", "code", "scheme",
                             "license", "license_id", "publisher", "url", "jurisdiction"})


#: Values that hold no strings: returned as they are, without a memo entry.
_ATOMS = (int, float, bool, bytes, type(None), dt.date, enum.Enum)


@functools.cache
def _init_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if f.init)


def sanitize(value: Any, *, field: str = "", memo: dict[int, Any] | None = None) -> Any:
    """A copy of ``value`` (strings, tuples, lists, dicts, dataclasses) with every string printable.

    Objects that need no change are returned as they are (identity kept), and shared sub-objects are
    visited once (``memo``), so a lineage DAG with shared ancestors costs linear work.
    """
    return _clean(value, field, {} if memo is None else memo)


def _clean(value: Any, field: str, memo: dict[int, Any]) -> Any:
    # One dispatch over the value's type, kept in one function on purpose: it runs for every value
    # of every report (10,000-artifact scans), and each branch is three lines of the same pattern.
    if type(value) is str:  # the common case first (printable returns clean text itself)
        return printable(value, keep_newlines=field not in ONE_LINE_FIELDS)
    if isinstance(value, _ATOMS):
        return value
    key = id(value)
    found = memo.get(key, memo)
    if found is not memo:
        return found
    out: Any = value
    if isinstance(value, str):  # a str subclass
        out = printable(str(value), keep_newlines=field not in ONE_LINE_FIELDS)
    elif isinstance(value, tuple) and not hasattr(value, "_fields"):
        items = tuple(_clean(v, field, memo) for v in value)
        if any(a is not b for a, b in zip(items, value, strict=True)):
            out = items
    elif isinstance(value, list):
        items_l = [_clean(v, field, memo) for v in value]
        if any(a is not b for a, b in zip(items_l, value, strict=True)):
            out = items_l
    elif isinstance(value, dict):
        pairs = [(_clean(k, "id", memo), _clean(v, k if isinstance(k, str) else "", memo)) for k, v in value.items()]
        if any(a is not k or b is not v for (a, b), (k, v) in zip(pairs, value.items(), strict=True)):
            out = dict(pairs)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for name in _init_fields(type(value)):
            old = getattr(value, name)
            new = _clean(old, name, memo)
            if new is not old:
                changes[name] = new
        if changes:
            out = dataclasses.replace(value, **changes)
    memo[key] = out
    memo[id(out)] = out  # a cleaned object is clean
    return out
