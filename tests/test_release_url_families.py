"""Issue 11: research releases addressed by URL (Meta's download host, OpenAI's GPT-2 blob store, GitHub release
assets) resolve to records with the release's licence, its dated licence history and its training data."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from modelclear import api
from modelclear.catalog import KnowledgeBase
from modelclear.service import load_knowledge

MODELS = Path(__file__).resolve().parents[1] / "src" / "modelclear" / "data" / "models"
FAMILIES = ("dinov2_urls", "mae_urls", "deit_urls", "convnext_urls", "moco_urls", "sam2_urls", "fairseq_urls",
            "fasttext_urls", "gpt2_urls", "yolox_releases", "mms_urls", "nougat_releases", "openmmlab_urls",
            "imagebind_urls", "doctr_static", "fairseq_wav2vec_urls", "fairseq_data2vec2_urls", "fairseq_data2vec_urls",
            "fairseq_s2t_urls", "fairseq_conformer_urls", "fairseq_speech_to_speech_urls")


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.mark.parametrize("name", FAMILIES)
def test_family_lists_only_addresses_under_its_prefix(name: str, kb: KnowledgeBase) -> None:
    doc = yaml.safe_load((MODELS / f"{name}.yaml").read_text(encoding="utf-8"))
    prefix = doc["match_prefix"]
    assert prefix.startswith("url:https://") and prefix.endswith(("/", "="))
    assert doc["models"]
    for model in doc["models"]:
        assert model["id"].startswith(prefix), model["id"]
    unlisted = kb.artifact(prefix + "some/other-file-1234.pth")
    assert unlisted is not None and unlisted.license == doc["license"]


@pytest.mark.parametrize(("url", "licence", "data"), [
    ("https://dl.fbaipublicfiles.com/dinov2/dinov2_vitl14/dinov2_vitl14_pretrain.pth", "Apache-2.0",
     {"dataset:lvd-142m"}),
    ("https://dl.fbaipublicfiles.com/mae/pretrain/mae_pretrain_vit_large.pth", "CC-BY-NC-4.0", {"dataset:imagenet-1k"}),
    ("https://dl.fbaipublicfiles.com/deit/deit_3_base_224_21k.pth", "Apache-2.0",
     {"dataset:imagenet-21k", "dataset:imagenet-1k"}),
    ("https://dl.fbaipublicfiles.com/convnext/convnext_large_22k_224.pth", "MIT", {"dataset:imagenet-21k"}),
    ("https://dl.fbaipublicfiles.com/segment_anything_2/092824/sam2.1_hiera_tiny.pt", "Apache-2.0", {"dataset:sa-v"}),
    ("https://dl.fbaipublicfiles.com/fairseq/wav2vec/wav2vec_small.pt", "MIT", {"dataset:librispeech"}),
    ("https://dl.fbaipublicfiles.com/fairseq/models/roberta.large.tar.gz", "MIT", set()),
    ("https://dl.fbaipublicfiles.com/fairseq/data2vec2/large_imagenet.pt", "CC-BY-NC-4.0", {"dataset:imagenet-1k"}),
    ("https://dl.fbaipublicfiles.com/fasttext/supervised-models/lid.176.ftz", "CC-BY-SA-3.0", {"dataset:wikipedia"}),
    ("https://openaipublic.blob.core.windows.net/gpt-2/models/355M/model.ckpt.data-00000-of-00001",
     "LicenseRef-gpt2-modified-mit", {"dataset:webtext"}),
    ("https://github.com/Megvii-BaseDetection/YOLOX/releases/download/0.1.1rc0/yolox_nano.pth", "Apache-2.0",
     {"dataset:coco"}),
    ("https://github.com/danielgatis/rembg/releases/download/v0.0.0/isnet-general-use.onnx", "Apache-2.0", set()),
    ("http://download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz", None, {"dataset:imagenet-1k"}),
    ("https://download.openmmlab.com/mmclassification/v0/vgg/vgg11_batch256_imagenet_20210208-4271cd6c.pth", None,
     {"dataset:imagenet-1k"}),
    ("https://github.com/sczhou/CodeFormer/releases/download/v0.1.0/codeformer.pth", "s-lab-license-1.0",
     {"dataset:ffhq"}),
    ("https://dl.fbaipublicfiles.com/mms/asr/mms1b_fl102.pt", "CC-BY-NC-4.0", set()),
    ("https://dl.fbaipublicfiles.com/imagebind/imagebind_huge.pth", "CC-BY-NC-SA-4.0", set()),
    ("https://github.com/mindee/doctr/releases/download/v1.0.1/vit_det_s-56a33dee.pt", "Apache-2.0", set()),
    ("https://github.com/facebookresearch/nougat/releases/download/0.1.0-base/config.json", "CC-BY-NC-4.0", set()),
])
def test_release_file_carries_licence_and_data(kb: KnowledgeBase, url: str, licence: str | None,
                                               data: set[str]) -> None:
    art = kb.artifact(f"url:{url}")
    assert art is not None and art.license == licence
    assert {r.target for r in art.upstream} == data


@pytest.mark.parametrize("url", [
    "https://dl.fbaipublicfiles.com/moco-v3/vit-b-300ep/vit-b-300ep.pth.tar",  # another project: not MoCo v1/v2
    "https://github.com/danielgatis/rembg/releases/download/v0.0.0/bria-rmbg-2.0.onnx",  # BRIA's own terms
    "https://github.com/hkchengrex/XMem/releases/download/v1.0/fbrs.pth",  # f-BRS's weights, licence not read
    "https://github.com/sczhou/CodeFormer/releases/download/v0.1.0/yolov5n-face.pth",  # YOLOv5-face's weights
    "http://download.tensorflow.org/models/other.tgz",
    "https://github.com/mindee/doctr/releases/download/v0.3.1/toy_detection_set-bbbb4243.zip",  # docTR's toy data
    "https://dl.fbaipublicfiles.com/fairseq/data/wmt14.en-de.newstest2014.tar.bz2",  # third-party test sets
    "https://dl.fbaipublicfiles.com/fairseq/gpt2_bpe/encoder.json",  # OpenAI's GPT-2 BPE files
    "https://dl.fbaipublicfiles.com/fairseq/womenbios_dataset.zip",
    "https://openaipublic.blob.core.windows.net/gpt-2/output-dataset/v1/webtext.train.jsonl",  # WebText samples
    "https://github.com/Megvii-BaseDetection/YOLOX",
])
def test_addresses_outside_the_releases_stay_unknown(kb: KnowledgeBase, url: str) -> None:
    assert kb.artifact(f"url:{url}") is None


@pytest.mark.parametrize(("url", "before", "changed"), [
    ("https://dl.fbaipublicfiles.com/dinov2/dinov2_vits14/dinov2_vits14_pretrain.pth", "2023-06-01", "2023-08-31"),
    ("https://dl.fbaipublicfiles.com/deit/deit_small_patch16_224-cd65a155.pth", "2021-01-01", "2021-01-08"),
    ("https://dl.fbaipublicfiles.com/moco/moco_checkpoints/moco_v2_800ep/moco_v2_800ep_pretrain.pth.tar", "2022-06-01",
     "2023-01-18"),
    ("https://dl.fbaipublicfiles.com/fairseq/wav2vec/wav2vec_small_960h.pt", "2019-01-01", "2019-07-30"),
    ("https://github.com/hkchengrex/XMem/releases/download/v1.0/XMem.pth", "2023-01-01", "2024-02-15"),
])
def test_licence_history_decides_by_the_day_obtained(url: str, before: str, changed: str) -> None:
    now = api.check(f"url:{url}", "JP", obtained_on=changed)
    assert now.verdict.value == "allowed"
    if "fairseq" in url:  # BSD before MIT: permissive on both sides of the change
        assert api.check(f"url:{url}", "JP", obtained_on=before).verdict.value == "allowed"
    elif "XMem" in url:  # GPL-3.0 before MIT: deploying is allowed, shipping the weights asks for the source
        assert api.check(f"url:{url}", "JP", "distribute", obtained_on=before).verdict.value != "allowed"
    else:  # CC BY-NC before the relicence
        assert api.check(f"url:{url}", "JP", obtained_on=before).verdict.value == "prohibited"


def test_codeformer_is_non_commercial_before_and_after_its_licence_change() -> None:
    url = "url:https://github.com/sczhou/CodeFormer/releases/download/v0.1.0/codeformer.pth"
    for day in ("2022-08-01", "2023-01-01"):  # CC BY-NC-SA 4.0, then the S-Lab License 1.0
        assert api.check(url, "JP", obtained_on=day).verdict.value == "prohibited"
    assert api.check(url, "JP", purpose="research").verdict.value == "allowed"


@pytest.mark.parametrize("url", [
    "http://download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz",
    "https://download.openmmlab.com/mmsegmentation/v0.5/pspnet/any-file.pth",
])
def test_files_without_a_licence_on_hosts_without_terms_are_judged_not_unknown(url: str) -> None:
    found = api.check(f"url:{url}", "JP")
    layers = {f.layer.value: f.status.value for f in found.layers}
    assert layers["license"] == "allowed" and layers["contract"] == "uncertain"  # the site's own terms: not recorded
    assert found.verdict.value == "uncertain"


def test_docTR_release_data_files_are_not_weights(kb: KnowledgeBase) -> None:
    mnist = kb.artifact("url:https://github.com/mindee/doctr/releases/download/v0.6.0/mnist.zip")
    assert mnist is not None and mnist.id == "dataset:mnist"


def test_data_files_on_a_release_host_resolve_to_their_dataset(kb: KnowledgeBase) -> None:
    cooking = kb.artifact("url:https://dl.fbaipublicfiles.com/fasttext/data/cooking.stackexchange.tar.gz")
    assert cooking is not None and cooking.id == "dataset:stackexchange"  # not a fastText model
