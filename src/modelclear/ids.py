"""Canonical artifact ids, parsed from what users type or what code names.

A canonical id is ``SCHEME:NAME``. The schemes are not written here: each is declared by the loader
data file of the library that names it (a ``schemes:`` list in ``data/loaders/<library>.yaml``, read
through :mod:`modelclear.loaderdata`), so adding a library is one data file. :data:`SCHEMES` holds
them all. Schema of one declaration::

    schemes:
      - name: ultralytics               # the SCHEME part of the id
        kind: model                     # model | dataset | package
        pattern: '[A-Za-z0-9_.\\-]+'     # the NAME must fully match it (after normalising)
        example: "ultralytics:yolov8n"  # shown in error messages
        case_sensitive: true            # false: the name is lower-cased (default true)
        normalise:                      # optional rewrites of the name, applied in order
          - {pattern: '\\.(pt|yaml|onnx)$', replace: ""}
        untyped: '...'                  # optional: a text without "SCHEME:" that fully matches this
                                        # regular expression is read in this scheme (bare Hub names,
                                        # download addresses)

A ``--kb`` overlay may declare more schemes in its own ``loaders/*.yaml`` files: :func:`add_schemes`
adds them for the rest of the process (the service does so when it loads the overlay), so ids in
those schemes parse like bundled ones. A scheme declared twice, by any two files, is an error.

Parsing is purely syntactic: whether the knowledge base knows the id is the catalog's question. A
well-formed id that nobody knows is an answer (``unknown``); only a malformed one raises
:class:`IdError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from modelclear import loaderdata
from modelclear.model import ArtifactRef, Kind


class IdError(ValueError):
    """Raised for an id that cannot be parsed (a usage error, not an unknown artifact)."""


@dataclass(frozen=True)
class Scheme:
    """One id scheme: its kind, the pattern its name must match, an example, and how names are normalised."""

    name: str
    kind: Kind
    pattern: str
    example: str
    case_sensitive: bool = True
    #: ``(regex, replacement)`` rewrites of the name, applied in order before the pattern is checked.
    normalise: tuple[tuple[str, str], ...] = ()
    #: A text without ``SCHEME:`` that fully matches this expression is read in this scheme.
    untyped: str = ""
    #: The loader data file (stem) that declares the scheme (not part of its identity).
    declared_in: str = field(default="", compare=False)


def _scheme(stem: str, raw: object, check_patterns: bool = True) -> Scheme:
    if not isinstance(raw, Mapping):
        raise ValueError(f"data/loaders/{stem}.yaml: a scheme must be a mapping, got {raw!r}")
    try:
        name, kind, pattern, example = (str(raw[k]) for k in ("name", "kind", "pattern", "example"))
    except KeyError as exc:
        raise ValueError(f"data/loaders/{stem}.yaml: scheme {raw.get('name')!r} lacks {exc}") from None
    rewrites = []
    for rule in raw.get("normalise") or ():
        rewrites.append((str(rule["pattern"]), str(rule.get("replace", ""))))
    scheme = Scheme(name=name, kind=Kind(kind), pattern=pattern, example=example,
                    case_sensitive=bool(raw.get("case_sensitive", True)), normalise=tuple(rewrites),
                    untyped=str(raw.get("untyped") or ""), declared_in=stem)
    if check_patterns:
        for regex in (scheme.pattern, scheme.untyped, *(p for p, _ in scheme.normalise)):
            re.compile(regex)
    if not _SCHEME_NAME_RE.fullmatch(name):
        raise ValueError(f"data/loaders/{stem}.yaml: bad scheme name {name!r}")
    return scheme


def load_schemes(documents: Mapping[str, Mapping[str, object]], check_patterns: bool = True) -> dict[str, Scheme]:
    """The schemes declared by loader data documents (keyed by file stem), by name.

    ``check_patterns=False`` skips compiling each expression, for declarations already checked
    (the bundled ones: the schema :mod:`modelclear.loaderdata` checks them against compiles them).

    Raises:
        ValueError: a declaration is malformed, or two files declare the same scheme.
    """
    out: dict[str, Scheme] = {}
    for stem, doc in documents.items():
        for raw in doc.get("schemes") or ():  # type: ignore[attr-defined]
            scheme = _scheme(stem, raw, check_patterns)
            if scheme.name in out:
                raise ValueError(f"scheme {scheme.name!r} declared twice: data/loaders/"
                                 f"{out[scheme.name].declared_in}.yaml and data/loaders/{stem}.yaml")
            out[scheme.name] = scheme
    return out


_SCHEME_NAME_RE = re.compile(r"[a-z][a-z0-9_\-]*")
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9_\-]*):(?!//)(.*)$")

#: Every id scheme, by name, as the loader data declares them (bundled, then overlays').
SCHEMES: dict[str, Scheme] = load_schemes(loaderdata.scheme_declarations(), check_patterns=False)
#: The schemes with an ``untyped`` expression, in declaration order (the first that matches wins).
_UNTYPED: list[Scheme] = [s for s in SCHEMES.values() if s.untyped]
# Compiled expressions, keyed by their source text, filled when a run first needs them (most runs
# need a few of the schemes): ``pattern`` and ``untyped`` expressions, and each scheme's rewrites.
_COMPILED: dict[str, re.Pattern[str]] = {}
_REWRITES: dict[tuple[tuple[str, str], ...], tuple[tuple[re.Pattern[str], str], ...]] = {}


def _compiled(regex: str) -> re.Pattern[str]:
    compiled = _COMPILED.get(regex)
    if compiled is None:
        compiled = _COMPILED[regex] = re.compile(regex)
    return compiled


def _rewrites(scheme: Scheme) -> tuple[tuple[re.Pattern[str], str], ...]:
    rewrites = _REWRITES.get(scheme.normalise)
    if rewrites is None:
        rewrites = _REWRITES[scheme.normalise] = tuple((_compiled(p), r) for p, r in scheme.normalise)
    return rewrites


def add_schemes(documents: Mapping[str, Mapping[str, object]]) -> list[Scheme]:
    """Declare the schemes of overlay loader documents (keyed by a name saying where each file is).

    Additive and idempotent: declaring the same scheme again from the same file changes nothing.
    Returns the schemes added.

    Raises:
        ValueError: a declaration is malformed, or the scheme is already declared by another file.
    """
    added = []
    for name, scheme in load_schemes(documents).items():
        known = SCHEMES.get(name)
        if known is not None:
            if known != scheme:
                first = known.declared_in if "/" in known.declared_in else f"data/loaders/{known.declared_in}.yaml"
                raise ValueError(f"scheme {name!r} declared twice: {first} and {scheme.declared_in}")
            continue
        added.append(scheme)
    for scheme in added:
        SCHEMES[scheme.name] = scheme
        if scheme.untyped:
            _UNTYPED.append(scheme)
    return added


def kind_of(artifact_id: str) -> Kind:
    """The kind of artifact an id names, by its scheme (``model`` for an unknown scheme)."""
    scheme = SCHEMES.get(artifact_id.split(":", 1)[0].strip().lower()) if ":" in artifact_id else None
    return scheme.kind if scheme is not None else Kind.MODEL


def _canonical_name(scheme: Scheme, name: str) -> str:
    name = name.strip()
    for regex, replacement in _rewrites(scheme):
        name = regex.sub(replacement, name)
    if not scheme.case_sensitive:
        name = name.lower()
    return name


def _example() -> str:
    hf = SCHEMES.get("hf")
    return hf.example if hf is not None else next(iter(SCHEMES.values())).example


def check(raw: str) -> None:
    """Raise :class:`IdError` (a ``ValueError``) when ``raw`` is not a valid id: the policy's id check."""
    parse(raw)


