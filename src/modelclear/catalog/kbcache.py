"""The compiled knowledge cache: one file per signature of the knowledge files it was built from.

Parsing and validating thousands of entries on every run would be slow, so the raw, validated
content of a knowledge folder (the bundled data, or one ``--kb`` overlay) is compiled once into a
``marshal`` file in the user's cache directory. ``marshal`` holds only plain values and runs no code
when read. The artifact entries are stored one after another and read on demand (:class:`BlobFile`),
so opening even a million-artifact overlay reads only its index.

Several installs (two checkouts, a pre-commit environment and a project virtualenv) share that
directory and may run at once: each writes its file atomically, a reader keeps the file it loaded
open until it is done with it, and a file is evicted only when no run has used it for a month.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import stat
import struct
import threading
import time
import weakref
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from modelclear.atomicfile import write_atomic


def cache_dir() -> Path:
    """Where modelclear keeps caches (``$MODELCLEAR_CACHE``, else ``$XDG_CACHE_HOME/modelclear``)."""
    env = os.environ.get("MODELCLEAR_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "modelclear"


class BlobFile:
    """A compiled cache file held open for reading artifact entries on demand.

    The descriptor is opened once, when the cache is loaded, and closed when the object is garbage
    collected, so deleting or replacing the file (another install evicting it, a newer run rewriting
    it) does not affect a reader that loaded it.
    """

    def __init__(self, path: Path) -> None:
        """Open ``path`` for reading (raises ``OSError`` when it cannot be opened)."""
        self.path = str(path)
        self.fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        self.base = 0  # where the entries start; offsets given to :meth:`entry` are relative to it
        self._lock = threading.Lock()  # only where there is no os.pread (Windows)
        self._closer = weakref.finalize(self, os.close, self.fd)

    def read(self, offset: int, length: int) -> bytes:
        """``length`` bytes at ``offset`` from the start of the file (fewer at its end)."""
        if length <= 0:
            return b""
        if hasattr(os, "pread"):
            first = os.pread(self.fd, length, offset)
            if len(first) == length or not first:  # (one read, almost always)
                return first
            parts = [first]
            offset += len(first)
            length -= len(first)
            while length > 0:
                part = os.pread(self.fd, length, offset)
                if not part:
                    break
                parts.append(part)
                offset += len(part)
                length -= len(part)
            return b"".join(parts)
        with self._lock:
            os.lseek(self.fd, offset, os.SEEK_SET)
            parts = []
            while length > 0:
                part = os.read(self.fd, length)
                if not part:
                    break
                parts.append(part)
                length -= len(part)
            return b"".join(parts)

    def crc32(self, offset: int, length: int, chunk: int = 1 << 20) -> int:
        """CRC-32 of ``length`` bytes at ``offset``, read in chunks."""
        crc = 0
        while length > 0:
            part = self.read(offset, min(chunk, length))
            if not part:
                break
            crc = zlib.crc32(part, crc)
            offset += len(part)
            length -= len(part)
        return crc

    def entry(self, offset: int, length: int) -> dict[str, Any]:
        """The artifact entry compiled at ``offset`` (relative to the entries) with ``length`` bytes."""
        return marshal.loads(self.read(self.base + offset, length))

    def close(self) -> None:
        """Close the file now rather than when the object is collected."""
        self._closer()


@dataclass(frozen=True)
class RawStore:
    """Raw entries of every kind, each with the file (relative to the data dir) it came from."""

    licenses: list[tuple[str, dict[str, Any]]]
    artifacts: list[tuple[str, dict[str, Any], str]]  # (where, raw, family)
    families: dict[str, tuple[str, dict[str, Any]]]
    laws: list[tuple[str, dict[str, Any]]]
    platforms: list[tuple[str, dict[str, Any]]]
    rules: dict[str, Any]
    i18n: dict[str, dict[str, str]]
    files: int
    as_of: str = "1970-01-01"
    loaders: dict[str, dict[str, Any]] | None = None  # loader files (overlays only), by file stem
    # (lower-cased url: prefix, exact, artifact id) of every record's ``downloads``
    downloads: list[tuple[str, bool, str]] | None = None
    # (where, family, id, kind, aliases, offset, length) of each artifact when loaded from the compiled cache
    heads: list[tuple[str, str, str, str, list[str], int, int]] | None = None
    blobs: BlobFile | None = None  # the open cache file ``heads`` point into

    def iter_artifacts(self) -> Iterator[tuple[str, dict[str, Any], str]]:
        """Every raw artifact entry as (where, entry, family), reading compiled blobs when needed."""
        if self.heads is None or self.blobs is None:
            yield from self.artifacts
            return
        for where, family, _id, _kind, _aliases, offset, length in self.heads:
            yield where, self.blobs.entry(offset, length), family


def read_blob(source: BlobFile, offset: int, length: int) -> dict[str, Any]:
    """One compiled artifact entry from an open cache file."""
    return source.entry(offset, length)


# --------------------------------------------------------------------------------------------------
# The compiled cache file
#
# One file per signature, ``kb2-<signature>.cache``: a fixed header, the index (everything but the
# artifact entries, plus where each entry lies), then the artifact entries one after another.
#
#     magic (8 bytes) | index length (8) | blob length (8) | index CRC-32 (4) | blob CRC-32 (4)
#
# The file is written under a temporary name, flushed to disk and renamed into place, so a reader
# sees either no file or a complete one; index and entries are one file, so never one without the
# other. Readers check the magic, both lengths against the file size, both checksums and the
# signature before trusting it. (The ``kb2-`` prefix also keeps the file out of reach of older
# modelclear versions, which deleted every ``kb-*`` file but their own.)

CACHE_PREFIX = "kb2-"
CACHE_SUFFIX = ".cache"
_MAGIC = b"MCKB\x00\x02\r\n"
_HEADER = struct.Struct("<8sQQII")
_EVICT_AFTER = 30 * 24 * 3600  # seconds since a cache file was last used
_TOUCH_AFTER = 24 * 3600  # refresh a used file's modification time at most daily
_STALE_TEMP = 3600  # a temporary file this old belongs to a writer that died


def read_cache(path: Path, sig: str) -> RawStore | None:
    """The store in the cache file at ``path``, or ``None`` when it is absent or not valid."""
    try:
        blobs = BlobFile(path)
    except FileNotFoundError:
        return None
    store = None
    try:
        opened = os.fstat(blobs.fd)
        size = opened.st_size
        header = blobs.read(0, _HEADER.size)
        if len(header) != _HEADER.size:
            return None
        magic, index_len, blob_len, index_crc, blob_crc = _HEADER.unpack(header)
        if magic != _MAGIC or size != _HEADER.size + index_len + blob_len:
            return None
        index = blobs.read(_HEADER.size, index_len)
        if zlib.crc32(index) != index_crc or blobs.crc32(_HEADER.size + index_len, blob_len) != blob_crc:
            return None
        data = marshal.loads(index)
        if not isinstance(data, dict) or data.pop("signature", None) != sig:
            return None
        blobs.base = _HEADER.size + index_len
        store = RawStore(**data, blobs=blobs)
    except (EOFError, ValueError, TypeError):
        return None
    finally:
        if store is None:
            blobs.close()
    _touch(path, opened)
    return store


def _touch(path: Path, opened: os.stat_result) -> None:
    """Mark the cache file just loaded as used (its modification time), so eviction by age spares it."""
    with contextlib.suppress(OSError):
        st = path.stat()
        same = (st.st_dev, st.st_ino) == (opened.st_dev, opened.st_ino)
        if same and time.time() - st.st_mtime > _TOUCH_AFTER:
            os.utime(path)


def write_cache(store: RawStore, path: Path, sig: str, kind_of: Callable[[Mapping[str, Any]], str]) -> None:
    """Write ``store`` to ``path`` atomically: a temporary file, fsync, then ``os.replace``."""
    heads = []
    chunks = []
    offset = 0
    for where, entry, family in store.artifacts:
        blob = marshal.dumps(entry)
        heads.append((where, family, str(entry.get("id", "")), kind_of(entry),
                      [str(a) for a in entry.get("aliases") or ()], offset, len(blob)))
        chunks.append(blob)
        offset += len(blob)
    data = {f.name: getattr(store, f.name) for f in fields(store) if f.name not in ("heads", "blobs")}
    data["artifacts"] = []
    data["heads"] = heads
    data["signature"] = sig
    index = marshal.dumps(data)
    blob_crc = 0
    for chunk in chunks:
        blob_crc = zlib.crc32(chunk, blob_crc)
    header = _HEADER.pack(_MAGIC, len(index), offset, zlib.crc32(index), blob_crc)
    write_atomic(path, (header, index, *chunks), durable=True)


def evict_stale(folder: Path, keep: Path, max_age: float = _EVICT_AFTER) -> list[Path]:
    """Delete knowledge-base caches of other signatures not used for ``max_age`` seconds.

    ``keep`` (the current signature's file) is never deleted, nor is any file used recently: another
    install or virtualenv may be reading it right now. Temporary files of writers that died are
    removed after an hour. Returns what was deleted.
    """
    now = time.time()
    gone = []
    for old in folder.iterdir():
        name = old.name
        if old == keep or not (name.startswith(("kb-", CACHE_PREFIX, f".{CACHE_PREFIX}"))):
            continue
        limit = _STALE_TEMP if name.endswith(".tmp") else max_age
        with contextlib.suppress(OSError):
            st = old.lstat()
            # atime too: older versions never refreshed their files' modification time on use
            if now - max(st.st_mtime, st.st_atime) > limit and stat.S_ISREG(st.st_mode):
                old.unlink()
                gone.append(old)
    return gone
