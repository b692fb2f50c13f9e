"""Id builders of the Python scanner: how a matched loader call becomes ids.

A loader entry of ``data/loaders/*.yaml`` names its builder in ``id:`` (see
:mod:`modelclear.scan.pyloaders`). A builder receives the matched call as a :class:`Site` (the
call, its scope, the loader declaration, the resolver) and returns :class:`Hit` values: an id, or
``id=None`` with a note for a local or unresolved reference. Builders read the id argument through
:func:`_main`, which applies the declaration uniformly (``arg``, ``if_missing: skip|default``,
``default``), so a library's defaults and skip rules are data. The general builders (``template``,
``hf``, ``url``) cover most libraries; the others encode a library's own naming rules
(torchvision's weights enums, fastai's architectures, ...). Nothing here imports scanned code.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from modelclear import ids
from modelclear.model import Kind
from modelclear.scan.pyloaders import ArgSpec, LoaderSpec, items, load_table
from modelclear.scan.pyvalues import (
    Opaque,
    PathStr,
    QName,
    Res,
    Scope,
    expr_text,
    find_arg,
    flatten,
    has_star_args,
)

if TYPE_CHECKING:
    from modelclear.scan.python import _ModuleScan

_URL_RE = re.compile(r"^(https?|s3|gs)://", re.IGNORECASE)
_WINDOWS_RE = re.compile(r"^[A-Za-z]:[\\/]")


@dataclass(frozen=True)
class Hit:
    """One id (or an unresolved / local reference when ``id`` is None) that a loader call yields."""

    id: str | None
    raw: str
    kind: Kind
    note: str = ""
    confidence: str = ""


# ------------------------------------------------------------------------------------------ helpers


@cache
def _local_rules() -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]:
    table = load_table().table("local_paths")
    exts = tuple(str(e).lower() for e in items(table.get("file_extensions")))
    prefixes = tuple(str(p) for p in items(table.get("prefixes")))
    folders = frozenset(str(f).lower() for f in items(table.get("folder_names")))
    return exts, prefixes, folders


@cache
def _local_shapes() -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    table = load_table().table("local_paths")
    namespace, leaf = table.get("namespace_regex"), table.get("leaf_regex")
    return (re.compile(str(namespace)) if namespace else None,
            re.compile(str(leaf), re.IGNORECASE) if leaf else None)


def looks_local(value: str, root: Path | None = None) -> bool:
    """Whether a string given to a "Hub id or local path" argument is a local path."""
    if isinstance(value, PathStr):
        return True
    exts, prefixes, folders = _local_rules()
    text = value.strip()
    if not text or text.startswith(prefixes) or "\\" in text or _WINDOWS_RE.match(text):
        return True
    if text.count("/") > 1 or text.lower().endswith(exts):
        return True
    if text.split("/", 1)[0].lower() in folders and "/" in text:
        return True
    if "/" in text:
        namespace_re, leaf_re = _local_shapes()
        first, _, last = text.partition("/")
        if namespace_re is not None and not namespace_re.match(first):
            return True
        if leaf_re is not None and leaf_re.match(last):
            return True
    if root is not None and "/" in text:
        try:
            return (root / text).is_dir()
        except OSError:
            return False
    return False


def _url_hit(value: str, kind: Kind) -> Hit:
    try:
        from modelclear.scan.urls import match_url  # the shared table of weight hosts
    except ImportError:  # pragma: no cover - urls is part of the package
        match_url = None  # type: ignore[assignment]
    if match_url is not None:
        try:
            found = match_url(value)
        except Exception:  # a helper's failure must not stop the scan
            found = None
        if found is not None:
            return Hit(found.id, value, found.kind)
    parsed = ids.try_parse(value)
    if parsed is not None:
        return Hit(parsed.id, value, kind)
    return Hit(None, value, kind, note="unparsable address")


def _local(value: str, kind: Kind, what: str = "local path") -> Hit:
    return Hit(None, value, kind, note=what)


def _strings(res: Res) -> list[str]:
    return [v for v in res.values if isinstance(v, str)]


# --------------------------------------------------------------------------------------- call sites


class Site:
    """One matched loader call: the call, its scope, the loader spec and the resolver."""

    def __init__(self, scan: _ModuleScan, call: ast.Call, scope: Scope, spec: LoaderSpec,
                 groups: Mapping[str, str], qualname: str, bare: bool) -> None:
        self.scan = scan
        self.call = call
        self.scope = scope
        self.spec = spec
        self.groups = groups
        self.qualname = qualname
        self.bare = bare
        self.indirect = False
        #: Whether the id argument was missing and the loader's declared default was used instead.
        self.default_used = False

    @property
    def options(self) -> Mapping[str, object]:
        """The loader's builder options."""
        return self.spec.options

    def arg_node(self, spec: ArgSpec | Mapping[str, object] | None) -> ast.expr | None:
        """The argument node named by ``spec``, or None."""
        if spec is None:
            return None
        if not isinstance(spec, ArgSpec):
            kw = spec.get("kw") or ()
            spec = ArgSpec(pos=spec.get("pos"), kw=(kw,) if isinstance(kw, str) else tuple(kw))  # type: ignore[arg-type]
        return find_arg(self.call, spec.pos, spec.kw)

    def value(self, spec: ArgSpec | Mapping[str, object] | None) -> Res | None:
        """Candidates of the argument named by ``spec`` (None when the call does not pass it).

        An argument passed inside ``**kwargs`` is found when ``kwargs`` is a dict we can evaluate
        (``cfg = dict(model="org/x"); pipeline(task, **cfg)``).
        """
        node = self.arg_node(spec)
        if node is None:
            return self._from_double_star(spec)
        res = self.scan.resolver.resolve(node, self.scope)
        self.indirect = self.indirect or res.indirect or len(res.values) > 1
        return res

    def _from_double_star(self, spec: ArgSpec | Mapping[str, object] | None) -> Res | None:
        if spec is None:
            return None
        names = spec.kw if isinstance(spec, ArgSpec) else spec.get("kw") or ()
        names = (names,) if isinstance(names, str) else tuple(names)  # type: ignore[arg-type]
        out: Res | None = None
        for keyword in self.call.keywords:
            if keyword.arg is not None or not names:
                continue
            res = self.scan.resolver.resolve(keyword.value, self.scope)
            for mapping in res.values:
                if not isinstance(mapping, dict):
                    continue
                for name in names:
                    if name in mapping:
                        out = out or Res(indirect=True)
                        out.add(Res(values=list(flatten(mapping[name])), indirect=True))
        if out is not None:
            self.indirect = True
        return out

    def text(self, spec: ArgSpec | Mapping[str, object] | None) -> str:
        """Source text of an argument (or of the whole call)."""
        node = self.arg_node(spec)
        return expr_text(node if node is not None else self.call)

    def unresolved(self, res: Res | None, spec: ArgSpec | None = None, what: str = "") -> Hit:
        """An unresolved reference for an argument whose value is not known statically."""
        notes = [n for n in (res.notes if res else []) if n]
        note = "value not known statically" + (f" ({'; '.join(notes)})" if notes else "")
        if what:
            note = f"{what}: {note}"
        return Hit(None, self.text(spec if spec is not None else self.spec.arg), self.spec.kind, note=note)

    def each(self, res: Res, one: Callable[[str], Iterable[Hit]],
             other: Callable[[object], Iterable[Hit] | None] | None = None) -> list[Hit]:
        """Hits of every candidate value: strings through ``one``; unknown parts as one unresolved hit."""
        hits: list[Hit] = []
        unresolved = bool(res.unknown)
        strings = _strings(res)
        for value in res.values:
            if isinstance(value, str):
                continue
            if other is not None:
                produced = other(value)
                if produced is not None:
                    hits.extend(produced)
                    continue
            if isinstance(value, Opaque):
                if not value.loader:
                    unresolved = True
                continue
            if value is None and strings:
                continue
            unresolved = True
        for value in strings:
            hits.extend(one(value))
        if unresolved:
            hits.append(self.unresolved(res))
        return hits


