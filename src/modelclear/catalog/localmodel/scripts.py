"""Training scripts that write a local model folder: the datasets they load become its training data."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from modelclear.catalog.localmodel.artifact import LocalSource, is_local_id
from modelclear.catalog.localmodel.files import _Files
from modelclear.model import Kind

#: Calls whose string arguments name where a model is written, and ``output_dir=`` keywords.
_SAVE_CALL = re.compile(r"\b(?:save_pretrained|save_model|save_state|torch\.save|save_file)\s*\("
                        r"([^()\n]*(?:\([^()\n]*\)[^()\n]*)*)\)")
_OUTPUT_KW = re.compile(r"\b(?:output_dir|save_directory|save_path|output_path)\s*=\s*([^,)\n]+)")
_STRING = re.compile(r"[rRbBuUfF]?(?:\"([^\"\n]{1,500})\"|'([^'\n]{1,500})')")
_CONSTANT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=\n]*)?=\s*"
                       r"[rRuU]?(?:\"([^\"\n]{1,500})\"|'([^'\n]{1,500})')\s*$", re.MULTILINE)
_SCRIPT_SUFFIXES = (".py",)
#: Scripts looked into per scan, at most.
MAX_SCRIPTS = 200


def _written_paths(text: str) -> list[tuple[str, int, str]]:
    """(path written, line, the line's text) for each save call or output keyword of a script."""
    constants = {m.group(1): m.group(2) or m.group(3) for m in _CONSTANT.finditer(text)}
    found: list[tuple[str, int, str]] = []
    for pattern in (_SAVE_CALL, _OUTPUT_KW):
        for m in pattern.finditer(text):
            args = m.group(1)
            values = [s.group(1) or s.group(2) for s in _STRING.finditer(args)]
            values += [constants[name] for name in re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*\b", args)
                       if name in constants]
            line = text.count("\n", 0, m.start()) + 1
            evidence = text.splitlines()[line - 1].strip()[:300]
            found += [(v, line, evidence) for v in values]
    return found


def link_training_scripts(source: LocalSource, references: list[Any]) -> None:
    """Datasets a training script loads become training data of the local model folder it writes.

    For each Python file of the scan that loads a dataset, the folders its ``save_pretrained`` /
    ``trainer.save_model`` / ``torch.save`` calls (and ``output_dir=`` arguments) name, relative to the
    root or to the script, are matched with the scan's local model artifacts (a file written inside a
    model folder counts for the folder); each dataset it loads is added to that model as ``trained_on``,
    sourced to the script's save line. Bounded: :data:`MAX_SCRIPTS` scripts, :data:`FILE_BYTES` each.
    """
    models = {ref.id.split(":", 1)[1]: ref.id for ref in references
              if ref.id and is_local_id(ref.id) and ref.id.lower() in source.records}
    if not models:
        return
    scripts: dict[str, list[Any]] = {}
    for ref in references:
        if ref.kind is Kind.DATASET and ref.id and ref.path.endswith(_SCRIPT_SUFFIXES):
            scripts.setdefault(ref.path, []).append(ref)
    files = _Files(source.root)
    for script, loads in list(scripts.items())[:MAX_SCRIPTS]:
        text = files.text(source.root / script)
        if text is None:
            continue
        here = (source.root / script).parent
        for written, line, evidence in _written_paths(text):
            for candidate in (here / written, source.root / written):
                rel = files.rel(Path(os.path.normpath(candidate)))
                target = next((models[m] for m in models if rel == m or rel.startswith(m.rstrip("/") + "/")), None)
                if target is None:
                    continue
                note = f"{script}:{line}: {evidence}"
                source.add_training(target, [(ref.id, f"{note} (the script that writes it loads {ref.raw} at line "
                                                      f"{ref.line})") for ref in loads], script)
                break
