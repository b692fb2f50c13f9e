"""Fetch a pinned release of a package with ``pip download`` and read its sources without installing it."""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


def canonicalize_name(name: str) -> str:
    """A distribution name normalised as PEP 503 does (``Open_CLIP.torch`` -> ``open-clip-torch``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def default_cache() -> Path:
    """Where downloaded wheels are kept between runs (``~/.cache/modelclear/wheels``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "modelclear" / "wheels"


def _matches(path: Path, package: str, version: str) -> bool:
    name = path.name
    if name.endswith(".whl"):
        dist, ver = name.split("-")[:2]
    elif name.endswith((".tar.gz", ".zip")):
        stem = name.removesuffix(".tar.gz").removesuffix(".zip")
        dist, _, ver = stem.rpartition("-")
    else:
        return False
    return canonicalize_name(dist) == canonicalize_name(package) and ver == version


def find_cached(package: str, version: str, cache: Path) -> Path | None:
    """A wheel (preferred) or sdist of ``package==version`` already in ``cache``."""
    if not cache.is_dir():
        return None
    found = sorted((p for p in cache.iterdir() if _matches(p, package, version)),
                   key=lambda p: not p.name.endswith(".whl"))
    return found[0] if found else None


def download(package: str, version: str, cache: Path | None = None) -> Path:
    """The archive of ``package==version``: from the cache, else ``pip download --no-deps`` into it.

    Only the one distribution is fetched (no dependencies) and nothing is installed or imported.
    """
    cache = cache or default_cache()
    hit = find_cached(package, version, cache)
    if hit is not None:
        return hit
    cache.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":none:", "--quiet",
           "-d", str(cache), f"{package}=={version}"]
    subprocess.run(cmd, check=True)
    hit = find_cached(package, version, cache)
    if hit is None:
        raise FileNotFoundError(f"pip download left no archive for {package}=={version} in the cache")
    return hit


@dataclass(frozen=True)
class SourceArchive:
    """The text files of a wheel or sdist, read straight from the archive (never extracted or imported)."""

    path: Path
    members: tuple[str, ...]

    @classmethod
    def open(cls, path: Path) -> SourceArchive:
        """Index the members of a ``.whl``/``.zip`` or ``.tar.gz`` archive."""
        if path.name.endswith((".whl", ".zip")):
            with zipfile.ZipFile(path) as zf:
                names = tuple(sorted(n for n in zf.namelist() if not n.endswith("/")))
        else:
            with tarfile.open(path, "r:*") as tf:
                names = tuple(sorted(m.name for m in tf.getmembers() if m.isfile()))
        return cls(path, names)

    def glob(self, pattern: str) -> list[str]:
        """Members whose path, with any sdist top folder removed, matches ``pattern`` (fnmatch)."""
        return [m for m in self.members if fnmatch.fnmatch(self._inner(m), pattern)]

    def _inner(self, member: str) -> str:
        if self.path.name.endswith(".whl"):
            return member
        return member.split("/", 1)[1] if "/" in member else member

    def read(self, member: str) -> str:
        """The text of one member (UTF-8)."""
        if self.path.name.endswith((".whl", ".zip")):
            with zipfile.ZipFile(self.path) as zf:
                return zf.read(member).decode("utf-8")
        with tarfile.open(self.path, "r:*") as tf:
            handle = tf.extractfile(member)
            if handle is None:
                raise FileNotFoundError(member)
            return handle.read().decode("utf-8")

    def read_inner(self, inner: str) -> str:
        """The text of the member whose inner path is exactly ``inner``."""
        matches = [m for m in self.members if self._inner(m) == inner]
        if not matches:
            raise FileNotFoundError(f"{inner} not in {self.path.name}")
        return self.read(matches[0])

    def inner(self, member: str) -> str:
        """The member's path inside the package (sdist top folder removed)."""
        return self._inner(member)
