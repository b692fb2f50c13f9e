"""Hugging Face model and dataset cards, for artifacts the bundled knowledge base does not know.

A card's YAML front matter is the uploader's claim about licence, base model and training data.
This module reads it from three places, in order of preference for an offline tool:

* a local model folder (``README.md``, ``config.json``, ``adapter_config.json``): :func:`read_model_dir`;
* the Hugging Face cache (``models--ORG--NAME/snapshots/<rev>/``): :func:`find_in_cache`, or a
  :class:`CacheIndex` that lists the cache folder once for many lookups;
* the Hub itself, only when the network is allowed: :func:`fetch_card`, which keeps what it fetched,
  with the date, under ``~/.cache/modelclear/cards/``.

:func:`artifact_from_card` turns a card into a :class:`~modelclear.model.Artifact` whose every fact is
sourced to the card at confidence ``S`` (an uploader's claim is not a primary licence text).

Nothing here raises on bad input: malformed YAML, YAML bombs and huge files give a :class:`CardData`
with ``warnings``; a missing network gives a :class:`CardFetch` with a ``reason``.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import os
import re
import stat as _stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from modelclear import yamlsafe
from modelclear.ids import try_parse
from modelclear.model import Artifact, Confidence, Kind, LocalText, Relation, Source

#: At most this many bytes of a card (or a JSON config) are read; front matter sits at the top.
MAX_CARD_BYTES = 1_000_000
#: Front matter larger than this is not parsed (real cards carry a few kilobytes).
MAX_FRONT_MATTER_CHARS = 256_000
#: YAML anchors/aliases a card may use before it is treated as a bomb.
MAX_YAML_ALIASES = 16
#: Nesting depth of YAML collections before the card is refused.
MAX_YAML_DEPTH = 48
#: YAML nodes (scalars, aliases, collections) a card may have before it is refused.
MAX_YAML_EVENTS = 100_000
#: Seconds to wait for the Hub before giving up (connect and read).
DEFAULT_TIMEOUT = 5.0
#: Fetched cards younger than this are served from the modelclear cache without a request.
DEFAULT_MAX_AGE = _dt.timedelta(days=30)

#: Values of ``base_model_relation`` that the Hub documents, mapped to our relation names.
_RELATIONS = {"finetune": "finetune", "adapter": "adapter", "merge": "merge", "quantized": "quantized",
              "distill": "distill"}

#: Hub pipeline tags whose models produce new content (text, images, audio, video).
GENERATIVE_PIPELINE_TAGS = frozenset({
    "text-generation", "text2text-generation", "text-to-image", "image-to-image", "text-to-video",
    "image-to-video", "text-to-speech", "text-to-audio", "image-text-to-text", "any-to-any",
    "image-to-text", "summarization", "translation", "video-text-to-text", "audio-text-to-text",
    "text-to-3d", "image-to-3d", "unconditional-image-generation",
})

_REPO_TYPES = {"model": "model", "dataset": "dataset"}


def _load_front_matter(raw: str) -> Any:
    """The front matter's YAML as Python values, read from parser events within the card budgets.

    libyaml's parser is used when available; a text it refuses is read again by the pure-Python
    parser, so that the error (and its message) is the one ``SafeLoader`` gives.
    """
    loaders: list[type] = [yamlsafe.FAST_LOADER]
    if yamlsafe.FAST_LOADER is not yaml.SafeLoader:
        loaders.append(yaml.SafeLoader)
    for loader in loaders:
        try:
            return yamlsafe.load_single(raw, max_events=MAX_YAML_EVENTS, max_depth=MAX_YAML_DEPTH,
                                        max_aliases=MAX_YAML_ALIASES, loader=loader)
        except yamlsafe.YamlSyntaxError as exc:
            if loader is loaders[-1]:
                raise exc.error from None
    return None  # not reached: the last loader returns or raises


@dataclass(frozen=True)
class CardData:
    """What a card's YAML front matter says, normalised; ``warnings`` lists what could not be read."""

    license: str | None = None
    license_name: str | None = None
    license_link: str | None = None
    base_models: tuple[str, ...] = ()
    base_model_relation: str | None = None
    datasets: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    pipeline_tag: str | None = None
    gated: bool = False
    language: tuple[str, ...] = ()
    library_name: str | None = None
    has_front_matter: bool = False
    warnings: tuple[str, ...] = ()

    @property
    def base_model(self) -> str | None:
        """The first base model, or ``None``."""
        return self.base_models[0] if self.base_models else None


