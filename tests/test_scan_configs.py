"""Config formats of issue 10 cause 5: training recipes, LLaMA-Factory, NeMo, detectron2, LDM and OpenMMLab.

Each snippet is written the way such files are written in the wild (recipes of the alignment
handbook and axolotl, LLaMA-Factory examples, detectron2 and mmdet configs, Stable Diffusion
inference configs), with the values that must not become references next to those that must.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from modelclear.model import Reference
from modelclear.scan import ScanOptions, scan_path
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.config import ConfigScanner
from modelclear.scan.openmmlab import OpenMMLabScanner


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def config_refs(path: Path, root: Path | None = None) -> list[Reference]:
    ctx = ScanContext(root=root or path.parent)
    items = list(ConfigScanner().scan(path, path.read_bytes(), ctx))
    assert not [i for i in items if isinstance(i, ScanWarning)]
    return [i for i in items if isinstance(i, Reference)]


def found(refs: list[Reference]) -> set[tuple[str | None, int]]:
    return {(r.id, r.line) for r in refs}


# ------------------------------------------------------------------------------------------- recipes


def test_alignment_handbook_recipe_dataset_mixture_and_own_outputs(tmp_path: Path) -> None:
    cfg = write(tmp_path, "recipes/zephyr/sft/config_full.yaml", """
        # Model arguments
        model_name_or_path: mistralai/Mistral-7B-v0.1
        model_revision: main
        torch_dtype: bfloat16
        attn_implementation: flash_attention_2

        # Data training arguments
        chat_template: "{% for message in messages %}{{ message['content'] }}{% endfor %}"
        dataset_mixture:
          datasets:
            - id: HuggingFaceH4/ultrachat_200k
              config: default
              split: train_sft
              columns:
                - messages
              weight: 1.0
            - id: HuggingFaceH4/ultrachat_200k
              config: default
              split: test_sft
              weight: 1.0
          test_split_size: 2000
          seed: 0
        dataset_num_proc: 12

        # SFT trainer config
        bf16: true
        hub_model_id: zephyr-7b-sft-full
        hub_strategy: every_save
        output_dir: data/zephyr-7b-sft-full
        push_to_hub: true
    """)
    refs = config_refs(cfg)
    assert found(refs) == {("hf:mistralai/Mistral-7B-v0.1", 2), ("hf-dataset:HuggingFaceH4/ultrachat_200k", 11),
                           ("hf-dataset:HuggingFaceH4/ultrachat_200k", 17)}
    assert all(r.confidence == "medium" for r in refs)
    assert {r.loader for r in refs} == {"config:model_name_or_path", "config:datasets"}
    assert [r.evidence for r in refs if r.line == 11] == ["- id: HuggingFaceH4/ultrachat_200k"]


def test_trl_dataset_mixer_fractions_and_splits(tmp_path: Path) -> None:
    cfg = write(tmp_path, "recipes/zephyr-7b-beta/dpo/config_qlora.yaml", """
        model_name_or_path: alignment-handbook/zephyr-7b-sft-qlora
        torch_dtype: bfloat16
        use_peft: true
        lora_target_modules:
        - q_proj
        - k_proj

        # Data training arguments
        dataset_mixer:
          HuggingFaceH4/ultrafeedback_binarized: 1.0
          argilla/dpo-mix-7k: 0.5
        dataset_splits:
        - train_prefs
        - test_prefs
        preprocessing_num_workers: 12
        hub_model_id: HuggingFaceH4/zephyr-7b-dpo-qlora
    """)
    assert found(config_refs(cfg)) == {("hf:alignment-handbook/zephyr-7b-sft-qlora", 1),
                                       ("hf-dataset:HuggingFaceH4/ultrafeedback_binarized", 10),
                                       ("hf-dataset:argilla/dpo-mix-7k", 11)}


def test_axolotl_datasets_hub_local_and_builder(tmp_path: Path) -> None:
    cfg = write(tmp_path, "examples/llama-2/qlora.yml", """
        base_model: NousResearch/Llama-2-7b-hf
        model_type: LlamaForCausalLM
        tokenizer_type: LlamaTokenizer

        load_in_8bit: false
        load_in_4bit: true

        datasets:
          - path: mhenrichsen/alpaca_2k_test
            type: alpaca
          - path: ./data/my_chats.jsonl
            type: sharegpt
          - path: json
            data_files: data/extra.json
            type: alpaca
        dataset_prepared_path: last_run_prepared
        val_set_size: 0.05
        output_dir: ./outputs/qlora-out

        adapter: qlora
        wandb_project:
    """)
    refs = config_refs(cfg)
    assert found(refs) == {("hf:NousResearch/Llama-2-7b-hf", 1), ("hf-dataset:mhenrichsen/alpaca_2k_test", 9),
                           (None, 11), (None, 13)}
    local = [r for r in refs if r.id is None]
    assert {r.confidence for r in local} == {"low"}
    assert all("local dataset files" in r.note for r in local)


def test_llamafactory_names_resolved_through_dataset_info(tmp_path: Path) -> None:
    write(tmp_path, "data/dataset_info.json", """
        {
          "identity": {
            "file_name": "identity.json"
          },
          "alpaca_en": {
            "hf_hub_url": "llamafactory/alpaca_en",
            "ms_hub_url": "llamafactory/alpaca_en"
          },
          "belle_2m": {
            "ms_hub_url": "AI-ModelScope/train_2M_CN"
          }
        }
    """)
    cfg = write(tmp_path, "examples/train_lora/llama3_lora_sft.yaml", """
        ### model
        model_name_or_path: meta-llama/Meta-Llama-3-8B-Instruct
        trust_remote_code: true

        ### method
        stage: sft
        do_train: true
        finetuning_type: lora

        ### dataset
        dataset: identity,alpaca_en, belle_2m,not_defined
        template: llama3
        cutoff_len: 2048

        ### output
        output_dir: saves/llama3-8b/lora/sft
    """)
    refs = scan_path(tmp_path).references
    by_raw = {r.raw: r for r in refs if r.path.endswith("llama3_lora_sft.yaml")}
    assert by_raw["meta-llama/Meta-Llama-3-8B-Instruct"].id == "hf:meta-llama/Meta-Llama-3-8B-Instruct"
    assert by_raw["alpaca_en"].id == "hf-dataset:llamafactory/alpaca_en"
    assert by_raw["belle_2m"].id == "url:https://modelscope.cn/datasets/AI-ModelScope/train_2M_CN"
    assert by_raw["identity"].id is None and "local file identity.json" in by_raw["identity"].note
    assert by_raw["not_defined"].id is None and "not defined in data/dataset_info.json" in by_raw["not_defined"].note
    assert {r.line for r in by_raw.values() if r.raw != "meta-llama/Meta-Llama-3-8B-Instruct"} == {11}
    assert {r.path for r in by_raw.values()} == {cfg.relative_to(tmp_path).as_posix()}


def test_llamafactory_without_dataset_info_and_online(tmp_path: Path) -> None:
    cfg = write(tmp_path, "train.yaml", """
        model_name_or_path: Qwen/Qwen2-7B
        stage: dpo
        finetuning_type: lora
        dataset: dpo_en_demo
        dataset_dir: ONLINE_NOT
    """)
    refs = config_refs(cfg, tmp_path)
    assert found(refs) == {("hf:Qwen/Qwen2-7B", 1), (None, 4)}
    online = write(tmp_path, "online.yaml", """
        model_name_or_path: Qwen/Qwen2-7B
        stage: sft
        dataset: HuggingFaceH4/no_robots
        dataset_dir: ONLINE
    """)
    assert found(config_refs(online, tmp_path)) == {("hf:Qwen/Qwen2-7B", 1), ("hf-dataset:HuggingFaceH4/no_robots", 3)}


def test_plain_dataset_key_in_a_non_recipe_is_not_a_llamafactory_name(tmp_path: Path) -> None:
    cfg = write(tmp_path, "eval.yaml", """
        dataset: alpaca_eval
        split: test
        batch_size: 8
    """)
    assert config_refs(cfg) == []


def test_nemo_diarizer_model_paths(tmp_path: Path) -> None:
    cfg = write(tmp_path, "nemo_msdd_configs/diar_infer_meeting.yaml", """
        name: &name "ClusterDiarizer"
        num_workers: 1
        sample_rate: 16000
        diarizer:
          manifest_filepath: ???
          out_dir: ???
          oracle_vad: False # If True, uses RTTM files provided in the manifest file
          vad:
            model_path: vad_multilingual_marblenet # .nemo local model path or pretrained VAD model name
            external_vad_manifest: null
          speaker_embeddings:
            model_path: /models/titanet-l.nemo # .nemo local model path or pretrained model name
          msdd_model:
            model_path: null
          asr:
            model_path: nvidia/stt_en_fastconformer_ctc_large
    """)
    refs = config_refs(cfg)
    assert found(refs) == {("nemo:vad_multilingual_marblenet", 9), (None, 12),
                           ("hf:nvidia/stt_en_fastconformer_ctc_large", 16)}


# ------------------------------------------------------------------------------------------- model:


def test_model_key_hub_ids_but_not_hosted_api_models(tmp_path: Path) -> None:
    cfg = write(tmp_path, "chatdocs.yml", """
        embeddings:
          model: hkunlp/instructor-large

        llm: ctransformers

        ctransformers:
          model: TheBloke/Wizard-Vicuna-7B-Uncensored-GGML
          model_file: Wizard-Vicuna-7B-Uncensored.ggmlv3.q4_0.bin
          model_type: llama

        litellm:
          model: anthropic/claude-3-5-sonnet-20240620
        openai_llm:
          model: openai/gpt-4o-mini
        azure:
          model: my-org/gpt-deployment
          api_base: https://example.openai.azure.com
        retriever:
          model: all-MiniLM-L6-v2
        clip:
          model: openai/clip-vit-base-patch32
        weights:
          model: checkpoints/best
    """)
    refs = config_refs(cfg)
    assert found(refs) == {("hf:hkunlp/instructor-large", 2), ("hf:TheBloke/Wizard-Vicuna-7B-Uncensored-GGML", 7),
                           ("hf:openai/clip-vit-base-patch32", 21)}
    assert {r.confidence for r in refs} == {"low"}


# ---------------------------------------------------------------------------------------- detectron2


def test_detectron2_weights_and_registered_datasets(tmp_path: Path) -> None:
    base = write(tmp_path, "configs/Base-RCNN-FPN.yaml", """
        MODEL:
          META_ARCHITECTURE: "GeneralizedRCNN"
          WEIGHTS: "detectron2://ImageNetPretrained/MSRA/R-50.pkl"
          MASK_ON: False
          RESNETS:
            DEPTH: 50
        DATASETS:
          TRAIN: ("coco_2017_train", "my_shelves_train")
          TEST:  ("coco_2017_val",)
        SOLVER:
          IMS_PER_BATCH: 16
          BASE_LR: 0.02
        INPUT:
          MIN_SIZE_TRAIN: (640, 672, 704, 736, 768, 800)
        VERSION: 2
    """)
    refs = config_refs(base)
    assert found(refs) == {
        ("url:https://dl.fbaipublicfiles.com/detectron2/ImageNetPretrained/MSRA/R-50.pkl", 3),
        ("detectron2-dataset:coco_2017_train", 8), (None, 8), ("detectron2-dataset:coco_2017_val", 9)}
    project = [r for r in refs if r.id is None]
    assert project[0].raw == "my_shelves_train" and project[0].note == "dataset registered by the project"


def test_detectron2_catalog_lists_local_and_empty_weights(tmp_path: Path) -> None:
    cfg = write(tmp_path, "configs/mask_rcnn_X_101.yaml", """
        _BASE_: "Base-RCNN-FPN.yaml"
        MODEL:
          WEIGHTS: "catalog://ImageNetPretrained/FAIR/X-101-32x8d"
          PIXEL_STD: [57.375, 57.120, 58.395]
        DATASETS:
          TRAIN:
            - lvis_v1_train
          TEST: []
    """)
    assert found(config_refs(cfg)) == {
        ("url:https://dl.fbaipublicfiles.com/detectron/ImageNetPretrained/20171220/X-101-32x8d.pkl", 3),
        ("detectron2-dataset:lvis_v1_train", 7)}
    finetune = write(tmp_path, "configs/finetune.yaml", """
        _BASE_: "mask_rcnn_X_101.yaml"
        MODEL:
          WEIGHTS: "output/model_final.pth"
        SOLVER:
          MAX_ITER: 2000
    """)
    refs = config_refs(finetune)
    assert found(refs) == {(None, 3)} and refs[0].note == "local checkpoint"
    scratch = write(tmp_path, "configs/scratch.yaml", """
        _BASE_: "Base-RCNN-FPN.yaml"
        MODEL:
          WEIGHTS: ""
        SOLVER:
          MAX_ITER: 2000
    """)
    assert config_refs(scratch) == []


def test_uppercase_model_key_outside_detectron2_is_not_read(tmp_path: Path) -> None:
    cfg = write(tmp_path, "settings.yaml", """
        MODEL:
          WEIGHTS: "detectron2://ImageNetPretrained/MSRA/R-50.pkl"
    """)
    assert config_refs(cfg) == []


# ----------------------------------------------------------------------------------------------- LDM


def test_stable_diffusion_inference_config_encoders_and_checkpoints(tmp_path: Path) -> None:
    cfg = write(tmp_path, "configs/stable-diffusion/v1-inference.yaml", """
        model:
          base_learning_rate: 1.0e-04
          target: ldm.models.diffusion.ddpm.LatentDiffusion
          params:
            linear_start: 0.00085
            first_stage_key: "jpg"
            cond_stage_key: "txt"
            unet_config:
              target: ldm.modules.diffusionmodules.openaimodel.UNetModel
              params:
                image_size: 32
                in_channels: 4
            first_stage_config:
              target: ldm.models.autoencoder.AutoencoderKL
              params:
                embed_dim: 4
                ckpt_path: "models/first_stage_models/kl-f8/model.ckpt"
                lossconfig:
                  target: torch.nn.Identity
            cond_stage_config:
              target: ldm.modules.encoders.modules.FrozenCLIPEmbedder
    """)
    refs = config_refs(cfg)
    assert found(refs) == {(None, 17), ("hf:openai/clip-vit-large-patch14", 21)}
    clip = next(r for r in refs if r.id)
    assert clip.note == "default of ldm.modules.encoders.modules.FrozenCLIPEmbedder"


def test_sd2_and_sdxl_open_clip_encoders(tmp_path: Path) -> None:
    cfg = write(tmp_path, "configs/v2-inference.yaml", """
        model:
          target: ldm.models.diffusion.ddpm.LatentDiffusion
          params:
            ckpt_path: https://huggingface.co/stabilityai/stable-diffusion-2-1-base/resolve/main/v2-1_512-ema-pruned.ckpt
            cond_stage_config:
              target: ldm.modules.encoders.modules.FrozenOpenCLIPEmbedder
              params:
                freeze: True
                layer: "penultimate"
    """)
    assert found(config_refs(cfg)) == {("hf:stabilityai/stable-diffusion-2-1-base", 4),
                                       ("open_clip:ViT-H-14/laion2b_s32b_b79k", 6)}
    xl = write(tmp_path, "configs/sd_xl_base.yaml", """
        model:
          target: sgm.models.diffusion.DiffusionEngine
          params:
            conditioner_config:
              target: sgm.modules.GeneralConditioner
              params:
                emb_models:
                  - is_trainable: False
                    input_key: txt
                    target: sgm.modules.encoders.modules.FrozenCLIPEmbedder
                    params:
                      layer: hidden
                      layer_idx: 11
                  - is_trainable: False
                    input_key: txt
                    target: sgm.modules.encoders.modules.FrozenOpenCLIPEmbedder2
                    params:
                      arch: ViT-bigG-14
                      version: laion2b_s39b_b160k
                      freeze: True
    """)
    assert found(config_refs(xl)) == {("hf:openai/clip-vit-large-patch14", 10),
                                      ("open_clip:ViT-bigG-14/laion2b_s39b_b160k", 18)}


def test_target_of_an_unrelated_tool_is_not_an_ldm_object(tmp_path: Path) -> None:
    cfg = write(tmp_path, ".github/workflows/build.yml", """
        jobs:
          build:
            steps:
              - uses: docker/build-push-action@v5
                with:
                  target: production
                  ckpt_path: models/x.ckpt
    """)
    assert config_refs(cfg) == []


# ------------------------------------------------------------------------------------------ OpenMMLab


def _mm_tree(root: Path) -> None:
    write(root, "configs/_base_/datasets/coco_detection.py", """
        # dataset settings
        dataset_type = 'CocoDataset'
        data_root = 'data/coco/'
        img_norm_cfg = dict(
            mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)
        train_pipeline = [
            dict(type='LoadImageFromFile'),
            dict(type='LoadAnnotations', with_bbox=True),
            dict(type='Resize', img_scale=(1333, 800), keep_ratio=True),
        ]
        data = dict(
            samples_per_gpu=2,
            workers_per_gpu=2,
            train=dict(
                type=dataset_type,
                ann_file=data_root + 'annotations/instances_train2017.json',
                img_prefix=data_root + 'train2017/',
                pipeline=train_pipeline))
        evaluation = dict(interval=1, metric='bbox')
    """)
    write(root, "configs/_base_/datasets/ade20k.py", """
        dataset_type = 'ADE20KDataset'
        data_root = 'data/ade/ADEChallengeData2016'
        crop_size = (512, 512)
        train_dataloader = dict(
            batch_size=4,
            dataset=dict(
                type=dataset_type,
                data_root=data_root,
                data_prefix=dict(img_path='images/training', seg_map_path='annotations/training'),
                reduce_zero_label=True))
    """)
    write(root, "configs/_base_/models/faster_rcnn_r50_fpn.py", """
        model = dict(
            type='FasterRCNN',
            backbone=dict(
                type='ResNet',
                depth=50,
                num_stages=4,
                norm_cfg=dict(type='BN', requires_grad=True),
                init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
            neck=dict(type='FPN', in_channels=[256, 512, 1024, 2048], out_channels=256, num_outs=5))
    """)
    write(root, "configs/_base_/default_runtime.py", """
        checkpoint_config = dict(interval=1)
        log_level = 'INFO'
        load_from = None
        resume_from = None
    """)


def test_openmmlab_base_datasets_checkpoints_and_load_from(tmp_path: Path) -> None:
    _mm_tree(tmp_path)
    write(tmp_path, "configs/faster_rcnn/faster_rcnn_r50_fpn_1x_coco.py", """
        _base_ = [
            '../_base_/models/faster_rcnn_r50_fpn.py',
            '../_base_/datasets/coco_detection.py',
            '../_base_/schedules/schedule_1x.py', '../_base_/default_runtime.py'
        ]
    """)
    write(tmp_path, "configs/faster_rcnn/faster_rcnn_r101_caffe_fpn_1x_coco.py", """
        _base_ = './faster_rcnn_r50_fpn_1x_coco.py'
        model = dict(
            backbone=dict(
                depth=101,
                norm_cfg=dict(requires_grad=False),
                style='caffe',
                init_cfg=dict(
                    type='Pretrained',
                    checkpoint='open-mmlab://detectron2/resnet101_caffe')))
        load_from = 'work_dirs/faster_rcnn_r50/latest.pth'
    """)
    write(tmp_path, "configs/upernet/upernet_r50_ade20k.py", """
        _base_ = ['../_base_/datasets/ade20k.py', '../_base_/default_runtime.py']
        pretrained = 'open-mmlab://resnet50_v1c'
        model = dict(
            type='EncoderDecoder',
            pretrained=pretrained,
            backbone=dict(type='ResNetV1c', depth=50),
            decode_head=dict(type='UPerHead', num_classes=150))
    """)
    refs = [r for r in scan_path(tmp_path).references if r.loader.startswith("openmmlab")]
    got = {(r.path, r.line, r.id) for r in refs}
    assert got == {
        ("configs/_base_/datasets/coco_detection.py", 2, "mmdet-dataset:CocoDataset"),
        ("configs/_base_/datasets/ade20k.py", 1, "mmseg-dataset:ADE20KDataset"),
        ("configs/_base_/models/faster_rcnn_r50_fpn.py", 8, "torchvision:ResNet50_Weights.IMAGENET1K_V1"),
        ("configs/faster_rcnn/faster_rcnn_r50_fpn_1x_coco.py", 3, "mmdet-dataset:CocoDataset"),
        ("configs/faster_rcnn/faster_rcnn_r101_caffe_fpn_1x_coco.py", 1, "mmdet-dataset:CocoDataset"),
        ("configs/faster_rcnn/faster_rcnn_r101_caffe_fpn_1x_coco.py", 9,
         "url:https://download.openmmlab.com/pretrain/third_party/resnet101_msra-6cc46731.pth"),
        ("configs/faster_rcnn/faster_rcnn_r101_caffe_fpn_1x_coco.py", 10, None),
        ("configs/upernet/upernet_r50_ade20k.py", 1, "mmseg-dataset:ADE20KDataset"),
        ("configs/upernet/upernet_r50_ade20k.py", 5,
         "url:https://download.openmmlab.com/pretrain/third_party/resnet50_v1c-2cccc1ad.pth"),
    }
    via = next(r for r in refs if r.path.endswith("upernet_r50_ade20k.py") and r.line == 5)
    assert "through pretrained" in via.note and "open-mmlab://resnet50_v1c" in via.note
    inherited = next(r for r in refs if r.path.endswith("1x_coco.py") and r.line == 3)
    assert inherited.note == "dataset of coco_detection.py" and inherited.loader == "openmmlab:_base_"


def test_openmmlab_model_code_and_ordinary_scripts_are_not_configs(tmp_path: Path) -> None:
    code = write(tmp_path, "mmdet/models/backbones/resnet.py", """
        from mmcv.runner import BaseModule


        class ResNet(BaseModule):
            def __init__(self, depth, pretrained=None, init_cfg=None):
                super().__init__(init_cfg)
                if isinstance(pretrained, str):
                    self.init_cfg = dict(type='Pretrained', checkpoint=pretrained)
    """)
    script = write(tmp_path, "tools/train.py", """
        import argparse
        dataset_type = 'CocoDataset'
        if __name__ == '__main__':
            parser = argparse.ArgumentParser()
    """)
    scanner = OpenMMLabScanner()
    for path in (code, script):
        assert list(scanner.scan(path, path.read_bytes(), ScanContext(root=tmp_path))) == []
    broken = write(tmp_path, "configs/broken.py", "_base_ = ['../x.py'\n")
    assert list(scanner.scan(broken, broken.read_bytes(), ScanContext(root=tmp_path))) == []


def test_openmmlab_base_outside_the_tree_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    root = tmp_path / "repo"
    write(outside, "coco.py", "dataset_type = 'CocoDataset'\n")
    cfg = write(root, "configs/det.py", "_base_ = ['../../outside/coco.py']\nmodel = dict(type='RetinaNet')\n")
    (root / "configs" / "link.py").symlink_to(outside / "coco.py")
    linked = write(root, "configs/det2.py", "_base_ = ['./link.py']\nmodel = dict(type='RetinaNet')\n")
    scanner = OpenMMLabScanner()
    for path in (cfg, linked):
        assert list(scanner.scan(path, path.read_bytes(), ScanContext(root=root))) == []


# --------------------------------------------------------------------------------------------- Hydra


def test_hydra_group_files_with_project_targets(tmp_path: Path) -> None:
    write(tmp_path, "configs/train.yaml", """
        defaults:
          - _self_
          - data: imdb
          - model: distilbert
          - trainer: default

        seed: 12345
        task_name: "train"
    """)
    model = write(tmp_path, "configs/model/distilbert.yaml", """
        _target_: src.models.text_module.TextClassifierModule
        num_labels: 2
        net:
          _target_: src.models.components.hf_encoder.HFEncoder
          pretrained_model: distilbert/distilbert-base-uncased
          tokenizer: ${model.net.pretrained_model}
          dropout: 0.1
        optimizer:
          _target_: torch.optim.AdamW
          _partial_: true
          lr: 2e-5
    """)
    data = write(tmp_path, "configs/data/imdb.yaml", """
        _target_: src.data.imdb_datamodule.IMDBDataModule
        data_dir: ${paths.data_dir}
        tokenizer: bert-base-uncased
        batch_size: 32
    """)
    download = write(tmp_path, "configs/ckpt/fetch.yaml", """
        _target_: huggingface_hub.hf_hub_download
        repo_id: openai/whisper-small
        filename: model.safetensors
    """)
    refs = config_refs(model, tmp_path)
    # the tokenizer interpolates the composed config: model/ is the group the defaults list chose
    assert found(refs) == {("hf:distilbert/distilbert-base-uncased", 5), ("hf:distilbert/distilbert-base-uncased", 6)}
    assert {r.confidence for r in refs} == {"low"}
    assert {r.loader for r in refs} == {"hydra:src.models.components.hf_encoder.HFEncoder"}
    assert config_refs(data, tmp_path) == []  # a bare word under a project class's argument is not taken
    assert found(config_refs(download, tmp_path)) == {("hf:openai/whisper-small", 2)}


def test_openmmlab_base_cycles_end_and_fan_out_is_budgeted(tmp_path: Path) -> None:
    write(tmp_path, "configs/a.py", "_base_ = ['./b.py']\nmodel = dict(type='RetinaNet')\n")
    write(tmp_path, "configs/b.py", "_base_ = ['./a.py']\noptimizer = dict(type='SGD', lr=0.01)\n")
    cyc = write(tmp_path, "configs/c.py", "_base_ = ['./a.py']\nmodel = dict(type='RetinaNet')\n")
    scanner = OpenMMLabScanner()
    assert list(scanner.scan(cyc, cyc.read_bytes(), ScanContext(root=tmp_path))) == []
    names = [f"configs/parts/p{i}.py" for i in range(80)]
    for name in names:
        write(tmp_path, name, "optimizer = dict(type='SGD', lr=0.01)\n")
    write(tmp_path, "configs/parts/zz_coco.py", "dataset_type = 'CocoDataset'\n")
    entries = ", ".join(repr("./parts/" + Path(n).name) for n in names)
    wide = write(tmp_path, "configs/wide.py", f"_base_ = [{entries}, './parts/zz_coco.py']\n")
    items = list(scanner.scan(wide, wide.read_bytes(), ScanContext(root=tmp_path)))
    assert [i.code for i in items if isinstance(i, ScanWarning)] == ["budget"]
    assert [i for i in items if isinstance(i, Reference)] == []


def test_preference_tuning_reference_reward_and_adapter_models(tmp_path: Path) -> None:
    cfg = write(tmp_path, "examples/train_lora/llama3_lora_dpo.yaml", """
        ### model
        model_name_or_path: meta-llama/Meta-Llama-3-8B-Instruct
        adapter_name_or_path: saves/llama3-8b/lora/sft
        ref_model: meta-llama/Meta-Llama-3-8B-Instruct
        reward_model: saves/llama3-8b/lora/reward

        ### method
        stage: dpo
        finetuning_type: lora
        pref_beta: 0.1
    """)
    refs = config_refs(cfg)
    assert found(refs) == {("hf:meta-llama/Meta-Llama-3-8B-Instruct", 2), (None, 3),
                           ("hf:meta-llama/Meta-Llama-3-8B-Instruct", 4)}
    rlhf = write(tmp_path, "ppo.yaml", """
        pretrain: OpenRLHF/Llama-3-8b-sft-mixture
        reward_pretrain: OpenRLHF/Llama-3-8b-rm-mixture
        train_dataset_name: trl-lib/ultrafeedback_binarized
        eval_dataset_name: null
        save_path: ./checkpoint/llama-3-8b-rlhf
    """)
    assert found(config_refs(rlhf)) == {("hf:OpenRLHF/Llama-3-8b-sft-mixture", 1),
                                        ("hf:OpenRLHF/Llama-3-8b-rm-mixture", 2),
                                        ("hf-dataset:trl-lib/ultrafeedback_binarized", 3)}


def test_hydra_interpolation_across_groups_chosen_by_defaults(tmp_path: Path) -> None:
    write(tmp_path, "conf/config.yaml", """
        defaults:
          - _self_
          - backbone: roberta
          - override /trainer: gpu
          - optional extras: none
          - task@head: classify
        experiment: sst2
    """)
    write(tmp_path, "conf/backbone/roberta.yaml", """
        hub_id: FacebookAI/roberta-large
        revision: main
    """)
    write(tmp_path, "conf/backbone/bert.yaml", """
        hub_id: google-bert/bert-base-uncased
    """)
    model = write(tmp_path, "conf/model/classifier.yaml", """
        _target_: transformers.AutoModelForSequenceClassification.from_pretrained
        pretrained_model_name_or_path: ${backbone.hub_id}
        num_labels: 2
    """)
    missing = write(tmp_path, "conf/model/other.yaml", """
        _target_: transformers.AutoModel.from_pretrained
        pretrained_model_name_or_path: ${head.hub_id}
    """)
    assert found(config_refs(model, tmp_path)) == {("hf:FacebookAI/roberta-large", 2)}
    refs = config_refs(missing, tmp_path)
    assert found(refs) == {(None, 2)} and "interpolation" in refs[0].note


def test_recipe_lists_and_mixers_in_json_are_placed_on_their_lines(tmp_path: Path) -> None:
    cfg = write(tmp_path, "train_args.json", """
        {
          "model_name_or_path": "Qwen/Qwen2.5-1.5B",
          "dataset_mixer": {
            "HuggingFaceTB/smoltalk": 0.7,
            "allenai/tulu-3-sft-mixture": 0.3
          },
          "datasets": [
            {"path": "teknium/OpenHermes-2.5", "type": "sharegpt"}
          ],
          "output_dir": "runs/qwen-sft"
        }
    """)
    assert found(config_refs(cfg)) == {("hf:Qwen/Qwen2.5-1.5B", 2), ("hf-dataset:HuggingFaceTB/smoltalk", 4),
                                       ("hf-dataset:allenai/tulu-3-sft-mixture", 5),
                                       ("hf-dataset:teknium/OpenHermes-2.5", 8)}


def test_openmmlab_new_style_pure_python_config(tmp_path: Path) -> None:
    write(tmp_path, "mmdet/configs/_base_/datasets/coco_instance.py", """
        from mmcv.transforms import LoadImageFromFile
        from mmengine.dataset.sampler import DefaultSampler

        from mmdet.datasets import AspectRatioBatchSampler, CocoDataset
        from mmdet.datasets.transforms import LoadAnnotations, PackDetInputs

        # dataset settings
        dataset_type = CocoDataset
        data_root = 'data/coco/'

        train_dataloader = dict(
            batch_size=2,
            sampler=dict(type=DefaultSampler, shuffle=True),
            batch_sampler=dict(type=AspectRatioBatchSampler),
            dataset=dict(
                type=dataset_type,
                data_root=data_root,
                ann_file='annotations/instances_train2017.json'))
    """)
    cfg = write(tmp_path, "mmdet/configs/mask_rcnn/mask_rcnn_r50_fpn_1x_coco.py", """
        from mmengine.config import read_base

        with read_base():
            from .._base_.datasets.coco_instance import *
            from .._base_.default_runtime import *

        model.update(dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50'))))
    """)
    refs = [r for r in scan_path(tmp_path).references if r.loader.startswith("openmmlab")]
    assert {(r.path, r.line, r.id) for r in refs} == {
        ("mmdet/configs/_base_/datasets/coco_instance.py", 8, "mmdet-dataset:CocoDataset"),
        ("mmdet/configs/mask_rcnn/mask_rcnn_r50_fpn_1x_coco.py", 4, "mmdet-dataset:CocoDataset"),
        ("mmdet/configs/mask_rcnn/mask_rcnn_r50_fpn_1x_coco.py", 7, "torchvision:ResNet50_Weights.IMAGENET1K_V1"),
    }
    assert {r.path for r in refs if r.loader == "openmmlab:_base_"} == {cfg.relative_to(tmp_path).as_posix()}


def test_a_dataset_name_next_to_an_unrelated_template_key_is_not_llamafactory(tmp_path: Path) -> None:
    cfg = write(tmp_path, "eval/prompting.yaml", """
        template: chatml
        dataset: gsm8k,math
        stage: eval
    """)
    assert config_refs(cfg, tmp_path) == []


def test_code_file_paths_and_schema_examples_are_not_hub_ids(tmp_path: Path) -> None:
    """A refactoring guard mapping dotted function names to test files, and an API schema's example model,
    name no model: ``tests/test_x.py`` is a file path, ``default/not-specified`` a placeholder."""
    import json as _json

    (tmp_path / "patch_targets.json").write_text(_json.dumps({
        "core.inference.defaults.get_default_models": ["tests/test_warm_window_review_fixes.py"],
        "core.training.trainer.load_dataset": ["tests/test_training_preflight.py"],
    }, indent=2), encoding="utf-8")
    (tmp_path / "openapi.json").write_text(_json.dumps({
        "components": {"schemas": {"EmbeddingInput": {"properties": {
            "model": {"type": "string", "default": "default/not-specified"}}}}},
        "example": {"model": "default/not-specified", "input": ["hello"]},
    }, indent=2), encoding="utf-8")
    (tmp_path / "bench.json").write_text(_json.dumps({"model": "michaelfeil/bge-small-en-v1.5"}), encoding="utf-8")
    found = sorted((r.path, r.id) for r in scan_path(tmp_path, ScanOptions(jobs=1)).references if r.id)
    assert found == [("bench.json", "hf:michaelfeil/bge-small-en-v1.5")]


# ------------------------------------------------------------------------------- addresses, served models


def test_weight_and_data_addresses_under_any_key(tmp_path: Path) -> None:
    cfg = write(tmp_path, "configs/caption_coco.yaml", """
        image_root: '/export/share/datasets/vision/coco/images/'
        ann_root: 'annotation'
        # set pretrained as a file path or an url
        pretrained: 'https://storage.googleapis.com/sfr-vision-language-research/BLIP/models/model_base_caption.pth'
        vit: 'base'
        ckpt_path: https://example-lab.org/releases/v2/unet_512.ckpt
        shards:
          - https://example-lab.org/data/laion-part-00000.tar
        homepage: https://example-lab.org/projects/caption
        logo: https://example-lab.org/static/logo.png
    """)
    assert found(config_refs(cfg)) == {
        ("url:https://storage.googleapis.com/sfr-vision-language-research/BLIP/models/model_base_caption.pth", 4),
        ("url:https://example-lab.org/releases/v2/unet_512.ckpt", 6),
        ("url:https://example-lab.org/data/laion-part-00000.tar", 8)}
    ci = write(tmp_path, ".github/workflows/build.yml", """
        env:
          TOOL_URL: https://example-tools.org/releases/v1/tool-bundle.zip
    """)
    assert config_refs(ci) == []


def test_model_names_of_servers_the_deployment_runs_itself(tmp_path: Path) -> None:
    cfg = write(tmp_path, "models_config.yaml", """
        model_providers:
          - provider_name: local-ollama
            api_format: openai
            base_url: http://ollama-server:11434/v1/
            api_key_env_var: ""
            llm_model_ids:
              - "qwen2:1.5b"
          - provider_name: local-infinity
            api_format: openai
            base_url: http://infinity-server:7997/
            embedding_model_ids:
              - "mixedbread-ai/mxbai-embed-large-v1"
          - provider_name: openai
            api_format: openai
            base_url: https://api.openai.com/v1
            llm_model_ids:
              - "gpt-4o-mini"
              - "openai/gpt-4o"
          - provider_name: together
            base_url: https://api.together.xyz/v1
            llm_model_ids:
              - "meta-llama/Llama-3.3-70B-Instruct-Turbo"
    """)
    assert found(config_refs(cfg)) == {("ollama:qwen2:1.5b", 7), ("hf:mixedbread-ai/mxbai-embed-large-v1", 12)}


def test_yaml_document_mounted_as_a_literal_block_is_read_at_its_lines(tmp_path: Path) -> None:
    # a deployment that mounts a config file from a ``data: |`` block (truefoundry/cognita's truefoundry.yaml,
    # a Kubernetes ConfigMap): the block is the YAML file the application reads
    path = write(tmp_path, "deploy.yaml", """
        name: app
        mounts:
          - type: string
            mount_path: /models_config.yaml
            data: |
              model_providers:
                - provider_name: local-infinity
                  api_format: openai
                  base_url: http://infinity:7997
                  embedding_model_ids:
                    - "mixedbread-ai/mxbai-embed-large-v1"
          - type: string
            mount_path: /notes.txt
            data: |
              embedding_model_ids: written in prose, no YAML list here
              see mixedbread-ai/mxbai-embed-large-v1
        """)
    assert found(config_refs(path)) == {("hf:mixedbread-ai/mxbai-embed-large-v1", 11)}


def test_kubernetes_in_cluster_service_is_a_server_the_deployment_runs(tmp_path: Path) -> None:
    # NAME.NAMESPACE.svc.cluster.local is a service of the same cluster, like a compose service name: its model
    # ids are what that server loads; a public host stays a hosted API's
    path = write(tmp_path, "models_config.yaml", """
        model_providers:
          - provider_name: local-infinity
            base_url: http://cas-infinity.cognita-internal.svc.cluster.local:8000
            embedding_model_ids:
              - "mixedbread-ai/mxbai-embed-large-v1"
          - provider_name: whisper
            base_url: http://cas-whisper.apps.svc:8000
            audio_model_ids:
              - "Systran/faster-distil-whisper-large-v3"
          - provider_name: hosted
            base_url: https://api.example.com/v1
            embedding_model_ids:
              - "mixedbread-ai/mxbai-rerank-xsmall-v1"
        """)
    assert found(config_refs(path)) == {("hf:mixedbread-ai/mxbai-embed-large-v1", 5),
                                        ("hf:Systran/faster-distil-whisper-large-v3", 9)}
