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

The file is TOML (read with :mod:`tomllib`, which builds only plain values), deterministic (entries
sorted by id, keys in a fixed order, one way of writing each value) and small enough to review in a
pull request::

    # modelclear.lock: ...
    schema = 1

    [artifact."hf:Felladrin/Llama-160M-Chat-v1"]
    repo = "Felladrin/Llama-160M-Chat-v1"
    kind = "model"
    revision = "a3c1f2..."           # the commit the card was read at
    read_on = 2026-12-07             # the date it was read
    source = "https://huggingface.co/Felladrin/Llama-160M-Chat-v1/blob/a3c1f2.../README.md"
    gated = false                    # or "auto", "manual", as the Hub's API says
    license = "apache-2.0"
    base_models = ["JackFram/llama-160m"]
    datasets = ["..."]

A lock file is input like any other: one that is not valid TOML, larger than :data:`MAX_LOCK_BYTES`,
holds more than :data:`MAX_ENTRIES` entries, has a value of the wrong type, an unknown key or another
schema version raises :class:`LockError` with one line naming the file and the entry (exit 3).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import errno
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modelclear.catalog import KnowledgeBase
from modelclear.ids import try_parse
from modelclear.model import Artifact, ArtifactRef, Confidence, LocalText, Source

#: The lock file's name, beside the policy file (or in the project folder without one).
LOCK_NAME = "modelclear.lock"
#: The lock format written, and the only one read.
SCHEMA_VERSION = 1
#: A lock larger than this is refused before it is parsed (5,000 typical entries take about 2.2 MB).
MAX_LOCK_BYTES = 4 << 20
#: Most entries a lock may hold.
MAX_ENTRIES = 5_000
#: Longest text value and most items in a list value of one entry.
MAX_TEXT = 4_000
MAX_ITEMS = 1_000

_HEADER = (
    "# modelclear.lock: facts `modelclear --online` read from the Hugging Face Hub for ids the knowledge\n"
    "# base does not know, pinned so that later runs (CI, offline) give the same answer. Review changes like\n"
    "# code; update with `modelclear kb refresh`. Reviewed knowledge (bundled or --kb) always wins over it.\n"
)
_SHA = re.compile(r"[0-9a-f]{40}")
_KINDS = {"hf": "model", "hf-dataset": "dataset"}
_RELATIONS = ("finetune", "adapter", "merge", "quantized", "distill")


class LockError(ValueError):
    """A lock file that cannot be used (unreadable, malformed, hostile): one line, exit 3."""


