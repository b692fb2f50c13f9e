"""Downloads by URL (issue 10): GitHub release assets, plain HTTP fetches of weight and data files, the
project's own download helpers called from scripts that name no loader library, helpers calling
helpers, and registries of file names joined to a base URL. Snippets in the style of real projects."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from modelclear.model import Reference
from modelclear.scan import ScanOptions, scan_path
from modelclear.scan.base import ScanContext
from modelclear.scan.python import scan_python_source

ESRGAN = "https://github.com/xinntao/Real-ESRGAN/releases/download"
BEIR = "https://public.ukp.informatik.tu-darmstadt.de/thakur/BEIR/datasets"


def found(source: str) -> list[tuple[int, str | None]]:
    ctx = ScanContext(root=Path("."))
    out = [r for r in scan_python_source(textwrap.dedent(source), "app.py", ctx) if isinstance(r, Reference)]
    return sorted(((r.line, r.id) for r in out), key=lambda item: (item[0], item[1] or ""))


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def tree_refs(root: Path) -> list[tuple[str, int, str | None]]:
    result = scan_path(root, ScanOptions(jobs=1))
    return sorted((r.path, r.line, r.id) for r in result.references if r.kind is None or r.kind.value != "package")


def test_github_release_weights_fetched_by_os_system_wget(tmp_path: Path) -> None:
    source = f'''\
    import os


    class Predictor:
        def setup(self):
            os.makedirs("output", exist_ok=True)
            if not os.path.exists("weights/realesr-general-x4v3.pth"):
                os.system(
                    "wget {ESRGAN}/v0.2.5.0/realesr-general-x4v3.pth -P ./weights"
                )
            # the CLI is installed from its release too
            os.system("curl -LO https://github.com/cli/cli/releases/download/v2.40.0/gh_2.40.0_linux_amd64.tar.gz")
    '''
    write(tmp_path, {"cog_predict.py": source})
    assert tree_refs(tmp_path) == [
        ("cog_predict.py", 7, f"url:{ESRGAN}/v0.2.5.0/realesr-general-x4v3.pth"),  # the local copy it checks for
        ("cog_predict.py", 9, f"url:{ESRGAN}/v0.2.5.0/realesr-general-x4v3.pth"),
    ]


def test_basicsr_load_file_from_url_over_model_name_chain() -> None:
    source = f'''\
    import argparse
    import os

    from basicsr.utils.download_util import load_file_from_url


    def main():
        parser = argparse.ArgumentParser()
        parser.add_argument("-n", "--model_name", type=str, default="RealESRGAN_x4plus")
        args = parser.parse_args()
        if args.model_name == "RealESRGAN_x4plus":
            file_url = ["{ESRGAN}/v0.1.0/RealESRGAN_x4plus.pth"]
        elif args.model_name == "RealESRGAN_x2plus":
            file_url = ["{ESRGAN}/v0.2.1/RealESRGAN_x2plus.pth"]
        model_path = os.path.join("weights", args.model_name + ".pth")
        if not os.path.isfile(model_path):
            for url in file_url:
                model_path = load_file_from_url(url=url, model_dir="weights", progress=True, file_name=None)
    '''
    ids = {i for _, i in found(source)}
    assert ids == {f"url:{ESRGAN}/v0.1.0/RealESRGAN_x4plus.pth", f"url:{ESRGAN}/v0.2.1/RealESRGAN_x2plus.pth"}


def test_sample_picture_fetched_with_get_file_is_not_a_dataset() -> None:
    source = '''\
    import tensorflow as tf
    from tensorflow import keras

    img_path = keras.utils.get_file(fname="cat.jpg", origin="https://img-datasets.s3.amazonaws.com/cat.jpg")
    zip_path = keras.utils.get_file(
        origin="https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip", extract=True)
    '''
    assert found(source) == [(5, "url:https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip")]


def test_plain_http_fetch_counts_only_weight_and_data_files() -> None:
    source = '''\
    import requests
    import urllib.request

    API = "https://api.example.com/v1/status"
    CKPT = "https://example-lab.org/releases/deepct/marco.zip"


    def fetch(url):
        return requests.get(url, timeout=10).json()


    status = requests.get(API).json()
    urllib.request.urlretrieve(CKPT, "marco.zip")
    page = requests.get("https://example-lab.org/deepct.html")
    fetch(API)
    '''
    assert found(source) == [(13, "url:https://example-lab.org/releases/deepct/marco.zip")]


def test_shell_and_python_downloads_give_one_file_the_same_kind() -> None:
    """One suffix table for both: a released pickle or .npz checkpoint is weights, a .npy array data."""
    from modelclear.model import Kind
    from modelclear.scan.shell import scan_shell

    base = "https://dl.fbaipublicfiles.com/detectron2/ImageNetPretrained/torchvision"
    files = {f"{base}/R-50.pkl": Kind.MODEL, "https://example-lab.org/vit/B_16-i21k.npz": Kind.MODEL,
             "https://example-lab.org/darknet/yolov3.weights": Kind.MODEL,
             "https://example-lab.org/data/embeddings.npy": Kind.DATASET,
             "https://example-lab.org/data/shards.tar.zst": Kind.DATASET}
    python = "import requests\n" + "".join(f'requests.get("{url}")\n' for url in files)
    ctx = ScanContext(root=Path("."))
    in_python = {r.id: r.kind for r in scan_python_source(python, "get.py", ctx) if isinstance(r, Reference)}
    script = "".join(f"wget {url}\n" for url in files)
    in_shell = {r.id: r.kind for r in scan_shell(list(enumerate(script.split("\n"), start=1)), "get.sh")}
    expected = {f"url:{url}": kind for url, kind in files.items()}
    assert in_python == expected
    assert in_shell == expected


def test_script_calling_project_download_helpers_through_two_functions(tmp_path: Path) -> None:
    write(tmp_path, {
        "beir/__init__.py": "from .logging import LoggingHandler\n",
        "beir/logging.py": "import logging\n\n\nclass LoggingHandler(logging.Handler):\n    pass\n",
        "beir/util.py": '''\
            import os
            import zipfile

            import requests
            from tqdm.autonotebook import tqdm


            def download_url(url: str, save_path: str, chunk_size: int = 1024):
                r = requests.get(url, stream=True)
                total = int(r.headers.get("Content-Length", 0))
                with open(save_path, "wb") as fd, tqdm(desc=save_path, total=total, unit="iB") as bar:
                    for data in r.iter_content(chunk_size=chunk_size):
                        bar.update(fd.write(data))


            def unzip(zip_file: str, out_dir: str):
                zipfile.ZipFile(zip_file, "r").extractall(path=out_dir)


            def download_and_unzip(url: str, out_dir: str, chunk_size: int = 1024) -> str:
                os.makedirs(out_dir, exist_ok=True)
                dataset = url.split("/")[-1]
                zip_file = os.path.join(out_dir, dataset)
                if not os.path.isfile(zip_file):
                    download_url(url, zip_file, chunk_size)
                if not os.path.isdir(zip_file.replace(".zip", "")):
                    unzip(zip_file, out_dir)
                return os.path.join(out_dir, dataset.replace(".zip", ""))
            ''',
        "examples/evaluate_bm25.py": f'''\
            import logging
            import os
            import pathlib

            from beir import LoggingHandler, util

            logging.basicConfig(level=logging.INFO, handlers=[LoggingHandler()])

            dataset = "scifact"
            url = f"{BEIR}/{{dataset}}.zip"
            out_dir = os.path.join(pathlib.Path(__file__).parent.absolute(), "datasets")
            data_path = util.download_and_unzip(url, out_dir)
            ''',
        "examples/download_all.py": f'''\
            import os
            import pathlib

            from beir import util


            def main():
                out_dir = pathlib.Path(__file__).parent.absolute()

                dataset_files = [
                    "msmarco.zip",
                    "trec-covid.zip",
                    "nfcorpus.zip",
                ]

                for dataset in dataset_files:
                    zip_file = os.path.join(out_dir, dataset)
                    url = f"{BEIR}/{{dataset}}"
                    print(f"Downloading {{dataset}} ...")
                    util.download_url(url, zip_file)
                    util.unzip(zip_file, out_dir)


            if __name__ == "__main__":
                main()
            ''',
    })
    got = [(p, line, i) for p, line, i in tree_refs(tmp_path) if p.startswith("examples/")]
    assert got == [
        ("examples/download_all.py", 11, f"url:{BEIR}/msmarco.zip"),
        ("examples/download_all.py", 12, f"url:{BEIR}/trec-covid.zip"),
        ("examples/download_all.py", 13, f"url:{BEIR}/nfcorpus.zip"),
        ("examples/evaluate_bm25.py", 12, f"url:{BEIR}/scifact.zip"),
    ]


def test_script_using_project_model_class_re_exported_by_a_package(tmp_path: Path) -> None:
    write(tmp_path, {
        "beir/__init__.py": "",
        "beir/retrieval/__init__.py": "",
        "beir/retrieval/models/__init__.py": "from .sentence_bert import SentenceBERT\n",
        "beir/retrieval/models/sentence_bert.py": '''\
            from sentence_transformers import SentenceTransformer


            class SentenceBERT:
                def __init__(self, model_path: str | tuple = None, sep: str = " ", **kwargs):
                    self.sep = sep
                    if isinstance(model_path, str):
                        self.q_model = SentenceTransformer(model_path, **kwargs)
                        self.doc_model = self.q_model
                    elif isinstance(model_path, tuple):
                        self.q_model = SentenceTransformer(model_path[0], **kwargs)
                        self.doc_model = SentenceTransformer(model_path[1], **kwargs)
            ''',
        "examples/evaluate_sbert.py": '''\
            from beir.retrieval import models
            from beir.retrieval.search.dense import DenseRetrievalExactSearch as DRES

            model_name_or_path = "NovaSearch/stella_en_1.5B_v5"
            max_length = 512

            dense_model = models.SentenceBERT(
                model_name_or_path,
                trust_remote_code=True,
            )
            model = DRES(dense_model, batch_size=128)
            ''',
        "examples/plain.py": "from beir.retrieval import models\n\nprint(models)\n",
    })
    got = [(p, line, i) for p, line, i in tree_refs(tmp_path) if p.startswith("examples/")]
    assert got == [("examples/evaluate_sbert.py", 8, "hf:NovaSearch/stella_en_1.5B_v5")]


def test_released_savedmodels_evaluated_over_a_formatted_bucket_path() -> None:
    source = '''\
    import tensorflow as tf
    import tensorflow_datasets as tfds

    BATCH_SIZE = 50
    ds = tfds.load(name="imagenet2012", split="validation").batch(BATCH_SIZE)


    def eval(model_path, log=False):
      if log:
        print("Loading model from %s" % model_path)
      model = tf.saved_model.load(model_path)
      top_1_accuracy = tf.keras.metrics.Accuracy("top_1_accuracy")
      for features in ds:
        logits = model(features["image"], trainable=False)["logits_sup"]
        top_1_accuracy.update_state(features["label"], tf.argmax(logits, axis=-1))
      return top_1_accuracy.result().numpy().astype(float)


    path_pat = "gs://simclr-checkpoints-tf2/simclrv2/finetuned_{pct}pct/r{depth}_{width_multiplier}x_sk{sk}/saved_model/"
    results = {}
    for resnet_depth in (50, 101):
      for sk in (0, 1):
        path = path_pat.format(pct=100, depth=resnet_depth, width_multiplier=1, sk=sk)
        results[path] = eval(path)

    exported = tf.saved_model.load("./exports/my_finetune")
    '''
    at_call = {i for line, i in found(source) if line == 24}
    bucket = "url:gs://simclr-checkpoints-tf2/simclrv2/finetuned_100pct"
    assert at_call == {f"{bucket}/r50_1x_sk0/saved_model/", f"{bucket}/r50_1x_sk1/saved_model/",
                       f"{bucket}/r101_1x_sk0/saved_model/", f"{bucket}/r101_1x_sk1/saved_model/"}
    assert not [line for line, i in found(source) if line == 26]  # the user's own export: not a reference


MIDAS = "https://github.com/isl-org/MiDaS/releases/download"


def test_local_weight_files_traced_to_the_release_of_the_same_name(tmp_path: Path) -> None:
    write(tmp_path, {
        "hubconf.py": f'''\
            dependencies = ["torch"]

            import torch

            from midas.dpt_depth import DPTDepthModel


            def DPT_BEiT_L_512(pretrained=True, **kwargs):
                model = DPTDepthModel(path=None, backbone="beitl16_512", non_negative=True)
                if pretrained:
                    checkpoint = "{MIDAS}/v3_1/dpt_beit_large_512.pt"
                    state_dict = torch.hub.load_state_dict_from_url(checkpoint, map_location=torch.device("cpu"))
                    model.load_state_dict(state_dict)
                return model
            ''',
        "midas/model_loader.py": '''\
            import torch

            default_models = {
                "dpt_beit_large_512": "weights/dpt_beit_large_512.pt",
                "dpt_swin2_tiny_256": "weights/dpt_swin2_tiny_256.pt",
                "custom": "weights/model.pt",
            }
            ''',
        "options/train_x4plus.yml": '''\
            name: finetune_x4plus
            path:
              # use the pre-trained ESRNet model
              pretrain_network_g: experiments/pretrained_models/RealESRNet_x4plus.pth
              pretrain_network_d: experiments/pretrained_models/my_own_netD.pth
              resume_state: ~
            ''',
        "docs/Training.md": f'''\
            Download the pre-trained model into `experiments/pretrained_models`:

            wget {ESRGAN}/v0.1.1/RealESRNet_x4plus.pth -P experiments/pretrained_models
            ''',
    })
    got = [(p, line, i) for p, line, i in tree_refs(tmp_path) if p != "hubconf.py"]
    assert got == [
        ("midas/model_loader.py", 4, f"url:{MIDAS}/v3_1/dpt_beit_large_512.pt"),
        ("options/train_x4plus.yml", 4, f"url:{ESRGAN}/v0.1.1/RealESRNet_x4plus.pth"),
    ]


def test_local_release_files_traced_when_the_docs_name_a_great_many(tmp_path: Path) -> None:
    # a library's docs can list thousands of release files (fairseq's); above a few dozen names, a file's runs of
    # file-name characters are looked up instead of searching for each name: the same references either way
    zoo = "https://dl.fbaipublicfiles.com/kestrel"
    listing = "\n".join(f"- {zoo}/kestrelnet_b{i}_e{i * 7}.pt" for i in range(120))
    write(tmp_path, {
        "docs/MODEL_ZOO.md": f"{listing}\n- {zoo}/glove.6B.zip\n",
        "eval.py": '''\
            CKPT = "checkpoints/kestrelnet_b37_e259.pt"
            NEAR = "checkpoints/xkestrelnet_b37_e259.pt"
            VECTORS = open("data/glove.6B.100d.txt")  # a data file of the archive, by its name's prefix
            ''',
    })
    got = [(p, line, i) for p, line, i in tree_refs(tmp_path) if p == "eval.py"]
    assert got == [("eval.py", 1, f"url:{zoo}/kestrelnet_b37_e259.pt"), ("eval.py", 3, f"url:{zoo}/glove.6B.zip")]


def test_model_file_read_from_the_folder_a_module_downloads_its_archive_into(tmp_path: Path) -> None:
    write(tmp_path, {
        "inception.py": '''\
            import os
            import urllib.request
            import tarfile

            data_url = "http://download.example-lab.org/models/image/imagenet/inception-2015-12-05.tgz"
            data_dir = "inception/"
            path_graph_def = "classify_image_graph_def.pb"
            path_uid_to_name = "imagenet_synset_to_human_label_map.txt"


            def maybe_download():
                file_path, _ = urllib.request.urlretrieve(data_url, os.path.join(data_dir, "inception.tgz"))
                tarfile.open(file_path, "r:gz").extractall(data_dir)


            def load_graph():
                with open(os.path.join(data_dir, path_graph_def), "rb") as file:
                    return file.read()
            ''',
        "vgg16.py": '''\
            import urllib.request

            data_url = "https://s3.example-lab.org/cadl/models/vgg16.tfmodel"
            path_graph_def = "vgg16.tfmodel"
            urllib.request.urlretrieve(data_url, "vgg16/" + path_graph_def)
            ''',
        "train_cifar.py": '''\
            import urllib.request
            import torch

            urllib.request.urlretrieve("https://www.cs.example.edu/~kriz/cifar-10-python.tar.gz", "data/cifar.tgz")
            torch.save({}, "resnet20_cifar10.pth")
            ''',
    })
    got = tree_refs(tmp_path)
    inception = "url:http://download.example-lab.org/models/image/imagenet/inception-2015-12-05.tgz"
    assert ("inception.py", 7, inception) in got  # the graph file of the downloaded archive
    assert ("vgg16.py", 4, "url:https://s3.example-lab.org/cadl/models/vgg16.tfmodel") in got  # a TF graph by name
    assert [line for path, line, _ in got if path == "train_cifar.py"] == [4]  # its own output is not the data


def test_local_copy_of_a_release_file_the_knowledge_names_by_its_hashed_name(tmp_path: Path) -> None:
    write(tmp_path, {
        "configs/mask_rcnn_r50.yaml": '''\
            MODEL:
              WEIGHTS: "pretrained_models/resnet50-0676ba61.pth"
              BACKBONE:
                NAME: "build_resnet_backbone"
            OUTPUT_DIR: "output/mask_rcnn_r50-0a1b2c3d4e.pth"
            ''',
        "tools/convert.py": '''\
            import torch

            state = torch.load("checkpoints/resnet50-deadbeef99.pth", map_location="cpu")
            ''',
    })
    refs = scan_path(tmp_path, ScanOptions(jobs=1)).references
    got = [(r.path, r.line, r.id) for r in refs if r.path.startswith("configs/") and r.id]
    assert got == [("configs/mask_rcnn_r50.yaml", 2, "url:https://download.pytorch.org/models/resnet50-0676ba61.pth")]
    assert not [r for r in refs if r.id and "deadbeef" in r.id]  # a hash no release has


def test_local_copy_of_a_file_a_hub_download_names_even_in_a_large_notebook(tmp_path: Path) -> None:
    import json

    picture = "iVBORw0KGgo" + "A" * 1_200_000  # a rendered output: the notebook is over a megabyte
    notebook = {"cells": [
        {"cell_type": "code", "execution_count": 1, "metadata": {},
         "outputs": [{"output_type": "display_data", "data": {"image/png": picture}, "metadata": {}}],
         "source": ["import os\n"]},
        {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [],
         "source": ["photomaker_path = './release_model/photomaker-v1.bin'\n",
                    "pipe.load_photomaker_adapter(os.path.dirname(photomaker_path),\n",
                    "    weight_name=os.path.basename(photomaker_path))\n"]}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    write(tmp_path, {
        "gradio_demo/app.py": '''\
            from huggingface_hub import hf_hub_download

            photomaker_ckpt = hf_hub_download(repo_id="TencentARC/PhotoMaker", filename="photomaker-v1.bin")
            ''',
    })
    (tmp_path / "style_demo.ipynb").write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    refs = scan_path(tmp_path, ScanOptions(jobs=1)).references
    traced = [(r.path, r.id) for r in refs if r.loader == "local-file"]
    assert traced == [("style_demo.ipynb", "hf:TencentARC/PhotoMaker")]


def test_large_notebooks_are_read_within_a_total_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from modelclear.scan import localtrace

    monkeypatch.setattr(localtrace, "MAX_LARGE_NOTEBOOK_TOTAL", 3_000_000)
    write(tmp_path, {"app.py": '''\
        from huggingface_hub import hf_hub_download

        ckpt = hf_hub_download(repo_id="TencentARC/PhotoMaker", filename="photomaker-v1.bin")
        '''})
    for i in range(3):
        notebook = {"cells": [{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [
            {"output_type": "display_data", "data": {"image/png": "A" * 1_200_000}, "metadata": {}}],
            "source": ["path = './release_model/photomaker-v1.bin'\n"]}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        (tmp_path / f"demo{i}.ipynb").write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    refs = scan_path(tmp_path, ScanOptions(jobs=1)).references
    assert len([r for r in refs if r.loader == "local-file"]) == 2  # the third would pass 3 MB in all


def test_weight_file_inside_a_released_archive(tmp_path: Path) -> None:
    releases = "https://github.com/JaidedAI/EasyOCR/releases/download"
    write(tmp_path, {
        "easyocr/config.py": f'''\
            detection_models = {{
                "dbnet18": {{
                    "filename": "pretrained_ic15_res18.pt",
                    "url": "{releases}/v1.6.0/pretrained_ic15_res18.zip",
                }},
            }}
            ''',
        "easyocr/DBNet/configs/DBNet_inference.yaml": '''\
            resnet18:
              model: DBNet
              pretrained: pretrained_ic15_res18.pt
            ''',
    })
    got = [(p, line, i) for p, line, i in tree_refs(tmp_path) if p.endswith(".yaml")]
    assert got == [("easyocr/DBNet/configs/DBNet_inference.yaml", 3,
                    f"url:{releases}/v1.6.0/pretrained_ic15_res18.zip")]


def test_punctuation_model_of_a_diarization_pipeline() -> None:
    source = '''\
    from deepmultilingualpunctuation import PunctuationModel

    punct_model_langs = ["en", "fr", "de", "es", "it", "nl", "pt", "bg", "pl", "cs", "sk", "sl"]


    def restore(wsm, language):
        if language in punct_model_langs:
            punct_model = PunctuationModel(model="kredor/punctuate-all")
            words_list = list(map(lambda x: x["word"], wsm))
            return punct_model.predict(words_list, chunk_size=230)
        return wsm


    default_model = PunctuationModel()
    '''
    assert found(source) == [(8, "hf:kredor/punctuate-all"), (14, "hf:oliverguhr/fullstop-punctuation-multilang-large")]


def test_torchaudio_bundle_names_are_not_hub_models() -> None:
    source = '''\
    import torchaudio
    from transformers import Wav2Vec2ForCTC, Wav2Vec2Processor

    DEFAULT_ALIGN_MODELS_TORCH = {"en": "WAV2VEC2_ASR_BASE_960H", "fr": "VOXPOPULI_ASR_BASE_10K_FR"}
    DEFAULT_ALIGN_MODELS_HF = {"ja": "jonatasgrosman/wav2vec2-large-xlsr-53-japanese"}


    def load_align_model(language_code, device, model_name=None):
        if model_name is None:
            if language_code in DEFAULT_ALIGN_MODELS_TORCH:
                model_name = DEFAULT_ALIGN_MODELS_TORCH[language_code]
            elif language_code in DEFAULT_ALIGN_MODELS_HF:
                model_name = DEFAULT_ALIGN_MODELS_HF[language_code]
        if model_name in torchaudio.pipelines.__all__:
            bundle = torchaudio.pipelines.__dict__[model_name]
            align_model = bundle.get_model().to(device)
        else:
            processor = Wav2Vec2Processor.from_pretrained(model_name)
            align_model = Wav2Vec2ForCTC.from_pretrained(model_name)
        return align_model
    '''
    ids = {i for _, i in found(source) if i is not None}
    # the bundles, read from torchaudio.pipelines by name, are torchaudio's (never Hub ids)
    assert ids == {"hf:jonatasgrosman/wav2vec2-large-xlsr-53-japanese",
                   "torchaudio:WAV2VEC2_ASR_BASE_960H", "torchaudio:VOXPOPULI_ASR_BASE_10K_FR"}


def test_launcher_script_exports_reach_the_container_entrypoint(tmp_path: Path) -> None:
    hub = "https://huggingface.co/TheBloke"
    hermes = "Nous-Hermes-Llama-2-7B-GGML/resolve/main/nous-hermes-llama-2-7b.ggmlv3.q4_0.bin"
    code = "CodeLlama-7B-Instruct-GGUF/resolve/main/codellama-7b-instruct.Q4_K_M.gguf"
    write(tmp_path, {
        "run.sh": f'''\
            #!/bin/bash
            model="7b"
            case $model in
                7b)
                    export MODEL_DOWNLOAD_URL="{hub}/{hermes}"
                    export WAIT_TIMEOUT=3600
                    ;;
                code-7b)
                    export MODEL_DOWNLOAD_URL="{hub}/{code}"
                    ;;
            esac
            docker compose -f docker-compose.yml up --build
            ''',
        "api/run.sh": '''\
            #!/bin/bash
            if [ -z "$MODEL_DOWNLOAD_URL" ]; then
                echo "Please set the MODEL_DOWNLOAD_URL environment variable"
                exit 1
            fi
            if [ ! -f $MODEL ]; then
                curl -L -o $MODEL $MODEL_DOWNLOAD_URL
            fi
            ''',
    })
    got = {(line, i) for p, line, i in tree_refs(tmp_path) if p == "api/run.sh"}
    assert got == {(7, "hf:TheBloke/Nous-Hermes-Llama-2-7B-GGML"), (7, "hf:TheBloke/CodeLlama-7B-Instruct-GGUF")}


def test_absl_flag_default_names_the_dataset() -> None:
    source = '''\
    from absl import app
    from absl import flags
    import tensorflow_datasets as tfds

    FLAGS = flags.FLAGS

    flags.DEFINE_string(
        "dataset", "imagenet2012",
        "Name of a dataset.")

    flags.DEFINE_enum(
        "train_mode", "pretrain", ["pretrain", "finetune"],
        "The train mode controls different objectives and trainable components.")


    def main(argv):
      builder = tfds.builder(FLAGS.dataset, data_dir=FLAGS.data_dir)
      builder.download_and_prepare()


    if __name__ == "__main__":
      app.run(main)
    '''
    assert found(source) == [(17, "tfds:imagenet2012")]


def test_relative_import_above_the_scanned_tree_is_not_read(tmp_path: Path) -> None:
    from modelclear.scan.pyreach import LoaderReach

    (tmp_path / "loaders.py").write_text("from transformers import AutoModel\n", encoding="utf-8")
    root = tmp_path / "project"
    write(root, {
        "pkg/__init__.py": "",
        "pkg/helpers.py": "from transformers import AutoModel\n",
        "pkg/run.py": "from ... import loaders\n\nloaders.load('org/outside-model')\n",
        "pkg/main.py": "from . import helpers\n\nhelpers.load('org/model')\n",
    })
    reach = LoaderReach(root, lambda data: b"AutoModel" in data)
    run, main = root / "pkg" / "run.py", root / "pkg" / "main.py"
    assert reach.file_reaches(main, main.read_bytes())
    assert not reach.file_reaches(run, run.read_bytes())


SFR = "https://storage.googleapis.com/sfr-vision-language-research/datasets"


def test_torchvision_download_url_fetches_annotation_files_of_any_format() -> None:
    # torchvision's download helpers exist to fetch data-set files: a JSON annotation file is data, each
    # entry of a {split: url} table read by the caller's split; a picture fetched is a demo sample
    source = f'''\
        import json
        import os

        from torchvision.datasets.utils import download_url


        class coco_karpathy_train:
            def __init__(self, transform, image_root, ann_root):
                url = "{SFR}/coco_karpathy_train.json"
                download_url(url, ann_root)
                self.annotation = json.load(open(os.path.join(ann_root, "coco_karpathy_train.json")))


        class nocaps_eval:
            def __init__(self, transform, image_root, ann_root, split):
                urls = {{"val": "{SFR}/nocaps_val.json",
                        "test": "{SFR}/nocaps_test.json"}}
                download_url(urls[split], ann_root)
                download_url("{SFR}/vqa_test.json", ann_root)
                download_url("https://example.org/sample/dog.jpg", ann_root)
        '''
    got = found(source)
    assert got == [
        (10, f"url:{SFR}/coco_karpathy_train.json"),
        (18, f"url:{SFR}/nocaps_test.json"),
        (18, f"url:{SFR}/nocaps_val.json"),
        (19, f"url:{SFR}/vqa_test.json"),
    ]


def test_project_model_builder_over_timm_download_cached_file(tmp_path: Path) -> None:
    # a model builder of the project takes a checkpoint URL or path and reads it through another function of
    # its module that fetches URLs with timm's cached download (BLIP's blip_decoder -> load_checkpoint)
    models = "https://storage.googleapis.com/sfr-vision-language-research/BLIP/models"
    write(tmp_path, {
        "models/__init__.py": "",
        "models/blip.py": '''\
            import os
            from urllib.parse import urlparse

            import torch
            from timm.models.hub import download_cached_file


            def blip_decoder(pretrained="", **kwargs):
                model = BLIP_Decoder(**kwargs)
                if pretrained:
                    model, msg = load_checkpoint(model, pretrained)
                return model


            def is_url(url_or_filename):
                return urlparse(url_or_filename).scheme in ("http", "https")


            def load_checkpoint(model, url_or_filename):
                if is_url(url_or_filename):
                    cached_file = download_cached_file(url_or_filename, check_hash=False, progress=True)
                    checkpoint = torch.load(cached_file, map_location="cpu")
                elif os.path.isfile(url_or_filename):
                    checkpoint = torch.load(url_or_filename, map_location="cpu")
                else:
                    raise RuntimeError("checkpoint url or path is invalid")
                return model, model.load_state_dict(checkpoint["model"], strict=False)
            ''',
        "demo.py": f'''\
            from models.blip import blip_decoder

            image_size = 384
            model_url = "{models}/model_base_capfilt_large.pth"

            model = blip_decoder(pretrained=model_url, image_size=image_size, vit="base")
            ''',
    })
    got = [(p, line, i) for p, line, i in tree_refs(tmp_path) if p == "demo.py"]
    assert got == [("demo.py", 6, f"url:{models}/model_base_capfilt_large.pth")]


def test_cached_path_of_hub_handles_and_release_urls() -> None:
    # cached_path fetches http(s)/s3/gs addresses and "hf://ORG/REPO/FILE" handles (a Hub model repository);
    # a TTS project builds the handle from the repository chosen for the model (SWivid/F5-TTS's api)
    source = '''\
        from cached_path import cached_path


        def load(model="F5TTS_v1_Base", ckpt_file=""):
            repo_name, ckpt_step, ckpt_type = "F5-TTS", 1250000, "safetensors"
            if model == "E2TTS_Base":
                repo_name = "E2-TTS"
                ckpt_step = 1200000
            if not ckpt_file:
                ckpt_file = str(cached_path(f"hf://SWivid/{repo_name}/{model}/model_{ckpt_step}.{ckpt_type}"))
            return ckpt_file


        vocab = cached_path("hf://SWivid/F5-TTS/F5TTS_v1_Base/vocab.txt")
        weights = cached_path("https://storage.example.org/releases/model_1200000.pt")
        local = cached_path("ckpts/model_last.pt")
        '''
    assert found(source) == [
        (10, "hf:SWivid/E2-TTS"),
        (10, "hf:SWivid/F5-TTS"),
        (14, "hf:SWivid/F5-TTS"),
        (15, "url:https://storage.example.org/releases/model_1200000.pt"),
        (16, None),
    ]