Builder = Callable[[Site], list[Hit]]


def _main(site: Site) -> Res | str | None:
    """The id argument's candidates, as the loader declares them (``arg``, ``if_missing``, ``default``).

    ``"skip"`` when a missing argument means nothing is loaded; the library's declared default when
    it means that default is loaded (:attr:`Site.default_used` is then set, and the references get
    the loader's ``default_note`` at confidence medium); None when the argument is missing and
    nothing is declared (the builder reports an unresolved reference).
    """
    res = site.value(site.spec.arg)
    if res is not None:
        return res
    if has_star_args(site.call):
        return Res(unknown=[expr_text(site.call)], indirect=True, notes=["passed through *args/**kwargs"])
    if site.spec.if_missing == "skip":
        return "skip"
    default = site.spec.default_for(site.groups)
    if default is not None:
        site.default_used = True
        return Res(values=[default])
    return None


def _default_hits(site: Site, hits: list[Hit]) -> list[Hit]:
    """Hits found through the loader's declared default: its ``default_note``, confidence medium."""
    try:
        note = site.spec.default_note.format(**site.groups)
    except (KeyError, IndexError, ValueError):
        note = site.spec.default_note
    return [Hit(h.id, h.raw, h.kind, note=note, confidence=h.confidence or "medium") for h in hits]


