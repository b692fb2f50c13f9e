"""An uploaded project archive unpacked as data, into a private folder, or refused with a reason.

``modelclear web`` scans projects that people upload (issue 13). An upload is hostile until proven
otherwise, so it is read by these rules, each with its own :class:`UnsafeArchive` code (a message in
English and Japanese under ``web.error.archive_<code>``):

* **Format by content, not by name**: zip, tar, and tar compressed with gzip, bzip2 or xz; anything
  else is ``not_archive``. The archive is read as a stream, once; nothing in it is executed, and file
  modes, owners and times are not kept (files are written ``0600``, folders ``0700``).
* **Names**: an absolute name, a drive letter, a backslash, a ``..`` component or a NUL byte is
  ``path`` (the whole upload is refused: a project archive never needs one); a name deeper than
  :attr:`ArchiveLimits.depth` components, or a component over 255 bytes, is ``path`` too. Names that
  are not UTF-8 are kept as the bytes they are (the scanner reads file names as bytes) and counted in
  :attr:`Unpacked.undecodable`.
* **Links and special files**: symbolic links, hard links, devices and FIFOs are ``link`` — an
  archive link could point out of the folder or at a secret on the server.
* **Bombs**: more than :attr:`ArchiveLimits.entries` entries is ``entries``; more than
  :attr:`ArchiveLimits.total_bytes` unpacked (counted as the bytes are read, never trusting a header)
  or an expansion ratio over :attr:`ArchiveLimits.ratio` once past :attr:`ArchiveLimits.ratio_floor`
  bytes is ``bomb``. An upload over :attr:`ArchiveLimits.upload_bytes` is ``too_large``.
* **Conflicts**: an entry named twice, or a file where a folder is needed, is ``duplicate``.
* **Nested archives** are stored as the files they are and not opened (the scanner does not read into
  them); they are listed in :attr:`Unpacked.nested` so the page can say so.

:func:`unpacked` gives a private temporary folder (``0700``, under the system's temp dir) that is
removed when the ``with`` block ends, whatever happens inside it. Every bound is a count of bytes or
entries, so the same upload gives the same answer on any machine.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import os
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

#: Suffixes of files stored but not opened (archives inside the archive).
NESTED_SUFFIXES = (".zip", ".tar", ".tgz", ".tar.gz", ".tar.bz2", ".tar.xz", ".gz", ".bz2", ".xz", ".7z", ".rar",
                   ".whl", ".jar")

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    """Deterministic bounds on one upload."""

    upload_bytes: int = 64 * 1024 * 1024
    total_bytes: int = 512 * 1024 * 1024
    entries: int = 20_000
    ratio: int = 100
    ratio_floor: int = 8 * 1024 * 1024
    depth: int = 48


@dataclass(frozen=True)
class Unpacked:
    """What an upload held."""

    files: int
    bytes: int
    undecodable: int
    nested: tuple[str, ...]


class UnsafeArchive(Exception):
    """An upload refused: ``code`` names the rule (``web.error.archive_<code>``), ``entry`` the offending name."""

    def __init__(self, code: str, entry: str = "") -> None:
        """``code`` is one of the rules of this module; ``entry`` is shown escaped by the page."""
        super().__init__(f"{code}: {entry}" if entry else code)
        self.code = code
        self.entry = entry


def kind_of(head: bytes) -> str | None:
    """``zip``, ``gz``, ``bz2``, ``xz`` or ``tar`` from an upload's first 512 bytes, or None."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        return "gz"
    if head.startswith(b"BZh"):
        return "bz2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    return None


def _shown(raw: bytes) -> str:
    return raw.decode("utf-8", "backslashreplace")[:300]


