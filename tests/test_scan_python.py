"""The Python scanner: loader families, value resolution, negatives, robustness, fixture projects."""

from __future__ import annotations

import ast
import datetime as dt
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from modelclear import ids
from modelclear.model import Kind, Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.builders import BUILDERS
from modelclear.scan.builders.base import looks_local
from modelclear.scan.pyloaders import load_table
from modelclear.scan.pyregistry import move_to_imported_registries
from modelclear.scan.python import (
    PREFILTER,
    PythonScanner,
    collect_module_constants,
    decode_python,
    module_name_for,
    scan_python_source,
)
from modelclear.scan.pyvalues import OneOf, QName, UnknownValue

#: Id builders that read the id from an argument (the others build it from the callee).
ARG_BUILDERS = {"hf", "pipeline", "torchvision_get_model", "torchvision_weight", "torchhub", "url", "timm",
                "open_clip", "ultralytics", "detectron2", "hf_dataset", "tfds"}
FIXTURES = Path(__file__).parent / "fixtures" / "projects"
PROJECTS = ("hf_train_run_glue", "vision_training", "llm_app", "diffusion_app", "misc_loaders")


def scan(source: str, project: dict[str, dict[str, object]] | None = None,
         root: Path | None = None) -> list[Reference | ScanWarning]:
    ctx = ScanContext(root=root or Path("/nonexistent-root"), project_constants=project or {})
    return scan_python_source(textwrap.dedent(source), "m.py", ctx)


def refs(source: str, **kw: object) -> list[Reference]:
    out = scan(source, **kw)  # type: ignore[arg-type]
    assert not [w for w in out if isinstance(w, ScanWarning)], out
    return [r for r in out if isinstance(r, Reference)]


def found_ids(source: str, **kw: object) -> set[str | None]:
    return {r.id for r in refs(source, **kw)}


# --------------------------------------------------------------------------------- loader families

