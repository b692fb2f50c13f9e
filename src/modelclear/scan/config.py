"""Model and dataset ids named in YAML, JSON and TOML configuration files.

Which keys count is data (``data/loaders/config_keys.yaml``): ``model_name_or_path``,
``base_model``, ``dataset_name``... at any depth, and Hydra/OmegaConf nodes whose ``_target_`` is a
known loader (``timm.create_model`` with ``pretrained: true``, ``transformers.AutoModel.from_pretrained``...).

Before the key rules, format readers look at each document for what only their format says (they
mark the nodes they report, which the key rules then skip): :mod:`.recipes` (recipe dataset lists and
mixers, LLaMA-Factory dataset names, NeMo diarizer models), :mod:`.detectron2cfg` (``MODEL.WEIGHTS``,
``DATASETS.TRAIN``) and :mod:`.ldmcfg` (latent-diffusion ``target:`` encoders and checkpoints). The
generic ``model:`` key is read only for ``ORG/NAME`` values that are not a hosted API's model name
(``api_guard`` in the data). Keys naming the project's own outputs (``output_dir``, ``hub_model_id``)
are never references. OpenMMLab's Python configs have their own scanner (:mod:`.openmmlab`).

Values are classified without guessing: an ``ORG/NAME`` repo id or a legacy bare Hub name becomes
an ``hf:``/``hf-dataset:`` id (bare names only for keys that can mean nothing else); a path (or an
``ORG/NAME`` shaped like one, ``checkpoints/best``) becomes a local-model reference without id; an
OmegaConf interpolation is resolved when it points at a plain value (``${model.name}``,
``${oc.env:VAR,default}``) of the same document, of the nearest Hydra primary config, or of the config
its ``defaults:`` list composes (:mod:`.hydracfg`), and otherwise reported as an unresolved
reference. Documents are read by :mod:`modelclear.scan.configdoc` (YAML event by event, no composer,
no constructor, aliases never expanded).

Work is bounded (:mod:`modelclear.scan.budget`): at most ``BUDGETS.config_nodes`` parser events /
values per file and ``BUDGETS.nesting_depth`` levels of nesting are read (deeper parts are cut
out before parsing; a too-deep TOML file is not parsed at all), and placing references on their
lines searches at most ``BUDGETS.locate_chars`` characters. A file that runs out keeps what was
found so far and gets a ``budget`` warning.
"""

from __future__ import annotations

import fnmatch
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from modelclear import ids
from modelclear.model import Kind, Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.budget import BUDGETS, budget_warning
from modelclear.scan.configdoc import ConfigNode, NestingTooDeep, ParseLimits, nodes, parse_documents
from modelclear.scan.placeholders import review_references
from modelclear.scan.urls import match_url
from modelclear.scan.walk import decode_text, inside_root

#: JSON files that are tool configuration, never model configuration.
_SKIP_NAMES = frozenset({"package.json", "package-lock.json", "tsconfig.json", "composer.json", "jsconfig.json",
                         ".eslintrc.json", "renovate.json", "tokenizer.json", "vocab.json", "merges.json"})
_WEIGHT_EXT = re.compile(
    r"\.(pt|pth|bin|ckpt|safetensors|gguf|onnx|h5|hdf5|keras|pkl|pb|tflite|json|jsonl|ya?ml|npz|msgpack|nemo|"
    r"csv|tsv|parquet|arrow|txt|py|ipynb|sh|md|rst|toml|cfg|ini|html|js|ts|log|xml)$", re.IGNORECASE)
_INTERP = re.compile(r"\$\{([^{}]*)\}")
_ADDRESS = re.compile(r"^\s*(?:https?|gs|s3)://", re.IGNORECASE)


@dataclass(frozen=True)
class KeyRule:
    """A configuration key whose value names a model or dataset."""

    key: str
    kind: Kind
    scheme: str
    strict: bool
    confidence: str
    #: The key is also how hosted-API clients name their model: skip values of API providers
    #: (``api_guard:`` in the data) and mappings that configure an API client.
    api_guard: bool = False


@dataclass(frozen=True)
class TargetRule:
    """A Hydra ``_target_`` loader: which argument holds the id and when it loads weights."""

    target: str
    scheme: str
    kind: Kind
    args: tuple[str, ...]
    requires: tuple[str, ...]
    join: str | None
    from_target: bool
    #: Only ``ORG/NAME`` values count (a catch-all target whose arguments may mean anything).
    strict: bool = False
    #: Every present argument of ``args`` names a model (else only the first present one does).
    all_args: bool = False


