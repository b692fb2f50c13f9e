"""Values that cross the project's own modules, classes and functions on their way to a loader (issue 10,
cause 1): download helpers calling the project's generic download function, config objects passed down,
class attributes overridden by subclasses. Small project trees in the style of real repositories,
scanned as a whole (real files, one job)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from projecttree import found, write

from modelclear.scan import scan_path
from modelclear.scan.base import ScanOptions

# ------------------------------------------------- a wrapper calling a wrapper of another project module

SEGKIT = {
    "segkit/__init__.py": "",
    "segkit/utils/__init__.py": "",
    "segkit/utils/download.py": '''
        import requests
        from tqdm import tqdm


        def download(url: str, fname: str, verbose: bool = True) -> None:
            """Download a file from a url and save it to a file."""
            resp = requests.get(url, stream=True)
            with open(fname, "wb") as file, tqdm(desc=fname, disable=not verbose) as bar:
                for data in resp.iter_content(chunk_size=1024):
                    bar.update(file.write(data))
        ''',
    "segkit/weights.py": '''
        import os

        from segkit.utils.download import download

        MODEL_WEIGHTS = {
            "L": "https://github.com/segkit/segkit/releases/download/v1.0/segkit-large.pth",
            "S": "https://github.com/segkit/segkit/releases/download/v1.0/segkit-small.pth",
        }


        def download_weights(checkpoint_fpath, model_size="L"):
            """Downloads the released weights unless they are already there."""
            if not os.path.isfile(checkpoint_fpath):
                download(MODEL_WEIGHTS[model_size.strip().upper()], checkpoint_fpath)
            return checkpoint_fpath
        ''',
    "predict.py": '''
        import argparse

        from segkit.weights import download_weights


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--checkpoint", default="weights/segkit-small.pth")
            args = parser.parse_args()
            path = download_weights(args.checkpoint, model_size="S")
            print(path)


        if __name__ == "__main__":
            main()
        ''',
}


def test_a_wrapper_calling_another_modules_download_helper_is_followed_to_the_real_fetch(tmp_path: Path) -> None:
    write(tmp_path, SEGKIT)
    small = "url:https://github.com/segkit/segkit/releases/download/v1.0/segkit-small.pth"
    large = "url:https://github.com/segkit/segkit/releases/download/v1.0/segkit-large.pth"
    # predict.py names no loader library: it is read because what it imports reaches one, two modules down
    assert ("predict.py", 10, small) in found(tmp_path)
    assert ("predict.py", 10, large) not in found(tmp_path)  # model_size="S" chose one entry
    assert {(p, i) for p, _, i in found(tmp_path, "segkit/weights.py")} == {("segkit/weights.py", small),
                                                                         ("segkit/weights.py", large)}


def test_modules_followed_from_a_file_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelclear.scan import pyflow

    write(tmp_path, SEGKIT)
    monkeypatch.setattr(pyflow, "MAX_MODULE_DEPTH", 0)  # the helper's own module only: no second hop
    assert not [f for f in found(tmp_path) if f[:2] == ("predict.py", 10)]


# ------------------------------------------ a config object built by the caller and passed down to a loader

HANDBOOK = {
    "src/handbook/__init__.py": "",
    "src/handbook/configs.py": '''
        from dataclasses import dataclass, field
        from typing import Any, Optional


        @dataclass
        class ScriptArguments:
            dataset_name: Optional[str] = field(default=None, metadata={"help": "Hub dataset to train on."})
            dataset_config: Optional[str] = None
            dataset_mixture: Optional[dict[str, Any]] = field(default=None)
        ''',
    "src/handbook/data.py": '''
        import datasets
        from datasets import concatenate_datasets

        from .configs import ScriptArguments


        def get_dataset(args: ScriptArguments):
            if args.dataset_name and not args.dataset_mixture:
                return datasets.load_dataset(args.dataset_name, args.dataset_config)
            parts = []
            for dataset_config in args.dataset_mixture["datasets"]:
                parts.append(datasets.load_dataset(dataset_config["id"], split="train"))
            return concatenate_datasets(parts)
        ''',
    "tests/test_data.py": '''
        import unittest

        from handbook.configs import ScriptArguments
        from handbook.data import get_dataset


        class GetDatasetTest(unittest.TestCase):
            def test_single_dataset(self):
                args = ScriptArguments(dataset_name="acme/testing_alpaca_small")
                datasets = get_dataset(args)
                self.assertIn("train", datasets)

            def test_mixture(self):
                mixture = {
                    "datasets": [
                        {"id": "acme/testing_alpaca_small", "weight": 0.5},
                        {"id": "acme/testing_codealpaca_small", "weight": 0.5},
                    ],
                    "seed": 42,
                }
                datasets = get_dataset(ScriptArguments(dataset_mixture=mixture))
                self.assertEqual(len(datasets["train"]), 100)

            def test_other_mixture(self):
                mixture = {"datasets": [{"id": "acme/testing_alpaca_small", "weight": 1.0}]}
                self.assertTrue(get_dataset(ScriptArguments(dataset_mixture=mixture)))
        ''',
}


def test_fields_of_a_config_object_the_caller_builds_reach_the_load_in_another_module(tmp_path: Path) -> None:
    write(tmp_path, HANDBOOK)
    got = found(tmp_path, "tests/test_data.py")
    assert got == [
        ("tests/test_data.py", 10, "hf-dataset:acme/testing_alpaca_small"),      # ScriptArguments(dataset_name=)
        ("tests/test_data.py", 16, "hf-dataset:acme/testing_alpaca_small"),      # each mixture entry at its line,
        ("tests/test_data.py", 17, "hf-dataset:acme/testing_codealpaca_small"),  # in the function that loads it
        ("tests/test_data.py", 26, "hf-dataset:acme/testing_alpaca_small"),      # next to its call: at the call
    ]


def test_an_object_the_caller_did_not_build_adds_nothing_at_the_caller() -> None:
    """``args`` from argparse: its attribute is worked out by the wrapper's module (reported at the load)."""
    from modelclear.model import Reference
    from modelclear.scan.base import ScanContext
    from modelclear.scan.python import scan_python_source

    source = textwrap.dedent('''
        import argparse
        from dataclasses import dataclass
        from transformers import AutoModel


        @dataclass
        class ModelConfig:
            model_name: str = "acme/encoder-base"
            revision: str = "main"


        def build(cfg):
            return AutoModel.from_pretrained(cfg.model_name, revision=cfg.revision)


        def get_args():
            parser = argparse.ArgumentParser()
            parser.add_argument("--model_name", default="acme/encoder-small")
            return parser.parse_args()


        if __name__ == "__main__":
            args = get_args()
            encoder = build(args)
            large = build(ModelConfig(model_name="acme/encoder-large"))
            default = build(ModelConfig(revision="v2"))
        ''')
    refs = [r for r in scan_python_source(source, "train.py", ScanContext(root=Path(".")))
            if isinstance(r, Reference) and r.id is not None]
    assert sorted((r.line, r.id) for r in refs) == [
        (9, "hf:acme/encoder-base"),    # the class default (ModelConfig(revision="v2")), at the field's line
        (14, "hf:acme/encoder-large"),  # the load itself names every value its calls give it
        (14, "hf:acme/encoder-small"),  # argparse's default: at the load only, never at `build(args)`
        (26, "hf:acme/encoder-large")]  # the field the caller passed, at the caller


