"""Training scripts that write a local model folder: the datasets they load become its training data.

Three kinds of file can say where a training run writes its model, each read as text by pattern:

- a Python script: its ``save_pretrained`` / ``save_model`` / ``torch.save`` calls and ``output_dir=``
  keywords (string arguments, or module constants holding a string);
- a shell script (``.sh``, ``.bash``, ``.zsh``): ``--output_dir PATH`` (or ``--output-dir``,
  ``--save_path``…) options of the commands it runs, after ``NAME=value`` variables it sets are
  substituted; the Python scripts it runs (``accelerate launch train.py …``) count as its own loads;
- a training config (``.yaml``, ``.yml``, ``.json``): an ``output_dir:`` key (or ``save_path``…) at any depth.
"""

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
_OUT_NAMES = r"(?:output[_-]dir|save[_-]directory|save[_-]path|output[_-]path|save[_-]dir)"
_OUTPUT_KW = re.compile(r"\b(?:output_dir|save_directory|save_path|output_path)\s*=\s*([^,)\n]+)")
_STRING = re.compile(r"[rRbBuUfF]?(?:\"([^\"\n]{1,500})\"|'([^'\n]{1,500})')")
_CONSTANT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=\n]*)?=\s*"
                       r"[rRuU]?(?:\"([^\"\n]{1,500})\"|'([^'\n]{1,500})')\s*$", re.MULTILINE)
#: A shell word: double-quoted, single-quoted or bare.
_WORD = r"(\"[^\"\n]{1,500}\"|'[^'\n]{1,500}'|[^\s\"'\\;|&<>()`]{1,500})"
_SHELL_OUT = re.compile(rf"(?<![\w-])--{_OUT_NAMES}(?:[ \t]*=[ \t]*|[ \t]+(?:\\\n[ \t]*)?)" + _WORD)
_SHELL_VAR = re.compile(r"^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)=" + _WORD + r"[ \t]*(?:#.*)?$",
                        re.MULTILINE)
_SHELL_EXPANSION = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
_RUNS_PY = re.compile(r"(?<![\w./-])((?:[\w.-]+/)*[\w.-]+\.py)(?![\w.])")
_CONFIG_OUT = re.compile(rf"^[ \t-]*[\"']?{_OUT_NAMES}[\"']?[ \t]*:[ \t]*"
                         r"(\"[^\"\n]{1,500}\"|'[^'\n]{1,500}'|[^\s,#{}\[\]\"']{1,500})", re.MULTILINE)
_PY_SUFFIXES = (".py",)
_SHELL_SUFFIXES = (".sh", ".bash", ".zsh")
_CONFIG_SUFFIXES = (".yaml", ".yml", ".json")
#: Scripts looked into per scan, at most.
MAX_SCRIPTS = 200
#: Entries of a folder looked at for the shell scripts that launch a training script, at most.
MAX_LISTED = 500


def _line_of(text: str, start: int) -> tuple[int, str]:
    """The 1-based line number at ``start`` and that line's text (stripped, at most 300 characters)."""
    line = text.count("\n", 0, start) + 1
    return line, text.splitlines()[line - 1].strip()[:300]


def _unquote(word: str) -> str:
    return word[1:-1] if len(word) >= 2 and word[0] == word[-1] and word[0] in "\"'" else word


def _written_paths(text: str) -> list[tuple[str, int, str]]:
    """(path written, line, the line's text) for each save call or output keyword of a Python script."""
    constants = {m.group(1): m.group(2) or m.group(3) for m in _CONSTANT.finditer(text)}
    found: list[tuple[str, int, str]] = []
    for pattern in (_SAVE_CALL, _OUTPUT_KW):
        for m in pattern.finditer(text):
            args = m.group(1)
            values = [s.group(1) or s.group(2) for s in _STRING.finditer(args)]
            values += [constants[name] for name in re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*\b", args)
                       if name in constants]
            line, evidence = _line_of(text, m.start())
            found += [(v, line, evidence) for v in values]
    return found


def _shell_written(text: str) -> list[tuple[str, int, str]]:
    """(path written, line, the line's text) for each ``--output_dir`` option of a shell script.

    ``$NAME`` and ``${NAME}`` are replaced by the last plain ``NAME=value`` the script sets; a value
    that still holds an expansion (set elsewhere, or computed) names nothing we can follow.
    """
    variables = {m.group(1): _unquote(m.group(2)) for m in _SHELL_VAR.finditer(text)}
    found: list[tuple[str, int, str]] = []
    for m in _SHELL_OUT.finditer(text):
        word = m.group(1)
        value = word if word.startswith("'") else _SHELL_EXPANSION.sub(
            lambda v: variables.get(v.group(1) or v.group(2), v.group(0)), word)
        value = _unquote(value)
        if "$" in value or "`" in value or not value:
            continue
        line, evidence = _line_of(text, m.start())
        found.append((value, line, evidence))
    return found