@dataclass(frozen=True)
class LocalModel:
    """A model folder on disk: its card and the upstream names its config files record."""

    path: Path
    card: CardData
    config: Mapping[str, Any] = field(default_factory=dict)
    name_or_path: str | None = None
    adapter_base_model: str | None = None
    peft_type: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def base_models(self) -> tuple[str, ...]:
        """Upstream model names: the card's ``base_model``, then the adapter's base, without repeats."""
        names = list(self.card.base_models)
        if self.adapter_base_model and self.adapter_base_model not in names:
            names.append(self.adapter_base_model)
        return tuple(names)


@dataclass(frozen=True)
class CardFetch:
    """The result of asking for a card: the text and the date it was fetched, or why there is none."""

    repo_id: str
    kind: str
    text: str | None
    fetched_on: _dt.date | None
    reason: str = ""
    from_cache: bool = False

    @property
    def ok(self) -> bool:
        """True when a card text is available."""
        return self.text is not None


# --------------------------------------------------------------------------------------------------
# Parsing


_FRONT_MATTER_RE = re.compile(r"\A\ufeff?\s*---[ \t]*\r?\n")
_FRONT_MATTER_END_RE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


def _split_front_matter(text: str) -> tuple[str | None, str]:
    """The YAML between the opening and closing ``---`` lines (``None`` without any), and a warning."""
    start = _FRONT_MATTER_RE.match(text)
    if start is None:
        return None, ""
    end = _FRONT_MATTER_END_RE.search(text, start.end())
    if end is None:
        return None, "card front matter is not closed by a '---' line"
    return text[start.end():end.start()], ""


def _as_str(value: object) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    return None


