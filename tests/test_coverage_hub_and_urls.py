"""Issue 11 coverage: release-URL families (a URL prefix is data) and reviewed Hub cards resolve to their records."""

from __future__ import annotations

import pytest

from modelclear.catalog import KnowledgeBase
from modelclear.service import load_knowledge


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.mark.parametrize(("url", "license_id"), [
    # Keras 1-2 release files on fchollet/deep-learning-models, as keras_applications 1.0.8 names them
    ("https://github.com/fchollet/deep-learning-models/releases/download/v0.1/vgg16_weights_th_dim_ordering_th_kernels.h5",
     "CC-BY-4.0"),
    ("https://github.com/fchollet/deep-learning-models/releases/download/v0.2/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
     "MIT"),
    ("https://github.com/fchollet/deep-learning-models/releases/download/v0.6/mobilenet_1_0_224_tf.h5", "Apache-2.0"),
    ("https://github.com/keras-team/keras-applications/releases/download/densenet/densenet121_weights_tf_dim_ordering_tf_kernels.h5",
     "BSD-3-Clause"),
    ("https://github.com/titu1994/Keras-NASNet/releases/download/v1.2/NASNet-mobile.h5", "Apache-2.0"),
    # Keras 2.3+ / 3 storage
    ("https://storage.googleapis.com/tensorflow/keras-applications/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
     "CC-BY-4.0"),
    ("https://storage.googleapis.com/tensorflow/keras-applications/xception/xception_weights_tf_dim_ordering_tf_kernels.h5",
     "MIT"),
])
def test_keras_weight_urls_resolve_to_the_applications_licence(kb: KnowledgeBase, url: str, license_id: str) -> None:
    art = kb.artifact(f"url:{url}")
    assert art is not None and art.license == license_id
    assert any(s.confidence.value == "V" for s in art.sources)


@pytest.mark.parametrize("url", [
    "https://github.com/fchollet/deep-learning-models/releases/download/v0.3/music_tagger_crnn_weights_tf_kernels_tf.h5",
    "https://github.com/fchollet/deep-learning-models/releases/download/v0.1/",  # the prefix itself names no file
    "https://storage.googleapis.com/tensorflow/keras-applications/resnet/resnet101_weights_tf_dim_ordering_tf_kernels.h5",
])
def test_release_files_of_other_applications_stay_unknown(kb: KnowledgeBase, url: str) -> None:
    assert kb.artifact(f"url:{url}") is None


@pytest.mark.parametrize(("model", "license_id", "base"), [
    ("hf:lllyasviel/sd-controlnet-canny", "openrail", "hf:stable-diffusion-v1-5/stable-diffusion-v1-5"),
    ("hf:diffusers/controlnet-canny-sdxl-1.0", "openrail++", None),
    ("hf:xinsir/controlnet-openpose-sdxl-1.0", "Apache-2.0", "hf:stabilityai/stable-diffusion-xl-base-1.0"),
    ("hf:suno/bark", "MIT", None),
    ("hf:pyannote/speaker-diarization-3.1", "MIT", None),
    ("hf:TheBloke/Mistral-7B-Instruct-v0.2-GGUF", "Apache-2.0", "hf:mistralai/Mistral-7B-Instruct-v0.2"),
])
def test_reviewed_hub_cards(kb: KnowledgeBase, model: str, license_id: str, base: str | None) -> None:
    art = kb.artifact(model)
    assert art is not None and art.license == license_id
    if base is not None:
        assert any((kb.canonical(b.target) or b.target) == base for b in art.base_models), art.base_models


@pytest.mark.parametrize(("url", "license_id"), [
    ("https://dl.fbaipublicfiles.com/segment_anything/sam_vit_b_01ec64.pth", "Apache-2.0"),
    ("https://openaipublic.azureedge.net/clip/models/b8cca3fd41ae0c99ba7e8951adf17d267cdb84cd88be6f7c2e0eca1737a03836/"
     "ViT-L-14.pt", "MIT"),
])
def test_release_host_families(kb: KnowledgeBase, url: str, license_id: str) -> None:
    art = kb.artifact(f"url:{url}")
    assert art is not None and art.license == license_id