def _config_written(text: str) -> list[tuple[str, int, str]]:
    """(path written, line, the line's text) for each ``output_dir:`` key of a YAML or JSON training config."""
    found: list[tuple[str, int, str]] = []
    for m in _CONFIG_OUT.finditer(text):
        value = _unquote(m.group(1).strip())
        if value and value.lower() not in ("null", "none", "~"):
            line, evidence = _line_of(text, m.start())
            found.append((value, line, evidence))
    return found


def _shell_files(root: Path, folder: str) -> list[str]:
    """The shell scripts in ``folder`` (relative to ``root``), of its first :data:`MAX_LISTED` entries."""
    rel = folder if folder not in ("", ".") else "."
    out: list[str] = []
    try:
        with os.scandir(root / rel) as entries:
            for i, entry in enumerate(entries):
                if i >= MAX_LISTED:
                    break
                if entry.name.lower().endswith(_SHELL_SUFFIXES) and entry.is_file(follow_symlinks=False):
                    out.append(entry.name if rel == "." else f"{rel}/{entry.name}")
    except OSError:
        return []
    return sorted(out)


def link_training_scripts(source: LocalSource, references: list[Any]) -> None:
    """Datasets a training run loads become training data of the local model folder it writes.

    For each file of the scan that names datasets — a Python script that loads them, a shell script that
    names them or runs a Python script of the scan that loads them (one beside that script or in the root,
looked for even when the scan found nothing in it), a YAML/JSON training config — the
    folders it says the model is written to (see the module docstring), relative to the root or to the
    file, are matched with the scan's local model artifacts (a file written inside a model folder counts
    for the folder); each dataset is added to that model as ``trained_on``, sourced to the line that
    writes it. Bounded: :data:`MAX_SCRIPTS` files, :data:`FILE_BYTES` each.
    """
    models = {ref.id.split(":", 1)[1]: ref.id for ref in references
              if ref.id and is_local_id(ref.id) and ref.id.lower() in source.records}
    if not models:
        return
    loads: dict[str, list[Any]] = {}
    candidates: dict[str, None] = {}
    for ref in references:
        path = getattr(ref, "path", "") or ""
        lower = path.lower()
        if ref.kind is Kind.DATASET and ref.id and lower.endswith((*_PY_SUFFIXES, *_SHELL_SUFFIXES,
                                                                    *_CONFIG_SUFFIXES)):
            loads.setdefault(path, []).append(ref)
            candidates[path] = None
        elif ref.id and lower.endswith(_SHELL_SUFFIXES):  # a launcher may name only the model it trains
            candidates[path] = None
    folders = dict.fromkeys(str(Path(p).parent) for p in loads if p.lower().endswith(_PY_SUFFIXES))
    if folders:
        folders = {".": None, **folders}
    for folder in list(folders)[:MAX_SCRIPTS]:  # launchers beside a loading script, or in the root
        for launcher in _shell_files(source.root, folder):
            candidates.setdefault(launcher, None)
    files = _Files(source.root)
    for script in list(candidates)[:MAX_SCRIPTS]:
        text = files.text(source.root / script)
        if text is None:
            continue
        here = (source.root / script).parent
        lower = script.lower()
        datasets = [(ref, "") for ref in loads.get(script, [])]
        if lower.endswith(_PY_SUFFIXES):
            written = _written_paths(text)
            why = "the script that writes it loads"
        elif lower.endswith(_SHELL_SUFFIXES):
            written = _shell_written(text)
            why = "the script that writes it names"
            for m in _RUNS_PY.finditer(text):  # the Python scripts it runs load for it
                for candidate in (here / m.group(1), source.root / m.group(1)):
                    rel = files.rel(Path(os.path.normpath(candidate)))
                    if rel in loads and rel != script:
                        datasets += [(ref, rel) for ref in loads[rel] if (ref, rel) not in datasets]
                        break
        else:
            written = _config_written(text)
            why = "the training config that writes it names"
        if not datasets:
            continue
        for path, line, evidence in written:
            for candidate in (here / path, source.root / path):
                rel = files.rel(Path(os.path.normpath(candidate)))
                target = next((models[m] for m in models if rel == m or rel.startswith(m.rstrip("/") + "/")), None)
                if target is None:
                    continue
                note = f"{script}:{line}: {evidence}"
                source.add_training(target, [(ref.id, f"{note} (" + (
                    f"the script that writes it runs {via}, which loads {ref.raw} at line {ref.line}" if via
                    else f"{why} {ref.raw} at line {ref.line}") + ")") for ref, via in datasets], script)
                break
