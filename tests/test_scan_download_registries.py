"""Module-level tables from a short model name to a download address, read by the project's own download
helper (issue 10, cause 2): each address is a reference at its entry's line, and a call of the helper from
another module with a name (a literal, a variable, an option's default) is the address of that name only."""

from __future__ import annotations

from pathlib import Path

from projecttree import found, write

ROOT = "https://github.com/Example-Lab/Detector/releases/download/0.1.1rc0"

# a package whose download helper fetches `_MODELS[name]` with urllib and returns the local path
DOWNLOADER = {
    "tinyseg/__init__.py": """
        import os
        import urllib.request

        import torch

        _MODELS = {
            "tiny": "https://openaipublic.azureedge.net/main/tinyseg/tiny.pt",
            "base": "https://openaipublic.azureedge.net/main/tinyseg/base.pt",
            "large": "https://openaipublic.azureedge.net/main/tinyseg/large.pt",
        }


        def _download(url: str, root: str) -> str:
            os.makedirs(root, exist_ok=True)
            target = os.path.join(root, os.path.basename(url))
            if os.path.isfile(target):
                return target
            with urllib.request.urlopen(url) as source, open(target, "wb") as output:
                output.write(source.read())
            return target


        def load_model(name: str, device="cpu", download_root: str = None):
            if download_root is None:
                download_root = os.path.join(os.path.expanduser("~"), ".cache", "tinyseg")
            if name in _MODELS:
                checkpoint_file = _download(_MODELS[name], download_root)
            elif os.path.isfile(name):
                checkpoint_file = name
            else:
                raise RuntimeError(f"Model {name} not found")
            with open(checkpoint_file, "rb") as fp:
                return torch.load(fp, map_location=device)
        """,
}
TINY = "url:https://openaipublic.azureedge.net/main/tinyseg/tiny.pt"
BASE = "url:https://openaipublic.azureedge.net/main/tinyseg/base.pt"
LARGE = "url:https://openaipublic.azureedge.net/main/tinyseg/large.pt"


def test_each_entry_of_the_table_is_reported_at_its_line(tmp_path: Path) -> None:
    write(tmp_path, DOWNLOADER)
    assert found(tmp_path, "tinyseg/__init__.py") == [
        ("tinyseg/__init__.py", 7, TINY), ("tinyseg/__init__.py", 8, BASE), ("tinyseg/__init__.py", 9, LARGE)]


def test_a_name_passed_from_another_module_is_that_entry_only(tmp_path: Path) -> None:
    write(tmp_path, {**DOWNLOADER, "transcribe.py": """
        import argparse

        import tinyseg
        from tinyseg import load_model

        parser = argparse.ArgumentParser()
        parser.add_argument("--model", default="base", help="name of the checkpoint")
        args = parser.parse_args()

        model = load_model(args.model)
        fallback_name = "large"
        fallback = tinyseg.load_model(fallback_name, device="cuda")
        small = tinyseg.load_model("tiny")
        """})
    assert found(tmp_path, "transcribe.py") == [
        ("transcribe.py", 10, BASE), ("transcribe.py", 12, LARGE), ("transcribe.py", 13, TINY)]


def test_entries_built_from_a_base_address_are_reported_at_their_lines(tmp_path: Path) -> None:
    # `__all__` names the builder functions, which look like the files' stems: not a registry
    write(tmp_path, {"detector/models/build.py": f"""
        import torch
        from torch.hub import load_state_dict_from_url

        __all__ = [
            "create_model",
            "det_nano",
            "det_s",
            "det_darknet",
        ]

        _CKPT_ROOT_URL = "{ROOT}"
        _CKPT_FULL_PATH = {{
            "det-nano": f"{{_CKPT_ROOT_URL}}/det_nano.pth",
            "det-s": f"{{_CKPT_ROOT_URL}}/det_s.pth",
            "det-darknet": _CKPT_ROOT_URL + "/det_darknet53.pth",
        }}


        def create_model(name: str, pretrained: bool = True, ckpt_path: str = None):
            model = torch.nn.Module()
            if name in _CKPT_FULL_PATH:
                if pretrained:
                    weights_url = _CKPT_FULL_PATH[name]
                    ckpt = load_state_dict_from_url(weights_url, map_location="cpu")
                    model.load_state_dict(ckpt["model"])
            elif ckpt_path:
                model.load_state_dict(torch.load(ckpt_path, map_location="cpu"))
            return model
        """})
    entries = [(line, ref) for _, line, ref in found(tmp_path) if line < 20]
    assert entries == [(13, f"url:{ROOT}/det_nano.pth"), (14, f"url:{ROOT}/det_s.pth"),
                       (15, f"url:{ROOT}/det_darknet53.pth")]


