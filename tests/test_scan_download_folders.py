"""Local folders a Hub download fills, and local copies named like a Hub repository (issue 10, item 8).

Snippets in the style of TTS and diffusion projects: a notebook downloads a repository with the ``hf`` CLI
into ``checkpoints/<name>``, and the web UI flags, the fine-tuning config and the tools' defaults then read
from that folder; a training config points at a local copy of the base model the app loads from the Hub.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from modelclear.scan import ScanOptions, scan_path


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def notebook(*cells: tuple[str, str]) -> str:
    return json.dumps({"cells": [{"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True),
                                  **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                                 for kind, source in cells],
                       "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


def refs_of(root: Path, loader: str) -> list[tuple[str, int, str | None]]:
    result = scan_path(root, ScanOptions(jobs=1))
    return sorted((r.path, r.line, r.id) for r in result.references if r.loader == loader)


def raw_line(root: Path, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def test_paths_under_a_folder_the_hf_cli_downloads_into(tmp_path: Path) -> None:
    write(tmp_path, {
        "inference.ipynb": notebook(
            ("markdown", "## Download the weights\n"),
            ("code", "!hf download fishaudio/openaudio-s1-mini --local-dir checkpoints/openaudio-s1-mini/"),
            ("code", "!python tools/run_webui.py \\\n"
                     "    --llama-checkpoint-path checkpoints/openaudio-s1-mini \\\n"
                     "    --decoder-checkpoint-path checkpoints/openaudio-s1-mini/codec.pth\n"),
            ("markdown", "Weights live in checkpoints/openaudio-s1-mini after the download.\n"),
        ),
        "fish_speech/configs/text2semantic_finetune.yaml": """\
            pretrained_ckpt_path: checkpoints/openaudio-s1-mini
            project: mini
            """,
        "tools/extract_vq.py": """\
            import torch


            def get_model(config_name: str = "modded_dac_vq",
                          checkpoint_path: str = "checkpoints/openaudio-s1-mini/codec.pth"):
                # checkpoints/openaudio-s1-mini/old.pth was the v1 layout
                return torch.load(checkpoint_path, map_location="cpu")
            """,
        "tools/finetune.sh": """\
            python train.py --base checkpoints/openaudio-s1-mini \\
                --output_dir checkpoints/openaudio-s1-mini
            """,
    })
    nb_flag = raw_line(tmp_path, "inference.ipynb", "--llama-checkpoint-path")
    nb_codec = raw_line(tmp_path, "inference.ipynb", "--decoder-checkpoint-path")
    rid = "hf:fishaudio/openaudio-s1-mini"
    assert refs_of(tmp_path, "local-folder") == sorted([
        ("fish_speech/configs/text2semantic_finetune.yaml", 1, rid),
        ("inference.ipynb", nb_flag, rid),
        ("inference.ipynb", nb_codec, rid),
        ("tools/extract_vq.py", 5, rid),
        ("tools/finetune.sh", 1, rid),  # read as the base model; the --output_dir line is a write
    ])


def test_git_clone_folder_and_generic_or_ambiguous_destinations(tmp_path: Path) -> None:
    write(tmp_path, {
        "setup.sh": """\
            git lfs install
            git clone https://huggingface.co/stabilityai/sd-vae-ft-mse
            git clone https://huggingface.co/openai/clip-vit-large-patch14 models
            huggingface-cli download org-a/tagger-v2 --local-dir weights/tagger
            huggingface-cli download org-b/tagger-v3 --local-dir weights/tagger
            """,
        "app.py": """\
            from diffusers import AutoencoderKL
            from transformers import CLIPModel

            vae = AutoencoderKL.from_pretrained("./sd-vae-ft-mse")
            clip = CLIPModel.from_pretrained("models/clip")
            tagger = "weights/tagger/model.onnx"
            """,
    })
    # the clone's own folder is the repository; "models" is too generic and weights/tagger is filled by two
    assert refs_of(tmp_path, "local-folder") == [("app.py", 4, "hf:stabilityai/sd-vae-ft-mse")]


def test_snapshot_download_local_dir(tmp_path: Path) -> None:
    write(tmp_path, {
        "download.py": """\
            from huggingface_hub import snapshot_download

            snapshot_download(repo_id="h94/IP-Adapter", local_dir="pretrained/ip_adapter_weights")
            """,
        "configs/infer.yaml": """\
            image_encoder_path: pretrained/ip_adapter_weights/models/image_encoder
            ip_ckpt: pretrained/ip_adapter_weights/models/ip-adapter_sd15.bin
            save_dir: pretrained/ip_adapter_weights/samples
            """,
    })
    assert refs_of(tmp_path, "local-folder") == [
        ("configs/infer.yaml", 1, "hf:h94/IP-Adapter"),
        ("configs/infer.yaml", 2, "hf:h94/IP-Adapter"),
    ]


def test_training_config_names_a_local_copy_of_the_base_model(tmp_path: Path) -> None:
    write(tmp_path, {
        "scripts/animate.py": """\
            import argparse

            from transformers import CLIPTokenizer

            parser = argparse.ArgumentParser()
            parser.add_argument("--pretrained-model-path", type=str, default="runwayml/stable-diffusion-v1-5")
            args = parser.parse_args()
            tokenizer = CLIPTokenizer.from_pretrained(args.pretrained_model_path, subfolder="tokenizer")
            """,
        "configs/training/image_finetune.yaml": """\
            output_dir: "outputs/stable-diffusion-v1-5"
            pretrained_model_path: "models/StableDiffusion/stable-diffusion-v1-5"
            unet_checkpoint_path: ""
            train_data:
              csv_path: "data/stable-diffusion-v1-5.csv"
            """,
        "configs/training/other.yaml": """\
            pretrained_model_path: "models/StableDiffusion/my-finetune-v2"
            """,
    })
    assert refs_of(tmp_path, "local-folder-name") == [
        ("configs/training/image_finetune.yaml", 2, "hf:runwayml/stable-diffusion-v1-5"),
    ]


def test_upload_notebook_cloning_its_own_repo_reads_nothing_from_it(tmp_path: Path) -> None:
    """Cloning one's own new repository to push a model: moving into it, copying into it and the cells'
    printed outputs are not loads of it."""
    nb = json.loads(notebook(
        ("code", "!transformers-cli repo create policy-distilbert-7d"),
        ("code", "!git clone https://huggingface.co/julien-c/policy-distilbert-7d"),
        ("code", "%cd policy-distilbert-7d\n!cp ../model/* policy-distilbert-7d/\n"
                 "model.save_pretrained(\"policy-distilbert-7d\")\n!git add . && git push"),
    ))
    nb["cells"][1]["outputs"] = [{"name": "stdout", "output_type": "stream",
                                  "text": ["Cloning into 'policy-distilbert-7d'...\n",
                                           "drwxr-xr-x 3 root root 4096 policy-distilbert-7d/config.json\n"]}]
    (tmp_path / "upload_hf_model.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")
    assert refs_of(tmp_path, "local-folder") == []
