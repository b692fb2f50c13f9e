"""A registry kept in another project module and read through an accessor function of that module (issue
10, registries): `get_pretrained_url(name, tag)` returning `_PRETRAINED[name][tag]`, a table of tables
written with `dict(openai="https://...")`, as OpenCLIP-derived code keeps its weights. Each value is
reported once, at its entry's line, not again at every call of the download helper. Real files, one job."""

from __future__ import annotations

from pathlib import Path

from projecttree import write

from modelclear.scan import scan_path
from modelclear.scan.base import ScanOptions

PROJECT = {
    "audioclip/__init__.py": "",
    "audioclip/pretrained.py": '''
        import os
        import urllib.request

        _RN50 = dict(
            yfcc15m="https://github.com/mlfoundations/open_clip/releases/download/v0.2-weights/rn50-quickgelu-yfcc15m-455df137.pt",
            cc12m="https://github.com/mlfoundations/open_clip/releases/download/v0.2-weights/rn50-quickgelu-cc12m-f000538c.pt",
        )

        _VITB32 = dict(
            laion400m_e32="https://github.com/mlfoundations/open_clip/releases/download/v0.2-weights/vit_b_32-quickgelu-laion400m_e32-46683a32.pt",
        )

        _PRETRAINED = {
            "RN50": _RN50,
            "ViT-B-32": _VITB32,
        }


        def get_pretrained_url(model: str, tag: str):
            if model not in _PRETRAINED:
                return ""
            model_pretrained = _PRETRAINED[model]
            if tag not in model_pretrained:
                return ""
            return model_pretrained[tag]


        def download_pretrained(url: str, root: str = os.path.expanduser("~/.cache/clip")):
            os.makedirs(root, exist_ok=True)
            target = os.path.join(root, os.path.basename(url))
            urllib.request.urlretrieve(url, target)
            return target
        ''',
    "audioclip/factory.py": '''
        import torch

        from .pretrained import download_pretrained, get_pretrained_url


        def create_model(model_name: str, pretrained: str = "", cache_dir: str = "~/.cache/clip"):
            model = None
            if pretrained:
                url = get_pretrained_url(model_name, pretrained)
                if url:
                    checkpoint_path = download_pretrained(url, root=cache_dir)
                    model = torch.load(checkpoint_path, map_location="cpu")
            return model
        ''',
}

URLS = {
    5: "rn50-quickgelu-yfcc15m-455df137.pt",
    6: "rn50-quickgelu-cc12m-f000538c.pt",
    10: "vit_b_32-quickgelu-laion400m_e32-46683a32.pt",
}


def test_values_read_through_an_accessor_are_reported_at_their_entries_only(tmp_path: Path) -> None:
    write(tmp_path, PROJECT)
    refs = [r for r in scan_path(tmp_path, ScanOptions(jobs=1)).references
            if r.id is not None and not r.id.startswith("pypi:")]
    assert not [r for r in refs if r.path == "audioclip/factory.py"], [(r.line, r.id) for r in refs]
    at_entries = sorted({(r.line, r.id) for r in refs if r.path == "audioclip/pretrained.py"})
    expected = sorted((line, "url:https://github.com/mlfoundations/open_clip/releases/download/v0.2-weights/" + name)
                      for line, name in URLS.items())
    assert at_entries == expected


LOADER_PROJECT = {
    "detkit/__init__.py": "",
    "detkit/main.py": '''
        import os

        import requests

        HOSTED_MODELS = {
            "detkit-base.pth": "https://storage.googleapis.com/detkit/detkit-base.pth",
            "detkit-large.pth": "https://storage.googleapis.com/detkit/detkit-large.pth",
        }


        def download_file(url, filename):
            with open(filename, "wb") as f:
                f.write(requests.get(url, timeout=60).content)


        def download_pretrain_weights(pretrain_weights: str, redownload=False):
            if pretrain_weights in HOSTED_MODELS:
                if redownload or not os.path.exists(pretrain_weights):
                    download_file(HOSTED_MODELS[pretrain_weights], pretrain_weights)
        ''',
    "detkit/detr.py": '''
        from detkit.main import download_pretrain_weights


        class BaseConfig:
            pretrain_weights: str = "detkit-base.pth"


        class LargeConfig(BaseConfig):
            pretrain_weights: str = "detkit-large.pth"


        class Detector:
            def __init__(self, config: BaseConfig):
                self.model_config = config
                download_pretrain_weights(self.model_config.pretrain_weights)
        ''',
}


def test_a_helper_that_loads_and_returns_nothing_keeps_its_values_at_the_call(tmp_path: Path) -> None:
    """`download_pretrain_weights(name)` downloads `HOSTED_MODELS[name]` itself: the name was chosen at the
    call, so the values stay reported in the calling module (at the config defaults that name them)."""
    write(tmp_path, LOADER_PROJECT)
    refs = {(r.path, r.line, r.id) for r in scan_path(tmp_path, ScanOptions(jobs=1)).references if r.id}
    in_detr = {ref_id for path, _line, ref_id in refs if path == "detkit/detr.py"}
    assert in_detr == {f"url:https://storage.googleapis.com/detkit/{name}"
                       for name in ("detkit-base.pth", "detkit-large.pth")}, sorted(refs)
