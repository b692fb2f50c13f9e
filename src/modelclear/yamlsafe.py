"""Bounded, non-recursive YAML reading from parser events, for untrusted text (cards, configs).

PyYAML's composer and constructor recurse once per nesting level, and its pure-Python parser is slow.
Here the *parser events* (libyaml's C parser when available; both parsers are state machines, not
recursive) are turned into Python values with an explicit stack:

* :data:`FAST_LOADER` is the loader class whose parser is used (``CSafeLoader`` when PyYAML was
  built with libyaml, else ``SafeLoader``);
* :func:`load_single` builds the one document of a text like ``yaml.load(text, SafeLoader)`` would —
  same tags, same scalars (str, int, float, bool, null, timestamps, binary), same merge keys
  (``<<``) and duplicate-key rule — within budgets: parser events, nesting depth and anchors/aliases
  (:class:`YamlRefused` past any of them; so is a text libyaml finds nested deeper than its own
  bound while it looks ahead). An alias is never copied: it is the anchored value
  itself (a shared reference), so an alias bomb costs one event per alias.

Errors are PyYAML's own classes: :class:`YamlSyntaxError` wraps a parser error (its ``error`` is the
original ``yaml.MarkedYAMLError``), composer and constructor problems raise ``yaml.YAMLError``
subclasses or ``ValueError`` (an explicit ``!!int x``), as ``SafeLoader`` would. Nothing else escapes.
"""

from __future__ import annotations

import collections.abc
from typing import Any, cast

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError, SafeConstructor

#: The loader class whose parser produces events: libyaml's when PyYAML has it.
FAST_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_T = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT = _T + "str", _T + "null", _T + "bool", _T + "int", _T + "float"
_MAP, _SEQ, _SET, _OMAP, _PAIRS = _T + "map", _T + "seq", _T + "set", _T + "omap", _T + "pairs"
_MERGE, _VALUE = _T + "merge", _T + "value"
_BOOL_VALUES = SafeConstructor.bool_values

_NO_KEY = object()  # a mapping waits for a key
_SKIP = object()    # the pending key was refused (its error is pending); drop the value
_MERGE_KEY = object()  # the pending key is ``<<``


class YamlRefused(yaml.YAMLError):
    """The text exceeds a budget (events, depth, anchors/aliases); nothing was built."""


class YamlSyntaxError(yaml.YAMLError):
    """The parser (scanner, reader) refused the text; ``error`` is PyYAML's exception."""

    def __init__(self, error: yaml.YAMLError) -> None:
        super().__init__(str(error))
        self.error = error


def event_mark(event: yaml.Event) -> yaml.Mark | None:
    """Where ``event`` starts (libyaml's marks are another class with the same fields; the stubs type
    only the Python one)."""
    return cast("yaml.Mark | None", event.start_mark)


class _Scalars(SafeConstructor):
    """SafeLoader's scalar constructors, applied to one scalar at a time (no node graph kept)."""

    def value(self, tag: str, event: yaml.ScalarEvent) -> Any:
        mark = event_mark(event)
        node = yaml.ScalarNode(tag, event.value, mark, cast("yaml.Mark | None", event.end_mark), style=event.style)
        try:
            if tag == _INT:
                return self.construct_yaml_int(node)
            if tag == _FLOAT:
                return self.construct_yaml_float(node)
            try:
                return self.construct_object(node, deep=True)
            finally:
                self.constructed_objects.clear()
        except (yaml.YAMLError, ValueError):
            raise
        except Exception as exc:  # e.g. ``!!bool maybe`` (KeyError), ``!!timestamp x`` (AttributeError)
            raise ConstructorError(None, None, f"cannot construct {tag!r} from {event.value[:40]!r}: "
                                               f"{type(exc).__name__}", mark) from None


class _Frame:
    """One open collection while its events arrive."""

    __slots__ = ("anchor", "key", "mapping", "mark", "merges", "tag", "value")

    def __init__(self, value: Any, mapping: bool, tag: str, anchor: str | None, mark: Any) -> None:
        self.value = value
        self.mapping = mapping
        self.tag = tag
        self.anchor = anchor
        self.mark = mark
        self.key: Any = _NO_KEY
        self.merges: list[dict[Any, Any]] | None = None


