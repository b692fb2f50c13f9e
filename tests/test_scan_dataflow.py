"""Values across a repository's own functions and classes, registries, environment defaults and string
building (issue 10, causes 1-4), and the precision rules: snippets in the style of real projects."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

import pytest

from modelclear.model import Reference
from modelclear.scan.base import EnvValue, ScanContext, ScanWarning
from modelclear.scan.python import scan_python_source
from modelclear.scan.pyvalues import MAX_UNION


def scan(source: str, env: Mapping[str, tuple[EnvValue, ...]] | None = None) -> list[Reference | ScanWarning]:
    ctx = ScanContext(root=Path("."), project_env=env or {})
    return scan_python_source(textwrap.dedent(source), "app.py", ctx)


def refs(source: str, env: Mapping[str, tuple[EnvValue, ...]] | None = None) -> list[Reference]:
    return [r for r in scan(source, env) if isinstance(r, Reference)]


def found(source: str, env: Mapping[str, tuple[EnvValue, ...]] | None = None) -> list[tuple[int, str | None]]:
    return sorted(((r.line, r.id) for r in refs(source, env)), key=lambda item: (item[0], item[1] or ""))


# ------------------------------------------------------------------ cause 1: the repository's own wrappers

RAG_APP = '''\
from sentence_transformers import SentenceTransformer, CrossEncoder


class Embedder:
    """Wraps a sentence-transformers model for the vector store."""

    def __init__(self, model: str = "sentence-transformers/all-MiniLM-L6-v2", device: str = "cpu"):
        self.model_name = model
        self.device = device
        self._model = None

    @property
    def model(self):
        if self._model is None:
            self._model = SentenceTransformer(self.model_name, device=self.device)
        return self._model

    def embed(self, texts):
        return self.model.encode(texts).tolist()


def make_reranker(name="cross-encoder/ms-marco-MiniLM-L-6-v2", max_length=512):
    return CrossEncoder(name, max_length=max_length)


store_embedder = Embedder(model="BAAI/bge-small-en-v1.5")
query_embedder = Embedder()
gpu_embedder = Embedder(device="cuda")
reranker = make_reranker("BAAI/bge-reranker-base")
'''


def test_wrapper_class_argument_is_reported_at_the_callers_line() -> None:
    out = refs(RAG_APP)
    got = sorted((r.line, r.id) for r in out)
    assert got == [(15, "hf:BAAI/bge-small-en-v1.5"),                   # what the class's constructor calls pass,
                   (15, "hf:sentence-transformers/all-MiniLM-L6-v2"),   # and its default, at the load
                   (23, "hf:BAAI/bge-reranker-base"),                   # the function's only caller, at the load
                   (26, "hf:BAAI/bge-small-en-v1.5"),                   # Embedder(model=...) at its own line
                   (29, "hf:BAAI/bge-reranker-base")]                   # make_reranker("...") at its own line
    at_caller = next(r for r in out if r.line == 26)
    assert at_caller.confidence == "medium"
    assert "passed to Embedder(), which loads it at line 15 (only on some paths)" in at_caller.note
    assert next(r for r in out if r.line == 29).note.endswith("passed to make_reranker(), which loads it at line 23")


def test_classmethod_from_pretrained_and_self_method_wrappers() -> None:
    source = '''
        import timm
        import torch.nn as nn


        class DepthNet(nn.Module):
            def __init__(self, backbone):
                super().__init__()
                self.encoder = backbone

            @classmethod
            def from_pretrained(cls, name, pretrained=True):
                encoder = timm.create_model(name, pretrained=pretrained, features_only=True)
                return cls(encoder)


        class Trainer:
            def build(self, arch):
                return self.load_backbone(arch)

            def load_backbone(self, arch, pretrained=True):
                return timm.create_model(arch, pretrained=pretrained, num_classes=0)

            def setup(self):
                return self.load_backbone("convnext_tiny.fb_in22k")


        net = DepthNet.from_pretrained("vit_base_patch16_384")
        scratch = DepthNet.from_pretrained("vit_large_patch16_384", pretrained=False)
        '''
    got = found(source)
    assert (28, "timm:vit_base_patch16_384") in got
    assert (25, "timm:convnext_tiny.fb_in22k") in got
    assert not [g for g in got if g[0] == 29]  # pretrained=False at the call: nothing is loaded
    assert "timm:vit_large_patch16_384" not in {i for _, i in got if _ != 13}


def test_wrapper_never_loading_pretrained_weights_is_not_a_reference() -> None:
    source = '''
        import timm


        def create_backbone(name: str, pretrained: bool = False, **kwargs):
            """Backbone of the detector; weights come from our own checkpoint."""
            return timm.create_model(name, pretrained=pretrained, **kwargs)


        backbone = create_backbone("resnet50")
        head_backbone = create_backbone("efficientnet_b3", drop_rate=0.2)
        '''
    assert found(source) == []


def test_passing_only_other_parameters_adds_nothing_at_the_caller() -> None:
    source = '''
        from transformers import AutoTokenizer


        def get_tokenizer(name="google-bert/bert-base-uncased", use_fast=True):
            return AutoTokenizer.from_pretrained(name, use_fast=use_fast)


        tok = get_tokenizer(use_fast=False)
        '''
    assert found(source) == [(6, "hf:google-bert/bert-base-uncased")]


def test_training_config_dataclass_default_reaches_the_load() -> None:
    source = '''
        from dataclasses import dataclass, field
        from transformers import AutoModelForCausalLM, HfArgumentParser
        from datasets import load_dataset


        @dataclass
        class ScriptArguments:
            model_name_or_path: str = field(default="Qwen/Qwen2.5-0.5B-Instruct")
            dataset_name: str = field(default="trl-lib/Capybara")
            learning_rate: float = 2e-5


        def main(args: ScriptArguments):
            model = AutoModelForCausalLM.from_pretrained(args.model_name_or_path)
            data = load_dataset(args.dataset_name, split="train")
            return model, data


        if __name__ == "__main__":
            (script_args,) = HfArgumentParser(ScriptArguments).parse_args_into_dataclasses()
            main(script_args)
        '''
    assert found(source) == [(15, "hf:Qwen/Qwen2.5-0.5B-Instruct"), (16, "hf-dataset:trl-lib/Capybara")]


# ------------------------------------------------------------------------------------ cause 2: registries

def test_enum_registry_entries_are_reported_at_their_lines() -> None:
    source = '''
        from enum import Enum
        from sentence_transformers import SentenceTransformer


        class DenseModels(Enum):
            en_small = "BAAI/bge-small-en-v1.5"
            zh_small = "thenlper/gte-small-zh"
            multilingual_small = "intfloat/multilingual-e5-small"


        class HardNegativeMiner:
            def __init__(self, language: str, size: str = "small"):
                if language not in ("en", "zh"):
                    language = "multilingual"
                self.model_name = f"{language}_{size}"
                self.model = SentenceTransformer(DenseModels[self.model_name].value)
        '''
    out = refs(source)
    assert sorted((r.line, r.id) for r in out) == [(7, "hf:BAAI/bge-small-en-v1.5"),
                                                   (8, "hf:thenlper/gte-small-zh"),
                                                   (9, "hf:intfloat/multilingual-e5-small")]
    assert all("registry entry; loaded at line 17" in r.note and r.confidence == "medium" for r in out)


def test_enum_member_value_and_iteration() -> None:
    source = '''
        from enum import Enum
        from transformers import AutoModel


        class Backbone(str, Enum):
            BASE = "facebook/dinov2-base"
            LARGE = "facebook/dinov2-large"


        def default_model():
            return AutoModel.from_pretrained(Backbone.BASE.value)


        def warm_cache():
            for member in Backbone:
                AutoModel.from_pretrained(member.value)
        '''
    got = found(source)
    assert (12, "hf:facebook/dinov2-base") in got
    assert (7, "hf:facebook/dinov2-base") in got and (8, "hf:facebook/dinov2-large") in got


def test_dict_registry_of_download_addresses() -> None:
    source = '''
        import torch

        MODEL_URLS = {
            "RealESRGAN_x4plus": "https://github.com/xinntao/Real-ESRGAN/releases/download/v0.1.0/RealESRGAN_x4plus.pth",
            "RealESRNet_x4plus": "https://github.com/xinntao/Real-ESRGAN/releases/download/v0.1.1/RealESRNet_x4plus.pth",
            "RealESRGAN_x2plus": "https://github.com/xinntao/Real-ESRGAN/releases/download/v0.2.1/RealESRGAN_x2plus.pth",
        }


        def load_weights(model_name: str, device: str = "cpu"):
            url = MODEL_URLS[model_name]
            return torch.hub.load_state_dict_from_url(url, map_location=device)
        '''
    got = found(source)
    assert [line for line, _ in got] == [5, 6, 7]
    assert all(i is not None and i.startswith("url:https://github.com/xinntao/") for _, i in got)


def test_records_literal_choices_and_argparse_choices() -> None:
    source = '''
        import argparse
        from typing import Literal
        from transformers import AutoModel, pipeline


        def caption(images, model_id: Literal["Salesforce/blip-image-captioning-large",
                                              "Salesforce/blip-image-captioning-base"] = "Salesforce/blip-"
                                                                                          "image-captioning-large"):
            captioner = pipeline("image-to-text", model=model_id)
            return [captioner(im) for im in images]


        parser = argparse.ArgumentParser()
        parser.add_argument("--encoder", default="microsoft/deberta-v3-base",
                            choices=["microsoft/deberta-v3-base", "FacebookAI/roberta-large", "scratch"])
        args = parser.parse_args()




        encoder = AutoModel.from_pretrained(args.encoder)
        '''
    got = found(source)
    assert (7, "hf:Salesforce/blip-image-captioning-large") in got  # the Literal's entry (3 lines above the load)
    assert (10, "hf:Salesforce/blip-image-captioning-base") in got  # an entry next to the load stays there
    assert (16, "hf:microsoft/deberta-v3-base") in got and (16, "hf:FacebookAI/roberta-large") in got
    assert not [i for _, i in got if i and "scratch" in i]


def test_many_candidates_are_a_budget_warning_not_a_silent_cut() -> None:
    entries = "\n".join(f'    "lang{i}": "acme-speech/wav2vec2-lang{i}",' for i in range(MAX_UNION + 10))
    source = f'''
from transformers import Wav2Vec2ForCTC
ALIGN_MODELS = {{
{entries}
}}
def load_align_model(language_code):
    return Wav2Vec2ForCTC.from_pretrained(ALIGN_MODELS[language_code])
'''
    out = scan(source)
    warnings = [w for w in out if isinstance(w, ScanWarning)]
    assert len(warnings) == 1 and warnings[0].code == "budget" and f"more than {MAX_UNION}" in warnings[0].message
    assert len([r for r in out if isinstance(r, Reference) and r.id]) == MAX_UNION


# --------------------------------------------------------------------------------------- cause 3: environment

def test_environment_defaults_deployment_values_and_or_chains() -> None:
    source = '''
        import os
        from langchain_huggingface import HuggingFaceEmbeddings
        from sentence_transformers import CrossEncoder

        EMBEDDING_MODEL = os.getenv("EMBEDDING_MODEL", "sentence-transformers/all-mpnet-base-v2")
        RERANKER = os.environ.get("RERANKER_MODEL") or os.environ.get("RERANKER") or "BAAI/bge-reranker-v2-m3"

        embeddings = HuggingFaceEmbeddings(model_name=EMBEDDING_MODEL)
        reranker = CrossEncoder(RERANKER)
        judge = CrossEncoder(os.environ["JUDGE_MODEL"])
        '''
    env = {"EMBEDDING_MODEL": (EnvValue("BAAI/bge-m3", ".env", 4, "env-file"),)}
    out = refs(source, env)
    assert sorted((r.line, r.id) for r in out) == [(9, "hf:BAAI/bge-m3"),
                                                   (9, "hf:sentence-transformers/all-mpnet-base-v2"),
                                                   (10, "hf:BAAI/bge-reranker-v2-m3"),
                                                   (11, None)]
    assert "set in .env:4" in next(r for r in out if r.id == "hf:BAAI/bge-m3").note
    assert "JUDGE_MODEL" in next(r for r in out if r.id is None).note
    assert sorted((r.line, r.id) for r in refs(source))[:2] == [(9, "hf:sentence-transformers/all-mpnet-base-v2"),
                                                               (10, "hf:BAAI/bge-reranker-v2-m3")]


# ----------------------------------------------------------------------------------- cause 4: string building

def test_addresses_built_from_a_base_and_a_file_name() -> None:
    source = '''
        import os
        from urllib.parse import urljoin
        import torch

        RELEASE = "https://github.com/acme-lab/superres/releases/download/v1.2/"
        MIRROR = "https://weights.acme-lab.example/sr"


        def fetch(name):
            return torch.hub.load_state_dict_from_url(urljoin(RELEASE, f"{name}.pth"))


        x2 = fetch("sr_x2")
        x4 = torch.hub.load_state_dict_from_url(RELEASE + "sr_x4.pth")
        g = torch.hub.load_state_dict_from_url("%s/%s" % (MIRROR, "net_g.pth"))
        d = torch.hub.load_state_dict_from_url("{}/{}".format(MIRROR, "net_d.pth"))
        v = torch.hub.load_state_dict_from_url(os.path.join(MIRROR, "vgg19.pth"))
        '''
    assert found(source) == [
        (11, "url:https://github.com/acme-lab/superres/releases/download/v1.2/sr_x2.pth"),
        (14, "url:https://github.com/acme-lab/superres/releases/download/v1.2/sr_x2.pth"),
        (15, "url:https://github.com/acme-lab/superres/releases/download/v1.2/sr_x4.pth"),
        (16, "url:https://weights.acme-lab.example/sr/net_g.pth"),
        (17, "url:https://weights.acme-lab.example/sr/net_d.pth"),
        (18, "url:https://weights.acme-lab.example/sr/vgg19.pth")]


def test_format_with_keyword_candidates_from_loops() -> None:
    source = '''
        import tensorflow_hub as hub

        PATTERN = "https://tfhub.dev/google/bit/{size}-r{depth}x{width}/1"
        for size in ("s", "m"):
            for depth, width in ((50, 1), (101, 3)):
                encoder = hub.KerasLayer(PATTERN.format(size=size, depth=depth, width=width))
        '''
    got = {i for _, i in found(source)}
    assert "url:https://tfhub.dev/google/bit/s-r50x1/1" in got and "url:https://tfhub.dev/google/bit/m-r101x3/1" in got
    assert len(got) == 2 * 4  # depth and width are each followed as candidates, not as pairs


# ------------------------------------------------------------------------------------------------ precision

def test_unresolved_argument_is_one_dynamic_load_never_an_id_named_after_the_variable() -> None:
    source = '''
        from transformers import AutoModelForSequenceClassification


        def load_classifier(pretrained_model_name_or_path, num_labels=2):
            return AutoModelForSequenceClassification.from_pretrained(
                pretrained_model_name_or_path, num_labels=num_labels)
        '''
    out = refs(source)
    assert [(r.line, r.id) for r in out] == [(6, None)]
    assert out[0].raw == "pretrained_model_name_or_path"


def test_placeholders_and_output_folders_are_not_artifacts() -> None:
    source = '''
        import argparse
        from transformers import AutoModelForCausalLM

        parser = argparse.ArgumentParser()
        parser.add_argument("--init", default="scratch", choices=["scratch", "resume"])
        parser.add_argument("--output_dir", default="outputs/run-1")
        args = parser.parse_args()
        if args.init == "resume":
            model = AutoModelForCausalLM.from_pretrained(args.init)
        model = AutoModelForCausalLM.from_pretrained(args.output_dir)
        '''
    out = refs(source)
    assert not [r for r in out if r.id is not None]
    assert [(r.line, r.note) for r in out] == [(11, "local path")]


def test_the_wrapper_module_budget_is_per_file_so_workers_do_not_change_the_answer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each file may follow MAX_MODULES project modules, whatever earlier files of the process loaded."""
    from modelclear.scan import pywrappers, scan_path
    from modelclear.scan.base import ScanOptions

    monkeypatch.setattr(pywrappers, "MAX_MODULES", 2)
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for name in "abc":
        (pkg / f"{name}.py").write_text(
            "from transformers import AutoModel\n\n\n"
            f"def load_{name}(name):\n    return AutoModel.from_pretrained(name)\n")
    (tmp_path / "one.py").write_text("from pkg.a import load_a\nfrom pkg.b import load_b\n"
                                     "load_a('org/one-a')\nload_b('org/one-b')\n")
    (tmp_path / "two.py").write_text("from pkg.b import load_b\nfrom pkg.c import load_c\n"
                                     "load_b('org/two-b')\nload_c('org/two-c')\n")
    (tmp_path / "three.py").write_text("from pkg.a import load_a\nfrom pkg.b import load_b\nfrom pkg.c import load_c\n"
                                       "load_a('org/3a')\nload_b('org/3b')\nload_c('org/3c')\n")
    results = [scan_path(tmp_path, ScanOptions(jobs=jobs)) for jobs in (1, 2)]
    for result in results:
        ids = {(r.path, r.id) for r in result.references if (r.id or "").startswith("hf:org/")}
        assert {("one.py", "hf:org/one-a"), ("one.py", "hf:org/one-b"), ("two.py", "hf:org/two-b"),
                ("two.py", "hf:org/two-c"), ("three.py", "hf:org/3a"), ("three.py", "hf:org/3b")} <= ids
        assert ("three.py", "hf:org/3c") not in ids  # its third module is over the file's budget
        warned = sorted(w.path for w in result.warnings if "wrappers of loaders" in w.message)
        assert warned == ["three.py"]
    assert [(r.path, r.line, r.id) for r in results[0].references] == \
        [(r.path, r.line, r.id) for r in results[1].references]


