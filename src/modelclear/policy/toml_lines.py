"""Line numbers of keys in TOML text, so a policy error can name the line (tomllib keeps none)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any


class _TomlLines:
    """Line numbers of keys in TOML text (tomllib keeps none): a small scanner of tables and keys.

    Knows ``[table]``, ``[[array.of.tables]]``, ``key = value``, dotted keys, and inline tables
    inside (possibly multi-line) arrays. A key it cannot place falls back to its parent's line.
    """

    _HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
    _KEY = re.compile(r"""\s*([A-Za-z0-9_.\-"' ]+?)\s*=""")

    def __init__(self, text: str) -> None:
        """Index every key path of ``text``."""
        # A single-pass scanner: the loop's state (current table, stack of open inline arrays and
        # tables, array counters) is shared by every branch, so it stays in one function.
        self.lines: dict[tuple[str | int, ...], int] = {}
        counters: dict[tuple[str, ...], int] = {}
        table: tuple[str | int, ...] = ()
        # inline structures being read: stack of (path, index-of-next-item or -1 for a table)
        stack: list[list[Any]] = []
        for number, raw in enumerate(text.splitlines(), start=1):
            line = _strip_comment(raw)
            if not stack:
                header = self._HEADER.match(line)
                if header:
                    names = tuple(_unquote(p) for p in header.group(2).split("."))
                    if header.group(1) == "[[":
                        counters[names] = counters.get(names, -1) + 1
                        table = (*names, counters[names])
                    else:
                        table = names
                    self.lines.setdefault(names, number)
                    self.lines.setdefault(table, number)
                    continue
            pos = 0
            while pos < len(line):
                ctx_path: tuple[str | int, ...] = tuple(stack[-1][0]) if stack else table
                in_array = bool(stack) and stack[-1][1] >= 0
                if not in_array:
                    m = self._KEY.match(line, pos)
                    if m and not line[pos:m.start(1)].strip(", {"):
                        keys = tuple(_unquote(p) for p in m.group(1).split("."))
                        path = (*ctx_path, *keys)
                        for i in range(1, len(keys) + 1):
                            self.lines.setdefault((*ctx_path, *keys[:i]), number)
                        pos = m.end()
                        rest = line[pos:].lstrip()
                        pos = len(line) - len(rest)
                        if rest.startswith("["):
                            stack.append([path, 0])
                            pos += 1
                        elif rest.startswith("{"):
                            stack.append([path, -1])
                            pos += 1
                        else:
                            pos = _skip_value(line, pos)
                        continue
                ch = line[pos]
                if ch in "\"'":
                    pos = _skip_string(line, pos)
                    continue
                if ch == "{":
                    idx = stack[-1][1] if in_array else 0
                    item_path = (*ctx_path, idx)
                    self.lines.setdefault(item_path, number)
                    stack.append([item_path, -1])
                elif ch == "[" and in_array:
                    stack.append([(*ctx_path, stack[-1][1]), 0])
                elif ch in "]}":
                    if stack:
                        stack.pop()
                elif ch == "," and in_array:
                    stack[-1][1] += 1
                pos += 1

    def line(self, keys: Sequence[str | int]) -> int:
        """The line of ``keys`` (or of its nearest known parent; 0 when nothing is known)."""
        path = tuple(keys)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 0


def _strip_comment(line: str) -> str:
    out, quote = [], ""
    for ch in line:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        out.append(ch)
    return "".join(out)


def _skip_string(line: str, pos: int) -> int:
    quote = line[pos]
    end = line.find(quote, pos + 1)
    while end > 0 and quote == '"' and line[end - 1] == "\\":
        end = line.find(quote, end + 1)
    return len(line) if end < 0 else end + 1


def _skip_value(line: str, pos: int) -> int:
    while pos < len(line) and line[pos] not in ",}]":
        pos = _skip_string(line, pos) if line[pos] in "\"'" else pos + 1
    return pos


def _unquote(text: str) -> str:
    return text.strip().strip("\"'")