def _finish(frame: _Frame) -> Any:
    """The value of a closed collection: merge keys applied, ``!!set``/``!!omap``/``!!pairs`` built."""
    value = frame.value
    if frame.mapping:
        if frame.merges:
            own = dict(value)
            value.clear()
            for merged in frame.merges:
                value.update(merged)
            value.update(own)
        if frame.tag == _SET:
            return set(value)
        return value
    if frame.tag in (_OMAP, _PAIRS):
        what = "an ordered map" if frame.tag == _OMAP else "pairs"
        pairs = []
        for item in value:
            if not isinstance(item, dict) or len(item) != 1:
                raise ConstructorError(f"while constructing {what}", frame.mark,
                                       "expected a mapping of length 1", None)
            pairs.append(next(iter(item.items())))
        return pairs
    return value


def _collection_tag(event: yaml.CollectionStartEvent, mapping: bool) -> tuple[str, ConstructorError | None]:
    """The tag of a collection and, for a tag SafeLoader cannot build this collection as, the error."""
    tag = event.tag
    if tag is None or tag == "!":
        return (_MAP if mapping else _SEQ), None
    if tag in ((_MAP, _SET) if mapping else (_SEQ, _OMAP, _PAIRS)):
        return tag, None
    kind = "mapping" if mapping else "sequence"
    if mapping and tag in (_OMAP, _PAIRS):
        context = "while constructing an ordered map" if tag == _OMAP else "while constructing pairs"
        error = ConstructorError(context, event_mark(event), f"expected a sequence, but found {kind}", None)
    elif tag in SafeConstructor.yaml_constructors and tag not in (_MERGE, _VALUE):
        wanted = "mapping" if tag in (_MAP, _SET) else "sequence" if tag in (_SEQ, _OMAP, _PAIRS) else "scalar"
        error = ConstructorError(None, None, f"expected a {wanted} node, but found {kind}", event_mark(event))
    else:
        error = ConstructorError(None, None, f"could not determine a constructor for the tag {tag!r}",
                                 event_mark(event))
    return (_MAP if mapping else _SEQ), error


def load_single(text: str, *, max_events: int, max_depth: int, max_aliases: int,
                loader: type | None = None) -> Any:
    """The single YAML document of ``text`` as Python values (``None`` for an empty stream).

    Like ``yaml.load(text, SafeLoader)`` but without recursion and within budgets: more than
    ``max_events`` node events, a node inside more than ``max_depth - 1`` collections (the root
    is at depth 1) or more than ``max_aliases`` anchors and aliases together raise
    :class:`YamlRefused` as soon as they are seen. ``loader`` is the class whose parser is used
    (default :data:`FAST_LOADER`). Raises :class:`YamlSyntaxError` for a parser error, a
    ``yaml.YAMLError`` or ``ValueError`` where SafeLoader's composer or constructor would.
    """
    parser = (loader or FAST_LOADER)(text)
    try:
        return _build(parser, max_events, max_depth, max_aliases)
    finally:
        parser.dispose()


def _build(parser: Any, max_events: int, max_depth: int, max_aliases: int) -> Any:
    return _Builder(parser, max_events, max_depth, max_aliases).run()