def test_conditional_repository_on_a_flag_parameter_the_caller_chooses() -> None:
    # `repo_id=NANO_REPO_ID if nano else REPO_ID` with `nano=False` by default: a caller elsewhere passes
    # nano=True (resemble-ai/chatterbox's example_tts_nano.py), so both repositories may be downloaded (the
    # library's AutoTokenizer.from_pretrained(...) in the module is no call of this method); a flag this module
    # passes itself keeps its one branch
    source = '''\
        from huggingface_hub import snapshot_download
        from transformers import AutoTokenizer

        REPO_ID = "voice-org/voice-turbo"
        NANO_REPO_ID = "voice-org/voice-nano"


        class TurboTTS:
            @classmethod
            def from_local(cls, ckpt_dir, device, nano=False):
                return cls(AutoTokenizer.from_pretrained(ckpt_dir), device)

            @classmethod
            def from_pretrained(cls, device, nano=False):
                download_kwargs = dict(repo_id=NANO_REPO_ID if nano else REPO_ID, token=None)
                return cls.from_local(snapshot_download(**download_kwargs), device, nano=nano)


        def load_small(fp16=False):
            return snapshot_download("voice-org/voice-small-fp16" if fp16 else "voice-org/voice-small")


        small = load_small(fp16=False)
        '''
    assert found(source) == [
        (16, "hf:voice-org/voice-nano"),
        (16, "hf:voice-org/voice-turbo"),
        (20, "hf:voice-org/voice-small"),
    ]


