"""The knowledge lock's file format: its entries (:class:`LockEntry`), written and read as TOML.

The precedence of a lock's facts, attaching it to the catalog and ``kb refresh`` are in
:mod:`modelclear.catalog.lock`.

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
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelclear.ids import try_parse
from modelclear.model import Artifact, Confidence, LocalText, Source

__all__ = ["KINDS", "LOCK_NAME", "MAX_ENTRIES", "MAX_ITEMS", "MAX_LOCK_BYTES", "MAX_TEXT", "SCHEMA_VERSION",
           "LockEntry", "LockError", "dumps", "one_line", "parse", "within_bounds"]

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
KINDS = {"hf": "model", "hf-dataset": "dataset"}
_RELATIONS = ("finetune", "adapter", "merge", "quantized", "distill")


def find_path(start: Path, policy_file: Path | None) -> Path:
    """Where the lock of a run lives: beside ``policy_file``, else in ``start`` (a folder, or a file's folder)."""
    if policy_file is not None:
        return policy_file.parent / LOCK_NAME
    folder = start if start.is_dir() else start.parent
    return folder / LOCK_NAME


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


def within_bounds(entry: LockEntry) -> LockEntry:
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
        raise LockError(f"{shown}: not valid TOML: {one_line(str(exc))}") from None
    unknown = sorted(set(data) - {"schema", "artifact"})
    if unknown:
        raise LockError(f"{shown}: unknown key {one_line(unknown[0])!r} (a lock holds 'schema' and 'artifact')")
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
            raise LockError(f"{shown}: entry {one_line(key)!r} appears twice (ids compare without case)")
        out[entry.id.lower()] = entry
    return out


def one_line(text: str) -> str:
    """``text`` printable in one line of a message, cut to 200 characters."""
    from modelclear.safetext import printable

    return printable(text)[:200]


def _entry(shown: str, key: str, raw: Any) -> LockEntry:
    where = f"{shown}: entry {one_line(key)!r}"
    ref = try_parse(key)
    if ref is None or ref.scheme not in KINDS or ref.id != key:
        raise LockError(f"{where}: not a Hub id (hf:ORG/NAME or hf-dataset:ORG/NAME)")
    if not isinstance(raw, dict):
        raise LockError(f"{where}: must be a table")
    unknown = sorted(set(raw) - set(_TEXT_KEYS) - set(_LIST_KEYS) - {"read_on", "gated"})
    if unknown:
        raise LockError(f"{where}: unknown key {one_line(unknown[0])!r}")
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
    if values["kind"] != KINDS[ref.scheme]:
        raise LockError(f"{where}: 'kind' must be {KINDS[ref.scheme]!r} for this id")
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

