"""The corpus scorer (bench/corpus/score.py): id normalisation, matching, materialisation, end to end."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_score", ROOT / "bench" / "corpus" / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus_score"] = module
    spec.loader.exec_module(module)
    return module


score = _load_scorer()
PLAIN = score.Normaliser(canonical=lambda _t: None, url_canonical=lambda t: t)

LOADER = '''from transformers import AutoModel, AutoTokenizer

MODEL = "some-org/never-loaded-here"
tokenizer = AutoTokenizer.from_pretrained("google-bert/bert-base-uncased")


def load(name):
    return AutoModel.from_pretrained(name)
'''


def _doc(labels: list[dict[str, object]], omitted: list[str] | None = None) -> dict[str, object]:
    return {"repo": "someone/tiny", "commit": "0" * 40, "category": "rag-llm-app", "split": "dev",
            "labelled": "2026-12-07", "files_omitted": omitted or [], "notes": "", "labels": labels}


def _label(path: str, line: int, id_: str, *, alt: list[int] | None = None, nd: bool = False,
           cause: str = "literal") -> dict[str, object]:
    return {"path": path, "line": line, "kind": "model", "id": id_, "evidence": "", "needs_dataflow": nd,
            "alt_lines": alt or [], "cause": cause}


def test_normaliser_case_short_names_urls_and_prefixes() -> None:
    assert PLAIN("hf:Sentence-Transformers/All-MiniLM-L6-v2") == PLAIN("all-MiniLM-L6-v2")
    assert PLAIN("all-MiniLM-L6-v2") == "hf:sentence-transformers/all-minilm-l6-v2"
    assert PLAIN("BAAI/bge-small-en-v1.5") == "hf:baai/bge-small-en-v1.5"
    assert PLAIN("detectron2://ImageNetPretrained/MSRA/R-50.pkl") == PLAIN(
        "url:https://dl.fbaipublicfiles.com/detectron2/ImageNetPretrained/MSRA/R-50.pkl")
    assert PLAIN("url:HTTPS://Example.COM/w.bin#frag") == PLAIN("https://example.com/w.bin")
    assert PLAIN("url:https://example.com/dir/") == "url:https://example.com/dir"
    assert PLAIN("sklearn-dataset:fetch_20newsgroups") == "sklearn-dataset:20newsgroups"
    assert PLAIN("ollama:llama3:8b") == "ollama:llama3:8b"
    assert PLAIN("clip:ViT-B/32") == PLAIN("open_clip:ViT-B-32/openai")
    assert PLAIN("clip:ViT-L/14@336px") == PLAIN("open_clip:ViT-L-14-336/openai")
    assert PLAIN("clip:RN50x4") == "open_clip:rn50x4/openai"
    assert PLAIN("keras_hub:gemma3_1b") == PLAIN("keras:gemma3_1b")
    assert PLAIN("keras-applications:VGG16") == PLAIN("keras:VGG16")
    assert PLAIN("torch-hub:facebookresearch/dino/dino_vitb16") == PLAIN("torchhub:facebookresearch/dino:dino_vitb16")
    assert PLAIN("torchvision:resnet50/IMAGENET1K_V1") == PLAIN("torchvision:ResNet50_Weights.IMAGENET1K_V1")
    assert PLAIN("torchvision:vgg16_bn/DEFAULT") == "torchvision:vgg16_bn_weights.default"
    assert PLAIN("hf:gpt2") != PLAIN("hf:openai-community/gpt2")  # no knowledge base: no alias
    assert PLAIN(None) == ""


def test_normaliser_uses_the_alias_hook() -> None:
    aliases = {"hf:gpt2": "hf:openai-community/gpt2"}
    norm = score.Normaliser(canonical=aliases.get, url_canonical=lambda t: t)
    assert norm("gpt2") == norm("hf:openai-community/gpt2") == "hf:openai-community/gpt2"
    to_hub = score.Normaliser(canonical=lambda _t: None,
                              url_canonical=lambda t: "hf:org/m" if "huggingface.co/org/m/" in t else t)
    assert to_hub("https://huggingface.co/org/m/resolve/main/w.bin") == "hf:org/m"


def test_matching_window_alt_lines_ids_omitted_and_dynamic() -> None:
    doc = _doc([_label("a.py", 10, "hf:org/one"),
                _label("a.py", 40, "hf:org/two", alt=[3], nd=True, cause="dataflow-local"),
                _label("b.py", 5, "hf:org/three", nd=True, cause="registry")],
               omitted=["big.py"])
    findings = [score.Finding("a.py", 12, "hf:ORG/one"),    # within +2: match
                score.Finding("a.py", 4, "hf:org/two"),     # near alt line 3: match
                score.Finding("b.py", 8, "hf:org/three"),   # 3 lines away: no match, and near no label
                score.Finding("b.py", 5, "hf:org/other"),   # near a label with another id
                score.Finding("c.py", 1, "hf:org/four"),    # near no label
                score.Finding("c.py", 9, None),             # a dynamic load
                score.Finding("big.py", 1, "hf:org/five")]  # in an omitted file: ignored
    result = score.score_repo(doc, findings, PLAIN)
    assert [r.matched is not None for r in result.labels] == [True, True, False]
    assert result.matched == 2
    assert result.findings == 5
    assert [(f.path, f.line) for f in result.unmatched] == [("b.py", 8), ("c.py", 1)]
    assert [f.path for f in result.dynamic] == ["c.py"]
    assert [f.id for f in result.labels[2].near] == ["hf:org/other"]
    report = score.render_markdown([result])
    assert "| someone/tiny | 3 | 2 | 66.7 % | 2 | 1 | 50.0 % | 5 | 2 | 40.0 % | 1 |" in report
    assert "| registry | 1 | 0 | 0.0 % |" in report
    dumped = score.to_json([result])
    assert dumped[0]["labels"][2]["matched"] is None


def test_notebook_raw_line_maps_cell_and_line_to_the_json_line() -> None:
    notebook = {"cells": [{"cell_type": "markdown", "source": ["# Title\n", "text"]},
                          {"cell_type": "code", "source": ["import x\n", "m = load(\"org/m\")\n", "print(m)"]},
                          {"cell_type": "code", "source": "y = 1\nz = load(\"org/n\")"}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    raw = json.dumps(notebook, indent=1)
    lines = raw.splitlines()
    second = score.notebook_raw_line(raw, 2, 2)
    assert second is not None and "org/m" in lines[second - 1]
    single = score.notebook_raw_line(raw, 3, 2)
    assert single is not None and "org/n" in lines[single - 1]
    assert score.notebook_raw_line(raw, 9, 1) is None
    assert score.notebook_raw_line("not json", 1, 1) is None


def test_find_git_dir_layouts(tmp_path: Path) -> None:
    for layout in ("a+b/repo", "c+d.git", "e/f"):
        git_dir = tmp_path / layout
        (git_dir / "objects").mkdir(parents=True)
        (git_dir / "HEAD").write_text("ref: refs/heads/main\n")
    assert score.find_git_dir(tmp_path, "a/b") == tmp_path / "a+b" / "repo"
    assert score.find_git_dir(tmp_path, "c/d") == tmp_path / "c+d.git"
    assert score.find_git_dir(tmp_path, "e/f") == tmp_path / "e" / "f"
    assert score.find_git_dir(tmp_path, "x/y") is None


def _git(cwd: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(cwd)}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_materialise_and_score_end_to_end(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "pkg").mkdir(parents=True)
    (work / "pkg" / "load.py").write_text(LOADER)
    (work / "README.md").write_text("tiny\n")
    _git(work, "init", "-q")
    _git(work, "add", ".")
    _git(work, "commit", "-q", "-m", "tiny")
    commit = _git(work, "rev-parse", "HEAD").strip()
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    shutil.copytree(work / ".git", mirror / "someone+tiny" / "repo")
    tree = tmp_path / "tree"
    tree.mkdir()
    assert score.materialise(mirror / "someone+tiny" / "repo", commit, tree) == 2
    assert (tree / "pkg" / "load.py").read_text() == LOADER

    labels = tmp_path / "labels"
    (labels / "dev").mkdir(parents=True)
    doc = _doc([_label("pkg/load.py", 4, "hf:google-bert/bert-base-uncased"),
                _label("pkg/load.py", 8, "hf:some-org/not-found-anywhere", nd=True, cause="dataflow-function")])
    doc["commit"] = commit
    (labels / "dev" / "someone__tiny.json").write_text(json.dumps(doc))
    out, dumped = tmp_path / "score.md", tmp_path / "score.json"
    code = score.main(["--mirror", str(mirror), "--labels", str(labels), "--out", str(out), "--json", str(dumped)])
    assert code == 0
    results = json.loads(dumped.read_text())[0]
    assert results["error"] == ""
    assert [lb["matched"] is not None for lb in results["labels"]] == [True, False]
    assert "| someone/tiny | 2 | 1 | 50.0 % |" in out.read_text()
    with pytest.raises(SystemExit):  # no held-out label files here: nothing to score is an error
        score.main(["--mirror", str(mirror), "--labels", str(labels), "--split", "heldout"])


def test_missing_repository_is_reported_not_scored(tmp_path: Path) -> None:
    labels = tmp_path / "labels"
    (labels / "heldout").mkdir(parents=True)
    doc = _doc([_label("a.py", 1, "hf:org/one")])
    doc["split"] = "heldout"
    (labels / "heldout" / "someone__tiny.json").write_text(json.dumps(doc))
    files = score.label_files(labels, "dev", None)
    assert files == []
    files = score.label_files(labels, "all", "someone/tiny")
    result = score.score_file(files[0], tmp_path / "no-mirror", PLAIN)
    assert result.error == "not in the mirror"
    assert result.matched == 0