POSITIVE: list[tuple[str, str, set[str | None]]] = [
    ("torchvision enum", """
        from torchvision.models import resnet50, ResNet50_Weights
        m = resnet50(weights=ResNet50_Weights.IMAGENET1K_V2)
     """, {"torchvision:ResNet50_Weights.IMAGENET1K_V2"}),
    ("torchvision DEFAULT enum via module alias", """
        import torchvision.models as tvm
        m = tvm.resnet50(weights=tvm.ResNet50_Weights.DEFAULT)
     """, {"torchvision:ResNet50_Weights.DEFAULT"}),
    ("torchvision string weights", """
        import torchvision
        m = torchvision.models.resnet50(weights="IMAGENET1K_V1")
        n = torchvision.models.efficientnet_b0(weights="DEFAULT")
     """, {"torchvision:ResNet50_Weights.IMAGENET1K_V1", "torchvision:EfficientNet_B0_Weights.DEFAULT"}),
    ("torchvision legacy pretrained", """
        from torchvision import models
        a = models.resnet18(pretrained=True)
        b = models.densenet121(True)
        c = models.detection.fasterrcnn_resnet50_fpn(pretrained=True)
     """, {"torchvision:ResNet18_Weights.IMAGENET1K_V1", "torchvision:DenseNet121_Weights.IMAGENET1K_V1",
           "torchvision:FasterRCNN_ResNet50_FPN_Weights.COCO_V1"}),
    ("torchvision get_model / get_weight", """
        from torchvision.models import get_model, get_weight
        m = get_model("resnet50", weights="DEFAULT")
        w = get_weight("ResNet50_Weights.IMAGENET1K_V2")
     """, {"torchvision:ResNet50_Weights.DEFAULT", "torchvision:ResNet50_Weights.IMAGENET1K_V2"}),
    ("torchvision weights enum get_state_dict", """
        from torchvision.models import ViT_B_16_Weights
        sd = ViT_B_16_Weights.IMAGENET1K_SWAG_E2E_V1.get_state_dict(progress=True)
     """, {"torchvision:ViT_B_16_Weights.IMAGENET1K_SWAG_E2E_V1"}),
    ("torch.hub.load strips the ref", """
        import torch
        m = torch.hub.load("pytorch/vision:v0.10.0", "resnet18", pretrained=True)
     """, {"torchhub:pytorch/vision:resnet18"}),
    ("a plain download of a TensorFlow frozen graph (.tfmodel) is a model file", """
        import urllib.request
        urllib.request.urlretrieve("https://example.org/vgg16/vgg16.tfmodel", "vgg16.tfmodel")
     """, {"url:https://example.org/vgg16/vgg16.tfmodel"}),
    ("load_state_dict_from_url / model_zoo", """
        import torch
        from torch.utils import model_zoo
        a = torch.hub.load_state_dict_from_url("https://example.org/w/model.pth")
        b = model_zoo.load_url("https://example.org/w/other.pth")
     """, {"url:https://example.org/w/model.pth", "url:https://example.org/w/other.pth"}),
    ("timm pretrained", """
        import timm
        a = timm.create_model("resnet50.a1_in1k", pretrained=True)
        b = timm.create_model("hf-hub:timm/vit_base_patch16_224.augreg2_in21k_ft_in1k", pretrained=True)
        c = timm.models.resnet18(pretrained=True)
     """, {"timm:resnet50.a1_in1k", "hf:timm/vit_base_patch16_224.augreg2_in21k_ft_in1k", "timm:resnet18"}),
    ("transformers auto classes and tokenizer", """
        from transformers import AutoModel, AutoTokenizer, BertForSequenceClassification
        t = AutoTokenizer.from_pretrained("google-bert/bert-base-uncased")
        m = BertForSequenceClassification.from_pretrained(pretrained_model_name_or_path="bert-base-cased")
     """, {"hf:google-bert/bert-base-uncased", "hf:bert-base-cased"}),
    ("pipeline with model and task default", """
        from transformers import pipeline
        a = pipeline("text-generation", model="openai-community/gpt2-medium")
        b = pipeline("sentiment-analysis")
        c = pipeline(task="translation_en_to_de")
     """, {"hf:openai-community/gpt2-medium", "hf:distilbert/distilbert-base-uncased-finetuned-sst-2-english",
           "hf:google-t5/t5-base"}),
    ("diffusers", """
        from diffusers import DiffusionPipeline, StableDiffusionPipeline
        a = DiffusionPipeline.from_pretrained("stabilityai/sdxl-turbo")
        b = StableDiffusionPipeline.from_pretrained("runwayml/stable-diffusion-v1-5")
        b.load_lora_weights("ostris/ikea-instructions-lora-sdxl")
     """, {"hf:stabilityai/sdxl-turbo", "hf:runwayml/stable-diffusion-v1-5", "hf:ostris/ikea-instructions-lora-sdxl"}),
    ("sentence-transformers", """
        from sentence_transformers import SentenceTransformer, CrossEncoder
        a = SentenceTransformer("all-MiniLM-L6-v2")
        b = SentenceTransformer("bert-base-uncased")
        c = SentenceTransformer("BAAI/bge-m3")
        d = CrossEncoder("cross-encoder/ms-marco-MiniLM-L-6-v2")
     """, {"hf:sentence-transformers/all-MiniLM-L6-v2", "hf:bert-base-uncased", "hf:BAAI/bge-m3",
           "hf:cross-encoder/ms-marco-MiniLM-L-6-v2"}),
    ("huggingface_hub", """
        from huggingface_hub import hf_hub_download, snapshot_download
        a = hf_hub_download(repo_id="TheBloke/Llama-2-7B-GGUF", filename="llama-2-7b.Q4_K_M.gguf")
        b = snapshot_download("HuggingFaceFW/fineweb-edu", repo_type="dataset")
        c = snapshot_download(repo_id="some-org/space", repo_type="space")
     """, {"hf:TheBloke/Llama-2-7B-GGUF", "hf-dataset:HuggingFaceFW/fineweb-edu"}),
    ("peft adapter and base", """
        from peft import PeftModel, AutoPeftModelForCausalLM
        from transformers import AutoModelForCausalLM
        base = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-2-7b-hf")
        model = PeftModel.from_pretrained(base, "timdettmers/guanaco-7b")
        other = AutoPeftModelForCausalLM.from_pretrained("ybelkada/opt-350m-lora")
     """, {"hf:meta-llama/Llama-2-7b-hf", "hf:timdettmers/guanaco-7b", "hf:ybelkada/opt-350m-lora"}),
    ("open_clip and OpenAI clip", """
        import open_clip, clip
        a, _, p = open_clip.create_model_and_transforms("ViT-B-32", pretrained="laion2b_s34b_b79k")
        b = open_clip.create_model("hf-hub:laion/CLIP-ViT-g-14-laion2B-s12B-b42K")
        c, p2 = clip.load("ViT-B/32")
        d, p3 = clip.load("RN50")
     """, {"open_clip:ViT-B-32/laion2b_s34b_b79k", "hf:laion/CLIP-ViT-g-14-laion2B-s12B-b42K",
           "open_clip:ViT-B-32/openai", "open_clip:RN50/openai"}),
    ("whisper", """
        import whisper
        a = whisper.load_model("base")
        b = whisper.load_model("large-v3")
     """, {"whisper:base", "whisper:large-v3"}),
    ("keras applications", """
        import tensorflow as tf
        from keras.applications import Xception
        from tensorflow.keras.applications.resnet50 import ResNet50
        a = tf.keras.applications.VGG16(weights="imagenet")
        b = Xception()
        c = ResNet50(include_top=False)
     """, {"keras:VGG16", "keras:Xception", "keras:ResNet50"}),
    ("ultralytics", """
        from ultralytics import YOLO, RTDETR, SAM, FastSAM, NAS
        a = YOLO("yolov8n.pt")
        b = YOLO("yolo11s-seg.pt")
        c = RTDETR("rtdetr-x.pt")
        d = SAM("sam2.1_b.pt")
        e = FastSAM("FastSAM-s.pt")
        f = NAS("yolo_nas_m.pt")
     """, {"ultralytics:yolov8n", "ultralytics:yolo11s-seg", "ultralytics:rtdetr-x", "ultralytics:sam2.1_b",
           "ultralytics:FastSAM-s", "ultralytics:yolo_nas_m"}),
    ("ultralytics local weights", """
        from ultralytics import YOLO
        m = YOLO("runs/detect/train/weights/best.pt")
        n = YOLO("custom_v3.pt")
     """, {None}),
    ("detectron2 model zoo", """
        from detectron2 import model_zoo
        a = model_zoo.get_config_file("COCO-Detection/retinanet_R_50_FPN_1x.yaml")
        b = model_zoo.get_checkpoint_url("COCO-Keypoints/keypoint_rcnn_R_50_FPN_3x.yaml")
        c = model_zoo.get("LVISv0.5-InstanceSegmentation/mask_rcnn_R_50_FPN_1x.yaml", trained=True)
     """, {"detectron2:COCO-Detection/retinanet_R_50_FPN_1x", "detectron2:COCO-Keypoints/keypoint_rcnn_R_50_FPN_3x",
           "detectron2:LVISv0.5-InstanceSegmentation/mask_rcnn_R_50_FPN_1x"}),
    ("spacy", """
        import spacy
        import de_core_news_md
        a = spacy.load("en_core_web_sm")
        b = de_core_news_md.load()
     """, {"spacy:en_core_web_sm", "spacy:de_core_news_md"}),
    ("datasets", """
        from datasets import load_dataset
        import datasets
        a = load_dataset("glue", "mrpc")
        b = datasets.load_dataset("HuggingFaceH4/ultrachat_200k", split="train_sft")
     """, {"hf-dataset:glue", "hf-dataset:HuggingFaceH4/ultrachat_200k"}),
    ("torchvision datasets", """
        import torchvision
        from torchvision.datasets import MNIST
        a = torchvision.datasets.CIFAR10("./data", download=True)
        b = MNIST(root="data")
     """, {"torchvision-dataset:CIFAR10", "torchvision-dataset:MNIST"}),
    ("tfds and keras datasets", """
        import tensorflow_datasets as tfds
        from tensorflow import keras
        from keras.datasets import fashion_mnist
        a = tfds.load("mnist", split="train")
        b = tfds.builder("imagenet2012")
        c = keras.datasets.mnist.load_data()
        d = fashion_mnist.load_data()
     """, {"tfds:mnist", "tfds:imagenet2012", "keras-dataset:mnist", "keras-dataset:fashion_mnist"}),
    ("llm app frameworks", """
        from vllm import LLM
        from langchain_huggingface import HuggingFaceEmbeddings
        a = LLM(model="Qwen/Qwen2.5-7B-Instruct")
        b = HuggingFaceEmbeddings(model_name="BAAI/bge-base-en-v1.5")
     """, {"hf:Qwen/Qwen2.5-7B-Instruct", "hf:BAAI/bge-base-en-v1.5"}),
]


