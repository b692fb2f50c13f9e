"""The table of Python loader signatures, read from ``data/loaders/*.yaml``.

Each YAML file with a top-level ``loaders:`` list describes the calls of one library that load a
pretrained model or a dataset. Schema of one entry::

    - call: [transformers.pipeline, "*.from_pretrained"]   # fnmatch patterns over the callee's
                                                           # qualified name after import resolution
      call_regex: '^torchvision\\.models\\.(?P<name>...)$'  # or a regular expression (named groups
                                                           # are available to id templates)
      priority: 10          # higher wins when several entries match one call (default 0)
      bare: pipeline        # also match this bare name when the code never binds it (a notebook
                            # cell whose import is in another cell); confidence drops to medium
      kind: model           # model | dataset
      arg: {pos: 0, kw: [pretrained_model_name_or_path]}    # where the id is (omit: none)
      if_missing: unresolved  # when the call has no such argument: unresolved (report, id null)
                            # | skip (the call loads nothing) | default (the library's default,
                            # below); works the same for every id builder that reads `arg`
      default: buffalo_l    # with if_missing: default, the value the library uses instead: a
                            # string, or a mapping looked up with `default_key`
      default_key: "{cls}"  # template over call_regex groups selecting a mapping default's entry
      default_note: "default model of {cls}()"  # note of references found through the default
                            # (call_regex groups available; default "library default model");
                            # their confidence is medium
      id: hf                # id builder, see modelclear.scan.pybuilders.BUILDERS
      template: "whisper:{value}"   # for id builders `template`: {value} is the argument's value,
                            # other names are call_regex groups
      gates:                # conditions under which the call loads nothing (not a reference)
        - {arg: {pos: 1, kw: [pretrained]}, missing: skip, falsy: skip, none: skip}
                            # each of missing/falsy/none/truthy is `ref` (default) or `skip`;
                            # a value we cannot resolve keeps the reference at confidence low
      options: {...}        # builder-specific settings (documented in the YAML files)

A ``--kb`` overlay may hold loader files too (``loaders/<library>.yaml``, checked by the knowledge
loader against the same schema): the service passes them to the scan in
``ScanOptions.loader_documents`` → ``ScanContext.loaders``, and :func:`table_for` gives the scanner
the bundled table plus theirs (an overlay file replaces the bundled file of the same name);
:func:`keywords_hit` is their part of the prefilter.

A file may also declare the id schemes its loaders produce (``schemes:``, read by
:mod:`modelclear.ids`). Top-level ``keywords:`` are the byte strings of the prefilter: a file that contains none of them
cannot hold a loader call and is not parsed. Other top-level keys are tables the id builders read
(``builders`` of torchvision, ``assets`` of ultralytics, ``local_builders`` of datasets, ...).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from modelclear import ids, loaderdata
from modelclear.knowledge.vocab import IF_MISSING
from modelclear.model import Kind

__all__ = ["IF_MISSING", "ArgSpec", "Gate", "LoaderSpec", "LoaderTable", "build_table", "items", "keywords_hit",
           "load_table", "table_for"]


@dataclass(frozen=True)
class ArgSpec:
    """Where an argument is: its position (``None``: keyword only) and its keyword names."""

    pos: int | None = None
    kw: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gate:
    """A condition on one argument under which the call does not load pretrained weights."""

    arg: ArgSpec
    missing: str = "ref"
    falsy: str = "ref"
    none: str = "ref"
    truthy: str = "ref"


@dataclass(frozen=True)
class LoaderSpec:
    """One library call that loads a model or dataset."""

    library: str
    patterns: tuple[str, ...]
    regex: re.Pattern[str] | None
    kind: Kind
    builder: str
    arg: ArgSpec | None = None
    if_missing: str = "unresolved"
    template: str = ""
    gates: tuple[Gate, ...] = ()
    options: Mapping[str, object] = field(default_factory=dict)
    priority: int = 0
    bare: str = ""
    default: str | Mapping[str, str] | None = None
    default_key: str = ""
    default_note: str = "library default model"

    def default_for(self, groups: Mapping[str, str]) -> str | None:
        """The value the library uses when the call omits ``arg`` (None: no default for this call)."""
        if self.if_missing != "default" or self.default is None:
            return None
        if isinstance(self.default, Mapping):
            try:
                entry = self.default_key.format(**groups)
            except (KeyError, IndexError):
                return None
            found = self.default.get(entry)
            return None if found is None else str(found)
        return str(self.default)

    def by_wildcard_only(self, qualname: str) -> bool:
        """Whether ``qualname`` matches this loader only through a pattern over any owner (``*.from_pretrained``),
        not through a library name it spells out."""
        return self.regex is None and not any(
            not pattern.startswith("*") and fnmatch.fnmatchcase(qualname, pattern) for pattern in self.patterns)

    def match(self, qualname: str) -> dict[str, str] | None:
        """The regex groups (possibly empty) when ``qualname`` is this loader's callee, else None."""
        if self.regex is not None:
            found = self.regex.search(qualname)
            if found is None:
                return None
            return {k: v for k, v in found.groupdict().items() if v is not None}
        for pattern in self.patterns:
            if fnmatch.fnmatchcase(qualname, pattern):
                return {}
        return None


