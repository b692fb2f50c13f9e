"""The knowledge lock: ``modelclear.lock``, the Hub facts an ``--online`` run read, pinned for later runs.

``--online`` reads a card from the Hugging Face Hub when the knowledge base does not know an id. What
it read — the card's licence, base models, datasets and other front matter, the repository's gating,
the commit sha the card was read at, the date and the card's address — is written to a lock file, and
every later run (in CI, offline) reads the same facts from it, so that it gives the same answer until
``modelclear kb refresh`` reads the Hub again and reports what changed.

Precedence, for one id: a reviewed record (the bundled knowledge or a ``--kb`` overlay) always wins;
then the lock; then, with ``--online``, the Hub (and what it gives is added to the lock); then the local
Hugging Face cache. A lock entry whose licence disagrees with a reviewed record is not used, and is
worth a warning (:func:`disagreements`).

The file's format — its entries, TOML writing and reading and the bounds a lock file is held to —
is in :mod:`modelclear.catalog.lockfile`; its names are re-exported here.
"""

from __future__ import annotations

import datetime as _dt
import errno
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelclear.catalog import KnowledgeBase
from modelclear.catalog.lockfile import (
    KINDS,
    LOCK_NAME,
    MAX_ENTRIES,
    MAX_ITEMS,
    MAX_LOCK_BYTES,
    MAX_TEXT,
    SCHEMA_VERSION,
    LockEntry,
    LockError,
    dumps,
    find_path,
    one_line,
    parse,
    within_bounds,
)
from modelclear.model import Artifact, ArtifactRef

__all__ = ["LOCK_NAME", "MAX_ENTRIES", "MAX_ITEMS", "MAX_LOCK_BYTES", "MAX_TEXT", "SCHEMA_VERSION", "Change", "Lock",
           "LockEntry", "LockError", "LockSource", "attach", "disagreements", "dumps", "entry_from_read", "find_path",
           "open_lock", "parse", "refresh", "report_warnings"]


def entry_from_read(artifact_id: str, read: Any) -> LockEntry:
    """The lock entry for what :func:`modelclear.catalog.hfhub.read_repo` read (``read.ok`` must hold)."""
    from modelclear.catalog.hfcard import parse_card

    card = parse_card(read.text or "")
    return within_bounds(LockEntry(
        id=artifact_id, repo=read.repo_id, kind=read.kind, revision=read.revision, read_on=read.read_on,
        source=read.source_url, gated=read.gated, last_modified=read.last_modified,
        license=card.license or "", license_name=card.license_name or "", license_link=card.license_link or "",
        base_models=card.base_models, base_model_relation=card.base_model_relation or "", datasets=card.datasets,
        pipeline_tag=card.pipeline_tag or "", library_name=card.library_name or "", language=card.language,
        tags=card.tags, card_warnings=card.warnings))


# --- the file -------------------------------------------------------------------------------------------