@pytest.mark.parametrize(("source", "expected"), [(s, e) for _, s, e in POSITIVE], ids=[n for n, _, _ in POSITIVE])
def test_loader_family_positive(source: str, expected: set[str | None]) -> None:
    assert found_ids(source) == expected


NEGATIVE: list[tuple[str, str]] = [
    ("torchvision pretrained=False / weights=None / nothing", """
        from torchvision import models
        a = models.resnet18(pretrained=False)
        b = models.resnet50(weights=None)
        c = models.vgg16()
        d = models.get_model("resnet50")
     """),
    ("torchvision's own builder code: the decorator and private helper modules are not builders", """
        from torchvision.models._utils import handle_legacy_interface
        from torchvision.models.resnet import ResNet50_Weights
        import torchvision.models._utils as tvu

        @handle_legacy_interface(weights=("pretrained", ResNet50_Weights.IMAGENET1K_V1))
        def resnet50(*, weights=None, **kwargs):
            return tvu.kwonly_to_pos_or_kw(weights=weights)
     """),
    ("timm without pretrained", """
        import timm
        a = timm.create_model("resnet50")
        b = timm.create_model("resnet50", pretrained=False)
     """),
    ("torch.hub pretrained=False", """
        import torch
        m = torch.hub.load("ultralytics/yolov5", "yolov5s", pretrained=False)
     """),
    ("keras weights=None", """
        from tensorflow.keras.applications import ResNet50
        from tensorflow.keras.applications.resnet50 import preprocess_input
        m = ResNet50(weights=None)
        x = preprocess_input(1)
     """),
    ("open_clip without tag", """
        import open_clip
        m = open_clip.create_model("ViT-B-32")
        n = open_clip.create_model_and_transforms("ViT-L-14", pretrained=None)
     """),
    ("ultralytics yaml", """
        from ultralytics import YOLO
        m = YOLO("yolov8n.yaml")
     """),
    ("detectron2 untrained", """
        from detectron2 import model_zoo
        m = model_zoo.get("COCO-Detection/faster_rcnn_R_50_FPN_3x.yaml")
     """),
    ("datasets packaged builders", """
        from datasets import load_dataset
        a = load_dataset("csv", data_files="train.csv")
        b = load_dataset("json", data_files={"train": "x.jsonl"})
        c = load_dataset("imagefolder", data_dir="imgs")
     """),
    ("documentation, comments, print, logging, help", '''
        """Use bert-base-uncased: AutoModel.from_pretrained("bert-base-uncased")."""
        import argparse, logging
        from transformers import AutoModel
        # model = AutoModel.from_pretrained("gpt2")
        print('AutoModel.from_pretrained("roberta-base")')
        logging.info("try google/flan-t5-base")
        p = argparse.ArgumentParser()
        p.add_argument("--x", help="e.g. distilbert-base-uncased")
        NAMES = ["t5-small"]
     '''),
    ("spacy blank and unrelated load", """
        import spacy, json, pickle
        nlp = spacy.blank("en")
        data = json.load(open("x.json"))
     """),
    ("local functions that shadow loader names", """
        def pipeline(x):
            return x
        def load_dataset(name):
            return name
        a = pipeline("sentiment-analysis")
        b = load_dataset("glue")
     """),
    ("ignore comment", """
        from transformers import AutoModel
        m = AutoModel.from_pretrained("gpt2")  # modelclear: ignore
        n = AutoModel.from_pretrained(
            "gpt2-large",
        )  # modelclear: ignore
     """),
]


