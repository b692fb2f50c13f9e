"""Model (and dataset) folders in the tree: card front matter and the configs that name an upstream.

* ``README.md`` with YAML front matter, read by :func:`modelclear.catalog.hf.parse_card`:
  in a model folder (or a card that looks like a model card) it yields the folder itself as a local
  model (its card licence in the note), each ``base_model`` as an ``hf:`` reference and each
  ``datasets`` entry as an ``hf-dataset:`` reference; a dataset card yields the folder as a local
  dataset; a Hugging Face Space README yields its ``models``/``datasets`` lists.
* ``config.json``'s ``_name_or_path``: the Hub model the folder was saved from (local paths from the
  author's machine are not references).
* ``adapter_config.json``'s ``base_model_name_or_path``: the base model of a PEFT adapter.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from modelclear import ids
from modelclear.model import Kind, Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.budget import BUDGETS, prune_json
from modelclear.scan.config import looks_local
from modelclear.scan.walk import decode_text, line_of

_FRONT_RE = re.compile(r"\A\ufeff?\s*---[ \t]*\r?\n")
_FRONT_END_RE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: Files whose presence makes a folder a model folder.
_MODEL_FILES = ("config.json", "adapter_config.json", "model_index.json", "modules.json",
                "sentence_bert_config.json", "generation_config.json")
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".gguf", ".pt", ".pth", ".ckpt", ".onnx", ".h5", ".msgpack",
                    ".keras", ".tflite", ".mlmodel")
#: Front-matter keys that only model cards carry.
_MODEL_CARD_KEYS = ("base_model", "pipeline_tag", "library_name", "model-index", "model_name")
#: Front-matter keys that only dataset cards carry.
_DATASET_CARD_KEYS = ("dataset_info", "task_categories", "size_categories", "configs", "annotations_creators",
                      "source_datasets", "pretty_name")


def _front_matter(text: str) -> tuple[str, int] | None:
    start = _FRONT_RE.match(text)
    if start is None:
        return None
    end = _FRONT_END_RE.search(text, start.end())
    if end is None:
        return None
    return text[start.end():end.start()], line_of(text, start.end())


def _key_lines(front: str, first_line: int) -> dict[str, list[tuple[str, int]]]:
    """Top-level key -> [(scalar value, line)] of the front matter (lines in the README)."""
    out: dict[str, list[tuple[str, int]]] = {}
    try:
        root = yaml.compose(front, Loader=_LOADER)
    except yaml.YAMLError:
        return out
    if not isinstance(root, yaml.MappingNode):
        return out
    for key, value in root.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        items = value.value if isinstance(value, yaml.SequenceNode) else [value]
        entries = out.setdefault(key.value, [])
        entries.append(("", key.start_mark.line + first_line))
        for item in items:
            if isinstance(item, yaml.ScalarNode):
                entries.append((item.value.strip(), item.start_mark.line + first_line))
    return out


def _line_for(lines: dict[str, list[tuple[str, int]]], key: str, value: str | None = None) -> int:
    entries = lines.get(key, [])
    for v, line in entries:
        if value is not None and v == value:
            return line
    return entries[0][1] if entries else 0


def _card(text: str) -> Any:
    try:
        from modelclear.catalog.hf import parse_card
    except ImportError:  # pragma: no cover - the catalog ships with the package
        return None
    return parse_card(text)


def _folder_has_model_files(folder: Path) -> bool:
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    return any(n in _MODEL_FILES or n.lower().endswith(_WEIGHT_SUFFIXES) for n in names)


def _model_id(raw: str, scheme: str = "hf") -> str | None:
    raw = raw.strip()
    if not raw or (looks_local(raw) and not re.fullmatch(r"[\w.\-]+/[\w.\-]+", raw)):
        return None
    ref = ids.try_parse(raw) if ":" in raw and "://" not in raw else ids.try_parse(f"{scheme}:{raw}")
    return ref.id if ref is not None else None


class ModelDirScanner:
    """Cards and configs of local model folders (see the module docstring)."""

    name = "modeldir"
    #: A file must contain one of these to be parsed (front matter or the upstream keys).
    prefilter = frozenset({b"---", b"_name_or_path"})

    def accepts(self, path: Path) -> bool:
        """``README.md``, ``config.json`` and ``adapter_config.json``."""
        return path.name.lower() in ("readme.md", "config.json", "adapter_config.json")

    def scan(self, path: Path, data: bytes, ctx: ScanContext) -> Iterable[Reference | ScanWarning]:
        """References of one card or config file."""
        text = decode_text(data)
        if text is None:
            return [ScanWarning(path=path.name, message="not UTF-8 text; skipped", code="encoding")]
        name = path.name.lower()
        if name == "readme.md":
            return self._readme(path, text, ctx)
        try:
            doc = json.loads(prune_json(text, BUDGETS.nesting_depth)[0])  # deep parts cut, never recursed into
        except (ValueError, RecursionError) as exc:
            return [ScanWarning(path=path.name, message=f"malformed JSON: {str(exc)[:200]}", code="malformed")]
        if not isinstance(doc, dict):
            return []
        if name == "config.json":
            return self._config(path, text, doc)
        return self._adapter(path, text, doc)

    @staticmethod
    def _line(text: str, key: str) -> tuple[int, str]:
        m = re.search(rf'"{re.escape(key)}"\s*:', text)
        if m is None:
            return 0, ""
        line = line_of(text, m.start())
        return line, text.splitlines()[line - 1].strip()[:300]

    def _config(self, path: Path, text: str, doc: dict[str, Any]) -> list[Reference | ScanWarning]:
        raw = doc.get("_name_or_path")
        if not isinstance(raw, str):
            return []
        artifact = _model_id(raw)
        if artifact is None:
            return []  # a path on the author's machine names nothing we can look up
        line, evidence = self._line(text, "_name_or_path")
        return [Reference(raw=raw, kind=Kind.MODEL, id=artifact, path=path.name, line=line, evidence=evidence,
                          confidence="medium", loader="config.json:_name_or_path",
                          note="the local model folder was saved from this model")]

    def _adapter(self, path: Path, text: str, doc: dict[str, Any]) -> list[Reference | ScanWarning]:
        raw = doc.get("base_model_name_or_path")
        if not isinstance(raw, str) or not raw.strip():
            return []
        line, evidence = self._line(text, "base_model_name_or_path")
        artifact = _model_id(raw)
        peft = doc.get("peft_type") if isinstance(doc.get("peft_type"), str) else "PEFT"
        note = f"base model of a local {peft} adapter"
        if artifact is None:
            note += "; the base model is a local path"
        return [Reference(raw=raw, kind=Kind.MODEL, id=artifact, path=path.name, line=line, evidence=evidence,
                          confidence="medium" if artifact else "low", loader="adapter_config.json", note=note)]

    def _readme(self, path: Path, text: str, ctx: ScanContext) -> list[Reference | ScanWarning]:
        front = _front_matter(text)
        if front is None:
            return []
        card = _card(text)
        if card is None or not getattr(card, "has_front_matter", False):
            return []
        fm_text, first_line = front
        lines = _key_lines(fm_text, first_line)
        src_lines = text.splitlines()

        def evidence(line: int) -> str:
            return src_lines[line - 1].strip()[:300] if 0 < line <= len(src_lines) else ""

        out: list[Reference | ScanWarning] = []
        if "sdk" in lines:  # a Hugging Face Space: what it uses
            for key, scheme, kind in (("models", "hf", Kind.MODEL), ("datasets", "hf-dataset", Kind.DATASET)):
                for value, line in lines.get(key, [])[1:]:
                    artifact = _model_id(value, scheme)
                    if artifact:
                        out.append(Reference(raw=value, kind=kind, id=artifact, path=path.name, line=line,
                                             evidence=evidence(line), confidence="medium",
                                             loader=f"hf-space:{key}", note="listed in the Space's card"))
            return out
        folder = path.parent
        is_dataset = any(k in lines for k in _DATASET_CARD_KEYS) and "base_model" not in lines
        is_model = not is_dataset and (any(k in lines for k in _MODEL_CARD_KEYS) or _folder_has_model_files(folder))
        if not (is_model or is_dataset):
            return []
        licence = getattr(card, "license", None)
        folder_rel = _rel(folder, ctx.root)
        what = "dataset" if is_dataset else "model"
        note = f"local {what} folder; card licence: {licence}" if licence else \
            f"local {what} folder; the card declares no licence"
        line = _line_for(lines, "license") or first_line
        out.append(Reference(raw=folder_rel, kind=Kind.DATASET if is_dataset else Kind.MODEL, id=None,
                             path=path.name, line=line, evidence=evidence(line), confidence="low",
                             loader="model-card" if is_model else "dataset-card", note=note))
        relation = getattr(card, "base_model_relation", None)
        for base in getattr(card, "base_models", ()) if is_model else ():
            artifact = _model_id(base)
            bline = _line_for(lines, "base_model", base)
            out.append(Reference(raw=base, kind=Kind.MODEL, id=artifact, path=path.name, line=bline,
                                 evidence=evidence(bline), confidence="medium" if artifact else "low",
                                 loader="model-card:base_model",
                                 note=f"base model of the local model folder {folder_rel}"
                                      + (f" ({relation})" if relation else "")))
        for dataset in getattr(card, "datasets", ()):
            artifact = _model_id(dataset, "hf-dataset")
            if artifact is None:
                continue
            dline = _line_for(lines, "datasets", dataset)
            out.append(Reference(raw=dataset, kind=Kind.DATASET, id=artifact, path=path.name, line=dline,
                                 evidence=evidence(dline), confidence="medium", loader="model-card:datasets",
                                 note=f"training data named by the card of {folder_rel}"))
        return out


def _rel(folder: Path, root: Path) -> str:
    try:
        rel = Path(os.path.abspath(folder)).relative_to(Path(os.path.abspath(root))).as_posix()
    except ValueError:
        return folder.name
    return rel or "."
