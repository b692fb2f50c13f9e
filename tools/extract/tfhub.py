"""TF Hub handles with an explicit licence, from the model docs of tensorflow/tfhub.dev.

Every model published on tfhub.dev has a Markdown page in that repository
(``assets/docs/<publisher>/[models/]<model>/<version>.md``) whose first line names the handle
(``# Module sayakpaul/deit_base_patch16_224/1``) and whose metadata comments may state a licence
(``<!-- license: apache-2.0 -->``). Only pages with such a licence become records: most of Google's own
pages state none, and those handles stay unknown here. A handle is an id in the ``url:`` scheme
(``url:https://tfhub.dev/<handle>``), with the Cloud Storage addresses the ``tensorflow_hub`` library
resolves it to as aliases (``gs://tfhub-modules/<handle>/uncompressed`` and
``https://storage.googleapis.com/tfhub-modules/<handle>.tar.gz``). ``custom`` licences are ``unknown``.

Run ``python -m tools.extract.tfhub --git-dir DIR [--check]`` from the repository root, with ``DIR`` a
clone (or bare snapshot) of tensorflow/tfhub.dev, to rebuild
``src/modelclear/data/models/_registries/tfhub.json``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from ._common import dumps_models, git_dir_of, git_show, write_or_check

OUT = Path(__file__).resolve().parents[2] / "src" / "modelclear" / "data" / "models" / "_registries" / "tfhub.json"
REPO = "https://github.com/tensorflow/tfhub.dev"
CHECKED = "2026-12-07"
UNKNOWN = "unknown"
LICENSES = {"apache-2.0": "Apache-2.0", "mit": "MIT", "bsd-3-clause": "BSD-3-Clause", "cc-by-sa-4.0": "CC-BY-SA-4.0",
            "cc-by-nc-4.0": "CC-BY-NC-4.0", "cc-by-4.0": "CC-BY-4.0", "cc0-1.0": "CC0-1.0"}
_DOC = re.compile(r"^assets/docs/([^/]+)/(?:models/)?(.+)/(\d+)\.md$")
_HEAD = re.compile(r"^#\s+(?:Module|Placeholder|Model)\s+(\S+)\s*$", re.MULTILINE)
_META = re.compile(r"<!--\s*([a-z-]+)\s*:\s*([^>]*?)\s*-->")
_HANDLE = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+/\d+$")


def parse_doc(path: str, text: str) -> dict[str, Any] | None:
    """The handle, licence and metadata of one model page, or ``None`` (not a model page, no licence, or a
    page whose handle does not match its path)."""
    where = _DOC.match(path)
    head = _HEAD.search(text)
    if where is None or head is None:
        return None
    handle = head.group(1)
    publisher, model, version = where.groups()
    if handle != f"{publisher}/{model}/{version}" or not _HANDLE.match(handle):
        return None
    meta: dict[str, list[str]] = {}
    for key, value in _META.findall(text):
        meta.setdefault(key, []).append(value)
    raw = (meta.get("license") or [""])[0].strip().lower()
    if not raw:
        return None
    return {"handle": handle, "publisher": publisher, "license": LICENSES.get(raw, UNKNOWN), "raw": raw,
            "task": (meta.get("task") or meta.get("module-type") or [""])[0],
            "dataset": (meta.get("dataset") or [""])[0],
            "architecture": (meta.get("network-architecture") or [""])[0],
            "title": text.split("\n", 2)[1].strip() if text.count("\n") >= 1 else ""}


def records(commit: str, docs: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """One record per handle, sorted by id."""
    out = []
    for path, doc in docs:
        handle = doc["handle"]
        facts: dict[str, Any] = {"tfhub_license": doc["raw"], "generative": False}
        for key in ("task", "dataset", "architecture"):
            if doc[key]:
                facts[f"tfhub_{key}"] = doc[key]
        out.append({
            "id": f"url:https://tfhub.dev/{handle}",
            "aliases": [f"url:gs://tfhub-modules/{handle}/uncompressed",
                        f"url:https://storage.googleapis.com/tfhub-modules/{handle}.tar.gz"],
            "name": f"TF Hub {handle}" + (f": {doc['title'][:120]}" if doc["title"] else ""),
            "publisher": doc["publisher"], "license": doc["license"], "facts": facts,
            "url": f"https://tfhub.dev/{handle}",
            "sources": [{"url": f"{REPO}/blob/{commit}/{path}", "checked": CHECKED, "confidence": "V",
                         "note": f"the model page on tfhub.dev: '<!-- license: {doc['raw']} -->'"}],
        })
    return sorted(out, key=lambda r: r["id"].lower())


def read_docs(git_dir: Path) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    """The snapshot's commit and every model page with a licence."""
    commit = git_show(git_dir, "rev-parse", "HEAD").strip()
    paths = git_show(git_dir, "grep", "-l", "<!-- license:", "HEAD", "--", "assets/docs").split()
    out = []
    for entry in paths:
        path = entry.split(":", 1)[1]
        doc = parse_doc(path, git_show(git_dir, "show", f"HEAD:{path}"))
        if doc is not None:
            out.append((path, doc))
    return commit, out


def document(commit: str, models: list[dict[str, Any]]) -> dict[str, Any]:
    """The family file: defaults, sources, then the models."""
    return {
        "family": "tfhub-dev", "publisher": "TensorFlow Hub publishers", "distributed_via": "tensorflow-hub",
        "license": UNKNOWN,
        "license_note": {
            "en": "The licence each publisher states on the handle's tfhub.dev model page (the page's "
                  "'license' metadata in tensorflow/tfhub.dev). Pages without one, including most of Google's "
                  "own, are not recorded; a 'custom' licence is recorded as unknown.",
            "ja": "各ハンドルの tfhub.dev のモデルページ（tensorflow/tfhub.dev のページの 'license' メタデータ）で"
                  "公開者が示すライセンス。ライセンスの記載がないページ（Google 自身のものの多く）は記録しない。"
                  "'custom' のライセンスは unknown とする。"},
        "sources": [{"url": f"{REPO}/tree/{commit}/assets/docs", "checked": CHECKED, "confidence": "V",
                     "note": "assets/docs/<publisher>/models/<model>/<version>.md: handle and '<!-- license: -->'"}],
        "models": models,
    }


def main(argv: list[str] | None = None) -> int:
    """Rebuild (or ``--check``) the committed catalogue; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--git-dir", type=Path, required=True, help="a clone or bare snapshot of tensorflow/tfhub.dev")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="compare with the committed file instead of writing")
    args = parser.parse_args(argv)
    git_dir = git_dir_of(args.git_dir)
    commit, docs = read_docs(git_dir)
    text = dumps_models(document(commit, records(commit, docs)))
    return write_or_check(args.out, text, args.check, f"{len(docs)} handles -> {args.out}")


if __name__ == "__main__":
    sys.exit(main())