# ------------------------------------ class attributes, subclasses overriding them, and super().__init__

RERANK = {
    "rerank/__init__.py": "",
    "rerank/base.py": '''
        from sentence_transformers import CrossEncoder
        from transformers import AutoTokenizer


        class BaseRanker:
            """Scores query-document pairs with a cross-encoder."""

            model_name = "cross-encoder/ms-marco-MiniLM-L-6-v2"

            def __init__(self, device="cpu"):
                self.device = device
                self.model = self.load()

            def load(self):
                return CrossEncoder(self.model_name, device=self.device)

            def tokenizer(self):
                return AutoTokenizer.from_pretrained(self.tokenizer_name())

            def tokenizer_name(self):
                return "google-bert/bert-base-uncased"


        class MultilingualRanker(BaseRanker):
            model_name = "cross-encoder/mmarco-mMiniLMv2-L12-H384-v1"

            def tokenizer_name(self):
                return "FacebookAI/xlm-roberta-base"
        ''',
    "rerank/colbert.py": '''
        from .base import BaseRanker


        class ColbertRanker(BaseRanker):
            model_name = "colbert-ir/colbertv2.0"
            batch_size = 32
        ''',
    "encoding/__init__.py": "",
    "encoding/encoder_base.py": '''
        from sentence_transformers import SentenceTransformer


        class SentenceTransformerEncoderBase:
            def __init__(self, model_name):
                self.model = SentenceTransformer(model_name)

            def encode(self, texts):
                return self.model.encode(texts)
        ''',
    "encoding/encoders/__init__.py": "",
    "encoding/encoders/msmarco.py": '''
        from encoding.encoder_base import SentenceTransformerEncoderBase


        class Encoder(SentenceTransformerEncoderBase):
            def __init__(self):
                model_name = "sentence-transformers/msmarco-distilbert-base-v4"
                super(Encoder, self).__init__(model_name)
        ''',
}