@pytest.mark.parametrize("source", [s for _, s in NEGATIVE], ids=[n for n, _ in NEGATIVE])
def test_loader_family_negative(source: str) -> None:
    assert refs(source) == []


# ---------------------------------------------------------------------------------- value resolution

VALUES: list[tuple[str, str, set[str | None], str]] = [
    ("module constant", """
        from transformers import AutoModel
        NAME = "gpt2"
        m = AutoModel.from_pretrained(NAME)
     """, {"hf:gpt2"}, "medium"),
    ("class constant and self attribute", """
        from transformers import AutoModel
        class C:
            MODEL = "gpt2"
            def __init__(self):
                self.other = "distilgpt2"
            def load(self):
                return AutoModel.from_pretrained(self.MODEL), AutoModel.from_pretrained(self.other)
     """, {"hf:gpt2", "hf:distilgpt2"}, "medium"),
    ("function default and call-site arguments", """
        from transformers import AutoModel
        def load(name="gpt2"):
            return AutoModel.from_pretrained(name)
        def load2(name="never-used"):
            return AutoModel.from_pretrained(name)
        load2("facebook/opt-125m")
     """, {"hf:gpt2", "hf:facebook/opt-125m"}, "medium"),
    ("argparse default with dashes", """
        import argparse
        from transformers import AutoModel
        p = argparse.ArgumentParser()
        p.add_argument("--model-name-or-path", default="roberta-large")
        args = p.parse_args()
        m = AutoModel.from_pretrained(args.model_name_or_path)
     """, {"hf:roberta-large"}, "medium"),
    ("argparse without default is unresolved", """
        import argparse
        from transformers import AutoModel
        p = argparse.ArgumentParser()
        p.add_argument("--model", required=True)
        args = p.parse_args()
        m = AutoModel.from_pretrained(args.model)
     """, {None}, "low"),
    ("dataclass field default", """
        from dataclasses import dataclass, field
        from transformers import AutoModel, HfArgumentParser
        @dataclass
        class ModelArguments:
            model_name_or_path: str = field(default="EleutherAI/pythia-160m", metadata={"help": "e.g. gpt2"})
            plain: str = "EleutherAI/pythia-70m"
        margs, = HfArgumentParser((ModelArguments,)).parse_args_into_dataclasses()
        a = AutoModel.from_pretrained(margs.model_name_or_path)
        b = AutoModel.from_pretrained(margs.plain)
     """, {"hf:EleutherAI/pythia-160m", "hf:EleutherAI/pythia-70m"}, "medium"),
    ("environment defaults", """
        import os
        from transformers import AutoModel
        a = AutoModel.from_pretrained(os.environ.get("M", "gpt2"))
        b = AutoModel.from_pretrained(os.getenv("N", default="distilgpt2"))
     """, {"hf:gpt2", "hf:distilgpt2"}, "medium"),
    ("f-string, +, format, %, join", """
        from transformers import AutoModel
        ORG = "google"
        SIZE = "base"
        a = AutoModel.from_pretrained(f"{ORG}/flan-t5-{SIZE}")
        b = AutoModel.from_pretrained(ORG + "/mt5-" + SIZE)
        c = AutoModel.from_pretrained("{}/byt5-{}".format(ORG, SIZE))
        d = AutoModel.from_pretrained("%s/t5-v1_1-%s" % (ORG, SIZE))
        e = AutoModel.from_pretrained("/".join([ORG, "electra-base-discriminator"]))
     """, {"hf:google/flan-t5-base", "hf:google/mt5-base", "hf:google/byt5-base", "hf:google/t5-v1_1-base",
           "hf:google/electra-base-discriminator"}, "medium"),
    ("dict lookup and iteration", """
        from transformers import AutoModel
        MODELS = {"s": "gpt2", "m": "gpt2-medium"}
        a = AutoModel.from_pretrained(MODELS["m"])
        for key, name in MODELS.items():
            AutoModel.from_pretrained(name)
     """, {"hf:gpt2-medium", "hf:gpt2"}, "medium"),
    ("conditional gives both candidates", """
        import sys
        from transformers import AutoModel
        name = "gpt2-large" if len(sys.argv) > 1 else "gpt2"
        m = AutoModel.from_pretrained(name)
     """, {"hf:gpt2-large", "hf:gpt2"}, "medium"),
    ("unknown value is reported unresolved", """
        from transformers import AutoModel
        def load(path):
            return AutoModel.from_pretrained(path)
     """, {None}, "low"),
    ("local path", """
        from transformers import AutoModel
        from pathlib import Path
        a = AutoModel.from_pretrained("./checkpoints/final")
        b = AutoModel.from_pretrained(Path("exports") / "model")
     """, {None}, ""),
    ("star import", """
        from transformers import *
        m = AutoModelForCausalLM.from_pretrained("gpt2")
     """, {"hf:gpt2"}, "high"),
    ("unbound notebook-cell name", """
        clf = pipeline("text-classification", model="cardiffnlp/twitter-roberta-base-sentiment-latest")
     """, {"hf:cardiffnlp/twitter-roberta-base-sentiment-latest"}, "medium"),
]