def test_default_of_a_key_read_from_a_config_file_and_an_option_without_default() -> None:
    # a CLI reads its settings from a TOML file: `config.get("model", "F5TTS_v1_Base")` is the default when the
    # file has no such key, and `args.model or ...` falls through when the option is not given (it is None);
    # the handle built from them names the repository (SWivid/F5-TTS's infer_cli)
    source = '''\
        import argparse

        import tomli
        from cached_path import cached_path
        from transformers import AutoModel

        parser = argparse.ArgumentParser()
        parser.add_argument("-c", "--config", default="infer/examples/basic/basic.toml")
        parser.add_argument("-m", "--model", type=str, help="the model name")
        args = parser.parse_args()
        config = tomli.load(open(args.config, "rb"))

        model = args.model or config.get("model", "F5TTS_v1_Base")
        encoder = AutoModel.from_pretrained(config.get("encoder", "org-x/encoder-x"))
        repo_name = "E2-TTS" if model == "E2TTS_Base" else "F5-TTS"
        ckpt_file = str(cached_path(f"hf://SWivid/{repo_name}/{model}/model_1250000.safetensors"))
        '''
    # (the option may name the other model: E2-TTS is a choice too)
    assert found(source) == [(14, "hf:org-x/encoder-x"), (16, "hf:SWivid/E2-TTS"), (16, "hf:SWivid/F5-TTS")]


