"""Scan every fixture project under ``tests/fixtures/projects/`` and compare with its ``expected.yaml``.

``expected.yaml`` format::

    project: NAME
    description: "..."
    expected:                       # every reference the scan must report, and nothing else
      - {id: hf:ORG/NAME, path: train.py, line: 12}
      - {id: null, path: run.py, line: 30}        # an unresolved reference / local weights
      - {id: pypi:ultralytics, path: requirements.txt}   # line omitted: any line of that file
    not_expected:                   # must never be reported (anywhere, or in `path` when given)
      - {id: hf:gpt2, why: "only in a comment"}
    warnings:                       # optional: warnings the scan must give ({path, code})
      - {path: broken.ipynb, code: malformed}

Precision and recall are computed per project over (id, path, line) and must both be 100 %.
``expected.yaml`` itself is excluded from the scan.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelclear import ids
from modelclear.model import Reference
from modelclear.scan import ScanOptions, scan_path

FIXTURES = Path(__file__).parent / "fixtures" / "projects"
PROJECTS = sorted(p for p in FIXTURES.iterdir() if (p / "expected.yaml").is_file()) if FIXTURES.is_dir() else []


def _key(artifact_id: str | None) -> str | None:
    return ids.key(artifact_id) if artifact_id else None


def _matches(entry: dict[str, Any], ref: Reference) -> bool:
    if _key(entry.get("id")) != _key(ref.id) or entry.get("path") != ref.path:
        return False
    return entry.get("line") is None or int(entry["line"]) == ref.line


def _show(ref: Reference) -> str:
    return f"{ref.id} {ref.path}:{ref.line} [{ref.loader}] {ref.evidence[:80]!r}"


@cache
def evaluate(project: Path) -> tuple[float, float, list[str], list[str], list[Reference], dict[str, Any]]:
    """(precision, recall, missing, unexpected, references, spec) of one fixture project."""
    spec = yaml.safe_load((project / "expected.yaml").read_text(encoding="utf-8")) or {}
    expected: list[dict[str, Any]] = list(spec.get("expected") or spec.get("references") or [])
    result = scan_path(project, ScanOptions(exclude=("/expected.yaml",), jobs=1))
    refs = list(result.references)
    missing = [f"{e.get('id')} {e.get('path')}:{e.get('line', '*')}" for e in expected
               if not any(_matches(e, r) for r in refs)]
    unexpected = [_show(r) for r in refs if not any(_matches(e, r) for e in expected)]
    recall = 1.0 if not expected else (len(expected) - len(missing)) / len(expected)
    precision = 1.0 if not refs else (len(refs) - len(unexpected)) / len(refs)
    return precision, recall, missing, unexpected, refs, {"spec": spec, "result": result}


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_project_precision_and_recall(project: Path) -> None:
    precision, recall, missing, unexpected, _, _ = evaluate(project)
    detail = "\n  missing:\n    " + "\n    ".join(missing) + "\n  unexpected:\n    " + "\n    ".join(unexpected)
    assert (precision, recall) == (1.0, 1.0), f"{project.name}: precision {precision:.2%} recall {recall:.2%}{detail}"


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_project_negatives_and_warnings(project: Path) -> None:
    _, _, _, _, refs, extra = evaluate(project)
    spec, result = extra["spec"], extra["result"]
    for entry in spec.get("not_expected") or []:
        hits = [r for r in refs if _key(r.id) == _key(entry.get("id"))
                and (entry.get("path") is None or r.path == entry["path"])]
        assert not hits, f"{project.name}: {entry.get('id')} must not be reported ({entry.get('why', '')}): " \
                         + "; ".join(_show(r) for r in hits)
    for entry in spec.get("warnings") or []:
        assert any(w.path == entry["path"] and w.code == entry["code"] for w in result.warnings), \
            f"{project.name}: expected a {entry['code']} warning for {entry['path']}; got {result.warnings}"
    for warning in result.warnings:
        assert warning.code != "internal", f"{project.name}: scanner failure {warning}"


def test_fixture_projects_exist() -> None:
    names = {p.name for p in PROJECTS}
    assert {"hydra_training", "notebook_project", "model_folder_project"} <= names
