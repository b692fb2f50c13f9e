"""Canonical ids from what users type."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelclear import api, ids
from modelclear.model import Kind


@pytest.mark.parametrize(
    ("raw", "expected", "kind"),
    [
        ("hf:google-bert/bert-base-uncased", "hf:google-bert/bert-base-uncased", Kind.MODEL),
        ("meta-llama/Llama-2-7b-hf", "hf:meta-llama/Llama-2-7b-hf", Kind.MODEL),
        ("bert-base-uncased", "hf:bert-base-uncased", Kind.MODEL),
        ("torchvision:ResNet50_Weights.IMAGENET1K_V2", "torchvision:ResNet50_Weights.IMAGENET1K_V2", Kind.MODEL),
        ("timm:resnet50.a1_in1k", "timm:resnet50.a1_in1k", Kind.MODEL),
        ("keras:ResNet50", "keras:ResNet50", Kind.MODEL),
        ("open_clip:ViT-B-32/laion2b_s34b_b79k", "open_clip:ViT-B-32/laion2b_s34b_b79k", Kind.MODEL),
        ("ultralytics:yolov8n.pt", "ultralytics:yolov8n", Kind.MODEL),
        ("torchhub:facebookresearch/dinov2:dinov2_vits14", "torchhub:facebookresearch/dinov2:dinov2_vits14",
         Kind.MODEL),
        ("dataset:ImageNet-1k", "dataset:imagenet-1k", Kind.DATASET),
        ("hf-dataset:ILSVRC/imagenet-1k", "hf-dataset:ILSVRC/imagenet-1k", Kind.DATASET),
        ("tfds:MNIST", "tfds:mnist", Kind.DATASET),
        ("pypi:Ultralytics_Pkg", "pypi:ultralytics-pkg", Kind.PACKAGE),
        ("https://download.pytorch.org/models/resnet50-11ad3fa6.pth",
         "url:https://download.pytorch.org/models/resnet50-11ad3fa6.pth", Kind.MODEL),
    ],
)
def test_parse(raw: str, expected: str, kind: Kind) -> None:
    ref = ids.parse(raw)
    assert ref.id == expected
    assert ref.kind is kind


@pytest.mark.parametrize("raw", ["", "   ", "foo:bar", "hf:", "hf:a b", "open_clip:no-slash", "a\nb", "x" * 3000,
                                 "torchvision:resnet-50!"])
def test_malformed_ids_raise_id_error(raw: str) -> None:
    with pytest.raises(ids.IdError):
        ids.parse(raw)


@given(st.text(max_size=200))
def test_parse_never_raises_anything_but_id_error(text: str) -> None:
    try:
        ref = ids.parse(text)
    except ids.IdError:
        return
    assert ":" in ref.id


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("bert-base-uncased", "hf:google-bert/bert-base-uncased"),
        ("torchvision:resnet50", "torchvision:ResNet50_Weights.IMAGENET1K_V2"),
        ("torchvision:ResNet50_Weights.DEFAULT", "torchvision:ResNet50_Weights.IMAGENET1K_V2"),
        ("hf-dataset:ILSVRC/imagenet-1k", "dataset:imagenet-1k"),
        ("tfds:imagenet2012", "dataset:imagenet-1k"),
        ("ultralytics:yolov8n.pt", "ultralytics:yolov8n"),
        ("keras:resnet50", "keras:ResNet50"),
    ],
)
def test_aliases_resolve_to_canonical_ids(typed: str, canonical: str) -> None:
    catalog = api.default_catalog()
    assert catalog.resolve(ids.parse(typed)).id == canonical