def _data(name: str) -> Any:
    text = resources.files("modelclear.data").joinpath("loaders").joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def config_data() -> Mapping[str, Any]:
    """The parsed ``config_keys.yaml``."""
    return _data("config_keys.yaml")


@cache
def rules() -> tuple[dict[str, KeyRule], tuple[TargetRule, ...], frozenset[bytes]]:
    """Key rules by key, target rules, and the prefilter byte strings."""
    data = config_data()
    keys = {
        k["key"]: KeyRule(k["key"], Kind(k["kind"]), k["scheme"], bool(k.get("strict", False)),
                          k.get("confidence", "medium"), bool(k.get("api_guard", False)))
        for k in data["keys"]
    }
    targets = tuple(
        TargetRule(t["target"], t["scheme"], Kind(t["kind"]), tuple(t.get("args", ())),
                   tuple(t.get("requires", ())), t.get("join"), bool(t.get("from_target", False)),
                   bool(t.get("strict", False)), bool(t.get("all_args", False)))
        for t in data["targets"]
    )
    words = data.get("key_words") or {}
    prefilter = frozenset({*(k.encode() for k in keys), b"_target_", *(t.encode() for t in data["format_tokens"]),
                           *(w.encode() for w in (*words.get("model", ()), *words.get("dataset", ())))})
    return keys, targets, prefilter


_KEY_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_IDENT_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")


@cache
def word_rule(key: str) -> KeyRule | None:
    """A strict rule for a key not in the table whose words say it names a model or dataset
    (``key_words`` in ``config_keys.yaml``), else None."""
    if not isinstance(key, str) or len(key) > 100 or _IDENT_KEY.fullmatch(key) is None:
        return None  # a title such as mkdocs' `- Export Model: learn/export.md` is not a setting
    words = config_data().get("key_words") or {}
    parts = {w.lower() for w in _KEY_WORD.findall(key)}
    if not parts or parts & set(words.get("exclude") or ()):
        return None
    if parts & set(words.get("model") or ()):
        return KeyRule(key, Kind.MODEL, "hf", True, "low", True)
    if parts & set(words.get("dataset") or ()):
        return KeyRule(key, Kind.DATASET, "hf-dataset", True, "low", False)
    return None


# --------------------------------------------------------------------------------------------------
# Classifying a value


@dataclass(frozen=True)
class Value:
    """What a configuration value names: an id, or a local path / unresolved expression (id None)."""

    id: str | None
    kind: Kind
    note: str = ""
    confidence: str = "medium"


def looks_local(value: str) -> bool:
    """A filesystem path rather than a Hub id (also ``checkpoints/best``-shaped names, see below)."""
    if (value.startswith((".", "/", "~", "\\")) or re.match(r"^[A-Za-z]:[\\/]", value) is not None
            or "\\" in value or value.count("/") > 1 or _WEIGHT_EXT.search(value) is not None):
        return True
    from modelclear.scan.builders.base import looks_local as local_shape  # the loaders' shared rules

    return "/" in value and local_shape(value.strip())


def download_value(value: str) -> Value | None:
    """An address whose file is a weight or data file (``https://host/models/model_base.pth``, ``.../train.zip``),
    as a shell download of it would be read (:func:`modelclear.scan.shellcmds.classify_url`: not pages, images,
    installers or source archives); None otherwise."""
    from modelclear.scan.shellcmds import classify_url  # it imports the URL table this module also uses

    found = classify_url(value)
    return Value(found[0], found[1]) if found is not None else None


