"""Patterns found while measuring the Python scanner on real public code, each in a snippet of our own.

Every test here reproduces one way real projects name the model or dataset they load (a callable kept
in a variable, a rebinding of the name in straight-line code, a helper function in another module,
fastai's learners...) and, where it matters, the negative twin that must stay silent.
"""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from modelclear.model import Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.builders.base import looks_local
from modelclear.scan.python import collect_module_constants, scan_python_source


def scan(source: str, project: dict[str, dict[str, object]] | None = None) -> list[Reference | ScanWarning]:
    ctx = ScanContext(root=Path("/nonexistent-root"), project_constants=project or {})
    return scan_python_source(textwrap.dedent(source), "app.py", ctx)


def refs(source: str, project: dict[str, dict[str, object]] | None = None) -> list[Reference]:
    out = scan(source, project)
    assert not [w for w in out if isinstance(w, ScanWarning)], out
    return [r for r in out if isinstance(r, Reference)]


def ids_at(source: str, project: dict[str, dict[str, object]] | None = None) -> set[tuple[str | None, int]]:
    return {(r.id, r.line) for r in refs(source, project)}


def found(source: str, project: dict[str, dict[str, object]] | None = None) -> set[str | None]:
    return {r.id for r in refs(source, project)}


# ------------------------------------------------------------------------- callables kept in names

ALIASED: list[tuple[str, str, set[str | None]]] = [
    ("application builder kept in a variable", """
        import keras
        build = keras.applications.densenet.DenseNet121
        net = build(weights="imagenet", include_top=False)
     """, {"keras:DenseNet121"}),
    ("loop over builders", """
        from torchvision import models
        for make in (models.vgg11, models.mobilenet_v2):
            backbone = make(pretrained=True)
     """, {"torchvision:VGG11_Weights.IMAGENET1K_V1", "torchvision:MobileNet_V2_Weights.IMAGENET1K_V1"}),
    ("registry dict indexed by a run-time key", """
        import torchvision.models as tvm
        ZOO = {"small": tvm.resnet18, "big": tvm.resnet101}
        def backbone(size):
            return ZOO[size](weights="DEFAULT")
     """, {"torchvision:ResNet18_Weights.DEFAULT", "torchvision:ResNet101_Weights.DEFAULT"}),
    ("registry dict read with .get and a default", """
        import torchvision.models as tvm
        ZOO = {"a": tvm.alexnet, "s": tvm.squeezenet1_1}
        def backbone(kind):
            return ZOO.get(kind, tvm.alexnet)(pretrained=True)
     """, {"torchvision:AlexNet_Weights.IMAGENET1K_V1", "torchvision:SqueezeNet1_1_Weights.IMAGENET1K_V1"}),
]


@pytest.mark.parametrize(("source", "expected"), [(s, e) for _, s, e in ALIASED], ids=[n for n, _, _ in ALIASED])
def test_callee_through_a_name_or_container(source: str, expected: set[str | None]) -> None:
    got = refs(source)
    assert {r.id for r in got} == expected
    assert all(r.confidence == "medium" for r in got)


def test_aliased_callee_negatives() -> None:
    assert refs("""
        import keras
        build = keras.applications.Xception
        net = build(weights=None)
    """) == []
    assert refs("""
        import os
        join = os.path.join
        p = join("a", "b")
        from torchvision import models
        ZOO = {"r": models.resnet18}
        net = ZOO["r"](weights=None)
    """) == []


# ------------------------------------------------------------------ straight-line rebinding of names

def test_a_rebound_name_gives_each_call_its_own_value() -> None:
    source = """
        from transformers import AutoModel
        checkpoint = "org-a/encoder-small"
        first = AutoModel.from_pretrained(checkpoint)
        checkpoint = "org-b/encoder-large"
        second = AutoModel.from_pretrained(checkpoint)
    """
    assert ids_at(source) == {("hf:org-a/encoder-small", 4), ("hf:org-b/encoder-large", 6)}


def test_conditional_rebinding_keeps_every_candidate() -> None:
    source = """
        import sys
        from transformers import AutoModel
        checkpoint = "org-a/encoder-small"
        if len(sys.argv) > 1:
            checkpoint = "org-b/encoder-large"
        model = AutoModel.from_pretrained(checkpoint)
    """
    assert found(source) == {"hf:org-a/encoder-small", "hf:org-b/encoder-large"}


