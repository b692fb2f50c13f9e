"""The types the knowledge schema is written in, each able to check a value and describe itself.

A schema is a tree of :class:`Record` types (named fields, each with a type, required or not, and a
line of documentation) over leaf types (:class:`Str`, :class:`Enum`, :class:`Date` ...). Checking a
parsed YAML/JSON value appends problems to a list as ``(path, message)`` pairs, where ``path`` is
written the way a user finds the place in the file: ``terms[2].activities[0]``. Nothing here knows
about a particular kind of file; :mod:`modelclear.knowledge.schema` declares those.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Hiragana, katakana and CJK ideographs: a Japanese text holds at least one of them.
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")


#: Where a value is: a rendered path, or (parent, key) rendered only when a problem is recorded.
Where = str | tuple[Any, str | int]


def render(path: Where) -> str:
    """``terms[2].id`` from the nested (parent, key) pairs :func:`at` builds."""
    if isinstance(path, str):
        return path
    parent, key = path
    text = render(parent)
    if isinstance(key, int):
        return f"{text}[{key}]"
    return f"{text}.{key}" if text else key


@dataclass
class Ctx:
    """What a check may need besides the value: the file, today's date, the known id schemes."""

    stem: str = ""  # file name without its suffix
    today: dt.date | None = field(default_factory=dt.date.today)  # None: dates are not compared with today
    schemes: Mapping[str, str] | None = None  # id scheme -> kind; None: ids are not parsed
    problems: list[tuple[str, str]] = field(default_factory=list)

    def add(self, path: Where, message: str) -> None:
        """Record one problem at ``path``."""
        self.problems.append((render(path), message))


def at(path: Where, key: str | int) -> Where:
    """The path of ``key`` inside ``path`` (rendered ``terms[2]``, ``terms[2].id`` when needed)."""
    return (path, key)


class Type:
    """A schema type: :meth:`check` a value, :meth:`describe` it for the format reference."""

    def check(self, value: Any, path: Where, ctx: Ctx) -> None:
        """Record in ``ctx`` every problem of ``value`` at ``path``."""
        raise NotImplementedError

    def describe(self) -> str:
        """A short phrase for the format reference."""
        raise NotImplementedError


@dataclass(frozen=True)
class AnyValue(Type):
    """Any value (a table whose shape its reader defines)."""

    what: str = "any value"

    def check(self, value: Any, path: Where, ctx: Ctx) -> None:
        """Accept anything."""

    def describe(self) -> str:
        """The phrase given."""
        return self.what


@dataclass(frozen=True)
class Str(Type):
    """Text; non-empty unless ``empty``; matching ``pattern`` when given."""

    empty: bool = False
    pattern: str = ""
    what: str = "text"

    def check(self, value: Any, path: Where, ctx: Ctx) -> None:
        """Text, not blank unless allowed, matching the pattern."""
        if not isinstance(value, str):
            ctx.add(path, f"expected {self.what}, got {_shown(value)}")
        elif not self.empty and not value.strip():
            ctx.add(path, f"expected non-empty {self.what}")
        elif self.pattern and not re.fullmatch(self.pattern, value):
            ctx.add(path, f"{value!r} is not {self.what} (must match {self.pattern})")

    def describe(self) -> str:
        """E.g. ``text``."""
        return self.what


@dataclass(frozen=True)
class Url(Type):
    """An ``http(s)://host.tld/...`` address."""

    def check(self, value: Any, path: Where, ctx: Ctx) -> None:
        """An http(s) address with a dotted host."""
        if not isinstance(value, str) or not _URL.match(value):
            ctx.add(path, f"expected an http(s) url, got {_shown(value)}")

    def describe(self) -> str:
        """``http(s) url``."""
        return "http(s) url"


@dataclass(frozen=True)
class Regex(Type):
    """A regular expression (it must compile)."""

    def check(self, value: Any, path: Where, ctx: Ctx) -> None:
        """Text that compiles as a regular expression."""
        if not isinstance(value, str):
            ctx.add(path, f"expected a regular expression, got {_shown(value)}")
            return
        try:
            re.compile(value)
        except re.error as exc:
            ctx.add(path, f"bad regular expression: {exc}")

    def describe(self) -> str:
        """``regular expression``."""
        return "regular expression"