def classify(value: str, scheme: str, kind: Kind, strict: bool) -> Value | None:
    """Read ``value`` as an id in ``scheme``; ``None`` when it names nothing we should report."""
    value = value.strip()
    if not value or len(value) > 500 or "\n" in value:
        return None
    if value.lower() in ("none", "null", "false", "true", "~", "???", "auto", "default", "random", "scratch"):
        return None
    if "${" in value or value.startswith("$"):
        if strict:
            return None
        return Value(None, kind, note="value is an interpolation modelclear cannot resolve", confidence="low")
    if re.match(r"^(https?)://", value):
        m = match_url(value)
        if m is not None:
            return Value(m.id, m.kind)
        hub = re.match(r"^https?://huggingface\.co/(datasets/)?([\w.\-]+/[\w.\-]+)/?$", value)
        if hub:
            ref = ids.try_parse(("hf-dataset:" if hub.group(1) else "hf:") + hub.group(2))
            return Value(ref.id, ref.kind or kind) if ref else None
        return download_value(value)
    match = re.match(r"^([a-z][a-z0-9_\-]*):(?!//)", value)
    if match and match.group(1) in ids.SCHEMES:
        ref = ids.try_parse(value)
        return Value(ref.id, ref.kind or kind) if ref else None
    if looks_local(value):
        if strict:
            return None
        return Value(None, kind, note="local path", confidence="low")
    if "/" not in value and strict:
        return None
    ref = ids.try_parse(f"{scheme}:{value}")
    if ref is None:
        return None
    return Value(ref.id, ref.kind or kind)


# --------------------------------------------------------------------------------------------------
# Scanning


def _lookup(root: ConfigNode, dotted: str) -> ConfigNode | None:
    node: ConfigNode | None = root
    for part in dotted.split("."):
        if node is None or not isinstance(node.value, dict):
            return None
        node = node.value.get(part)
    return node


def resolve_interpolation(value: str, root: ConfigNode) -> str | None:
    """A plain ``${a.b}`` / ``${oc.env:VAR,default}`` interpolation resolved within ``root``."""
    def sub(m: re.Match[str]) -> str:
        inner = m.group(1).strip()
        if inner.startswith(("oc.env:", "env:")):
            _, _, rest = inner.partition(":")
            if "," in rest:
                return rest.split(",", 1)[1].strip().strip("'\"")
            raise LookupError(inner)
        target = _lookup(root, inner.lstrip("."))
        if target is None or not isinstance(target.value, str) or "${" in target.value:
            raise LookupError(inner)
        return target.value

    try:
        return _INTERP.sub(sub, value)
    except LookupError:
        return None


#: Size limit of a Hydra primary config read to resolve an interpolation of another file.
MAX_HYDRA_ROOT_BYTES = BUDGETS.hydra_root_bytes


def hydra_roots(folder: str, root: str) -> tuple[tuple[str, ConfigNode], ...]:
    """Hydra primary configs (YAML documents with a top-level ``defaults:`` list) nearest to ``folder``.

    Looks in ``folder`` and then each parent up to ``root``; returns (file name, document) pairs of
    the first folder that has any. A config-group file (``conf/model/x.yaml``) interpolates keys of
    the composed config, whose top level is the primary config (``conf/config.yaml``).
    """
    return hydra_primary(folder, root)[1]


@lru_cache(maxsize=128)
def hydra_primary(folder: str, root: str) -> tuple[str, tuple[tuple[str, ConfigNode], ...]]:
    """The folder of the nearest Hydra primary configs and their (file name, document) pairs."""
    here, top = Path(folder), Path(root)
    while True:
        found: list[tuple[str, ConfigNode]] = []
        for candidate in sorted([*here.glob("*.yaml"), *here.glob("*.yml")]):
            try:
                if not candidate.is_file() or candidate.stat().st_size > MAX_HYDRA_ROOT_BYTES:
                    continue
                if not inside_root(candidate, top):
                    continue  # a link out of the scanned tree: never read
                text = candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if "defaults" not in text:
                continue
            try:
                docs = parse_documents(text, ".yaml")
            except (yaml.YAMLError, ValueError, RecursionError):
                continue
            found.extend((candidate.name, d) for d in docs
                         if isinstance(d.value, dict) and isinstance(d.value.get("defaults"), ConfigNode)
                         and isinstance(d.value["defaults"].value, list))
        if found:
            return str(here), tuple(found)
        if here == top or here.parent == here or top not in here.parents:
            return "", ()
        here = here.parent


# a compose service name, or a Kubernetes in-cluster service (NAME.NAMESPACE.svc[.cluster.local])
_LOCAL_HOST = re.compile(r"^(?:localhost|127(?:\.\d+){3}|0\.0\.0\.0|host\.docker\.internal|\[::1\]|[a-z0-9_-]+"
                         r"|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.svc(?:\.cluster\.local)?)$", re.IGNORECASE)
_OLLAMA_PORT = "11434"


