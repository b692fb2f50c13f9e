"""Writing a real Hugging Face cache layout at test time (shared by tests and bench/)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def cache_repo(cache: Path, repo_id: str, files: dict[str, str]) -> None:
    """One model repo as ``huggingface_hub`` lays it out: blobs, a snapshot of relative links, ``refs/main``."""
    folder = cache / f"models--{repo_id.replace('/', '--')}"
    commit = hashlib.sha1(repo_id.encode()).hexdigest()
    snapshot = folder / "snapshots" / commit
    (folder / "blobs").mkdir(parents=True)
    snapshot.mkdir(parents=True)
    for name, text in files.items():
        blob = folder / "blobs" / hashlib.sha256(text.encode()).hexdigest()
        blob.write_text(text)
        (snapshot / name).symlink_to(os.path.relpath(blob, snapshot))
    (folder / "refs").mkdir()
    (folder / "refs" / "main").write_text(commit)
