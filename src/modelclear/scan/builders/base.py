"""What every id builder shares: the matched call (:class:`Site`), its result (:class:`Hit`) and helpers.

A loader entry of ``data/loaders/*.yaml`` names its builder in ``id:`` (see
:mod:`modelclear.scan.pyloaders`). A builder is a function ``Site -> list[Hit]``: it receives the
matched call (the call, its scope, the loader declaration, the resolver) and returns an id per
value, or ``id=None`` with a note for a local or unresolved reference. Builders read the id argument
through :func:`main_arg`, which applies the declaration uniformly (``arg``, ``if_missing:
skip|default``, ``default``), so a library's defaults and skip rules are data. Nothing here imports
scanned code.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from modelclear import ids
from modelclear.model import Kind
from modelclear.scan.pyloaders import ArgSpec, LoaderSpec, items, load_table
from modelclear.scan.pyvalues import Opaque, PathStr, Res, expr_text, find_arg, flatten, has_star_args

if TYPE_CHECKING:
    from modelclear.scan.pyindex import Scope
    from modelclear.scan.pymodule import ModuleScan

URL_RE = re.compile(r"^(https?|s3|gs)://", re.IGNORECASE)
_WINDOWS_RE = re.compile(r"^[A-Za-z]:[\\/]")


@dataclass(frozen=True)
class Hit:
    """One id (or an unresolved / local reference when ``id`` is None) that a loader call yields."""

    id: str | None
    raw: str
    kind: Kind
    note: str = ""
    confidence: str = ""


@cache
def _local_rules() -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]:
    table = load_table().table("local_paths")
    exts = tuple(str(e).lower() for e in items(table.get("file_extensions")))
    prefixes = tuple(str(p) for p in items(table.get("prefixes")))
    folders = frozenset(str(f).lower() for f in items(table.get("folder_names")))
    return exts, prefixes, folders


@cache
def _local_shapes() -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    table = load_table().table("local_paths")
    namespace, leaf = table.get("namespace_regex"), table.get("leaf_regex")
    return (re.compile(str(namespace)) if namespace else None,
            re.compile(str(leaf), re.IGNORECASE) if leaf else None)


def looks_local(value: str, root: Path | None = None) -> bool:
    """Whether a string given to a "Hub id or local path" argument is a local path."""
    if isinstance(value, PathStr):
        return True
    exts, prefixes, folders = _local_rules()
    text = value.strip()
    if not text or text.startswith(prefixes) or "\\" in text or _WINDOWS_RE.match(text):
        return True
    if text.count("/") > 1 or text.lower().endswith(exts):
        return True
    if text.split("/", 1)[0].lower() in folders and "/" in text:
        return True
    if "/" in text:
        namespace_re, leaf_re = _local_shapes()
        first, _, last = text.partition("/")
        if namespace_re is not None and not namespace_re.match(first):
            return True
        if leaf_re is not None and leaf_re.match(last):
            return True
    if root is not None and "/" in text:
        try:
            return (root / text).is_dir()
        except OSError:
            return False
    return False


def normal_folder(value: str) -> str:
    """A folder name as written to and read from (``./out/`` and ``out`` are one folder)."""
    text = value.strip().replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    return text.rstrip("/")


def url_hit(value: str, kind: Kind) -> Hit:
    """The id of a download address (the shared weight-host table, else the ``url:`` scheme)."""
    try:
        from modelclear.scan.urls import match_url  # the shared table of weight hosts
    except ImportError:  # pragma: no cover - urls is part of the package
        match_url = None  # type: ignore[assignment]
    if match_url is not None:
        try:
            found = match_url(value)
        except Exception:  # a helper's failure must not stop the scan
            found = None
        if found is not None:
            return Hit(found.id, value, found.kind)
    parsed = ids.try_parse(value)
    if parsed is not None:
        return Hit(parsed.id, value, kind)
    return Hit(None, value, kind, note="unparsable address")


def local_hit(value: str, kind: Kind, what: str = "local path") -> Hit:
    """A local reference (id None) with ``what`` as its note."""
    return Hit(None, value, kind, note=what)


def string_values(res: Res) -> list[str]:
    """The string candidates of ``res``."""
    return [v for v in res.values if isinstance(v, str)]


class Site:
    """One matched loader call: the call, its scope, the loader spec and the resolver."""

    def __init__(self, scan: ModuleScan, call: ast.Call, scope: Scope, spec: LoaderSpec,
                 groups: Mapping[str, str], qualname: str, bare: bool) -> None:
        self.scan = scan
        self.call = call
        self.scope = scope
        self.spec = spec
        self.groups = groups
        self.qualname = qualname
        self.bare = bare
        self.indirect = False
        #: Whether the id argument was missing and the loader's declared default was used instead.
        self.default_used = False
        #: Whether an argument had more candidate values than a union keeps (a ``budget`` warning).
        self.dropped = False

    @property
    def options(self) -> Mapping[str, object]:
        """The loader's builder options."""
        return self.spec.options

    def arg_node(self, spec: ArgSpec | Mapping[str, object] | None) -> ast.expr | None:
        """The argument node named by ``spec``, or None."""
        if spec is None:
            return None
        if not isinstance(spec, ArgSpec):
            kw = spec.get("kw") or ()
            spec = ArgSpec(pos=spec.get("pos"), kw=(kw,) if isinstance(kw, str) else tuple(kw))  # type: ignore[arg-type]
        return find_arg(self.call, spec.pos, spec.kw)

    def value(self, spec: ArgSpec | Mapping[str, object] | None) -> Res | None:
        """Candidates of the argument named by ``spec`` (None when the call does not pass it).

        An argument passed inside ``**kwargs`` is found when ``kwargs`` is a dict we can evaluate
        (``cfg = dict(model="org/x"); pipeline(task, **cfg)``).
        """
        node = self.arg_node(spec)
        if node is None:
            return self._from_double_star(spec)
        res = self.scan.resolver.resolve(node, self.scope)
        self.indirect = self.indirect or res.indirect or len(res.values) > 1
        self.dropped = self.dropped or res.dropped
        return res

    def _from_double_star(self, spec: ArgSpec | Mapping[str, object] | None) -> Res | None:
        if spec is None:
            return None
        names = spec.kw if isinstance(spec, ArgSpec) else spec.get("kw") or ()
        names = (names,) if isinstance(names, str) else tuple(names)  # type: ignore[arg-type]
        out: Res | None = None
        for keyword in self.call.keywords:
            if keyword.arg is not None or not names:
                continue
            res = self.scan.resolver.resolve(keyword.value, self.scope)
            for mapping in res.values:
                if not isinstance(mapping, dict):
                    continue
                for name in names:
                    if name in mapping:
                        out = out or Res(indirect=True)
                        out.add(Res(values=list(flatten(mapping[name])), indirect=True))
        if out is not None:
            self.indirect = True
        return out

    def text(self, spec: ArgSpec | Mapping[str, object] | None) -> str:
        """Source text of an argument (or of the whole call)."""
        node = self.arg_node(spec)
        return expr_text(node if node is not None else self.call)

    def unresolved(self, res: Res | None, spec: ArgSpec | None = None, what: str = "") -> Hit:
        """An unresolved reference for an argument whose value is not known statically."""
        notes = [n for n in (res.notes if res else []) if n]
        note = "value not known statically" + (f" ({'; '.join(notes)})" if notes else "")
        if what:
            note = f"{what}: {note}"
        return Hit(None, self.text(spec if spec is not None else self.spec.arg), self.spec.kind, note=note)

    def each(self, res: Res, one: Callable[[str], Iterable[Hit]],
             other: Callable[[object], Iterable[Hit] | None] | None = None) -> list[Hit]:
        """Hits of every candidate value: strings through ``one``; unknown parts as one unresolved hit."""
        hits: list[Hit] = []
        unresolved = bool(res.unknown)
        strings = string_values(res)
        for value in res.values:
            if isinstance(value, str):
                continue
            if other is not None:
                produced = other(value)
                if produced is not None:
                    hits.extend(produced)
                    continue
            if isinstance(value, Opaque):
                if not value.loader:
                    unresolved = True
                continue
            if value is None and strings:
                continue
            unresolved = True
        for value in strings:
            hits.extend(one(value))
        if unresolved:
            hits.append(self.unresolved(res))
        return hits


