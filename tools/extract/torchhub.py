"""torch.hub: the entry points a repository's ``hubconf.py`` offers.

GitHub repositories cannot be fetched with pip, so the catalogue of well-known hub repositories is
the hand-reviewed ``data/models/torchhub.yaml``. This module reads a ``hubconf.py`` (from a local
torch hub cache, or any checkout) with :mod:`ast`: its public module-level functions are the entry
points ``torch.hub.load(repo, entry)`` accepts, and ``dependencies`` lists the packages it needs.
Star imports (``from models import *``) cannot be resolved from one file and are reported.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from ._ast import ModuleEvaluator
from ._common import Catalogue, ModelRecord

FAMILY = "torchhub"


@dataclass(frozen=True)
class HubConf:
    """What one ``hubconf.py`` declares."""

    repo: str
    entry_points: tuple[str, ...]
    dependencies: tuple[str, ...]
    star_imports: tuple[str, ...]


def parse_hubconf(source: str, repo: str) -> HubConf:
    """Entry points, dependencies and unresolved star imports of a ``hubconf.py`` of ``owner/name``."""
    evaluator = ModuleEvaluator.from_source(source, f"{repo}/hubconf.py")
    entries: list[str] = []
    stars: list[str] = []
    for node in evaluator.tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            entries.append(node.name)
        elif isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            stars.append(node.module or "")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # ``from hubconf_models import resnet50`` re-exports an entry point under its own name
            entries.extend(a.asname or a.name for a in node.names
                           if not (a.asname or a.name).startswith("_") and node.module.split(".")[0] not in
                           {"torch", "torchvision", "typing", "os", "sys", "pathlib", "functools"})
    deps = evaluator.env.get("dependencies")
    dependencies = tuple(str(d) for d in deps) if isinstance(deps, list | tuple) else ()
    return HubConf(repo, tuple(dict.fromkeys(entries)), dependencies, tuple(stars))


def records(conf: HubConf, license_id: str | None = None) -> list[ModelRecord]:
    """One record per entry point, ``torchhub:<owner>/<repo>:<entry>``."""
    return [
        ModelRecord(
            id=f"torchhub:{conf.repo}:{entry}",
            name=f"{conf.repo} {entry} (torch.hub)",
            license=license_id,
            facts={"dependencies": list(conf.dependencies)} if conf.dependencies else {},
            url=f"https://github.com/{conf.repo}",
        )
        for entry in conf.entry_points
    ]


def extract_local(hubconfs: dict[str, Path]) -> Catalogue:
    """A catalogue from local ``hubconf.py`` files keyed by ``owner/name`` (e.g. a torch hub cache)."""
    models: list[ModelRecord] = []
    for repo, path in sorted(hubconfs.items()):
        models.extend(records(parse_hubconf(path.read_text(encoding="utf-8"), repo)))
    return Catalogue(FAMILY, "torch.hub", "local", tuple(models), tuple(str(p.name) for p in hubconfs.values()))