# ------------------------------------------------------------------------------------------ builders


def _hf_one(site: Site, value: str, scheme: str, kind: Kind) -> list[Hit]:
    text = value.strip()
    if not text or "{" in text:
        return [Hit(None, value, kind, note="not a Hub id")]
    if _URL_RE.match(text):
        return [_url_hit(text, kind)]
    if looks_local(value, site.scan.root):
        return [_local(text, kind)]
    prefix = site.options.get("bare_prefix")
    if prefix and "/" not in text:
        listed = site.scan.table.table(site.spec.library).get(str(site.options.get("unprefixed_list")), ())
        if text.lower() not in {str(x).lower() for x in items(listed)}:
            text = f"{prefix}/{text}"
    ref = ids.try_parse(f"{scheme}:{text}")
    if ref is None:
        return [Hit(None, value, kind, note="not a Hub id")]
    return [Hit(ref.id, value, kind)]


def _base_note(site: Site) -> str:
    node = site.arg_node(site.options.get("base_arg"))  # type: ignore[arg-type]
    if node is None:
        return ""
    described = site.scan.describe_object(node, site.scope)
    return f"adapter on base model {described}"


def build_hf(site: Site) -> list[Hit]:
    """Hub repo ids (``hf:`` / ``hf-dataset:``), URLs, or local folders."""
    scheme, kind = "hf", site.spec.kind
    repo_type = site.value(site.options.get("repo_type_arg"))  # type: ignore[arg-type]
    if repo_type is not None:
        types = _strings(repo_type)
        if "space" in types and len(types) == 1:
            return []
        if "dataset" in types and len(types) == 1:
            scheme, kind = "hf-dataset", Kind.DATASET
    res = _main(site)
    if res == "skip":
        return []
    if res is None:
        return [site.unresolved(None, what="no model argument")]
    assert isinstance(res, Res)
    hits = site.each(res, lambda v: _hf_one(site, v, scheme, kind))
    notes = [str(site.options.get("note") or ""), _base_note(site)]
    note = "; ".join(n for n in notes if n)
    if note:
        hits = [Hit(h.id, h.raw, h.kind, "; ".join(x for x in (h.note, note) if x), h.confidence) for h in hits]
    return hits