@dataclass(frozen=True)
class LoaderTable:
    """Every loader signature, indexed by the last component of the callee for speed."""

    by_last: Mapping[str, tuple[LoaderSpec, ...]]
    generic: tuple[LoaderSpec, ...]
    bare: Mapping[str, tuple[LoaderSpec, ...]]
    tables: Mapping[str, Mapping[str, object]]
    keywords: frozenset[bytes]
    _memo: dict[str, list[tuple[LoaderSpec, dict[str, str]]]] = field(default_factory=dict, compare=False,
                                                                       repr=False)

    def candidates(self, qualname: str) -> list[tuple[LoaderSpec, dict[str, str]]]:
        """The loader specs matching ``qualname``, best (highest priority) first."""
        memo = self._memo.get(qualname)
        if memo is None:
            memo = self._candidates(qualname)
            if len(self._memo) < 50_000:
                self._memo[qualname] = memo
        return list(memo)

    def _candidates(self, qualname: str) -> list[tuple[LoaderSpec, dict[str, str]]]:
        last = qualname.rsplit(".", 1)[-1]
        found: list[tuple[LoaderSpec, dict[str, str]]] = []
        for spec in (*self.by_last.get(last, ()), *self.generic):
            groups = spec.match(qualname)
            if groups is not None:
                found.append((spec, groups))
        found.sort(key=lambda item: -item[0].priority)
        return found

    def table(self, library: str) -> Mapping[str, object]:
        """The top-level data of one library's YAML file (extra tables the builders read)."""
        return self.tables.get(library, {})


def items(value: object) -> tuple[object, ...]:
    """The entries of a list read from YAML (a missing or non-list value has none)."""
    return tuple(value) if isinstance(value, (list, tuple)) else ()


def _arg(raw: object) -> ArgSpec | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ValueError(f"arg must be a mapping, got {raw!r}")
    kw = raw.get("kw") or ()
    if isinstance(kw, str):
        kw = (kw,)
    pos = raw.get("pos")
    return ArgSpec(pos=int(pos) if pos is not None else None, kw=tuple(str(k) for k in kw))


def _last_component(pattern: str) -> str | None:
    last = pattern.rsplit(".", 1)[-1]
    return None if any(c in last for c in "*?[") else last


def _gate(library: str, raw: object) -> Gate:
    if not isinstance(raw, Mapping) or "arg" not in raw:
        raise ValueError(f"{library}: a gate must be a mapping with an arg: {raw!r}")
    return Gate(arg=_arg(raw["arg"]) or ArgSpec(), missing=str(raw.get("missing", "ref")),
                falsy=str(raw.get("falsy", "ref")), none=str(raw.get("none", "ref")),
                truthy=str(raw.get("truthy", "ref")))