def test_a_checksum_table_of_the_same_addresses_is_not_another_load(tmp_path: Path) -> None:
    write(tmp_path, {"pointgen/download.py": """
        import hashlib
        import os

        import requests
        import torch

        MODEL_PATHS = {
            "base40M": "https://openaipublic.azureedge.net/main/pointgen/base_40m.pt",
            "upsample": "https://openaipublic.azureedge.net/main/pointgen/upsample_40m.pt",
        }

        URL_HASHES = {
            "https://openaipublic.azureedge.net/main/pointgen/base_40m.pt":
                "af02a0b85a8abdfb3919584b63c540ba175f6ad4790f574a7fef4617e5acdc3b",
            "https://openaipublic.azureedge.net/main/pointgen/upsample_40m.pt":
                "d7e7ebbfe3780499ae89b2da5e7c1354012dba5a6abfe295bed42f25c3be1b98",
        }


        def fetch_file_cached(url: str, cache_dir: str = "model_cache") -> str:
            expected_hash = URL_HASHES[url]
            local_path = os.path.join(cache_dir, url.split("/")[-1])
            if os.path.exists(local_path):
                return local_path
            response = requests.get(url, stream=True)
            with open(local_path, "wb") as f:
                for chunk in response.iter_content(4096):
                    f.write(chunk)
            with open(local_path, "rb") as f:
                assert hashlib.sha256(f.read()).hexdigest() == expected_hash
            return local_path


        def load_checkpoint(checkpoint_name: str, device="cpu"):
            path = fetch_file_cached(MODEL_PATHS[checkpoint_name])
            return torch.load(path, map_location=device)
        """})
    assert found(tmp_path) == [
        ("pointgen/download.py", 8, "url:https://openaipublic.azureedge.net/main/pointgen/base_40m.pt"),
        ("pointgen/download.py", 9, "url:https://openaipublic.azureedge.net/main/pointgen/upsample_40m.pt")]


def test_a_checksum_table_alone_still_names_its_downloads(tmp_path: Path) -> None:
    write(tmp_path, {"fetch_weights.py": """
        import hashlib

        SHA256 = {
            "https://openaipublic.azureedge.net/main/pointgen/sdf.pt":
                "e6b4fa599a7b3c3b16c222d5f5fe56f9db9289ff0b6575fbe5c11bc97106aad4",
        }


        def verify(url: str, path: str) -> bool:
            with open(path, "rb") as f:
                return hashlib.sha256(f.read()).hexdigest() == SHA256[url]
        """})
    assert found(tmp_path) == [("fetch_weights.py", 4, "url:https://openaipublic.azureedge.net/main/pointgen/sdf.pt")]


def test_a_record_picked_by_name_from_a_list_is_any_of_its_entries(tmp_path: Path) -> None:
    write(tmp_path, {"mobile/build.py": """
        import os
        from typing import NamedTuple

        import torch


        class Checkpoint(NamedTuple):
            name: str
            url: str


        CHECKPOINTS = [
            Checkpoint("vit_t", "https://files.example-lab.org/mobile/mobile_sam.pt"),
            Checkpoint("vit_b", "https://files.example-lab.org/mobile/sam_vit_b.pt"),
        ]

        VOICES = [
            {"name": "small", "url": "https://files.example-lab.org/tts/small.pt"},
            {"name": "large", "url": "https://files.example-lab.org/tts/large.pt"},
        ]


        def build_sam(name="vit_t", root="weights"):
            ckpt = next(c for c in CHECKPOINTS if c.name == name)
            dst = os.path.join(root, os.path.basename(ckpt.url))
            if not os.path.isfile(dst):
                torch.hub.download_url_to_file(ckpt.url, dst)
            return torch.load(dst)


        def load_voice(name="small"):
            entry = next((v for v in VOICES if v["name"] == name), None)
            return torch.hub.load_state_dict_from_url(entry["url"], map_location="cpu")
        """})
    assert found(tmp_path) == [
        ("mobile/build.py", 13, "url:https://files.example-lab.org/mobile/mobile_sam.pt"),
        ("mobile/build.py", 14, "url:https://files.example-lab.org/mobile/sam_vit_b.pt"),
        ("mobile/build.py", 18, "url:https://files.example-lab.org/tts/small.pt"),
        ("mobile/build.py", 19, "url:https://files.example-lab.org/tts/large.pt")]


