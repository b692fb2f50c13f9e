"""The ONNX Model Zoo's files (``github.com/onnx/models``), by address, with the licence of their folder's README.

Each model folder of onnx/models (``validated/vision/classification/resnet``) has a README whose
``## License`` section names the licence of its models, and holds the model files (``model/*.onnx``,
``*.tar.gz``). Code downloads them by address: ``https://github.com/onnx/models/raw/main/validated/<path>``,
the same file before the 2023 reorganisation without ``validated/`` (``raw/main`` or ``raw/master``), the
``blob/...?raw=true`` form, or ``media.githubusercontent.com/media/onnx/models/main/...``. One record per
file (its current address), the other addresses as aliases. A folder whose README names no licence, or a
licence this knowledge base has no record for, is left out.

Run ``python -m tools.extract.onnx_zoo --git-dir DIR [--check]`` from the repository root, with ``DIR`` a
clone (or bare snapshot) of onnx/models, to rebuild ``src/modelclear/data/models/_registries/onnx_zoo.json``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from ._common import dumps_models, git_dir_of, git_show, write_or_check

OUT = Path(__file__).resolve().parents[2] / "src" / "modelclear" / "data" / "models" / "_registries"
OUT = OUT / "onnx_zoo.json"
REPO = "https://github.com/onnx/models"
CHECKED = "2026-12-07"
#: The README "## License" lines -> this knowledge base's licence ids.
LICENSES = {"mit": "MIT", "mit license": "MIT", "apache 2.0": "Apache-2.0", "apache 2.0 license": "Apache-2.0",
            "apache license 2.0": "Apache-2.0", "[bsd-3](license)": "BSD-3-Clause", "bsd-3-clause": "BSD-3-Clause",
            "bsd 3-clause license": "BSD-3-Clause", 'bsd 3-clause "new" or "revised" license': "BSD-3-Clause"}
_FILE = re.compile(r"\.(onnx|tar\.gz)$")


def license_line(readme: str) -> str:
    """The first non-empty line after the README's ``## License`` heading (``""`` when there is none)."""
    lines = readme.split("\n")
    for i, line in enumerate(lines):
        if line.strip().lower() == "## license":
            return next((x.strip() for x in lines[i + 1:] if x.strip()), "")
    return ""


def addresses(path: str) -> list[str]:
    """Every address code uses for the file at ``path`` (``validated/...``), the current one first."""
    old = path.removeprefix("validated/")
    out = [f"{REPO}/raw/main/{path}", f"{REPO}/blob/main/{path}?raw=true",
           f"https://media.githubusercontent.com/media/onnx/models/main/{path}"]
    if old != path:
        out += [f"{REPO}/raw/main/{old}", f"{REPO}/raw/master/{old}", f"{REPO}/blob/main/{old}?raw=true",
                f"{REPO}/blob/master/{old}?raw=true", f"https://media.githubusercontent.com/media/onnx/models/main/{old}"]
    return out


def records(commit: str, folders: dict[str, tuple[str, list[str]]]) -> list[dict[str, Any]]:
    """One record per model file of each folder with a known licence, sorted by id."""
    from modelclear import ids

    out = []
    for folder, (line, files) in sorted(folders.items()):
        lid = LICENSES.get(line.lower())
        if lid is None:
            continue
        name = folder.rsplit("/", 1)[-1]
        for path in files:
            canon = [ref.id for ref in (ids.try_parse(f"url:{a}") for a in addresses(path)) if ref is not None]
            if not canon:
                continue
            out.append({
                "id": canon[0], "aliases": sorted(set(canon[1:]) - {canon[0]}),
                "name": f"ONNX Model Zoo {name}: {path.rsplit('/', 1)[-1]}", "license": lid,
                "facts": {"onnx_zoo_folder": folder, "readme_license": line, "generative": False},
                "url": f"{REPO}/raw/main/{path}",
                "sources": [{"url": f"{REPO}/blob/{commit}/{folder}/README.md", "checked": CHECKED,
                             "confidence": "V", "note": f"the folder's README, '## License': {line}"}],
            })
    return sorted(out, key=lambda r: r["id"].lower())


def read_folders(git_dir: Path) -> tuple[str, dict[str, tuple[str, list[str]]]]:
    """The snapshot's commit and, per model folder with a README, its licence line and model files."""
    commit = git_show(git_dir, "rev-parse", "HEAD").strip()
    paths = git_show(git_dir, "ls-tree", "-r", "--name-only", "HEAD", "validated/").split("\n")
    readmes = [p for p in paths if p.endswith("/README.md")]
    folders: dict[str, tuple[str, list[str]]] = {}
    for readme in readmes:
        folder = readme.rsplit("/", 1)[0]
        files = sorted(p for p in paths if p.startswith(folder + "/") and _FILE.search(p))
        if files:
            folders[folder] = (license_line(git_show(git_dir, "show", f"HEAD:{readme}")), files)
    return commit, folders


def document(commit: str, models: list[dict[str, Any]]) -> dict[str, Any]:
    """The family file: defaults, sources, then the models."""
    return {
        "family": "onnx-model-zoo", "publisher": "ONNX Model Zoo (onnx/models)", "distributed_via": "github",
        "license": "unknown",
        "license_note": {
            "en": "Each file's licence is the one the README of its model folder in onnx/models names in its "
                  "License section (the zoo's statement for the converted models; the original weights came "
                  "from the framework named in the README, trained on the datasets it names).",
            "ja": "各ファイルのライセンスは、onnx/models のモデルフォルダの README の License 節が示すもの"
                  "（変換されたモデルについての Model Zoo の記載。元の重みは README が示すフレームワークに由来し、"
                  "README が示すデータセットで学習されている）。"},
        "sources": [{"url": f"{REPO}/tree/{commit}/validated", "checked": CHECKED, "confidence": "V",
                     "note": "validated/**/README.md '## License' sections and the model files beside them"}],
        "models": models,
    }


def main(argv: list[str] | None = None) -> int:
    """Rebuild (or ``--check``) the committed catalogue; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--git-dir", type=Path, required=True, help="a clone or bare snapshot of onnx/models")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="compare with the committed file instead of writing")
    args = parser.parse_args(argv)
    git_dir = git_dir_of(args.git_dir)
    commit, folders = read_folders(git_dir)
    models = records(commit, folders)
    text = dumps_models(document(commit, models))
    return write_or_check(args.out, text, args.check, f"{len(models)} files -> {args.out}")


if __name__ == "__main__":
    sys.exit(main())