def parse(raw: str) -> ArtifactRef:
    """Parse a typed id into an :class:`ArtifactRef` (syntax only; no knowledge lookup).

    A text without ``SCHEME:`` is read in the scheme whose ``untyped`` expression it matches:
    ``ORG/NAME`` and bare legacy names such as ``bert-base-uncased`` are ``hf:`` ids, an
    ``http(s)://`` address is ``url:``.

    Raises:
        IdError: the text is empty or not text at all, has a scheme we do not know, or a name that
            scheme rejects.
    """
    if raw is not None and not isinstance(raw, str):  # e.g. a number or a list read from a config file
        raise IdError(f"malformed id: expected text, got {type(raw).__name__}")
    text = (raw or "").strip()
    if not text:
        raise IdError("empty id")
    if len(text) > 2000 or any(c in text for c in "\n\r\t\0"):
        raise IdError(f"malformed id: {text[:60]!r}")
    match = _SCHEME_RE.match(text)
    if match is not None:
        scheme_name, name = match.group(1), match.group(2)
    else:
        found = next((s for s in _UNTYPED if _compiled(s.untyped).fullmatch(text)), None)
        if found is None:
            raise IdError(f"malformed id {raw!r}: expected SCHEME:NAME, e.g. {_example()}")
        scheme_name, name = found.name, text
    scheme = SCHEMES.get(scheme_name)
    if scheme is None:
        known = ", ".join(sorted(SCHEMES))
        raise IdError(f"unknown id scheme {scheme_name!r} in {raw!r}; known schemes: {known}")
    name = _canonical_name(scheme, name)
    if not _compiled(scheme.pattern).fullmatch(name):
        raise IdError(f"malformed {scheme.name} id {raw!r}; example: {scheme.example}")
    return ArtifactRef(kind=scheme.kind, id=f"{scheme.name}:{name}", raw=raw, scheme=scheme.name)


def key(artifact_id: str) -> str:
    """The lookup key of an id: ids are matched case-insensitively."""
    return artifact_id.strip().lower()


def try_parse(raw: str) -> ArtifactRef | None:
    """Like :func:`parse`, but ``None`` for malformed text."""
    try:
        return parse(raw)
    except IdError:
        return None