@dataclass
class Lock:
    """The entries of one lock file, by lower-cased id; ``changed`` once something was added or replaced."""

    path: Path
    entries: dict[str, LockEntry] = field(default_factory=dict)
    changed: bool = False
    existed: bool = False

    @classmethod
    def load(cls, path: Path) -> Lock:
        """The lock at ``path`` (empty when there is no such file); :class:`LockError` when it cannot be used."""
        shown = _display(path)
        try:
            if not path.exists():
                return cls(path)
            if not path.is_file():
                raise LockError(f"{shown}: not a file")
            if path.stat().st_size > MAX_LOCK_BYTES:
                raise LockError(f"{shown}: larger than {MAX_LOCK_BYTES >> 20} MiB; not a lock file")
            with path.open("rb") as fh:
                data = fh.read(MAX_LOCK_BYTES + 1)
        except OSError as exc:
            raise LockError(f"{shown}: cannot read the lock file ({exc.strerror or type(exc).__name__})") from None
        if len(data) > MAX_LOCK_BYTES:
            raise LockError(f"{shown}: larger than {MAX_LOCK_BYTES >> 20} MiB; not a lock file")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise LockError(f"{shown}: not UTF-8 text") from None
        return cls(path, parse(text, shown), existed=True)

    def get(self, artifact_id: str) -> LockEntry | None:
        """The entry for ``artifact_id`` (ids compare without case, as the Hub's do), or ``None``."""
        return self.entries.get(artifact_id.lower())

    def put(self, entry: LockEntry) -> None:
        """Add or replace the entry of ``entry.id``."""
        key = entry.id.lower()
        if self.entries.get(key) != entry:
            self.entries[key] = entry
            self.changed = True

    def dumps(self) -> str:
        """The lock as TOML text (see :func:`dumps`)."""
        return dumps(self.entries.values())

    def save(self) -> None:
        """Write the lock (atomically: a temporary file beside it, then renamed); ``OSError`` on failure.

        A lock that could not be read back (over :data:`MAX_ENTRIES` or :data:`MAX_LOCK_BYTES`, which
        a few hostile cards could cause) is not written: ``OSError`` (``EFBIG``) saying so.
        """
        text = self.dumps()
        if len(self.entries) > MAX_ENTRIES or len(text.encode("utf-8")) > MAX_LOCK_BYTES:
            raise OSError(errno.EFBIG, f"it would hold more than {MAX_ENTRIES} entries or {MAX_LOCK_BYTES >> 20} "
                          "MiB, more than a lock may be; not written")
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(text, encoding="utf-8", newline="\n")
            tmp.replace(self.path)
        finally:
            if tmp.exists():
                tmp.unlink()
        self.changed = False
        self.existed = True


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def open_lock(path: Path, *, online: bool = False, required: bool = False) -> Lock | None:
    """The lock a run uses, as the command line and the Python API open it: the file at ``path``;
    ``None`` when there is no such file and the run is offline (nothing to read, nothing to write).

    Raises:
        LockError: the file cannot be used, or ``required`` (the user named it) and it does not exist offline.
    """
    lock = Lock.load(path)
    if not lock.existed and not online:
        if required:
            raise LockError(f"no such lock file: {_display(path)} (run once with --online to write it)")
        return None
    return lock


# --- in the catalog -------------------------------------------------------------------------------------


@dataclass
class LockSource:
    """A catalog source over a lock: an id the lock holds is answered from it; with ``online``, an id
    it does not hold is read from the Hub (:func:`modelclear.catalog.hfhub.read_repo`) and added.

    ``failures`` lists the ids the Hub could not give, with the reason.
    """

    kb: KnowledgeBase
    lock: Lock
    online: bool = False
    today: _dt.date | None = None
    name: str = "lock"
    failures: list[tuple[str, str]] = field(default_factory=list)
    #: lock entries a reviewed record overrides with another licence (:func:`disagreements`, set by :func:`attach`)
    disagreements: list[str] = field(default_factory=list)

    def lookup(self, ref: ArtifactRef) -> Artifact | None:
        """The artifact of ``ref`` from the lock, or read from the Hub and locked (``online``), or ``None``."""
        scheme, _, repo = ref.id.partition(":")
        kind = KINDS.get(scheme)
        if kind is None or "/" not in repo:
            return None
        entry = self.lock.get(ref.id)
        if entry is None and self.online:
            from modelclear.catalog.hfhub import read_repo

            read = read_repo(repo, kind, today=self.today)
            if not read.ok:
                self.failures.append((ref.id, read.reason))
                return None
            entry = entry_from_read(ref.id, read)
            self.lock.put(entry)
        if entry is None:
            return None
        return entry.artifact(self.kb.license_key, self.lock.path.name, self.today)