def build_pipeline(site: Site) -> list[Hit]:
    """transformers.pipeline: the model argument, or the task's default model when none is given."""
    res = site.value(site.spec.arg)
    if res is not None:
        return site.each(res, lambda v: _hf_one(site, v, "hf", Kind.MODEL))
    if has_star_args(site.call):
        return [site.unresolved(None, what="pipeline model passed through **kwargs")]
    task_spec = site.options.get("task_arg")
    task = site.value(task_spec)  # type: ignore[arg-type]
    if task is None:
        return [site.unresolved(None, what="pipeline without task or model")]
    data = _pipeline_defaults()
    defaults: Mapping[str, str] = data.get("defaults") or {}  # type: ignore[assignment]
    aliases: Mapping[str, str] = data.get("aliases") or {}  # type: ignore[assignment]
    commit = str(data.get("pinned_commit", ""))[:10]

    def one(name: str) -> list[Hit]:
        normal = aliases.get(name, name)
        for rule in items(data.get("parametrized")):
            if isinstance(rule, Mapping) and re.match(str(rule["pattern"]), normal):
                normal = str(rule["task"])
        model = defaults.get(normal)
        if model is None:
            return [Hit(None, name, Kind.MODEL, note=f"pipeline task {name!r} has no known default model")]
        return [Hit(f"hf:{model}", model, Kind.MODEL, confidence="medium",
                    note=f"default model of pipeline task {name!r} (transformers @ {commit})")]

    return site.each(task, one)


