"""Local weight files traced to their release address (issue 10, item 8).

Research code loads ``weights/dpt_beit_large_512.pt`` or ``experiments/pretrained_models/RealESRNet_x4plus.pth``
from disk, after a download script, a ``hubconf.py``, a Dockerfile or the project's documentation fetched
it from a release address whose file has the same name. That local file is the released artifact. After
the scan, :func:`trace_local_files`:

1. collects the download addresses of known weight hosts (:mod:`modelclear.scan.urls`) that the scan
   found in code and configs (and the files ``hf_hub_download(repo_id=..., filename=...)`` calls fetch),
   and those written in the project's Markdown documentation (read here only
   for this table, at most :data:`MAX_DOCS` files of :data:`MAX_DOC_BYTES`), by file name; a file name
   that two different addresses end in, or a generic one (``model.pt``, ``best.pth``,
   ``pytorch_model.bin``...), is left out. A release archive (``craft_mlt_25k.zip``) also stands for
   the weight file of the same stem inside it (``craft_mlt_25k.pth``), and a data archive the data file
   it is named after (``jena_climate_2009_2016.csv.zip`` -> ``jena_climate_2009_2016.csv``; ``glove.6B.zip``
   -> ``glove.6B.100d.txt``, a prefix of at least :data:`MIN_DATA_STEM` characters);
2. reads the project's code and config files that contain one of those names (a plain byte search
   first) and reports each relative path ending in such a name (a string in Python, a value in YAML or
   a shell script, never an address itself) as the address's id, at that line, confidence ``low``,
   with a note naming the local path and where the address was found. Notebooks are read as their raw
   JSON, code cells' source lines only (shell ``!`` lines are the download itself); a data file opened in
   the file that also holds its download is that download's reference already;
3. a local file whose name carries a content hash (``resnet50-0676ba61.pth``) and is the file name of
   exactly one release address the bundled knowledge's model records give (:func:`catalog_releases`:
   timm's, torchvision's, open_clip's releases) is that release, even when nothing in the project
   downloads it;
4. in a file that downloads one model archive (its reference says model, or its address's path has a
   model word), a file name of a format only models come in (``classify_image_graph_def.pb``, not a
   generic name) is a file of that archive, read from the folder it was unpacked into.

Weight suffixes are the scanner's one table (``data/loaders/file_types.yaml``).

Bounded by file count and bytes; nothing is fetched.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Sequence
from functools import cache

from modelclear.model import Kind, Reference
from modelclear.scan.modeldir import code_lines
from modelclear.scan.walk import read_head_or_none

#: Markdown files read for release addresses.
MAX_DOCS = 200
#: Bytes read of one Markdown or code file.
MAX_DOC_BYTES = 1_000_000
#: Bytes read of one notebook (its outputs, pictures included, sit between the code cells).
MAX_NOTEBOOK_BYTES = 16_000_000
#: Bytes of notebooks larger than :data:`MAX_DOC_BYTES` read in all; later ones are left out.
MAX_LARGE_NOTEBOOK_TOTAL = 64_000_000
#: Code and config files read for local paths.
MAX_FILES = 5_000
#: References added per file.
MAX_PER_FILE = 200

#: Words of an archive address's path that say it holds a model.
_MODEL_WORDS = re.compile(r"(?:model|checkpoint|ckpt|weight|pretrain)", re.IGNORECASE)
#: Weight files that are only ever a model's (not a pickled or NumPy data set): a file of this kind named in the
#: module that downloads one release archive is that archive's member (:func:`trace_local_files`).
_MODEL_ONLY = frozenset({"pth", "pt", "ckpt", "safetensors", "onnx", "pb", "tflite", "tfmodel", "h5", "hdf5", "keras",
                         "gguf", "ggml", "caffemodel", "pdparams", "pth.tar", "engine"})
_ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar")
#: Data files a released archive may hold (``jena_climate_2009_2016.csv.zip`` -> ``jena_climate_2009_2016.csv``,
#: ``glove.6B.zip`` -> ``glove.6B.100d.txt``).
_DATA_SUFFIXES = ("csv", "tsv", "txt", "json", "jsonl", "parquet", "npy")
#: Shortest archive stem that stands for the data files named after it (shorter ones are too generic).
MIN_DATA_STEM = 8
_CODE_SUFFIXES = frozenset({".py", ".yaml", ".yml", ".json", ".toml", ".cfg", ".sh", ".bash", ".ini", ".env",
                            ".ipynb"})
_CODE_NAMES = frozenset({"dockerfile", "makefile", ".env"})
#: File names too generic to say which release they are.
_GENERIC = re.compile(r"^(?:model|models|best|last|final|latest|checkpoint|ckpt|weights|pytorch_model|"
                      r"model_final|model_best|tf_model|flax_model|diffusion_pytorch_model|adapter_model|"
                      r"consolidated|ggml-model|net|network|pretrained|init)(?:[._-]\w{0,8})?\.[\w.]+$", re.IGNORECASE)
_URL_RE = re.compile(r"""https?://[^\s'"<>`()\[\]{},;\\|^]+""")


