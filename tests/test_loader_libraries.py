"""Loader libraries of issue 10, cause 7: what their calls load, as realistic code writes them.

Each test scans a short snippet in the style of real projects (tutorials, RAG apps, training
notebooks) and checks the ids, kinds and lines found, and that calls which load nothing pretrained
(a local SavedModel, ``pretrained_weights=None``, ``nltk.download()`` with no id, an unrelated
``.version()``) are not reported as references.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from modelclear import ids
from modelclear.model import Kind, Reference
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.python import scan_python_source


def refs(source: str) -> list[Reference]:
    ctx = ScanContext(root=Path("/nonexistent-root"), project_constants={})
    out = scan_python_source(textwrap.dedent(source).lstrip("\n"), "app/main.py", ctx)
    assert not [w for w in out if isinstance(w, ScanWarning)], out
    return [r for r in out if isinstance(r, Reference)]


def found(source: str) -> list[tuple[int, str | None, Kind | None]]:
    return sorted((r.line, r.id, r.kind) for r in refs(source))


M, D = Kind.MODEL, Kind.DATASET


# ----------------------------------------------------------------------------- Keras, TF Hub, Kaggle


def test_keras_get_file_and_tf_hub_handles() -> None:
    got = found('''
        import tensorflow as tf
        import tensorflow_hub as hub

        data_dir = tf.keras.utils.get_file(
            "flower_photos",
            origin="https://storage.googleapis.com/download.tensorflow.org/example_images/flower_photos.tgz",
            untar=True)
        cached = tf.keras.utils.get_file("flower_photos")
        feature_extractor = hub.KerasLayer(
            "https://tfhub.dev/google/tf2-preview/mobilenet_v2/feature_vector/4", input_shape=(224, 224, 3))
        encoder = hub.load("https://www.kaggle.com/models/google/universal-sentence-encoder/TensorFlow2/4")
        mine = hub.load("./exported/saved_model")
        ''')
    assert got == [
        (4, "dataset:tf-flowers", D),  # the URL table maps the flowers archive to its dataset record
        (9, "url:https://tfhub.dev/google/tf2-preview/mobilenet_v2/feature_vector/4", M),
        (11, "url:https://www.kaggle.com/models/google/universal-sentence-encoder/TensorFlow2/4", M),
        (12, None, M),  # a local SavedModel: a local reference, not a published artifact
    ]
    local = refs('import tensorflow_hub as hub\nm = hub.load("./exported/saved_model")\n')
    assert [(r.id, r.note) for r in local] == [(None, "local path")]


def test_kagglehub_handles_drop_the_version() -> None:
    got = found('''
        import kagglehub

        path = kagglehub.model_download("google/gemma/keras/gemma_2b_en/2")
        data = kagglehub.dataset_download("paultimothymooney/chest-xray-pneumonia/versions/2")
        comp = kagglehub.competition_download("titanic")
        ''')
    assert got == [(3, "kaggle-model:google/gemma/keras/gemma_2b_en", M),
                   (4, "kaggle-dataset:paultimothymooney/chest-xray-pneumonia", D),
                   (5, "kaggle-competition:titanic", D)]


def test_gdown_by_id_or_url_and_a_local_output_is_not_the_id() -> None:
    got = found('''
        import gdown

        gdown.download(id="1BZOv422XJvxFUnGh-0xVeSvgFgqVY45q", output="weights/best.pth", quiet=False)
        url = "https://drive.google.com/uc?id=1x2y3z4w5v6u7t8s9r0q1p2o3n4m5l6k7"
        gdown.download(url, "data.zip")
        gdown.download_folder(id="15uNXeRBIhVvZJIhL4yTw4IsStMhUaaxl", quiet=True)
        ''')
    assert got == [
        (3, "url:https://drive.google.com/uc?id=1BZOv422XJvxFUnGh-0xVeSvgFgqVY45q", D),
        (5, "url:https://drive.google.com/uc?id=1x2y3z4w5v6u7t8s9r0q1p2o3n4m5l6k7", D),
        (6, "url:https://drive.google.com/drive/folders/15uNXeRBIhVvZJIhL4yTw4IsStMhUaaxl", D),
    ]


# ------------------------------------------------------------------------------------------- Ollama


def test_ollama_client_functions_langchain_and_rest_payloads() -> None:
    found_refs = refs('''
        import requests
        import ollama
        from langchain_community.llms import Ollama
        from langchain_ollama import ChatOllama, OllamaEmbeddings

        OLLAMA_HOST = "http://localhost:11434"
        ollama.pull("llama3.1:8b")
        reply = ollama.chat(model="llama3:latest", messages=[{"role": "user", "content": "hi"}])
        legacy = Ollama()
        chat = ChatOllama(model="qwen2.5:7b", temperature=0)
        embeddings = OllamaEmbeddings(model="nomic-embed-text")
        resp = requests.post(f"{OLLAMA_HOST}/api/generate", json={"model": "mistral", "prompt": "hi"})
        other = requests.post("https://api.example.com/api/chat", json={"model": "gpt-x"})
        client = ollama.Client(host=OLLAMA_HOST)
        answer = client.chat(model="gemma2:9b", messages=[])
        tokens = tokenizer("hi")
        generated = model.generate(**tokens)
        ''')
    got = sorted((r.line, r.id, r.confidence) for r in found_refs)
    assert got == [(7, "ollama:llama3.1:8b", "high"),
                   (8, "ollama:llama3", "high"),            # ":latest" is the default tag
                   (9, "ollama:llama2", "medium"),          # langchain_community's default model
                   (10, "ollama:qwen2.5:7b", "high"),
                   (11, "ollama:nomic-embed-text", "high"),
                   (12, "ollama:mistral", "medium"),        # the address is built from a constant
                   (15, "ollama:gemma2:9b", "high")]        # a method of an ollama.Client object


# --------------------------------------------------------------------------------------- Roboflow


def test_roboflow_inference_and_sdk_dataset_chain() -> None:
    got = found('''
        import os
        import platform
        from roboflow import Roboflow
        from inference import get_model, InferencePipeline

        rf = Roboflow(api_key=os.environ["ROBOFLOW_API_KEY"])
        project = rf.workspace("roboflow-jvuqo").project("football-players-detection-3zvbc")
        version = project.version(12)
        dataset = version.download("yolov8")
        model = get_model(model_id="football-players-detection-3zvbc/12")
        pipeline = InferencePipeline.init(model_id="yolov8x-1280", video_reference=0, on_prediction=print)
        print(platform.version())
        ''')
    assert got == [(8, "roboflow-dataset:roboflow-jvuqo/football-players-detection-3zvbc/12", D),
                   (10, "roboflow-inference:football-players-detection-3zvbc/12", M),
                   (11, "roboflow-inference:yolov8x-1280", M)]


def test_roboflow_default_workspace_is_unresolved_not_guessed() -> None:
    found_refs = refs('''
        from roboflow import Roboflow
        rf = Roboflow(api_key="KEY")
        ds = rf.workspace().project("hard-hat-sample").version(2).download("coco")
        ''')
    assert [(r.line, r.id, r.kind) for r in found_refs] == [(3, None, D)]
    assert "default workspace" in found_refs[0].note


# ------------------------------------------------------------------------------ super-gradients


def test_super_gradients_pretrained_weights_and_random_init() -> None:
    got = found('''
        from super_gradients.training import models
        from super_gradients.common.object_names import Models

        model = models.get(Models.YOLO_NAS_L, pretrained_weights="coco")
        ppyoloe = models.get(Models.PP_YOLOE_S, pretrained_weights="coco")
        fresh = models.get("yolo_nas_s", num_classes=3)
        none = models.get("yolo_nas_s", num_classes=3, pretrained_weights=None)
        best = models.get("yolo_nas_s", num_classes=3, checkpoint_path="checkpoints/ckpt_best.pth")
        ''')
    assert got == [(4, "super-gradients:yolo_nas_l/coco", M), (5, "super-gradients:ppyoloe_s/coco", M)]


# ---------------------------------------------------------------------------- datasets of libraries


def test_sklearn_datasets_fetch_load_openml_and_non_references() -> None:
    got = found('''
        from sklearn import datasets
        from sklearn.datasets import fetch_20newsgroups, fetch_openml, load_files, make_classification

        newsgroups = fetch_20newsgroups(subset="train", remove=("headers", "footers"))
        X, y = datasets.load_iris(return_X_y=True)
        mnist = fetch_openml("mnist_784", version=1, as_frame=False)
        housing = datasets.fetch_california_housing(as_frame=True)
        reviews = load_files("data/reviews")
        Xs, ys = make_classification(n_samples=200)
        ''')
    assert got == [(4, "sklearn-dataset:20newsgroups", D), (5, "sklearn-dataset:iris", D),
                   (6, "openml:mnist_784", D), (7, "sklearn-dataset:california_housing", D)]


def test_torchtext_datasets_and_vectors() -> None:
    found_refs = refs('''
        from torchtext.datasets import IMDB, AG_NEWS
        from torchtext.vocab import GloVe, FastText
        from torchtext.legacy import data

        train_iter, test_iter = IMDB(split=("train", "test"))
        glove = GloVe(name="6B", dim=100)
        default = GloVe()
        fr = FastText(language="fr")
        TEXT = data.Field(lower=True)
        TEXT.build_vocab(train_iter, vectors="glove.twitter.27B.100d", max_size=25000)
        ''')
    got = sorted((r.line, r.id, r.confidence) for r in found_refs)
    assert got == [(5, "torchtext-dataset:IMDB", "high"),
                   (6, "url:http://nlp.stanford.edu/data/glove.6B.zip", "high"),
                   (7, "url:http://nlp.stanford.edu/data/glove.840B.300d.zip", "medium"),
                   (8, "url:https://dl.fbaipublicfiles.com/fasttext/vectors-wiki/wiki.fr.vec", "high"),
                   (10, "url:http://nlp.stanford.edu/data/glove.twitter.27B.zip", "high")]


def test_nltk_gensim_and_spacy_downloads() -> None:
    got = found('''
        import nltk
        import spacy
        import gensim.downloader as api

        for package in ["punkt", "stopwords", "wordnet"]:
            nltk.download(package, quiet=True)
        nltk.download()
        vectors = api.load("glove-wiki-gigaword-100")
        spacy.cli.download("en_core_web_sm")
        nlp = spacy.load("en_core_web_sm")
        ''')
    assert got == [(6, "nltk:punkt", D), (6, "nltk:stopwords", D), (6, "nltk:wordnet", D),
                   (8, "gensim-data:glove-wiki-gigaword-100", M),
                   (9, "spacy:en_core_web_sm", M), (10, "spacy:en_core_web_sm", M)]


# ------------------------------------------------------------------------------------- speech, OCR


def test_faster_whisper_sizes_hub_ids_local_and_unknown() -> None:
    found_refs = refs('''
        from faster_whisper import WhisperModel

        model = WhisperModel("large-v3", device="cuda", compute_type="float16")
        turbo = WhisperModel("deepdml/faster-whisper-large-v3-turbo-ct2")
        mine = WhisperModel("./models/whisper-ct2")
        typo = WhisperModel("largest")
        ''')
    got = sorted((r.line, r.id, r.note) for r in found_refs)
    assert got == [(3, "hf:Systran/faster-whisper-large-v3", "name 'large-v3'"),
                   (4, "hf:deepdml/faster-whisper-large-v3-turbo-ct2", ""),
                   (5, None, "local path"),
                   (6, None, "unknown name")]


def test_pyannote_keywords_and_inference_by_name() -> None:
    got = found('''
        from pyannote.audio import Pipeline, Model, Inference

        diarization = Pipeline.from_pretrained(checkpoint_path="pyannote/speaker-diarization-3.1",
                                               use_auth_token=HF_TOKEN)
        segmentation = Model.from_pretrained("pyannote/segmentation-3.0")
        embedding = Inference("pyannote/wespeaker-voxceleb-resnet34-LM", window="whole")
        ''')
    assert got == [(3, "hf:pyannote/speaker-diarization-3.1", M), (5, "hf:pyannote/segmentation-3.0", M),
                   (6, "hf:pyannote/wespeaker-voxceleb-resnet34-LM", M)]


def test_easyocr_one_model_per_language_and_paddleocr_default() -> None:
    found_refs = refs('''
        import easyocr
        from paddleocr import PaddleOCR

        reader = easyocr.Reader(["ch_sim", "en"], gpu=False)
        ocr = PaddleOCR(use_angle_cls=True)
        ocr_ja = PaddleOCR(use_angle_cls=True, lang="japan")
        ''')
    got = sorted((r.line, r.id, r.confidence) for r in found_refs)
    assert got == [(4, "easyocr:ch_sim", "high"), (4, "easyocr:en", "high"),
                   (5, "paddleocr:ch", "medium"), (6, "paddleocr:japan", "high")]


# -------------------------------------------------------------------------- embeddings and LLM apps


def test_embedding_libraries_defaults_and_hub_ids() -> None:
    found_refs = refs('''
        from fastembed import TextEmbedding, SparseTextEmbedding
        from FlagEmbedding import BGEM3FlagModel, FlagReranker
        from sentence_transformers import CrossEncoder
        from ragatouille import RAGPretrainedModel

        dense = TextEmbedding()
        sparse = SparseTextEmbedding(model_name="prithivida/Splade_PP_en_v1")
        m3 = BGEM3FlagModel("BAAI/bge-m3", use_fp16=True)
        reranker = FlagReranker("BAAI/bge-reranker-v2-m3", use_fp16=True)
        ce = CrossEncoder("cross-encoder/ms-marco-MiniLM-L-6-v2", max_length=512)
        rag = RAGPretrainedModel.from_pretrained("colbert-ir/colbertv2.0")
        index = RAGPretrainedModel.from_index(".ragatouille/colbert/indexes/docs")
        ''')
    got = sorted((r.line, r.id, r.confidence) for r in found_refs)
    assert got == [(6, "hf:BAAI/bge-small-en-v1.5", "medium"),   # TextEmbedding's default model
                   (7, "hf:prithivida/Splade_PP_en_v1", "high"),
                   (8, "hf:BAAI/bge-m3", "high"),
                   (9, "hf:BAAI/bge-reranker-v2-m3", "high"),
                   (10, "hf:cross-encoder/ms-marco-MiniLM-L-6-v2", "high"),
                   (11, "hf:colbert-ir/colbertv2.0", "high")]


def test_local_llm_runtimes() -> None:
    got = found('''
        from llama_cpp import Llama
        from vllm import LLM, EngineArgs
        from mlx_lm import load, generate

        llm = Llama.from_pretrained(repo_id="Qwen/Qwen2-0.5B-Instruct-GGUF", filename="*q8_0.gguf")
        local = Llama(model_path="./models/llama-2-7b.Q4_K_M.gguf")
        engine = LLM(model="mistralai/Mistral-7B-Instruct-v0.3", tensor_parallel_size=2)
        args = EngineArgs()
        model, tokenizer = load("mlx-community/Meta-Llama-3.1-8B-Instruct-4bit")
        text = generate(model, tokenizer, prompt="hello")
        ''')
    assert got == [(5, "hf:Qwen/Qwen2-0.5B-Instruct-GGUF", M), (6, None, M),
                   (7, "hf:mistralai/Mistral-7B-Instruct-v0.3", M), (8, "hf:facebook/opt-125m", M),
                   (9, "hf:mlx-community/Meta-Llama-3.1-8B-Instruct-4bit", M)]


# --------------------------------------------------------------------------------------- id schemes


@pytest.mark.parametrize(("typed", "canonical"), [
    ("ollama:llama3:latest", "ollama:llama3"),
    ("kaggle-model:google/gemma/keras/gemma_2b_en/3", "kaggle-model:google/gemma/keras/gemma_2b_en"),
    ("kaggle-dataset:uciml/iris/versions/2", "kaggle-dataset:uciml/iris"),
    ("roboflow-dataset:Roboflow-JVUQO/Football/1", "roboflow-dataset:roboflow-jvuqo/football/1"),
    ("super-gradients:YOLO_NAS_L/coco", "super-gradients:yolo_nas_l/coco"),
    ("sklearn-dataset:iris", "sklearn-dataset:iris"),
])
def test_new_schemes_normalise(typed: str, canonical: str) -> None:
    assert ids.parse(typed).id == canonical


@pytest.mark.parametrize("bad", ["super-gradients:yolo_nas_l", "roboflow-dataset:ws/project",
                                 "easyocr:english language", "kaggle-model:google/gemma"])
def test_new_schemes_reject_malformed_names(bad: str) -> None:
    with pytest.raises(ids.IdError):
        ids.parse(bad)


# ------------------------------------------------------------- the @huggingface/tasks importer


_LIBRARIES_TS = '''export const MODEL_LIBRARIES_UI_ELEMENTS = {
\tflair: {
\t\tprettyLabel: "Flair",
\t\trepoName: "Flair",
\t\trepoUrl: "https://github.com/flairNLP/flair",
\t\tsnippets: snippets.flair,
\t\tfilter: true,
\t\tcountDownloads: `path:"pytorch_model.bin"`,
\t},
\t"outetts": {
\t\tprettyLabel: "OuteTTS",
\t\trepoName: "OuteTTS",
\t\trepoUrl: "https://github.com/edwko/OuteTTS",
\t\tsnippets: snippets.outetts,
\t\tfilter: false,
\t},
} satisfies Record<string, LibraryUiElement>;
'''

_SNIPPETS_TS = '''export const flair = (model: ModelData): string[] => [
\t`from flair.models import SequenceTagger

tagger = SequenceTagger.load("${model.id}")`,
];

export const gliner = (model: ModelData): string[] => [
\t`from gliner import GLiNER

model = GLiNER.from_pretrained("${model.id}")`,
];

export const outetts = (model: ModelData): string[] => {
\tconst v = model.tags.includes("v1") ? `1` : `0`;
\treturn [
\t\t`import outetts as tts
enum = tts.Models("${model.id}".split("/", 1)[1])
pipe = tts.load_pipeline(repo_id="${model.id}", version=${v})
speaker = interface.load_default_speaker("${model.id}")`,
\t];
};
'''


def test_hf_tasks_importer_reads_libraries_and_snippet_calls() -> None:
    from tools import hf_tasks

    libraries = hf_tasks.parse_libraries(_LIBRARIES_TS)
    assert [(lib.key, lib.repo_url, lib.snippets) for lib in libraries] == [
        ("flair", "https://github.com/flairNLP/flair", "flair"),
        ("outetts", "https://github.com/edwko/OuteTTS", "outetts")]
    calls = hf_tasks.snippet_calls(_SNIPPETS_TS)
    # `.split(...)` of the id is not the id; `interface` is a local object whose class is unknown
    assert [(c.qualname, c.pos, c.kw, c.block) for c in calls] == [
        ("flair.models.SequenceTagger.load", 0, None, "flair"),
        ("gliner.GLiNER.from_pretrained", 0, None, "gliner"),
        ("outetts.load_pipeline", None, "repo_id", "outetts")]
    covered = hf_tasks.covered_calls([c.qualname for c in calls])
    assert covered == {"gliner.GLiNER.from_pretrained"}  # the generic *.from_pretrained loader
    entries = hf_tasks.select(libraries, calls, covered)
    text = hf_tasks.render(libraries, entries)
    assert '{call: ["flair.models.SequenceTagger.load"], kind: model, arg: {pos: 0}, id: hf_named' in text
    assert '{call: ["outetts.load_pipeline"], kind: model, arg: {kw: [repo_id]}, id: hf_named' in text
    assert 'keywords: ["flair.models", "outetts"]' in text


def test_hf_tasks_generated_entries_load_and_never_shadow_a_reviewed_loader() -> None:
    from modelclear.scan.pyloaders import load_table

    table = load_table()
    generated = table.table("hf_tasks")
    assert generated.get("sources"), "the generated file names its tarball"
    calls = [str(c) for raw in generated.get("loaders") or () for c in raw["call"]]
    assert len(calls) > 20
    for qualname in calls:
        best = table.candidates(qualname)[0][0]
        assert best.library == "hf_tasks", (qualname, best.library)
    got = found('''
        from flair.models import SequenceTagger
        from bertopic import BERTopic

        tagger = SequenceTagger.load("flair/ner-english-ontonotes-large")
        short = SequenceTagger.load("ner")
        topics = BERTopic.load("MaartenGr/BERTopic_Wikipedia")
        ''')
    assert got == [(4, "hf:flair/ner-english-ontonotes-large", M), (5, None, M),
                   (6, "hf:MaartenGr/BERTopic_Wikipedia", M)]


def test_torchaudio_bundles_and_datasets() -> None:
    got = found('''
        import torchaudio
        from torchaudio.datasets import LIBRISPEECH

        bundle = torchaudio.pipelines.WAV2VEC2_ASR_BASE_960H
        model = bundle.get_model()
        train = LIBRISPEECH("./data", url="train-clean-100", download=True)
        commands = torchaudio.datasets.SPEECHCOMMANDS("./data", download=True)
        ''')
    assert got == [(5, "torchaudio:WAV2VEC2_ASR_BASE_960H", M), (6, "torchaudio-dataset:LIBRISPEECH", D),
                   (7, "torchaudio-dataset:SPEECHCOMMANDS", D)]