def _as_str_tuple(value: object, key: str, warnings: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        text = _as_str(item)
        if text is None:
            warnings.append(f"ignored a non-text entry in '{key}'")
        elif text not in out:
            out.append(text)
    return tuple(out)


def _is_gated(meta: Mapping[str, Any]) -> bool:
    gated = meta.get("gated")
    if isinstance(gated, str):
        return gated.strip().lower() not in ("", "false", "no", "off")
    if gated:
        return True
    return any(isinstance(k, str) and k.startswith("extra_gated_") for k in meta)


def parse_card(text: str) -> CardData:
    """Read a card's YAML front matter; never raises.

    Only the first :data:`MAX_CARD_BYTES` characters are looked at. The YAML is read from parser
    events without recursion (:mod:`modelclear.yamlsafe`, libyaml's parser when available) into the
    values ``SafeLoader`` would give. YAML that is malformed, larger than
    :data:`MAX_FRONT_MATTER_CHARS`, nested deeper than :data:`MAX_YAML_DEPTH`, longer than
    :data:`MAX_YAML_EVENTS` nodes or that uses more than :data:`MAX_YAML_ALIASES` anchors/aliases
    (aliases are never copied) yields an empty :class:`CardData` whose ``warnings`` say why.
    """
    warnings: list[str] = []
    if not isinstance(text, str):
        return CardData(warnings=("card is not text",))
    if len(text) > MAX_CARD_BYTES:
        text = text[:MAX_CARD_BYTES]
        warnings.append(f"card truncated to its first {MAX_CARD_BYTES} characters")
    raw, problem = _split_front_matter(text)
    if problem:
        return CardData(warnings=(*warnings, problem))
    if raw is None:
        return CardData(warnings=(*warnings, "card has no YAML front matter"))
    if len(raw) > MAX_FRONT_MATTER_CHARS:
        return CardData(has_front_matter=True,
                        warnings=(*warnings, f"card front matter larger than {MAX_FRONT_MATTER_CHARS} characters"))
    try:
        meta = _load_front_matter(raw)
    except yamlsafe.YamlRefused as exc:
        return CardData(has_front_matter=True, warnings=(*warnings, f"card YAML refused: {exc}"))
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return CardData(has_front_matter=True, warnings=(*warnings, f"card YAML is malformed: {first_line}"))
    if meta is None:
        return CardData(has_front_matter=True, warnings=(*warnings, "card front matter is empty"))
    if not isinstance(meta, dict):
        return CardData(has_front_matter=True, warnings=(*warnings, "card front matter is not a mapping"))

    licenses = _as_str_tuple(meta.get("license"), "license", warnings)
    license_id: str | None
    if len(licenses) > 1:
        license_id = " AND ".join(licenses)
        warnings.append("card lists several licences; all are taken to apply")
    else:
        license_id = licenses[0] if licenses else None
    relation = _as_str(meta.get("base_model_relation"))
    if relation is not None and relation.lower() not in _RELATIONS:
        warnings.append(f"unknown base_model_relation '{relation}'")
        relation = None
    return CardData(
        license=license_id,
        license_name=_as_str(meta.get("license_name")),
        license_link=_as_str(meta.get("license_link")),
        base_models=_as_str_tuple(meta.get("base_model"), "base_model", warnings),
        base_model_relation=_RELATIONS[relation.lower()] if relation else None,
        datasets=_as_str_tuple(meta.get("datasets"), "datasets", warnings),
        tags=_as_str_tuple(meta.get("tags"), "tags", warnings),
        pipeline_tag=_as_str(meta.get("pipeline_tag")),
        gated=_is_gated(meta),
        language=_as_str_tuple(meta.get("language"), "language", warnings),
        library_name=_as_str(meta.get("library_name")),
        has_front_matter=True,
        warnings=tuple(warnings),
    )


def _read_text(path: Path, limit: int = MAX_CARD_BYTES) -> str:
    with path.open("rb") as fh:
        data = fh.read(limit)
    return data.decode("utf-8", errors="replace")


def read_card_file(path: str | os.PathLike[str]) -> CardData:
    """Parse a README.md on disk, reading at most :data:`MAX_CARD_BYTES`; never raises."""
    try:
        return parse_card(_read_text(Path(path)))
    except OSError as exc:
        return CardData(warnings=(f"cannot read card: {exc.strerror or type(exc).__name__}",))


def _read_json(path: Path, warnings: list[str], st: os.stat_result | None = None) -> dict[str, Any]:
    try:
        size = (st or path.stat()).st_size
        if size > MAX_CARD_BYTES:
            warnings.append(f"{path.name} larger than {MAX_CARD_BYTES} bytes; not read")
            return {}
        data = json.loads(_read_text(path))
    except OSError as exc:
        warnings.append(f"cannot read {path.name}: {exc.strerror or type(exc).__name__}")
        return {}
    except (ValueError, RecursionError):
        warnings.append(f"{path.name} is not valid JSON")
        return {}
    if not isinstance(data, dict):
        warnings.append(f"{path.name} is not a JSON object")
        return {}
    return data


def _regular_file(path: Path) -> os.stat_result | None:
    """The stat of ``path`` (links followed) when it is a regular file, else ``None``."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st if _stat.S_ISREG(st.st_mode) else None


def _read_local(folder: Path) -> tuple[LocalModel, list[float]]:
    """:func:`read_model_dir`, and the modification times of its README.md and config.json."""
    warnings: list[str] = []
    readme, config_path, adapter_path = folder / "README.md", folder / "config.json", folder / "adapter_config.json"
    readme_st = _regular_file(readme)
    card = read_card_file(readme) if readme_st else CardData(warnings=("no README.md",))
    config_st = _regular_file(config_path)
    config = _read_json(config_path, warnings, config_st) if config_st else {}
    adapter_st = _regular_file(adapter_path)
    adapter = _read_json(adapter_path, warnings, adapter_st) if adapter_st else {}
    local = LocalModel(
        path=folder,
        card=card,
        config=config,
        name_or_path=_as_str(config.get("_name_or_path")),
        adapter_base_model=_as_str(adapter.get("base_model_name_or_path")),
        peft_type=_as_str(adapter.get("peft_type")),
        warnings=tuple(warnings),
    )
    return local, [st.st_mtime for st in (readme_st, config_st) if st is not None]


def read_model_dir(path: str | os.PathLike[str]) -> LocalModel:
    """Read a local model folder: README front matter, ``config.json`` and ``adapter_config.json``.

    ``config.json``'s ``_name_or_path`` and ``adapter_config.json``'s ``base_model_name_or_path``
    name the model it was made from. Missing files (or names that are not regular files) are not
    an error; unreadable ones give warnings.
    """
    return _read_local(Path(path))[0]


# --------------------------------------------------------------------------------------------------
# The Hugging Face cache


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


# --------------------------------------------------------------------------------------------------
# Fetching from the Hub


def modelclear_cache_dir() -> Path:
    """modelclear's own cache directory.

    ``$MODELCLEAR_CACHE``, else ``$XDG_CACHE_HOME/modelclear``, else ``~/.cache/modelclear``.
    """
    explicit = os.environ.get("MODELCLEAR_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "modelclear"


def _card_cache_path(repo_id: str, kind: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]", "--", repo_id)
    return modelclear_cache_dir() / "cards" / f"{kind}s" / f"{safe}.json"


def _load_cached_fetch(repo_id: str, kind: str) -> CardFetch | None:
    path = _card_cache_path(repo_id, kind)
    try:
        record = json.loads(_read_text(path, limit=MAX_CARD_BYTES + 100_000))
        text = record["text"]
        fetched_on = _dt.date.fromisoformat(record["fetched_on"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(text, str) or record.get("repo_id") != repo_id:
        return None
    return CardFetch(repo_id, kind, text, fetched_on, reason="from the modelclear card cache", from_cache=True)


def _store_fetch(fetch: CardFetch) -> None:
    path = _card_cache_path(fetch.repo_id, fetch.kind)
    record = {"repo_id": fetch.repo_id, "kind": fetch.kind, "text": fetch.text,
              "fetched_on": fetch.fetched_on.isoformat() if fetch.fetched_on else None}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only cache only costs a future request


def _offline() -> bool:
    from huggingface_hub import constants

    env = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    checker = getattr(constants, "is_offline_mode", None)  # huggingface_hub >= 1.0
    flag = checker() if callable(checker) else getattr(constants, "HF_HUB_OFFLINE", False)
    return env.strip().upper() in ("1", "ON", "YES", "TRUE") or bool(flag)


def _get_capped(url: str, timeout: float) -> tuple[int, bytes]:
    """One GET through huggingface_hub's session (httpx in hub >= 1.0, requests before), capped in size."""
    from huggingface_hub import get_session
    from huggingface_hub.utils import build_hf_headers

    session = get_session()
    chunks: list[bytes] = []
    size = 0
    if hasattr(session, "stream"):  # httpx client
        with session.stream("GET", url, headers=build_hf_headers(), timeout=timeout,
                            follow_redirects=True) as response:
            if response.status_code >= 400:
                return response.status_code, b""
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= MAX_CARD_BYTES:
                    break
            return response.status_code, b"".join(chunks)[:MAX_CARD_BYTES]
    legacy: Any = session  # a requests.Session (huggingface_hub < 1.0); the stubs know only httpx
    response = legacy.get(url, headers=build_hf_headers(), timeout=timeout, stream=True)
    try:
        if response.status_code >= 400:
            return response.status_code, b""
        for chunk in response.iter_content(chunk_size=65536):
            chunks.append(chunk)
            size += len(chunk)
            if size >= MAX_CARD_BYTES:
                break
        return response.status_code, b"".join(chunks)[:MAX_CARD_BYTES]
    finally:
        response.close()


def fetch_card(repo_id: str, kind: str = "model", *, timeout: float = DEFAULT_TIMEOUT,
               endpoint: str | None = None, max_age: _dt.timedelta = DEFAULT_MAX_AGE,
               today: _dt.date | None = None) -> CardFetch:
    """Fetch the README.md card of ``repo_id`` from the Hub; never raises, never waits past ``timeout``.

    A card fetched within ``max_age`` is served from the modelclear card cache. Otherwise one GET of
    ``README.md`` is made through ``huggingface_hub``'s HTTP session (its headers, token and offline
    switch), with no retries, reading at most :data:`MAX_CARD_BYTES`. A fetched card is cached with
    its date. When offline (``HF_HUB_OFFLINE=1``) or on any network error, a previously cached card
    is returned with its original date; with none, ``text`` is ``None`` and ``reason`` says why.
    """
    repo_type = _repo_type(kind)
    if not isinstance(repo_id, str) or try_parse(f"hf:{repo_id}") is None:
        return CardFetch(str(repo_id), kind, None, None, reason=f"not a Hub repository id: {repo_id!r}")
    day = today or _dt.date.today()
    cached = _load_cached_fetch(repo_id, kind)
    if cached is not None and cached.fetched_on is not None and day - cached.fetched_on <= max_age:
        return cached

    def fallback(reason: str) -> CardFetch:
        if cached is not None:
            return CardFetch(repo_id, kind, cached.text, cached.fetched_on,
                             reason=f"{reason}; using the card cached on {cached.fetched_on}", from_cache=True)
        return CardFetch(repo_id, kind, None, None, reason=reason)

    if _offline():
        return fallback("offline mode (HF_HUB_OFFLINE) is on")
    try:
        from huggingface_hub import hf_hub_url

        url = hf_hub_url(repo_id, "README.md", repo_type=repo_type, endpoint=endpoint)
        status, body = _get_capped(url, timeout)
    except Exception as exc:  # any transport failure means "no network", never a crash
        return fallback(f"cannot reach the Hub: {type(exc).__name__}")
    if status == 404:
        return fallback(f"{kind} {repo_id} has no README.md on the Hub (HTTP 404)")
    if status in (401, 403):
        return fallback(f"the Hub refused access to {repo_id} (HTTP {status})")
    if status >= 400:
        return fallback(f"the Hub answered HTTP {status}")
    text = body.decode("utf-8", errors="replace")
    fetch = CardFetch(repo_id, kind, text, day, reason="fetched from the Hub")
    _store_fetch(fetch)
    return fetch


# --------------------------------------------------------------------------------------------------
# Card -> Artifact


def hub_url(artifact_id: str) -> str:
    """The Hub page of an ``hf:`` or ``hf-dataset:`` id."""
    scheme, _, name = artifact_id.partition(":")
    if scheme == "hf-dataset":
        return f"https://huggingface.co/datasets/{name}"
    return f"https://huggingface.co/{name}"


def _resolve(raw: str, resolve_license: Callable[[str], str | None] | None) -> str | None:
    if resolve_license is None:
        return raw
    parts = [p.strip() for p in raw.split(" AND ")]
    resolved = [resolve_license(p) for p in parts]
    if any(r is None for r in resolved):
        return None
    return " AND ".join(r for r in resolved if r is not None)


def artifact_from_card(artifact_id: str, card: CardData, origin: str, fetched_on: _dt.date,
                       resolve_license: Callable[[str], str | None] | None = None) -> Artifact:
    """An :class:`Artifact` built from a card, every fact sourced to the card at confidence ``S``.

    ``resolve_license`` maps a card's licence id (``apache-2.0``, ``llama3.1``, or for ``other`` the
    ``license_name``) to our licence id; ``None`` keeps the card's id. A licence it cannot map
    becomes ``unknown`` with a note quoting the card; a card without a licence gives ``unknown``.
    Base models become ``hf:`` edges with the card's ``base_model_relation`` (confidence ``U``
    when the relation is inferred); datasets become ``hf-dataset:`` edges.
    """
    ref = try_parse(artifact_id)
    kind = ref.kind if ref is not None and ref.kind is not None else Kind.MODEL
    canonical = ref.id if ref is not None else artifact_id
    name = canonical.partition(":")[2] or canonical
    source = Source(url=hub_url(canonical), checked=fetched_on, confidence=Confidence.SECONDARY,
                    note="model card (uploader's claim)" if kind is Kind.MODEL else "dataset card (uploader's claim)")

    license_id: str | None = "unknown"
    note: LocalText | None = None
    if card.license:
        raw = card.license
        resolved = _resolve(raw, resolve_license)
        if resolved is None and raw.lower() == "other" and card.license_name:
            resolved = _resolve(card.license_name, resolve_license)
        if resolved is None and raw.lower() == "other":
            resolved = "other"
        if resolved is None:
            note = LocalText(
                en=f"The card declares the licence '{raw}', which modelclear does not know; read it yourself.",
                ja=f"カードはライセンス「{raw}」を表示しているが、modelclear はこのライセンスを知らない。"
                   "内容を自身で確認すること。",
            )
            resolved = "unknown"
        license_id = resolved
        if raw.lower() == "other":
            label = card.license_name or "other"
            link = f" ({card.license_link})" if card.license_link else ""
            note = LocalText(
                en=f"The card says 'other' licence: {label}{link}.",
                ja=f"カードのライセンスは「other」（{label}{link}）。",
            )
    else:
        note = LocalText(en="The card declares no licence.", ja="カードにライセンスの記載がない。")

    relation_given = card.base_model_relation is not None
    relation = card.base_model_relation or ("adapter" if "peft" in {t.lower() for t in card.tags} else "finetune")
    edge_source = source if relation_given else Source(
        url=source.url, checked=fetched_on, confidence=Confidence.UNCERTAIN,
        note="relation to the base model inferred; the card gives no base_model_relation")
    upstream: list[Relation] = []
    for base in card.base_models:
        base_ref = try_parse(base if ":" in base and not base.startswith(("http", "/")) else f"hf:{base}")
        if base_ref is not None and base_ref.scheme == "hf" and base_ref.id != canonical:
            upstream.append(Relation(target=base_ref.id, relation=relation, source=edge_source))
    for dataset in card.datasets:
        ds_ref = try_parse(f"hf-dataset:{dataset}")
        if ds_ref is not None:
            upstream.append(Relation(target=ds_ref.id, relation="trained_on", source=source))

    facts: dict[str, object] = {}
    if card.pipeline_tag:
        facts["task"] = card.pipeline_tag
        facts["generative"] = card.pipeline_tag in GENERATIVE_PIPELINE_TAGS
    if card.language:
        facts["language"] = list(card.language)
    if card.tags:
        facts["card_tags"] = list(card.tags)
    if card.warnings:
        facts["card_warnings"] = list(card.warnings)

    return Artifact(
        id=canonical,
        kind=kind,
        name=name,
        publisher=name.split("/")[0] if "/" in name else "",
        license=license_id,
        license_note=note,
        upstream=tuple(upstream),
        distributed_via="huggingface",
        gated=card.gated,
        facts=facts,
        sources=(source,),
        origin=origin,
    )
