"""The local Hugging Face hub cache: :class:`CacheIndex`, :func:`find_in_cache`, :func:`read_cached_card`.

Part of :mod:`modelclear.catalog.hf`, which re-exports these names.
"""

from __future__ import annotations

import datetime as _dt
import functools
import os
import stat as _stat
from collections.abc import Callable
from pathlib import Path

from modelclear.catalog.hflocal import LocalModel, _read_local

_REPO_TYPES = {"model": "model", "dataset": "dataset"}


def hf_hub_cache_dir() -> Path:
    """The Hugging Face hub cache, from the environment at call time.

    ``HF_HUB_CACHE`` (or the older ``HUGGINGFACE_HUB_CACHE``) wins; else ``$HF_HOME/hub``; else
    ``$XDG_CACHE_HOME/huggingface/hub``; else ``~/.cache/huggingface/hub`` — the order
    ``huggingface_hub`` itself uses.
    """
    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        value = os.environ.get(var)
        if value:
            return Path(os.path.expandvars(value)).expanduser()
    home = os.environ.get("HF_HOME")
    if home:
        return Path(os.path.expandvars(home)).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "huggingface" / "hub"


def _repo_type(kind: str) -> str:
    try:
        return _REPO_TYPES[kind]
    except KeyError:
        raise ValueError(f"kind must be 'model' or 'dataset', not {kind!r}") from None


#: Names ``huggingface_hub.scan_cache_dir`` ignores inside a ``snapshots`` or ``refs`` folder.
_IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
#: The files that make a cached snapshot worth reading.
_CARD_FILES = ("README.md", "config.json")


class CacheIndex:
    """The repo folders of one Hugging Face hub cache, listed once and reused for every lookup.

    A lookup then costs a few ``stat`` calls (the cache folder, ``refs/main``, the snapshot files)
    instead of a listing of the whole cache. The listing is made again when the cache folder's
    modification time changes (a repo was added or removed), so a long-lived index stays current.
    """

    def __init__(self, cache_dir: str | os.PathLike[str] | None = None) -> None:
        self.cache = Path(cache_dir) if cache_dir is not None else hf_hub_cache_dir()
        self._stamp: int | None = None
        self._names: frozenset[str] = frozenset()
        self._lower: dict[str, list[str]] = {}

    def _refresh(self) -> bool:
        """Bring the listing up to date; ``False`` when the cache folder is absent or unreadable."""
        try:
            st = os.stat(self.cache)
        except (OSError, ValueError):
            return False
        if not _stat.S_ISDIR(st.st_mode):
            return False
        if self._stamp == st.st_mtime_ns:
            return True
        names: list[str] = []
        try:
            with os.scandir(self.cache) as entries:
                names = [entry.name for entry in entries if "--" in entry.name]
        except OSError:
            return False
        lower: dict[str, list[str]] = {}
        for name in sorted(names):
            lower.setdefault(name.lower(), []).append(name)
        self._names, self._lower, self._stamp = frozenset(names), lower, st.st_mtime_ns
        return True

    def find(self, repo_id: str, kind: str = "model") -> Path | None:
        """The snapshot folder of ``repo_id`` holding its README.md or config.json, or ``None``.

        The revision ``refs/main`` points to is preferred (as ``huggingface_hub.try_to_load_from_cache``
        resolves it: README.md first, then config.json, honouring ``.no_exist`` markers); without one,
        the newest revision holding either file, over the repo folders whose name matches regardless
        of case (as a ``huggingface_hub.scan_cache_dir`` search would find them). A repo id the Hub
        would refuse gives ``None``; a ``kind`` other than model/dataset raises ``ValueError``.
        """
        repo_type = _repo_type(kind)
        if not self._refresh() or not _valid_repo_id(repo_id):
            return None
        folder = f"{repo_type}s--" + repo_id.replace("/", "--")
        if folder in self._names:
            hit = _main_snapshot(os.path.join(self.cache, folder))
            if hit is not None:
                return hit
        prefix = f"{repo_type}s--"
        for name in sorted(self._lower.get(folder.lower(), ()), key=lambda n: n != folder):
            if name.startswith(prefix):
                hit = _newest_snapshot(self.cache / name)
                if hit is not None:
                    return hit
        return None


@functools.cache
def _repo_id_validator() -> Callable[[str], object]:
    from huggingface_hub.utils import validate_repo_id

    return validate_repo_id


def _valid_repo_id(repo_id: str) -> bool:
    try:
        _repo_id_validator()(repo_id)
    except ValueError:
        return False
    return True