class _Builder:
    """Python values from parser events, one event at a time, within budgets (no recursion)."""

    def __init__(self, parser: Any, max_events: int, max_depth: int, max_aliases: int) -> None:
        self.parser = parser
        self.max_events, self.max_depth, self.max_aliases = max_events, max_depth, max_aliases
        self.scalars = _Scalars()
        self.stack: list[_Frame] = []
        self.anchors: dict[str, Any] = {}
        self.marks: dict[str, Any] = {}
        self.root: Any = None
        self.root_mark: Any = None
        self.documents = 0
        self.events = 0
        self.aliases = 0
        self.pending: Exception | None = None  # SafeLoader constructs after composing: its errors come last

    def fail(self, exc: Exception) -> None:
        """Keep the first constructor error, raised once the whole stream is composed."""
        if self.pending is None:
            self.pending = exc

    def run(self) -> Any:
        """Read every event; the document's root value."""
        parser = self.parser
        while True:
            try:
                if not parser.check_event():
                    break
                event = parser.get_event()
            except yaml.YAMLError as exc:
                if "exceeded maximum nesting depth" in str(exc):  # libyaml's own bound (1000), met looking ahead
                    raise YamlRefused(f"YAML nested deeper than {self.max_depth} levels") from None
                raise YamlSyntaxError(exc) from None
            cls = event.__class__
            if cls is yaml.DocumentStartEvent:
                self.documents += 1
                if self.documents > 1:
                    raise ComposerError("expected a single document in the stream", self.root_mark,
                                        "but found another document", event_mark(event))
            elif cls is yaml.SequenceEndEvent or cls is yaml.MappingEndEvent:
                self.end()
            elif cls not in (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent):
                self.node(event, cls)
        if self.pending is not None:
            raise self.pending
        return self.root

    def end(self) -> None:
        """A collection ends: finish it and attach it to its parent."""
        frame = self.stack.pop()
        try:
            value = _finish(frame)
        except ConstructorError as exc:
            value = None
            self.fail(exc)
        if frame.anchor is not None:
            self.anchors[frame.anchor] = value
        self.attach(value)

    def node(self, event: Any, cls: type) -> None:
        """A scalar, an alias or the start of a collection: count it against the budgets, then build it."""
        self.events += 1
        if self.events > self.max_events:
            raise YamlRefused(f"more than {self.max_events} YAML events")
        anchor = event.anchor
        if anchor is not None:
            self.aliases += 1
            if self.aliases > self.max_aliases:
                raise YamlRefused(f"more than {self.max_aliases} YAML anchors/aliases")
        if len(self.stack) >= self.max_depth:
            raise YamlRefused(f"YAML nested deeper than {self.max_depth} levels")
        if self.root_mark is None:
            self.root_mark = event_mark(event)
        if cls is yaml.AliasEvent:
            if anchor not in self.anchors:
                raise ComposerError(None, None, f"found undefined alias {anchor!r}", event_mark(event))
            self.attach(self.anchors[anchor])
            return
        if anchor is not None:
            if anchor in self.marks:
                raise ComposerError(f"found duplicate anchor {anchor!r}; first occurrence", self.marks[anchor],
                                    "second occurrence", event_mark(event))
            self.marks[anchor] = event_mark(event)
        if cls is yaml.ScalarEvent:
            self.scalar(event, anchor)
            return
        mapping = cls is yaml.MappingStartEvent
        tag, problem = _collection_tag(event, mapping)
        if problem is not None:
            self.fail(problem)
        container: Any = {} if mapping else []
        if anchor is not None:
            self.anchors[anchor] = container
        self.stack.append(_Frame(container, mapping, tag, anchor, event_mark(event)))

    def scalar(self, event: Any, anchor: str | None) -> None:
        """A scalar, typed as SafeLoader would (a merge key ``<<`` is marked for :meth:`attach`)."""
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.parser.resolve(yaml.ScalarNode, event.value, event.implicit)
        merge_key = False
        stack = self.stack
        if tag == _STR:
            value = event.value
        elif tag == _NULL:
            value = None
        elif tag == _BOOL and event.value.lower() in _BOOL_VALUES:
            value = _BOOL_VALUES[event.value.lower()]
        elif tag in (_MERGE, _VALUE) and stack and stack[-1].mapping and stack[-1].key is _NO_KEY:
            merge_key = tag == _MERGE
            value = event.value  # ``=`` as a key is the string "="
        else:
            try:
                value = self.scalars.value(tag, event)
            except (yaml.YAMLError, ValueError) as exc:
                value = None
                self.fail(exc)
        if anchor is not None:
            self.anchors[anchor] = value
        self.attach(value, merge_key)

    def attach(self, value: Any, merge_key: bool = False) -> None:
        """Put ``value`` in the open collection: an item, a mapping key, a mapping value or merged mappings."""
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        if not top.mapping:
            top.value.append(value)
            return
        key = top.key
        if key is _NO_KEY:
            if merge_key:
                top.key = _MERGE_KEY
            elif isinstance(value, collections.abc.Hashable):
                top.key = value
            else:
                top.key = _SKIP
                self.fail(ConstructorError("while constructing a mapping", top.mark, "found unhashable key", None))
            return
        top.key = _NO_KEY
        if key is _SKIP:
            return
        if key is _MERGE_KEY:
            items = value if isinstance(value, list) else [value]
            if all(isinstance(item, dict) for item in items):
                if top.merges is None:
                    top.merges = []
                top.merges.extend(reversed(items) if isinstance(value, list) else items)
            else:
                self.fail(ConstructorError("while constructing a mapping", top.mark,
                                           "expected a mapping or list of mappings for merging", None))
            return
        try:
            top.value[key] = value
        except TypeError as exc:  # a hashable-looking key that is not (a tuple holding a list)
            self.fail(ConstructorError("while constructing a mapping", top.mark, f"found unhashable key: {exc}",
                                       None))
