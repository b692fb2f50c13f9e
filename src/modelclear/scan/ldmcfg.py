"""Latent-diffusion / Stable Diffusion YAML configs: ``target:`` classes that load pretrained weights.

Run by :mod:`modelclear.scan.config` on every YAML / JSON document (:func:`read_ldm`). A mapping with
a string ``target:`` is an object the ``ldm`` / ``sgm`` code instantiates with its ``params:``. The
classes that load pretrained weights are data (``ldm:`` in ``data/loaders/config_keys.yaml``, read
from the classes' source): the argument naming the weights and the class's default when the config
does not give it (``FrozenCLIPEmbedder`` loads ``openai/clip-vit-large-patch14``;
``FrozenOpenCLIPEmbedder`` an ``open_clip:ARCH/TAG`` from ``arch`` and ``version``). A reference
found through a default is at the ``target:`` line and says so in its note.

Checkpoint keys of a target's ``params`` (``ckpt_path``...) name a URL (``url:``), a Hub id, or a
local file (a local reference without id); an empty value loads nothing.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from modelclear import ids
from modelclear.model import Kind
from modelclear.scan.config import Value, Walker, classify, config_data, looks_local
from modelclear.scan.configdoc import ConfigNode, nodes
from modelclear.scan.detectron2cfg import url_value

_TARGET_SHAPE = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+$")


@cache
def _table() -> Mapping[str, Any]:
    return dict(config_data()["ldm"])


def read_ldm(walker: Walker, doc: ConfigNode) -> None:
    """Report the pretrained weights of the ``target:`` objects of an LDM-style config."""
    table = _table()
    for node in nodes(doc):
        if not isinstance(node.value, dict):
            continue
        target = node.value.get("target")
        if target is None or not isinstance(target.value, str) or not _TARGET_SHAPE.match(target.value.strip()):
            continue
        params_node = node.value.get("params")
        params = params_node.value if params_node is not None and isinstance(params_node.value, dict) else {}
        name = target.value.strip()
        for rule in table["targets"]:
            if fnmatch.fnmatchcase(name, rule["target"]):
                _encoder(walker, name, target, params, rule)
        if name.startswith(("ldm.", "sgm.")):
            for key in table["checkpoint_keys"]:
                ckpt = params.get(key)
                if ckpt is not None:
                    _checkpoint(walker, key, ckpt)


def _param(walker: Walker, params: dict[str, ConfigNode], arg: str | None,
           default: str | None) -> tuple[str, ConfigNode | None] | None:
    """(value, node) of ``arg`` in ``params``, or (default, None); None when neither is a string."""
    node = params.get(arg) if arg else None
    if node is not None:
        text = walker.string(node)
        return (text, node) if text else None
    return (default, None) if default else None


def _encoder(walker: Walker, name: str, target: ConfigNode, params: dict[str, ConfigNode],
             rule: Mapping[str, Any]) -> None:
    main = _param(walker, params, rule.get("arg"), rule.get("default"))
    if main is None:
        return
    text, node = main
    at = node if node is not None else target
    loader = f"config:ldm:{name.rsplit('.', 1)[-1]}"
    note = "" if node is not None else f"default of {name}"
    if rule["scheme"] == "open_clip":
        tag = _param(walker, params, rule.get("tag_arg"), rule.get("tag_default"))
        if tag is None:
            return
        if tag[1] is None and note == "":
            note = f"pretrained tag is the default of {name}"
        ref = ids.try_parse(f"open_clip:{text.strip()}/{tag[0].strip()}")
        value = Value(ref.id, Kind.MODEL) if ref is not None else None
    else:
        value = classify(text, rule["scheme"], Kind.MODEL, strict=False)
    if value is None:
        return
    if node is not None:
        walker.consumed.add(id(node))
    walker.emit(text, value, at, loader, "medium", note=note)


def _checkpoint(walker: Walker, key: str, node: ConfigNode) -> None:
    text = walker.string(node)
    if not text or not text.strip():
        return
    text = text.strip()
    value: Value | None
    if re.match(r"^(https?|s3|gs)://", text):
        value = url_value(text)
    elif looks_local(text) or "/" not in text:
        value = classify(text, "hf", Kind.MODEL, strict=False) if looks_local(text) else None
    else:
        value = classify(text, "hf", Kind.MODEL, strict=True)
    if value is not None:
        walker.consumed.add(id(node))
        walker.emit(text, value, node, f"config:ldm-{key}", "medium")