def test_entries_built_with_format_and_percent_are_reported_at_their_lines(tmp_path: Path) -> None:
    write(tmp_path, {"det/zoo.py": """
        import torch
        from torch.hub import load_state_dict_from_url

        ROOT = "https://files.example-lab.org/det"
        RELEASE = ROOT + "/v2"
        URLS = {
            "det-s": "{}/det_s.pth".format(RELEASE),
            "det-m": "%s/det_m.pth" % RELEASE,
            "det-l": "%s/%s" % (RELEASE, "det_l.pth"),
        }


        def create_model(name, pretrained=True):
            model = torch.nn.Module()
            if pretrained:
                model.load_state_dict(load_state_dict_from_url(URLS[name], map_location="cpu"))
            return model
        """})
    assert found(tmp_path) == [
        ("det/zoo.py", 7, "url:https://files.example-lab.org/det/v2/det_s.pth"),
        ("det/zoo.py", 8, "url:https://files.example-lab.org/det/v2/det_m.pth"),
        ("det/zoo.py", 9, "url:https://files.example-lab.org/det/v2/det_l.pth")]


def test_records_of_a_namedtuple_factory_are_registry_entries(tmp_path: Path) -> None:
    write(tmp_path, {"restorer/zoo.py": """
        import os
        from collections import namedtuple

        import torch

        ModelInfo = namedtuple("ModelInfo", ["name", "url", "scale"])

        PRETRAINED = [
            ModelInfo("x2", "https://files.example-lab.org/restorer/v0.2.1/restorer_x2.pth", 2),
            ModelInfo("x4", "https://files.example-lab.org/restorer/v0.2.1/restorer_x4.pth", 4),
        ]


        def load_restorer(name="x4", root="weights"):
            info = next(m for m in PRETRAINED if m.name == name)
            dst = os.path.join(root, os.path.basename(info.url))
            if not os.path.isfile(dst):
                torch.hub.download_url_to_file(info.url, dst)
            return torch.load(dst)
        """})
    assert found(tmp_path) == [
        ("restorer/zoo.py", 9, "url:https://files.example-lab.org/restorer/v0.2.1/restorer_x2.pth"),
        ("restorer/zoo.py", 10, "url:https://files.example-lab.org/restorer/v0.2.1/restorer_x4.pth")]


def test_a_release_config_fetched_beside_its_weights_is_reported_too(tmp_path: Path) -> None:
    write(tmp_path, {"shapes/download.py": """
        import os

        import requests
        import torch
        import yaml

        MODEL_PATHS = {
            "transmitter": "https://openaipublic.azureedge.net/main/shapes/transmitter.pt",
            "decoder": "https://openaipublic.azureedge.net/main/shapes/vector_decoder.pt",
        }
        CONFIG_PATHS = {
            "transmitter": "https://openaipublic.azureedge.net/main/shapes/transmitter_config.yaml",
            "decoder": "https://openaipublic.azureedge.net/main/shapes/vector_decoder_config.yaml",
        }


        def fetch_file_cached(url: str, cache_dir: str = "shapes_cache") -> str:
            local_path = os.path.join(cache_dir, url.split("/")[-1])
            if os.path.exists(local_path):
                return local_path
            response = requests.get(url, stream=True)
            with open(local_path, "wb") as f:
                for chunk in response.iter_content(4096):
                    f.write(chunk)
            return local_path


        def load_model(name: str, device="cpu"):
            with open(fetch_file_cached(CONFIG_PATHS[name]), "r") as f:
                config = yaml.safe_load(f)
            state = torch.load(fetch_file_cached(MODEL_PATHS[name]), map_location=device)
            return config, state
        """, "sample.py": """
        from shapes.download import load_model

        decoder = load_model("decoder")
        """})
    assert found(tmp_path, "sample.py") == [
        ("sample.py", 3, "url:https://openaipublic.azureedge.net/main/shapes/vector_decoder.pt"),
        ("sample.py", 3, "url:https://openaipublic.azureedge.net/main/shapes/vector_decoder_config.yaml")]


def test_a_script_using_a_helper_of_a_folder_without_init_is_read(tmp_path: Path) -> None:
    # `face_detection/` has no __init__.py (a namespace package); the script names no loader library
    write(tmp_path, {"face_detection/sfd.py": """
        import os

        import torch
        from torch.utils.model_zoo import load_url


        class FaceDetector:
            URLS = {
                "s3fd": "https://files.example-lab.org/fan/s3fd-619a316812.pth",
                "blazeface": "https://files.example-lab.org/fan/blazeface-4c6ec9f0.pth",
            }

            def __init__(self, name="s3fd", path=None):
                if path is None or not os.path.isfile(path):
                    weights = load_url(self.URLS[name])
                else:
                    weights = torch.load(path)
                self.weights = weights
        """, "preprocess.py": """
        from face_detection.sfd import FaceDetector

        detector = FaceDetector("blazeface")
        """})
    assert found(tmp_path, "preprocess.py") == [
        ("preprocess.py", 3, "url:https://files.example-lab.org/fan/blazeface-4c6ec9f0.pth")]
