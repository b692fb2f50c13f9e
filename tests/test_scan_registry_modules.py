"""Registries read by a loader: kept in a config module, chosen by the caller, and string building over
names the scan cannot read (issue 10, cause 2 and precision). Snippets in the style of real repositories."""

from __future__ import annotations

from pathlib import Path

from modelclear.scan import ScanOptions, scan_path

RERANKER_CONFIG = '''\
# Moved to the Hub.
model_url = 'https://huggingface.co/acme/rerankers/resolve/main/{}.zip'
default_cache_dir = "/tmp"
default_model = "ms-marco-TinyBERT-L-2-v2"
model_file_map = {
    "ms-marco-TinyBERT-L-2-v2": "flashrank-TinyBERT-L-2-v2.onnx",
    "ms-marco-MiniLM-L-12-v2": "flashrank-MiniLM-L-12-v2_Q.onnx",
}
'''

RERANKER = '''\
import requests
from reranker.config import default_model, model_url


class Ranker:
    def __init__(self, model_name: str = default_model):
        self.model_name = model_name
        self._download_model_files(model_name)

    def _download_model_files(self, model_name: str):
        formatted_model_url = model_url.format(model_name)
        with requests.get(formatted_model_url, stream=True) as r:
            r.raise_for_status()
'''

BACKBONE_URLS = '''\
model_urls = {
    "resnet18": "https://download.pytorch.org/models/resnet18-5c106cde.pth",
    "resnet50": "https://download.pytorch.org/models/resnet50-19c8e357.pth",
}
'''

BACKBONE = '''\
import torch.utils.model_zoo as model_zoo

from .urls import model_urls


def load_backbone(arch="resnet18"):
    return model_zoo.load_url(model_urls[arch])
'''


def _scan(tmp_path: Path, files: dict[str, str]) -> list[tuple[str | None, str, int]]:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = scan_path(tmp_path, ScanOptions(jobs=1))
    return sorted((r.id, r.path, r.line) for r in result.references)


def test_lower_case_config_module_is_read_by_an_importing_loader(tmp_path: Path) -> None:
    found = _scan(tmp_path, {"reranker/__init__.py": "", "reranker/config.py": RERANKER_CONFIG,
                             "reranker/ranker.py": RERANKER})
    assert ("hf:acme/rerankers", "reranker/ranker.py", 12) in found, found  # the download, default model


def test_registry_in_another_module_is_reported_at_its_entries(tmp_path: Path) -> None:
    found = _scan(tmp_path, {"nets/__init__.py": "", "nets/urls.py": BACKBONE_URLS, "nets/backbone.py": BACKBONE})
    assert ("url:https://download.pytorch.org/models/resnet18-5c106cde.pth", "nets/urls.py", 2) in found
    assert ("url:https://download.pytorch.org/models/resnet50-19c8e357.pth", "nets/urls.py", 3) in found
    assert not [f for f in found if f[1] == "nets/backbone.py"], found  # not repeated at the call


def test_a_key_the_caller_chooses_may_be_any_entry(tmp_path: Path) -> None:
    source = '''\
from transformers import AutoModelForCausalLM

GENERATORS = {
    "small": "Qwen/Qwen2.5-0.5B-Instruct",
    "large": "meta-llama/Llama-3.1-8B-Instruct",
}


def load_generator(size: str = "small"):
    return AutoModelForCausalLM.from_pretrained(GENERATORS[size])
'''
    found = _scan(tmp_path, {"gen.py": source})
    assert found == [("hf:Qwen/Qwen2.5-0.5B-Instruct", "gen.py", 4),
                     ("hf:meta-llama/Llama-3.1-8B-Instruct", "gen.py", 5)]


def test_a_key_the_module_passes_is_that_entry_only(tmp_path: Path) -> None:
    source = '''\
from transformers import AutoModelForCausalLM

GENERATORS = {
    "small": "Qwen/Qwen2.5-0.5B-Instruct",
    "large": "meta-llama/Llama-3.1-8B-Instruct",
}


def load_generator(size):
    return AutoModelForCausalLM.from_pretrained(GENERATORS[size])


model = load_generator("small")
'''
    found = _scan(tmp_path, {"gen.py": source})
    assert {f[0] for f in found} == {"hf:Qwen/Qwen2.5-0.5B-Instruct"}, found


def test_format_over_a_name_not_read_is_a_dynamic_load(tmp_path: Path) -> None:
    source = '''\
import torch
from somelib.release import TAG

URL = "https://download.example.org/weights/{}-best.pth"
state = torch.hub.load_state_dict_from_url(URL.format(TAG))
'''
    found = _scan(tmp_path, {"fetch.py": source})
    assert found == [(None, "fetch.py", 5)]


def test_records_built_with_positional_fields_are_registry_entries(tmp_path: Path) -> None:
    source = '''\
from dataclasses import dataclass
from typing import NamedTuple

from huggingface_hub import hf_hub_download


@dataclass
class ModelInfo:
    repo_id: str
    filename: str


class Detector(NamedTuple):
    repo: str
    weights: str


MODELS = [
    ModelInfo("acme/face-yolo", "face_yolov8n.pt"),
    ModelInfo("acme/hand-yolo", "hand_yolov8n.pt"),
]
DETECTORS = (Detector("acme/person-seg", "person_yolov8s-seg.pt"),)


def download_all():
    for info in MODELS:
        hf_hub_download(info.repo_id, info.filename)
    for det in DETECTORS:
        hf_hub_download(det.repo, det.weights)
'''
    found = _scan(tmp_path, {"models.py": source})
    # a table of one entry is not a choice: its value stays at the load
    assert found == [("hf:acme/face-yolo", "models.py", 19), ("hf:acme/hand-yolo", "models.py", 20),
                     ("hf:acme/person-seg", "models.py", 29)]
