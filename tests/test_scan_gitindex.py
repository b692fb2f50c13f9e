"""Tracked files are walked whatever .gitignore says: the git index read as data (real repositories made
with git, index versions 2 and 4, a linked work tree, truncated and hostile indexes, and an export)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from modelclear.scan import ScanOptions, scan_path
from modelclear.scan.base import ScanWarning
from modelclear.scan.gitindex import GitIndexError, parse_index, read_tracked
from modelclear.scan.walk import FileEntry, walk

LOADER = "from transformers import AutoModel\nm = AutoModel.from_pretrained('{name}')\n"
TRACKED = ["data/download_nli.sh", "data/deep/er/fetch.py", "logs/run.log", "src/train.py"]
UNTRACKED = ["data/local.py", "data/deep/er/scratch.py", "logs/other.log"]


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def make_repo(root: Path, *init_args: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", *init_args)
    write(root / ".gitignore", "data\n*.log\n")
    for rel in TRACKED + UNTRACKED:
        write(root / rel, LOADER.format(name=f"org/{Path(rel).stem}"))
    git(root, "add", "-f", ".gitignore", *TRACKED)
    git(root, "commit", "-q", "-m", "init")
    return root


def walked(root: Path, options: ScanOptions | None = None) -> tuple[list[str], list[ScanWarning]]:
    items = list(walk(root, options or ScanOptions()))
    return [i.rel for i in items if isinstance(i, FileEntry)], [i for i in items if isinstance(i, ScanWarning)]


def index_version(root: Path) -> int:
    return struct.unpack(">I", (root / ".git" / "index").read_bytes()[4:8])[0]


@pytest.mark.parametrize("version", [2, 4])
def test_tracked_files_are_walked_though_ignored(tmp_path: Path, version: int) -> None:
    root = make_repo(tmp_path / "repo")
    if version == 4:
        git(root, "update-index", "--index-version", "4")
    assert index_version(root) == version
    files, warnings = walked(root)
    assert files == [".gitignore", "data/deep/er/fetch.py", "data/download_nli.sh", "logs/run.log", "src/train.py"]
    assert warnings == []
    tracked = read_tracked(root)
    assert tracked is not None and set(tracked.files) == {".gitignore", *TRACKED}
    # the scan finds the loader in a committed file under an ignored folder
    ids = {r.id for r in scan_path(root, ScanOptions()).references}
    assert "hf:org/fetch" in ids and "hf:org/local" not in ids and "hf:org/other" not in ids
    # --no-gitignore walks everything, --exclude still removes a tracked file
    assert len(walked(root, ScanOptions(follow_gitignore=False))[0]) == 1 + len(TRACKED) + len(UNTRACKED)
    files, _ = walked(root, ScanOptions(exclude=("data/download_nli.sh",)))
    assert "data/download_nli.sh" not in files and "data/deep/er/fetch.py" in files


def test_info_exclude_does_not_hide_tracked_files_either(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    write(root / ".git" / "info" / "exclude", "src\n")
    write(root / "src" / "new.py", "x")
    files, _ = walked(root)
    assert "src/train.py" in files and "src/new.py" not in files


def test_linked_git_dir_is_read(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", "--separate-git-dir", str(tmp_path / "store.git"))
    assert (root / ".git").is_file()
    files, warnings = walked(root)
    assert "data/download_nli.sh" in files and "data/local.py" not in files and warnings == []


@pytest.mark.parametrize("cut", [0, 5, 12, 40, 100, -21, -1])
def test_truncated_index_warns_and_falls_back(tmp_path: Path, cut: int) -> None:
    root = make_repo(tmp_path / "repo")
    index = root / ".git" / "index"
    index.write_bytes(index.read_bytes()[:cut])
    files, warnings = walked(root)
    assert files == [".gitignore", "src/train.py"]  # today's behaviour: every ignore rule applies
    assert [w.code for w in warnings] == ["git-index"]


def test_export_without_git_is_unchanged(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    export = tmp_path / "export"
    shutil.copytree(root, export, ignore=shutil.ignore_patterns(".git"))
    assert walked(export) == ([".gitignore", "src/train.py"], [])
    assert read_tracked(export) is None


def test_git_link_and_bad_git_file_are_not_followed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    other = tmp_path / "other"
    shutil.copytree(repo, other, ignore=shutil.ignore_patterns(".git"))
    (other / ".git").symlink_to(repo / ".git")
    assert walked(other)[0] == [".gitignore", "src/train.py"]
    (other / ".git").unlink()
    (other / ".git").write_text("not a pointer\n")
    files, warnings = walked(other)
    assert files == [".git", ".gitignore", "src/train.py"] and [w.code for w in warnings] == ["git-index"]


def _rehash(body: bytes) -> bytes:
    return body + hashlib.sha1(body).digest()


def test_hostile_indexes_raise_only_their_own_error(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    for version in (2, 4):
        git(root, "update-index", "--index-version", str(version))
        data = (root / ".git" / "index").read_bytes()
        assert len(parse_index(data).files) == 1 + len(TRACKED)
        body = data[:-20]
        for i in range(len(body)):  # every byte changed, checksum made valid again: parsed or refused
            for value in (0x00, 0xFF, body[i] ^ 0x80):
                mutated = _rehash(body[:i] + bytes([value]) + body[i + 1:])
                with contextlib.suppress(GitIndexError):
                    parse_index(mutated)
        for n in range(len(body)):  # every truncation with a valid checksum
            with contextlib.suppress(GitIndexError):
                parse_index(_rehash(body[:n]))
    huge = _rehash(b"DIRC" + struct.pack(">II", 2, 0xFFFFFFFF))
    with pytest.raises(GitIndexError, match="more than"):
        parse_index(huge)
    with pytest.raises(GitIndexError, match="version"):
        parse_index(_rehash(b"DIRC" + struct.pack(">II", 9, 0)))
    with pytest.raises(GitIndexError, match="checksum"):
        parse_index(b"DIRC" + struct.pack(">II", 2, 0) + bytes(range(20)))
