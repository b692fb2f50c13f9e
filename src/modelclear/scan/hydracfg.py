"""Hydra composition: the config a primary config's ``defaults:`` list composes, for interpolations.

A Hydra primary config (``conf/config.yaml``) lists config groups in ``defaults:`` (``- model: bert``,
``- override /data: imdb``); Hydra puts the chosen group file (``conf/model/bert.yaml``) under the
group's key of the composed config. An interpolation in any of these files (``${model.net.name}``,
``${data.tokenizer}``) refers to that composed config. :func:`composed` builds it, as
position-carrying trees whose leaves are the nodes of the files themselves, so that
:meth:`modelclear.scan.config.Walker.string` can resolve such interpolations; nothing is reported
from here.

Only plain entries are followed: ``group: option`` and ``override group: option`` (a leading ``/``
dropped, nested groups ``a/b`` placed under ``a.b``); ``_self_``, ``optional`` and ``@package``
relocations are left out, and an option that is a list or an interpolation is not chosen. Each group
file is read within ``BUDGETS.hydra_root_bytes``, only inside the scanned tree, and at most
:data:`MAX_GROUPS` per primary config.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from modelclear.scan.budget import BUDGETS
from modelclear.scan.config import hydra_primary
from modelclear.scan.configdoc import ConfigNode, ParseLimits, parse_documents
from modelclear.scan.walk import inside_root

#: Group entries of one ``defaults:`` list followed at most.
MAX_GROUPS = 64


def _entries(defaults: ConfigNode) -> list[tuple[str, str]]:
    """(group path, option) of the plain entries of a ``defaults:`` list."""
    out: list[tuple[str, str]] = []
    if not isinstance(defaults.value, list):
        return out
    for item in defaults.value:
        if not isinstance(item.value, dict) or len(item.value) != 1:
            continue
        ((key, option),) = item.value.items()
        group = key.strip()
        if group.startswith("override "):
            group = group[len("override "):].strip()
        group = group.lstrip("/")
        if not group or "@" in group or " " in group or group == "_self_" or not isinstance(option.value, str):
            continue
        if "${" in option.value or not option.value.strip():
            continue
        out.append((group, option.value.strip()))
    return out[:MAX_GROUPS]


@lru_cache(maxsize=256)
def _group_file(folder: str, group: str, option: str, root: str) -> ConfigNode | None:
    """The first document of ``folder/group/option.yaml`` (or ``.yml``) inside ``root``."""
    for suffix in (".yaml", ".yml"):
        file = Path(folder) / group / f"{option}{suffix}"
        try:
            if not file.is_file() or file.stat().st_size > BUDGETS.hydra_root_bytes or not inside_root(file, root):
                continue
            docs = parse_documents(file.read_text(encoding="utf-8"), ".yaml", ParseLimits())
        except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError, RecursionError):
            continue
        return docs[0] if docs else None
    return None


def _place(top: dict[str, ConfigNode], group: str, node: ConfigNode) -> None:
    """Put ``node`` under the dotted group path ``a/b`` of ``top`` (merging with what is there)."""
    parts = group.split("/")
    here = top
    for part in parts[:-1]:
        child = here.get(part)
        if child is None or not isinstance(child.value, dict):
            child = ConfigNode({}, 0, 0)
            here[part] = child
        here = child.value
    existing = here.get(parts[-1])
    if existing is not None and isinstance(existing.value, dict) and isinstance(node.value, dict):
        here[parts[-1]] = ConfigNode({**node.value, **existing.value}, node.line, node.column)
    else:
        here[parts[-1]] = node


@lru_cache(maxsize=128)
def composed(folder: str, root: str) -> tuple[ConfigNode, ...]:
    """The composed configs of the Hydra primary configs nearest to ``folder`` (one per primary)."""
    primary_folder, primaries = hydra_primary(folder, root)
    out: list[ConfigNode] = []
    for _name, doc in primaries:
        if not isinstance(doc.value, dict):
            continue
        top: dict[str, ConfigNode] = {k: v for k, v in doc.value.items() if k != "defaults"}
        for group, option in _entries(doc.value["defaults"]):
            node = _group_file(primary_folder, group, option, root)
            if node is not None:
                _place(top, group, node)
        out.append(ConfigNode(top, doc.line, doc.column))
    return tuple(out)
