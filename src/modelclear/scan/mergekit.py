"""mergekit merge configs in the tree: a YAML with ``merge_method`` (and ``models:``, ``slices:``, ``base_model:``).

A merge config describes a model of your own made from others (issue 12): it yields the config (or
the model folder holding ``mergekit_config.yml``) as a local model reference, whose ``local:`` artifact
the catalog reads (:mod:`modelclear.catalog.localmodel`), and each model merged as an ``hf:`` reference
(a local path is left to the artifact's record). The YAML is read within the card budgets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from modelclear.model import Kind, Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.walk import decode_text


def _load(text: str) -> Any:
    import yaml

    from modelclear import yamlsafe
    from modelclear.catalog.hfcard import MAX_YAML_ALIASES, MAX_YAML_DEPTH, MAX_YAML_EVENTS

    try:
        return yamlsafe.load_single(text, max_events=MAX_YAML_EVENTS, max_depth=MAX_YAML_DEPTH,
                                    max_aliases=MAX_YAML_ALIASES, loader=yamlsafe.FAST_LOADER)
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):
        return None


def _line(text: str, value: str) -> tuple[int, str]:
    m = re.search(re.escape(value), text)
    if m is None:
        return 0, ""
    line = text.count("\n", 0, m.start()) + 1
    return line, text.splitlines()[line - 1].strip()[:300]


class MergekitScanner:
    """Merge configs (see the module docstring)."""

    name = "mergekit"
    prefilter = frozenset({b"merge_method"})

    def accepts(self, path: Path) -> bool:
        """YAML files."""
        return path.suffix.lower() in (".yml", ".yaml")

    def scan(self, path: Path, data: bytes, ctx: ScanContext) -> Iterable[Reference | ScanWarning]:
        """The merge and the models it merges; nothing for other YAML files."""
        from modelclear.catalog.localmodel import _is_merge_config, _looks_local

        text = decode_text(data)
        if text is None:
            return []
        doc = _load(text)
        if not _is_merge_config(doc):
            return []
        method = str(doc.get("merge_method") or "unknown")[:80]
        line, evidence = _line(text, "merge_method")
        out: list[Reference | ScanWarning] = [Reference(
            raw=path.name, kind=Kind.MODEL, id=None, path=path.name, line=line, evidence=evidence, confidence="medium",
            loader="mergekit", note=f"local merge config; merge_method: {method}")]
        names: list[Any] = []
        for item in doc.get("models") if isinstance(doc.get("models"), list) else []:
            names.append(item.get("model") if isinstance(item, dict) else item)
        for piece in doc.get("slices") if isinstance(doc.get("slices"), list) else []:
            for src in (piece.get("sources") or []) if isinstance(piece, dict) else []:
                if isinstance(src, dict):
                    names.append(src.get("model"))
        names.append(doc.get("base_model"))
        from modelclear import ids

        seen: set[str] = set()
        for raw in names[:64]:
            if isinstance(raw, dict):
                raw = raw.get("model")
            if not isinstance(raw, str) or not raw.strip() or _looks_local(raw.strip()):
                continue
            raw = raw.split("+", 1)[0].strip()
            ref = ids.try_parse(f"hf:{raw}") if ":" not in raw else ids.try_parse(raw)
            if ref is None or ref.id in seen:
                continue
            seen.add(ref.id)
            mline, mevidence = _line(text, raw)
            out.append(Reference(raw=raw, kind=Kind.MODEL, id=ref.id, path=path.name, line=mline, evidence=mevidence,
                                 confidence="medium", loader="mergekit:models", note="a model merged by this config"))
        return out
