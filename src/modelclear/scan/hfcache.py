"""Models and datasets in the local Hugging Face cache (``modelclear scan --hf-cache``).

The cache is listed from folder names only, in the layout ``huggingface_hub`` writes
(``models--ORG--NAME/snapshots/COMMIT``): one ``os.scandir`` of the cache and one of each repo's
``snapshots`` folder, nothing opened, no link followed — linear in the number of cached repos (a
10,000-repo cache lists in well under a second). Each cached model becomes an ``hf:`` reference and
each dataset an ``hf-dataset:`` reference whose ``path`` is the cache entry; Spaces are skipped. A
missing or unreadable cache, or an entry that is not a repo folder, is a warning, never an error.
"""

from __future__ import annotations

import os
from pathlib import Path

from modelclear import ids
from modelclear.catalog.hfindex import hf_hub_cache_dir
from modelclear.model import Kind, Reference
from modelclear.scan.base import ScanWarning

_SCHEMES = {"models": ("model", "hf", Kind.MODEL), "datasets": ("dataset", "hf-dataset", Kind.DATASET)}
#: Repos listed at most (a cache is a few hundred; anything far larger is not one we should list whole).
MAX_REPOS = 200_000


def _list(folder: str) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as it:
        return sorted(it, key=lambda e: e.name)


def scan_hf_cache(cache_dir: Path | None = None) -> list[Reference | ScanWarning]:
    """References for every model and dataset repo in the Hugging Face cache."""
    root = cache_dir if cache_dir is not None else hf_hub_cache_dir()
    where = str(root)
    try:
        entries = _list(where)
    except OSError as exc:
        return [ScanWarning(path=where, message=f"cannot read the Hugging Face cache: {exc.strerror or exc}",
                            code="hf-cache")]
    out: list[Reference | ScanWarning] = []
    found: list[tuple[str, str, Reference]] = []
    for entry in entries:
        if entry.name.startswith(".") or entry.name in ("version.txt", "CACHEDIR.TAG"):
            continue
        prefix, _, rest = entry.name.partition("--")
        if not entry.is_dir(follow_symlinks=False) or not rest:
            out.append(ScanWarning(path=where, message=f"Hugging Face cache: {entry.name!r} is not a repo folder",
                                   code="hf-cache"))
            continue
        scheme = _SCHEMES.get(prefix)
        if scheme is None:
            continue  # spaces, and anything else the cache may hold
        if len(found) >= MAX_REPOS:
            out.append(ScanWarning(path=where, code="budget",
                                   message=f"Hugging Face cache: more than {MAX_REPOS} repos; the rest not listed"))
            break
        repo_type, id_scheme, kind = scheme
        repo_id = rest.replace("--", "/")
        ref = ids.try_parse(f"{id_scheme}:{repo_id}")
        if ref is None:
            continue
        try:
            revisions = sorted(e.name[:12] for e in _list(os.path.join(entry.path, "snapshots"))
                               if e.is_dir(follow_symlinks=False))
        except OSError:
            revisions = []
        found.append((repo_type, repo_id, Reference(
            raw=repo_id, kind=kind, id=ref.id, path=entry.path, line=0,
            evidence=f"{repo_type} {repo_id} in the Hugging Face cache", confidence="high", loader="hf-cache",
            note="cached revisions: " + ", ".join(revisions) if revisions else "cached")))
    out[:0] = [ref for _type, _id, ref in sorted(found, key=lambda f: (f[0], f[1]))]
    return out
