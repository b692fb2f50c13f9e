"""Walking a tree: ignore rules, bad files, symlinks, parallel runs, progress, and safety."""

from __future__ import annotations

import os
import pickle
import struct
from pathlib import Path

import pytest

import modelclear.scan as scan_mod
from modelclear.scan import ScanOptions, scan_path
from modelclear.scan.base import ScanWarning
from modelclear.scan.walk import FileEntry, walk

LOADER = "from transformers import AutoModel\nm = AutoModel.from_pretrained('{name}')\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def walked(root: Path, options: ScanOptions | None = None) -> tuple[list[str], list[ScanWarning]]:
    items = list(walk(root, options or ScanOptions()))
    return [i.rel for i in items if isinstance(i, FileEntry)], [i for i in items if isinstance(i, ScanWarning)]


def test_gitignore_nested_with_negation_and_default_skips(tmp_path: Path) -> None:
    write(tmp_path / ".gitignore", "build/\n*.log\n!keep.log\n")
    write(tmp_path / "sub" / ".gitignore", "secret.py\n")
    for rel in ("a.py", "build/x.py", "run.log", "keep.log", "sub/secret.py", "sub/ok.py", ".git/config",
                "node_modules/m/index.js", "lib/site-packages/p.py", "__pycache__/a.pyc", ".tox/t.py",
                "env/pyvenv.cfg", "env/lib/mod.py", "conda/conda-meta/history", "conda/x.py",
                ".ipynb_checkpoints/n-checkpoint.ipynb"):
        write(tmp_path / rel, "x")
    files, warnings = walked(tmp_path)
    assert files == [".gitignore", "a.py", "keep.log", "sub/.gitignore", "sub/ok.py"]
    assert not warnings
    files, _ = walked(tmp_path, ScanOptions(follow_gitignore=False))
    assert "build/x.py" in files and "sub/secret.py" in files and "env/lib/mod.py" not in files


def test_exclude_globs(tmp_path: Path) -> None:
    for rel in ("a.py", "data/big.json", "nb/x.ipynb", "src/nb/y.ipynb", "src/m.py"):
        write(tmp_path / rel, "x")
    files, _ = walked(tmp_path, ScanOptions(exclude=("data/", "*.ipynb")))
    assert files == ["a.py", "src/m.py"]


