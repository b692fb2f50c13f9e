"""The loader data files (``data/loaders/*.yaml``), read once, checked against the schema, and shared.

Each file describes one library (or one concern, such as local-path heuristics or weight hosts). Two
readers use them: :mod:`modelclear.ids` takes the id schemes a file declares (its ``schemes:``
list, through :func:`scheme_declarations`), and :mod:`modelclear.scan.pyloaders` takes the Python
call signatures (its ``loaders:`` list, through :func:`documents`). This module sits below both so
that neither imports the other (``ids`` must stay importable without the scan package). Every file is
checked against the ``loaders`` kind of :mod:`modelclear.knowledge.schema`, the same schema ``--kb``
overlays' loader files are checked against when the knowledge loader
(:mod:`modelclear.catalog.bundled`) reads them.

Parsing and checking the files on every start would cost most of a short run, so the checked content
is compiled, like the knowledge base (:mod:`modelclear.catalog.kbcache`), into a ``marshal`` file in
the user's cache directory, ``loaders1-<signature>.cache``. The signature covers the modelclear
version, the code that checks the files (size and modification time) and each loader file's name and
content. A reader checks the file's magic, length, checksum and signature and rebuilds a cache that
fails any of them; ``marshal`` holds only plain values and runs no code when read. The id schemes
and the full documents are stored apart, so a run that only parses ids never decodes the documents.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import marshal
import os
import re
import struct
import time
import zlib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from modelclear import __version__
from modelclear.atomicfile import write_atomic

CACHE_PREFIX = "loaders1-"
_MAGIC = b"MCLD\x00\x01\r\n"
_HEADER = struct.Struct("<8sQI")  # magic, payload length, payload CRC-32
_EVICT_AFTER = 30 * 24 * 3600  # seconds since another signature's file was last used
_DATE = "\x00date"  # tags of the dates YAML yields, which marshal cannot hold
_DATETIME = "\x00datetime"
_CODE_FILES = [Path(__file__), *sorted((Path(__file__).parent / "knowledge").glob("*.py"))]


def _encode(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dt.datetime):
        return (_DATETIME, value.isoformat())
    if isinstance(value, dt.date):
        return (_DATE, value.isoformat())
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, tuple) and len(value) == 2 and value[0] in (_DATE, _DATETIME):
        return (dt.datetime if value[0] == _DATETIME else dt.date).fromisoformat(value[1])
    return value


def _read_sources(folder: Any) -> list[tuple[str, bytes]]:
    """(file name, bytes) of every ``.yaml`` file in the loader folder, in name order."""
    return [(entry.name, entry.read_bytes()) for entry in sorted(folder.iterdir(), key=lambda e: e.name)
            if entry.name.endswith(".yaml")]


def _signature(sources: list[tuple[str, bytes]]) -> str:
    h = hashlib.sha1(__version__.encode())
    for code in _CODE_FILES:  # a change to how the files are checked invalidates the cache too
        with contextlib.suppress(OSError):
            st = code.stat()
            h.update(f"{code.name}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    for name, data in sources:
        h.update(f"{name}|{len(data)}|{hashlib.sha1(data).hexdigest()}\n".encode())
    return h.hexdigest()[:16]


def _parse(sources: list[tuple[str, bytes]]) -> dict[str, Any]:
    """The checked documents of the loader files, keyed by file stem.

    The schema compiles every regular expression a file holds (a scheme's ``pattern``, ``untyped``
    and rewrites), so readers of the cache may compile them only when first used.

    Raises:
        KnowledgeError: a file breaks the schema.
    """
    import yaml

    from modelclear.knowledge import schema

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    out: dict[str, Any] = {}
    problems: list[str] = []
    for name, data in sources:
        doc = yaml.load(data.decode("utf-8"), Loader=loader)
        problems += schema.problems(f"loaders/{name}", doc)
        if isinstance(doc, dict):
            out[name[: -len(".yaml")]] = doc
    if problems:
        raise schema.KnowledgeError(problems)
    return out


def _read_cache(path: Path, sig: str) -> dict[str, Any] | None:
    """The cached content at ``path``, or ``None`` when it is absent or not valid for ``sig``."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    if len(blob) < _HEADER.size:
        return None
    magic, length, crc = _HEADER.unpack_from(blob)
    payload = blob[_HEADER.size:]
    if magic != _MAGIC or length != len(payload) or zlib.crc32(payload) != crc:
        return None
    try:
        data = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    if (not isinstance(data, dict) or data.get("signature") != sig or not isinstance(data.get("schemes"), dict)
            or not isinstance(data.get("documents"), bytes)):
        return None
    with contextlib.suppress(OSError):  # mark it used, so that eviction by age spares it
        if time.time() - path.stat().st_mtime > 24 * 3600:
            os.utime(path)
    return data


