"""Python sources: every pretrained model and dataset the code loads, read from its syntax tree.

Nothing is imported or run. A call is a *loader call* when its callee, after import resolution
(``import x as y``, ``from x import y as z``, attribute chains, star-imports), matches an entry of
the loader table (``data/loaders/*.yaml``, see :mod:`modelclear.scan.pyloaders`). The argument that
names the model is evaluated by :mod:`modelclear.scan.pyvalues` (constants, argparse defaults,
dataclass fields, environment defaults, f-strings, project constants...). Then:

* a known value becomes a :class:`~modelclear.model.Reference` with a canonical id; confidence is
  ``high`` for a literal at the call, ``medium`` when the value came through names, several
  candidates, a task's default model or a bare (unimported) callee, ``low`` when a gate such as
  ``pretrained=`` could not be evaluated or the value is an object built at run time;
* a local path (``./out``, ``runs/exp/best.pt``) is a reference with ``id=None`` and note
  ``local path``;
* an unknown value is still reported: ``id=None``, ``raw`` the expression text, and a note that
  says what was missing (a command-line option without default, an environment variable...).

Not references: ``pretrained=False``, ``weights=None``, a ``.yaml`` model config of ultralytics,
``load_dataset("csv"|"json"|"parquet"|"imagefolder"|...)`` (a packaged builder reading the user's
own files), and anything outside a loader call (docstrings, comments, ``print``/logging text,
argparse ``help=``). A ``# modelclear: ignore`` comment on the first or last line of a call
suppresses it. OpenAI CLIP names map to the OpenCLIP id of the same weights
(``clip.load("ViT-B/32")`` -> ``open_clip:ViT-B-32/openai``).

Columns are 1-based. A notebook scanner calls :func:`scan_python_source` once per code cell with
``line_offset``; names bound in another cell are not visible there, so well-known loader names
(``pipeline``, ``SentenceTransformer``, ``load_dataset``...) also match unbound, at ``medium``.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from modelclear import ids
from modelclear.model import Kind, Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.budget import BUDGETS, Meter, budget_warning
from modelclear.scan.pyloaders import ArgSpec, LoaderSpec, LoaderTable, items, load_table
from modelclear.scan.pyvalues import (
    Opaque,
    PathStr,
    QName,
    Res,
    Resolver,
    Scope,
    build_index,
    expr_text,
    find_arg,
    flatten,
    has_star_args,
    index_constants,
)

#: Byte strings of which a Python file must contain one to be worth parsing (the walker reuses it).
PREFILTER: frozenset[bytes] = load_table().keywords
#: Larger sources are not parsed (the walker has its own, smaller limit).
MAX_SOURCE_CHARS = BUDGETS.python_source_chars

_IGNORE_RE = re.compile(r"\bmodelclear:\s*ignore\b")  # searched from a line's first "#" (linear)
_URL_RE = re.compile(r"^(https?|s3|gs)://", re.IGNORECASE)
_WINDOWS_RE = re.compile(r"^[A-Za-z]:[\\/]")
_PREFILTER_BYTES_RE = re.compile(b"|".join(re.escape(k) for k in sorted(PREFILTER, key=len, reverse=True)))
_PREFILTER_STR_RE = re.compile("|".join(re.escape(k.decode()) for k in sorted(PREFILTER, key=len, reverse=True)))


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


# ------------------------------------------------------------------------------------------ scanning


def _gate_action(site: Site, resolver: Resolver) -> str:
    """``skip`` if a gate says the call loads nothing; ``low`` if a gate could not be evaluated."""
    outcome = "ref"
    for gate in site.spec.gates:
        node = find_arg(site.call, gate.arg.pos, gate.arg.kw)
        if node is None:
            if has_star_args(site.call):
                outcome = "low"
                continue
            if gate.missing == "skip":
                return "skip"
            continue
        res = resolver.resolve(node, site.scope)
        actions = set()
        for value in res.values:
            if value is None:
                actions.add(gate.none)
            elif isinstance(value, (Opaque, QName)):
                actions.add("low")
            elif not value:
                actions.add(gate.falsy)
            else:
                actions.add(gate.truthy)
        if res.unknown:
            actions.add("low")
        if actions == {"skip"}:
            return "skip"
        if "low" in actions or ("skip" in actions and len(actions) > 1):
            outcome = "low"
    return outcome


class FileBudget:
    """The work one file (a ``.py`` file, or every code cell of a notebook) may take: resolution
    steps, syntax-tree nodes and loader calls, shared by every piece of the file scanned (see
    :mod:`modelclear.scan.budget`)."""

    def __init__(self, steps: int | None = None, nodes: int | None = None, calls: int | None = None) -> None:
        self.steps = Meter(BUDGETS.resolve_steps_file if steps is None else steps, "resolution steps")
        self.nodes = Meter(BUDGETS.ast_nodes if nodes is None else nodes, "syntax-tree nodes")
        self.calls = Meter(BUDGETS.loader_calls if calls is None else calls, "loader calls")
        self.warned: set[str] = set()


class _ModuleScan:
    """The state of scanning one module: source lines, index, resolver, loader table."""

    def __init__(self, source: str, tree: ast.Module, path: str, ctx: ScanContext | None,
                 module_name: str, line_offset: int, budget: FileBudget | None = None) -> None:
        self.source = source
        self.lines = source.splitlines()
        self.path = path
        self.root = ctx.root if ctx is not None else None
        self.line_offset = line_offset
        self.table: LoaderTable = load_table()
        self.budget = budget if budget is not None else FileBudget()
        self.index, cut = build_index(tree, module_name, self.budget.nodes.left())
        self.budget.nodes.spend(self.index.nodes)
        #: Line (in the file) of the first statement left out for the node budget; 0 if none was.
        self.cut_line = cut + line_offset if cut else (0 if self.index.complete else line_offset + 1)
        if cut or not self.index.complete:
            self.budget.nodes.exhausted = True
        project = ctx.project_constants if ctx is not None else {}
        self.resolver = Resolver(self.index, project, self._is_loader, self.budget.steps)
        self._describing: set[int] = set()
        #: Line of the loader call during which the step budget ran out; 0 if it did not.
        self.exhausted_at = 0
        #: Line of the first loader call left out for the call budget; 0 if none was.
        self.calls_cut_at = 0

    def _dynamic_callees(self, func: ast.expr, scope: Scope | None) -> list[str]:
        """``models.__dict__[name]`` / ``getattr(models, name)``: the callee for each candidate name."""
        if isinstance(func, ast.Subscript) and isinstance(func.value, ast.Attribute) \
                and func.value.attr == "__dict__":
            owner, key = func.value.value, func.slice
        elif isinstance(func, ast.Call) and isinstance(func.func, ast.Name) and func.func.id == "getattr" \
                and len(func.args) >= 2:
            owner, key = func.args[0], func.args[1]
        else:
            return []
        base = self.resolver.call_qualname(owner)
        res = self.resolver.resolve(key, scope or self.index.module)
        return [f"{base}.{name}" for name in _strings(res) if name.isidentifier()]

    def _matches(self, call: ast.Call,
                 scope: Scope | None = None) -> list[tuple[LoaderSpec, dict[str, str], str, bool]]:
        func = call.func
        dynamic = self._dynamic_callees(func, scope)
        if dynamic:
            found: list[tuple[LoaderSpec, dict[str, str], str, bool]] = []
            for qualname in dynamic:
                found.extend((spec, groups, qualname, True) for spec, groups in self.table.candidates(qualname)[:1])
            return found
        plain = self.resolver.call_qualname(func)
        names: list[tuple[str, bool]] = []
        head = func
        while isinstance(head, ast.Attribute):
            head = head.value
        if isinstance(head, ast.Name) and head.id not in self.index.imports and head.id not in self.index.bound:
            names.extend((f"{star}.{plain}", False) for star in self.index.stars)
        names.append((plain, False))
        out: list[tuple[LoaderSpec, dict[str, str], str, bool]] = []
        for qualname, bare in names:
            for spec, groups in self.table.candidates(qualname):
                out.append((spec, groups, qualname, bare))
            if out:
                return out
        for qualname in self._aliased_callees(func, scope):
            out.extend((spec, groups, qualname, True) for spec, groups in self.table.candidates(qualname)[:1])
        if out:
            return out
        if isinstance(func, ast.Name) and func.id not in self.index.bound and func.id not in self.index.imports:
            for spec in self.table.bare.get(func.id, ()):
                out.append((spec, {}, func.id, True))
        return out

    def _aliased_callees(self, func: ast.expr, scope: Scope | None) -> list[str]:
        """Callees reached through a name or container holding a library callable.

        ``builder = keras.applications.Xception; builder(weights="imagenet")``,
        ``for arch in (models.resnet18, models.resnet50): arch(pretrained=True)`` and
        ``ARCHS[name](pretrained=True)`` / ``ARCHS.get(name)(...)`` call the library function the value names;
        ``bundle = torchaudio.pipelines.HUBERT_BASE; bundle.get_model()`` calls a method of a library object.
        """
        if isinstance(func, ast.Attribute):
            head = func.value
            if not (isinstance(head, ast.Name) and head.id not in self.index.imports
                    and self._alias_bound(head.id, scope or self.index.module)):
                return []
            owner = self.resolver.resolve(head, scope or self.index.module)
            return list(dict.fromkeys(f"{v.name}.{func.attr}" for v in owner.values if isinstance(v, QName)))
        if isinstance(func, ast.Name):
            if func.id in self.index.imports or not self._alias_bound(func.id, scope or self.index.module):
                return []
        elif not (isinstance(func, ast.Subscript) or (
                isinstance(func, ast.Call) and isinstance(func.func, ast.Attribute) and func.func.attr == "get")):
            return []
        res = self.resolver.resolve(func, scope or self.index.module)
        return list(dict.fromkeys(v.name for v in res.values if isinstance(v, QName)))

    @staticmethod
    def _alias_bound(name: str, scope: Scope) -> bool:
        """Whether ``name`` is bound (in ``scope`` or an enclosing one) to a value that may be a callable."""
        current: Scope | None = scope
        while current is not None:
            for binding in current.assigns.get(name, ()):
                if binding[0] == "iter" or (binding[0] == "value" and isinstance(
                        binding[1], (ast.Attribute, ast.Name, ast.Subscript, ast.IfExp))):
                    return True
            current = current.parent
        return False

    def _is_loader(self, call: ast.Call, dotted: str) -> bool:
        return bool(self._matches(call))

    def describe_object(self, node: ast.expr, scope: Scope) -> str:
        """What a model object passed to a loader is: the id it was loaded from, when we can tell."""
        if isinstance(node, ast.Name):
            current: Scope | None = scope
            while current is not None:
                for binding in current.assigns.get(node.id, ()):
                    value = binding[1]
                    # `model = PeftModel.from_pretrained(model, ...)` rebinds the name it describes:
                    # a call already being described is skipped, not followed again.
                    if binding[0] == "value" and isinstance(value, ast.Call) and id(value) not in self._describing \
                            and self._matches(value):
                        self._describing.add(id(value))
                        try:
                            ids_found = [r.id or r.raw for r in self.references_for(value, binding[2])]
                        finally:
                            self._describing.discard(id(value))
                        if ids_found:
                            return ", ".join(dict.fromkeys(ids_found))
                current = current.parent
        return f"`{expr_text(node, 80)}`"

    def ignored(self, call: ast.Call) -> bool:
        """Whether the call carries a ``# modelclear: ignore`` comment."""
        for line in {call.lineno, getattr(call, "end_lineno", None) or call.lineno}:
            text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
            hash_at = text.find("#")
            if hash_at >= 0 and _IGNORE_RE.search(text, hash_at):
                return True
        return False

    def evidence(self, call: ast.Call) -> str:
        """The call's source text, whitespace collapsed and shortened."""
        end = getattr(call, "end_lineno", None) or call.lineno
        text = " ".join(" ".join(self.lines[call.lineno - 1:end][:6]).split())
        return text if len(text) <= 240 else text[:239] + "…"

    def references_for(self, call: ast.Call, scope: Scope) -> list[Reference]:
        """The references of one call (empty when it is not a loader call or loads nothing)."""
        matches = self._matches(call, scope)
        out: list[Reference] = []
        done: set[str] = set()
        for spec, groups, qualname, bare in matches:
            if qualname in done:
                continue
            done.add(qualname)
            out.extend(self._references(call, scope, spec, groups, qualname, bare))
        return out

    def _references(self, call: ast.Call, scope: Scope, spec: LoaderSpec, groups: Mapping[str, str],
                    qualname: str, bare: bool) -> list[Reference]:
        site = Site(self, call, scope, spec, groups, qualname, bare)
        gate = _gate_action(site, self.resolver)
        if gate == "skip":
            return []
        self._describing.add(id(call))  # a model object it rebinds (`m = Peft...(m, ...)`) is not itself
        try:
            hits = BUILDERS[spec.builder](site)
        finally:
            self._describing.discard(id(call))
        if site.default_used:
            hits = _default_hits(site, hits)
        arg_res = None
        out: list[Reference] = []
        seen: set[tuple[str | None, str]] = set()
        for hit in hits:
            local = hit.id is None and hit.note.startswith("local")
            key = (hit.id, hit.raw if local else "")
            if key in seen:
                continue
            seen.add(key)
            confidence = hit.confidence
            if not confidence:
                if arg_res is None:
                    arg_res = site.value(spec.arg) if spec.arg is not None else Res()
                    if arg_res is None:
                        arg_res = Res()
                indirect = arg_res.indirect or len(_strings(arg_res)) > 1 or site.indirect
                confidence = "high"
                if hit.id is None:
                    confidence = "low" if hit.note.startswith(("value not", "value built")) or "not known" in hit.note \
                        else "medium" if indirect else "high"
                elif indirect or bare:
                    confidence = "medium"
            if gate == "low":
                confidence = "low"
            note = hit.note
            if arg_res is not None and arg_res.indirect and hit.id is not None and arg_res.notes:
                note = "; ".join(x for x in (note, *arg_res.notes[:2]) if x)
            if hit.id is not None and confidence == "medium" and arg_res is not None and arg_res.indirect \
                    and spec.arg is not None:
                via = f"resolved from `{site.text(spec.arg)}`"
                note = "; ".join(x for x in (note, via) if x)
            out.append(Reference(
                raw=hit.raw,
                kind=hit.kind,
                id=hit.id,
                path=self.path,
                line=call.lineno + self.line_offset,
                column=call.col_offset + 1,
                evidence=self.evidence(call),
                confidence=confidence,
                loader=qualname if "?" not in qualname else (spec.patterns[0] if spec.patterns else qualname),
                note=note,
            ))
        return out

    def run(self) -> list[Reference]:
        """References of every loader call of the module, in source order.

        Once the file's step budget is used up, later calls are still reported, with their values
        left unresolved (:attr:`exhausted_at` says where that happened).
        """
        out: list[Reference] = []
        steps, calls = self.budget.steps, self.budget.calls
        for call, scope in sorted(self.index.calls, key=lambda item: (item[0].lineno, item[0].col_offset)):
            if self.ignored(call):
                continue
            fresh = not steps.exhausted
            found = self.references_for(call, scope)
            if found and not calls.spend():
                self.calls_cut_at = call.lineno + self.line_offset
                break
            out.extend(found)
            if fresh and steps.exhausted:
                self.exhausted_at = call.lineno + self.line_offset
        return out

    def budget_warnings(self) -> list[ScanWarning]:
        """A ``budget`` warning for each budget of the file that ran out here (once per file)."""
        out: list[ScanWarning] = []
        if self.cut_line and "nodes" not in self.budget.warned:
            self.budget.warned.add("nodes")
            out.append(budget_warning(
                self.path, f"more than {self.budget.nodes.limit:,} syntax-tree nodes: the code from line "
                           f"{self.cut_line} on was not analysed", line=self.cut_line))
        if self.calls_cut_at and "calls" not in self.budget.warned:
            self.budget.warned.add("calls")
            out.append(budget_warning(
                self.path, f"more than {self.budget.calls.limit:,} loader calls: the calls from line "
                           f"{self.calls_cut_at} on were not analysed", line=self.calls_cut_at))
        if self.exhausted_at and "steps" not in self.budget.warned:
            self.budget.warned.add("steps")
            out.append(budget_warning(
                self.path, f"resolution budget of {self.budget.steps.limit:,} steps used up at line "
                           f"{self.exhausted_at}: values of later loader calls are left unresolved",
                line=self.exhausted_at))
        return out