def test_symlink_loop_and_links(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write(root / "pkg" / "m.py", LOADER.format(name="google-bert/bert-base-uncased"))
    (root / "pkg" / "loop").symlink_to(root, target_is_directory=True)
    (root / "alias").symlink_to(root / "pkg", target_is_directory=True)  # inside the root: walked as pkg/
    (root / "alias.py").symlink_to(root / "pkg" / "m.py")  # inside: scanned once, as pkg/m.py
    outside = write(tmp_path / "shared" / "w.py", LOADER.format(name="openai-community/gpt2"))
    (root / "shared").symlink_to(outside.parent, target_is_directory=True)  # outside: never followed
    (root / "w.py").symlink_to(outside)  # a file outside: never read
    (root / "rootfs").symlink_to("/", target_is_directory=True)  # the whole host: never walked
    (root / "self").symlink_to(root / "self")  # a link to itself
    (root / "dangling.py").symlink_to(root / "missing.py")
    files, warnings = walked(root)
    assert files == ["pkg/m.py"]
    assert {(w.path, w.code) for w in warnings} == {
        ("pkg/loop", "symlink-loop"), ("self", "symlink-loop"), ("dangling.py", "unreadable"),
        ("shared", "symlink-outside"), ("w.py", "symlink-outside"), ("rootfs", "symlink-outside")}
    result = scan_path(root)
    assert [(r.id, r.path) for r in result.references] == [("hf:google-bert/bert-base-uncased", "pkg/m.py")]
    assert {w.path for w in result.warnings if w.code == "symlink-outside"} == {"shared", "w.py", "rootfs"}


def test_fifo_is_skipped_not_read(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(tmp_path / "pipe.py")
    write(tmp_path / "a.py", LOADER.format(name="gpt2"))
    result = scan_path(tmp_path)
    assert [r.id for r in result.references] == ["hf:gpt2"]
    assert [(w.path, w.code) for w in result.warnings] == [("pipe.py", "special")]


def test_bad_files_become_warnings_and_the_scan_goes_on(tmp_path: Path) -> None:
    write(tmp_path / "syntax.py", "from transformers import AutoModel\nAutoModel.from_pretrained('gpt2')\ndef f(:\n")
    (tmp_path / "latin.py").write_bytes(b"from transformers import AutoModel\nx = '\xe9'\n"
                                        b"AutoModel.from_pretrained('gpt2')\n")
    (tmp_path / "blob.py").write_bytes(b"from_pretrained\0\0\0")
    write(tmp_path / "huge.yaml", "model_name_or_path: gpt2\n" + "# pad\n" * 400)
    big_header = tmp_path / "big.safetensors"
    meta = b'{"__metadata__": {"license": "mit"}}'
    big_header.write_bytes(struct.pack("<Q", len(meta)) + meta + b"\0" * 4000)
    write(tmp_path / "good.py", LOADER.format(name="FacebookAI/roberta-base"))
    result = scan_path(tmp_path, ScanOptions(max_file_bytes=2000))
    codes = {(w.path, w.code) for w in result.warnings}
    assert {("syntax.py", "syntax-error"), ("latin.py", "encoding"), ("blob.py", "binary"),
            ("huge.yaml", "too-large")} <= codes
    assert ("big.safetensors", "too-large") not in codes  # weight headers get a bounded read
    assert {r.id for r in result.references} == {"hf:FacebookAI/roberta-base", None}
    assert any(r.path == "big.safetensors" and "mit" in r.note for r in result.references)


def test_output_is_sorted_deduplicated_and_ignorable(tmp_path: Path) -> None:
    write(tmp_path / "b.py", LOADER.format(name="gpt2") + "AutoModel.from_pretrained('gpt2')  # modelclear: ignore\n")
    write(tmp_path / "a.yaml", "model_name_or_path: gpt2\nbase_model: distilgpt2  # modelclear: ignore\n")
    write(tmp_path / "dl.sh", "wget https://huggingface.co/gpt2/resolve/main/model.safetensors\n"
                              "wget https://huggingface.co/gpt2/resolve/main/config.json\n")
    result = scan_path(tmp_path)
    got = [(r.path, r.line, r.id) for r in result.references]
    assert got == [("a.yaml", 1, "hf:gpt2"), ("b.py", 2, "hf:gpt2"), ("dl.sh", 1, "hf:gpt2"), ("dl.sh", 2, "hf:gpt2")]
    assert got == sorted(got)
    assert result.files_seen == 3 and result.files_scanned == 3


def test_constants_index_resolves_names_from_other_modules(tmp_path: Path) -> None:
    write(tmp_path / "src" / "app" / "__init__.py", "")
    write(tmp_path / "src" / "app" / "settings.py", 'BASE_MODEL = "mistralai/Mistral-7B-v0.1"\n')
    write(tmp_path / "src" / "app" / "train.py",
          "from transformers import AutoModelForCausalLM\nfrom app.settings import BASE_MODEL\n\n"
          "model = AutoModelForCausalLM.from_pretrained(BASE_MODEL)\n")
    result = scan_path(tmp_path)
    assert [(r.id, r.path, r.line) for r in result.references] == \
        [("hf:mistralai/Mistral-7B-v0.1", "src/app/train.py", 4)]
    assert result.references[0].confidence == "medium"


def make_tree(root: Path, n: int) -> None:
    for i in range(n):
        if i % 10 == 0:
            write(root / f"pkg{i % 7}" / f"m{i}.py", LOADER.format(name=f"org/model-{i}"))
        elif i % 10 == 1:
            write(root / f"cfg{i % 5}" / f"c{i}.yaml", f"model_name_or_path: org/cfg-{i}\n")
        else:
            write(root / f"pkg{i % 7}" / f"u{i}.py", f"VALUE_{i} = {i}\n\ndef f():\n    return VALUE_{i}\n")


def test_parallel_run_equals_serial_and_reports_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path, 300)
    serial = scan_path(tmp_path, ScanOptions(jobs=1))
    monkeypatch.setattr(scan_mod, "PARALLEL_MIN_FILES", 10)
    calls: list[tuple[int, int]] = []
    parallel = scan_path(tmp_path, ScanOptions(jobs=2), on_progress=lambda done, total: calls.append((done, total)))
    assert parallel == serial
    assert len(serial.references) == 60 and serial.files_seen == 300
    assert calls and calls[-1][0] == calls[-1][1] and all(a <= b for a, b in calls)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)


