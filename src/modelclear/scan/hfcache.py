"""Models and datasets in the local Hugging Face cache (``modelclear scan --hf-cache``).

The cache is listed with :func:`huggingface_hub.scan_cache_dir`, which reads folder names and
reference files only. Each cached model becomes an ``hf:`` reference and each dataset an
``hf-dataset:`` reference whose ``path`` is the cache entry; Spaces are skipped. A missing or
unreadable cache is a warning, never an error.
"""

from __future__ import annotations

from pathlib import Path

from modelclear import ids
from modelclear.model import Kind, Reference
from modelclear.scan.base import ScanWarning

_SCHEMES = {"model": ("hf", Kind.MODEL), "dataset": ("hf-dataset", Kind.DATASET)}


def scan_hf_cache(cache_dir: Path | None = None) -> list[Reference | ScanWarning]:
    """References for every model and dataset repo in the Hugging Face cache."""
    where = str(cache_dir) if cache_dir is not None else "Hugging Face cache"
    try:
        from huggingface_hub import scan_cache_dir
    except ImportError:
        return [ScanWarning(path=where, message="huggingface_hub is not installed; the cache was not read",
                            code="hf-cache")]
    try:
        info = scan_cache_dir(cache_dir)
    except Exception as exc:  # CacheNotFound, OSError, ValueError on a corrupted cache
        return [ScanWarning(path=where, message=f"cannot read the Hugging Face cache: {exc}", code="hf-cache")]
    out: list[Reference | ScanWarning] = []
    for repo in sorted(info.repos, key=lambda r: (r.repo_type, r.repo_id)):
        scheme = _SCHEMES.get(repo.repo_type)
        if scheme is None:
            continue
        ref = ids.try_parse(f"{scheme[0]}:{repo.repo_id}")
        if ref is None:
            continue
        revisions = sorted(r.commit_hash[:12] for r in repo.revisions)
        out.append(Reference(raw=repo.repo_id, kind=scheme[1], id=ref.id, path=str(repo.repo_path), line=0,
                             evidence=f"{repo.repo_type} {repo.repo_id} in the Hugging Face cache",
                             confidence="high", loader="hf-cache",
                             note="cached revisions: " + ", ".join(revisions) if revisions else "cached"))
    for warning in getattr(info, "warnings", []) or []:
        out.append(ScanWarning(path=where, message=f"Hugging Face cache: {warning}", code="hf-cache"))
    return out