@pytest.mark.parametrize(("source", "expected", "confidence"), [(s, e, c) for _, s, e, c in VALUES],
                         ids=[n for n, _, _, _ in VALUES])
def test_value_resolution(source: str, expected: set[str | None], confidence: str) -> None:
    found = refs(source)
    assert {r.id for r in found} == expected
    if confidence:
        assert {r.confidence for r in found} == {confidence}


def test_local_path_note_and_raw() -> None:
    (ref,) = refs("""
        from transformers import AutoModel
        m = AutoModel.from_pretrained("./checkpoints/final")
    """)
    assert ref.id is None and ref.raw == "./checkpoints/final" and ref.note == "local path"
    assert ref.kind is Kind.MODEL and ref.loader == "transformers.AutoModel.from_pretrained"


def test_unresolved_reference_keeps_expression_and_reason() -> None:
    (ref,) = refs("""
        import os
        from transformers import AutoModel
        m = AutoModel.from_pretrained(os.environ["MODEL_ID"])
    """)
    assert ref.id is None and ref.raw == "os.environ['MODEL_ID']"
    assert "environment variable MODEL_ID" in ref.note and ref.confidence == "low"


def test_unknown_gate_lowers_confidence() -> None:
    (ref,) = refs("""
        import timm, sys
        m = timm.create_model("resnet50", pretrained=len(sys.argv) > 1)
    """)
    assert ref.id == "timm:resnet50" and ref.confidence == "low"


def test_reference_location_and_evidence() -> None:
    found = refs("""
        import torch

        model = torch.hub.load(
            "facebookresearch/dinov2",
            "dinov2_vits14",
        )
    """)
    (ref,) = found
    assert (ref.line, ref.column) == (4, 9)
    assert ref.evidence == 'model = torch.hub.load( "facebookresearch/dinov2", "dinov2_vits14", )'
    assert ref.confidence == "high"


def test_line_offset_for_notebook_cells() -> None:
    ctx = ScanContext(root=Path("/x"))
    (ref,) = scan_python_source('import whisper\nm = whisper.load_model("tiny")\n', "nb.ipynb", ctx, line_offset=40)
    assert ref.line == 42 and ref.path == "nb.ipynb"  # type: ignore[union-attr]


def test_peft_note_names_the_base_model() -> None:
    found = refs("""
        from peft import PeftModel
        from transformers import AutoModelForCausalLM
        base = AutoModelForCausalLM.from_pretrained("mistralai/Mistral-7B-v0.1")
        model = PeftModel.from_pretrained(base, "acme/adapter")
    """)
    adapter = next(r for r in found if r.id == "hf:acme/adapter")
    assert "hf:mistralai/Mistral-7B-v0.1" in adapter.note


def test_pipeline_default_is_medium_with_task_note() -> None:
    (ref,) = refs("""
        from transformers import pipeline
        p = pipeline("ner")
    """)
    assert ref.id == "hf:dbmdz/bert-large-cased-finetuned-conll03-english"
    assert ref.confidence == "medium" and "'ner'" in ref.note


def test_dataset_config_in_note() -> None:
    (ref,) = refs("""
        from datasets import load_dataset
        d = load_dataset("glue", "mrpc")
    """)
    assert ref.id == "hf-dataset:glue" and ref.kind is Kind.DATASET and "mrpc" in ref.note


