"""MTEB's task registry as dataset records: every ``TaskMetadata(...)`` in ``mteb/tasks/**.py`` (``mteb`` wheel).

Each benchmark task names the Hub dataset it loads (``dataset={"path": "mteb/nfcorpus", "revision": ...}``)
and the licence of that data (``license="cc-by-sa-4.0"``; "not specified" when the maintainers found
none; a link for custom terms), with its domains, how the samples were made and the task's reference.
One record per Hub dataset (``hf-dataset:ORG/NAME``), listing the tasks that load it. The licence is
MTEB's field, a secondary source (graded ``S``): a link or "not specified" is ``unknown``.

Run ``python -m tools.extract.mteb_tasks [--check] [--cache DIR]`` from the repository root to rebuild
``src/modelclear/data/datasets/_generated/mteb_tasks.json`` (``--check`` compares instead of writing).
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ._archive import SourceArchive, default_cache, download
from ._ast import EvalError, ModuleEvaluator, OpaqueCall
from ._common import write_or_check
from .mteb import license_id

PACKAGE = "mteb"
VERSION = "2.26.24"
FILES_GLOB = "mteb/tasks/**/*.py"
CHECKED = "2026-12-07"
_DATA = Path(__file__).resolve().parents[2] / "src" / "modelclear" / "data"
OUT = _DATA / "datasets" / "_generated" / "mteb_tasks.json"
_REPO = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
#: Hub datasets another catalogue already records under an alias (an id here would shadow that record).
ELSEWHERE = frozenset({
    "lmsys/toxic-chat",  # datasets/_imported/dpc.json (Data Provenance Collection)
    "tblard/allocine",  # datasets/allocine.yaml (reviewed record)
})
#: Task facts copied into the record when they are plain strings or lists of strings.
_FACTS = ("domains", "sample_creation", "annotations_creators", "task_subtypes", "modalities")


def task_metadata(source: str, filename: str) -> Iterator[dict[str, Any]]:
    """The keyword arguments of every ``TaskMetadata(...)`` assigned in the module (class bodies included)."""
    evaluator = ModuleEvaluator.from_source(source, filename)
    for node in ast.walk(evaluator.tree):
        if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Call):
            continue
        func = node.value.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name != "TaskMetadata":
            continue
        try:
            value = evaluator.eval(node.value)
        except (EvalError, RecursionError):
            continue
        if isinstance(value, OpaqueCall):
            yield value.kw


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return sorted(set(value))
    return []


def records(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One dataset record per Hub dataset path, sorted by id; a path loaded by several tasks lists them all
    (its licence: the first task's, in file order; the others' when they differ are kept as a fact)."""
    by_path: dict[str, dict[str, Any]] = {}
    for meta in found:
        dataset = meta.get("dataset")
        path = dataset.get("path") if isinstance(dataset, dict) else None
        task = meta.get("name")
        if not isinstance(path, str) or not _REPO.match(path) or not isinstance(task, str) or path.lower() in ELSEWHERE:
            continue
        raw = meta.get("license") if isinstance(meta.get("license"), str) else "not specified"
        entry = by_path.setdefault(path.lower(), {"path": path, "tasks": [], "licenses": [], "meta": meta})
        entry["tasks"].append(task)
        if raw not in entry["licenses"]:
            entry["licenses"].append(raw)
    out = []
    for entry in by_path.values():
        path, meta, raws = entry["path"], entry["meta"], entry["licenses"]
        lids = {license_id(r) for r in raws}
        lid = lids.pop() if len(lids) == 1 else "unknown"  # tasks that disagree on the licence: not decided here
        facts: dict[str, Any] = {"mteb_tasks": sorted(set(entry["tasks"])), "mteb_license": raws if len(raws) > 1
                                 else raws[0]}
        for key in _FACTS:
            values = _strings(meta.get(key))
            if values:
                facts[f"mteb_{key}"] = values if len(values) > 1 or isinstance(meta.get(key), list) else values[0]
        reference = meta.get("reference")
        note = (f"TaskMetadata of {', '.join(sorted(set(entry['tasks']))[:5])}"
                f"{' …' if len(set(entry['tasks'])) > 5 else ''} in the mteb {VERSION} wheel: "
                f"dataset path {path}, license {', '.join(repr(r) for r in raws)}")
        sources = [{"url": f"https://pypi.org/project/{PACKAGE}/{VERSION}/", "checked": CHECKED, "confidence": "S",
                    "note": note}]
        if isinstance(reference, str) and reference.startswith("https://"):
            sources.append({"url": reference, "checked": CHECKED, "confidence": "U",
                            "note": "the task's reference as MTEB gives it; not read here"})
        out.append({
            "id": f"hf-dataset:{path}", "kind": "dataset", "name": f"{path} (MTEB task data)", "aliases": [],
            "publisher": path.split("/", 1)[0], "license": lid, "terms": [], "distributed_via": "huggingface",
            "gated": False, "facts": facts, "notes": [], "url": f"https://huggingface.co/datasets/{path}",
            "origin": "generated:mteb", "sources": sources,
        })
    return sorted(out, key=lambda r: r["id"].lower())


def extract(archive: SourceArchive) -> list[dict[str, Any]]:
    """Every Hub dataset the task registry of the mteb wheel in ``archive`` loads."""
    found: list[dict[str, Any]] = []
    for member in sorted(archive.glob(FILES_GLOB)):
        found += task_metadata(archive.read(member), archive.inner(member))
    return records(found)


def dumps(items: list[dict[str, Any]]) -> str:
    """The committed JSON text: one record per line inside a list (reviewable diffs, deterministic)."""
    return "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in items) + "\n]\n"


def main(argv: list[str] | None = None) -> int:
    """Rebuild (or ``--check``) the committed catalogue; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cache", type=Path, default=default_cache(), help="where downloaded archives are kept")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="compare with the committed file instead of writing")
    args = parser.parse_args(argv)
    archive = SourceArchive.open(download(PACKAGE, VERSION, args.cache))
    text = dumps(extract(archive))
    return write_or_check(args.out, text, args.check, f"{text.count(chr(10)) - 2} datasets -> {args.out}")


if __name__ == "__main__":
    sys.exit(main())