@cache
def _weight_suffixes() -> tuple[str, ...]:
    """The weight file suffixes (without their dot) of the scanner's file-type table (``file_types.yaml``)."""
    from modelclear.scan.urls import weight_suffixes

    return tuple(sfx.lstrip(".") for sfx in weight_suffixes())


@cache
def _local_path() -> re.Pattern[str]:
    """A relative path (or bare file name) ending in a weight or data suffix."""
    suffixes = sorted({*_weight_suffixes(), *_DATA_SUFFIXES}, key=lambda sfx: (-len(sfx), sfx))
    return re.compile(r"(?<![\w/.:-])((?:[\w.~-]+/)*[\w.-]+\.(?:" + "|".join(re.escape(sfx) for sfx in suffixes)
                      + r"))(?![\w-]|\.[A-Za-z_])")  # not an attribute path (tf.keras.Model)


#: Line starts that hold no local path: comments, shell lines, imports (``from tensorflow.keras import``).
_NOT_PATHS = ("#", "//", "!", "from ", "import ")


#: A content hash or commit in a file name (``model-f6b98070.pt``, ``sam_vit_b_01ec64.pth``): hex digits, both
#: letters and digits, at least 6; it makes a generic-looking name say which release it is.
_HASHED = re.compile(r"(?<![0-9a-f])(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{6,}(?![0-9a-f])", re.IGNORECASE)


def _generic(name: str) -> bool:
    """Whether a file name is too generic to say which release it is (and holds no hash)."""
    return bool(_GENERIC.match(name)) and not _HASHED.search(name.rsplit(".", 1)[0])