def test_dynamic_torchvision_arch_from_argparse() -> None:
    found = refs("""
        import argparse
        import torchvision.models as models
        p = argparse.ArgumentParser()
        p.add_argument("--arch", default="resnet34")
        args = p.parse_args()
        m = models.__dict__[args.arch](pretrained=True)
        n = getattr(models, "vgg11")(weights="DEFAULT")
    """)
    assert {r.id for r in found} == {"torchvision:ResNet34_Weights.IMAGENET1K_V1", "torchvision:VGG11_Weights.DEFAULT"}


def test_project_constants_across_modules() -> None:
    config_src = textwrap.dedent("""
        import os
        BASE = "meta-llama/Llama-3.2-1B"
        EMBED = os.getenv("EMBED", "intfloat/e5-small-v2")
        class Names:
            ASR = "medium.en"
        from dataclasses import dataclass
        @dataclass
        class Args:
            dataset_name: str = "tatsu-lab/alpaca"
    """)
    consts = collect_module_constants(config_src, "pkg.config")
    assert consts["BASE"] == "meta-llama/Llama-3.2-1B"
    assert consts["EMBED"] == "intfloat/e5-small-v2"
    assert consts["Names.ASR"] == "medium.en"
    assert consts[".dataset_name"] == "tatsu-lab/alpaca"
    found = refs("""
        import whisper
        from datasets import load_dataset
        from transformers import AutoModel
        from sentence_transformers import SentenceTransformer
        from .config import BASE, Names
        from pkg import config as cfg
        a = AutoModel.from_pretrained(BASE)
        b = SentenceTransformer(cfg.EMBED)
        c = whisper.load_model(Names.ASR)
        def train(args):
            return load_dataset(args.dataset_name)
    """, project={"pkg.config": consts})
    assert {r.id for r in found} == {"hf:meta-llama/Llama-3.2-1B", "hf:intfloat/e5-small-v2", "whisper:medium.en",
                                     "hf-dataset:tatsu-lab/alpaca"}


def test_collect_module_constants_values_are_plain() -> None:
    consts = collect_module_constants(textwrap.dedent("""
        import torchvision
        from torchvision.models import ResNet50_Weights
        A = "x"
        B = ("y", 2)
        C = {"k": "v"}
        W = ResNet50_Weights.DEFAULT
        D = "a" if torchvision else "b"
        def f(): pass
        import argparse
        p = argparse.ArgumentParser()
        p.add_argument("--model", required=True)
    """), "m")
    assert consts["A"] == "x" and consts["B"] == ("y", 2) and consts["C"] == {"k": "v"}
    assert consts["W"] == QName("torchvision.models.ResNet50_Weights.DEFAULT")
    assert consts["D"] == OneOf(("a", "b"))
    assert isinstance(consts[".model"], UnknownValue)
    assert "f" not in consts
    assert collect_module_constants("def (:", "bad") == {}


# ----------------------------------------------------------------------------------------- robustness


def test_syntax_error_is_a_warning() -> None:
    out = scan("from transformers import AutoModel\nprint 'hello'\nAutoModel.from_pretrained('gpt2')\n")
    assert len(out) == 1 and isinstance(out[0], ScanWarning)
    assert out[0].code == "syntax-error" and out[0].line == 2 and "Python 2" in out[0].message


def test_deep_nesting_is_a_warning_not_a_crash() -> None:
    deep = "import timm\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    out = scan(deep)
    assert all(isinstance(o, ScanWarning) for o in out) and out
    long_chain = "from transformers import AutoModel\nN = " + " + ".join(['"a"'] * 3000) + \
        "\nm = AutoModel.from_pretrained(N)\n"
    out = scan(long_chain)
    assert len(out) == 1  # a warning or an (unresolved) reference, never an exception


def test_encodings() -> None:
    latin = '# -*- coding: latin-1 -*-\nNAME = "caf\xe9"\n'.encode("latin-1")
    assert decode_python(latin) is not None and "café" in decode_python(latin)  # type: ignore[operator]
    assert decode_python(b"\xef\xbb\xbfx = 1\n") == "x = 1\n"
    assert decode_python(b"x = '\xff\xfe'\n") is None
    scanner = PythonScanner()
    out = list(scanner.scan(Path("/r/bad.py"), b"from_pretrained('\xff')\n", ScanContext(root=Path("/r"))))
    assert len(out) == 1 and isinstance(out[0], ScanWarning) and out[0].code == "encoding"
    assert out[0].path == "bad.py"


def test_nul_bytes_and_huge_sources() -> None:
    out = scan("from transformers import AutoModel\x00\nAutoModel.from_pretrained('gpt2')\n")
    assert len(out) == 1 and isinstance(out[0], ScanWarning)
    from modelclear.scan import python as py

    huge = "from_pretrained\n" + "x" * (py.MAX_SOURCE_CHARS + 1)
    out = scan_python_source(huge, "h.py", ScanContext(root=Path("/x")))
    assert len(out) == 1 and isinstance(out[0], ScanWarning) and out[0].code == "too-large"


