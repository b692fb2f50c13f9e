"""Id builders of loader libraries whose calls the general builders cannot express (issue 10, cause 7).

* ``hf_named`` — a library's short model names mapped to Hub repos (``options.map``), any other value
  read as a Hub id, URL or local folder (faster-whisper's ``WhisperModel("large-v3")``); a bare name
  the library does not know is not a reference the library can load.
* ``template_list`` — ``template`` over every string of a list argument (EasyOCR's
  ``Reader(["ch_sim", "en"])`` loads one model per language).
* ``super_gradients`` — ``models.get(name, pretrained_weights=...)``: ``super-gradients:NAME/WEIGHTS``;
  without pretrained weights nothing pretrained is loaded.
* ``roboflow_version`` — the Roboflow SDK chain ``Roboflow().workspace(W).project(P).version(V)``,
  followed through the names it is assigned to: ``roboflow-dataset:W/P/V``.
* ``ollama_rest`` — an HTTP request to an Ollama server's REST API (``requests.post(".../api/chat",
  json={"model": ...})``): ``ollama:TAG``.
* ``client_method`` — a method called on a client object that a library call built
  (``client = ollama.Client(host); client.chat(model=...)``, ``ollama.AsyncClient().generate(...)``):
  when the receiver was built by one of ``options.clients``, the ``template`` builder reads the call;
  any other receiver (``model.generate(...)``) is not this library's call.

Each follows the loader declaration's ``arg`` / ``if_missing`` rules through
:func:`~modelclear.scan.builders.base.main_arg`; values it cannot place become local or unresolved
references. Nothing here imports scanned code.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from modelclear import ids
from modelclear.model import Kind
from modelclear.scan.builders.base import (
    URL_RE,
    Builder,
    Hit,
    Site,
    local_hit,
    looks_local,
    main_arg,
    string_values,
)
from modelclear.scan.builders.hf import hf_one
from modelclear.scan.builders.template import build_template
from modelclear.scan.pyloaders import items
from modelclear.scan.pyvalues import OneOf, QName, Res, expr_text

if TYPE_CHECKING:
    from modelclear.scan.pyindex import Scope

#: How many assignments a call chain is followed back through (``v = p.version(1)`` -> ``p = ...``).
_CHAIN_DEPTH = 8


def build_hf_named(site: Site) -> list[Hit]:
    """A short name of the library's table (``options.map``) as its Hub repo, else a Hub id / URL / folder."""
    res = main_arg(site)
    if res == "skip":
        return []
    if not isinstance(res, Res):
        return [site.unresolved(None, what="no model argument")]
    names: Mapping[str, str] = site.options.get("map") or {}  # type: ignore[assignment]
    kind = site.spec.kind

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if text in names:
            ref = ids.try_parse(f"hf:{names[text]}")
            return [Hit(ref.id if ref else None, value, kind, note=f"name {text!r}")]
        if "/" not in text and not URL_RE.match(text) and not looks_local(text, site.scan.root):
            return [Hit(None, value, kind, note="unknown name")]
        return hf_one(site, value, "hf", kind)

    return site.each(res, one)


def _list_strings(res: Res) -> Res:
    """``res`` with list/tuple candidates replaced by their string members (other members unknown)."""
    out = Res(unknown=list(res.unknown), indirect=res.indirect, notes=list(res.notes))
    for value in res.values:
        if isinstance(value, (tuple, list)):
            for item in value:
                for member in (item.values if isinstance(item, OneOf) else (item,)):
                    if isinstance(member, str):
                        out.values.append(member)
                    else:
                        out.unknown.append(str(getattr(member, "text", member)))
        else:
            out.values.append(value)
    return out


def build_template_list(site: Site) -> list[Hit]:
    """``template`` over each string of a list argument (a single string counts as a list of one)."""
    res = main_arg(site)
    if res == "skip":
        return []
    if not isinstance(res, Res):
        return [site.unresolved(None, what="no name argument")]
    value_regex = str(site.options.get("value_regex") or "")
    kind = site.spec.kind

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if value_regex and not re.match(value_regex, text):
            return [local_hit(text, kind)]
        ref = ids.try_parse(site.spec.template.format(value=text, **site.groups))
        return [Hit(ref.id, value, kind)] if ref else [Hit(None, value, kind, note="not a valid id")]

    return site.each(_list_strings(res), one)


# ------------------------------------------------------------------------------------ super-gradients