def served_locally(mapping: Mapping[str, ConfigNode]) -> str:
    """``"ollama"`` or ``"server"`` when an API client mapping's address (``base_url``, ``api_base``,
    ``endpoint``...) is a server the deployment runs itself (``localhost``, a compose service name such as
    ``http://infinity-server:7997``, a Kubernetes service ``NAME.NAMESPACE.svc.cluster.local``): its model
    names are then what that server loads (an Ollama server — port 11434 or a host named for it — loads Ollama
    tags), not a hosted API's. ``""`` otherwise."""
    for key in config_data()["api_guard"]["siblings"]:
        node = mapping.get(key)
        text = node.value.strip() if node is not None and isinstance(node.value, str) else ""
        m = re.match(r"^https?://([^/:?#]+)(?::(\d+))?", text, re.IGNORECASE)
        if m is None:
            continue
        if not _LOCAL_HOST.match(m.group(1)):
            return ""
        return "ollama" if m.group(2) == _OLLAMA_PORT or "ollama" in m.group(1).lower() else "server"
    return ""


def _api_client(mapping: Mapping[str, ConfigNode], value: str | None) -> bool:
    """Whether a ``model:`` value names a hosted API's model (see ``api_guard`` in the data)."""
    guard = config_data()["api_guard"]
    if any(k in mapping for k in guard["siblings"]) and not served_locally(mapping):
        return True
    if not value or "/" not in value:
        return False
    org, _, name = value.strip().partition("/")
    if org.lower() in guard["providers"]:
        return True
    return org.lower() == "openai" and re.match(guard["openai_api_names"], name.lower()) is not None


def _truthy(node: ConfigNode | None) -> bool:
    if node is None:
        return False
    if isinstance(node.value, str):
        return node.value.strip().lower() not in ("", "false", "none", "null", "no", "0")
    return bool(node.value)