def test_subclasses_override_the_class_attribute_and_method_a_base_class_loads(tmp_path: Path) -> None:
    write(tmp_path, RERANK)
    got = {(p, line, i) for p, line, i in found(tmp_path) if p.startswith("rerank/")}
    assert got == {
        # the base class's load reads self.model_name: its own and the subclass's override, at their lines
        ("rerank/base.py", 8, "hf:cross-encoder/ms-marco-MiniLM-L-6-v2"),
        ("rerank/base.py", 25, "hf:cross-encoder/mmarco-mMiniLMv2-L12-H384-v1"),
        # self.tokenizer_name() runs the base's method or the subclass's
        ("rerank/base.py", 18, "hf:google-bert/bert-base-uncased"),
        ("rerank/base.py", 18, "hf:FacebookAI/xlm-roberta-base"),
        # a subclass in another module: its override at its own line (batch_size changes no id)
        ("rerank/colbert.py", 5, "hf:colbert-ir/colbertv2.0"),
    }


def test_super_init_of_a_base_class_in_another_module_is_a_call_of_that_wrapper(tmp_path: Path) -> None:
    write(tmp_path, RERANK)
    assert ("encoding/encoders/msmarco.py", 7, "hf:sentence-transformers/msmarco-distilbert-base-v4") in found(
        tmp_path)


# ----------------------------------------------- parametrized tests and a project function returning the ids

VISION = {
    "vislib/__init__.py": "from .vislib import *\n",
    "vislib/vislib.py": '''
        import torch

        __all__ = ["available_models", "load"]

        _MODELS = {
            "tiny": "https://example.org/vislib/releases/tiny-3f2a.pt",
            "base": "https://example.org/vislib/releases/base-9c1d.pt",
        }


        def available_models():
            """Returns the names of available models"""
            return list(_MODELS.keys())


        def load(name, device="cpu"):
            return torch.hub.load_state_dict_from_url(_MODELS[name], map_location=device)
        ''',
    "tests/test_consistency.py": '''
        import pytest
        from transformers import AutoModel

        import vislib


        @pytest.mark.parametrize("model_name", vislib.available_models())
        def test_consistency(model_name):
            state = vislib.load(model_name)
            assert state


        @pytest.mark.parametrize("checkpoint, revision", [
            ("acme/encoder-small", "main"),
            pytest.param("acme/encoder-large", "v2", marks=pytest.mark.slow),
        ])
        def test_encoders(checkpoint, revision):
            assert AutoModel.from_pretrained(checkpoint, revision=revision)
        ''',
}


def test_parametrized_test_parameters_take_each_case(tmp_path: Path) -> None:
    write(tmp_path, VISION)
    got = found(tmp_path, "tests/test_consistency.py")
    # the cases come from the package's function (re-exported with `from .vislib import *`)
    assert ("tests/test_consistency.py", 9, "url:https://example.org/vislib/releases/tiny-3f2a.pt") in got
    assert ("tests/test_consistency.py", 9, "url:https://example.org/vislib/releases/base-9c1d.pt") in got
    assert ("tests/test_consistency.py", 18, "hf:acme/encoder-small") in got
    assert ("tests/test_consistency.py", 18, "hf:acme/encoder-large") in got
    assert not [i for p, line, i in got if i in ("hf:main", "hf:v2")]


