"""The paths a git work tree tracks, read from its index file as data (git is never run).

git applies ``.gitignore`` only to untracked files: a repository whose ``.gitignore`` says ``data`` may
still commit ``data/download.sh``. The walk asks this module for the tracked paths of the scanned root
so that no ignore rule hides a committed file.

Only the root's own repository is read: a ``.git`` folder at the root (not a symbolic link), or a
``.git`` file naming the git folder (``gitdir: PATH``, as ``git worktree`` and submodules write it), whose
``index`` file is read and nothing else. The index (format versions 2, 3 and 4, SHA-1 or SHA-256) is
parsed within deterministic budgets of bytes and entries; its trailing checksum is verified. Anything
unexpected — a missing, oversized, truncated or malformed index — gives a reason, and the walk then
applies ignore rules to every file as before.
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
from dataclasses import dataclass
from pathlib import Path

#: At most this many bytes of index are read (a repository of a million files has an index near 100 MB).
MAX_INDEX_BYTES = 128 * 1024 * 1024
#: At most this many index entries are accepted.
MAX_INDEX_ENTRIES = 1_000_000
#: At most this many bytes of a ``.git`` file are read.
MAX_GITFILE_BYTES = 4096

_HEADER = struct.Struct(">4sII")
_FIXED = 40  # ctime, mtime (seconds and nanoseconds), dev, ino, mode, uid, gid, size: ten 32-bit fields
_EXTENDED = 0x4000
_NAME_MASK = 0x0FFF


class GitIndexError(ValueError):
    """The index cannot be read; the message says why (it becomes a scan warning)."""


@dataclass(frozen=True)
class Tracked:
    """The tracked paths of a work tree: files (POSIX paths relative to the root, as the walk spells them),
    every folder above a tracked file, and sparse-index folders (everything under them is tracked)."""

    files: frozenset[str]
    dirs: frozenset[str]
    sparse: tuple[str, ...] = ()

    def has_file(self, rel: str) -> bool:
        """Whether the file ``rel`` is tracked."""
        return rel in self.files or self._under_sparse(rel)

    def has_dir(self, rel: str) -> bool:
        """Whether the folder ``rel`` holds a tracked file."""
        return rel in self.dirs or self._under_sparse(rel)

    def _under_sparse(self, rel: str) -> bool:
        return any(rel == s or rel.startswith(s + "/") for s in self.sparse)


def _read_limited(path: Path, limit: int) -> bytes:
    """A regular file's bytes (a symbolic link in the last component is refused), at most ``limit``: the walk's
    own bounded, link-refusing read (raises ``OSError``; :class:`GitIndexError` when the file is larger)."""
    from modelclear.scan.walk import read_head  # (walk imports this module)

    data = read_head(path, limit + 1, nofollow=True)
    if len(data) > limit:
        raise GitIndexError(f"{path.name} is larger than {limit} bytes")
    return data


def git_dir(root: Path) -> Path | None:
    """The git folder of the work tree at ``root``, or None when ``root`` is not one (an export, a
    sub-folder of a checkout). Raises :class:`GitIndexError` for a ``.git`` file that cannot be read."""
    dot = root / ".git"
    try:
        st = os.lstat(dot)
    except OSError:
        return None
    if stat.S_ISDIR(st.st_mode):
        return dot
    if not stat.S_ISREG(st.st_mode):
        return None  # a link or something stranger: not followed
    try:
        text = _read_limited(dot, MAX_GITFILE_BYTES)
    except OSError as exc:
        raise GitIndexError(f".git file cannot be read: {exc.strerror or exc}") from None
    first = text.split(b"\n", 1)[0].rstrip(b"\r")
    if not first.startswith(b"gitdir:"):
        raise GitIndexError(".git file does not name a git folder")
    target = first[len(b"gitdir:"):].strip()
    if not target or b"\0" in target:
        raise GitIndexError(".git file does not name a git folder")
    return root / os.fsdecode(target)  # a relative path is relative to the work tree


def read_tracked(root: Path) -> Tracked | None:
    """The tracked paths of the work tree at ``root``; None when ``root`` is no work tree. Raises
    :class:`GitIndexError` when it is one but its index cannot be used."""
    gdir = git_dir(root)
    if gdir is None:
        return None
    index = gdir / "index"
    try:
        data = _read_limited(index, MAX_INDEX_BYTES)
    except FileNotFoundError:
        return Tracked(frozenset(), frozenset())  # a fresh repository: nothing is tracked yet
    except OSError as exc:
        raise GitIndexError(f"git index cannot be read: {exc.strerror or exc}") from None
    return parse_index(data)


def _hash_size(data: bytes) -> int:
    """20 (SHA-1) or 32 (SHA-256): the hash whose checksum of the content ends the file. A trailer of
    zeros (``index.skipHash``) is accepted for SHA-1 only, the common case."""
    for size, algorithm in ((20, "sha1"), (32, "sha256")):
        if len(data) >= _HEADER.size + size and hashlib.new(algorithm, data[:-size]).digest() == data[-size:]:
            return size
    if len(data) >= _HEADER.size + 20 and data[-20:] == bytes(20):
        return 20
    raise GitIndexError("git index checksum does not match (truncated or damaged)")


def _varint(data: bytes, pos: int, end: int) -> tuple[int, int]:
    """git's offset varint (each continuation adds one before shifting) at ``pos``: value, next pos."""
    if pos >= end:
        raise GitIndexError("git index entry is truncated")
    c = data[pos]
    pos += 1
    value = c & 0x7F
    while c & 0x80:
        if pos >= end or value > (1 << 32):
            raise GitIndexError("git index entry has a malformed name")
        c = data[pos]
        pos += 1
        value = ((value + 1) << 7) | (c & 0x7F)
    return value, pos


