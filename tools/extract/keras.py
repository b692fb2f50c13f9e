"""Keras Applications: every application function in ``keras/src/applications/*.py`` (``keras`` wheel).

An application is a public function exported with ``@keras_export([... "keras.applications.X"])``
whose ``weights`` parameter defaults to ``"imagenet"``. Its weights URL is the module's
``WEIGHTS_PATH`` when the module has one (one model per module), else the module's weights base
URL (``BASE_WEIGHTS_PATH`` and similar), recorded with ``weights_url_is_prefix``. Keras documents
a licence per model in its docs, not in the code: the hand-reviewed family file carries those.
"""

from __future__ import annotations

import ast
from typing import Any

from ._archive import SourceArchive
from ._ast import ModuleEvaluator, dotted_name
from ._common import Catalogue, ModelRecord

PACKAGE = "keras"
FAMILY = "keras"
_PREFIX = "keras.applications."


def _exports(node: ast.FunctionDef) -> list[str]:
    names: list[str] = []
    for deco in node.decorator_list:
        if isinstance(deco, ast.Call) and (dotted_name(deco.func) or "").endswith("keras_export"):
            for arg in deco.args:
                values = arg.elts if isinstance(arg, ast.List | ast.Tuple) else [arg]
                names.extend(v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return names


def _weights_default(node: ast.FunctionDef) -> Any:
    positional = node.args.args
    defaults = dict(zip([a.arg for a in positional][len(positional) - len(node.args.defaults):],
                        node.args.defaults, strict=True))
    defaults.update({a.arg: d for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True) if d})
    default = defaults.get("weights")
    return default.value if isinstance(default, ast.Constant) else None


def weight_urls(evaluator: ModuleEvaluator) -> dict[str, str]:
    """Module-level string constants that hold a weights URL, by name."""
    return {
        name: value for name, value in evaluator.env.items()
        if isinstance(value, str) and "WEIGHT" in name.upper() and value.startswith("https://")
    }


def applications(source: str, filename: str) -> list[ModelRecord]:
    """The application functions of one ``keras/src/applications`` module."""
    evaluator = ModuleEvaluator.from_source(source, filename)
    urls = weight_urls(evaluator)
    url = urls.get("WEIGHTS_PATH")
    prefix = None if url else next((urls[k] for k in sorted(urls) if "BASE" in k), None)
    out: list[ModelRecord] = []
    for node in evaluator.tree.body:
        if not isinstance(node, ast.FunctionDef) or not node.name[:1].isupper():
            continue
        exports = [e for e in _exports(node) if e.startswith(_PREFIX)]
        if not exports or _weights_default(node) != "imagenet":
            continue
        aliases = tuple(sorted({f"keras:{e.removeprefix(_PREFIX)}" for e in exports} - {f"keras:{node.name}"}))
        facts: dict[str, Any] = {"task": "image-classification", "module": filename.rsplit("/", 1)[-1][:-3]}
        if prefix:
            facts["weights_url_is_prefix"] = True
        out.append(ModelRecord(
            id=f"keras:{node.name}",
            name=f"Keras Applications {node.name} (ImageNet)",
            aliases=aliases,
            datasets=("dataset:imagenet-1k",),
            facts=facts,
            url=url or prefix,
        ))
    return out


def extract(archive: SourceArchive, version: str) -> Catalogue:
    """Every Keras Application with ImageNet weights in the keras release in ``archive``."""
    models: list[ModelRecord] = []
    read: list[str] = []
    for member in sorted(archive.glob("keras/src/applications/*.py")):
        inner = archive.inner(member)
        if inner.endswith("_test.py"):
            continue
        found = applications(archive.read(member), inner)
        if found:
            read.append(inner)
            models.extend(found)
    return Catalogue(FAMILY, PACKAGE, version, tuple(models), tuple(read))