Builder = Callable[[Site], list[Hit]]


def main_arg(site: Site) -> Res | str | None:
    """The id argument's candidates, as the loader declares them (``arg``, ``if_missing``, ``default``).

    ``"skip"`` when a missing argument means nothing is loaded; the library's declared default when
    it means that default is loaded (:attr:`Site.default_used` is then set, and the references get
    the loader's ``default_note`` at confidence medium); None when the argument is missing and
    nothing is declared (the builder reports an unresolved reference).
    """
    res = site.value(site.spec.arg)
    if res is not None:
        return res
    if has_star_args(site.call):
        return Res(unknown=[expr_text(site.call)], indirect=True, notes=["passed through *args/**kwargs"])
    if site.spec.if_missing == "skip":
        return "skip"
    default = site.spec.default_for(site.groups)
    if default is not None:
        site.default_used = True
        return Res(values=[default])
    return None


def default_hits(site: Site, hits: list[Hit]) -> list[Hit]:
    """Hits found through the loader's declared default: its ``default_note``, confidence medium."""
    try:
        note = site.spec.default_note.format(**site.groups)
    except (KeyError, IndexError, ValueError):
        note = site.spec.default_note
    return [Hit(h.id, h.raw, h.kind, note=note, confidence=h.confidence or "medium") for h in hits]