def test_prefilter_skips_unrelated_files() -> None:
    assert b"from_pretrained" in PREFILTER and b"torchvision" in PREFILTER
    scanner = PythonScanner()
    assert list(scanner.scan(Path("/r/a.py"), b"def (broken syntax but no loader words\n",
                             ScanContext(root=Path("/r")))) == []
    assert scanner.accepts(Path("x/y.py")) and not scanner.accepts(Path("x/y.ipynb"))


def test_looks_local() -> None:
    for text in ("./x", "/abs/model", "~/m", "C:\\models\\x", "a/b/c", "model.safetensors", "outputs/run1"):
        assert looks_local(text), text
    for text in ("gpt2", "google/flan-t5-base", "bert-base-uncased"):
        assert not looks_local(text), text


def test_module_name_for() -> None:
    assert module_name_for("src/pkg/config.py") == "pkg.config"
    assert module_name_for("pkg/__init__.py") == "pkg"
    assert module_name_for("train.py") == "train"


# --------------------------------------------------------------------------------------- the table


def test_loader_table_is_well_formed() -> None:
    table = load_table()
    specs = {id(s): s for group in table.by_last.values() for s in group} | {id(s): s for s in table.generic}
    assert len(specs) >= 40
    for spec in specs.values():
        assert spec.builder in BUILDERS, spec
        assert spec.kind in (Kind.MODEL, Kind.DATASET)
        if spec.builder in ARG_BUILDERS:
            assert spec.arg is not None, spec
        if spec.template:
            assert spec.template.split(":", 1)[0] in ids.SCHEMES, spec.template
    for doc in table.tables.values():
        for source in doc.get("sources") or ():  # type: ignore[union-attr]
            assert source["url"].startswith("https://") and source["confidence"] in ("V", "S", "U")
            # Every loader fact was checked on or after the knowledge snapshot (2026-11-28), never in the future.
            assert isinstance(source["checked"], dt.date), source
            assert dt.date(2026, 11, 28) <= source["checked"] <= dt.date.today(), source


def test_pipeline_defaults_are_valid_hf_ids() -> None:
    data = yaml.safe_load((Path(ids.__file__).parent / "data" / "loaders" / "pipeline_defaults.yaml").read_text())
    assert len(data["defaults"]) >= 30
    for task, model in data["defaults"].items():
        assert ids.parse(f"hf:{model}").scheme == "hf", task
    for alias, task in data["aliases"].items():
        assert task in data["defaults"], alias


# ------------------------------------------------------------------------------------ fixture projects


def scan_project(root: Path) -> list[Reference | ScanWarning]:
    files = sorted(root.rglob("*.py"))
    consts = {}
    for path in files:
        name = module_name_for(path.relative_to(root).as_posix())
        consts[name] = collect_module_constants(path.read_text(encoding="utf-8"), name)
    ctx = ScanContext(root=root, project_constants=consts)
    scanner = PythonScanner()
    out: list[Reference | ScanWarning] = []
    for path in files:
        out.extend(scanner.scan(path, path.read_bytes(), ctx))
    # as scan_path does after every file: values of another module's registry move to its entries
    refs = move_to_imported_registries([r for r in out if isinstance(r, Reference)],
                                       [(str(p), p.relative_to(root).as_posix(), p.stat().st_size) for p in files])
    return [*refs, *(w for w in out if isinstance(w, ScanWarning))]


@pytest.mark.parametrize("project", PROJECTS)
def test_fixture_project(project: str) -> None:
    root = FIXTURES / project
    expected = yaml.safe_load((root / "expected.yaml").read_text(encoding="utf-8"))
    found = scan_project(root)
    assert not [w for w in found if isinstance(w, ScanWarning)]
    got = sorted((r.id or "", r.path, r.line) for r in found if isinstance(r, Reference))
    want = sorted((e["id"] or "", e["path"], e["line"]) for e in expected["expected"]
                  if e.get("scanner", "python") == "python")
    missing = [w for w in want if w not in got]
    extra = [g for g in got if g not in want]
    assert not missing and not extra, f"missing={missing} extra={extra}"
    reported = {r.id for r in found if isinstance(r, Reference)}
    for negative in expected["not_expected"]:
        assert negative["id"] not in reported, negative


def test_fixture_projects_cover_every_loader_family() -> None:
    ids_found: set[str] = set()
    for project in PROJECTS:
        ids_found |= {r.id for r in scan_project(FIXTURES / project) if isinstance(r, Reference) and r.id}
    schemes = {i.split(":", 1)[0] for i in ids_found}
    assert {"hf", "hf-dataset", "torchvision", "timm", "torchhub", "open_clip", "whisper", "keras", "ultralytics",
            "detectron2", "spacy", "tfds", "torchvision-dataset", "keras-dataset", "url"} <= schemes