def _parts(raw: bytes, limits: ArchiveLimits) -> tuple[bytes, ...]:
    """The path components of an entry name, or :class:`UnsafeArchive` ``path``."""
    if (not raw or b"\x00" in raw or b"\\" in raw or raw.startswith(b"/")
            or (len(raw) >= 2 and raw[1:2] == b":" and raw[:1].isalpha())):
        raise UnsafeArchive("path", _shown(raw))
    parts = tuple(p for p in raw.split(b"/") if p not in (b"", b"."))
    if not parts or b".." in parts or len(parts) > limits.depth or any(len(p) > 255 for p in parts):
        raise UnsafeArchive("path", _shown(raw))
    return parts


class _Writer:
    """Writes entries under ``root``, counting bytes and entries against the limits."""

    def __init__(self, root: Path, limits: ArchiveLimits, packed: int) -> None:
        self.root = os.fsencode(root)
        self.limits = limits
        self.packed = max(packed, 1)
        self.files = 0
        self.entries = 0
        self.written = 0
        self.undecodable = 0
        self.nested: list[str] = []
        self.kinds: dict[tuple[bytes, ...], str] = {}

    def count_entry(self) -> None:
        self.entries += 1
        if self.entries > self.limits.entries:
            raise UnsafeArchive("entries", str(self.limits.entries))

    def grow(self, n: int) -> None:
        """``n`` more bytes unpacked (data or, for a stream, headers): the total and the ratio are checked."""
        self.written += n
        if self.written > self.limits.total_bytes:
            raise UnsafeArchive("bomb")
        if self.written > self.limits.ratio_floor and self.written > self.limits.ratio * self.packed:
            raise UnsafeArchive("bomb")

    def _claim(self, parts: tuple[bytes, ...], kind: str) -> None:
        for i in range(1, len(parts)):
            if self.kinds.setdefault(parts[:i], "dir") != "dir":
                raise UnsafeArchive("duplicate", _shown(b"/".join(parts[:i])))
        known = self.kinds.get(parts)
        if known is not None and (known != "dir" or kind != "dir"):
            raise UnsafeArchive("duplicate", _shown(b"/".join(parts)))
        self.kinds[parts] = kind

    def directory(self, raw: bytes) -> None:
        if raw.strip(b"/") in (b".", b"") and not raw.startswith(b"/"):
            return  # the archive's own top folder ("./"), as `tar -C dir -czf x.tgz .` writes it
        parts = _parts(raw, self.limits)
        self._claim(parts, "dir")
        os.makedirs(os.path.join(self.root, *parts), mode=0o700, exist_ok=True)

    def file(self, raw: bytes, source: IO[bytes]) -> None:
        parts = _parts(raw, self.limits)
        self._claim(parts, "file")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            self.undecodable += 1
        if raw.lower().endswith(tuple(s.encode() for s in NESTED_SUFFIXES)):
            self.nested.append(_shown(raw))
        folder = os.path.join(self.root, *parts[:-1])
        os.makedirs(folder, mode=0o700, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(os.path.join(folder, parts[-1]), flags, 0o600)
        with os.fdopen(fd, "wb") as out:
            while chunk := source.read(_CHUNK):
                self.grow(len(chunk))
                out.write(chunk)
        self.files += 1

    def result(self) -> Unpacked:
        return Unpacked(files=self.files, bytes=self.written, undecodable=self.undecodable,
                        nested=tuple(sorted(self.nested)))


def _zip_name(info: zipfile.ZipInfo) -> bytes:
    """The entry name as stored: UTF-8 when the archive says so, else the raw bytes (cp437 undone)."""
    if info.flag_bits & 0x800:
        return info.filename.encode("utf-8", "surrogateescape")
    return info.filename.encode("cp437")


def _unzip(data: bytes, writer: _Writer) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnsafeArchive("corrupt", str(exc)[:200]) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > writer.limits.entries:
            raise UnsafeArchive("entries", str(writer.limits.entries))
        for info in infos:
            writer.count_entry()
            raw = _zip_name(info)
            file_type = stat.S_IFMT(info.external_attr >> 16)  # Unix file type bits, 0 when not recorded
            if info.create_system == 3 and file_type not in (0, stat.S_IFREG, stat.S_IFDIR):
                raise UnsafeArchive("link", _shown(raw))
            if info.is_dir():
                writer.directory(raw)
                continue
            if info.file_size > writer.limits.total_bytes:
                raise UnsafeArchive("bomb", _shown(raw))
            try:
                with archive.open(info) as source:
                    writer.file(raw, source)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
                raise UnsafeArchive("corrupt", str(exc)[:200]) from None


class _Counted(io.RawIOBase):
    """A decompressed stream whose every byte is counted against the writer's limits (headers included)."""

    def __init__(self, inner: io.BufferedIOBase, writer: _Writer) -> None:
        self.inner = inner
        self.writer = writer
        self.seen = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        chunk = self.inner.read(len(buffer))
        n = len(chunk)
        buffer[:n] = chunk
        self.seen += n
        if self.seen > self.writer.limits.total_bytes * 2 or (
                self.seen > self.writer.limits.ratio_floor and self.seen > self.writer.limits.ratio * self.writer.packed
        ):
            raise UnsafeArchive("bomb")
        return n


def _untar(data: bytes, kind: str, writer: _Writer) -> None:
    packed = io.BytesIO(data)
    decompress: dict[str, Callable[[io.BytesIO], io.BufferedIOBase]] = {
        "gz": lambda f: gzip.GzipFile(fileobj=f), "bz2": bz2.BZ2File, "xz": lzma.LZMAFile}
    try:
        with (decompress.get(kind, lambda f: f)(packed) as inner,
              io.BufferedReader(_Counted(inner, writer), _CHUNK) as stream,
              tarfile.open(fileobj=stream, mode="r|", encoding="utf-8", errors="surrogateescape") as archive):
            for member in archive:
                writer.count_entry()
                raw = member.name.encode("utf-8", "surrogateescape")
                if member.isdir():
                    writer.directory(raw)
                elif member.isreg():
                    if member.size > writer.limits.total_bytes:
                        raise UnsafeArchive("bomb", _shown(raw))
                    source = archive.extractfile(member)
                    if source is None:
                        raise UnsafeArchive("corrupt", _shown(raw))
                    writer.file(raw, source)
                elif member.type in (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.GNUTYPE_LONGNAME,
                                     tarfile.GNUTYPE_LONGLINK):
                    continue
                else:
                    raise UnsafeArchive("link", _shown(raw))
    except (tarfile.TarError, EOFError, OSError, zlib.error, lzma.LZMAError, ValueError) as exc:
        raise UnsafeArchive("corrupt", str(exc)[:200]) from None


def unpack(data: bytes, dest: Path, limits: ArchiveLimits | None = None) -> Unpacked:
    """Unpack the upload ``data`` under the existing, empty folder ``dest``.

    Raises:
        UnsafeArchive: the upload breaks one of the rules of this module (``dest`` may then hold part
            of it; :func:`unpacked` removes it).
    """
    limits = limits or ArchiveLimits()
    if len(data) > limits.upload_bytes:
        raise UnsafeArchive("too_large", str(limits.upload_bytes))
    kind = kind_of(data[:512])
    if kind is None:
        raise UnsafeArchive("not_archive")
    writer = _Writer(dest, limits, len(data))
    if kind == "zip":
        _unzip(data, writer)
    else:
        _untar(data, kind, writer)
    return writer.result()


@contextlib.contextmanager
def private_folder() -> Iterator[Path]:
    """A new ``0700`` folder under the system's temp dir, removed (with everything in it) on exit."""
    with tempfile.TemporaryDirectory(prefix="modelclear-upload-") as folder:
        os.chmod(folder, 0o700)
        yield Path(folder)


@contextlib.contextmanager
def unpacked(data: bytes, limits: ArchiveLimits | None = None) -> Iterator[tuple[Path, Unpacked]]:
    """The upload unpacked in a private folder (``project/`` inside it), removed when the block ends."""
    with private_folder() as folder:
        root = folder / "project"
        root.mkdir(mode=0o700)
        yield root, unpack(data, root, limits)