def _file_name(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _names(url: str) -> list[str]:
    """The local file names a released address stands for."""
    name = _file_name(url)
    if not name or _generic(name):
        return []
    out = [name]
    lower = name.lower()
    for suffix in _ARCHIVE_SUFFIXES:
        if lower.endswith(suffix):
            stem = name[: -len(suffix)]
            out = [f"{stem}.{s}" for s in _weight_suffixes() if not _generic(f"{stem}.{s}")]
            if stem.rsplit(".", 1)[-1].lower() in _DATA_SUFFIXES and len(stem) >= MIN_DATA_STEM and not _generic(stem):
                out.append(stem)  # jena_climate_2009_2016.csv.zip holds jena_climate_2009_2016.csv
            elif "." in stem and len(stem) >= MIN_DATA_STEM and not _generic(stem + ".x"):
                out.append(stem + ".")  # glove.6B.zip holds glove.6B.<variant>.txt: a prefix (see _lookup)
            break
    return out


#: A run of the characters a local file name is made of: a file name :func:`_local_path` finds starts where such a
#: run starts (after ``/``, a quote, a space ...) and ends at the run's end or before one of its dots.
_NAME_RUN = re.compile(r"[\w.-]+")
#: Up to this many release file names, a file is searched for each of them; above it (a library's docs name
#: thousands: fairseq's made this pass most of the scan), its runs of file-name characters are looked up instead.
_SEARCHED_NAMES = 64


def _named_in(table: dict[str, tuple[str, str, str]], text: str) -> list[str]:
    """The keys of ``table`` (without a trailing dot) that a file name :func:`_lookup` could find in ``text`` may
    use: those that a run of file-name characters is, whole or up to one of its dots."""
    found: set[str] = set()
    for run in set(_NAME_RUN.findall(text)):
        if run in table:
            found.add(run.rstrip("."))
        dot = run.find(".")
        while dot >= 0:
            for key in (run[:dot], run[:dot + 1]):
                if key in table:
                    found.add(key.rstrip("."))
            dot = run.find(".", dot + 1)
    return sorted(found)


def _lookup(table: dict[str, tuple[str, str, str]], name: str) -> tuple[str, str, str] | None:
    """The release entry of a local file name: by the whole name, else (for a data file) by the prefix
    of an archive named after the release (``glove.6B.`` for ``glove.6B.100d.txt``)."""
    entry = table.get(name)
    if entry is not None or name.rsplit(".", 1)[-1].lower() not in _DATA_SUFFIXES:
        return entry
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        entry = table.get(".".join(parts[:cut]) + ".")
        if entry is not None:
            return entry
    return None


def release_table(refs: Iterable[Reference], docs: Sequence[tuple[str, str]]) -> dict[str, tuple[str, str, str]]:
    """File name -> (id, address, where it was found) of the release addresses of the scan and the docs."""
    from modelclear.scan.urls import match_url, urls_in_text

    found: dict[str, set[tuple[str, str, str]]] = {}

    def add(url: str, artifact_id: str, where: str) -> None:
        for name in _names(url):
            entries = found.setdefault(name, set())
            if not any(e[1] == url for e in entries):
                entries.add((artifact_id, url, where))

    for ref in refs:
        if ref.id and ref.raw.startswith(("http://", "https://")) and "://" not in ref.raw[8:]:
            add(ref.raw, ref.id, f"{ref.path}:{ref.line}")
        elif ref.id and ref.id.startswith("hf:") and ref.loader.endswith("hf_hub_download"):
            # hf_hub_download(repo_id="org/name", filename="x.bin"): a local x.bin elsewhere is that file
            named = _HUB_FILENAME.findall(ref.evidence)
            if len(named) == 1 and "/" not in named[0]:
                add(f"https://huggingface.co/{ref.id[3:]}/resolve/main/{named[0]}", ref.id, f"{ref.path}:{ref.line}")
    for path, rel in docs[:MAX_DOCS]:
        data = read_head_or_none(path, MAX_DOC_BYTES)
        if not data or b"://" not in data:
            continue
        text = data.decode("utf-8", errors="replace")
        for line, _col, url in urls_in_text(text):
            m = match_url(url)
            if m is not None:
                add(m.url, m.id, f"{rel}:{line}")
    return {name: next(iter(entries)) for name, entries in found.items() if len(entries) == 1}


#: The file a Hub download names (``hf_hub_download(repo_id=..., filename="photomaker-v1.bin")``).
_HUB_FILENAME = re.compile(r"""\bfilename\s*=\s*["']([^"'\s]+)["']""")
#: A file name carrying a content hash after a dash (``resnet50-19c8e357.pth``, ``cspdarknet53_ra_256-d05c7c21.pth``).
_HASHED_RELEASE = re.compile(r"-[0-9a-f]{8,}\.(?:pth|pt|bin|ckpt|safetensors|npz|pkl|h5|onnx|pth\.tar)(?![\w-])",
                             re.IGNORECASE)
_HASHED_RELEASE_BYTES = re.compile(_HASHED_RELEASE.pattern.encode(), re.IGNORECASE)


@cache
def catalog_releases() -> dict[str, tuple[str, str, str]]:
    """File name -> (id, address, where) of the release files the bundled knowledge names (a model record's
    ``url``: timm's, torchvision's, open_clip's release files) whose name carries a content hash, so that a
    local copy (``pretrained_models/cspdarknet53_ra_256-d05c7c21.pth``) is that release. Names two addresses
    end in are left out."""
    import json
    from importlib import resources

    from modelclear import ids
    from modelclear.scan.urls import catalog_urls

    addresses = set(catalog_urls())
    with contextlib.suppress(OSError):
        folder = resources.files("modelclear.data").joinpath("models").joinpath("_generated")
        for child in folder.iterdir():
            if not child.name.endswith(".json"):
                continue
            try:
                doc = json.loads(child.read_text(encoding="utf-8"))
            except (OSError, ValueError, UnicodeDecodeError):
                continue
            for rec in doc.get("models") or () if isinstance(doc, dict) else ():
                if isinstance(rec, dict) and isinstance(rec.get("url"), str):
                    addresses.add(rec["url"].strip())
    found: dict[str, set[str]] = {}
    for url in addresses:
        name = _file_name(url)
        if _HASHED_RELEASE.search(name) and url.startswith(("http://", "https://")):
            found.setdefault(name, set()).add(url)
    out: dict[str, tuple[str, str, str]] = {}
    for name, urls in found.items():
        if len(urls) == 1:
            url = next(iter(urls))
            ref = ids.try_parse("url:" + url)
            if ref is not None:
                out[name] = (ref.id, url, "a model record of the bundled knowledge")
    return out


def _member(name: str) -> bool:
    """Whether a file name is a model file (a format only models come in) that is not too generic."""
    lower = name.lower()
    return not _generic(name) and any(lower.endswith("." + sfx) for sfx in _MODEL_ONLY)


def _archive_downloads(refs: Iterable[Reference]) -> dict[str, tuple[str, str, str]]:
    """File -> (id, address, where) of the one model archive a file downloads (``inception-2015-12-05.tgz``
    fetched into a folder the module then reads ``classify_image_graph_def.pb`` from). An archive is a
    model's when its reference says so or its address's path has a model word (``/models/``,
    ``checkpoints``, ``pretrained``). A file that downloads several archives, or a data set's archive, is
    left out: which archive holds the file is not known."""
    found: dict[str, dict[str, tuple[str, str, str]]] = {}
    for ref in refs:
        if not ref.id or not ref.raw.startswith(("http://", "https://")) or "://" in ref.raw[8:]:
            continue
        if _file_name(ref.raw).lower().endswith(_ARCHIVE_SUFFIXES):
            entry = (ref.id, ref.raw, f"{ref.path}:{ref.line}")
            found.setdefault(ref.path, {}).setdefault(ref.id, entry)
            if ref.kind is not Kind.MODEL and not _MODEL_WORDS.search(ref.raw.split("://", 1)[-1].partition("/")[2]):
                found[ref.path][""] = entry  # a data archive in the file: which archive holds what is unclear
    return {path: next(iter(by_id.values())) for path, by_id in found.items() if len(by_id) == 1}


def trace_local_files(refs: Sequence[Reference], files: Sequence[tuple[str, str, int]],
                      docs: Sequence[tuple[str, str]]) -> list[Reference]:
    """References for local paths named like a release file (see the module docstring).

    ``files`` are the scanned files (absolute path, project-relative path, size); ``docs`` the project's
    Markdown files (absolute path, relative path).
    """
    table = release_table(refs, docs)
    archives = _archive_downloads(refs)
    needles = [(name, name.encode()) for name in sorted({key.rstrip(".") for key in table})]
    searched = len(needles) <= _SEARCHED_NAMES
    taken = {(r.path, r.line, r.id) for r in refs}
    #: (file, id) of the references already found: a data file opened where its download is written is
    #: that download's reference already.
    in_file = {(r.path, r.id) for r in refs}
    out: list[Reference] = []
    read = 0
    large_read = 0
    for path, rel, size in files:
        name = rel.rsplit("/", 1)[-1].lower()
        suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
        if size > (MAX_NOTEBOOK_BYTES if suffix == ".ipynb" else MAX_DOC_BYTES) or not (
                suffix in _CODE_SUFFIXES or name in _CODE_NAMES or
                                        name.startswith("dockerfile")):
            continue
        if read >= MAX_FILES:
            break
        if size > MAX_DOC_BYTES:  # a large notebook: bounded in all, not only one by one
            if large_read + size > MAX_LARGE_NOTEBOOK_TOTAL:
                continue
            large_read += size
        read += 1
        data = read_head_or_none(path, MAX_NOTEBOOK_BYTES if suffix == ".ipynb" else MAX_DOC_BYTES)
        if not data:
            continue
        archive = archives.get(rel)
        hashed = _HASHED_RELEASE_BYTES.search(data) is not None
        # the names this file may use: few are searched for in the bytes (before any decoding), many looked up
        # by the file's runs of file-name characters
        named = [name for name, raw in needles if raw in data] if searched else []
        if searched and not (archive is not None or hashed or named):
            continue
        text = data.decode("utf-8", errors="replace")
        if not searched:
            named = _named_in(table, text)
            if not (archive is not None or hashed or named):
                continue
        added = 0
        for number, line, stripped in code_lines(text, suffix == ".ipynb"):
            if stripped.startswith(_NOT_PATHS) or not ((archive is not None and "." in line) or
                                                              (hashed and _HASHED_RELEASE.search(line)) or
                                                              any(n in line for n in named)):
                continue
            addresses = [(u.start(), u.end()) for u in _URL_RE.finditer(line)] if "://" in line else []
            for m in _local_path().finditer(line):
                local = m.group(1)
                if any(start <= m.start() < end for start, end in addresses):
                    continue  # the file name of an address, not a local path
                file_name = local.rsplit("/", 1)[-1]
                entry = _lookup(table, file_name)
                if entry is None and hashed:
                    entry = catalog_releases().get(file_name)
                member = entry is None and archive is not None and _member(file_name)
                if member and archive is not None:
                    entry = archive
                if entry is None:
                    continue
                artifact_id, url, where = entry
                key = (rel, number, artifact_id)
                if key in taken:
                    continue
                taken.add(key)
                data_file = local.rsplit(".", 1)[-1].lower() in _DATA_SUFFIXES
                if data_file and (rel, artifact_id) in in_file:
                    continue
                note = (f"local file {local}: a model file of the archive this file downloads from {url} "
                        f"(at {where})") if member else \
                    f"local file {local}: the file released at {url} (address at {where})"
                out.append(Reference(
                    raw=local, kind=Kind.DATASET if data_file else Kind.MODEL, id=artifact_id, path=rel,
                    line=number, column=m.start() + 1,
                    evidence=stripped[:300], confidence="low", loader="local-file", note=note))
                added += 1
            if added >= MAX_PER_FILE:
                break
    return out
