"""The non-Python scanners: notebooks, configs, model folders, weight headers, dependency files,
weight addresses and the Hugging Face cache."""

from __future__ import annotations

import io
import json
import pickle
import struct
import time
import zipfile
from pathlib import Path

import pytest

from modelclear.model import Kind, Reference
from modelclear.scan import ScanOptions, scan_path
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.config import ConfigScanner, classify
from modelclear.scan.deps import DepsScanner, pip_install_names, requirement_name
from modelclear.scan.modeldir import ModelDirScanner
from modelclear.scan.notebook import NotebookScanner
from modelclear.scan.urls import UrlScanner, canonical_id, match_url
from modelclear.scan.weightheaders import HeaderError, read_gguf_metadata, read_safetensors_header
from modelclear.scan.weights import WeightsScanner, pickle_globals, unsafe_globals


def run(scanner: object, path: Path, data: bytes | None = None,
        root: Path | None = None) -> tuple[list[Reference], list[ScanWarning]]:
    ctx = ScanContext(root=root or path.parent)
    items = list(scanner.scan(path, path.read_bytes() if data is None else data, ctx))  # type: ignore[attr-defined]
    return [i for i in items if isinstance(i, Reference)], [i for i in items if isinstance(i, ScanWarning)]


def found(refs: list[Reference]) -> set[tuple[str | None, int]]:
    return {(r.id, r.line) for r in refs}


# ------------------------------------------------------------------------------------------ notebooks


def notebook(cells: list[tuple[str, str]], language: str = "python") -> str:
    return json.dumps({
        "cells": [{"cell_type": kind, "metadata": {}, "source": src.splitlines(keepends=True),
                   **({"outputs": [], "execution_count": None} if kind == "code" else {})} for kind, src in cells],
        "metadata": {"kernelspec": {"name": "k", "language": language}}, "nbformat": 4, "nbformat_minor": 5})


def test_notebook_lines_count_joined_code_cells_and_note_cell_and_line(tmp_path: Path) -> None:
    nb = tmp_path / "nb.ipynb"
    nb.write_text(notebook([
        ("markdown", "# AutoModel.from_pretrained('openai-community/gpt2') in prose"),
        ("code", "%load_ext autoreload\n!pip install ultralytics\nNAME = 'google-bert/bert-base-uncased'"),
        ("code", "from transformers import AutoModel\n\nm = AutoModel.from_pretrained(NAME)"),
    ]))
    refs, warnings = run(NotebookScanner(), nb)
    assert not warnings
    assert found(refs) == {("pypi:ultralytics", 2), ("hf:google-bert/bert-base-uncased", 6)}
    bert = next(r for r in refs if r.id and r.id.startswith("hf:"))
    assert bert.note.endswith("cell 3, line 3")


def test_notebook_magics_inside_blocks_and_shell_assignments_keep_python_valid(tmp_path: Path) -> None:
    nb = tmp_path / "nb.ipynb"
    nb.write_text(notebook([("code", "if gpu:\n    !nvidia-smi\nfiles = !ls\nmodel?\n"
                                     "import timm\nnet = timm.create_model('resnet50.a1_in1k', pretrained=True)")]))
    refs, warnings = run(NotebookScanner(), nb)
    assert not warnings
    assert found(refs) == {("timm:resnet50.a1_in1k", 6)}


def test_notebook_magics_written_without_percent_keep_the_cells_python(tmp_path: Path) -> None:
    # IPython runs ``cd x`` and ``pip install y`` as magics (automagic); read as Python they broke the
    # joined cells, and the constant of one cell no longer reached the load in the next
    nb = tmp_path / "nb.ipynb"
    nb.write_text(notebook([
        ("code", "cd PhotoMaker/\npip install -r requirements.txt\nNAME = 'TencentARC/PhotoMaker'"),
        ("code", "from huggingface_hub import hf_hub_download\nhf_hub_download(repo_id=NAME, filename='x.bin')"),
    ]))
    refs, warnings = run(NotebookScanner(), nb)
    assert not warnings
    assert found(refs) == {("hf:TencentARC/PhotoMaker", 5)}