def attach(catalog: Any, lock: Lock, *, online: bool, today: _dt.date | None = None) -> LockSource:
    """Put a :class:`LockSource` first among ``catalog``'s sources (after the reviewed knowledge, which the
    catalog always asks first). With ``online`` it replaces the plain Hub source: new ids are read from
    the Hub through the lock, before the local HF cache is asked."""
    from modelclear.catalog.sources import HFHubSource

    source = LockSource(catalog.kb, lock, online=online, today=today)
    source.disagreements = disagreements(catalog.kb, lock)
    catalog.sources[:] = [source, *(s for s in catalog.sources if not isinstance(s, (HFHubSource, LockSource)))]
    return source


def report_warnings(source: LockSource) -> list[Any]:
    """What a report states about the lock of its run (:class:`modelclear.scan.base.ScanWarning`, code ``lock``):
    entries the reviewed knowledge overrides with another licence, and ids the Hub could not give."""
    from modelclear.scan.base import ScanWarning

    name = source.lock.path.name
    prefix = f"{name}: "
    out = [ScanWarning(path=name, message=line.removeprefix(prefix), code="lock") for line in source.disagreements]
    out += [ScanWarning(path=name, message=f"{artifact_id}: not read from the Hub: {reason}", code="lock")
            for artifact_id, reason in source.failures]
    return out


def disagreements(kb: KnowledgeBase, lock: Lock) -> list[str]:
    """Warnings for lock entries that a reviewed record overrides with another licence (sorted by id)."""
    out = []
    for entry in sorted(lock.entries.values(), key=lambda e: e.id.lower()):
        canonical = kb.canonical(entry.id) or entry.id
        known = kb.artifact(canonical)
        if known is None or not entry.license:
            continue
        lock_license = _resolved(kb, entry)
        if lock_license is None or known.license is None:
            continue
        if (kb.license_key(known.license) or known.license).lower() != lock_license.lower():
            out.append(f"{lock.path.name}: {entry.id}: the card read on {entry.read_on.isoformat()} says "
                       f"'{one_line(entry.license)}', the reviewed knowledge base says '{known.license}'; "
                       "the knowledge base is used")
    return out


def _resolved(kb: KnowledgeBase, entry: LockEntry) -> str | None:
    art = entry.artifact(kb.license_key)
    return art.license if art.license not in (None, "unknown") else None


# --- refresh --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """What ``kb refresh`` found for one entry: ``status`` is ``changed``, ``unchanged`` or ``failed``."""

    id: str
    status: str
    fields: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    reason: str = ""

    @property
    def license_changed(self) -> bool:
        """True when the card's licence (or its name or link for ``other``) changed."""
        return any(k in self.fields for k in ("license", "license_name", "license_link"))


#: Facts whose change ``kb refresh`` reports (the read date and card address change with every refresh).
_COMPARED = ("license", "license_name", "license_link", "gated", "base_models", "base_model_relation", "datasets",
             "revision", "pipeline_tag", "library_name", "language", "tags", "card_warnings", "last_modified")


def refresh(lock: Lock, ids: Iterable[str] = (), *, read: Callable[[str, str], Any] | None = None,
            today: _dt.date | None = None) -> list[Change]:
    """Read every entry of ``lock`` (or only ``ids``) from the Hub again and replace it; one :class:`Change`
    per entry, sorted by id. An entry the Hub cannot give is kept as it was (status ``failed``)."""
    from modelclear.catalog.hfhub import read_repo

    wanted = {i.lower() for i in ids}
    changes = []
    for key in sorted(lock.entries):
        if wanted and key not in wanted:
            continue
        old = lock.entries[key]
        got = read(old.repo, old.kind) if read is not None else read_repo(old.repo, old.kind, today=today)
        if not got.ok:
            changes.append(Change(old.id, "failed", reason=got.reason))
            continue
        new = entry_from_read(old.id, got)
        diff = {k: (getattr(old, k), getattr(new, k)) for k in _COMPARED if getattr(old, k) != getattr(new, k)}
        lock.put(new)
        changes.append(Change(old.id, "changed" if diff else "unchanged", diff))
    missing = sorted(wanted - set(lock.entries))
    changes += [Change(i, "failed", reason=f"not in {lock.path.name}") for i in missing]
    return changes
