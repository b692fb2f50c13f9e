"""Configuration documents (YAML, JSON, TOML) as trees of :class:`ConfigNode` with their positions.

:func:`parse_documents` reads a text into nodes carrying (line, column), without ever composing or
constructing YAML: YAML is read event by event with an explicit stack (no recursion) and an alias is
never expanded (an alias bomb costs one event per alias), so neither ``!!python`` tags nor nested
aliases do anything. JSON and TOML are parsed by the standard library after their nesting depth is
checked without parsing (:func:`modelclear.scan.budget.prune_json`,
:func:`~modelclear.scan.budget.toml_depth`); their nodes are placed on their lines lazily by a bounded
text search (:class:`_Locator`). :class:`ParseLimits` carries the budgets of one file (values read,
nesting levels, characters searched) and records which ran out.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from modelclear.scan.budget import BUDGETS, Meter, prune_json, toml_depth
from modelclear.scan.walk import line_of
from modelclear.yamlsafe import FAST_LOADER, event_mark

_STR_TAG = "tag:yaml.org,2002:str"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"

@dataclass
class ConfigNode:
    """A parsed configuration node with its position (1-based line, 0-based column)."""

    value: Any  # str | bool | int | float | None | dict[str, ConfigNode] | list[ConfigNode]
    line: int
    column: int
    key: str = ""
    locator: _Locator | None = None

    def position(self) -> tuple[int, int]:
        """(line, column), located in the text on first use for JSON/TOML nodes."""
        if self.line == 0 and self.locator is not None:
            self.line, self.column = self.locator.find(self.key, self.value)
            self.locator = None
        return self.line, self.column


def nodes(*roots: ConfigNode) -> Iterator[ConfigNode]:
    """Every node of the trees ``roots``, each before its children (the last root's first; the trees are
    already bounded by the parse budget)."""
    stack = list(roots)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node.value, dict):
            stack.extend(node.value.values())
        elif isinstance(node.value, list):
            stack.extend(node.value)


class ParseLimits:
    """The work one configuration file may take while it is parsed and placed (see :mod:`.budget`)."""

    def __init__(self, nodes: int | None = None, depth: int | None = None, locate: int | None = None) -> None:
        self.nodes = Meter(BUDGETS.config_nodes if nodes is None else nodes, "values")
        self.locate = Meter(BUDGETS.locate_chars if locate is None else locate, "characters searched")
        self.depth = BUDGETS.nesting_depth if depth is None else depth
        #: Whether something nested deeper than :attr:`depth` was left out.
        self.too_deep = False


class NestingTooDeep(ValueError):
    """A JSON/TOML text nested deeper than the budget (it is not parsed at all)."""


_SKIP = object()


def _yaml_scalar(loader: Any, event: yaml.ScalarEvent) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == _STR_TAG:
        return event.value
    if tag == _BOOL_TAG:
        return event.value.lower() in ("true", "yes", "on", "y")
    if tag == _NULL_TAG:
        return None
    return event.value if event.style in ("'", '"') else _plain(event.value)


# One loop over the parser's events, one branch per event kind (complexity 21): splitting it would
# spread the explicit stack's invariants over several functions.
def _yaml_documents(text: str, limits: ParseLimits) -> list[ConfigNode]:
    """The documents of a YAML text, built from parser events with an explicit stack.

    An alias becomes an empty node (it is never expanded: alias bombs cost one event each); a
    collection nested deeper than ``limits.depth`` becomes an empty node; reading stops when
    ``limits.nodes`` runs out, keeping what was read. Raises ``yaml.YAMLError`` on bad syntax.
    """
    loader = FAST_LOADER(text)
    docs: list[ConfigNode] = []
    # Open collections: [node, key text of the pending mapping key or _SKIP / None when a key is due].
    stack: list[list[Any]] = []
    anchors: dict[str, Any] = {}  # anchor -> key text of the anchored scalar (None for collections)
    skipping = 0  # nesting levels of a too-deep collection being skipped

    def attach(node: ConfigNode, key_text: Any) -> None:
        if not stack:
            docs.append(node)
            return
        top = stack[-1]
        container = top[0].value
        if isinstance(container, list):
            container.append(node)
        elif top[1] is None:  # this node is a key
            top[1] = key_text if isinstance(key_text, str) else _SKIP
        else:
            if top[1] is not _SKIP and top[1] not in container:
                container[top[1]] = node
            top[1] = None

    try:
        while loader.check_event():
            event = loader.get_event()
            if not limits.nodes.spend():
                break
            if skipping:
                if isinstance(event, yaml.CollectionStartEvent):
                    skipping += 1
                elif isinstance(event, yaml.CollectionEndEvent):
                    skipping -= 1
                continue
            if isinstance(event, yaml.DocumentStartEvent):
                anchors = {}
                continue
            mark = getattr(event, "start_mark", None)
            line, col = (mark.line + 1, mark.column) if mark is not None else (0, 0)
            if isinstance(event, yaml.ScalarEvent):
                if event.anchor is not None:
                    _check_anchor(anchors, event)
                    anchors[event.anchor] = event.value
                attach(ConfigNode(_yaml_scalar(loader, event), line, col), event.value)
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor not in anchors:
                    raise yaml.composer.ComposerError(None, None, f"found undefined alias {event.anchor!r}",
                                                      event_mark(event))
                attach(ConfigNode(None, line, col), anchors[event.anchor])
            elif isinstance(event, yaml.CollectionStartEvent):
                if event.anchor is not None:
                    _check_anchor(anchors, event)
                    anchors[event.anchor] = None
                if len(stack) >= limits.depth:
                    limits.too_deep = True
                    skipping = 1
                    attach(ConfigNode(None, line, col), None)
                    continue
                value: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
                stack.append([ConfigNode(value, line, col), None])
            elif isinstance(event, yaml.CollectionEndEvent) and stack:
                node = stack.pop()[0]
                attach(node, None)
    finally:
        loader.dispose()
    while stack:  # a budget stop: close what is open, keeping what was read
        attach(stack.pop()[0], None)
    return docs


def _check_anchor(anchors: dict[str, Any], event: yaml.NodeEvent) -> None:
    if event.anchor in anchors:
        raise yaml.composer.ComposerError(None, None, f"found duplicate anchor {event.anchor!r}", event_mark(event))


def _plain(text: str) -> Any:
    return None if text in ("", "~", "null") else text if not re.fullmatch(r"[-+]?\d+(\.\d*)?", text) else 0


class _Locator:
    """Finds the line of a ``key: value`` pair in JSON/TOML text (only for pairs that are reported).

    Pairs are reported in document order, so each search starts where the last one matched and
    wraps around; every character searched is counted against ``budget`` (past it: line 0).
    """

    def __init__(self, text: str, toml: bool, budget: Meter | None = None) -> None:
        self.text = text
        self.toml = toml
        self.budget = budget if budget is not None else Meter(BUDGETS.locate_chars)
        self.cursor = 0

    def _search(self, pattern: str) -> re.Match[str] | None:
        compiled = re.compile(pattern)
        size = len(self.text)
        m = compiled.search(self.text, self.cursor)
        self.budget.spend((m.end() if m is not None else size) - self.cursor)
        if m is not None or self.cursor == 0:
            return m
        m = compiled.search(self.text)  # wrap around (a pair placed before the last one)
        self.budget.spend(m.end() if m is not None else size)
        return m

    def find(self, key: str, value: object) -> tuple[int, int]:
        """(line, column) of the pair, or of the key alone; (0, 0) when not found."""
        sep = r"\s*=\s*" if self.toml else r"\s*:\s*"
        if self.toml:
            qkey = rf"(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')"
        else:
            qkey = re.escape(json.dumps(key))
        patterns = []
        if isinstance(value, str):
            qval = re.escape(value) if self.toml else re.escape(json.dumps(value)[1:-1])
            patterns.append(rf"{qkey}{sep}(?:\[\s*)?[\"']{{1,3}}{qval}")  # no two adjacent \s*: linear
            patterns.append(rf"[\"']{qval}[\"']")
        patterns.append(rf"{qkey}{sep}")
        for pattern in patterns:
            if self.budget.exhausted:
                return 0, 0
            m = self._search(pattern)
            if m is not None:
                self.cursor = m.end()
                start = self.text.rfind("\n", 0, m.start()) + 1
                return line_of(self.text, m.start()), m.start() - start
        return 0, 0


def _from_obj(obj: Any, loc: _Locator, limits: ParseLimits | None = None) -> ConfigNode:
    """The tree of a parsed JSON/TOML value, built with an explicit stack within ``limits``."""
    limits = limits if limits is not None else ParseLimits()
    root = ConfigNode(None, 0, 0, "", loc)
    stack: list[tuple[Any, ConfigNode, int]] = [(obj, root, 0)]
    while stack:
        value, node, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth >= limits.depth:
                limits.too_deep = True
                continue
            items = [(k, v) for k, v in value.items() if isinstance(k, str)] if isinstance(value, dict) \
                else [(node.key, v) for v in value]
            children: list[ConfigNode] = []
            for key, child_value in items:
                if not limits.nodes.spend():
                    break
                child = ConfigNode(None, 0, 0, key, loc)
                children.append(child)
                stack.append((child_value, child, depth + 1))
            if isinstance(value, dict):
                node.value = {child.key: child for child in children}
            else:
                node.value = children
        elif isinstance(value, bool | str) or value is None:
            node.value = value
        else:
            node.value = 0
    return root


def parse_documents(text: str, suffix: str, limits: ParseLimits | None = None) -> list[ConfigNode]:
    """The documents of a YAML/JSON/TOML text as position-carrying trees (raises on bad syntax).

    ``limits`` bounds the work (see :class:`ParseLimits`); what runs out is recorded there and what
    was read is returned. Deeper JSON is cut at ``limits.depth`` (``limits.too_deep`` set); TOML nested
    deeper raises :class:`NestingTooDeep`.
    """
    limits = limits if limits is not None else ParseLimits()
    if suffix in (".yaml", ".yml"):
        return _yaml_documents(text, limits)
    if suffix == ".toml":
        depth = toml_depth(text)
        if depth > limits.depth:
            raise NestingTooDeep(f"TOML nested {depth} levels deep (budget {limits.depth}); not read")
        return [_from_obj(tomllib.loads(text), _Locator(text, toml=True, budget=limits.locate), limits)]
    pruned, cut = prune_json(text, limits.depth)
    limits.too_deep = limits.too_deep or cut
    return [_from_obj(json.loads(pruned), _Locator(text, toml=False, budget=limits.locate), limits)]