def test_notebook_python_that_starts_with_a_magic_word_is_left_alone(tmp_path: Path) -> None:
    # a name like ``run``/``time`` used as Python, and a cell that parses, are never taken for magics;
    # a cell that is broken elsewhere keeps its valid ``time = ...`` line
    nb = tmp_path / "nb.ipynb"
    nb.write_text(notebook([
        ("code", "time = 'openai-community/gpt2'\nrun = (\n    time\n)\n"
                 "from transformers import AutoModel\nAutoModel.from_pretrained(run)"),
        ("code", "ls -la\ndef oops(:\n    pass"),
    ]))
    refs, warnings = run(NotebookScanner(), nb)
    assert found(refs) == {("hf:openai-community/gpt2", 6)}
    assert [w.code for w in warnings] == ["syntax-error"] and "cell 2" in warnings[0].message


def test_notebook_cell_magics(tmp_path: Path) -> None:
    nb = tmp_path / "nb.ipynb"
    nb.write_text(notebook([
        ("code", "%%time\nimport whisper\nw = whisper.load_model('base')"),
        ("code", "%%html\n<p>AutoModel.from_pretrained('gpt2')</p>"),
        ("code", "%%bash\npip install insightface\n"),
    ]))
    refs, _ = run(NotebookScanner(), nb)
    assert {r.id for r in refs} == {"whisper:base", "pypi:insightface"}


def test_notebook_broken_cell_other_cells_still_scanned(tmp_path: Path) -> None:
    nb = tmp_path / "nb.ipynb"
    nb.write_text(notebook([("code", "def oops(:\n  pass"),
                            ("code", "from ultralytics import YOLO\nYOLO('yolov8s.pt')")]))
    refs, warnings = run(NotebookScanner(), nb)
    assert {r.id for r in refs} == {"ultralytics:yolov8s"}
    assert [w.code for w in warnings] == ["syntax-error"] and "cell 1" in warnings[0].message