def test_gradio_dropdown_choices_reach_the_callback_that_loads() -> None:
    # a demo app offers its chat models in a dropdown: the button's callback receives the chosen entry, so every
    # choice may be loaded, not only the first one the app loads at start (SWivid/F5-TTS's voice chat)
    source = '''\
        import gradio as gr
        from transformers import AutoModelForCausalLM, AutoTokenizer

        with gr.Blocks() as app_chat:
            chat_model_name_list = [
                "Qwen/Qwen2.5-3B-Instruct",
                "microsoft/Phi-4-mini-instruct",
            ]

            def load_chat_model(chat_model_name):
                model = AutoModelForCausalLM.from_pretrained(chat_model_name, torch_dtype="auto")
                return model, AutoTokenizer.from_pretrained(chat_model_name)

            load_chat_model(chat_model_name_list[0])
            chat_model_name_input = gr.Dropdown(choices=chat_model_name_list, value=chat_model_name_list[0])
            load_chat_model_btn = gr.Button("Load Chat Model", variant="primary")
            load_chat_model_btn.click(load_chat_model, inputs=[chat_model_name_input], outputs=[])


        def summarize(text, model_name):
            from transformers import pipeline
            return pipeline("summarization", model=model_name)(text)


        demo = gr.Interface(fn=summarize, inputs=["text", gr.Radio(["facebook/bart-large-cnn", "google/pegasus-xsum"])],
                            outputs="text")
        '''
    # (each choice at its entry's line, as for any registry; the call at start loads the first one)
    assert found(source) == [
        (6, "hf:Qwen/Qwen2.5-3B-Instruct"),
        (7, "hf:microsoft/Phi-4-mini-instruct"),
        (14, "hf:Qwen/Qwen2.5-3B-Instruct"),
        (14, "hf:Qwen/Qwen2.5-3B-Instruct"),
        (25, "hf:facebook/bart-large-cnn"),
        (25, "hf:google/pegasus-xsum"),
    ]