def _write_cache(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` to ``path`` atomically (best effort: a read-only cache only costs speed)."""
    payload = marshal.dumps(data)
    with contextlib.suppress(OSError):
        write_atomic(path, (_HEADER.pack(_MAGIC, len(payload), zlib.crc32(payload)), payload))
        _evict(path)


def _evict(keep: Path) -> None:
    """Delete loader caches of other signatures not used for a month (other installs may still read them)."""
    now = time.time()
    for old in keep.parent.iterdir():
        if old == keep or not old.name.startswith((CACHE_PREFIX, f".{CACHE_PREFIX}")):
            continue
        limit = 3600 if old.name.endswith(".tmp") else _EVICT_AFTER
        with contextlib.suppress(OSError):
            st = old.lstat()
            if now - max(st.st_mtime, st.st_atime) > limit:
                old.unlink()


def load(folder: Any, cache_dir: Path | None) -> dict[str, Any]:
    """The compiled content of a loader folder: ``{"schemes": {stem: [...]}, "documents": bytes}``.

    Read from the cache in ``cache_dir`` when it is valid for the folder's files, else parsed, checked
    and written there (``cache_dir=None``: never cached).

    Raises:
        KnowledgeError: a file breaks the schema (a bug in the shipped data).
    """
    sources = _read_sources(folder)
    sig = _signature(sources)
    path = cache_dir / f"{CACHE_PREFIX}{sig}.cache" if cache_dir is not None else None
    if path is not None:
        cached = _read_cache(path, sig)
        if cached is not None:
            return cached
    docs = _parse(sources)
    data = {"signature": sig,
            "schemes": {stem: _encode(list(doc.get("schemes") or ())) for stem, doc in docs.items()},
            "documents": marshal.dumps(_encode(docs))}
    if path is not None:
        _write_cache(path, data)
    return data


def cache_dir() -> Path:
    """The cache directory, by the rules of :func:`modelclear.catalog.kbcache.cache_dir`.

    Not imported from there: importing the catalog package would import :mod:`modelclear.ids`, which
    reads this module's cache while it is imported.
    """
    env = os.environ.get("MODELCLEAR_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "modelclear"


@cache
def _bundled() -> dict[str, Any]:
    # The package's own folder, as the knowledge loader finds its data (importlib.resources would
    # import zipfile, tempfile and more on every start for the same folder).
    return load(Path(__file__).resolve().parent / "data" / "loaders", cache_dir())


def scheme_declarations() -> Mapping[str, Mapping[str, object]]:
    """The ``schemes:`` list of every bundled loader file, as ``{stem: {"schemes": [...]}}``, in name order.

    Raises:
        KnowledgeError: a bundled file breaks the schema (a bug in the shipped data).
    """
    return {stem: {"schemes": _decode(raw)} for stem, raw in _bundled()["schemes"].items() if raw}


@cache
def documents() -> Mapping[str, Mapping[str, object]]:
    """Every bundled loader data file that is a mapping, keyed by file stem, in name order.

    Raises:
        KnowledgeError: a bundled file breaks the schema (a bug in the shipped data).
    """
    decoded: dict[str, Mapping[str, object]] = _decode(marshal.loads(_bundled()["documents"]))
    return decoded


@cache
def weight_hosts() -> tuple[tuple[re.Pattern[str], str | None, str, str], ...]:
    """The weight hosts of ``weight_urls.yaml``, in the table's order: address pattern, id template
    (``None``: the address names no artifact by itself), kind, note.

    One reading of the table for the scanner (:func:`modelclear.scan.urls.match_url`) and for ``check url:``
    (:func:`modelclear.catalog.hosted.hosted_id`).
    """
    table = documents().get("weight_urls") or {}
    hosts = table.get("hosts") or ()
    found: list[tuple[re.Pattern[str], str | None, str, str]] = []
    for host in hosts if isinstance(hosts, list) else ():
        if isinstance(host, dict) and host.get("pattern"):
            template = host.get("id")
            found.append((re.compile(str(host["pattern"])), str(template) if template else None,
                          str(host.get("kind", "model")), str(host.get("note", ""))))
    return tuple(found)
