"""``transformers.pipeline``: the model argument, or the task's default model (``pipeline_defaults.yaml``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from modelclear.model import Kind
from modelclear.scan.builders.base import (
    Builder,
    Hit,
    Site,
)
from modelclear.scan.builders.hf import hf_one
from modelclear.scan.pyloaders import items
from modelclear.scan.pyvalues import has_star_args


def build_pipeline(site: Site) -> list[Hit]:
    """transformers.pipeline: the model argument, or the task's default model when none is given."""
    res = site.value(site.spec.arg)
    if res is not None:
        return site.each(res, lambda v: hf_one(site, v, "hf", Kind.MODEL))
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


#: The id builders of this module, by the name a loader entry gives in ``id:``.
BUILDERS: dict[str, Builder] = {
    "pipeline": build_pipeline,
}