def _spec(library: str, raw: object) -> LoaderSpec:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{library}: a loader must be a mapping, got {raw!r}")
    raw_calls = raw.get("call")
    calls = (raw_calls,) if isinstance(raw_calls, str) else items(raw_calls)
    regex = raw.get("call_regex")
    if not calls and not regex:
        raise ValueError(f"{library}: a loader needs call or call_regex: {raw!r}")
    kind = Kind(str(raw.get("kind", "model")))
    gates = tuple(_gate(library, g) for g in items(raw.get("gates")))
    options = raw.get("options") or {}
    if not isinstance(options, dict):
        raise ValueError(f"{library}: options must be a mapping")
    if_missing = str(raw.get("if_missing", "unresolved"))
    if if_missing not in IF_MISSING:
        raise ValueError(f"{library}: if_missing must be one of {', '.join(IF_MISSING)}, got {if_missing!r}")
    default = raw.get("default")
    if (if_missing == "default") != (default is not None):
        raise ValueError(f"{library}: `default:` goes with `if_missing: default` (and only with it): {raw!r}")
    if isinstance(default, dict):
        if not raw.get("default_key"):
            raise ValueError(f"{library}: a mapping default needs default_key: {raw!r}")
        default = {str(k): str(v) for k, v in default.items()}
    elif default is not None:
        default = str(default)
    return LoaderSpec(
        library=library,
        patterns=tuple(str(c) for c in calls),
        regex=re.compile(str(regex)) if regex else None,
        kind=kind,
        builder=str(raw["id"]),
        arg=_arg(raw.get("arg")),
        if_missing=if_missing,
        template=str(raw.get("template", "")),
        gates=gates,
        options=options,
        priority=int(str(raw.get("priority", 0))),
        bare=str(raw.get("bare", "")),
        default=default,
        default_key=str(raw.get("default_key") or ""),
        default_note=str(raw.get("default_note") or "library default model"),
    )


def build_table(documents: Mapping[str, Mapping[str, object]]) -> LoaderTable:
    """Build the table from parsed YAML documents keyed by file stem."""
    by_last: dict[str, list[LoaderSpec]] = {}
    generic: list[LoaderSpec] = []
    bare: dict[str, list[LoaderSpec]] = {}
    tables: dict[str, Mapping[str, object]] = {}
    keywords: set[bytes] = set()
    for stem, doc in sorted(documents.items()):
        library = str(doc.get("library") or stem)
        tables[library] = doc
        for word in items(doc.get("keywords")):
            keywords.add(str(word).encode())
        for raw in items(doc.get("loaders")):
            spec = _spec(library, raw)
            lasts = [_last_component(p) for p in spec.patterns] if spec.regex is None else [None]
            if None in lasts:
                generic.append(spec)
            else:
                for last in set(lasts):
                    by_last.setdefault(str(last), []).append(spec)
            if spec.bare:
                bare.setdefault(spec.bare, []).append(spec)
    return LoaderTable(
        by_last={k: tuple(v) for k, v in by_last.items()},
        generic=tuple(generic),
        bare={k: tuple(v) for k, v in bare.items()},
        tables=tables,
        keywords=frozenset(keywords),
    )


@cache
def load_table() -> LoaderTable:
    """The bundled loader table (every ``data/loaders/*.yaml`` that has a ``loaders:`` list)."""
    return build_table({stem: doc for stem, doc in loaderdata.documents().items() if "loaders" in doc})


_OVERLAY_TABLES: dict[int, tuple[Mapping[str, Mapping[str, object]], LoaderTable, frozenset[bytes]]] = {}


def table_for(overlay: Mapping[str, Mapping[str, object]] | None) -> LoaderTable:
    """The bundled table, plus the loader files of ``--kb`` overlays (file stem -> document).

    Built once per mapping (the one a scan context carries); the overlays' id schemes are declared
    too (in a worker process that did not load the overlay itself), so the ids their loaders build parse.
    """
    if not overlay:
        return load_table()
    return _overlay_table(overlay)[1]


def _overlay_table(overlay: Mapping[str, Mapping[str, object]]) -> tuple[object, LoaderTable, frozenset[bytes]]:
    found = _OVERLAY_TABLES.get(id(overlay))
    if found is not None and found[0] is overlay:
        return found
    ids.add_schemes({f"overlay loaders/{stem}.yaml": doc for stem, doc in overlay.items()})
    table = build_table({**loaderdata.documents(), **overlay})
    if len(_OVERLAY_TABLES) >= 8:
        _OVERLAY_TABLES.clear()
    _OVERLAY_TABLES[id(overlay)] = entry = (overlay, table, table.keywords - load_table().keywords)
    return entry


def keywords_hit(overlay: Mapping[str, Mapping[str, object]] | None, data: bytes) -> bool:
    """Whether ``data`` holds a prefilter keyword of an overlay loader file (never, without overlays)."""
    if not overlay:
        return False
    return any(word in data for word in _overlay_table(overlay)[2])
