"""Your own models on disk as artifact records (issue 12): fine-tunes, adapters, merges, quantisations.

A local artifact is a model folder or a single model file under a root (the scanned tree, or the
folder ``check`` was given). It gets the id ``local:<path relative to the root>`` (the ``local``
scheme of ``data/loaders/local_models.yaml``) and a record built from its own files, read as data:

* a model folder's ``README.md`` card (YAML front matter: ``license``, ``base_model``,
  ``base_model_relation``, ``datasets``), its ``config.json`` (``_name_or_path``; a
  ``quantization_config`` makes it a quantisation, AWQ/GPTQ/bitsandbytes…), its
  ``adapter_config.json`` (a PEFT adapter: ``base_model_name_or_path``, ``peft_type``), a mergekit
  config in it (``mergekit_config.yml``) and the headers of the weight files in it;
* a kohya/diffusers LoRA ``.safetensors`` (its ``__metadata__``: ``ss_base_model_version``,
  ``ss_sd_model_name``, ``modelspec.*``, ``license``);
* a mergekit YAML (``models:``/``slices:``, ``base_model:``, ``merge_method``);
* a GGUF file (``general.base_model.*``, ``general.license``, ``general.name``), header only;
* an ONNX file (``metadata_props`` of the ModelProto, read by a bounded protobuf walk; metadata stored
  after more than :data:`HEAD_BYTES` of graph is not reached, and a warning says so). An export, like a
  GGUF conversion, is related to its base as ``quantized``: the same weights in another form.

Each record says what it declares (licence, with the file and key it comes from), its bases (resolved
to catalogued ids where possible: a Hub name or address becomes ``hf:``, a LoRA's base version is
looked up in the ``lora_base_models`` table, a local path inside the root becomes another
``local:`` artifact), how it derives from them (``finetune``, ``adapter``, ``merge``, ``quantized``),
and the datasets it was trained on. Nothing is imported or unpickled; every read is bounded in bytes
(:data:`FILE_BYTES`, :data:`HEAD_BYTES`) and entries (:data:`MAX_ENTRIES`); a link that leads out of
the root is not followed. Bad input gives warnings on the record, never an exception.

:class:`LocalSource` is the catalog source that answers ``local:`` ids (reading each artifact once).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat as _stat
import struct
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from modelclear import ids, loaderdata
from modelclear.catalog.hfcard import MAX_CARD_BYTES, CardData, parse_card
from modelclear.model import Artifact, ArtifactRef, Confidence, Kind, LocalText, Relation, Source

#: The id scheme of local artifacts.
SCHEME = "local"
#: Bytes read at most from a card, a JSON config or a YAML merge config.
FILE_BYTES = MAX_CARD_BYTES
#: Bytes read at most from the start of a weight file (its header).
HEAD_BYTES = 8 * 1024 * 1024
#: Entries of a model folder looked at, at most.
MAX_ENTRIES = 2000
#: Weight files of one folder whose headers are read, at most.
MAX_WEIGHT_FILES = 8
#: Bases and datasets kept per artifact, at most.
MAX_LINKS = 64

WEIGHT_SUFFIXES = (".safetensors", ".gguf", ".onnx")
YAML_SUFFIXES = (".yml", ".yaml")
#: ``quantization_config.quant_method`` values are quantisations whatever they are called.
_RELATIONS = ("finetune", "adapter", "merge", "quantized", "distill")
_HUB_URL = re.compile(r"^https?://(?:www\.)?huggingface\.co/(datasets/)?([\w.\-]+(?:/[\w.\-]+)?)/?(?:tree/.*|resolve/.*)?$")
_HF_CACHE_PATH = re.compile(r"(?:^|/)(models|datasets)--([A-Za-z0-9][\w.\-]*)--([A-Za-z0-9][\w.\-]*)(?:/|$)")
_HUB_NAME = re.compile(r"[A-Za-z0-9][\w.\-]*/[A-Za-z0-9][\w.\-]*")


@cache
def _table() -> Mapping[str, Any]:
    return loaderdata.documents().get("local_models", {})


@dataclass(frozen=True)
class Evidence:
    """Where a fact was read: a file (relative to the root, ``/``-separated) and the key in it."""

    file: str
    key: str
    value: str = ""

    def text(self) -> str:
        """``file: key = value`` for a report."""
        return f"{self.file}: {self.key}" + (f" = {self.value[:200]}" if self.value else "")


@dataclass(frozen=True)
class Link:
    """A base model or training dataset named by the artifact's files."""

    raw: str
    target: str | None  # the id it resolves to; ``None`` when it names nothing we can look up
    evidence: Evidence
    relation: str = ""  # for a base: how the artifact derives from it (set on the record)


