"""Issue 11: a dataset's download addresses (``downloads:``) resolve a ``url:`` reference to its record."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from modelclear import api, ids
from modelclear.catalog import Catalog, KnowledgeBase
from modelclear.catalog.bundled import DATA_DIR, load_raw
from modelclear.knowledge.schema import KnowledgeError, problems
from modelclear.model import Kind
from modelclear.service import load_knowledge

KD = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.mark.parametrize(("url", "dataset"), [
    # torchvision's dataset classes (torchvision 0.29.2 wheel)
    ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz", "dataset:cifar-10"),
    ("https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz", "dataset:cifar-100"),
    ("https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz", "dataset:mnist"),
    ("http://yann.lecun.com/exdb/mnist/t10k-labels-idx1-ubyte.gz", "dataset:mnist"),
    ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-images-idx3-ubyte.gz", "dataset:fashion-mnist"),
    ("http://ufldl.stanford.edu/housenumbers/train_32x32.mat", "dataset:svhn"),
    ("https://thor.robots.ox.ac.uk/pascal/VOC/voc2012/VOCtrainval_11-May-2012.tar", "dataset:pascal-voc"),
    ("http://vis-www.cs.umass.edu/lfw/lfw-deepfunneled.tgz", "dataset:lfw"),
    ("https://www.robots.ox.ac.uk/~vgg/data/pets/data/images.tar.gz", "dataset:oxford-iiit-pet"),
    ("https://www.robots.ox.ac.uk/~vgg/data/flowers/102/102flowers.tgz", "dataset:oxford-flowers-102"),
    ("https://s3.amazonaws.com/kinetics/400/annotations/train.csv", "dataset:kinetics-400"),
    ("https://s3.amazonaws.com/kinetics/700_2020/annotations/val.csv", "dataset:kinetics-700"),
    ("http://data.csail.mit.edu/places/places365/places365standard_easyformat.tar", "dataset:places365"),
    ("https://s3.eu-central-1.amazonaws.com/avg-kitti/data_object_image_2.zip", "dataset:kitti"),
    # CelebA's Google Drive file ids (torchvision), in Drive's address forms
    ("https://drive.google.com/uc?id=0B7EVK8r0v71pZjFTYXZWM3FlRnM", "dataset:celeba"),
    ("https://drive.google.com/file/d/0B7EVK8r0v71pZjFTYXZWM3FlRnM/view?usp=sharing", "dataset:celeba"),
    # Keras datasets (keras 3.15.1 wheel)
    (KD + "mnist.npz", "dataset:mnist"),
    (KD + "fashion-mnist/t10k-labels-idx1-ubyte.gz", "dataset:fashion-mnist"),
    (KD + "imdb.npz", "dataset:imdb-reviews"),
    (KD + "reuters_word_index.json", "dataset:reuters-21578"),
    (KD + "boston_housing.npz", "dataset:boston-housing"),
    (KD + "california_housing.npz", "dataset:california-housing"),
    # scikit-learn fetch_* archives on figshare (scikit-learn 1.9.1 wheel): exact addresses
    ("https://ndownloader.figshare.com/files/5975967", "dataset:20-newsgroups"),
    ("https://ndownloader.figshare.com/files/5976036", "dataset:california-housing"),
    ("https://ndownloader.figshare.com/files/5976027", "dataset:olivetti-faces"),
    ("https://ndownloader.figshare.com/files/5976048", "dataset:rcv1"),
    # torchtext (0.18.0 wheel)
    ("http://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz", "dataset:imdb-reviews"),
    ("https://rajpurkar.github.io/SQuAD-explorer/dataset/dev-v2.0.json", "dataset:squad"),
    ("https://dl.fbaipublicfiles.com/glue/data/SST-2.zip", "dataset:sst2"),
    # NLTK's data index (nltk 3.10.4 names the index; the package addresses beside it)
    ("https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/tokenizers/punkt.zip", "dataset:nltk-punkt"),
    ("https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/wordnet.zip", "dataset:nltk-wordnet"),
    # gensim-data releases (gensim 4.4.0's downloader)
    ("https://github.com/RaRe-Technologies/gensim-data/releases/download/20-newsgroups/20-newsgroups.gz",
     "dataset:20-newsgroups"),
    # the dataset's own download pages
    ("https://image-net.org/data/ILSVRC/2012/ILSVRC2012_devkit_t12.tar.gz", "dataset:imagenet-1k"),
    ("https://archive.ics.uci.edu/ml/machine-learning-databases/iris/iris.data", "dataset:iris"),
    ("http://images.cocodataset.org/zips/train2017.zip", "dataset:coco"),
    ("http://images.cocodataset.org/annotations/annotations_trainval2017.zip", "dataset:coco"),
    ("http://host.robots.ox.ac.uk/pascal/VOC/voc2007/VOCtest_06-Nov-2007.tar", "dataset:pascal-voc"),
])
def test_download_url_resolves_to_the_dataset(kb: KnowledgeBase, url: str, dataset: str) -> None:
    assert kb.canonical(f"url:{url}") == dataset
    art = kb.artifact(f"url:{url}")
    assert art is not None and art.id == dataset and art.kind is Kind.DATASET
    ref = Catalog(kb).resolve(ids.parse(f"url:{url}"))
    assert ref.id == dataset and ref.kind is Kind.DATASET and f"url:{url}" in ref.aliases


@pytest.mark.parametrize("url", [
    "https://www.cs.toronto.edu/~kriz/cifar.html",  # the page, not a download of either CIFAR
    "https://www.cs.toronto.edu/~kriz/imagenet_classification_with_deep_convolutional.pdf",
    KD + "other.npz",
    KD + "mnist.npz.md5",  # an exact address covers only itself
    "https://ndownloader.figshare.com/files/59760360",
    "https://ndownloader.figshare.com/files/5976075",  # species distributions: no record
    "https://ossci-datasets.s3.amazonaws.com/other/file.gz",
    "http://images.cocodataset.org/other/x.zip",
    "https://drive.google.com/uc?id=1ApOdYe4NXxhPhJABefgZ3KVvqsQzhCL7",  # another Drive file
    "https://drive.google.com/uc?id=0B7EVK8r0v71pZjFTYXZWM3FlRnMx",
    "https://s3.amazonaws.com/kinetics/",
    "https://github.com/RaRe-Technologies/gensim-data/releases/download/fake-news/fake-news.gz",  # no record
    "https://archive.ics.uci.edu/ml/machine-learning-databases/wine/wine.data",
    "https://image-net.org/data/downsample/Imagenet32_train.zip",
    "https://www.robots.ox.ac.uk/~vgg/data/flowers/17/17flowers.tgz",  # the 17-category set: no record
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets",
    "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/packages/corpora/stopwords.zip",  # no record
])
def test_unrelated_address_on_the_same_host_stays_unknown(kb: KnowledgeBase, url: str) -> None:
    assert kb.canonical(f"url:{url}") is None
    assert kb.artifact(f"url:{url}") is None


def test_check_of_a_download_url_judges_the_dataset() -> None:
    found = api.check("url:https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz", "JP")
    assert found.artifact is not None and found.artifact.id == "dataset:cifar-10"
    assert found.verdict.value != "unknown"


def test_every_download_has_a_source(kb: KnowledgeBase) -> None:
    seen = 0
    for _where, entry, _family in kb.iter_raw_artifacts():
        for item in entry.get("downloads") or ():
            assert item["prefix"].startswith("url:") and item["source"]["confidence"] in ("V", "S", "U")
            seen += 1
    assert seen >= 40


@pytest.mark.parametrize(("prefix", "ok"), [
    ("url:https://example.org/data/", True),
    ("https://example.org/data/", False),  # not a url: reference
    ("url:https://", False),  # no host
    ("dataset:cifar-10", False),
])
def test_schema_checks_the_prefix(prefix: str, ok: bool) -> None:
    record = yaml.safe_load((DATA_DIR / "datasets" / "cifar-10.yaml").read_text(encoding="utf-8"))
    record["downloads"] = [{"prefix": prefix, "source": {"url": "https://example.org/", "checked": "2026-12-01",
                                                         "confidence": "V"}}]
    found = problems("datasets/cifar-10.yaml", record, today=None)
    assert (found == []) is ok, found


def test_two_records_may_not_claim_one_address(tmp_path: Path) -> None:
    (tmp_path / "datasets").mkdir()
    for name in ("cifar-10", "cifar-100"):
        shutil.copy(DATA_DIR / "datasets" / f"{name}.yaml", tmp_path / "datasets" / f"{name}.yaml")
    path = tmp_path / "datasets" / "cifar-100.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("~kriz/cifar-100-", "~kriz/cifar-10-"), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"already used by datasets/cifar-10\.yaml"):
        load_raw(tmp_path, use_cache=False)


def test_an_overlay_can_add_downloads(tmp_path: Path) -> None:
    (tmp_path / "datasets").mkdir()
    record = yaml.safe_load((DATA_DIR / "datasets" / "svhn.yaml").read_text(encoding="utf-8"))
    record["downloads"] = [{"prefix": "url:https://mirror.example.org/svhn/",
                            "source": {"url": "https://example.org/", "checked": "2026-12-01", "confidence": "S"}}]
    (tmp_path / "datasets" / "svhn.yaml").write_text(yaml.safe_dump(record), encoding="utf-8")
    kb = KnowledgeBase.load(overlays=[tmp_path], use_cache=False)
    assert kb.canonical("url:https://mirror.example.org/svhn/test_32x32.mat") == "dataset:svhn"
    assert kb.canonical("url:https://mirror.example.org/other/test_32x32.mat") is None