def _has_keyword(source: str) -> bool:
    return _PREFILTER_STR_RE.search(source) is not None


def _parse(source: str, path: str, line_offset: int) -> ast.Module | ScanWarning:
    try:
        return ast.parse(source)
    except SyntaxError as exc:
        line = (exc.lineno or 0) + line_offset
        hint = " (Python 2 code?)" if re.search(r"^[ \t]*print[ \t]+[^(=\s]", source, re.MULTILINE) else ""
        return ScanWarning(path, f"syntax error: {exc.msg}{hint}", code="syntax-error", line=line)
    except (ValueError, TypeError) as exc:  # NUL bytes
        return ScanWarning(path, f"cannot parse: {exc}", code="malformed")
    except (RecursionError, MemoryError):
        return ScanWarning(path, "expression nesting too deep to parse", code="too-deep")


def scan_python_source(source: str, path: str, ctx: ScanContext, line_offset: int = 0,
                       module_name: str = "", budget: FileBudget | None = None,
                       tree: ast.Module | None = None) -> list[Reference | ScanWarning]:
    """References (and warnings) of one Python source text; ``line_offset`` is added to every line.

    ``module_name`` (dotted) lets relative imports reach project constants; the scanner derives it
    from the path when not given. ``budget`` is the work the file may take (a notebook passes one
    budget for all its cells); when it runs out, what was found is kept and a ``budget`` warning
    names the file. ``tree``, when given, is ``source`` already parsed (it is not parsed again).
    """
    if len(source) > MAX_SOURCE_CHARS:
        return [ScanWarning(path, f"source larger than {MAX_SOURCE_CHARS} characters; not parsed", code="too-large")]
    if not _has_keyword(source):
        return []
    parsed = tree if tree is not None else _parse(source, path, line_offset)
    if isinstance(parsed, ScanWarning):
        return [parsed]
    if not module_name and path.endswith(".py"):
        module_name = module_name_for(path)
    try:
        scan = _ModuleScan(source, parsed, path, ctx, module_name, line_offset, budget)
        found: list[Reference | ScanWarning] = list(scan.run())
    except RecursionError:
        return [ScanWarning(path, "expression nesting too deep to analyse", code="too-deep")]
    found.extend(scan.budget_warnings())
    return found


