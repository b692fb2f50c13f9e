"""The project constant index as the Python resolver reads it: constants of other project modules.

The runner (:mod:`modelclear.scan`) gives every file the constants each project module defines
(``ScanContext.project_constants``: dotted module name -> constants, see
:func:`modelclear.scan.pyexports.module_constants`), either as a plain mapping or as
:class:`LazyConstants`, which indexes a module only when a lookup needs it. A module is *registered*
under its dotted name when its constants are not empty; of several files with one name, the first in
the runner's order (shallower paths first) is registered. :class:`ProjectIndex` answers the two
questions the resolver asks, each without looking at every module:

* :meth:`ProjectIndex.lookup`: constant ``NAME`` of the module an import names. An import is matched
  to a registered module by dotted suffix, either way round (``from app.config import X`` finds the
  module registered as ``src.app.config`` or as ``config``); an exact name wins, else the module
  registered first. A table from every dotted suffix to the names that end with it is built once;
  answers, misses included, are memoised. With :class:`LazyConstants`, only the files whose names can
  match are indexed, in order, until one is registered.
* :meth:`ProjectIndex.attr`: the values registered modules give to an attribute ``x.attr`` (argparse
  option defaults, dataclass fields, ``x.attr = ...``; the ``.attr`` keys of the index), in module
  order. With :class:`LazyConstants`, only the files whose text holds the word ``attr`` (or its
  ``--dashed-form``) are indexed: a module cannot define ``.attr`` without writing it.

Lazy indexing gives the same answers as indexing every file first, in any process and with any number
of processes; it only skips work. One :class:`ProjectIndex` is kept per process for the last project
mapping seen (every file of a scan shares it).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from modelclear.scan.pyvalues import _MISSING, flatten
from modelclear.scan.walk import decode_text, is_binary, read_head

Constants = Mapping[str, Mapping[str, object]]
#: How the runner indexes one file: (path, rel, max bytes) -> (rel, constants, note) or None.
IndexFile = Callable[[str, str, int], "tuple[str, dict[str, object], str] | None"]

_TOKEN_RE = re.compile(r"[\w-]+")  # words and the dashes between them, in one pass over the text
_DASHED_RE = re.compile(r"(?<!\w)\w++(?:-\w++)+")  # starts at a word's start; no backtracking
#: ``x.attr`` not followed (across spaces, newlines, backslashes) by ``(``, ``.`` or ``[``: every attribute an
#: assignment, ``for``, ``with ... as`` or unpacking target can name (``x.to(device)`` cannot be one).
_ATTR_TARGET_RE = re.compile(r"\.[\s\\]*+(\w++)(?![\s\\]*+[(.\[])")
#: A word followed by ``=``, ``:``, ``,``, ``)``, ``]`` or ``in``: every name a class body can bind (assigned,
#: annotated, unpacked, a ``for``/``with``/comprehension target, a walrus).
_NAME_TARGET_RE = re.compile(r"(?<![\w.])(\w++)[\s\\]*+(?:[=:,)\]]|in(?!\w))")
#: A line that holds nothing but a comment: its first character after the indentation is ``#`` and it has no
#: quote and no ``{`` (a line inside a multi-line string could otherwise close the string and go on with code,
#: or, in an f-string, hold an expression). Such a line holds no code either way, so its words define nothing
#: (the licence header's "agreed to in writing" made ``to`` a possible loop target of every file).
_COMMENT_LINE_RE = re.compile(r"^[ \t\f]*#[^\r\n'\"{]*(?=[\r\n]|\Z)", re.MULTILINE)
#: Calls whose string arguments or keyword names define attributes (argparse, absl flags): with any of
#: these in the text, every word counts.
_OPTION_CALLS_RE = re.compile(r"add_argument|DEFINE_|set_defaults")


class LazyConstants(Mapping[str, Mapping[str, object]]):
    """Project constants indexed on first use (a read-only mapping: registered name -> constants).

    ``candidates`` are (path, rel, module name) in registration order. Looking a name up indexes the
    files of that name in order until one has constants; iterating indexes every file. Which files
    were indexed depends only on the lookups made, so the answers (and the :attr:`notes` of modules
    whose index budget ran out) are the same in every process.
    """

    def __init__(self, candidates: Sequence[tuple[str, str, str]], index_file: IndexFile, max_bytes: int,
                 share: str = "") -> None:
        self.candidates = tuple(candidates)
        self.index_file = index_file
        self.max_bytes = max_bytes
        #: A private folder (made by the runner for one scan) where the processes of the scan leave each
        #: module's constants for the others, so a module is indexed once per scan, not once per process.
        self.share = share
        self._reset()

    def _reset(self) -> None:
        self.by_name: dict[str, list[int]] = {}
        for position, (_path, _rel, name) in enumerate(self.candidates):
            self.by_name.setdefault(name, []).append(position)
        self._consts: dict[int, Mapping[str, object]] = {}
        self._offered: dict[int, tuple[dict[str, object], str]] = {}
        self.positions = {rel: position for position, (_path, rel, _name) in enumerate(self.candidates)}
        self._registered: dict[str, int | None] = {}
        self._words: dict[str, array[int]] | None = None
        #: (rel, note) of modules indexed in this process whose index stopped early, not yet taken.
        self.notes: list[tuple[str, str]] = []

    def __getstate__(self) -> tuple[object, ...]:
        return (self.candidates, self.index_file, self.max_bytes, self.share)

    def __setstate__(self, state: tuple[object, ...]) -> None:
        self.candidates, self.index_file, self.max_bytes, self.share = state  # type: ignore[assignment]
        self._reset()

    def _shared(self, position: int) -> tuple[tuple[str, dict[str, object], str] | None] | None:
        """What another process of this scan left for the candidate at ``position``: a 1-tuple of the
        index result, or None when nothing is there yet."""
        if not self.share:
            return None
        try:
            with open(os.path.join(self.share, str(position)), "rb") as fh:
                # our own results, written by this scan's processes into a folder only this user can open
                return (pickle.load(fh),)
        except (OSError, EOFError, pickle.UnpicklingError):
            return None

    def _publish(self, position: int, got: tuple[str, dict[str, object], str] | None) -> None:
        """Leave the index result of ``position`` for the other processes (written whole, then renamed)."""
        if not self.share:
            return
        final = os.path.join(self.share, str(position))
        temp = f"{final}.{os.getpid()}.tmp"
        try:
            with open(temp, "wb") as fh:
                pickle.dump(got, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, final)
        except (OSError, pickle.PicklingError):
            with contextlib.suppress(OSError):
                os.unlink(temp)

    def take_notes(self) -> list[tuple[str, str]]:
        """The notes recorded since the last call."""
        notes, self.notes = self.notes, []
        return notes

    def offer(self, rel: str, compute: Callable[[], tuple[dict[str, object], str]]) -> None:
        """Constants (and note) of candidate ``rel`` worked out from a tree already parsed by the scan.

        ``compute`` runs now (while that tree is alive) unless the module is no candidate or was
        already indexed; :meth:`consts_at` then uses the result instead of reading the file again.
        Notes are still recorded only when a lookup needs the module.
        """
        position = self.positions.get(rel)
        if position is None or position in self._consts or position in self._offered:
            return
        self._offered[position] = offered = compute()
        self._publish(position, (rel, *offered))

    def consts_at(self, position: int) -> Mapping[str, object]:
        """Constants of the candidate at ``position`` ({} when it has none), indexed on first use."""
        done = self._consts.get(position)
        if done is None:
            path, rel, _name = self.candidates[position]
            offered = self._offered.pop(position, None)
            if offered is not None:
                got: tuple[str, dict[str, object], str] | None = (rel, *offered)
            else:
                shared = self._shared(position)
                if shared is not None:
                    got = shared[0]
                else:
                    got = self.index_file(path, rel, self.max_bytes)
                    self._publish(position, got)
            done = got[1] if got is not None else {}
            if got is not None and got[2]:
                self.notes.append((rel, got[2]))
            self._consts[position] = done
        return done

    def registered(self, name: str) -> int | None:
        """Position of the file registered under ``name``: the first of that name with constants."""
        if name in self._registered:
            return self._registered[name]
        found = next((p for p in self.by_name.get(name, ()) if self.consts_at(p)), None)
        self._registered[name] = found
        return found

    def words(self) -> dict[str, array[int]]:
        """Attribute name -> positions of the candidates whose text may define it (built on first use; see
        :func:`_attribute_words`)."""
        if self._words is None:
            table: dict[str, array[int]] = {}
            for position, (path, _rel, _name) in enumerate(self.candidates):
                for word in _attribute_words(path, self.max_bytes):
                    table.setdefault(word, array("i")).append(position)
            self._words = table
        return self._words

    def __bool__(self) -> bool:
        return bool(self.candidates)

    def __getitem__(self, name: str) -> Mapping[str, object]:
        position = self.registered(name)
        if position is None:
            raise KeyError(name)
        return self.consts_at(position)

    def __iter__(self) -> Iterator[str]:
        positions = sorted(p for p in (self.registered(n) for n in self.by_name) if p is not None)
        return iter([self.candidates[p][2] for p in positions])

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _attribute_words(path: str, max_bytes: int) -> set[str]:
    """A superset of the attribute names (``.attr`` keys of :func:`modelclear.scan.pyexports.index_constants`)
    a file can define, read from its text.

    The keys come from the index's ``attr_index`` (:mod:`modelclear.scan.pyindex`): attribute targets
    (``x.attr = ...``, also annotated, unpacked, ``for``/``with`` targets), names bound in a class body, and
    argparse, absl-flag and ``set_defaults`` options. A target attribute is never followed by ``(``, ``.``
    or ``[``, and a bound name is followed by one of ``= : , ) ]`` or ``in``, so the words written only as
    method calls (``x.to(device)``, ``t.unsqueeze(0)``) are left out and a lookup of such an attribute does
    not index every module that calls it. Lines that are only a comment are left out first
    (:data:`_COMMENT_LINE_RE`). With option calls in the text every word of the file counts
    (:func:`_file_words`). Non-ASCII words are also taken NFKC-normalised, as the parser takes identifiers.
    """
    text = _read_text(path, max_bytes)
    if text is None:
        return set()
    ascii_text = text.isascii()
    if _OPTION_CALLS_RE.search(text if ascii_text else unicodedata.normalize("NFKC", text)) is not None:
        return _text_words(text)
    code = _COMMENT_LINE_RE.sub("", text)
    words = set(_ATTR_TARGET_RE.findall(code)) | set(_NAME_TARGET_RE.findall(code))
    if not ascii_text:
        words.update([unicodedata.normalize("NFKC", w) for w in words if not w.isascii()])
    return words


def _read_text(path: str, max_bytes: int) -> str | None:
    """The decoded text of a candidate file, or None (unreadable, too large, binary, undecodable)."""
    try:
        data = read_head(Path(path), max_bytes + 1, nofollow=True)
    except OSError:
        return None
    if len(data) > max_bytes or is_binary(data):
        return None
    return decode_text(data, python=True)


def _file_words(path: str, max_bytes: int) -> set[str]:
    """Every identifier-like word of a file, and its dashed words with ``_`` for ``-`` (a superset of
    the attribute names it can define: argparse's ``--model-name`` defines ``model_name``)."""
    text = _read_text(path, max_bytes)
    return set() if text is None else _text_words(text)


def _text_words(text: str) -> set[str]:
    """:func:`_file_words` of a decoded text."""
    words: set[str] = set()
    for token in set(_TOKEN_RE.findall(text)):
        if "-" not in token:
            words.add(token)
            continue
        # a dashed word never spans two tokens, so the token alone gives the matches the text gives
        words.update(part for part in token.split("-") if part)
        if "-" in token.strip("-"):
            words.update(w.replace("-", "_") for w in _DASHED_RE.findall(token))
    if not text.isascii():  # identifiers are NFKC-normalised by the parser (an ASCII word is its own form)
        words.update([unicodedata.normalize("NFKC", w) for w in words if not w.isascii()])
    return words


def is_test_module(name: str) -> bool:
    """Whether dotted module ``name`` is a test module: under a ``tests`` / ``test`` package, or a
    ``test_*`` / ``*_test`` / ``conftest`` module."""
    parts = name.split(".")
    last = parts[-1] if parts else ""
    return (any(p in ("tests", "test") for p in parts[:-1]) or last.startswith("test_") or last.endswith("_test")
            or last in ("tests", "test", "conftest"))


class ProjectIndex:
    """Constants of the project's modules, looked up by dotted-suffix module names."""

    _last: ProjectIndex | None = None

    def __init__(self, modules: Constants) -> None:
        self.modules = modules
        self.lazy = modules if isinstance(modules, LazyConstants) else None
        names = list(self.lazy.by_name) if self.lazy is not None else list(modules)
        #: Eager mappings: name -> position in the mapping (every key is registered).
        self._order: dict[str, int] = {name: i for i, name in enumerate(names)}
        self._suffixes: dict[str, list[str]] = {}
        for name in names:
            parts = name.split(".")
            for i in range(len(parts)):
                self._suffixes.setdefault(".".join(parts[i:]), []).append(name)
        self._keys: dict[str, str | None] = {}
        self._attrs: dict[tuple[str, bool], list[object]] = {}

    @classmethod
    def of(cls, modules: Constants) -> ProjectIndex:
        """The index of ``modules``, shared while the same mapping is passed again."""
        if not modules:  # a module's own exports are worked out without the project: keep the shared one
            return cls(modules)
        last = cls._last
        if last is not None and last.modules is modules:
            return last
        made = cls(modules)
        cls._last = made
        return made

    def __bool__(self) -> bool:
        return bool(self._order)

    def _matching(self, module: str) -> list[str]:
        """Names that end with the import (dotted), and names the import ends with."""
        stripped = module.lstrip(".")
        found = list(self._suffixes.get(stripped, ()))
        parts = stripped.split(".")
        found.extend(n for n in (".".join(parts[i:]) for i in range(1, len(parts))) if n in self._order)
        return found

    def module_key(self, module: str) -> str | None:
        """The registered module an import of ``module`` refers to (matched by dotted suffix), or None."""
        if module in self._keys:
            return self._keys[module]
        lazy = self.lazy
        if lazy is None:
            if module in self._order:
                return module
            found = min(self._matching(module), key=self._order.__getitem__, default=None)
        elif module in self._order and lazy.registered(module) is not None:
            found = module
        else:
            positions = sorted(p for name in set(self._matching(module)) for p in lazy.by_name[name])
            first = next((p for p in positions if lazy.consts_at(p)), None)  # registered: see LazyConstants
            found = lazy.candidates[first][2] if first is not None else None
        self._keys[module] = found
        return found

    def lookup(self, module: str, name: str) -> object:
        """Constant ``name`` of the project module ``module`` refers to, or ``_MISSING``."""
        if not self._order:
            return _MISSING
        key = self.module_key(module)
        if key is None:
            return _MISSING
        return self.modules[key].get(name, _MISSING)

    def class_field(self, cls: str, attr: str) -> list[object] | None:
        """Values the project's classes named ``cls`` give field ``attr`` (their ``cls.attr`` keys, whatever the
        module), or None when no module defines it."""
        key = f"{cls}.{attr}"
        out: list[object] = []
        found = False
        lazy = self.lazy
        if lazy is None:
            for constants in self.modules.values():
                if key in constants:
                    found = True
                    out.extend(flatten(constants[key]))
        else:
            for position in lazy.words().get(attr, ()):
                constants = lazy.consts_at(position)
                if key in constants and lazy.registered(lazy.candidates[position][2]) == position:
                    found = True
                    out.extend(flatten(constants[key]))
        return out if found else None

    def attr(self, attr: str, tests: bool = True) -> list[object]:
        """Values the project's modules give to attribute ``attr`` (``.attr`` keys), in module order.

        With ``tests`` False, test modules (:func:`is_test_module`) are left out: the stand-in values a
        test gives its fakes (``base_model = "fake/base"``) are not what the project's own objects carry.
        """
        done = self._attrs.get((attr, tests))
        if done is not None:
            return done
        key = "." + attr
        out: list[object] = []
        lazy = self.lazy
        if lazy is None:
            for name, constants in self.modules.items():
                if key in constants and (tests or not is_test_module(name)):
                    out.extend(flatten(constants[key]))
        else:
            for position in lazy.words().get(attr, ()):
                constants = lazy.consts_at(position)
                name = lazy.candidates[position][2]
                if key in constants and lazy.registered(name) == position and (tests or not is_test_module(name)):
                    out.extend(flatten(constants[key]))
        self._attrs[attr, tests] = out
        return out