@cache
def _pipeline_defaults() -> Mapping[str, object]:
    from importlib import resources

    import yaml

    text = resources.files("modelclear").joinpath("data", "loaders", "pipeline_defaults.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    return data if isinstance(data, dict) else {}


def _torchvision_tables(site: Site) -> tuple[Mapping[str, object], str]:
    data = site.scan.table.table("torchvision")
    return data.get("builders") or {}, str(data.get("legacy_default") or "IMAGENET1K_V1")  # type: ignore[return-value]


def _enum_of(site: Site, builder: str) -> tuple[str | None, str | None]:
    builders, legacy = _torchvision_tables(site)
    entry = builders.get(builder)
    if entry is None:
        return None, None
    if isinstance(entry, dict):
        return str(entry.get("enum")), str(entry.get("legacy") or legacy)
    return str(entry), legacy


def _tv_weights_hits(site: Site, builder: str, res: Res, what: str) -> list[Hit]:
    hits = _tv_weights_hits_raw(site, builder, res, what)
    if res.indirect or len(res.values) > 1:
        hits = [h if h.confidence else Hit(h.id, h.raw, h.kind, h.note, "medium") for h in hits]
    return hits


def _tv_weights_hits_raw(site: Site, builder: str, res: Res, what: str) -> list[Hit]:
    enum, _ = _enum_of(site, builder)
    hits: list[Hit] = []
    for value in res.values:
        if value is None:
            continue
        if isinstance(value, QName):
            parts = value.name.split(".")
            if len(parts) >= 2 and parts[-2].endswith("Weights"):
                hits.append(Hit(f"torchvision:{parts[-2]}.{parts[-1]}", value.name, Kind.MODEL))
            else:
                hits.append(Hit(f"torchvision:{builder}", value.name, Kind.MODEL, confidence="low",
                                note=f"{what} value {value.name} not understood"))
        elif isinstance(value, str):
            text = value.strip()
            if "." in text and text.split(".")[0].endswith("Weights"):
                ref = ids.try_parse(f"torchvision:{text}")
            elif enum:
                ref = ids.try_parse(f"torchvision:{enum}.{text}")
            else:
                ref = None
            if ref is not None:
                hits.append(Hit(ref.id, value, Kind.MODEL))
            else:
                hits.append(Hit(f"torchvision:{builder}", value, Kind.MODEL, note=f"{what}={value!r}"))
        elif (isinstance(value, Opaque) and value.loader) or value is False:
            continue
        else:
            hits.append(Hit(f"torchvision:{builder}", expr_text(site.call), Kind.MODEL, confidence="low",
                            note=f"{what} value not known statically"))
    if res.unknown:
        hits.append(Hit(f"torchvision:{builder}", site.text({"kw": [what]}), Kind.MODEL, confidence="low",
                        note=f"{what} value not known statically; the builder loads pretrained weights if it is set"))
    return hits


def _tv_builder_hits(site: Site, builder: str, known_builder: bool, positional: bool = True) -> list[Hit]:
    call = site.call
    resolver = site.scan.resolver
    hits: list[Hit] = []
    weights = find_arg(call, None, ("weights",))
    pretrained = find_arg(call, 0 if positional else None, ("pretrained",))
    if weights is not None:
        hits.extend(_tv_weights_hits(site, builder, resolver.resolve(weights, site.scope), "weights"))
    elif pretrained is not None:
        res = resolver.resolve(pretrained, site.scope)
        enum, legacy = _enum_of(site, builder)
        truthy = [v for v in res.values if v is True or (isinstance(v, (int, str)) and v and v is not False)]
        if truthy or res.unknown or any(isinstance(v, Opaque) for v in res.values):
            target = f"torchvision:{enum}.{legacy}" if enum else f"torchvision:{builder}"
            low = bool(res.unknown) or not truthy
            hits.append(Hit(target, f"{builder}(pretrained=True)", Kind.MODEL,
                            confidence="low" if low else "medium" if res.indirect else "",
                            note="legacy pretrained=True" + ("; value not known statically" if low else "")))
    elif not known_builder:
        return []
    backbone = find_arg(call, None, ("weights_backbone",))
    if backbone is not None:
        for hit in _tv_weights_hits(site, builder, resolver.resolve(backbone, site.scope), "weights_backbone"):
            if hit.id and hit.id.split(":", 1)[1].split(".")[0].endswith("Weights"):
                hits.append(Hit(hit.id, hit.raw, hit.kind, "backbone weights", hit.confidence))
    return hits


def build_torchvision_builder(site: Site) -> list[Hit]:
    """A torchvision model builder: ``weights=`` enum/string, legacy ``pretrained=True``."""
    name = site.groups.get("name", "")
    if name in (site.options.get("not_builders") or ()):  # type: ignore[operator]
        return []
    known = _enum_of(site, name)[0] is not None
    return _tv_builder_hits(site, name, known)


def build_torchvision_get_model(site: Site) -> list[Hit]:
    """torchvision.models.get_model(name, weights=...)."""
    res = site.value(site.spec.arg)
    if res is None:
        return [site.unresolved(None)]
    hits: list[Hit] = []
    for name in _strings(res):
        hits.extend(_tv_builder_hits(site, name.lower(), True, positional=False))
    if res.unknown and find_arg(site.call, None, ("weights",)) is not None:
        hits.append(site.unresolved(res, what="torchvision.models.get_model name"))
    return hits


def build_torchvision_weight(site: Site) -> list[Hit]:
    """torchvision.models.get_weight("ResNet50_Weights.IMAGENET1K_V2")."""
    res = _main(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []

    def one(value: str) -> list[Hit]:
        ref = ids.try_parse(f"torchvision:{value.strip()}")
        return [Hit(ref.id, value, Kind.MODEL)] if ref else [Hit(None, value, Kind.MODEL, note="not a weights name")]

    return site.each(res, one)


def build_template(site: Site) -> list[Hit]:
    """An id from a template over the argument value and/or the callee's regex groups."""
    excluded = site.options.get("exclude_names") or ()
    if site.groups.get("name") in excluded:  # type: ignore[operator]
        return []
    kind = site.spec.kind
    if site.spec.arg is None:
        ref = ids.try_parse(site.spec.template.format(**site.groups))
        return [Hit(ref.id, site.qualname, kind)] if ref else []
    res = _main(site)
    if res == "skip":
        return []
    if res is None:
        return [site.unresolved(None, what="no name argument")]
    assert isinstance(res, Res)
    mapping: Mapping[str, str] = site.options.get("map") or {}  # type: ignore[assignment]
    names = site.options.get("names")
    value_regex = site.options.get("value_regex")

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if _URL_RE.match(text):
            return [_url_hit(text, kind)]
        if mapping:
            if text not in mapping:
                return [_local(text, kind)] if site.options.get("unmapped") == "local" else [
                    Hit(None, value, kind, note="unknown name")]
            text = mapping[text]
        elif names is not None and text not in names:  # type: ignore[operator]
            return [_local(text, kind)] if looks_local(text) or "/" in text or "." in text else [
                Hit(None, value, kind, note="unknown name")]
        elif value_regex and not re.match(str(value_regex), text):
            return [_local(text, kind)]
        ref = ids.try_parse(site.spec.template.format(value=text, **site.groups))
        return [Hit(ref.id, value, kind)] if ref else [Hit(None, value, kind, note="not a valid id")]

    return site.each(res, one)


def build_torchhub(site: Site) -> list[Hit]:
    """torch.hub.load(repo[:ref], entry) -> torchhub:OWNER/REPO:ENTRY."""
    source = site.value(site.options.get("source_arg"))  # type: ignore[arg-type]
    res = _main(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []
    local_source = source is not None and "local" in _strings(source)
    entry = site.value(site.options.get("entry_arg"))  # type: ignore[arg-type]
    entries = _strings(entry) if entry is not None else []

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if local_source or "/" not in text or looks_local(text):
            return [_local(text, Kind.MODEL)]
        repo, _, ref = text.partition(":")
        note = f"git ref {ref}" if ref else ""
        if not entries:
            parsed = ids.try_parse(f"torchhub:{repo}")
            return [Hit(parsed.id if parsed else None, value, Kind.MODEL, confidence="low",
                        note="; ".join(x for x in (note, "entry point not known statically") if x))]
        out = []
        for name in entries:
            parsed = ids.try_parse(f"torchhub:{repo}:{name}")
            out.append(Hit(parsed.id if parsed else None, f"{value} {name}", Kind.MODEL, note=note))
        return out

    return site.each(res, one)


def build_url(site: Site) -> list[Hit]:
    """A download address (``url:``, or the id the shared weight-host table gives it)."""
    res = _main(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if _URL_RE.match(text):
            return [_url_hit(text, site.spec.kind)]
        return [_local(text, site.spec.kind)]

    return site.each(res, one)


def build_timm(site: Site) -> list[Hit]:
    """timm.create_model(name, pretrained=True): timm:NAME, or hf:ORG/NAME for "hf-hub:" names."""
    res = _main(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []

    return site.each(res, build_timm_name)


def build_open_clip(site: Site) -> list[Hit]:
    """open_clip: hf:ORG/NAME for "hf-hub:" names, else open_clip:ARCH/TAG when a tag is given."""
    res = _main(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []
    tags = site.value(site.options.get("pretrained_arg"))  # type: ignore[arg-type]

    def one(value: str) -> list[Hit]:
        arch = value.strip()
        if arch.startswith(("hf-hub:", "hf_hub:")):
            ref = ids.try_parse(f"hf:{arch.split(':', 1)[1]}")
            return [Hit(ref.id if ref else None, value, Kind.MODEL)]
        if tags is None:
            return []
        out: list[Hit] = []
        for tag in tags.values:
            if tag is None or tag == "":
                continue
            if not isinstance(tag, str):
                out.append(site.unresolved(tags, ArgSpec(pos=1, kw=("pretrained",)), "open_clip pretrained tag"))
                continue
            if looks_local(tag) or "/" in tag:
                out.append(_local(tag, Kind.MODEL, "local weights"))
                continue
            ref = ids.try_parse(f"open_clip:{arch}/{tag}")
            out.append(Hit(ref.id if ref else None, f"{arch} {tag}", Kind.MODEL))
        if tags.unknown:
            out.append(Hit(None, f"{arch} {site.text({'pos': 1, 'kw': ['pretrained']})}", Kind.MODEL,
                           note="open_clip pretrained tag not known statically"))
        return out

    return site.each(res, one)


def build_ultralytics(site: Site) -> list[Hit]:
    """ultralytics YOLO/RTDETR/SAM/...: a released asset, a local checkpoint, or nothing for a .yaml."""
    res = _main(site)
    if res is None:
        return [site.unresolved(None)]
    if not isinstance(res, Res):
        return []
    assets = [re.compile(str(p)) for p in items(site.scan.table.table("ultralytics").get("assets"))]

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if _URL_RE.match(text):
            return [_url_hit(text, Kind.MODEL)]
        lowered = text.lower()
        if lowered.endswith((".yaml", ".yml")):
            return []
        name = text.replace("\\", "/").rsplit("/", 1)[-1]
        stem = re.sub(r"\.pt$", "", name)
        if "/" not in text.replace("\\", "/") and any(p.match(stem) for p in assets):
            return [Hit(f"ultralytics:{stem}", value, Kind.MODEL)]
        return [_local(text, Kind.MODEL, "local weights")]

    return site.each(res, one)


def build_detectron2(site: Site) -> list[Hit]:
    """detectron2 model zoo config path -> detectron2:PATH (without .yaml/.py)."""
    res = _main(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []
    note = str(site.options.get("note") or "")

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if text.startswith(("/", "./", "~")):
            return [_local(text, Kind.MODEL)]
        stem = re.sub(r"\.(yaml|py)$", "", text)
        ref = ids.try_parse(f"detectron2:{stem}")
        return [Hit(ref.id if ref else None, value, Kind.MODEL, note=note)]

    return site.each(res, one)


def build_fastai_learner(site: Site) -> list[Hit]:
    """fastai vision_learner / cnn_learner / unet_learner: the weights ``arch`` is built with."""
    res = _main(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []
    weights = find_arg(site.call, None, ("weights",))
    table = site.scan.table.table("fastai")
    default_archs = {str(a) for a in items(table.get("default_weight_archs"))}
    hits: list[Hit] = []
    unresolved = bool(res.unknown)
    for value in res.values:
        if isinstance(value, str):
            hits.extend(build_timm_name(value))
            continue
        qualified = value.name if isinstance(value, QName) else ""
        name = qualified.rsplit(".", 1)[-1]
        enum, legacy = _enum_of(site, name) if name else (None, None)
        if enum is None:
            if not (isinstance(value, Opaque) and value.loader):
                unresolved = unresolved or not isinstance(value, QName)
            continue
        if weights is not None:
            wres = site.scan.resolver.resolve(weights, site.scope)
            if wres.values and all(v is None for v in wres.values) and not wres.unknown:
                hits.append(Hit(f"torchvision:{enum}.{legacy}", qualified, Kind.MODEL,
                                note="fastai: weights=None with pretrained=True uses the default weights"))
            else:
                hits.extend(_tv_weights_hits(site, name, wres, "weights"))
            continue
        member = "DEFAULT" if name in default_archs else legacy
        hits.append(Hit(f"torchvision:{enum}.{member}", qualified, Kind.MODEL,
                        note=f"fastai builds {name}(weights={member!r})" if member == "DEFAULT"
                        else f"fastai builds {name}(pretrained=True)"))
    if unresolved:
        hits.append(site.unresolved(res, what="fastai arch"))
    return hits


def build_timm_name(value: str) -> list[Hit]:
    """A timm model name (``hf-hub:ORG/NAME`` names a Hub repo)."""
    text = value.strip()
    for prefix in ("hf-hub:", "hf_hub:"):
        if text.startswith(prefix):
            ref = ids.try_parse(f"hf:{text[len(prefix):].split('@')[0]}")
            return [Hit(ref.id if ref else None, value, Kind.MODEL)]
    if looks_local(text):
        return [_local(text, Kind.MODEL)]
    ref = ids.try_parse(f"timm:{text}")
    return [Hit(ref.id if ref else None, value, Kind.MODEL)]


def build_fastai_untar(site: Site) -> list[Hit]:
    """fastai untar_data(URLs.X | "https://..."): the dataset archive it downloads."""
    res = _main(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []
    urls: Mapping[str, str] = site.scan.table.table("fastai").get("urls") or {}  # type: ignore[assignment]

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if _URL_RE.match(text):
            return [_url_hit(text, Kind.DATASET)]
        return [_local(text, Kind.DATASET)]

    def other(value: object) -> list[Hit] | None:
        if isinstance(value, QName):
            parts = value.name.split(".")
            if len(parts) >= 2 and parts[-2] == "URLs" and parts[-1] in urls:
                return [Hit(str(urls[parts[-1]]), value.name, Kind.DATASET)]
        return None

    return site.each(res, one, other)


def build_keras_preset(site: Site) -> list[Hit]:
    """KerasHub ``from_preset``: keras:<preset>, hf:ORG/NAME for ``hf://`` handles, or a local preset."""
    res = _main(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if text.startswith("hf://"):
            return _hf_one(site, text[len("hf://"):], "hf", Kind.MODEL)
        if text.startswith("kaggle://"):
            parts = [p for p in text[len("kaggle://"):].split("/") if p]
            variation = parts[3] if len(parts) >= 4 else ""
            ref = ids.try_parse(f"keras:{variation}") if variation else None
            return [Hit(ref.id if ref else None, value, Kind.MODEL, note="Kaggle Models handle")]
        if _URL_RE.match(text) or looks_local(text) or "/" in text:
            return [_local(text, Kind.MODEL)]
        ref = ids.try_parse(f"keras:{text}")
        return [Hit(ref.id if ref else None, value, Kind.MODEL, note="KerasHub preset")]

    return site.each(res, one)


def build_keras_app(site: Site) -> list[Hit]:
    """A Keras Applications builder: keras:NAME unless weights=None (default weights="imagenet")."""
    name = site.groups.get("name", "")
    res = site.value(site.options.get("weights_arg"))  # type: ignore[arg-type]
    if res is None:
        return [Hit(f"keras:{name}", site.qualname, Kind.MODEL, note='default weights="imagenet"')]
    hits: list[Hit] = []
    for value in res.values:
        if value is None:
            continue
        if isinstance(value, str):
            if value.strip().lower() == "imagenet":
                hits.append(Hit(f"keras:{name}", site.qualname, Kind.MODEL))
            else:
                hits.append(_local(value, Kind.MODEL, "local weights"))
        else:
            hits.append(Hit(f"keras:{name}", site.qualname, Kind.MODEL, confidence="low",
                            note="weights value not known statically"))
    if res.unknown:
        hits.append(Hit(f"keras:{name}", site.qualname, Kind.MODEL, confidence="low",
                        note="weights value not known statically"))
    return hits


def build_hf_dataset(site: Site) -> list[Hit]:
    """datasets.load_dataset: hf-dataset:ID (config in the note); packaged builders are not references."""
    res = _main(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []
    local_builders = {str(x) for x in items(site.scan.table.table("datasets").get("local_builders"))}
    config = site.value(site.options.get("config_arg"))  # type: ignore[arg-type]
    configs = _strings(config) if config is not None else []
    note = f"config {', '.join(repr(c) for c in configs)}" if configs else (
        "config not known statically" if config is not None else "")

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if text in local_builders:
            return []
        if looks_local(text, site.scan.root):
            return [_local(text, Kind.DATASET)]
        ref = ids.try_parse(f"hf-dataset:{text}")
        if ref is None:
            return [Hit(None, value, Kind.DATASET, note="not a Hub dataset id")]
        return [Hit(ref.id, value, Kind.DATASET, note=note)]

    return site.each(res, one)


def build_tfds(site: Site) -> list[Hit]:
    """tfds.load("name[/config][:version]") -> tfds:name[/config] (version in the note)."""
    res = _main(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []

    def one(value: str) -> list[Hit]:
        name, _, version = value.strip().partition(":")
        ref = ids.try_parse(f"tfds:{name}")
        return [Hit(ref.id if ref else None, value, Kind.DATASET, note=f"version {version}" if version else "")]

    return site.each(res, one)


#: The id builders a loader entry may name in ``id:``.
BUILDERS: dict[str, Builder] = {
    "hf": build_hf,
    "pipeline": build_pipeline,
    "torchvision_builder": build_torchvision_builder,
    "torchvision_get_model": build_torchvision_get_model,
    "torchvision_weight": build_torchvision_weight,
    "template": build_template,
    "torchhub": build_torchhub,
    "url": build_url,
    "timm": build_timm,
    "open_clip": build_open_clip,
    "ultralytics": build_ultralytics,
    "detectron2": build_detectron2,
    "keras_app": build_keras_app,
    "hf_dataset": build_hf_dataset,
    "tfds": build_tfds,
    "fastai_learner": build_fastai_learner,
    "fastai_untar": build_fastai_untar,
    "keras_preset": build_keras_preset,
}


def build(site: Site) -> list[Hit]:
    """The hits of one matched call: its loader's id builder, then the declared default's note and confidence."""
    hits = BUILDERS[site.spec.builder](site)
    return _default_hits(site, hits) if site.default_used else hits