@dataclass(frozen=True)
class Bool(Type):
    """``true`` or ``false`` (``null`` too when ``null``)."""

    null: bool = False

    def check(self, value: Any, path: Where, ctx: Ctx) -> None:
        """A YAML boolean."""
        if not isinstance(value, bool) and not (self.null and value is None):
            ctx.add(path, f"expected true or false{' or null' if self.null else ''}, got {_shown(value)}")

    def describe(self) -> str:
        """``true | false``."""
        return "true | false" + (" | null" if self.null else "")


@dataclass(frozen=True)
class Int(Type):
    """A whole number (not a boolean)."""

    minimum: int = 0

    def check(self, value: Any, path: Where, ctx: Ctx) -> None:
        """An integer at least ``minimum``."""
        if isinstance(value, bool) or not isinstance(value, int) or value < self.minimum:
            ctx.add(path, f"expected a whole number >= {self.minimum}, got {_shown(value)}")

    def describe(self) -> str:
        """``integer``."""
        return "integer"


def as_date(value: Any) -> dt.date | None:
    """An ISO date from YAML (a date) or JSON (an ``YYYY-MM-DD`` string); ``None`` for anything else."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class Date(Type):
    """An ISO date ``YYYY-MM-DD``; not after today when ``past``."""

    past: bool = False
    null: bool = False

    def check(self, value: Any, path: Where, ctx: Ctx) -> None:
        """An ISO date (in the past when required)."""
        if value is None and self.null:
            return
        day = as_date(value)
        if day is None:
            ctx.add(path, f"expected an ISO date YYYY-MM-DD, got {_shown(value)}")
        elif self.past and ctx.today is not None and day > ctx.today + dt.timedelta(days=1):  # a day for time zones
            ctx.add(path, f"date {day.isoformat()} is in the future")

    def describe(self) -> str:
        """``date`` (and when it may not be in the future)."""
        text = "ISO date, not in the future" if self.past else "ISO date"
        return text + (" or null" if self.null else "")


@dataclass(frozen=True)
class Enum(Type):
    """One of a closed vocabulary (``values`` comes from :mod:`modelclear.knowledge.vocab`)."""

    values: tuple[str, ...]

    def check(self, value: Any, path: Where, ctx: Ctx) -> None:
        """A member of the vocabulary."""
        if not isinstance(value, str) or value not in self.values:
            ctx.add(path, f"unknown value {_shown(value)}; expected one of {', '.join(self.values)}"
                          f"{_suggest(value, self.values)}")

    def describe(self) -> str:
        """``a | b | c``."""
        return " | ".join(self.values)


@dataclass(frozen=True)
class Text(Type):
    """A bilingual text ``{en, ja}``: both non-empty, ``ja`` in Japanese."""

    def check(self, value: Any, path: Where, ctx: Ctx) -> None:
        """Both languages present; the Japanese text holds Japanese characters."""
        if not isinstance(value, dict):
            ctx.add(path, f"expected a bilingual text {{en, ja}}, got {_shown(value)}")
            return
        for lang in ("en", "ja"):
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                ctx.add(at(path, lang), "missing or empty text")
        ja = value.get("ja")
        if isinstance(ja, str) and ja.strip() and not JAPANESE.search(ja):
            ctx.add(at(path, "ja"), "contains no Japanese characters")

    def describe(self) -> str:
        """``{en, ja}``."""
        return "{en, ja} text"


@dataclass(frozen=True)
class ListOf(Type):
    """A list of ``item``; non-empty when ``nonempty``; items unique by ``unique`` when given."""

    item: Type
    nonempty: bool = False
    unique: str = ""  # a field name of record items whose values must differ ("." for the items)

    def check(self, value: Any, path: Where, ctx: Ctx) -> None:
        """Each item, then emptiness and uniqueness."""
        if not isinstance(value, list):
            ctx.add(path, f"expected a list, got {_shown(value)}")
            return
        if self.nonempty and not value:
            ctx.add(path, "expected a non-empty list")
        seen: set[Any] = set()
        for i, item in enumerate(value):
            self.item.check(item, at(path, i), ctx)
            if self.unique:
                key = item if self.unique == "." else item.get(self.unique) if isinstance(item, dict) else None
                if isinstance(key, str) and key in seen:
                    ctx.add(at(path, i), f"{key!r} is listed twice")
                seen.add(key if isinstance(key, str) else object())

    def describe(self) -> str:
        """``list of ...``."""
        return ("non-empty list of " if self.nonempty else "list of ") + self.item.describe()


@dataclass(frozen=True)
class AllOr(Type):
    """The word ``all``, or a non-empty list of ``item`` (``[]`` too when ``empty``)."""

    item: Type
    empty: bool = False

    def check(self, value: Any, path: Where, ctx: Ctx) -> None:
        """``all`` or the list."""
        if value == "all" or (self.empty and value == []):
            return
        if not isinstance(value, list) or not value:
            ctx.add(path, f"expected 'all' or a non-empty list, got {_shown(value)}")
            return
        for i, item in enumerate(value):
            self.item.check(item, at(path, i), ctx)

    def describe(self) -> str:
        """``all | list of ...``."""
        return f"all | {'' if self.empty else 'non-empty '}list of {self.item.describe()}"


@dataclass(frozen=True)
class MapOf(Type):
    """A mapping from text keys to ``value``."""

    value: Type
    nonempty: bool = False

    def check(self, value: Any, path: Where, ctx: Ctx) -> None:
        """Text keys; each value checked."""
        if not isinstance(value, dict):
            ctx.add(path, f"expected a mapping, got {_shown(value)}")
            return
        if self.nonempty and not value:
            ctx.add(path, "expected a non-empty mapping")
        for k, v in value.items():
            if not isinstance(k, str):
                ctx.add(path, f"key {k!r} is not text")
            self.value.check(v, at(path, str(k)), ctx)

    def describe(self) -> str:
        """``mapping of text to ...``."""
        return f"mapping of text to {self.value.describe()}"


@dataclass(frozen=True)
class OneOf(Type):
    """Any of ``options`` (the first one that accepts the value)."""

    options: tuple[Type, ...]

    def check(self, value: Any, path: Where, ctx: Ctx) -> None:
        """Accepted by some option; otherwise the problems of the option closest in kind."""
        attempts: list[list[tuple[str, str]]] = []
        for option in self.options:
            trial = Ctx(stem=ctx.stem, today=ctx.today, schemes=ctx.schemes)
            option.check(value, path, trial)
            if not trial.problems:
                return
            attempts.append(trial.problems)
        here = render(path)
        if all(where == here for found in attempts for where, _ in found):  # wrong at this level: say what fits
            ctx.add(path, f"expected {self.describe()}, got {_shown(value)}")
            return
        best = attempts[0]
        for found in attempts[1:]:
            if len(found) < len(best):
                best = found
        ctx.problems.extend(best)

    def describe(self) -> str:
        """``a`` or ``b``."""
        return " or ".join(o.describe() for o in self.options)


#: A cross-field check of a record: (record, path, ctx) -> None, adding problems to ``ctx``.
Check = Callable[[Mapping[str, Any], Where, Ctx], None]


@dataclass(frozen=True)
class Field:
    """One field of a record: name, type, whether it must be present, and what it means."""

    name: str
    type: Type
    required: bool = False
    doc: str = ""
    null: bool = False  # ``null`` is accepted (and means "none")


@dataclass(frozen=True)
class Record(Type):
    """A mapping with declared fields; ``checks`` state rules between fields.

    An ``open`` record accepts fields it does not declare (kept for readers that define them, such
    as the builder tables of loader files); a closed one rejects them, naming the nearest field.
    """

    name: str
    fields: tuple[Field, ...]
    doc: str = ""
    checks: tuple[Check, ...] = ()
    check_docs: tuple[str, ...] = ()
    open: bool = True

    def check(self, value: Any, path: Where, ctx: Ctx) -> None:
        """Presence and type of each field, unknown fields (closed records), then the checks."""
        if not isinstance(value, dict):
            ctx.add(path, f"expected a mapping ({self.name}), got {_shown(value)}")
            return
        before = len(ctx.problems)
        for f in self.fields:
            if f.name not in value:
                if f.required:
                    ctx.add(at(path, f.name), "missing (required)")
                continue
            item = value[f.name]
            if item is None and f.null:
                continue
            f.type.check(item, at(path, f.name), ctx)
        if not self.open:
            names = tuple(f.name for f in self.fields)
            for key in value:
                if key not in names:
                    ctx.add(at(path, str(key)), f"unknown field{_suggest(str(key), names)}")
        if len(ctx.problems) == before:  # rules between fields assume each field is well-typed
            for rule in self.checks:
                rule(value, path, ctx)

    def describe(self) -> str:
        """The record's name."""
        return self.name


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _suggest(word: Any, choices: Sequence[str]) -> str:
    import difflib

    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