def test_notebook_malformed_other_kernel_and_nbformat3(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ipynb"
    bad.write_text('{"cells": [')
    assert [w.code for w in run(NotebookScanner(), bad)[1]] == ["malformed"]
    r_nb = tmp_path / "r.ipynb"
    r_nb.write_text(notebook([("code", "AutoModel.from_pretrained('gpt2')")], language="R"))
    assert run(NotebookScanner(), r_nb) == ([], [])
    old = tmp_path / "old.ipynb"
    old.write_text(json.dumps({"nbformat": 3, "metadata": {}, "worksheets": [{"cells": [
        {"cell_type": "code", "input": ["import spacy\n", "nlp = spacy.load('en_core_web_sm')"]}]}]}))
    assert {r.id for r in run(NotebookScanner(), old)[0]} == {"spacy:en_core_web_sm"}


# -------------------------------------------------------------------------------------------- configs


def test_config_keys_strictness_and_local_paths(tmp_path: Path) -> None:
    cfg = tmp_path / "train.yaml"
    cfg.write_text(
        "model_name_or_path: bert-base-uncased\n"     # 1 bare legacy name: fine for this key
        "model_name: resnet50\n"                      # 2 generic key, bare word: not an id
        "tokenizer_name: ./tok\n"                     # 3 local path: unresolved reference
        "dataset: imagenet\n"                         # 4 generic key, bare word
        "dataset_name: HuggingFaceFW/fineweb-edu\n"   # 5
        "pretrained: true\n"                          # 6 a boolean is not an id
        "model_id: Qwen/Qwen2.5-7B-Instruct\n"        # 7 generic key, ORG/NAME
        "# base_model: meta-llama/Llama-2-7b-hf\n"    # 8 comment
        "base_model: https://huggingface.co/mistralai/Mistral-7B-v0.1\n"  # 9 Hub page address
    )
    refs, warnings = run(ConfigScanner(), cfg)
    assert not warnings
    assert found(refs) == {("hf:bert-base-uncased", 1), (None, 3), ("hf-dataset:HuggingFaceFW/fineweb-edu", 5),
                           ("hf:Qwen/Qwen2.5-7B-Instruct", 7), ("hf:mistralai/Mistral-7B-v0.1", 9)}
    local = next(r for r in refs if r.id is None)
    assert local.note == "local path" and local.kind is Kind.MODEL and local.raw == "./tok"


def test_hydra_targets_interpolations_and_negatives(tmp_path: Path) -> None:
    cfg = tmp_path / "conf.yaml"
    cfg.write_text(
        "name: google/vit-base-patch16-224\n"
        "model:\n"
        "  _target_: transformers.AutoModel.from_pretrained\n"
        "  pretrained_model_name_or_path: ${name}\n"            # 4 resolved in the document
        "scratch:\n"
        "  _target_: timm.create_model\n"
        "  model_name: resnet50\n"
        "  pretrained: false\n"                                 # no weights
        "backbone:\n"
        "  _target_: timm.create_model\n"
        "  model_name: convnext_small.fb_in22k\n"               # 11
        "  pretrained: true\n"
        "clip:\n"
        "  _target_: open_clip.create_model_and_transforms\n"
        "  model_name: ViT-B-32\n"                              # 15
        "  pretrained: laion2b_s34b_b79k\n"
        "env_model:\n"
        "  model_name_or_path: ${oc.env:MODEL,distilbert/distilroberta-base}\n"   # 18
        "unknown:\n"
        "  model_name_or_path: ${trainer.missing}\n"            # 20 unresolved
        "data:\n"
        "  _target_: torchvision.datasets.MNIST\n"              # 22
        "  root: data\n"
    )
    refs, _ = run(ConfigScanner(), cfg)
    assert found(refs) == {("hf:google/vit-base-patch16-224", 4), ("timm:convnext_small.fb_in22k", 11),
                           ("open_clip:ViT-B-32/laion2b_s34b_b79k", 15), ("hf:distilbert/distilroberta-base", 18),
                           (None, 20), ("torchvision-dataset:MNIST", 22)}


def test_hydra_group_file_interpolates_the_primary_config(tmp_path: Path) -> None:
    (tmp_path / "conf" / "model").mkdir(parents=True)
    (tmp_path / "conf" / "config.yaml").write_text("defaults:\n  - model: bert\nbackbone: FacebookAI/roberta-large\n")
    group = tmp_path / "conf" / "model" / "bert.yaml"
    group.write_text("_target_: transformers.AutoModel.from_pretrained\npretrained_model_name_or_path: ${backbone}\n")
    items = list(ConfigScanner().scan(group, group.read_bytes(), ScanContext(root=tmp_path)))
    assert [(r.id, r.line) for r in items if isinstance(r, Reference)] == [("hf:FacebookAI/roberta-large", 2)]


def test_json_and_toml_lines_and_sweeps(tmp_path: Path) -> None:
    js = tmp_path / "args.json"
    js.write_text('{\n  "lr": 1e-5,\n  "model_name_or_path": "roberta-base",\n'
                  '  "sweep": {"dataset_name": {"values": ["stanfordnlp/imdb", "yelp/yelp_review_full"]}}\n}\n')
    assert found(run(ConfigScanner(), js)[0]) == {("hf:roberta-base", 3), ("hf-dataset:stanfordnlp/imdb", 4),
                                                  ("hf-dataset:yelp/yelp_review_full", 4)}
    toml = tmp_path / "eval.toml"
    toml.write_text('[run]\nseed = 1\n\n[run.model]\nbase_model = "Qwen/Qwen2.5-0.5B"\n')
    assert found(run(ConfigScanner(), toml)[0]) == {("hf:Qwen/Qwen2.5-0.5B", 5)}


def test_malformed_configs_warn_and_dangerous_yaml_does_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("model_name_or_path: [unclosed\n")
    refs, warnings = run(ConfigScanner(), bad)
    assert not refs and [w.code for w in warnings] == ["malformed"] and warnings[0].line >= 1
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.yaml"
    evil.write_text(f"x: !!python/object/apply:os.system ['touch {marker}']\nmodel_name_or_path: gpt2\n")
    refs, warnings = run(ConfigScanner(), evil)
    assert found(refs) == {("hf:gpt2", 2)} and not marker.exists()
    laughs = "a: &a [model_name, model_name, model_name, model_name, model_name, model_name]\n"
    for i, prev in zip("bcdefghij", "abcdefghi", strict=True):
        laughs += f"{i}: &{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(laughs + "model_name_or_path: gpt2\n")
    start = time.monotonic()
    refs, _ = run(ConfigScanner(), bomb)
    assert time.monotonic() - start < 2 and found(refs) == {("hf:gpt2", 11)}


def test_classify_values() -> None:
    assert classify("timm:resnet50", "hf", Kind.MODEL, strict=True).id == "timm:resnet50"  # type: ignore[union-attr]
    assert classify("checkpoints/run1/best", "hf", Kind.MODEL, strict=False).id is None  # type: ignore[union-attr]
    assert classify("model.safetensors", "hf", Kind.MODEL, strict=True) is None
    assert classify("None", "hf", Kind.MODEL, strict=False) is None
    assert classify("gpt-4", "hf", Kind.MODEL, strict=True) is None


# ------------------------------------------------------------------------------------- model folders


def test_model_card_config_and_adapter(tmp_path: Path) -> None:
    folder = tmp_path / "my-model"
    folder.mkdir()
    card = folder / "README.md"
    card.write_text("---\nlicense: llama2\nbase_model:\n- meta-llama/Llama-2-7b-hf\ndatasets:\n- tatsu-lab/alpaca\n"
                    "---\n# my model\n")
    refs, _ = run(ModelDirScanner(), card, root=tmp_path)
    assert found(refs) == {(None, 2), ("hf:meta-llama/Llama-2-7b-hf", 4), ("hf-dataset:tatsu-lab/alpaca", 6)}
    local = next(r for r in refs if r.id is None)
    assert local.raw == "my-model" and "llama2" in local.note
    config = folder / "config.json"
    config.write_text('{"_name_or_path": "/home/me/ckpt/step-1000", "model_type": "llama"}')
    assert run(ModelDirScanner(), config) == ([], [])
    config.write_text('{\n "_name_or_path": "meta-llama/Llama-2-7b-hf"\n}')
    assert found(run(ModelDirScanner(), config)[0]) == {("hf:meta-llama/Llama-2-7b-hf", 2)}
    adapter = folder / "adapter_config.json"
    adapter.write_text('{"peft_type": "LORA",\n "base_model_name_or_path": "../base"}')
    refs, _ = run(ModelDirScanner(), adapter)
    assert found(refs) == {(None, 2)} and "local path" in refs[0].note


def test_space_readme_and_plain_readme(tmp_path: Path) -> None:
    space = tmp_path / "README.md"
    space.write_text("---\ntitle: Demo\nsdk: gradio\nlicense: mit\nmodels:\n  - openai/whisper-small\n"
                     "datasets:\n  - mozilla-foundation/common_voice_11_0\n---\n")
    assert found(run(ModelDirScanner(), space)[0]) == {("hf:openai/whisper-small", 6),
                                                       ("hf-dataset:mozilla-foundation/common_voice_11_0", 8)}
    space.write_text("---\nlayout: post\ntitle: Blog\n---\nWe use bert-base-uncased.\n")
    assert run(ModelDirScanner(), space) == ([], [])


# ------------------------------------------------------------------------------------ weight headers


def safetensors_bytes(meta: dict[str, str] | None) -> bytes:
    header: dict[str, object] = {"w": {"dtype": "F16", "shape": [1], "data_offsets": [0, 2]}}
    if meta is not None:
        header["__metadata__"] = meta
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + b"\0\0"


def test_safetensors_header_metadata(tmp_path: Path) -> None:
    path = tmp_path / "lora.safetensors"
    path.write_bytes(safetensors_bytes({"format": "pt", "modelspec.license": "openrail++",
                                        "ss_sd_model_name": "stabilityai/stable-diffusion-xl-base-1.0"}))
    refs, warnings = run(WeightsScanner(), path)
    assert not warnings
    assert {r.id for r in refs} == {None, "hf:stabilityai/stable-diffusion-xl-base-1.0"}
    local = next(r for r in refs if r.id is None)
    assert "openrail++" in local.note and local.kind is Kind.MODEL
    path.write_bytes(safetensors_bytes(None))
    refs, _ = run(WeightsScanner(), path)
    assert [r.id for r in refs] == [None] and "no licence" in refs[0].note


def test_safetensors_hostile_headers() -> None:
    with pytest.raises(HeaderError):
        read_safetensors_header(struct.pack("<Q", 2**62) + b"{}")
    with pytest.raises(HeaderError):
        read_safetensors_header(struct.pack("<Q", 50) + b"{}")
    with pytest.raises(HeaderError):
        read_safetensors_header(struct.pack("<Q", 4) + b"[1] ")


def gguf_string(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("<Q", len(raw)) + raw


def gguf_bytes(pairs: list[tuple[str, int, bytes]], version: int = 3) -> bytes:
    out = b"GGUF" + struct.pack("<IQQ", version, 0, len(pairs))
    for key, vtype, value in pairs:
        out += gguf_string(key) + struct.pack("<I", vtype) + value
    return out


def test_gguf_header_metadata_with_arrays_before_the_licence(tmp_path: Path) -> None:
    tokens = struct.pack("<IQ", 8, 3) + b"".join(gguf_string(t) for t in ("<s>", "</s>", "hi"))
    scores = struct.pack("<IQ", 6, 3) + struct.pack("<3f", 0.0, 0.5, 1.0)
    data = gguf_bytes([
        ("general.architecture", 8, gguf_string("llama")),
        ("tokenizer.ggml.tokens", 9, tokens),
        ("tokenizer.ggml.scores", 9, scores),
        ("general.license", 8, gguf_string("llama3.1")),
        ("general.base_model.count", 4, struct.pack("<I", 1)),
        ("general.base_model.0.repo_url", 8, gguf_string("https://huggingface.co/meta-llama/Llama-3.1-8B")),
        ("general.datasets", 9, struct.pack("<IQ", 8, 1) + gguf_string("HuggingFaceH4/ultrachat_200k")),
    ])
    meta, complete = read_gguf_metadata(data)
    assert complete and meta["general.license"] == "llama3.1"
    path = tmp_path / "m.gguf"
    path.write_bytes(data)
    refs, warnings = run(WeightsScanner(), path)
    assert not warnings
    assert {r.id for r in refs} == {None, "hf:meta-llama/Llama-3.1-8B", "hf-dataset:HuggingFaceH4/ultrachat_200k"}
    assert "llama3.1" in next(r for r in refs if r.id is None).note


def test_gguf_truncated_and_hostile(tmp_path: Path) -> None:
    full = gguf_bytes([("general.license", 8, gguf_string("mit")), ("general.name", 8, gguf_string("x" * 100))])
    meta, complete = read_gguf_metadata(full[:-50])
    assert meta == {"general.license": "mit"} and not complete
    with pytest.raises(HeaderError):
        read_gguf_metadata(b"GGML" + full[4:])
    huge = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 2**63) + b"general.license"
    assert read_gguf_metadata(huge) == ({}, False)
    bad_type = gguf_bytes([("general.license", 99, b"")])
    path = tmp_path / "bad.gguf"
    path.write_bytes(bad_type)
    assert [w.code for w in run(WeightsScanner(), path)[1]] == ["malformed"]


class _Payload:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        import os

        return os.system, ("echo never-run",)


def test_pickle_checkpoints_are_reported_never_loaded(tmp_path: Path) -> None:
    plain = tmp_path / "ok.pth"
    plain.write_bytes(pickle.dumps({"epoch": 1}))
    refs, warnings = run(WeightsScanner(), plain)
    assert [r.id for r in refs] == [None] and "runs code" in refs[0].note and not warnings
    evil = tmp_path / "evil.ckpt"
    evil.write_bytes(pickle.dumps({"model": _Payload()}))
    refs, warnings = run(WeightsScanner(), evil)
    assert [w.code for w in warnings] == ["pickle"] and "system" in warnings[0].message
    names, complete = pickle_globals(pickle.dumps(_Payload(), protocol=0))
    assert complete and unsafe_globals(names) and all("system" in n for n in unsafe_globals(names))


def test_torch_zip_checkpoint_members_are_inspected(tmp_path: Path) -> None:
    path = tmp_path / "model.pt"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("archive/data.pkl", pickle.dumps({"x": _Payload()}))
        zf.writestr("archive/version", "3\n")
    path.write_bytes(buf.getvalue())
    refs, warnings = run(WeightsScanner(), path)
    assert [r.id for r in refs] == [None] and "torch zip checkpoint" in refs[0].evidence
    assert [w.code for w in warnings] == ["pickle"]
    other = tmp_path / "vectors.bin"
    other.write_bytes(b"\x01\x02fasttext")
    assert run(WeightsScanner(), other) == ([], [])


# ------------------------------------------------------------------------------------ dependencies


def test_requirements_with_includes_vcs_and_markers(tmp_path: Path) -> None:
    (tmp_path / "reqs").mkdir()
    (tmp_path / "reqs" / "vision.txt").write_text("numpy\nyolov5==7.0.13\n")
    req = tmp_path / "requirements.txt"
    req.write_text("# ultralytics is optional\ntorch\n-r reqs/vision.txt\n"
                   "git+https://github.com/ultralytics/ultralytics.git@v8.2.0#egg=ultralytics\n"
                   "insightface>=0.7 ; python_version >= '3.8'  # faces\n-r ../outside.txt\n")
    (tmp_path.parent / "outside.txt").write_text("ultralytics\n")
    refs, _ = run(DepsScanner(), req)
    got = {(r.id, Path(r.path).name, r.line) for r in refs}
    assert got == {("pypi:yolov5", "vision.txt", 2), ("pypi:ultralytics", "requirements.txt", 4),
                   ("pypi:insightface", "requirements.txt", 5)}


@pytest.mark.parametrize(("name", "text", "line"), [
    ("pyproject.toml", '[project]\nname = "app"\ndependencies = [\n  "requests",\n  "Ultralytics[export]>=8",\n]\n', 5),
    ("pyproject.toml", '[tool.poetry.dependencies]\npython = "^3.10"\nultralytics = "^8.1"\n', 3),
    ("uv.lock", 'version = 1\n\n[[package]]\nname = "numpy"\n\n[[package]]\nname = "ultralytics"\n'
                'version = "8.2"\n', 7),
    ("Pipfile", '[packages]\nrequests = "*"\n"ultralytics" = "==8.2"\n', 3),
    ("setup.cfg", "[metadata]\nname = app\n\n[options]\ninstall_requires =\n    numpy\n    ultralytics>=8\n", 7),
    ("setup.py", "from setuptools import setup\nsetup(\n    name='x',\n"
                 "    install_requires=['numpy', 'ultralytics'],\n)\n", 4),
    ("environment.yml", "name: x\ndependencies:\n  - python=3.11\n  - conda-forge::ultralytics=8.2\n", 4),
    ("Dockerfile", "FROM python:3.11\nRUN pip install --no-cache-dir -U ultralytics==8.2 && echo ok\n", 2),
])
def test_dependency_files(tmp_path: Path, name: str, text: str, line: int) -> None:
    path = tmp_path / name
    path.write_text(text)
    refs, warnings = run(DepsScanner(), path)
    assert not warnings
    assert [(r.id, r.line, r.kind) for r in refs] == [("pypi:ultralytics", line, Kind.PACKAGE)]


def test_requirement_names() -> None:
    assert requirement_name("ultralytics[export]>=8.0; python_version>'3.8'") == "ultralytics"
    assert requirement_name("yolov5 @ https://example.com/yolov5-7.0.tar.gz") == "yolov5"
    assert requirement_name("https://files.example.com/insightface-0.7.3-cp311-linux.whl") == "insightface"
    assert pip_install_names("pip install -q -r req.txt ultralytics 'insightface>=0.7' .") == \
        ["ultralytics", "insightface"]


def test_malformed_dependency_file_warns(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project\ndependencies = ["ultralytics"]\n')
    assert [w.code for w in run(DepsScanner(), path)[1]] == ["malformed"]


# ---------------------------------------------------------------------------------- weight addresses


def test_weight_urls_map_to_canonical_ids() -> None:
    assert match_url("https://huggingface.co/openai/whisper-small/resolve/main/model.safetensors?download=true").id \
        == "hf:openai/whisper-small"  # type: ignore[union-attr]
    assert match_url("https://huggingface.co/datasets/allenai/c4/resolve/main/en/c4-train.json.gz").id \
        == "hf-dataset:allenai/c4"  # type: ignore[union-attr]
    assert match_url("https://huggingface.co/meta-llama/Llama-2-7b-hf/blob/main/LICENSE.txt") is None
    assert match_url("https://example.com/model.pt") is None
    assert canonical_id("url:https://github.com/ultralytics/assets/releases/download/v8.2.0/yolov8m-seg.pt") \
        == "ultralytics:yolov8m-seg"
    assert canonical_id("hf:gpt2") == "hf:gpt2"


def test_urls_in_code_not_in_docs(tmp_path: Path) -> None:
    py = tmp_path / "weights.py"
    py.write_text('"""Weights: https://download.pytorch.org/models/vgg16-397923af.pth"""\n'
                  "# https://download.pytorch.org/models/alexnet-owt-7be5be79.pth\n"
                  "URLS = {'r50': 'https://download.pytorch.org/models/resnet50-0676ba61.pth'}\n"
                  "print('see https://download.pytorch.org/models/vgg19-dcbb9e9d.pth')\n")
    refs, _ = run(UrlScanner(), py)
    assert found(refs) == {("torchvision:ResNet50_Weights.IMAGENET1K_V1", 3)}
    sh = tmp_path / "get.sh"
    sh.write_text("# wget https://huggingface.co/a/b/resolve/main/x.bin\n"
                  "wget https://huggingface.co/BAAI/bge-m3/resolve/main/pytorch_model.bin  # embeddings\n")
    assert found(run(UrlScanner(), sh)[0]) == {("hf:BAAI/bge-m3", 2)}


# ------------------------------------------------------------------------------------------- HF cache


def test_hf_cache_listing(tmp_path: Path) -> None:
    cache = tmp_path / "hub"
    for repo in ("models--google-bert--bert-base-uncased", "datasets--stanfordnlp--imdb", "spaces--x--demo"):
        snap = cache / repo / "snapshots" / ("a" * 40)
        snap.mkdir(parents=True)
        (snap / "config.json").write_text("{}")
        (cache / repo / "refs").mkdir()
        (cache / repo / "refs" / "main").write_text("a" * 40)
    project = tmp_path / "project"
    project.mkdir()
    result = scan_path(project, ScanOptions(include_hf_cache=True, hf_cache_dir=cache))
    assert {(r.id, r.loader) for r in result.references} == {("hf:google-bert/bert-base-uncased", "hf-cache"),
                                                             ("hf-dataset:stanfordnlp/imdb", "hf-cache")}
    missing = scan_path(project, ScanOptions(include_hf_cache=True, hf_cache_dir=tmp_path / "nope"))
    assert [w.code for w in missing.warnings] == ["hf-cache"]