def module_name_for(rel_path: str) -> str:
    """Dotted module name of a project-relative ``.py`` path (``src/`` layouts drop the ``src.``)."""
    parts = [p for p in rel_path.replace("\\", "/").split("/") if p and p != "."]
    if not parts:
        return ""
    parts[-1] = re.sub(r"\.pyw?$", "", parts[-1])
    if parts[-1] == "__init__":
        parts.pop()
    if parts and parts[0] in ("src", "lib"):
        parts = parts[1:]
    return ".".join(parts)


def decode_python(data: bytes) -> str | None:
    """Source text of a Python file: its PEP 263 coding cookie, else UTF-8 (BOM allowed); None if undecodable."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except (SyntaxError, LookupError):
        encoding = "utf-8"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return text[1:] if text.startswith("\ufeff") else text


def collect_module_constants(source: str, module_name: str) -> dict[str, object]:
    """Constants one module defines, for the project-wide index ``ScanContext.project_constants``.

    Keys: ``NAME`` (module constant), ``Class.ATTR`` (class attribute or dataclass field default) and
    ``.attr`` (an attribute any object may carry in this module: argparse option defaults, dataclass
    fields, ``x.attr = ...``). Values: ``str``/``int``/``float``/``bool``/``None``, tuples and dicts
    of those, :class:`~modelclear.scan.pyvalues.QName` (an imported name),
    :class:`~modelclear.scan.pyvalues.OneOf` (several candidates) or
    :class:`~modelclear.scan.pyvalues.UnknownValue` (for ``.attr`` keys: declared, value unknown).
    All are frozen, picklable values. Unparsable sources give ``{}``.
    """
    return index_module(source, module_name)[0]


def index_module(source: str, module_name: str) -> tuple[dict[str, object], str]:
    """:func:`collect_module_constants` within the index budgets, and "" or why it stopped early.

    When a budget (syntax-tree nodes, resolution steps) runs out, the constants worked out so far
    are kept and the note says which budget it was.
    """
    if len(source) > MAX_SOURCE_CHARS:  # not indexed; the scan pass reports the file as too large
        return {}, ""
    try:
        tree = ast.parse(source)
        index, cut = build_index(tree, module_name, BUDGETS.ast_nodes)
        steps = Meter(BUDGETS.index_steps_file)
        consts = index_constants(index, steps)
    except (SyntaxError, ValueError, TypeError, RecursionError, MemoryError):
        return {}, ""
    notes = []
    if cut or not index.complete:
        notes.append(f"more than {BUDGETS.ast_nodes:,} syntax-tree nodes (from line {cut} on not indexed)")
    if steps.exhausted:
        notes.append(f"resolution budget of {steps.limit:,} steps used up")
    return consts, "; ".join(notes)


class PythonScanner:
    """The :class:`~modelclear.scan.base.Scanner` for ``.py`` files."""

    name = "python"

    def accepts(self, path: Path) -> bool:
        """Python source files (``.py``, ``.pyw``)."""
        return path.suffix.lower() in (".py", ".pyw")

    def scan(self, path: Path, data: bytes, ctx: ScanContext) -> Iterable[Reference | ScanWarning]:
        """References and warnings of one Python file. Never raises on bad input."""
        rel = _rel(path, ctx.root)
        if _PREFILTER_BYTES_RE.search(data) is None:
            return []
        source = decode_python(data)
        if source is None:
            return [ScanWarning(rel, "cannot decode as UTF-8 or its declared coding", code="encoding")]
        try:
            return scan_python_source(source, rel, ctx, 0, module_name_for(rel))
        except (RecursionError, MemoryError):
            return [ScanWarning(rel, "expression nesting too deep to analyse", code="too-deep")]


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