class Walker:
    """Walks one configuration document and collects the references it names (see the module doc).

    Format readers (:mod:`.recipes`, :mod:`.detectron2cfg`, :mod:`.ldmcfg`) use :meth:`emit`,
    :meth:`string` and :attr:`consumed` (ids of nodes they reported, which the key rules then skip).
    """

    def __init__(self, path: Path, lines: list[str], root: ConfigNode, ctx_root: Path | None = None) -> None:
        self.path = path
        self.ctx_root = ctx_root
        self.lines = lines
        self.root = root
        self.keys, self.targets, _ = rules()
        self.out: list[Reference] = []
        self.consumed: set[int] = set()
        parts = [p.lower() for p in path.parts]
        self.ci = parts[-1:] in ([".gitlab-ci.yml"], [".gitlab-ci.yaml"]) or parts[-3:-1] == [".github", "workflows"]

    def evidence(self, line: int) -> str:
        """The trimmed text of ``line``."""
        return self.lines[line - 1].strip()[:300] if 0 < line <= len(self.lines) else ""

    def emit(self, raw: str, value: Value, node: ConfigNode, loader: str, confidence: str, note: str = "") -> None:
        """Record a reference to ``value`` at ``node``'s position."""
        notes = "; ".join(n for n in (value.note, note) if n)
        line, column = node.position()
        self.out.append(Reference(raw=raw, kind=value.kind, id=value.id, path=self.path.name, line=line,
                                  column=column, evidence=self.evidence(line),
                                  confidence=value.confidence if value.id is None else confidence,
                                  loader=loader, note=notes))

    def string(self, node: ConfigNode) -> str | None:
        """The node's string value, with interpolations resolved where they can be (else as written)."""
        if not isinstance(node.value, str):
            return None
        text = node.value
        if "${" in text:
            resolved = resolve_interpolation(text, self.root)
            if resolved is None and self.ctx_root is not None and self.path.suffix.lower() in (".yaml", ".yml"):
                from modelclear.scan.hydracfg import composed  # it imports this module

                for doc in (*(d for _n, d in hydra_roots(str(self.path.parent), str(self.ctx_root))),
                            *composed(str(self.path.parent), str(self.ctx_root))):
                    if doc is not self.root:
                        resolved = resolve_interpolation(text, doc)
                        if resolved is not None:
                            break
            return resolved if resolved is not None else text
        return text

    def visit(self, node: ConfigNode) -> None:
        """Apply the key and ``_target_`` rules to ``node`` and everything below it."""
        if isinstance(node.value, dict):
            target = node.value.get("_target_")
            if target is not None and isinstance(target.value, str):
                self.target(node.value, target.value.strip())
            served = ""
            for key, child in node.value.items():
                rule = self.keys.get(key) or word_rule(key)
                if rule is not None and rule.api_guard and rule.kind is Kind.MODEL:
                    served = served or served_locally(node.value) or "-"
                    if served == "ollama":  # an Ollama server's model names are its tags (``qwen2:1.5b``)
                        rule = KeyRule(rule.key, rule.kind, "ollama", False, rule.confidence, rule.api_guard)
                if rule is not None and id(child) not in self.consumed and \
                        not (rule.api_guard and _api_client(node.value, self.string(child))):
                    self.key(rule, child)
                elif rule is None:
                    self.address(key, child)
                if isinstance(child.value, dict | list):
                    self.visit(child)
        elif isinstance(node.value, list):
            for child in node.value:
                self.visit(child)

    def address(self, key: str, node: ConfigNode) -> None:
        """A weight or data file's address under any other key (``ckpt_path: https://.../model.ckpt``, a list of
        ``https://.../part-0.tar`` shards): :func:`download_value`. Not in CI workflows (tool downloads)."""
        if self.ci:
            return
        for item in node.value if isinstance(node.value, list) else [node]:
            text = item.value if isinstance(item.value, str) else None
            if id(item) in self.consumed or not text or not _ADDRESS.match(text):
                continue
            value = download_value(text.strip())
            if value is not None:
                self.consumed.add(id(item))
                self.emit(text, value, item, f"config:{key}"[:80], "medium", note="file address in a config")

    def key(self, rule: KeyRule, node: ConfigNode) -> None:
        """References named by the value of a key rule's key."""
        if isinstance(node.value, dict):  # a sweep parameter: {value: X} / {values: [X, Y]} / {default: X}
            inner = [node.value[k] for k in ("value", "values", "default") if k in node.value]
            for child in inner:
                if isinstance(child.value, list | str):
                    self.key(rule, child)
            return
        items = node.value if isinstance(node.value, list) else [node]
        for item in items:
            text = self.string(item)
            if text is None:
                continue
            value = classify(text, rule.scheme, rule.kind, rule.strict)
            if value is not None:
                self.emit(item.value, value, item, f"config:{rule.key}", rule.confidence)

    def target(self, mapping: dict[str, ConfigNode], target: str) -> None:
        """References of a Hydra ``_target_`` node whose target is a known loader."""
        for rule in self.targets:
            if not fnmatch.fnmatchcase(target, rule.target):
                continue
            if rule.requires and not any(_truthy(mapping.get(r)) for r in rule.requires):
                for arg in rule.args:
                    if arg in mapping:
                        self.consumed.add(id(mapping[arg]))
                return
            loader = f"hydra:{target}"
            if rule.from_target:
                name = target.rsplit(".", 1)[-1]
                ref = ids.try_parse(f"{rule.scheme}:{name}")
                if ref is not None:
                    self.emit(target, Value(ref.id, rule.kind), mapping["_target_"], loader, "medium")
                return
            for arg in rule.args:
                node = mapping.get(arg)
                if node is None:
                    continue
                text = self.string(node)
                if text is None:
                    continue
                self.consumed.add(id(node))
                if rule.join:
                    other = mapping.get(rule.join)
                    tag = self.string(other) if other is not None else None
                    if not tag:
                        return
                    text = f"{text}/{tag}"
                if rule.scheme == "torchvision":
                    weights = self.string(mapping["weights"]) if "weights" in mapping else None
                    if weights and "_Weights." in weights:
                        text = weights
                value = classify(text, rule.scheme, rule.kind, strict=rule.strict)
                if value is not None:
                    self.emit(node.value, value, node, loader, "low" if rule.strict else "medium")
                if not rule.all_args:
                    return
            return