# ------------------------------------------------------------------------------------------ speed


def test_throughput_on_a_synthetic_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Measure files/s on a synthetic tree (reported, not asserted: machines differ)."""
    with_loader = textwrap.dedent('''
        import argparse, os
        from transformers import AutoModel, AutoTokenizer
        MODEL = os.getenv("MODEL", "distilbert-base-uncased")
        def build(args):
            tok = AutoTokenizer.from_pretrained(args.model)
            return AutoModel.from_pretrained(MODEL), tok
        class Trainer:
            def __init__(self, lr=1e-3):
                self.lr = lr
            def step(self, batch):
                return sum(x * self.lr for x in batch)
    ''') * 8
    plain = textwrap.dedent('''
        import math
        def area(r):
            return math.pi * r * r
        class Shape:
            def __init__(self, n):
                self.n = n
    ''') * 20
    count = 1000
    for i in range(count):
        (tmp_path / f"m{i}.py").write_text(with_loader if i % 5 == 0 else plain)
    scanner = PythonScanner()
    ctx = ScanContext(root=tmp_path)
    start = time.perf_counter()
    total = 0
    for path in tmp_path.iterdir():
        total += len(list(scanner.scan(path, path.read_bytes(), ctx)))
    elapsed = time.perf_counter() - start
    with capsys.disabled():
        print(f"\n[python scanner] {count} files ({count // 5} with loaders) in {elapsed:.2f}s: "
              f"{count / elapsed:.0f} files/s, {total} references")
    assert total == (count // 5) * 16


def test_scanned_code_is_never_imported_or_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran.txt"
    source = (f"from transformers import AutoModel\nopen({str(marker)!r}, 'w').write('x')\n"
              "AutoModel.from_pretrained('gpt2')\n")
    (tmp_path / "evil.py").write_text(source)
    out = list(PythonScanner().scan(tmp_path / "evil.py", source.encode(), ScanContext(root=tmp_path)))
    assert [r.id for r in out if isinstance(r, Reference)] == ["hf:gpt2"]
    assert not marker.exists()
    ast.parse(source)  # the file is valid Python: only our never-executing scanner kept it from running


# ------------------------------------------------------------------- demand-driven constant index

LAZY_PROJECT = {
    "app/config.py": "def helper():\n    return 1\n",  # no constants: not registered under app.config
    "src/app/config.py": 'MODEL = "org/from-src"\n',  # registered under app.config instead
    "lib/settings.py": 'MODEL = "org/deep-settings"\n',
    "settings.py": 'MODEL = "org/top-settings"\n',  # an exact name beats a longer match listed first
    "opts.py": ('import argparse\nDEFAULT_NAME = "org/from-args"\np = argparse.ArgumentParser()\n'
                'p.add_argument("--model-name", default=DEFAULT_NAME)\n'),  # found through the word model-name
    "unused.py": 'OTHER = "org/never-needed"\n',
    "use.py": textwrap.dedent("""
        from transformers import AutoModel
        from app.config import MODEL
        import settings
        a = AutoModel.from_pretrained(MODEL)
        b = AutoModel.from_pretrained(settings.MODEL)
        c = AutoModel.from_pretrained(args.model_name)
    """),
}


def _eager_index(root: Path) -> dict[str, dict[str, object]]:
    """The constant index built the old way: every candidate indexed, first non-empty per name registered."""
    from modelclear.scan import _index_one, lazy_constant_index

    lazy = lazy_constant_index([(str(root / rel), rel) for rel in sorted(LAZY_PROJECT)], 1 << 20)
    eager: dict[str, dict[str, object]] = {}
    for path, rel, name in lazy.candidates:
        got = _index_one(path, rel, 1 << 20)
        if got is not None and got[1]:
            eager.setdefault(name, got[1])
    return eager


def test_lazy_constant_index_gives_the_answers_of_indexing_everything(tmp_path: Path) -> None:
    from modelclear.scan import lazy_constant_index

    for rel, text in LAZY_PROJECT.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    lazy = lazy_constant_index([(str(tmp_path / rel), rel) for rel in sorted(LAZY_PROJECT)], 1 << 20)
    source = LAZY_PROJECT["use.py"]
    with_lazy = scan_python_source(source, "use.py", ScanContext(root=tmp_path, project_constants=lazy))
    with_eager = scan_python_source(source, "use.py", ScanContext(root=tmp_path,
                                                                   project_constants=_eager_index(tmp_path)))
    assert with_lazy == with_eager
    assert [r.id for r in with_lazy if isinstance(r, Reference)] == [
        "hf:org/from-src", "hf:org/top-settings", "hf:org/from-args"]
    indexed = {lazy.candidates[p][1] for p in lazy._consts}
    assert "unused.py" not in indexed and "app/config.py" in indexed  # only what the lookups needed
    assert lazy.take_notes() == []
    assert list(lazy) == list(_eager_index(tmp_path))  # iterating indexes everything, in the same order
