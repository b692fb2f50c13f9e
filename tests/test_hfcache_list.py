"""Listing the local Hugging Face cache from folder names (``scan --hf-cache``)."""

from __future__ import annotations

from pathlib import Path

from modelclear.model import Reference
from modelclear.scan.base import ScanWarning
from modelclear.scan.hfcache import scan_hf_cache


def repo(cache: Path, folder: str, *commits: str) -> None:
    for commit in commits:
        (cache / folder / "snapshots" / commit).mkdir(parents=True)
    (cache / folder / "refs").mkdir(parents=True, exist_ok=True)


def test_models_and_datasets_listed_spaces_skipped(tmp_path: Path) -> None:
    repo(tmp_path, "models--google-bert--bert-base-uncased", "a" * 40, "b" * 40)
    repo(tmp_path, "datasets--nyu-mll--glue", "c" * 40)
    repo(tmp_path, "spaces--someone--demo", "d" * 40)
    repo(tmp_path, "models--gpt2")  # a legacy top-level name, no snapshot yet
    (tmp_path / "version.txt").write_text("1")
    (tmp_path / "stray-file").write_text("x")
    (tmp_path / "models--elsewhere--x").symlink_to(tmp_path / "models--gpt2", target_is_directory=True)
    found = scan_hf_cache(tmp_path)
    refs = [f for f in found if isinstance(f, Reference)]
    assert [(r.id, r.note) for r in refs] == [
        ("hf-dataset:nyu-mll/glue", "cached revisions: cccccccccccc"),
        ("hf:google-bert/bert-base-uncased", "cached revisions: aaaaaaaaaaaa, bbbbbbbbbbbb"),
        ("hf:gpt2", "cached"),
    ]
    warned = sorted(w.message for w in found if isinstance(w, ScanWarning))
    assert warned == ["Hugging Face cache: 'models--elsewhere--x' is not a repo folder",
                      "Hugging Face cache: 'stray-file' is not a repo folder"]


def test_missing_cache_is_a_warning(tmp_path: Path) -> None:
    found = scan_hf_cache(tmp_path / "nope")
    assert len(found) == 1 and isinstance(found[0], ScanWarning) and found[0].code == "hf-cache"