def test_function_reads_the_module_value_whatever_the_order() -> None:
    source = """
        from transformers import AutoTokenizer
        def tokenizer():
            return AutoTokenizer.from_pretrained(NAME)
        NAME = "org-c/tok"
    """
    assert found(source) == {"hf:org-c/tok"}


def test_rebinding_with_the_loaded_object_keeps_the_earlier_value() -> None:
    source = """
        from transformers import AutoModel
        model = "org-d/base"
        model = AutoModel.from_pretrained(model)
    """
    assert found(source) == {"hf:org-d/base"}


# --------------------------------------------------------------------------- PEFT adapters rebinding

def test_adapter_loaded_onto_the_same_name_does_not_recurse() -> None:
    out = refs("""
        from transformers import AutoModelForCausalLM
        from peft import PeftModel
        def load(base, adapter=None):
            model = AutoModelForCausalLM.from_pretrained(base)
            if adapter:
                model = PeftModel.from_pretrained(model, adapter)
            return model
        load("org-e/base-7b", "org-e/lora-chat")
    """)
    adapter = [r for r in out if r.id == "hf:org-e/lora-chat" and "passed to load()" not in r.note]
    assert len(adapter) == 1 and "hf:org-e/base-7b" in adapter[0].note
    at_call = [r for r in out if r.id == "hf:org-e/lora-chat" and "passed to load()" in r.note]
    assert len(at_call) == 1 and "hf:org-e/base-7b" in at_call[0].note  # the caller's line (issue 10)
    assert "hf:org-e/base-7b" in {r.id for r in out}


# ------------------------------------------------------------------------------ helper in a module

def test_id_returned_by_a_helper_of_another_project_module() -> None:
    helpers = collect_module_constants(textwrap.dedent("""
        CHECKPOINTS = {"fast": "org-f/tiny", "good": "org-f/large"}
        def checkpoint_for(kind):
            return CHECKPOINTS[kind]
        def build(kind):
            from transformers import AutoModel
            return AutoModel.from_pretrained(checkpoint_for(kind))
    """), "proj.helpers")
    assert "checkpoint_for()" in helpers and "build()" not in helpers
    source = """
        from diffusers import DiffusionPipeline
        from proj.helpers import checkpoint_for
        pipe = DiffusionPipeline.from_pretrained(checkpoint_for("fast"))
    """
    got = refs(source, {"proj.helpers": helpers})
    assert {r.id for r in got} == {"hf:org-f/tiny", "hf:org-f/large"}
    assert all(r.confidence == "medium" for r in got)


# --------------------------------------------------------------------------------- dict .get lookups

def test_dict_get_with_a_key_unknown_statically() -> None:
    source = """
        from sentence_transformers import SentenceTransformer
        ENCODERS = {"en": "org-g/en-embed", "multi": "org-g/multi-embed"}
        def encoder(lang):
            return SentenceTransformer(ENCODERS.get(lang, "org-g/fallback"))
    """
    assert found(source) == {"hf:org-g/en-embed", "hf:org-g/multi-embed", "hf:org-g/fallback"}


# ---------------------------------------------------------------------------- LLM app integrations

def test_langchain_embedding_classes_and_their_defaults() -> None:
    source = """
        from langchain_community.embeddings import (HuggingFaceBgeEmbeddings, HuggingFaceInstructEmbeddings,
                                                    HuggingFaceEmbeddings)
        from langchain_community.llms import HuggingFaceHub
        a = HuggingFaceBgeEmbeddings(model_name="org-h/bge-mini", encode_kwargs={"normalize_embeddings": True})
        b = HuggingFaceBgeEmbeddings()
        c = HuggingFaceInstructEmbeddings()
        d = HuggingFaceEmbeddings()
        e = HuggingFaceHub(repo_id="org-h/chat-7b", model_kwargs={"temperature": 0.1})
    """
    got = {(r.id, r.line) for r in refs(source)}
    assert got == {("hf:org-h/bge-mini", 5), ("hf:BAAI/bge-large-en", 6), ("hf:hkunlp/instructor-large", 7),
                   ("hf:sentence-transformers/all-mpnet-base-v2", 8), ("hf:org-h/chat-7b", 9)}


