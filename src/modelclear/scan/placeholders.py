"""Placeholder Hub ids (``username/my_awesome_model``, ``your-org/<model>``): dynamic loads, not artifacts.

Documentation, examples and tutorials load ids the reader is meant to replace. :func:`placeholder_hits`
runs on every loader's hits (:func:`modelclear.scan.builders.build`): an id of a checked scheme whose
namespace or name is a placeholder of ``data/loaders/placeholders.yaml`` becomes one unresolved hit
(the call's expression, a note naming the placeholder), the way a value not known statically is
reported. :func:`review_references` does the same for the references of the scanners that read no Python
call (shell scripts and notebook shell cells, configs, deployment files, download addresses): a placeholder
id there (``huggingface-cli download your-org/your-model``, ``model_name_or_path: <user>/<model>``,
``https://huggingface.co/username/my_awesome_model/resolve/...``) becomes one dynamic load per line.
The words and patterns are reviewed data, each with a note; nothing here is a list of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from modelclear.model import Kind, Reference
from modelclear.scan.pyloaders import items, load_table
from modelclear.scan.walk import rel_path

if TYPE_CHECKING:
    from modelclear.scan.base import ScanWarning
    from modelclear.scan.builders.base import Hit, Site


@dataclass(frozen=True)
class Rules:
    """The placeholder table, compiled."""

    schemes: frozenset[str]
    namespaces: frozenset[str]
    namespace_patterns: tuple[re.Pattern[str], ...]
    doc_namespaces: frozenset[str]
    name_patterns: tuple[re.Pattern[str], ...]
    doc_name_patterns: tuple[re.Pattern[str], ...]
    doc_suffixes: tuple[str, ...]
    doc_folders: frozenset[str]
    doc_folder_pattern: re.Pattern[str] | None
    doc_file_pattern: re.Pattern[str] | None


def _patterns(raw: object) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(str(e["pattern"]), re.IGNORECASE) for e in items(raw)
                 if isinstance(e, dict) and e.get("pattern"))


def _words(raw: object) -> frozenset[str]:
    return frozenset(str(e["word"]).lower() for e in items(raw) if isinstance(e, dict) and e.get("word"))


@cache
def rules() -> Rules:
    """The bundled placeholder table (``data/loaders/placeholders.yaml``)."""
    table = load_table().table("placeholders")
    return Rules(
        schemes=frozenset(str(s) for s in items(table.get("schemes_checked"))),
        namespaces=_words(table.get("namespaces")),
        namespace_patterns=_patterns(table.get("namespace_patterns")),
        doc_namespaces=_words(table.get("doc_namespaces")),
        name_patterns=_patterns(table.get("name_patterns")),
        doc_name_patterns=_patterns(table.get("doc_name_patterns")),
        doc_suffixes=tuple(str(s).lower() for s in items(table.get("doc_suffixes"))),
        doc_folders=frozenset(str(f).lower() for f in items(table.get("doc_folders"))),
        doc_folder_pattern=re.compile(str(table["doc_folder_pattern"]), re.IGNORECASE)
        if table.get("doc_folder_pattern") else None,
        doc_file_pattern=re.compile(str(table["doc_file_pattern"]), re.IGNORECASE)
        if table.get("doc_file_pattern") else None,
    )


def is_doc_path(path: str) -> bool:
    """Whether ``path`` (relative, ``/``-separated) is documentation or a test: a doc suffix, a test module's
    name, or under a doc or test folder (their ids are stand-ins: ``org/dataset`` in a test)."""
    r = rules()
    pure = PurePosixPath(path.replace("\\", "/"))
    if pure.suffix.lower() in r.doc_suffixes:
        return True
    if r.doc_file_pattern is not None and r.doc_file_pattern.fullmatch(pure.name):
        return True
    pattern = r.doc_folder_pattern
    return any(p.lower() in r.doc_folders or (pattern is not None and pattern.fullmatch(p)) for p in pure.parts[:-1])


def placeholder_reason(hub_id: str, doc: bool) -> str:
    """Why ``SCHEME:NAMESPACE/NAME`` (or ``SCHEME:NAME``) is a placeholder, or "" when it is not one."""
    r = rules()
    scheme, sep, rest = hub_id.partition(":")
    if not sep or scheme not in r.schemes:
        return ""
    namespace, _, name = rest.rpartition("/")
    if namespace and (namespace.lower() in r.namespaces or any(p.fullmatch(namespace) for p in r.namespace_patterns)):
        return f"placeholder namespace {namespace!r}"
    if doc and namespace.lower() in r.doc_namespaces:
        return f"placeholder namespace {namespace!r} in documentation"
    if any(p.fullmatch(name) for p in r.name_patterns):
        return f"placeholder name {name!r}"
    if (doc or not namespace) and any(p.fullmatch(name) for p in r.doc_name_patterns):
        return f"placeholder name {name!r}" + (" in documentation" if namespace else "")
    return ""


def _hit(site: Site, raw: str, reason: str, kind: Kind) -> Hit:
    from modelclear.scan.builders.base import Hit  # the builders import this module

    note = f"value not known statically (a placeholder Hub id {raw!r}: {reason}; dynamic load to review)"
    return Hit(None, site.text(site.spec.arg), kind, note=note, confidence="low")


def placeholder_value(site: Site, value: str, scheme: str, kind: Kind) -> Hit | None:
    """The review hit of a Hub-id-or-path value that is a placeholder (``<user>/<model>``, ``YOUR_ORG/x``).

    Checked before the value is taken for a local path: such a namespace is no Hub namespace either.
    """
    reason = placeholder_reason(f"{scheme}:{value.strip()}", is_doc_path(site.scan.path))
    return _hit(site, value, reason, kind) if reason else None


def placeholder_hits(site: Site, hits: list[Hit]) -> list[Hit]:
    """``hits`` with every placeholder id replaced by one unresolved hit for review (the call's expression)."""
    doc: bool | None = None
    out: list[Hit] = []
    reported = False
    for hit in hits:
        if hit.id is None:
            out.append(hit)
            continue
        if doc is None:
            doc = is_doc_path(site.scan.path)
        reason = placeholder_reason(hit.id, doc)
        if not reason:
            out.append(hit)
            continue
        if not reported:
            reported = True
            out.append(_hit(site, hit.raw, reason, hit.kind))
    return out


def review_references(found: Iterable[Reference | ScanWarning], path: Path,
                      root: Path) -> list[Reference | ScanWarning]:
    """``found`` with every reference whose id is a placeholder replaced by one dynamic load per line.

    For the scanners that read no Python call (shell, notebook shell cells, configs, deployment files,
    addresses); ``path`` is the scanned file and ``root`` the scan root, which together say whether the
    file is documentation. The dynamic load keeps the reference's place, raw text and evidence, with a
    note naming the placeholder; other references and warnings pass unchanged.
    """
    out: list[Reference | ScanWarning] = []
    doc: bool | None = None
    reported: set[int] = set()
    for item in found:
        if not isinstance(item, Reference) or item.id is None or ":" not in item.id:
            out.append(item)
            continue
        if item.id.partition(":")[0] not in rules().schemes:
            out.append(item)
            continue
        if doc is None:
            doc = is_doc_path(rel_path(path, root))
        reason = placeholder_reason(item.id, doc)
        if not reason:
            out.append(item)
            continue
        if item.line in reported:
            continue
        reported.add(item.line)
        note = f"value not known statically (a placeholder Hub id {item.raw!r}: {reason}; dynamic load to review)"
        out.append(replace(item, id=None, note=note, confidence="low"))
    return out