def parse_index(data: bytes) -> Tracked:
    """The tracked paths in the bytes of a git index (versions 2, 3, 4). Raises :class:`GitIndexError`."""
    if len(data) < _HEADER.size:
        raise GitIndexError("git index is truncated")
    signature, version, count = _HEADER.unpack_from(data)
    if signature != b"DIRC":
        raise GitIndexError("not a git index (bad signature)")
    if version not in (2, 3, 4):
        raise GitIndexError(f"git index version {version} is not supported")
    if count > MAX_INDEX_ENTRIES:
        raise GitIndexError(f"git index has more than {MAX_INDEX_ENTRIES} entries")
    hash_size = _hash_size(data)
    end = len(data) - hash_size
    pos = _HEADER.size
    files: set[str] = set()
    sparse: list[str] = []
    previous = b""
    for _ in range(count):
        start = pos
        if pos + _FIXED + hash_size + 2 > end:
            raise GitIndexError("git index entry is truncated")
        mode = struct.unpack_from(">I", data, pos + 24)[0]
        pos += _FIXED + hash_size
        flags = struct.unpack_from(">H", data, pos)[0]
        pos += 2
        if flags & _EXTENDED:
            if version < 3:
                raise GitIndexError("git index entry has extended flags in version 2")
            pos += 2
        if version == 4:
            strip, pos = _varint(data, pos, end)
            if strip > len(previous):
                raise GitIndexError("git index entry has a malformed name")
            nul = data.find(b"\0", pos, end)
            if nul < 0:
                raise GitIndexError("git index entry is truncated")
            name = previous[:len(previous) - strip] + data[pos:nul]
            pos = nul + 1
        else:
            length = flags & _NAME_MASK
            nul = data.find(b"\0", pos + length if length < _NAME_MASK else pos, end)
            if nul < 0:
                raise GitIndexError("git index entry is truncated")
            name = data[pos:nul]
            if length < _NAME_MASK and len(name) != length:
                raise GitIndexError("git index entry has a malformed name")
            pos = start + ((nul + 1 - start + 7) & ~7)  # 1-8 NULs pad the entry to a multiple of eight
            if pos > end:
                raise GitIndexError("git index entry is truncated")
        previous = name
        if not name or name.startswith(b"/"):
            raise GitIndexError("git index entry has a malformed name")
        path = os.fsdecode(name)
        if stat.S_IFMT(mode) == stat.S_IFDIR and path.endswith("/"):
            sparse.append(path.rstrip("/"))  # a sparse index's folder entry
        else:
            files.add(path)
    dirs: set[str] = set()
    for path in (*files, *sparse):
        cut = path.rfind("/")
        while cut > 0:
            parent = path[:cut]
            if parent in dirs:
                break
            dirs.add(parent)
            cut = parent.rfind("/")
    return Tracked(frozenset(files), frozenset(dirs), tuple(sorted(set(sparse))))