def _sg_name(value: object, irregular: Mapping[str, str]) -> str | None:
    """A super-gradients model name from a string or a ``Models.X`` constant (``X`` lower-cased)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, QName) and ".Models." in f".{value.name}":
        attr = value.name.rsplit(".", 1)[-1]
        return irregular.get(attr, attr.lower())
    return None


def build_super_gradients(site: Site) -> list[Hit]:
    """super_gradients ``models.get(name, pretrained_weights=W)`` -> ``super-gradients:NAME/W``."""
    weights = site.value(site.options.get("weights_arg"))  # type: ignore[arg-type]
    if weights is None:
        return []  # no pretrained weights: a freshly initialised model (or a local checkpoint_path)
    res = main_arg(site)
    if not isinstance(res, Res):
        return [site.unresolved(None, what="no model name")] if res is None else []
    irregular: Mapping[str, str] = site.scan.table.table(site.spec.library).get("models_enum") or {}  # type: ignore[assignment]
    names = [n for n in (_sg_name(v, irregular) for v in res.values) if n]
    tags = string_values(weights)
    hits: list[Hit] = []
    for name in names:
        for tag in tags:
            ref = ids.try_parse(f"super-gradients:{name}/{tag.strip()}")
            hits.append(Hit(ref.id if ref else None, f"{name} {tag}", Kind.MODEL,
                            note="" if ref else "not a valid id"))
    if res.unknown or not names or weights.unknown or (not tags and None not in weights.values):
        hits.append(site.unresolved(res if not names else weights))
    return hits


# -------------------------------------------------------------------------------------- Roboflow SDK


def _bound_call(node: ast.expr, site: Site) -> ast.expr:
    """The call a plain name was last assigned from (in its scope or an enclosing one), else ``node``."""
    if not isinstance(node, ast.Name):
        return node
    scope: Scope | None = site.scope
    while scope is not None:
        for binding in reversed(scope.assigns.get(node.id, ())):
            if binding[0] == "value" and isinstance(binding[1], ast.Call):
                return binding[1]
        scope = scope.parent
    return node


def _chain(site: Site) -> list[tuple[str, ast.Call]] | None:
    """The method calls from ``Roboflow(...)`` up to this ``.version(...)`` call, or None if not that chain."""
    steps: list[tuple[str, ast.Call]] = []
    node: ast.expr = site.call
    for _ in range(_CHAIN_DEPTH):
        node = _bound_call(node, site)
        if not isinstance(node, ast.Call):
            return None
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("version", "project", "workspace"):
            steps.append((func.attr, node))
            node = func.value
            continue
        qualname = site.scan.resolver.call_qualname(func)
        if qualname in ("roboflow.Roboflow", "roboflow.core.roboflow.Roboflow"):
            names = [name for name, _ in reversed(steps)]
            return list(reversed(steps)) if names in (["workspace", "project", "version"],
                                                      ["project", "version"]) else None
        return None
    return None


def _first_arg(site: Site, call: ast.Call) -> tuple[list[str], bool]:
    """The string/int candidates of a call's first argument, and whether part of it is unknown."""
    if not call.args:
        return [], False
    res = site.scan.resolver.resolve(call.args[0], site.scope)
    out = [str(v).strip() for v in res.values if isinstance(v, (str, int)) and not isinstance(v, bool)]
    return out, bool(res.unknown) or len(out) < len(res.values)


def build_roboflow_version(site: Site) -> list[Hit]:
    """``Roboflow().workspace(W).project(P).version(V)`` -> ``roboflow-dataset:W/P/V``."""
    steps = _chain(site)
    if steps is None:
        return []
    parts: dict[str, list[str]] = {}
    unknown = False
    for name, call in steps:
        values, partial = _first_arg(site, call)
        parts[name] = values
        unknown = unknown or partial or not values
    text = expr_text(site.call)
    if unknown or "workspace" not in parts:
        why = "the API key's default workspace" if not parts.get("workspace") else "value not known statically"
        return [Hit(None, text, Kind.DATASET, note=f"Roboflow dataset version: {why}")]
    hits = []
    for workspace in parts["workspace"]:
        for project in parts["project"]:
            for version in parts["version"]:
                ref = ids.try_parse(f"roboflow-dataset:{workspace}/{project}/{version}")
                hits.append(Hit(ref.id if ref else None, text, Kind.DATASET, note="" if ref else "not a valid id"))
    return hits


# --------------------------------------------------------------------------------------- Ollama REST


_OLLAMA_PATH_RE = re.compile(r"/api/(?:chat|generate|embed|embeddings|pull|show)/?$"
                             r"|/v1/(?:chat/completions|completions|embeddings)/?$")


def _ollama_server(url: str, markers: tuple[str, ...]) -> bool:
    return bool(_OLLAMA_PATH_RE.search(url.split("?", 1)[0])) and any(m in url.lower() for m in markers)


def build_ollama_rest(site: Site) -> list[Hit]:
    """``requests.post(OLLAMA + "/api/chat", json={"model": TAG, ...})`` -> ``ollama:TAG``."""
    url = site.value(site.options.get("url_arg"))  # type: ignore[arg-type]
    markers = tuple(str(m) for m in items(site.options.get("host_markers")))
    if url is None or not any(_ollama_server(u, markers) for u in string_values(url)):
        return []
    body = site.value(site.options.get("body_arg"))  # type: ignore[arg-type]
    payloads = [v for v in body.values if isinstance(v, dict)] if body is not None else []
    if not payloads:
        return [site.unresolved(body, what="Ollama request body")]
    hits: list[Hit] = []
    for payload in payloads:
        model = payload.get("model", payload.get("name"))
        values = model.values if isinstance(model, OneOf) else (model,)
        for value in values:
            if isinstance(value, str) and value.strip():
                ref = ids.try_parse(f"ollama:{value.strip()}")
                hits.append(Hit(ref.id if ref else None, value, Kind.MODEL,
                                note="Ollama REST API" if ref else "not a valid id"))
            elif value is not None:
                hits.append(Hit(None, expr_text(site.call), Kind.MODEL,
                                note="Ollama REST API: model not known statically"))
    return hits


# ------------------------------------------------------------------------------------ client objects


def build_client_method(site: Site) -> list[Hit]:
    """A method of a client object built by one of ``options.clients``, read by the ``template`` builder."""
    func = site.call.func
    if not isinstance(func, ast.Attribute):
        return []
    receiver = _bound_call(func.value, site)
    clients = {str(c) for c in items(site.options.get("clients"))}
    if not (isinstance(receiver, ast.Call) and site.scan.resolver.call_qualname(receiver.func) in clients):
        return []
    return build_template(site)


#: The id builders of this module, by the name a loader entry gives in ``id:``.
BUILDERS: dict[str, Builder] = {
    "hf_named": build_hf_named,
    "template_list": build_template_list,
    "super_gradients": build_super_gradients,
    "roboflow_version": build_roboflow_version,
    "ollama_rest": build_ollama_rest,
    "client_method": build_client_method,
}