class ConfigScanner:
    """Ids in YAML / JSON / TOML configuration files."""

    name = "config"

    @property
    def prefilter(self) -> frozenset[bytes]:
        """Byte strings one of which a file must contain (the key names and ``_target_``)."""
        return rules()[2]

    def accepts(self, path: Path) -> bool:
        """``.yaml``/``.yml``/``.json``/``.toml`` files other than well-known tool configs, and their example
        copies (``config.yaml.sample``, ``settings.json.example``: the defaults an app is installed with)."""
        return config_suffix(path) != "" and path.name.lower() not in _SKIP_NAMES

    def scan(self, path: Path, data: bytes, ctx: ScanContext) -> Iterable[Reference | ScanWarning]:
        """References in one configuration file; malformed files give a warning."""
        text = decode_text(data)
        if text is None:
            return [ScanWarning(path=path.name, message="not UTF-8 text; skipped", code="encoding")]
        suffix = config_suffix(path)
        limits = ParseLimits(BUDGETS.config_nodes, BUDGETS.nesting_depth, BUDGETS.locate_chars)
        try:
            docs = parse_documents(text, suffix, limits)
        except NestingTooDeep as exc:
            return [budget_warning(path.name, str(exc))]
        except (yaml.YAMLError, ValueError, tomllib.TOMLDecodeError, RecursionError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return [ScanWarning(path=path.name, message=f"malformed {suffix[1:].upper()}: {first[:200]}",
                                code="malformed", line=_error_line(exc))]
        out: list[Reference | ScanWarning] = []
        lines = text.splitlines()
        if suffix in (".yaml", ".yml"):
            docs = [*docs, *_literal_documents(docs, lines, limits)]
        for doc in docs:
            walker = Walker(path, lines, doc, Path(os.path.abspath(ctx.root)) if path.is_absolute() else None)
            for reader in _format_readers():
                reader(walker, doc)
            walker.visit(doc)
            out.extend(walker.out)
        if limits.nodes.exhausted:
            out.append(budget_warning(path.name, f"more than {limits.nodes.limit:,} values; "
                                                 "the rest of the file was not read"))
        if limits.too_deep:
            out.append(budget_warning(path.name, f"nested deeper than {limits.depth} levels; "
                                                 "the deeper parts were not read"))
        if limits.locate.exhausted:
            out.append(budget_warning(path.name, "too many references to place on their lines; "
                                                 "later ones have line 0"))
        return review_references(out, path, ctx.root)  # "model_name_or_path: <user>/<model>": to review


_LITERAL_BLOCK = re.compile(r"(?:^|[:\-]\s)\|[-+0-9]*\s*(?:#.*)?$")
_YAML_KEY_LINE = re.compile(r"^[A-Za-z_][\w.\-]*:(?:\s|$)")


def _literal_documents(docs: list[ConfigNode], lines: list[str], limits: ParseLimits) -> list[ConfigNode]:
    """YAML documents held in literal blocks (``data: |``: a config file a deployment mounts, a ConfigMap
    entry), parsed and moved to the lines they occupy in the file; one level deep, within the file's budgets.
    A block whose text is not a YAML mapping (prose, a script) gives nothing."""
    found: list[ConfigNode] = []
    for node in nodes(*docs):
        if limits.nodes.exhausted:
            break
        if isinstance(node.value, str) and "\n" in node.value and _YAML_KEY_LINE.match(node.value) and \
                0 < node.line <= len(lines) and _LITERAL_BLOCK.search(lines[node.line - 1].rstrip()):
            try:
                inner = parse_documents(node.value, ".yaml", limits)
            except (yaml.YAMLError, ValueError, RecursionError):
                continue
            for doc in inner:
                if isinstance(doc.value, dict):
                    _shift(doc, node.line)  # the block's text starts on the line after its indicator
                    found.append(doc)
    return found


def _shift(root: ConfigNode, offset: int) -> None:
    for node in nodes(root):
        node.line += offset


#: Config formats read, by file suffix.
CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".toml")
#: Final suffixes of an example copy of a config file (``config.yaml.sample``).
EXAMPLE_SUFFIXES = (".sample", ".example", ".template", ".dist", ".default")


def config_suffix(path: Path) -> str:
    """The config format suffix of ``path`` (``.yaml`` for ``config.yaml`` and ``config.yaml.sample``), else ""."""
    name = path.name.lower()
    for example in EXAMPLE_SUFFIXES:
        if name.endswith(example):
            name = name[: -len(example)]
            break
    dot = name.rfind(".")
    suffix = name[dot:] if dot > 0 else ""
    return suffix if suffix in CONFIG_SUFFIXES else ""


def _format_readers() -> tuple[Callable[[Walker, ConfigNode], None], ...]:
    """The readers of particular config formats, run on each document before the key rules."""
    from modelclear.scan import detectron2cfg, ldmcfg, recipes  # they import this module

    return (recipes.read_recipe, detectron2cfg.read_detectron2, ldmcfg.read_ldm)


def _error_line(exc: BaseException) -> int:
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        return int(mark.line) + 1
    return int(getattr(exc, "lineno", 0) or 0)

