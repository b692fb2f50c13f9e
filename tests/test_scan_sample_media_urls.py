"""A picture fetched from a model repository for a demo is a sample input, not the model (issue 10, precision).

In the style of an adapter project's test script: the adapter, the base model and the VAE are loaded
from the Hub, and the sketch to condition on is a JPEG kept in another model repository.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from modelclear.scan import ScanOptions, scan_path
from modelclear.scan.urls import match_url


def test_sample_picture_in_a_model_repository_is_not_a_reference(tmp_path: Path) -> None:
    (tmp_path / "test.py").write_text(textwrap.dedent('''\
        import torch
        from diffusers import AutoencoderKL, StableDiffusionXLAdapterPipeline, T2IAdapter
        from diffusers.utils import load_image

        adapter = T2IAdapter.from_pretrained("TencentARC/t2i-adapter-lineart-sdxl-1.0", torch_dtype=torch.float16)
        vae = AutoencoderKL.from_pretrained("madebyollin/sdxl-vae-fp16-fix", torch_dtype=torch.float16)
        url = "https://huggingface.co/Adapter/t2iadapter/resolve/main/figs_SDXLV1.0/org_lin.jpg"
        image = load_image(url)
        ckpt = "https://huggingface.co/Adapter/t2iadapter/resolve/main/models/t2iadapter_sketch_sd14v1.pth"
        state = torch.hub.load_state_dict_from_url(ckpt)
        '''), encoding="utf-8")
    found = sorted((r.line, r.id) for r in scan_path(tmp_path, ScanOptions(jobs=1)).references
                   if r.kind is None or r.kind.value != "package")
    assert found == [(5, "hf:TencentARC/t2i-adapter-lineart-sdxl-1.0"), (6, "hf:madebyollin/sdxl-vae-fp16-fix"),
                     (9, "hf:Adapter/t2iadapter"), (10, "hf:Adapter/t2iadapter")]


def test_media_files_of_hub_repositories_are_not_weight_addresses() -> None:
    base = "https://huggingface.co/org/model/resolve/main/"
    assert match_url(base + "samples/cat.png?download=true") is None
    assert match_url(base + "demo/voice.wav") is None
    hit = match_url(base + "jpg_encoder.bin")
    assert hit is not None and hit.id == "hf:org/model"