def _tree_state(root: Path) -> dict[str, tuple[int, int]]:
    state: dict[str, tuple[int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            st = path.lstat()
            state[str(path.relative_to(root))] = (st.st_mtime_ns, st.st_size)
    return state


class _Exploit:
    """Unpickling this would run a shell command that creates the marker file."""

    marker = ""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.system, (f"touch {self.marker}",)


@pytest.mark.parametrize("jobs", [1, 2])
def test_hostile_tree_finishes_with_warnings_runs_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    root = tmp_path / "tree"
    marker = tmp_path / "MARKER"
    _Exploit.marker = str(marker)
    payload = pickle.dumps({"state_dict": _Exploit()})
    (root / "ckpt").mkdir(parents=True)
    (root / "ckpt" / "model.pt").write_bytes(payload)
    (root / "ckpt" / "model.pkl").write_bytes(payload)
    write(root / "evil.py", f"open({str(marker)!r}, 'w').write('imported')\n"
                            "import os\nos.system('touch " + str(marker) + "')\n"
                            "from transformers import AutoModel\nAutoModel.from_pretrained('gpt2')\n")
    write(root / "conf.yaml", f"a: !!python/object/apply:os.system ['touch {marker}']\nmodel_name_or_path: gpt2\n")
    (root / "loop").symlink_to(root, target_is_directory=True)
    for name in ("huge.json", "huge.safetensors", "huge.gguf", "huge.pt"):
        with open(root / name, "wb") as fh:
            fh.truncate(1 << 30)  # 1 GiB, sparse
    before = _tree_state(root)
    monkeypatch.setattr(scan_mod, "PARALLEL_MIN_FILES", 1)
    result = scan_path(root, ScanOptions(jobs=jobs))
    assert not marker.exists()
    assert _tree_state(root) == before
    codes = {(w.path, w.code) for w in result.warnings}
    assert {("loop", "symlink-loop"), ("huge.json", "too-large"), ("ckpt/model.pt", "pickle"),
            ("ckpt/model.pkl", "pickle"), ("huge.safetensors", "malformed"), ("huge.gguf", "malformed")} <= codes
    assert {(r.id, r.path) for r in result.references} >= {("hf:gpt2", "evil.py"), ("hf:gpt2", "conf.yaml"),
                                                          (None, "ckpt/model.pt"), (None, "huge.pt")}


def test_keyword_pattern_finds_a_token_exactly_when_one_occurs() -> None:
    """The prefilter pattern (matches start at rare bytes, the rest checked by look-behind) answers as
    ``any(token in data)`` does: random tokens and texts over a small alphabet with regex metacharacters,
    tokens that contain one another, and the scanners' own keyword lists on texts built from them."""
    import random

    from modelclear.scan.python import PREFILTER
    from modelclear.scan.walk import keyword_pattern

    rng = random.Random(14)
    alphabet = b"abceTS_.-/ \n1(*["
    for _ in range(1500):
        tokens = [bytes(rng.choice(alphabet) for _ in range(rng.randint(1, 5))) for _ in range(rng.randint(1, 12))]
        pattern = keyword_pattern(tokens)
        for _ in range(10):
            data = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
            assert (pattern.search(data) is not None) == any(t in data for t in tokens), (tokens, data)
    assert keyword_pattern([]).search(b"anything") is None
    assert keyword_pattern([b"", b"x"]).search(b"") is None  # an empty token is no token
    real = sorted(set(PREFILTER))
    pattern = keyword_pattern(real)
    for token in real:
        for cut in range(len(token)):  # the token itself, and every text one byte short of it
            assert pattern.search(b"x = " + token + b"\n") is not None
            data = b"x = " + token[:cut] + b"#" + token[cut + 1:]
            assert (pattern.search(data) is not None) == any(t in data for t in real), data


def test_gitignore_quick_search_changes_no_answer() -> None:
    """Each .gitignore's patterns are first searched as one expression; the spec decides whatever that
    finds. Random pattern files (negations, anchors, globs, brackets) and paths: same answers as asking
    the spec for every path."""
    import random
    import sys
    import warnings

    walk_mod = sys.modules["modelclear.scan.walk"]
    rng = random.Random(14)
    atoms = ["a", "b", "*.log", "**", "*", "?", "[ab]", "build", "out", "x.py", "/", "\\#", "[!a]", "foo*", "(", ".",
             "ç", "[", "]", " "]
    names = ["a", "b", "build", "out", "x.py", "c.log", "foo1", "ç", "(", "ab", "[", "#x", " "]
    compared = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # pathspec's own "possible nested set"
        for _ in range(800):
            lines = [("!" if rng.random() < 0.2 else "") + "".join(rng.choice(atoms) + rng.choice(["/", ""])
                                                                  for _ in range(rng.randint(1, 3)))
                     for _ in range(rng.randint(1, 6))]
            spec = walk_mod._compile(lines)
            if spec is None:
                continue
            quick = walk_mod._Ignore().child("", spec)
            assert quick.specs[0][2] is not None
            slow = walk_mod._Ignore((("", spec, None),))
            for _ in range(20):
                rel = "/".join(rng.choice(names) for _ in range(rng.randint(1, 4)))
                is_dir = rng.random() < 0.3
                assert quick.ignored(rel, is_dir) == slow.ignored(rel, is_dir), (lines, rel, is_dir)
                compared += 1
    assert compared > 10_000