def test_llama_index_embedding_default() -> None:
    source = """
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        embed = HuggingFaceEmbedding()
        named = HuggingFaceEmbedding(model_name="org-i/embedder")
    """
    assert found(source) == {"hf:BAAI/bge-small-en", "hf:org-i/embedder"}


# ------------------------------------------------------------------------------------------ fastai

def test_fastai_learners_and_datasets() -> None:
    source = """
        from fastai.vision.all import *
        path = untar_data(URLs.PETS)
        dls = ImageDataLoaders.from_folder(path)
        a = vision_learner(dls, resnet34, metrics=error_rate)
        b = cnn_learner(dls, models.efficientnet_b0)
        c = vision_learner(dls, "convnext_tiny")
        d = unet_learner(dls, resnet50, weights="IMAGENET1K_V2")
        e = vision_learner(dls, models.resnet18, pretrained=False)
        f = untar_data(URLs.CIFAR)
    """
    assert ids_at(source) == {
        ("url:https://s3.amazonaws.com/fast-ai-imageclas/oxford-iiit-pet.tgz", 3),
        ("torchvision:ResNet34_Weights.DEFAULT", 5),
        ("torchvision:EfficientNet_B0_Weights.IMAGENET1K_V1", 6),
        ("timm:convnext_tiny", 7),
        ("torchvision:ResNet50_Weights.IMAGENET1K_V2", 8),
        ("dataset:cifar-10", 10),
    }


def test_fastai_explicit_imports_and_custom_url() -> None:
    source = """
        from fastai.vision.learner import cnn_learner
        from fastai.vision.models import resnet18
        from fastai.data.external import untar_data
        path = untar_data("https://example.org/data/flowers-small.tgz")
        learn = cnn_learner(dls, resnet18)
    """
    assert found(source) == {"url:https://example.org/data/flowers-small.tgz", "torchvision:ResNet18_Weights.DEFAULT"}


# ----------------------------------------------------------------------------------- local folders

@pytest.mark.parametrize(("value", "local"), [
    ("my_runs/best", True),            # a namespace with "_" is not a Hub user or organisation
    ("team-x/checkpoint-1200", True),  # a training output folder
    ("team-x/final_model", True),
    ("model/gte-small", True),         # "model/" and "models/" folders
    ("models/bert-tuned", True),
    ("team-x/final-answer-7b", False),
    ("Org.Name/model_v2", False),
    ("google/flan-t5-base", False),
])
def test_local_folder_shapes(value: str, local: bool) -> None:
    assert looks_local(value) is local


def test_local_folder_is_not_a_hub_id() -> None:
    out = refs("""
        from transformers import pipeline
        asr = pipeline("automatic-speech-recognition", model="asr_runs/best_model")
    """)
    assert [(r.id, r.note) for r in out] == [(None, "local path")]


# ---------------------------------------------------------------------------- pathological modules

def test_self_referencing_attributes_and_recursive_helpers_stay_fast() -> None:
    """``self.buf = self.buf + x`` in many places and self-recursive helpers fanned out exponentially."""
    methods = "\n".join(
        f"    def grow{i}(self, new):\n"
        f"        self.buf = self.buf + new\n"
        f"        self.buf = new + self.buf\n"
        f"        self.buf = self.buf[{i}:]\n"
        for i in range(30))
    helpers = "\n".join(
        f"def walk{i}(node, depth):\n"
        f"    if depth:\n"
        f"        return walk{i}(node, depth - 1) + walk{(i + 1) % 30}(node, depth - 1)\n"
        f"    return node\n"
        for i in range(30))
    source = f"class Cache:\n    buf = b''\n{methods}\n{helpers}\nVALUE = Cache().buf\nOTHER = walk0('x', 3)\n"
    start = time.perf_counter()
    constants = collect_module_constants(source, "proj.cache")
    assert time.perf_counter() - start < 3.0
    assert constants.get("Cache.buf") is not None
    start = time.perf_counter()
    scan("from transformers import AutoModel\n" + source + "m = AutoModel.from_pretrained(OTHER)\n")
    assert time.perf_counter() - start < 3.0
