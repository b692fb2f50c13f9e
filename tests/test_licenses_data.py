"""Content checks of the licence / terms records in ``src/modelclear/data/licenses``.

The format (required fields, SPDX ids, vocabularies, sources, unique ids and aliases) is the knowledge
schema's (``modelclear.knowledge.schema``), checked by ``tests/test_knowledge_schema.py``; these tests
check what the records say: every licence id a Hugging Face card may carry has a record, and the
"unknown" records grant nothing.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LICENSES_DIR = Path(__file__).resolve().parents[1] / "src" / "modelclear" / "data" / "licenses"

# Licence identifiers that Hugging Face model and dataset cards accept
# (https://huggingface.co/docs/hub/repositories-licenses; the Hub's list as of 2026).
HF_LICENSE_IDS = [
    "apache-2.0",
    "mit",
    "openrail",
    "bigscience-openrail-m",
    "creativeml-openrail-m",
    "bigscience-bloom-rail-1.0",
    "bigcode-openrail-m",
    "afl-3.0",
    "artistic-2.0",
    "bsl-1.0",
    "bsd",
    "bsd-2-clause",
    "bsd-3-clause",
    "bsd-3-clause-clear",
    "c-uda",
    "cc",
    "cc0-1.0",
    "cc-by-2.0",
    "cc-by-2.5",
    "cc-by-3.0",
    "cc-by-4.0",
    "cc-by-sa-3.0",
    "cc-by-sa-4.0",
    "cc-by-nc-2.0",
    "cc-by-nc-3.0",
    "cc-by-nc-4.0",
    "cc-by-nd-4.0",
    "cc-by-nc-nd-3.0",
    "cc-by-nc-nd-4.0",
    "cc-by-nc-sa-2.0",
    "cc-by-nc-sa-3.0",
    "cc-by-nc-sa-4.0",
    "cdla-sharing-1.0",
    "cdla-permissive-1.0",
    "cdla-permissive-2.0",
    "wtfpl",
    "ecl-2.0",
    "epl-1.0",
    "epl-2.0",
    "etalab-2.0",
    "eupl-1.1",
    "eupl-1.2",
    "agpl-3.0",
    "gfdl",
    "gpl",
    "gpl-2.0",
    "gpl-3.0",
    "lgpl",
    "lgpl-2.1",
    "lgpl-3.0",
    "isc",
    "h-research",
    "intel-research",
    "lppl-1.3c",
    "ms-pl",
    "apple-ascl",
    "apple-amlr",
    "mpl-2.0",
    "odc-by",
    "odbl",
    "openmdw-1.0",
    "openrail++",
    "osl-3.0",
    "postgresql",
    "ofl-1.1",
    "ncsa",
    "unlicense",
    "zlib",
    "pddl",
    "lgpl-lr",
    "deepfloyd-if-license",
    "fair-noncommercial-research-license",
    "llama2",
    "llama3",
    "llama3.1",
    "llama3.2",
    "llama3.3",
    "llama4",
    "grok2-community",
    "gemma",
    "unknown",
    "other",
]


def _license_files() -> list[Path]:
    return sorted(LICENSES_DIR.glob("*.yaml"))


@lru_cache(maxsize=1)
def _records() -> dict[Path, Any]:
    return {path: yaml.safe_load(path.read_text(encoding="utf-8")) for path in _license_files()}


def test_license_directory_is_populated() -> None:
    """The knowledge base ships at least 80 licence records (issue 3)."""
    assert len(_license_files()) >= 80


def test_every_hugging_face_license_id_resolves() -> None:
    """Each licence id a Hugging Face card may carry names exactly one record (id or alias)."""
    known = set()
    for record in _records().values():
        known.add(record["id"].lower())
        known.update(a.lower() for a in record["aliases"])
    missing = [hf_id for hf_id in HF_LICENSE_IDS if hf_id not in known]
    assert missing == []


def test_unknown_and_other_grant_nothing() -> None:
    """HF 'unknown' and 'other' carry no grant, so the engine answers unknown."""
    by_id = {r["id"]: r for r in _records().values()}
    for key in ("unknown", "other"):
        assert by_id[key]["category"] == "unknown"
        assert by_id[key]["grants"] == []
