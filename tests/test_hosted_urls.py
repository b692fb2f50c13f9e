"""Issue 11: ``check url:<address>`` of a Hub ``resolve/`` file (or another host whose addresses name the
artifact) judges the artifact the address names, as a scan of the same address does."""

from __future__ import annotations

import pytest

from modelclear import api, ids
from modelclear.catalog import Catalog
from modelclear.catalog.hosted import address_variants, hosted_id
from modelclear.model import Kind
from modelclear.scan.urls import match_url
from modelclear.service import load_knowledge


@pytest.mark.parametrize(("address", "expected"), [
    ("https://huggingface.co/google-bert/bert-base-uncased/resolve/main/config.json",
     "hf:google-bert/bert-base-uncased"),
    ("https://hf.co/openai/whisper-tiny/resolve/main/model.safetensors", "hf:openai/whisper-tiny"),
    ("https://huggingface.co/datasets/tatsu-lab/alpaca/resolve/main/data/train.parquet", "hf-dataset:tatsu-lab/alpaca"),
    ("https://github.com/ultralytics/assets/releases/download/v8.2.0/yolov8n.pt", "ultralytics:yolov8n"),
    ("https://huggingface.co/google-bert/bert-base-uncased/blob/main/LICENSE", None),  # documentation
    ("https://download.pytorch.org/models/resnet50-0676ba61.pth", None),  # a host without an id template
    ("https://example.org/google-bert/bert-base-uncased/resolve/main/config.json", None),
])
def test_hosted_id_agrees_with_the_scanner(address: str, expected: str | None) -> None:
    assert hosted_id("url:" + address) == expected
    scanned = match_url(address)
    if expected is not None:
        assert scanned is not None and ids.parse(scanned.id).id == expected


def test_only_url_references_are_read() -> None:
    assert hosted_id("hf:google-bert/bert-base-uncased") is None
    assert hosted_id("url:gs://bucket/x.pt") is None


@pytest.mark.parametrize(("typed", "expected", "kind"), [
    ("https://huggingface.co/bert-base-uncased/resolve/main/pytorch_model.bin", "hf:google-bert/bert-base-uncased",
     Kind.MODEL),
    ("url:https://huggingface.co/datasets/tatsu-lab/alpaca/resolve/main/data/train.parquet", "dataset:alpaca",
     Kind.DATASET),
    ("https://huggingface.co/datasets/someone/not-reviewed/resolve/main/a.csv", "hf-dataset:someone/not-reviewed",
     Kind.DATASET),
])
def test_catalog_resolves_the_address_to_the_repository(typed: str, expected: str, kind: Kind) -> None:
    ref = Catalog(load_knowledge()).resolve(ids.parse(typed))
    assert ref.id == expected and ref.kind is kind
    assert ids.parse(typed).id in ref.aliases


def test_check_of_a_hub_file_judges_the_model() -> None:
    found = api.check("https://huggingface.co/google-bert/bert-base-uncased/resolve/main/model.safetensors", "JP")
    assert found.artifact is not None and found.artifact.id == "hf:google-bert/bert-base-uncased"
    assert found.verdict.value == "allowed"
    unknown = api.check("https://huggingface.co/nobody-here/nothing-at-all/resolve/main/model.bin", "JP")
    assert unknown.verdict.value == "unknown"


@pytest.mark.parametrize(("typed", "expected"), [
    ("https://storage.googleapis.com/vit_models/imagenet21k/ViT-B_16.npz", "url:gs://vit_models/imagenet21k/ViT-B_16.npz"),
    ("gs://bert_models/2018_10_18/uncased_L-12_H-768_A-12.zip",
     "url:https://storage.googleapis.com/bert_models/2018_10_18/uncased_L-12_H-768_A-12.zip"),
    ("http://dl.fbaipublicfiles.com/detr/detr-r50-e632da11.pth",
     "url:https://dl.fbaipublicfiles.com/detr/detr-r50-e632da11.pth"),
    ("https://mattmahoney.net/dc/text8.zip", "dataset:text8"),
])
def test_another_spelling_of_a_known_address_resolves(typed: str, expected: str) -> None:
    ref = Catalog(load_knowledge()).resolve(ids.parse(typed))
    assert ref.id == expected


def test_address_variants_change_only_the_scheme_or_the_bucket_spelling() -> None:
    assert address_variants("url:http://example.org/a.bin") == ["url:https://example.org/a.bin"]
    assert address_variants("url:https://example.org/a.bin") == ["url:http://example.org/a.bin"]
    assert address_variants("url:gs://b/x.pt") == ["url:https://storage.googleapis.com/b/x.pt",
                                                   "url:http://storage.googleapis.com/b/x.pt"]
    assert address_variants("url:https://storage.googleapis.com/b/x.pt") == ["url:gs://b/x.pt",
                                                                            "url:http://storage.googleapis.com/b/x.pt"]
    assert address_variants("hf:org/name") == []
    unknown = Catalog(load_knowledge()).resolve(ids.parse("https://www.example.org/other.bin"))
    assert unknown.id == "url:https://www.example.org/other.bin"