def _main_snapshot(repo: str) -> Path | None:
    """The ``refs/main`` snapshot holding README.md (else config.json), read as huggingface_hub does."""
    join, isfile = os.path.join, os.path.isfile
    revision = "main"
    ref = join(repo, "refs", "main")
    if isfile(ref):
        try:
            with open(ref, encoding="utf-8", errors="replace") as fh:
                revision = fh.read(4096)  # not stripped: huggingface_hub does not strip it either
        except OSError:
            return None
    separators = (os.sep, os.altsep or os.sep, "\0")
    if not revision or any(c in revision for c in separators) or revision in (".", ".."):
        return None  # never a snapshot folder name (huggingface_hub compares with a listing)
    snapshot = join(repo, "snapshots", revision)
    for filename in _CARD_FILES:
        if isfile(join(repo, ".no_exist", revision, filename)):
            continue
        if isfile(join(snapshot, filename)):
            return Path(snapshot)
    return None


def _newest_snapshot(repo: Path) -> Path | None:
    """The newest revision of ``repo`` holding README.md or config.json, judged as ``scan_cache_dir`` does.

    A revision's date is the newest modification time of its files' blobs (of the folder when empty);
    a repo folder ``scan_cache_dir`` would call corrupted (a broken link, a file among the snapshots,
    a ref to a missing revision) is skipped.
    """
    snapshots = repo / "snapshots"
    refs = repo / "refs"
    try:
        if not snapshots.is_dir() or refs.is_file():
            return None
        referenced: set[str] = set()
        for folder, _dirs, files in os.walk(refs):
            for name in files:
                if name not in _IGNORED_NAMES:
                    referenced.add((Path(folder) / name).read_text(encoding="utf-8", errors="replace"))
        revisions: list[tuple[float, bool, Path]] = []
        for entry in os.scandir(snapshots):
            if entry.name in _IGNORED_NAMES:
                continue
            if not entry.is_dir():
                return None
            newest: float | None = None
            names: set[str] = set()
            for folder, _dirs, files in os.walk(entry.path):
                for name in files:
                    file_path = os.path.join(folder, name)
                    blob = (os.path.abspath(os.path.join(folder, os.readlink(file_path))) if os.path.islink(file_path)
                            else file_path)
                    if not os.path.exists(blob):
                        return None
                    mtime = os.stat(blob).st_mtime
                    newest = mtime if newest is None else max(newest, mtime)
                    names.add(name)
            if newest is None:
                newest = entry.stat().st_mtime
            referenced.discard(entry.name)
            revisions.append((newest, bool(names.intersection(_CARD_FILES)), Path(entry.path)))
    except (OSError, ValueError):
        return None
    if referenced:
        return None
    for _when, has_card, snapshot in sorted(revisions, key=lambda r: r[0], reverse=True):
        if has_card:
            return snapshot
    return None


def find_in_cache(repo_id: str, kind: str = "model",
                  cache_dir: str | os.PathLike[str] | None = None, *,
                  index: CacheIndex | None = None) -> Path | None:
    """The cached snapshot folder of ``repo_id`` that holds its README.md or config.json, or ``None``.

    The revision ``refs/main`` points to first (as ``huggingface_hub.try_to_load_from_cache`` finds
    it), else the newest revision holding either file, e.g. a download pinned to a commit (as a
    ``scan_cache_dir`` search finds it); see :meth:`CacheIndex.find`. Pass the ``index`` of the
    cache to look many repos up without listing the cache folder each time.
    """
    _repo_type(kind)
    if index is None:
        index = CacheIndex(cache_dir)
    return index.find(repo_id, kind)


def read_cached_card(repo_id: str, kind: str = "model",
                     cache_dir: str | os.PathLike[str] | None = None, *,
                     index: CacheIndex | None = None) -> tuple[LocalModel, _dt.date] | None:
    """The card (and config) of ``repo_id`` from the HF cache with the snapshot's date, or ``None``.

    The date is that of the newest of README.md and config.json (of the snapshot folder without
    either). ``index`` is the :class:`CacheIndex` to look the repo up in (one is made when absent).
    """
    snapshot = find_in_cache(repo_id, kind, cache_dir, index=index)
    if snapshot is None:
        return None
    local, stamps = _read_local(snapshot)
    if not stamps:
        try:
            stamps.append(os.stat(snapshot).st_mtime)
        except OSError:
            return None
    return local, _dt.datetime.fromtimestamp(max(stamps), tz=_dt.UTC).date()