def test_function_run_by_an_executor_or_a_thread_takes_the_arguments_given_there() -> None:
    # `executor.submit(fn, *args, **kwargs)`, `Thread(target=fn, args=(...), kwargs={...})` and
    # `loop.run_in_executor(None, fn, *args)` call `fn` with those arguments (a web UI extension downloads its
    # detectors in a thread pool, one of them from another repository: Bing-su/adetailer)
    source = '''\
        import asyncio
        import threading
        from concurrent.futures import ThreadPoolExecutor

        from huggingface_hub import hf_hub_download

        REPO_ID = "detect-org/detectors"


        def hf_download(file, repo_id=REPO_ID):
            return hf_hub_download(repo_id, file, etag_timeout=1)


        def download_models(*names):
            with ThreadPoolExecutor() as executor:
                for name in names:
                    if "-world" in name:
                        executor.submit(hf_download, name, repo_id="detect-org/world-mirror")
                    else:
                        executor.submit(hf_download, name)


        def fetch_tokenizer(repo_id):
            return hf_hub_download(repo_id, "tokenizer.json")


        threading.Thread(target=fetch_tokenizer, args=("text-org/tokenizer-a",)).start()


        async def main():
            await asyncio.get_running_loop().run_in_executor(None, fetch_tokenizer, "text-org/tokenizer-b")
        '''
    got = found(source)
    assert (11, "hf:detect-org/world-mirror") in got and (11, "hf:detect-org/detectors") in got
    # (the literal in the thread's args tuple is reported at its own line, like a registry entry)
    assert (27, "hf:text-org/tokenizer-a") in got and (24, "hf:text-org/tokenizer-b") in got


def test_command_line_object_passed_to_a_function_through_expanduser() -> None:
    # an evaluation script passes its parsed options to eval_model(args), which expands the user's home in the
    # model path before loading it (haotian-liu/LLaVA's model_vqa*.py): a Hub id is unchanged by expanduser
    source = '''\
        import argparse
        import os

        from transformers import AutoModelForCausalLM


        def load_pretrained_model(model_path, model_base, model_name):
            return AutoModelForCausalLM.from_pretrained(model_path)


        def eval_model(args):
            model_path = os.path.expanduser(args.model_path)
            return load_pretrained_model(os.path.normpath(model_path), args.model_base, "llava")


        if __name__ == "__main__":
            parser = argparse.ArgumentParser()
            parser.add_argument("--model-path", type=str, default="facebook/opt-350m")
            parser.add_argument("--model-base", type=str, default=None)
            eval_model(parser.parse_args())
        '''
    assert (13, "hf:facebook/opt-350m") in found(source)
