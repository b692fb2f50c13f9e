"""Model (and dataset) folders in the tree: card front matter and the configs that name an upstream.

* ``README.md`` with YAML front matter, read by :func:`modelclear.catalog.hf.parse_card`:
  in a model folder (or a card that looks like a model card) it yields the folder itself as a local
  model (its card licence in the note), each ``base_model`` as an ``hf:`` reference and each
  ``datasets`` entry as an ``hf-dataset:`` reference; a dataset card yields the folder as a local
  dataset; a Hugging Face Space README yields its ``models``/``datasets`` lists.
* ``config.json``'s ``_name_or_path``: the Hub model the folder was saved from (local paths from the
  author's machine are not references).
* ``adapter_config.json``'s ``base_model_name_or_path``: the base model of a PEFT adapter.

After the scan, two passes trace local folders to the Hub repositories they hold (issue 10, item 8):
:func:`trace_download_folders` (paths under a folder a Hub download or clone fills) and
:func:`trace_named_folders` (a config's model folder named exactly like a Hub repository the project loads).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from modelclear import ids
from modelclear.model import Kind, Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.budget import BUDGETS, prune_json
from modelclear.scan.config import looks_local
from modelclear.scan.walk import decode_text, line_of, read_head_or_none

_FRONT_RE = re.compile(r"\A\ufeff?\s*---[ \t]*\r?\n")
_FRONT_END_RE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: Files whose presence makes a folder a model folder.
_MODEL_FILES = ("config.json", "adapter_config.json", "model_index.json", "modules.json",
                "sentence_bert_config.json", "generation_config.json")
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".gguf", ".pt", ".pth", ".ckpt", ".onnx", ".h5", ".msgpack",
                    ".keras", ".tflite", ".mlmodel")
_WEIGHT_EXTENSIONS = frozenset(s.lstrip(".") for s in _WEIGHT_SUFFIXES)
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


# --- Folders a Hub download fills (issue 10, item 8) -------------------------------------------------------

#: Folder names too generic to say which download filled them (``--local-dir models``).
_GENERIC_DIRS = frozenset({
    "", ".", "..", "~", "model", "models", "checkpoint", "checkpoints", "ckpt", "ckpts", "weight", "weights",
    "pretrained", "pretrained_models", "pretrained_weights", "data", "dataset", "datasets", "cache", ".cache",
    "hub", "download", "downloads", "tmp", "temp", "output", "outputs", "assets", "resources", "files", "local",
    "base", "src", "repo", "repos", "app", "work", "workspace", "content", "home", "root", "mnt", "opt"})
#: The words before a path that make it something the command writes, not a folder it reads.
_WRITES = re.compile(r"(?:output|save|out|result|results|log|logging|dump|export|push)[\w-]*[\"']?\s*\(?\s*[=:]?\s*"
                     r"[\"']?$", re.IGNORECASE)
#: Commands of a line that only move into a folder or write to it (``%cd name``, ``cp x name/``).
_NOT_A_READ = re.compile(r"^[!%]?\s*(?:cd|pushd|mkdir|cp|mv|rm|ls|touch|echo|git\s+(?:add|push|commit|lfs\s+track)|"
                         r"transformers-cli|huggingface-cli\s+(?:upload|repo)|hf\s+(?:upload|repo))\b")
#: The words before a path that make it the download's own destination (``--local-dir X``, ``local_dir="X"``).
_DESTINATION = re.compile(r"local[-_]dir[\"']?\s*[=:]?\s*[\"']?$", re.IGNORECASE)
_SNAPSHOT_DIR = re.compile(r"""\blocal_dir\s*=\s*(?:f?["'])([^"'{}$\s]+)["']""")
#: Files read for paths under a download folder (the code and config files :mod:`.localtrace` reads).
_FOLDER_SUFFIXES = frozenset({".py", ".yaml", ".yml", ".json", ".toml", ".cfg", ".sh", ".bash", ".ini", ".env",
                              ".ipynb"})
MAX_FOLDER_FILES = 5_000
MAX_FOLDER_FILE_BYTES = 1_000_000
MAX_FOLDER_NOTEBOOK_BYTES = 16_000_000
MAX_FOLDER_REFS_PER_FILE = 100


def _clean_dir(raw: str) -> str:
    """A destination folder as written, normalised (quotes, ``./``, trailing and doubled slashes dropped)."""
    text = raw.strip().strip("\"'").replace("\\", "/")
    while text.startswith("./"):
        text = text[2:]
    text = re.sub(r"/{2,}", "/", text).rstrip("/")
    return text


def _destination(ref: Reference) -> str | None:
    """The folder a Hub download or clone writes into, when the command names one (or, for ``git clone``
    without one, the repository's name, the folder git creates)."""
    loader = ref.loader
    if loader.endswith("snapshot_download"):
        m = _SNAPSHOT_DIR.search(ref.evidence)
        return m.group(1) if m else None
    if not loader.startswith("shell:"):
        return None
    import shlex

    try:
        words = shlex.split(ref.evidence, comments=True)
    except ValueError:
        return None
    if loader.endswith(" download"):
        for i, word in enumerate(words):
            if word == "--local-dir" and i + 1 < len(words):
                return words[i + 1]
            if word.startswith("--local-dir="):
                return word.partition("=")[2]
        return None
    if loader.endswith("git clone") and ref.raw in words:
        rest = [w for w in words[words.index(ref.raw) + 1:] if not w.startswith("-")]
        if rest and rest[0] not in ("&&", ";", "|", "||"):
            return rest[0]
        return ref.raw.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    return None


def download_folders(refs: Iterable[Reference]) -> dict[str, tuple[str, Kind | None, str]]:
    """Folder -> (id, kind, where) of the Hub repositories a command or ``snapshot_download`` writes into a
    named folder (``hf download org/name --local-dir checkpoints/name``, ``git clone https://huggingface.co/org/name
    weights/name``). A folder two repositories are written into, a generic one (``models``) or one built from
    variables is left out."""
    found: dict[str, set[tuple[str, Kind | None, str]]] = {}
    for ref in refs:
        if not ref.id or not ref.id.startswith(("hf:", "hf-dataset:")):
            continue
        raw = _destination(ref)
        if raw is None or "$" in raw or "{" in raw or "*" in raw:
            continue
        folder = _clean_dir(raw)
        if folder.rsplit("/", 1)[-1].lower() in _GENERIC_DIRS or len(folder.rsplit("/", 1)[-1]) < 3:
            continue
        found.setdefault(folder, set()).add((ref.id, ref.kind, f"{ref.path}:{ref.line}"))
    out: dict[str, tuple[str, Kind | None, str]] = {}
    for folder, entries in found.items():
        if len({e[0] for e in entries}) == 1:
            out[folder] = min(entries, key=lambda e: e[2])
    return out


def trace_download_folders(refs: Sequence[Reference], files: Sequence[tuple[str, str, int]]) -> list[Reference]:
    """References for the local paths under a folder a Hub download fills (see :func:`download_folders`).

    The project's code and config files (``files``: absolute path, project-relative path, size) that contain
    such a folder's path are read line by line; a path in it (a string, a YAML value, a shell word, a
    notebook code line of the raw JSON) that is not the download's own destination nor something written
    (``--output_dir``, ``save_path=``) is that repository, confidence ``low``. Comment lines are skipped.
    """
    folders = download_folders(refs)
    if not folders:
        return []
    needles = [f.encode() for f in folders]
    pattern = re.compile(
        r"(?<![\w.~-])(?:\./)?(" + "|".join(re.escape(f) for f in sorted(folders, key=len, reverse=True))
        + r")((?:/[\w.+@-]+)*)(?=$|[\s\"'`,;:)\]}\\|])")
    taken = {(r.path, r.line, r.id) for r in refs}
    out: list[Reference] = []
    read = 0
    for path, rel, size in files:
        name = rel.rsplit("/", 1)[-1].lower()
        suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
        notebook = suffix == ".ipynb"
        if not (suffix in _FOLDER_SUFFIXES or name == "dockerfile" or name.startswith("dockerfile")):
            continue
        if size > (MAX_FOLDER_NOTEBOOK_BYTES if notebook else MAX_FOLDER_FILE_BYTES):
            continue
        if read >= MAX_FOLDER_FILES:
            break
        read += 1
        data = read_head_or_none(path, MAX_FOLDER_NOTEBOOK_BYTES if notebook else MAX_FOLDER_FILE_BYTES)
        if data is None:
            continue
        if not any(n in data for n in needles):
            continue
        out.extend(_folder_lines(data.decode("utf-8", errors="replace"), rel, notebook, pattern, folders, taken))
    return out


def code_lines(text: str, notebook: bool) -> Iterator[tuple[int, str, str]]:
    """(number, line, stripped line) of the lines of a file's code. For a notebook's raw JSON (read as text so
    that line numbers are the file's), only the source lines of code cells, whatever the key order (Jupyter
    writes ``"outputs"`` before ``"source"``, other tools after it: an ``unzip`` log in the outputs is no code),
    the stripped line without its opening JSON quote."""
    kind_line = ""
    in_code = not notebook
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.lstrip()
        if notebook:
            if stripped.startswith('"cell_type"'):
                in_code = False
                kind_line = stripped
            elif stripped.startswith('"source"'):
                in_code = '"code"' in kind_line
                if stripped.rstrip().endswith("[]") or not stripped.rstrip().endswith("["):
                    continue
            elif in_code and stripped.startswith(("]", '"outputs"', '"metadata"', '"execution_count"', '"id"',
                                                  '"attachments"')):
                in_code = False
            if not in_code:
                continue
            stripped = stripped.lstrip('"').lstrip()
        yield number, line, stripped


def _folder_lines(text: str, rel: str, notebook: bool, pattern: re.Pattern[str],
                  folders: dict[str, tuple[str, Kind | None, str]],
                  taken: set[tuple[str, int, str | None]]) -> list[Reference]:
    out: list[Reference] = []
    for number, line, stripped in code_lines(text, notebook):
        if stripped.startswith(("#", "//")) or ("://" in line and "clone" in line) or _NOT_A_READ.match(stripped):
            continue
        for m in pattern.finditer(line):
            before = line[:m.start()]
            if _DESTINATION.search(before) or _WRITES.search(before) or "clone " in before:
                continue
            if "/" not in m.group(1) and not (m.group(2) or m.group(0).startswith("./")):
                continue  # a one-word folder counts only as a path (./name or name/...), not as a bare word
            artifact_id, kind, where = folders[m.group(1)]
            key = (rel, number, artifact_id)
            if key in taken:
                continue
            taken.add(key)
            local = m.group(1) + m.group(2)
            out.append(Reference(
                raw=local, kind=kind, id=artifact_id, path=rel, line=number, column=m.start() + 1,
                evidence=stripped[:300], confidence="low", loader="local-folder",
                note=f"local path {local}: in the folder {m.group(1)} that the Hub download at {where} fills"))
            if len(out) >= MAX_FOLDER_REFS_PER_FILE:
                return out
    return out


#: Config keys whose value is a model to load (``pretrained_model_path``, ``base_model``, ``ckpt_path``).
_MODEL_KEY = re.compile(r"(?:pretrain|model|ckpt|checkpoint|weight|base)", re.IGNORECASE)
#: Config keys that name something written, not read.
_WRITTEN_KEY = re.compile(r"(?:output|save|out_|result|log|dump|export|cache|resume)", re.IGNORECASE)
_CONFIG_LINE = re.compile(r"""^\s*(?:-\s+)?["']?([\w.-]+)["']?\s*[:=]\s*["']?([^"'\s#,{}\[\]]+)["']?\s*,?\s*"""
                          r"(?:#.*)?$")
_CONFIG_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".toml"})
#: The shortest Hub repository name a local folder is matched by (shorter names are too generic).
MIN_NAMED_FOLDER = 8