# ----------------------------------------------------------- local weight files named after their release

def test_a_release_file_named_model_plus_a_hash_is_specific_enough_to_trace(tmp_path: Path) -> None:
    release = "https://github.com/acme/depth/releases/download/v2_1"
    write(tmp_path, {
        "tf/README.md": f'''
            1) Download the model weights [model-f6b98070.onnx]({release}/model-f6b98070.onnx) and place
               them in the /tf folder; [model-small.onnx]({release}/model-small.onnx) is the small one.
            ''',
        "tf/run_onnx.py": '''
            import argparse

            import onnxruntime as rt


            if __name__ == "__main__":
                parser = argparse.ArgumentParser()
                parser.add_argument("-m", "--model_weights", default="model-f6b98070.onnx")
                parser.add_argument("--small_weights", default="model-small.onnx")
                args = parser.parse_args()
                session = rt.InferenceSession(args.model_weights)
            ''',
    })
    got = found(tmp_path, "tf/run_onnx.py")
    assert ("tf/run_onnx.py", 8, f"url:{release}/model-f6b98070.onnx") in got
    assert not [g for g in got if g[1] == 9]  # "model-small" names no release on its own


def test_data_files_unpacked_from_a_released_archive_are_that_release(tmp_path: Path) -> None:
    import json

    def notebook(*cells: tuple[str, list[str]]) -> str:
        return json.dumps({"cells": [{"cell_type": kind, "metadata": {}, "source": [line + "\n" for line in src],
                                      **({"execution_count": None, "outputs": []} if kind == "code" else {})}
                                     for kind, src in cells],
                           "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1, sort_keys=True)

    jena = "https://s3.amazonaws.com/keras-datasets/jena_climate_2009_2016.csv.zip"
    glove = "http://nlp.stanford.edu/data/glove.6B.zip"
    write(tmp_path, {
        "download.ipynb": notebook(("code", [f"!wget {jena}", "!unzip jena_climate_2009_2016.csv.zip",
                                             f"!wget {glove}", "!unzip -q glove.6B.zip"]),
                                  ("code", ["import pandas as pd", "df = pd.read_csv('jena_climate_2009_2016.csv')"])),
        "timeseries.ipynb": notebook(
            ("markdown", ["The data is in `jena_climate_2009_2016.csv`, see the download notebook."]),
            ("code", ["import os", "data_dir = '/home/user/data/'",
                      "fname = os.path.join(data_dir, 'jena_climate_2009_2016.csv')"])),
        "embeddings.py": '''
            import os

            glove_dir = "/home/user/data/glove.6B"
            with open(os.path.join(glove_dir, "glove.6B.100d.txt")) as f:
                vectors = f.read()
            with open("data/test.txt") as f:
                sample = f.read()
            ''',
    })
    got = found(tmp_path)
    raw = (tmp_path / "timeseries.ipynb").read_text().splitlines()
    line = next(i for i, text in enumerate(raw, 1) if "os.path.join(data_dir" in text)
    assert ("timeseries.ipynb", line, f"url:{jena}") in got           # a code cell's line of the raw JSON
    assert [g for g in got if g[0] == "timeseries.ipynb"] == [("timeseries.ipynb", line, f"url:{jena}")]
    assert ("embeddings.py", 4, f"url:{glove}") in got                 # glove.6B.<variant>.txt
    assert not [g for g in got if g[0] == "embeddings.py" and g[1] != 4]
    # the notebook that downloads it: the downloads are its references, not the read of the unpacked file
    assert {i for p, _, i in got if p == "download.ipynb"} == {f"url:{jena}", f"url:{glove}"}


def test_a_package_init_calling_a_relative_import_follows_it_without_error(tmp_path: Path) -> None:
    write(tmp_path, {
        "models/__init__.py": '''
            from .detr import build


            def build_model(args):
                return build(args)


            def build_default():
                return build("facebook/detr-resnet-50")
            ''',
        "models/detr.py": '''
            from transformers import DetrForObjectDetection


            def build(name):
                return DetrForObjectDetection.from_pretrained(name)
            ''',
    })
    result = scan_path(tmp_path, ScanOptions(jobs=1))
    assert not [w for w in result.warnings if w.code == "internal"]
    assert ("models/__init__.py", 9, "hf:facebook/detr-resnet-50") in found(tmp_path)


def test_a_subclass_without_init_runs_its_base_init_and_tuple_entries_reach_the_load(tmp_path: Path) -> None:
    write(tmp_path, {
        "retrieval/__init__.py": "",
        "retrieval/models/__init__.py": "from .sentence_bert import SentenceBERT\nfrom .binary import BinaryBERT\n",
        "retrieval/models/sentence_bert.py": '''
            from sentence_transformers import SentenceTransformer


            class SentenceBERT:
                def __init__(self, model_path: str | tuple = None, sep: str = " ", **kwargs):
                    self.sep = sep
                    if isinstance(model_path, str):
                        self.q_model = SentenceTransformer(model_path)
                        self.doc_model = self.q_model
                    elif isinstance(model_path, tuple):
                        self.q_model = SentenceTransformer(model_path[0])
                        self.doc_model = SentenceTransformer(model_path[1])
            ''',
        "retrieval/models/binary.py": '''
            from .sentence_bert import SentenceBERT


            class BinaryBERT(SentenceBERT):
                def encode(self, texts):
                    return (self.q_model.encode(texts) > 0).astype("uint8")
            ''',
        "evaluate_dpr.py": '''
            from retrieval import models

            model = models.SentenceBERT(
                (
                    "facebook-dpr-question_encoder-multiset-base",
                    "facebook-dpr-ctx_encoder-multiset-base",
                    " [SEP] ",
                ),
                batch_size=128,
            )
            binary = models.BinaryBERT("income/bpr-base-msmarco-distilbert-tas-b")
            plain = models.SentenceBERT("msmarco-distilbert-base-v3")
            ''',
    })
    got = found(tmp_path, "evaluate_dpr.py")
    assert got == [
        ("evaluate_dpr.py", 4, "hf:sentence-transformers/facebook-dpr-ctx_encoder-multiset-base"),
        ("evaluate_dpr.py", 4, "hf:sentence-transformers/facebook-dpr-question_encoder-multiset-base"),
        ("evaluate_dpr.py", 11, "hf:income/bpr-base-msmarco-distilbert-tas-b"),   # BinaryBERT runs SentenceBERT's
        ("evaluate_dpr.py", 12, "hf:sentence-transformers/msmarco-distilbert-base-v3"),  # a string: never "m"
    ]


def test_an_option_added_by_an_imported_helper_is_not_another_scripts_option(tmp_path: Path) -> None:
    write(tmp_path, {
        "chat/__init__.py": "",
        "chat/model_args.py": '''
            DEFAULT_MODEL_PATH = "lmsys/vicuna-7b-v1.5"


            def add_model_args(parser):
                parser.add_argument("--model-path", type=str, default=DEFAULT_MODEL_PATH)
                parser.add_argument("--device", default="cuda")
            ''',
        "chat/inference.py": '''
            from transformers import AutoModelForCausalLM


            def chat_loop(model_path, device):
                model = AutoModelForCausalLM.from_pretrained(model_path).to(device)
                return model
            ''',
        "chat/cli.py": '''
            import argparse

            from chat.inference import chat_loop
            from chat.model_args import add_model_args

            if __name__ == "__main__":
                parser = argparse.ArgumentParser()
                add_model_args(parser)
                args = parser.parse_args()
                chat_loop(args.model_path, args.device)
            ''',
        "chat/mlx_worker.py": '''
            import argparse

            if __name__ == "__main__":
                parser = argparse.ArgumentParser()
                parser.add_argument("--model-path", type=str, default="microsoft/phi-2")
                args = parser.parse_args()
                print(args.model_path)
            ''',
    })
    assert [i for p, _, i in found(tmp_path, "chat/cli.py")] == ["hf:lmsys/vicuna-7b-v1.5"]


def test_a_library_attribute_read_by_name_is_each_named_attribute_at_its_registry_entry() -> None:
    from modelclear.model import Reference
    from modelclear.scan.base import ScanContext
    from modelclear.scan.python import scan_python_source

    source = textwrap.dedent('''
        import torchaudio

        BUNDLES = {
            "en": "WAV2VEC2_ASR_BASE_960H",
            "fr": "VOXPOPULI_ASR_BASE_10K_FR",
        }


        def load_aligner(language):
            bundle = getattr(torchaudio.pipelines, BUNDLES[language])
            return bundle.get_model(), bundle.get_labels()
        ''')
    refs = [r for r in scan_python_source(source, "align.py", ScanContext(root=Path(".")))
            if isinstance(r, Reference) and r.id is not None]
    assert sorted((r.line, r.id) for r in refs) == [(5, "torchaudio:WAV2VEC2_ASR_BASE_960H"),
                                                    (6, "torchaudio:VOXPOPULI_ASR_BASE_10K_FR")]


def test_the_options_dict_of_an_argparse_namespace_holds_their_defaults() -> None:
    from modelclear.model import Reference
    from modelclear.scan.base import ScanContext
    from modelclear.scan.python import scan_python_source

    source = textwrap.dedent('''
        import argparse

        from faster_whisper import WhisperModel
        from pyannote.audio import Pipeline


        def cli():
            parser = argparse.ArgumentParser()
            parser.add_argument("--model", default="small", help="name of the Whisper model to use")
            parser.add_argument("--diarize_model", default="pyannote/speaker-diarization-3.1", type=str)
            parser.add_argument("--output_dir", "-o", type=str, default=".")
            args = parser.parse_args().__dict__
            model_name: str = args.pop("model")
            output_dir: str = args.pop("output_dir")
            model = WhisperModel(model_name, download_root=output_dir)
            diarize = Pipeline.from_pretrained(vars(parser.parse_args())["diarize_model"])
            return model, diarize
        ''')
    refs = [r for r in scan_python_source(source, "transcribe.py", ScanContext(root=Path(".")))
            if isinstance(r, Reference) and r.id is not None]
    assert sorted((r.line, r.id) for r in refs) == [(16, "hf:Systran/faster-whisper-small"),
                                                    (17, "hf:pyannote/speaker-diarization-3.1")]


def test_an_option_helper_imported_through_its_package_is_preferred_too(tmp_path: Path) -> None:
    write(tmp_path, {
        "chat/__init__.py": "",
        "chat/model/__init__.py": "from chat.model.model_adapter import add_model_args, load_model\n",
        "chat/model/model_adapter.py": '''
            from transformers import AutoModelForCausalLM

            DEFAULT_MODEL_PATH = "lmsys/vicuna-7b-v1.5"


            def add_model_args(parser):
                parser.add_argument("--model-path", type=str, default=DEFAULT_MODEL_PATH)


            def load_model(model_path, device="cuda"):
                return AutoModelForCausalLM.from_pretrained(model_path).to(device)
            ''',
        "chat/serve/__init__.py": "",
        "chat/serve/huggingface_api.py": '''
            import argparse

            from chat.model import add_model_args, load_model


            def main(args):
                return load_model(args.model_path, device="cpu")


            if __name__ == "__main__":
                parser = argparse.ArgumentParser()
                add_model_args(parser)
                main(parser.parse_args())
            ''',
        "chat/serve/mlx_worker.py": '''
            import argparse

            WORKER_ADDRESS = "http://localhost:21002"

            if __name__ == "__main__":
                parser = argparse.ArgumentParser()
                parser.add_argument("--model-path", type=str, default="microsoft/phi-2")
                print(parser.parse_args().model_path)
            ''',
    })
    assert [i for p, _, i in found(tmp_path, "chat/serve/huggingface_api.py")] == ["hf:lmsys/vicuna-7b-v1.5"]


# ----------------------------------- a project class's own from_pretrained(device) imported from its package

def test_imported_project_class_from_pretrained_taking_a_device(tmp_path: Path) -> None:
    # a speech package's model class defines from_pretrained(cls, device) itself: it downloads its fixed Hub
    # repository, and the apps pass it a device. The project's method runs, not the library's loader of
    # that name: "cuda" / "cpu" are no model ids (resemble-ai/chatterbox's apps)
    write(tmp_path, {
        "src/voicekit/__init__.py": "from .tts import VoiceTTS\n",
        "src/voicekit/tts.py": '''
            from pathlib import Path

            import torch
            from huggingface_hub import hf_hub_download
            from safetensors.torch import load_file

            REPO_ID = "voicekit-org/voicekit"


            class VoiceTTS:
                def __init__(self, ve, device):
                    self.ve = ve
                    self.device = device

                @classmethod
                def from_local(cls, ckpt_dir, device) -> "VoiceTTS":
                    map_location = torch.device("cpu") if device in ["cpu", "mps"] else None
                    return cls(load_file(Path(ckpt_dir) / "ve.safetensors"), device)

                @classmethod
                def from_pretrained(cls, device) -> "VoiceTTS":
                    for fpath in ["ve.safetensors", "tokenizer.json"]:
                        local_path = hf_hub_download(repo_id=REPO_ID, filename=fpath)
                    return cls.from_local(Path(local_path).parent, device)
            ''',
        "app.py": '''
            import torch
            from voicekit import VoiceTTS
            from voicekit.tts import VoiceTTS as Same

            DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
            model = VoiceTTS.from_pretrained(DEVICE)
            other = Same.from_pretrained(device="cpu")
            ''',
    })
    assert found(tmp_path) == [("src/voicekit/tts.py", 23, "hf:voicekit-org/voicekit")]


def test_imported_project_tokenizer_from_pretrained_passing_the_id_to_mistral_common(tmp_path: Path) -> None:
    # a fine-tuning library's own tokenizer class: from_pretrained(name) hands the name to mistral-common's
    # download_tokenizer_from_hf_hub, so the id the tests pass is the load (axolotl's HFMistralTokenizer)
    write(tmp_path, {
        "src/tunekit/__init__.py": "",
        "src/tunekit/mistral/__init__.py": "from .tok import HFMistralTokenizer\n",
        "src/tunekit/mistral/tok.py": '''
            import os

            from mistral_common.tokens.tokenizers.utils import download_tokenizer_from_hf_hub


            class HFMistralTokenizer:
                def __init__(self, name_or_path, tokenizer_path):
                    self.name_or_path = name_or_path

                @classmethod
                def from_pretrained(cls, pretrained_model_name_or_path, revision="main"):
                    if not os.path.isfile(pretrained_model_name_or_path):
                        path = download_tokenizer_from_hf_hub(repo_id=str(pretrained_model_name_or_path),
                                                              revision=revision)
                    else:
                        path = str(pretrained_model_name_or_path)
                    return cls(name_or_path=str(pretrained_model_name_or_path), tokenizer_path=path)
            ''',
        "tests/conftest.py": '''
            from tunekit.mistral import HFMistralTokenizer


            def fixture_tokenizer():
                return HFMistralTokenizer.from_pretrained("mistralai/Devstral-Small-2505")
            ''',
    })
    assert ("tests/conftest.py", 5, "hf:mistralai/Devstral-Small-2505") in found(tmp_path)


def test_a_project_from_pretrained_with_the_library_parameter_name_keeps_the_callers_id(tmp_path: Path) -> None:
    # the project's from_pretrained keeps transformers' signature and hands the name to a library this scanner
    # does not know: the caller's literal is still the model it loads (unlike from_pretrained(cls, device))
    write(tmp_path, {
        "src/tunekit/__init__.py": "",
        "src/tunekit/proc.py": '''
            from huggingface_hub import hf_hub_download
            from vendorlib.fetch import fetch_repo_files


            class Processor:
                @classmethod
                def from_pretrained(cls, pretrained_model_name_or_path, **kwargs):
                    files = fetch_repo_files(pretrained_model_name_or_path)
                    return cls(files)

                @staticmethod
                def helper():
                    return hf_hub_download(repo_id="tunekit/defaults", filename="x.json")
            ''',
        "app.py": '''
            from tunekit.proc import Processor

            proc = Processor.from_pretrained("acme-labs/vision-base")
            ''',
    })
    assert ("app.py", 3, "hf:acme-labs/vision-base") in found(tmp_path)