@dataclass(frozen=True)
class LockEntry:
    """The facts read from the Hub for one repository, as the lock holds them."""

    id: str
    repo: str
    kind: str
    revision: str
    read_on: _dt.date
    source: str
    gated: str = ""  # "" (not gated), "auto" or "manual"
    last_modified: str = ""
    license: str = ""
    license_name: str = ""
    license_link: str = ""
    base_models: tuple[str, ...] = ()
    base_model_relation: str = ""
    datasets: tuple[str, ...] = ()
    pipeline_tag: str = ""
    library_name: str = ""
    language: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    card_warnings: tuple[str, ...] = ()

    def card(self) -> Any:
        """The card's front matter as :class:`~modelclear.catalog.hfcard.CardData`."""
        from modelclear.catalog.hfcard import CardData

        return CardData(
            license=self.license or None, license_name=self.license_name or None,
            license_link=self.license_link or None, base_models=self.base_models,
            base_model_relation=self.base_model_relation or None, datasets=self.datasets, tags=self.tags,
            pipeline_tag=self.pipeline_tag or None, gated=bool(self.gated), language=self.language,
            library_name=self.library_name or None, has_front_matter=True, warnings=self.card_warnings)

    def artifact(self, license_key: Callable[[str], str | None] | None, lock_name: str = LOCK_NAME,
                 today: _dt.date | None = None) -> Artifact:
        """The artifact record these facts give: the card's record, sourced to the card at ``revision``.

        Its ``origin`` is ``lock``; its source is the card's address at that commit, checked on the
        date read; its licence note says that the facts come from the lock and how old they are.
        """
        from modelclear.catalog.hfrecord import artifact_from_card

        art = artifact_from_card(self.id, self.card(), "lock", self.read_on, license_key)
        what = "model card" if self.kind == "model" else "dataset card"
        source = Source(url=self.source, checked=self.read_on, confidence=Confidence.SECONDARY,
                        note=f"{what} (uploader's claim) at revision {self.revision[:12]}, pinned in {lock_name}")
        days = ((today or _dt.date.today()) - self.read_on).days
        age_en = "today" if days == 0 else (f"{days} day{'s' if days != 1 else ''} ago" if days > 0 else "")
        age_ja = "本日" if days == 0 else (f"{days}日前" if days > 0 else "")
        when = self.read_on.isoformat()
        pinned = LocalText(
            en=f"From {lock_name}: the Hub card of {self.repo} at revision {self.revision[:12]}, read on {when}"
               + (f" ({age_en})" if age_en else "") + "; `modelclear kb refresh` reads it again.",
            ja=f"{lock_name} による：Hub 上の {self.repo} のカード（リビジョン {self.revision[:12]}）を {when}"
               + (f"（{age_ja}）" if age_ja else "") + "に読み取ったもの。`modelclear kb refresh` で再取得できる。",
        )
        note = art.license_note
        if note is not None:
            pinned = LocalText(en=f"{pinned.en} {note.en}", ja=f"{pinned.ja}{note.ja}")
        return dataclasses.replace(art, sources=(source,), license_note=pinned,
                                   gated=bool(self.gated) or art.gated)

    def facts(self) -> dict[str, Any]:
        """The entry's facts as plain values, in the lock's key order (``id`` excluded)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "id"}


def entry_from_read(artifact_id: str, read: Any) -> LockEntry:
    """The lock entry for what :func:`modelclear.catalog.hfhub.read_repo` read (``read.ok`` must hold)."""
    from modelclear.catalog.hfcard import parse_card

    card = parse_card(read.text or "")
    return _checked(LockEntry(
        id=artifact_id, repo=read.repo_id, kind=read.kind, revision=read.revision, read_on=read.read_on,
        source=read.source_url, gated=read.gated, last_modified=read.last_modified,
        license=card.license or "", license_name=card.license_name or "", license_link=card.license_link or "",
        base_models=card.base_models, base_model_relation=card.base_model_relation or "", datasets=card.datasets,
        pipeline_tag=card.pipeline_tag or "", library_name=card.library_name or "", language=card.language,
        tags=card.tags, card_warnings=card.warnings))


def _checked(entry: LockEntry) -> LockEntry:
    """An entry cut to the lock's bounds (a card may hold more than a lock keeps), as reading would."""
    def cut(text: str) -> str:
        return text[:MAX_TEXT]

    def cut_all(items: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(cut(x) for x in items[:MAX_ITEMS])

    changes: dict[str, Any] = {}
    for f in dataclasses.fields(entry):
        value = getattr(entry, f.name)
        if isinstance(value, str):
            changes[f.name] = cut(_no_surrogates(value))
        elif isinstance(value, tuple):
            changes[f.name] = cut_all(tuple(_no_surrogates(x) for x in value))
    return dataclasses.replace(entry, **changes)


def _no_surrogates(text: str) -> str:
    return text.encode("utf-8", errors="replace").decode("utf-8") if any(
        "\ud800" <= c <= "\udfff" for c in text) else text


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


def find_path(start: Path, policy_file: Path | None) -> Path:
    """Where the lock of a run lives: beside ``policy_file``, else in ``start`` (a folder, or a file's folder)."""
    if policy_file is not None:
        return policy_file.parent / LOCK_NAME
    folder = start if start.is_dir() else start.parent
    return folder / LOCK_NAME


# --- TOML out -------------------------------------------------------------------------------------------

_BIDI_AND_FORMAT = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def _toml_str(text: str) -> str:
    """A TOML basic string: quotes and backslashes escaped, every control, format (bidi) or unassigned
    character as ``\\uXXXX`` so that what a reviewer reads is what the file says."""
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif unicodedata.category(ch) in _BIDI_AND_FORMAT:
            code = ord(ch)
            if 0xD800 <= code <= 0xDFFF:
                out.append("\\uFFFD")
            else:
                out.append(f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_value(value: Any) -> str:
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_str(x) for x in value) + "]"
    return _toml_str(value)


def dumps(entries: Iterable[LockEntry]) -> str:
    """The TOML text of a lock holding ``entries``: a header comment, ``schema``, then one table per
    entry sorted by id; keys in the order of :class:`LockEntry`, empty values left out (``gated``
    always written), so that the same facts always give the same bytes."""
    lines = [_HEADER.rstrip("\n"), f"schema = {SCHEMA_VERSION}"]
    for entry in sorted(entries, key=lambda e: (e.id.lower(), e.id)):
        lines += ["", f"[artifact.{_toml_str(entry.id)}]"]
        for name, value in entry.facts().items():
            if name == "gated":
                lines.append(f"gated = {_toml_str(value) if value else 'false'}")
            elif value not in ("", ()):
                lines.append(f"{name} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


# --- TOML in --------------------------------------------------------------------------------------------

_TEXT_KEYS = ("repo", "kind", "revision", "source", "last_modified", "license", "license_name", "license_link",
              "base_model_relation", "pipeline_tag", "library_name")
_LIST_KEYS = ("base_models", "datasets", "language", "tags", "card_warnings")
_REQUIRED = ("repo", "kind", "revision", "read_on", "source")


def parse(text: str, shown: str = LOCK_NAME) -> dict[str, LockEntry]:
    """The entries of a lock's TOML text by lower-cased id; :class:`LockError` names the first problem."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise LockError(f"{shown}: not a lock file: nested too deeply") from None
    except tomllib.TOMLDecodeError as exc:
        raise LockError(f"{shown}: not valid TOML: {_printable(str(exc))}") from None
    unknown = sorted(set(data) - {"schema", "artifact"})
    if unknown:
        raise LockError(f"{shown}: unknown key {_printable(unknown[0])!r} (a lock holds 'schema' and 'artifact')")
    schema = data.get("schema")
    if schema is None:
        raise LockError(f"{shown}: no 'schema' version; not a modelclear lock file")
    if isinstance(schema, bool) or not isinstance(schema, int):
        raise LockError(f"{shown}: 'schema' must be an integer, not {type(schema).__name__}")
    if schema != SCHEMA_VERSION:
        raise LockError(f"{shown}: lock schema {schema} is not supported (this modelclear reads schema "
                        f"{SCHEMA_VERSION}); use the modelclear that wrote it, or delete the file and run "
                        "with --online again")
    table = data.get("artifact", {})
    if not isinstance(table, dict):
        raise LockError(f"{shown}: 'artifact' must be a table of entries")
    if len(table) > MAX_ENTRIES:
        raise LockError(f"{shown}: more than {MAX_ENTRIES} entries; not a lock file")
    out: dict[str, LockEntry] = {}
    for key, raw in table.items():
        entry = _entry(shown, key, raw)
        if entry.id.lower() in out:
            raise LockError(f"{shown}: entry {_printable(key)!r} appears twice (ids compare without case)")
        out[entry.id.lower()] = entry
    return out


def _printable(text: str) -> str:
    from modelclear.safetext import printable

    return printable(text)[:200]


def _entry(shown: str, key: str, raw: Any) -> LockEntry:
    where = f"{shown}: entry {_printable(key)!r}"
    ref = try_parse(key)
    if ref is None or ref.scheme not in _KINDS or ref.id != key:
        raise LockError(f"{where}: not a Hub id (hf:ORG/NAME or hf-dataset:ORG/NAME)")
    if not isinstance(raw, dict):
        raise LockError(f"{where}: must be a table")
    unknown = sorted(set(raw) - set(_TEXT_KEYS) - set(_LIST_KEYS) - {"read_on", "gated"})
    if unknown:
        raise LockError(f"{where}: unknown key {_printable(unknown[0])!r}")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise LockError(f"{where}: '{missing[0]}' is missing")
    values: dict[str, Any] = {}
    for name in _TEXT_KEYS:
        value = raw.get(name, "")
        if not isinstance(value, str):
            raise LockError(f"{where}: '{name}' must be a string, not {_type(value)}")
        if len(value) > MAX_TEXT:
            raise LockError(f"{where}: '{name}' is longer than {MAX_TEXT} characters")
        values[name] = value
    for name in _LIST_KEYS:
        value = raw.get(name, [])
        if not isinstance(value, list) or not all(isinstance(x, str) and len(x) <= MAX_TEXT for x in value):
            raise LockError(f"{where}: '{name}' must be a list of strings")
        if len(value) > MAX_ITEMS:
            raise LockError(f"{where}: '{name}' has more than {MAX_ITEMS} items")
        values[name] = tuple(value)
    read_on = raw["read_on"]
    if not isinstance(read_on, _dt.date) or isinstance(read_on, _dt.datetime):
        raise LockError(f"{where}: 'read_on' must be a date (YYYY-MM-DD, unquoted), not {_type(read_on)}")
    gated = raw.get("gated", False)
    if gated is not False and gated not in ("auto", "manual"):
        raise LockError(f"{where}: 'gated' must be false, \"auto\" or \"manual\"")
    if values["kind"] != _KINDS[ref.scheme]:
        raise LockError(f"{where}: 'kind' must be {_KINDS[ref.scheme]!r} for this id")
    if values["repo"] != key.partition(":")[2]:
        raise LockError(f"{where}: 'repo' must be the id's repository")
    if not _SHA.fullmatch(values["revision"]):
        raise LockError(f"{where}: 'revision' must be a 40-character commit sha")
    if values["base_model_relation"] and values["base_model_relation"] not in _RELATIONS:
        raise LockError(f"{where}: 'base_model_relation' must be one of {', '.join(_RELATIONS)}")
    if not values["source"].startswith(("https://", "http://")):
        raise LockError(f"{where}: 'source' must be an http(s) address")
    return LockEntry(id=key, read_on=read_on, gated=gated or "", **values)


def _type(value: Any) -> str:
    return {dict: "a table", list: "a list", str: "a string", int: "an integer", float: "a number",
            bool: "a boolean"}.get(type(value), type(value).__name__)


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

    def lookup(self, ref: ArtifactRef) -> Artifact | None:
        """The artifact of ``ref`` from the lock, or read from the Hub and locked (``online``), or ``None``."""
        scheme, _, repo = ref.id.partition(":")
        kind = _KINDS.get(scheme)
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
    catalog.sources[:] = [source, *(s for s in catalog.sources if not isinstance(s, HFHubSource))]
    return source


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
                       f"'{_printable(entry.license)}', the reviewed knowledge base says '{known.license}'; "
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