def _hub_names(refs: Iterable[Reference]) -> dict[str, tuple[str, Kind | None, str]]:
    """Repository name -> (id, kind, where) of the Hub models the scan found, for names specific enough to
    stand for a local copy (a digit or a dash, at least :data:`MIN_NAMED_FOLDER` characters) and that one
    repository only has."""
    found: dict[str, set[str]] = {}
    first: dict[str, tuple[str, Kind | None, str]] = {}
    for ref in refs:
        if not ref.id or not ref.id.startswith("hf:") or ref.loader in ("local-folder", "local-folder-name"):
            continue
        name = ref.id[3:].rsplit("/", 1)[-1]
        if "/" not in ref.id[3:] or len(name) < MIN_NAMED_FOLDER or not re.search(r"[\d-]", name):
            continue
        found.setdefault(name.lower(), set()).add(ref.id)
        first.setdefault(name.lower(), (ref.id, ref.kind, f"{ref.path}:{ref.line}"))
    return {name: first[name] for name, ids_ in found.items() if len(ids_) == 1}


def trace_named_folders(refs: Sequence[Reference], files: Sequence[tuple[str, str, int]]) -> list[Reference]:
    """A config value that loads a model from a local folder named like a Hub repository the project
    loads elsewhere (``pretrained_model_path: models/StableDiffusion/stable-diffusion-v1-5`` where the code
    loads ``runwayml/stable-diffusion-v1-5``) is a local copy of that repository, confidence ``low``.

    Only YAML/JSON/TOML lines ``key: value`` whose key names a model to read (not an output, a cache or a
    resume path) and whose value is a relative or absolute path are read; the folder (or, for a weight
    file, its parent folder) must be named exactly like the repository.
    """
    names = _hub_names(refs)
    if not names:
        return []
    taken = {(r.path, r.line, r.id) for r in refs}
    out: list[Reference] = []
    read = 0
    for path, rel, size in files:
        name = rel.rsplit("/", 1)[-1].lower()
        if "." + name.rsplit(".", 1)[-1] not in _CONFIG_SUFFIXES or size > MAX_FOLDER_FILE_BYTES:
            continue
        if read >= MAX_FOLDER_FILES:
            break
        read += 1
        head = read_head_or_none(path, MAX_FOLDER_FILE_BYTES)
        if head is None:
            continue
        text = head.decode("utf-8", errors="replace")
        lower = text.lower()
        if not any(n in lower for n in names):
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            m = _CONFIG_LINE.match(line)
            if m is None:
                continue
            key, value = m.groups()
            if not _MODEL_KEY.search(key) or _WRITTEN_KEY.search(key) or "/" not in value or not looks_local(value):
                continue
            parts = _clean_dir(value).split("/")
            if parts and "." in parts[-1] and parts[-1].rsplit(".", 1)[-1].lower() in _WEIGHT_EXTENSIONS:
                parts = parts[:-1]
            entry = names.get(parts[-1].lower()) if parts else None
            if entry is None:
                continue
            artifact_id, kind, where = entry
            if (rel, number, artifact_id) in taken:
                continue
            taken.add((rel, number, artifact_id))
            out.append(Reference(
                raw=value, kind=kind, id=artifact_id, path=rel, line=number, column=m.start(2) + 1,
                evidence=line.strip()[:300], confidence="low", loader="local-folder-name",
                note=f"local folder {value}: named like {artifact_id[3:]}, which the project loads at {where}"))
    return out