@dataclass(frozen=True)
class LocalRecord:
    """What a local artifact's own files say (see the module docstring)."""

    id: str
    path: str
    formats: tuple[str, ...] = ()  # model-card, config, peft-adapter, quantization-config, mergekit, lora, gguf, onnx
    relation: str = "finetune"
    relation_evidence: Evidence | None = None
    license: str | None = None
    license_evidence: Evidence | None = None
    card: CardData | None = None
    bases: tuple[Link, ...] = ()
    datasets: tuple[Link, ...] = ()
    name: str | None = None
    facts: Mapping[str, object] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    #: How reports name it: its path, or the root folder's own name when it is the root (``.``).
    label: str = ""

    @property
    def found(self) -> bool:
        """Whether anything was read that makes this a model artifact."""
        return bool(self.formats)


# --------------------------------------------------------------------------------------------------
# Bounded reads inside the root


class _Files:
    """Reads inside ``root``: regular files only, links followed only while they stay inside the root."""

    def __init__(self, root: Path) -> None:
        self.root_given = root
        self.root = Path(os.path.realpath(root))
        self._real_root = str(self.root)
        self._real_prefix = self._real_root.rstrip(os.sep) + os.sep
        self._given_prefix = os.path.abspath(root).rstrip(os.sep) + os.sep
        self.warnings: list[str] = []

    def rel(self, path: Path) -> str:
        """``path`` relative to the root, ``/``-separated (the name itself when outside)."""
        full = os.path.abspath(path)
        if full + os.sep == self._given_prefix:
            return "."
        if not full.startswith(self._given_prefix):
            return path.name
        return full[len(self._given_prefix):].replace(os.sep, "/") or "."

    def inside(self, path: Path) -> Path | None:
        """The real path of ``path`` if it lies inside the root, else ``None`` with a warning."""
        try:
            real = os.path.realpath(path)
        except (OSError, ValueError):
            self.warnings.append(f"{self.rel(path)}: cannot resolve the path")
            return None
        if real != self._real_root and not real.startswith(self._real_prefix):
            self.warnings.append(f"{self.rel(path)}: a link out of the scanned root; not followed")
            return None
        return Path(real)

    def read(self, path: Path, limit: int) -> bytes | None:
        """At most ``limit`` bytes of a regular file inside the root; ``None`` (with a warning) otherwise."""
        real = self.inside(path)
        if real is None:
            return None
        try:
            fd = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
        except OSError as exc:
            self.warnings.append(f"{self.rel(path)}: cannot read ({exc.strerror or type(exc).__name__})")
            return None
        try:
            if not _stat.S_ISREG(os.fstat(fd).st_mode):
                self.warnings.append(f"{self.rel(path)}: not a regular file; not read")
                return None
            chunks, left = [], limit
            while left > 0:
                chunk = os.read(fd, min(left, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
            return b"".join(chunks)
        except OSError as exc:
            self.warnings.append(f"{self.rel(path)}: cannot read ({exc.strerror or type(exc).__name__})")
            return None
        finally:
            os.close(fd)

    def text(self, path: Path, limit: int = FILE_BYTES) -> str | None:
        """A text file (UTF-8; bad bytes replaced with a warning), read up to ``limit`` bytes."""
        data = self.read(path, limit + 1)
        if data is None:
            return None
        if len(data) > limit:
            self.warnings.append(f"{self.rel(path)}: larger than {limit} bytes; read up to that")
            data = data[:limit]
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            self.warnings.append(f"{self.rel(path)}: not valid UTF-8; undecodable bytes replaced")
            return data.decode("utf-8", errors="replace")

    def json(self, path: Path) -> dict[str, Any]:
        """A JSON object file, or ``{}`` with a warning."""
        text = self.text(path)
        if text is None:
            return {}
        from modelclear.scan.budget import BUDGETS, json_depth

        if json_depth(text) > BUDGETS.nesting_depth:
            self.warnings.append(f"{self.rel(path)}: JSON nested too deeply; not read")
            return {}
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError):
            self.warnings.append(f"{self.rel(path)}: not valid JSON")
            return {}
        if not isinstance(doc, dict):
            self.warnings.append(f"{self.rel(path)}: not a JSON object")
            return {}
        return doc

    def yaml(self, path: Path) -> Any:
        """A YAML document read within the card budgets (aliases, depth, nodes), or ``None``."""
        text = self.text(path)
        if text is None:
            return None
        import yaml

        from modelclear import yamlsafe
        from modelclear.catalog.hfcard import MAX_YAML_ALIASES, MAX_YAML_DEPTH, MAX_YAML_EVENTS

        try:
            return yamlsafe.load_single(text, max_events=MAX_YAML_EVENTS, max_depth=MAX_YAML_DEPTH,
                                        max_aliases=MAX_YAML_ALIASES, loader=yamlsafe.FAST_LOADER)
        except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.warnings.append(f"{self.rel(path)}: YAML not read ({first[:200]})")
            return None


# --------------------------------------------------------------------------------------------------
# Resolving names


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if value and len(value) <= 1000 and not any(c in value for c in "\n\r\0") else None


def _looks_local(raw: str) -> bool:
    return raw.startswith(("./", "../", "/", "~", ".\\", "..\\")) or raw in (".", "..") or "\\" in raw


def resolve_name(raw: str, here: Path, files: _Files, scheme: str = "hf") -> str | None:
    """The id a base-model (or, with ``scheme='hf-dataset'``, a dataset) name in a local file stands for.

    A folder or file that exists inside the root (relative to the naming file's folder ``here``, or to
    the root) becomes a ``local:`` id, as the libraries that read these names look on disk first; a
    LoRA base version of the ``lora_base_models`` table becomes the model it names; a Hub name or
    address becomes ``hf:``/``hf-dataset:``; a path that is missing or leads out of the root, ``None``.
    """
    raw = raw.strip()
    if scheme == "hf":
        mapped = (_table().get("lora_base_models") or {}).get(raw)
        if isinstance(mapped, str):
            return mapped
    hub = _HUB_URL.match(raw)
    if hub:
        ref = ids.try_parse(("hf-dataset:" if hub.group(1) or scheme == "hf-dataset" else "hf:") + hub.group(2))
        return ref.id if ref else None
    if "://" in raw:
        try:
            from modelclear.scan.urls import match_url

            found = match_url(raw)
        except ImportError:  # pragma: no cover - the scan package ships with the catalog
            found = None
        return found.id if found is not None else None
    if not raw.startswith("~"):
        candidates = [Path(raw)] if os.path.isabs(raw) else [here / raw, files.root_given / raw]
        for candidate in candidates:
            if os.path.lexists(candidate):
                if files.inside(candidate) is None:
                    return None
                return f"{SCHEME}:{files.rel(candidate)}"
    cached = _HF_CACHE_PATH.search(raw.replace("\\", "/"))
    if cached:  # a snapshot in the Hugging Face cache of the machine that wrote the file names its repo
        ref = ids.try_parse(f"{'hf-dataset' if cached.group(1) == 'datasets' else 'hf'}:{cached.group(2)}/"
                            f"{cached.group(3)}")
        return ref.id if ref is not None else None
    if _looks_local(raw):
        files.warnings.append(f"{raw[:200]}: a local path (of the machine that wrote the file) not found under the "
                              "root; what it names is unknown")
        return None
    if ":" in raw:
        ref = ids.try_parse(raw)
        return ref.id if ref is not None else None
    ref = ids.try_parse(f"{scheme}:{raw}")
    return ref.id if ref is not None else None


# --------------------------------------------------------------------------------------------------
# Readers, one per kind of file


@dataclass
class _Draft:
    """A record being built from the files of one artifact."""

    files: _Files
    here: Path
    formats: list[str] = field(default_factory=list)
    relations: list[tuple[int, str, Evidence]] = field(default_factory=list)  # (priority, relation, evidence)
    licenses: list[tuple[str, Evidence]] = field(default_factory=list)
    bases: list[tuple[str, Evidence]] = field(default_factory=list)
    datasets: list[tuple[str, Evidence]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    facts: dict[str, object] = field(default_factory=dict)
    card: CardData | None = None

    def base(self, raw: object, evidence: Evidence) -> None:
        text = _clean(raw)
        if text and len(self.bases) < MAX_LINKS and text not in (b for b, _ in self.bases):
            self.bases.append((text, Evidence(evidence.file, evidence.key, text)))

    def dataset(self, raw: object, evidence: Evidence) -> None:
        text = _clean(raw)
        if text and len(self.datasets) < MAX_LINKS and text not in (d for d, _ in self.datasets):
            self.datasets.append((text, Evidence(evidence.file, evidence.key, text)))

    def license(self, raw: object, evidence: Evidence) -> None:
        text = _clean(raw)
        if text:
            self.licenses.append((text, Evidence(evidence.file, evidence.key, text)))


def _read_card(d: _Draft, path: Path) -> None:
    text = d.files.text(path)
    if text is None:
        return
    card = parse_card(text)
    rel = d.files.rel(path)
    d.files.warnings.extend(f"{rel}: {w}" for w in card.warnings if w != "card has no YAML front matter")
    if not card.has_front_matter:
        return
    d.card = card
    d.formats.append("model-card")
    if card.license:
        d.license(card.license, Evidence(rel, "license"))
    for base in card.base_models:
        d.base(base, Evidence(rel, "base_model"))
    for dataset in card.datasets:
        d.dataset(dataset, Evidence(rel, "datasets"))
    if card.base_model_relation:
        relation = card.base_model_relation
        d.relations.append((0, relation, Evidence(rel, "base_model_relation", relation)))
    if card.pipeline_tag:
        from modelclear.catalog.hfrecord import GENERATIVE_PIPELINE_TAGS

        d.facts["task"] = card.pipeline_tag
        d.facts["generative"] = card.pipeline_tag in GENERATIVE_PIPELINE_TAGS


def _read_config(d: _Draft, path: Path) -> None:
    doc = d.files.json(path)
    if not doc:
        return
    rel = d.files.rel(path)
    d.formats.append("config")
    quant = doc.get("quantization_config")
    if isinstance(quant, dict):
        method = _clean(quant.get("quant_method")) or "unknown"
        d.formats.append("quantization-config")
        d.facts["quantization"] = method
        d.relations.append((3, "quantized", Evidence(rel, "quantization_config.quant_method", method)))
    name = _clean(doc.get("_name_or_path"))
    if name and not _looks_local(name):
        d.base(name, Evidence(rel, "_name_or_path"))


def _read_adapter(d: _Draft, path: Path) -> None:
    doc = d.files.json(path)
    if not doc:
        return
    rel = d.files.rel(path)
    d.formats.append("peft-adapter")
    peft = _clean(doc.get("peft_type")) or "PEFT"
    d.facts["peft_type"] = peft
    d.relations.append((1, "adapter", Evidence(rel, "peft_type", peft)))
    d.base(doc.get("base_model_name_or_path"), Evidence(rel, "base_model_name_or_path"))


def _is_merge_config(doc: object) -> bool:
    return isinstance(doc, dict) and ("merge_method" in doc or
                                      (isinstance(doc.get("models"), list) and "base_model" in doc) or
                                      isinstance(doc.get("slices"), list))


def _read_merge(d: _Draft, path: Path, doc: Any = None) -> None:
    doc = d.files.yaml(path) if doc is None else doc
    if not _is_merge_config(doc):
        return
    rel = d.files.rel(path)
    d.formats.append("mergekit")
    method = _clean(doc.get("merge_method")) or "unknown"
    d.facts["merge_method"] = method
    d.relations.append((2, "merge", Evidence(rel, "merge_method", method)))
    entries: list[tuple[object, str]] = []
    for i, item in enumerate(doc.get("models") or [] if isinstance(doc.get("models"), list) else []):
        entries.append((item.get("model") if isinstance(item, dict) else item, f"models[{i}].model"))
    slices = doc.get("slices") if isinstance(doc.get("slices"), list) else []
    for i, piece in enumerate(slices[:MAX_LINKS]):
        sources = piece.get("sources") if isinstance(piece, dict) else None
        for j, src in enumerate(sources[:MAX_LINKS] if isinstance(sources, list) else []):
            if isinstance(src, dict):
                entries.append((src.get("model"), f"slices[{i}].sources[{j}].model"))
    entries.append((doc.get("base_model"), "base_model"))
    for raw, key in entries:
        if isinstance(raw, dict):  # mergekit's long form: {model: NAME, lora: ...}
            raw = raw.get("model")
        if isinstance(raw, str) and "+" in raw:  # NAME+LORA: a model with a LoRA applied
            raw = raw.split("+", 1)[0]
        d.base(raw, Evidence(rel, key))


def _read_safetensors(d: _Draft, path: Path) -> None:
    from modelclear.scan.weightheaders import HeaderError, read_safetensors_header

    rel = d.files.rel(path)
    head = d.files.read(path, 8)
    if head is None:
        return
    if len(head) < 8:
        d.files.warnings.append(f"{rel}: truncated safetensors header")
        return
    (length,) = struct.unpack("<Q", head)
    if length > HEAD_BYTES - 8:
        d.files.warnings.append(f"{rel}: safetensors header of {length} bytes is larger than {HEAD_BYTES - 8}; "
                                "not read")
        return
    data = d.files.read(path, 8 + int(length))
    try:
        header = read_safetensors_header(data or b"")
    except HeaderError as exc:
        d.files.warnings.append(f"{rel}: malformed safetensors header: {exc}")
        return
    meta = header.get("__metadata__")
    if not isinstance(meta, dict) or not meta:
        return
    meta = {str(k): v for k, v in list(meta.items())[:4096] if isinstance(v, str)}
    kohya = any(k.startswith(("ss_", "modelspec.")) for k in meta)
    if kohya:
        d.formats.append("lora")
        arch = meta.get("modelspec.architecture", "")
        module = meta.get("ss_network_module", "")
        if "lora" in arch.lower() or "lora" in module.lower() or module.startswith("networks."):
            d.relations.append((4, "adapter", Evidence(rel, "ss_network_module" if module else
                                                       "modelspec.architecture", module or arch)))
        elif meta.get("ss_training_comment") is not None or meta.get("ss_base_model_version"):
            d.relations.append((5, "finetune", Evidence(rel, "ss_base_model_version",
                                                        meta.get("ss_base_model_version", ""))))
    for key in ("license", "modelspec.license"):
        if key in meta:
            d.license(meta[key], Evidence(rel, key))
            break
    for key in ("base_model", "modelspec.base_model", "ss_sd_model_name", "ss_base_model_version",
                "modelspec.architecture"):
        if key in meta:
            value = meta[key]
            if key == "modelspec.architecture":
                value = value.split("/")[0]
            if key == "ss_sd_model_name" and value.lower().endswith((".safetensors", ".ckpt")):
                continue  # a file on the trainer's machine; the version key names the base
            d.base(value, Evidence(rel, key))
            break
    title = _clean(meta.get("modelspec.title")) or _clean(meta.get("name"))
    if title:
        d.names.append(title)


def _read_gguf(d: _Draft, path: Path) -> None:
    from modelclear.scan.budget import BUDGETS, Meter
    from modelclear.scan.weightheaders import HeaderError, read_gguf_metadata

    rel = d.files.rel(path)
    data = d.files.read(path, HEAD_BYTES)
    if data is None:
        return
    steps = Meter(BUDGETS.gguf_values)
    try:
        meta, complete = read_gguf_metadata(data, steps=steps)
    except HeaderError as exc:
        d.files.warnings.append(f"{rel}: malformed GGUF header: {exc}")
        return
    if not complete:
        d.files.warnings.append(f"{rel}: GGUF header read in part (up to {len(data)} bytes)")
    d.formats.append("gguf")
    d.relations.append((3, "quantized", Evidence(rel, "GGUF", str(meta.get("general.file_type", "")))))
    lic = meta.get("general.license")
    if isinstance(lic, str):
        d.license(lic, Evidence(rel, "general.license"))
    name = _clean(meta.get("general.name"))
    if name:
        d.names.append(name)
    count = meta.get("general.base_model.count")
    for i in range(count if isinstance(count, int) and 0 <= count <= MAX_LINKS else 0):
        prefix = f"general.base_model.{i}."
        repo = _clean(meta.get(prefix + "repo_url"))
        if repo:
            d.base(repo, Evidence(rel, prefix + "repo_url"))
            continue
        bname, org = _clean(meta.get(prefix + "name")), _clean(meta.get(prefix + "organization"))
        if bname:
            joined = f"{org}/{bname}" if org and "/" not in bname else bname
            d.base(joined.replace(" ", "-"), Evidence(rel, prefix + "name"))
    if not d.bases:
        for key in ("general.source.repo_url", "general.source.huggingface.repository"):
            if _clean(meta.get(key)):
                d.base(meta.get(key), Evidence(rel, key))
                break
    datasets = meta.get("general.datasets")
    for value in datasets if isinstance(datasets, list) else []:
        d.dataset(value, Evidence(rel, "general.datasets"))


def _protobuf_fields(data: bytes, budget: list[int]) -> Iterable[tuple[int, int, Any]]:
    """(field number, wire type, value) of one protobuf message; length-delimited values as bytes."""
    pos, end = 0, len(data)

    def varint() -> int:
        nonlocal pos
        shift = result = 0
        while True:
            if pos >= end or shift > 63:
                raise ValueError("truncated varint")
            b = data[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7

    while pos < end:
        budget[0] -= 1
        if budget[0] < 0:
            raise ValueError("field budget spent")
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            yield number, wire, varint()
        elif wire == 1:
            pos += 8
            yield number, wire, None
        elif wire == 2:
            n = varint()
            if n > end - pos:
                raise ValueError("length past the bytes read")
            yield number, wire, data[pos:pos + n]
            pos += n
        elif wire == 5:
            pos += 4
            yield number, wire, None
        else:
            raise ValueError(f"unsupported wire type {wire}")
        if pos > end:
            raise ValueError("truncated field")


def _read_onnx(d: _Draft, path: Path) -> None:
    """``ModelProto.metadata_props`` (field 14: StringStringEntryProto key 1, value 2) and ``doc_string``."""
    rel = d.files.rel(path)
    data = d.files.read(path, HEAD_BYTES)
    if data is None:
        return
    props: dict[str, str] = {}
    budget = [200_000]
    try:
        for number, wire, value in _protobuf_fields(data, budget):
            if number == 14 and wire == 2 and len(props) < 256:
                entry = {n: v for n, w, v in _protobuf_fields(value, budget) if w == 2}
                k, v = entry.get(1, b"").decode("utf-8", "replace"), entry.get(2, b"").decode("utf-8", "replace")
                if k:
                    props[k] = v
    except ValueError as exc:
        if not props:
            d.files.warnings.append(f"{rel}: ONNX metadata not read ({exc})")
            return
    d.formats.append("onnx")
    d.relations.append((3, "quantized", Evidence(rel, "ONNX export")))
    for key in ("license", "model_license"):
        if key in props:
            d.license(props[key], Evidence(rel, f"metadata_props.{key}"))
            break
    for key in ("base_model", "source_model", "model_id", "hf_model_id"):
        if key in props:
            d.base(props[key], Evidence(rel, f"metadata_props.{key}"))
            break


def _read_folder(d: _Draft, folder: Path) -> None:
    try:
        with os.scandir(folder) as it:
            names = []
            for i, entry in enumerate(it):
                if i >= MAX_ENTRIES:
                    d.files.warnings.append(f"{d.files.rel(folder)}: more than {MAX_ENTRIES} entries; "
                                            "the rest not looked at")
                    break
                names.append(entry.name)
    except OSError as exc:
        d.files.warnings.append(f"{d.files.rel(folder)}: cannot list ({exc.strerror or type(exc).__name__})")
        return
    names.sort()
    lower = {n.lower(): n for n in names}
    if "readme.md" in lower:
        _read_card(d, folder / lower["readme.md"])
    if "config.json" in lower:
        _read_config(d, folder / lower["config.json"])
    if "adapter_config.json" in lower:
        _read_adapter(d, folder / lower["adapter_config.json"])
    for merge_name in _table().get("mergekit_files") or ():
        if merge_name in lower:
            _read_merge(d, folder / lower[merge_name])
            break
    weights = [n for n in names if n.lower().endswith(WEIGHT_SUFFIXES)][:MAX_WEIGHT_FILES]
    for name in weights:
        _read_file(d, folder / name)


def _read_file(d: _Draft, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".safetensors":
        _read_safetensors(d, path)
    elif suffix == ".gguf":
        _read_gguf(d, path)
    elif suffix == ".onnx":
        _read_onnx(d, path)
    elif suffix in YAML_SUFFIXES:
        _read_merge(d, path)
    elif path.name.lower() == "readme.md":
        _read_card(d, path)
    elif path.name.lower() == "adapter_config.json":
        _read_adapter(d, path)
    elif path.name.lower() == "config.json":
        _read_config(d, path)


def read_local(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> LocalRecord:
    """The record of the model folder or file at ``path`` (inside ``root``); never raises.

    ``record.found`` is false when nothing there makes it a model artifact.
    """
    files = _Files(Path(root))
    target = Path(path)
    rel = files.rel(target)
    d = _Draft(files=files, here=target if target.is_dir() else target.parent)
    real = files.inside(target)
    if real is not None:
        if os.path.isdir(real):
            _read_folder(d, target)
        elif os.path.isfile(real):
            _read_file(d, target)
        else:
            files.warnings.append(f"{rel}: not a file or folder")
    record = _finish(d, f"{SCHEME}:{rel}", rel)
    return replace(record, label=Path(os.path.abspath(root)).name or rel) if rel == "." else record


def _finish(d: _Draft, artifact_id: str, rel: str) -> LocalRecord:
    relation, relation_evidence = "finetune", None
    if d.relations:
        _, relation, relation_evidence = min(d.relations, key=lambda r: r[0])
    if relation not in _RELATIONS:
        relation = "finetune"
    named = d.bases
    if any(ev.key != "_name_or_path" for _, ev in named):  # config.json's name may be the model's own repo:
        named = [(raw, ev) for raw, ev in named if ev.key != "_name_or_path"]  # bases named elsewhere win
    bases = tuple(Link(raw, resolve_name(raw, d.here, d.files), ev, relation) for raw, ev in named)
    seen: set[str] = set()
    unique = []
    for link in bases:
        key = (link.target or link.raw).lower()
        if key in seen or key == artifact_id.lower():
            continue
        seen.add(key)
        unique.append(link)
    datasets = tuple(Link(raw, resolve_name(raw, d.here, d.files, "hf-dataset"), ev, "trained_on")
                     for raw, ev in d.datasets)
    license_raw, license_ev = (d.licenses[0] if d.licenses else (None, None))
    warnings = list(dict.fromkeys(d.files.warnings))
    if len({lic.lower() for lic, _ in d.licenses}) > 1:
        shown = "; ".join(ev.text() for _, ev in d.licenses[:4])
        warnings.append(f"{rel}: its files declare different licences ({shown}); the first is taken")
    return LocalRecord(id=artifact_id, path=rel, formats=tuple(dict.fromkeys(d.formats)), relation=relation,
                       relation_evidence=relation_evidence, license=license_raw, license_evidence=license_ev,
                       card=d.card, bases=tuple(unique), datasets=datasets,
                       name=d.names[0] if d.names else None, facts=dict(d.facts), warnings=tuple(warnings))


# --------------------------------------------------------------------------------------------------
# Records as artifacts


def to_artifact(record: LocalRecord, resolve_license: Callable[[str], str | None],
                today: dt.date | None = None) -> Artifact:
    """The :class:`Artifact` of a local record: facts sourced to its own files (confidence ``S``)."""
    from modelclear.catalog.hfrecord import _card_license

    when = today or dt.date.today()
    card = record.card or CardData()
    if record.license is not None:
        card = CardData(license=record.license, license_name=card.license_name, license_link=card.license_link)
    license_id, note = _card_license(card, resolve_license)
    if record.license is None:
        license_id = None
        note = LocalText(en="Your files declare no licence for this model.",
                         ja="このモデルのファイルにはライセンスの記載がない。")
    own = Source(url=record.license_evidence.file if record.license_evidence else record.path, checked=when,
                 confidence=Confidence.SECONDARY,
                 note=f"your own files ({', '.join(record.formats) or 'nothing readable'})")
    upstream: list[Relation] = []
    for link in record.bases:
        if link.target is None:
            continue
        upstream.append(Relation(target=link.target, relation=link.relation,
                                 source=Source(url=link.evidence.file, checked=when, confidence=Confidence.SECONDARY,
                                               note=link.evidence.text())))
    for link in record.datasets:
        if link.target is not None:
            upstream.append(Relation(target=link.target, relation="trained_on",
                                     source=Source(url=link.evidence.file, checked=when,
                                                   confidence=Confidence.SECONDARY, note=link.evidence.text())))
    facts: dict[str, object] = {k: v for k, v in record.facts.items()}
    facts["local_formats"] = list(record.formats)
    if record.license_evidence is not None:
        facts["declared_license"] = record.license_evidence.text()
    unresolved = [link.evidence.text() for link in (*record.bases, *record.datasets) if link.target is None]
    if unresolved:
        facts["unresolved_links"] = unresolved
    if record.warnings:
        facts["local_warnings"] = list(record.warnings)
    if record.name:
        facts["name"] = record.name
    return Artifact(id=record.id, kind=Kind.MODEL, name=record.label or record.path, license=license_id,
                    license_note=note, upstream=tuple(upstream), facts=facts, sources=(own,), origin="local")


def is_local_id(artifact_id: str) -> bool:
    """Whether ``artifact_id`` is in the ``local`` scheme."""
    return artifact_id.lower().startswith(SCHEME + ":")


def looks_like_path(text: str) -> bool:
    """Whether ``check``'s argument names a file or folder on disk rather than an id.

    A text starting with ``./``, ``../``, ``/`` or ``~`` (or ``.``) is a path; so is an existing file or
    folder whose name is not also a well-formed id (``org/name`` stays a Hub id unless written ``./org/name``).
    """
    if not text:
        return False
    if _looks_local(text):
        return True
    if text.startswith(SCHEME + ":"):
        return False
    return (os.path.exists(text) and ids.try_parse(text) is None) or (
        os.path.isfile(text) and text.lower().endswith((*WEIGHT_SUFFIXES, *YAML_SUFFIXES)))


@dataclass
class LocalSource:
    """The catalog source of ``local:`` ids: each artifact read once, from under ``root``."""

    resolve_license: Callable[[str], str | None]
    root: Path = Path(".")
    name: str = "local"
    records: dict[str, LocalRecord] = field(default_factory=dict)
    _artifacts: dict[str, Artifact | None] = field(default_factory=dict, repr=False)

    def lookup(self, ref: ArtifactRef) -> Artifact | None:
        """The artifact of a ``local:`` id (read from its path under the root), or ``None``."""
        if not is_local_id(ref.id):
            return None
        key = ref.id.lower()
        if key not in self._artifacts:
            rel = ref.id.split(":", 1)[1]
            record = read_local(self.root / rel, self.root)
            self.records[key] = record
            self._artifacts[key] = to_artifact(record, self.resolve_license) if record.found else None
        return self._artifacts[key]

    def add_training(self, artifact_id: str, datasets: list[tuple[str, str]], where: str) -> None:
        """Add ``trained_on`` edges (dataset id, note) to a local artifact already read, sourced to ``where``."""
        key = artifact_id.lower()
        art = self._artifacts.get(key)
        if art is None:
            return
        have = {r.target.lower() for r in art.upstream}
        when = art.sources[0].checked if art.sources else dt.date.today()
        extra = []
        for dataset, note in datasets:
            if dataset.lower() not in have:
                have.add(dataset.lower())
                src = Source(url=where, checked=when, confidence=Confidence.UNCERTAIN, note=note)
                extra.append(Relation(target=dataset, relation="trained_on", source=src))
        if extra:
            self._artifacts[key] = replace(art, upstream=(*art.upstream, *extra))


# --------------------------------------------------------------------------------------------------
# Scans: which references are your own models


#: Loaders of scan references (with no id) that a local model artifact's own files give.
_SELF_LOADERS = ("model-card", "safetensors", "gguf", "mergekit", "onnx")
#: Files that make their folder a model folder (the folder, not the file, is then the artifact).
_FOLDER_FILES = ("readme.md", "config.json", "adapter_config.json", "mergekit_config.yml", "mergekit_config.yaml")


def _pipeline_folder(root: Path, rel: Path) -> str | None:
    """The nearest folder above ``rel`` (at most 3 levels) holding a diffusers ``model_index.json``."""
    for parent in list(rel.parents)[:3]:
        if parent.as_posix() not in ("", ".") and os.path.isfile(root / parent / "model_index.json"):
            return parent.as_posix()
    return None


def _artifact_path(root: Path, file_rel: str) -> str:
    """The artifact a file of a scan belongs to: its folder when that is a model folder, else the file.

    The components of a diffusers pipeline (``unet/``, ``vae/``… under a ``model_index.json``) belong
    to the pipeline's folder.
    """
    rel = Path(file_rel)
    pipeline = _pipeline_folder(root, rel)
    if pipeline is not None:
        return pipeline
    name = rel.name.lower()
    if name in _FOLDER_FILES:
        return rel.parent.as_posix() or "."
    folder = root / rel.parent
    try:
        names = {n.lower() for n in os.listdir(folder)} if rel.parent.as_posix() not in ("", ".") else set()
    except OSError:
        names = set()
    if names & set(_FOLDER_FILES) - {"readme.md"}:
        return rel.parent.as_posix()
    return rel.as_posix()


def attach_local(source: LocalSource, references: Iterable[Any]) -> list[Any]:
    """The scan's references with your own models given ``local:`` ids (a scan's step before the catalog).

    A reference without an id that a model folder's card or a weight file's header gave (the folder or
    file itself) gets the id of its artifact; a model folder known only through references to its bases
    (an adapter's ``adapter_config.json``, a saved ``config.json``) gets one reference of its own, added
    after the others. Folders and files whose files make no model artifact keep their references as
    they were.
    """
    from modelclear.model import Reference

    out: list[Any] = []
    covered: set[str] = set()
    extra: dict[str, Any] = {}
    for ref in references:
        path = getattr(ref, "path", "")
        if not path or os.path.isabs(path) or path.startswith("~"):  # not a file of the scanned tree
            out.append(ref)
            continue
        name = Path(path).name.lower()
        self_ref = ref.id is None and ref.kind is Kind.MODEL and (
            ref.loader in _SELF_LOADERS or name in ("adapter_config.json", "config.json"))
        related = name in ("adapter_config.json", "config.json") or ref.loader.startswith("mergekit")
        if not (self_ref or related):
            out.append(ref)
            continue
        rel = _artifact_path(source.root, path)
        local_id = f"{SCHEME}:{rel}"
        if ids.try_parse(local_id) is None or source.lookup(ArtifactRef(kind=Kind.MODEL, id=local_id)) is None:
            out.append(ref)
            continue
        if self_ref:
            covered.add(local_id.lower())
            out.append(replace(ref, id=local_id, kind=Kind.MODEL))
            continue
        out.append(ref)
        if local_id.lower() not in extra:
            record = source.records[local_id.lower()]
            extra[local_id.lower()] = Reference(
                raw=rel, kind=Kind.MODEL, id=local_id, path=path, line=0, evidence=f"{path}", confidence="medium",
                loader="local-model", note=f"your own model ({record.relation}; read from {', '.join(record.formats)})")
    out.extend(ref for key, ref in extra.items() if key not in covered)
    link_training_scripts(source, out)
    return out


# --------------------------------------------------------------------------------------------------
# Training scripts that write a local model folder

#: Calls whose string arguments name where a model is written, and ``output_dir=`` keywords.
_SAVE_CALL = re.compile(r"\b(?:save_pretrained|save_model|save_state|torch\.save|save_file)\s*\("
                        r"([^()\n]*(?:\([^()\n]*\)[^()\n]*)*)\)")
_OUTPUT_KW = re.compile(r"\b(?:output_dir|save_directory|save_path|output_path)\s*=\s*([^,)\n]+)")
_STRING = re.compile(r"[rRbBuUfF]?(?:\"([^\"\n]{1,500})\"|'([^'\n]{1,500})')")
_CONSTANT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=\n]*)?=\s*"
                       r"[rRuU]?(?:\"([^\"\n]{1,500})\"|'([^'\n]{1,500})')\s*$", re.MULTILINE)
_SCRIPT_SUFFIXES = (".py",)
#: Scripts looked into per scan, at most.
MAX_SCRIPTS = 200


def _written_paths(text: str) -> list[tuple[str, int, str]]:
    """(path written, line, the line's text) for each save call or output keyword of a script."""
    constants = {m.group(1): m.group(2) or m.group(3) for m in _CONSTANT.finditer(text)}
    found: list[tuple[str, int, str]] = []
    for pattern in (_SAVE_CALL, _OUTPUT_KW):
        for m in pattern.finditer(text):
            args = m.group(1)
            values = [s.group(1) or s.group(2) for s in _STRING.finditer(args)]
            values += [constants[name] for name in re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*\b", args)
                       if name in constants]
            line = text.count("\n", 0, m.start()) + 1
            evidence = text.splitlines()[line - 1].strip()[:300]
            found += [(v, line, evidence) for v in values]
    return found


def link_training_scripts(source: LocalSource, references: list[Any]) -> None:
    """Datasets a training script loads become training data of the local model folder it writes.

    For each Python file of the scan that loads a dataset, the folders its ``save_pretrained`` /
    ``trainer.save_model`` / ``torch.save`` calls (and ``output_dir=`` arguments) name, relative to the
    root or to the script, are matched with the scan's local model artifacts (a file written inside a
    model folder counts for the folder); each dataset it loads is added to that model as ``trained_on``,
    sourced to the script's save line. Bounded: :data:`MAX_SCRIPTS` scripts, :data:`FILE_BYTES` each.
    """
    models = {ref.id.split(":", 1)[1]: ref.id for ref in references
              if ref.id and is_local_id(ref.id) and ref.id.lower() in source.records}
    if not models:
        return
    scripts: dict[str, list[Any]] = {}
    for ref in references:
        if ref.kind is Kind.DATASET and ref.id and ref.path.endswith(_SCRIPT_SUFFIXES):
            scripts.setdefault(ref.path, []).append(ref)
    files = _Files(source.root)
    for script, loads in list(scripts.items())[:MAX_SCRIPTS]:
        text = files.text(source.root / script)
        if text is None:
            continue
        here = (source.root / script).parent
        for written, line, evidence in _written_paths(text):
            for candidate in (here / written, source.root / written):
                rel = files.rel(Path(os.path.normpath(candidate)))
                target = next((models[m] for m in models if rel == m or rel.startswith(m.rstrip("/") + "/")), None)
                if target is None:
                    continue
                note = f"{script}:{line}: {evidence}"
                source.add_training(target, [(ref.id, f"{note} (the script that writes it loads {ref.raw} at line "
                                                      f"{ref.line})") for ref in loads], script)
                break
