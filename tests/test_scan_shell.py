"""Shell commands that fetch models and datasets: download scripts, training launchers, Makefiles and
notebook shell cells, written the way public repositories write them, with the negative twins
(installers, demo images, pip, comments, unset variables) that must stay silent."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from modelclear.model import Kind, Reference
from modelclear.scan import ScanOptions, scan_path
from modelclear.scan.base import EnvValue, ScanContext, ScanWarning
from modelclear.scan.budget import BUDGET_CODE, Meter
from modelclear.scan.notebook import NotebookScanner
from modelclear.scan.shell import ShellScanner, makefile_lines, scan_shell
from modelclear.scan.shellcmds import classify_url
from modelclear.scan.urls import canonical_id


def shell(script: str, **kwargs: object) -> list[Reference]:
    text = textwrap.dedent(script).lstrip("\n")
    return scan_shell(list(enumerate(text.split("\n"), start=1)), "get.sh", **kwargs)  # type: ignore[arg-type]


def ids_at(script: str, **kwargs: object) -> set[tuple[str | None, int]]:
    return {(r.id, r.line) for r in shell(script, **kwargs)}


def run(scanner: object, name: str, data: bytes, ctx: ScanContext | None = None) -> list[Reference | ScanWarning]:
    ctx = ctx or ScanContext(root=Path("/nonexistent-root"))
    return list(scanner.scan(Path(name), data, ctx))  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------- download scripts


def test_checkpoint_download_script_with_base_url_variable() -> None:
    found = shell("""
        #!/bin/bash
        # Use either wget or curl to download the checkpoints
        if command -v wget &> /dev/null; then
            CMD="wget"
        else
            CMD="curl -L -O"
        fi
        BASE_URL="https://dl.fbaipublicfiles.com/segment_anything_2/072824/"
        sam2_hiera_t_url="${BASE_URL}sam2_hiera_tiny.pt"
        sam2_hiera_l_url="${BASE_URL}sam2_hiera_large.pt"
        echo "Downloading sam2_hiera_tiny.pt checkpoint..."
        wget $sam2_hiera_t_url || { echo "Failed to download checkpoint from $sam2_hiera_t_url"; exit 1; }
        curl -L -O "$sam2_hiera_l_url" || exit 1
    """)
    assert {(r.id, r.line, r.confidence) for r in found} == {
        ("url:https://dl.fbaipublicfiles.com/segment_anything_2/072824/sam2_hiera_tiny.pt", 12, "medium"),
        ("url:https://dl.fbaipublicfiles.com/segment_anything_2/072824/sam2_hiera_large.pt", 13, "medium"),
    }
    assert all(r.loader.startswith("shell:") and r.evidence for r in found)
    assert "value of $sam2_hiera_t_url" in found[0].note


def test_literal_loop_over_model_names_and_array() -> None:
    script = """
        mkdir -p weights
        for size in n s m; do
            wget -q https://github.com/ultralytics/assets/releases/download/v8.2.0/yolov8${size}.pt -P weights
        done
        MODELS=(sam_vit_b_01ec64 sam_vit_l_0b3195)
        for m in "${MODELS[@]}"; do curl -LO https://dl.fbaipublicfiles.com/segment_anything/$m.pth; done
        wget https://example.com/$m.pth
    """
    assert ids_at(script) == {
        ("ultralytics:yolov8n", 3), ("ultralytics:yolov8s", 3), ("ultralytics:yolov8m", 3),
        ("url:https://dl.fbaipublicfiles.com/segment_anything/sam_vit_b_01ec64.pth", 6),
        ("url:https://dl.fbaipublicfiles.com/segment_anything/sam_vit_l_0b3195.pth", 6),
    }  # after ``done`` $m is no longer the loop's: the last wget names nothing


def test_hub_cli_git_clone_and_positional_default() -> None:
    script = r"""
        MODEL_NAME=${1:-meta-llama/Meta-Llama-3-8B-Instruct}
        export HF_HUB_ENABLE_HF_TRANSFER=1
        huggingface-cli download "$MODEL_NAME" --local-dir ./models/llama3 \
            --exclude "original/*"
        huggingface-cli download --repo-type dataset HuggingFaceH4/ultrachat_200k --local-dir data
        hf download Qwen/Qwen2.5-0.5B-Instruct config.json
        huggingface-cli download stabilityai/stable-diffusion-2 --repo-type space
        huggingface-cli upload my-org/my-model ./out
        git lfs install
        git clone https://huggingface.co/BAAI/bge-m3
        GIT_LFS_SKIP_SMUDGE=1 git clone --depth 1 https://huggingface.co/datasets/openai/gsm8k.git
        git clone https://huggingface.co/spaces/gradio/hello_world
        git clone https://github.com/facebookresearch/segment-anything.git
    """
    assert ids_at(script) == {
        ("hf:meta-llama/Meta-Llama-3-8B-Instruct", 3), ("hf-dataset:HuggingFaceH4/ultrachat_200k", 5),
        ("hf:Qwen/Qwen2.5-0.5B-Instruct", 6), ("hf:BAAI/bge-m3", 10), ("hf-dataset:openai/gsm8k", 11),
    }


def test_ollama_kaggle_gdown_buckets() -> None:
    script = """
        curl -fsSL https://ollama.com/install.sh | sh
        ollama serve &
        sleep 5
        ollama pull llama3.1:8b && ollama pull nomic-embed-text:latest
        docker exec -it ollama ollama run qwen2.5:7b
        curl http://localhost:11434/api/pull -d '{"name": "mistral"}'
        kaggle datasets download -d paultimothymooney/chest-xray-pneumonia --unzip -p data/
        kaggle competitions download -c house-prices-advanced-regression-techniques
        gdown --id 1Y2k4wXa9bC3dE5fG7hI9jK1lM3nO5pQ7 -O ckpt/model.pth
        gsutil -m cp -r gs://gresearch/robotics/droid_100 ./data
        aws s3 cp s3://my-train-data/corpus.parquet data/ --no-sign-request
        aws s3 cp ./outputs/final.pt s3://my-bucket/final.pt
    """
    found = {(r.id, r.line, r.kind) for r in shell(script)}
    assert found == {
        ("ollama:llama3.1:8b", 4, Kind.MODEL), ("ollama:nomic-embed-text", 4, Kind.MODEL),
        ("ollama:qwen2.5:7b", 5, Kind.MODEL), ("ollama:mistral", 6, Kind.MODEL),
        ("kaggle-dataset:paultimothymooney/chest-xray-pneumonia", 7, Kind.DATASET),
        ("kaggle-competition:house-prices-advanced-regression-techniques", 8, Kind.DATASET),
        ("url:https://drive.google.com/uc?id=1Y2k4wXa9bC3dE5fG7hI9jK1lM3nO5pQ7", 9, Kind.MODEL),
        ("url:gs://gresearch/robotics/droid_100", 10, Kind.DATASET),
        ("url:s3://my-train-data/corpus.parquet", 11, Kind.DATASET),
    }


def test_training_launcher_flags() -> None:
    script = r"""
        deepspeed llava/train/train_mem.py \
            --deepspeed ./scripts/zero3.json \
            --model_name_or_path lmsys/vicuna-13b-v1.5 \
            --data_path ./playground/data/llava_v1_5_mix665k.json \
            --vision_tower openai/clip-vit-large-patch14-336 \
            --output_dir ./checkpoints/llava-v1.5-13b
        python run_clm.py --model_name_or_path gpt2 --dataset_name wikitext --dataset_config_name wikitext-2-raw-v1
        python chat.py --model openai/gpt-4o-mini --model_name_or_path outputs/run1
        vllm serve mistralai/Mistral-7B-Instruct-v0.3 --max-model-len 8192
    """
    assert ids_at(script) == {
        ("hf:lmsys/vicuna-13b-v1.5", 3), ("hf:openai/clip-vit-large-patch14-336", 5),
        ("hf:gpt2", 7), ("hf-dataset:wikitext", 7), ("hf:mistralai/Mistral-7B-Instruct-v0.3", 9),
    }


def test_cluster_job_script_default_model_behind_getopts_ray_and_srun(tmp_path: Path) -> None:
    script = """\
#!/bin/bash
#SBATCH --job-name=r1-server
#SBATCH --nodes=2
MODEL_PATH="deepseek-ai/DeepSeek-R1"
CONDA_ENV="sglang124"
while getopts "m:e:h" opt; do
    case $opt in
        m) MODEL_PATH="$OPTARG" ;;
        e) CONDA_ENV="$OPTARG" ;;
        h|?) echo "Usage: sbatch $0 [-m MODEL_PATH] [-e CONDA_ENV]"; exit 1 ;;
    esac
done
FIRST_NODE_IP=$(srun --nodes=1 --ntasks=1 -w "$FIRST_NODE" hostname --ip-address)
srun --nodes=2 --ntasks=2 --ntasks-per-node=1 \\
    bash -c "python -m sglang.launch_server \\
        --model-path '$MODEL_PATH' \\
        --dist-init-addr '$FIRST_NODE_IP:5000' --node-rank \\$SLURM_PROCID \\
        --tp 16" &
RAY_ADDRESS="http://$HEAD_NODE_IP:8265" ray job submit \\
    --working-dir src/open_r1 --no-wait --job-id vllm-server \\
    -- vllm serve "$MODEL_PATH" \\
        --tensor-parallel-size 8
"""
    path = tmp_path / "slurm" / "serve_r1.slurm"
    path.parent.mkdir()
    path.write_text(script, encoding="utf-8")
    assert ShellScanner().accepts(path) and ShellScanner().accepts(Path("run.sbatch"))
    refs = scan_path(tmp_path, ScanOptions(jobs=1)).references
    assert {(r.path, r.id, r.line) for r in refs} == {
        ("slurm/serve_r1.slurm", "hf:deepseek-ai/DeepSeek-R1", 15),  # the line of the bash -c script
        ("slurm/serve_r1.slurm", "hf:deepseek-ai/DeepSeek-R1", 21)}


def test_assignment_in_a_branch_adds_a_value_and_an_unknown_one_keeps_the_default() -> None:
    script = r"""
        VARIANT=base
        if [ "$1" == "large" ]; then
            VARIANT=large
        fi
        wget https://example-lab.org/release/v1/encoder_${VARIANT}.pth
        CKPT=checkpoints/encoder.pth
        CKPT=$2
        wget https://example-lab.org/release/v1/${CKPT##*/}
    """
    assert ids_at(script) == {("url:https://example-lab.org/release/v1/encoder_base.pth", 5),
                              ("url:https://example-lab.org/release/v1/encoder_large.pth", 5)}


def test_git_lfs_clone_colab_shell_cell_and_raw_data_files_of_a_repository() -> None:
    data = notebook(
        ["%%shell\n", "git clone https://github.com/yl4579/StyleTTS2.git\n", "cd StyleTTS2\n",
         "git-lfs clone https://huggingface.co/yl4579/StyleTTS2-LJSpeech\n", "mv StyleTTS2-LJSpeech/Models ."],
        ["!wget https://raw.githubusercontent.com/mrdbourke/tensorflow-deep-learning/main/extras/helper_functions.py\n",
         "!wget https://raw.githubusercontent.com/mrdbourke/tensorflow-deep-learning/main/extras/"
         "BTC_USD_2013-10-01_2021-05-18-CoinDesk.csv\n",
         "!curl -fsSL https://raw.githubusercontent.com/ollama/ollama/main/scripts/install.sh | sh"],
    )
    refs = [i for i in run(NotebookScanner(), "demo.ipynb", data) if isinstance(i, Reference)]
    assert {(r.id, r.line) for r in refs if r.kind is not Kind.PACKAGE} == {
        ("hf:yl4579/StyleTTS2-LJSpeech", 4),
        ("url:https://raw.githubusercontent.com/mrdbourke/tensorflow-deep-learning/main/extras/"
         "BTC_USD_2013-10-01_2021-05-18-CoinDesk.csv", 7)}


def test_command_kept_in_a_variable() -> None:
    script = """
        if command -v wget &> /dev/null; then
            CMD="wget"
        elif command -v curl &> /dev/null; then
            CMD="curl -L -O"
        fi
        BASE_URL="https://dl.fbaipublicfiles.com/segment_anything_2/092824"
        sam2p1_hiera_t_url="${BASE_URL}/sam2.1_hiera_tiny.pt"
        $CMD $sam2p1_hiera_t_url || { echo "Failed to download checkpoint from $sam2p1_hiera_t_url"; exit 1; }
    """
    assert ids_at(script) == {("url:https://dl.fbaipublicfiles.com/segment_anything_2/092824/sam2.1_hiera_tiny.pt", 8)}


def test_eval_scripts_model_path_and_lm_eval_model_args() -> None:
    script = """
        CKPT=llava-v1.5-13b
        python -m llava.eval.model_vqa_loader --model-path liuhaotian/$CKPT --question-file ./playground/q.jsonl
        python -m llava.eval.model_vqa --model-path ./checkpoints/$CKPT
        lm_eval --model hf --model_args pretrained=EleutherAI/pythia-160m,revision=step100000 --tasks hellaswag
    """
    assert ids_at(script) == {("hf:liuhaotian/llava-v1.5-13b", 2), ("hf:EleutherAI/pythia-160m", 4)}


def test_python_one_liners_are_read_by_the_python_scanner(tmp_path: Path) -> None:
    script = (
        "#!/usr/bin/env bash\n"
        "set -euo pipefail\n"
        "python -c \"from sentence_transformers import SentenceTransformer; SentenceTransformer('all-MiniLM-L6-v2')\"\n"
        "python3 -c 'import this is not python'\n"
        "echo 'python -c \"from transformers import AutoModel; AutoModel.from_pretrained(\\\"gpt2\\\")\"'\n"
    )
    items = run(ShellScanner(), "warmup.sh", script.encode(), ScanContext(root=tmp_path))
    assert [(i.id, i.line) for i in items if isinstance(i, Reference)] == [
        ("hf:sentence-transformers/all-MiniLM-L6-v2", 3)]


def test_every_recognised_command_and_flag_passes_the_prefilter() -> None:
    from modelclear.scan import shellcmds

    words = [*shellcmds.RECOGNISERS, *shellcmds._MODEL_FLAGS, *shellcmds._DATASET_FLAGS, "--model_args"]
    for word in words:
        assert any(k in f"{word} x".encode() for k in ShellScanner.prefilter), word
    found = run(ShellScanner(), "train.sh", b'export MODEL_NAME="runwayml/stable-diffusion-v1-5"\n'
                                             b"lora_pti \\\n  --pretrained_model_name_or_path=$MODEL_NAME \\\n"
                                             b"  --output_dir=./exps/out\n")
    assert [(r.id, r.line) for r in found if isinstance(r, Reference)] == [("hf:runwayml/stable-diffusion-v1-5", 3)]


# ---------------------------------------------------------------------------------------- negatives


def test_installs_demo_inputs_comments_and_unset_variables_are_not_artifacts() -> None:
    script = """
        pip install -U transformers accelerate
        apt-get install -y wget git-lfs
        wget https://raw.githubusercontent.com/pytorch/hub/master/images/dog.jpg
        wget https://github.com/ultralytics/assets/raw/main/im/bus.jpg -O demo.jpg
        curl -LsSf https://astral.sh/uv/install.sh | sh
        wget https://repo.anaconda.com/miniconda/Miniconda3-latest-Linux-x86_64.sh
        wget https://github.com/cli/cli/releases/download/v2.40.0/gh_2.40.0_linux_amd64.tar.gz
        wget https://github.com/org/repo/archive/refs/heads/main.zip
        # wget https://dl.fbaipublicfiles.com/segment_anything/sam_vit_h_4b8939.pth
        echo "wget https://dl.fbaipublicfiles.com/segment_anything/sam_vit_h_4b8939.pth"
        wget $WEIGHTS_URL
        gdown --id 12KScLSdZS5gNvLqoZBenbYeTPaVx4wMj
        wget "https://drive.google.com/uc?export=download&id=1dnPP0QvJ2944GaSE47yMgrt3T0yO4R_R" -O demo.mp4
        python train.py --model_name_or_path $BASE --dataset $DATA
        cat > fetch.sh <<'EOF'
        wget https://dl.fbaipublicfiles.com/dino/dino_vitbase16_pretrain/dino_vitbase16_pretrain.pth
        EOF
    """
    assert shell(script) == []


def test_credentials_in_addresses_are_not_copied() -> None:
    found = shell("""
        git clone https://alice:hf_abcdefSECRET@huggingface.co/meta-llama/Llama-2-7b-hf
        wget https://bob:SECRET@files.example.com/private/model.pth
    """)
    assert [(r.id, r.line) for r in found] == [("hf:meta-llama/Llama-2-7b-hf", 1)]
    assert "SECRET" not in found[0].evidence + found[0].raw


def test_unresolved_hub_repo_is_reported_without_an_id() -> None:
    found = shell("""
        huggingface-cli download $MODEL_REPO --local-dir weights
        ollama pull "$(cat model.txt)"
    """)
    assert [(r.id, r.line, r.confidence, r.raw) for r in found] == [
        (None, 1, "low", "$MODEL_REPO"), (None, 2, "low", '"$(cat model.txt)"')]
    assert "not resolved" in found[0].note


def test_variable_from_project_environment() -> None:
    found = shell("ollama pull ${OLLAMA_MODEL}\n", project_env={"OLLAMA_MODEL": ["llama3.2:1b"]})
    assert [(r.id, r.confidence) for r in found] == [("ollama:llama3.2:1b", "medium")]


@pytest.mark.parametrize(("url", "expected"), [
    ("https://huggingface.co/TheBloke/Llama-2-7B-GGUF/resolve/main/llama-2-7b.Q4_K_M.gguf",
     "hf:TheBloke/Llama-2-7B-GGUF"),
    ("http://images.cocodataset.org/zips/val2017.zip", canonical_id("url:http://images.cocodataset.org/zips/val2017.zip")),
    ("https://data.vision.ee.ethz.ch/cvl/DIV2K/DIV2K_train_HR.zip",
     canonical_id("url:https://data.vision.ee.ethz.ch/cvl/DIV2K/DIV2K_train_HR.zip")),
    ("https://example.org/files/weights?download=1", None),
    ("https://example.org/img/cat.png", None),
    ("http://localhost:8000/model.pth", None),
    ("https://files.pythonhosted.org/packages/torch-2.0.whl", None),
])
def test_classify_url(url: str, expected: str | None) -> None:
    got = classify_url(url)
    assert (got[0] if got else None) == expected


def test_makefile_variables_and_recipes() -> None:
    text = textwrap.dedent("""\
        MODEL ?= TheBloke/Mistral-7B-Instruct-v0.2-GGUF
        FILE := mistral-7b-instruct-v0.2.Q4_K_M.gguf

        .PHONY: download
        download:
        \t@mkdir -p models
        \thuggingface-cli download $(MODEL) $(FILE) --local-dir models
        \t@echo $$HOME
        """)
    lines = makefile_lines(text)
    assert scan_shell(lines, "Makefile")[0].id == "hf:TheBloke/Mistral-7B-Instruct-v0.2-GGUF"
    assert scan_shell(lines, "Makefile")[0].line == 7
    refs = run(ShellScanner(), "Makefile", text.encode())
    assert [(r.id, r.line) for r in refs if isinstance(r, Reference)] == [
        ("hf:TheBloke/Mistral-7B-Instruct-v0.2-GGUF", 7)]


# ------------------------------------------------------------------------------------ notebooks


def notebook(*cells: list[str]) -> bytes:
    return json.dumps({"cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": []} for c in cells],
                       "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
                       "nbformat": 4, "nbformat_minor": 5}).encode()


def test_notebook_bang_lines_and_bash_cells() -> None:
    data = notebook(
        ["%pip install -q ultralytics\n", "!pip install gdown\n"],
        ["!wget -q https://github.com/ultralytics/assets/releases/download/v8.2.0/yolov8s-seg.pt\n",
         "!wget -q https://ultralytics.com/images/bus.jpg\n"],
        ["CKPT_ID = \"1qL9Xk2mN4pR6sT8vW0yZ2bD4fH6jK8lN\"\n", "!gdown {CKPT_ID} -O checkpoint.pth\n"],
        ["%%bash\n", "for split in train2017 val2017; do\n",
         "  wget -nc http://images.cocodataset.org/zips/${split}.zip\n", "done\n"],
        ["!kaggle competitions download -c digit-recognizer\n", "# !ollama pull llama3\n",
         "!ollama pull phi3  # modelclear: ignore\n"],
    )
    items = run(NotebookScanner(), "train.ipynb", data)
    found = {(i.id, i.line, i.note.rsplit("; ", 1)[-1]) for i in items
             if isinstance(i, Reference) and i.kind is not Kind.PACKAGE}
    assert found == {
        ("ultralytics:yolov8s-seg", 3, "cell 2, line 1"),
        ("url:https://drive.google.com/uc?id=1qL9Xk2mN4pR6sT8vW0yZ2bD4fH6jK8lN", 6, "cell 3, line 2"),
        (canonical_id("url:http://images.cocodataset.org/zips/train2017.zip"), 9, "cell 4, line 3"),
        (canonical_id("url:http://images.cocodataset.org/zips/val2017.zip"), 9, "cell 4, line 3"),
        ("kaggle-competition:digit-recognizer", 11, "cell 5, line 1"),
    }


def test_notebook_env_magic_and_unknown_interpolation() -> None:
    data = notebook(["%env MODEL=mistralai/Mistral-7B-v0.1\n", "!huggingface-cli download $MODEL\n",
                     "!wget https://example.com/{name + '.pth'}\n"])
    refs = [i for i in run(NotebookScanner(), "nb.ipynb", data) if isinstance(i, Reference)]
    assert [(r.id, r.line) for r in refs] == [("hf:mistralai/Mistral-7B-v0.1", 2)]


# ------------------------------------------------------------------------------ the whole scanner


def test_scan_path_reads_scripts_and_uses_the_project_env(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "download.sh").write_text(
        "#!/bin/sh\nhuggingface-cli download \"$EMBEDDING_MODEL\"\n", encoding="utf-8")
    (tmp_path / ".env").write_text("EMBEDDING_MODEL=BAAI/bge-small-en-v1.5\n", encoding="utf-8")
    result = scan_path(tmp_path, ScanOptions(jobs=1))
    found = {(r.path, r.line, r.id) for r in result.references}
    assert ("scripts/download.sh", 2, "hf:BAAI/bge-small-en-v1.5") in found
    assert (".env", 1, "hf:BAAI/bge-small-en-v1.5") in found


# ------------------------------------------------------------------------------------ hostile input


def test_not_utf8_is_an_encoding_warning() -> None:
    items = run(ShellScanner(), "get.sh", b"wget https://x.org/a.pth \xff\xfe\n")
    assert [(i.code if isinstance(i, ScanWarning) else i) for i in items] == ["encoding"]


def test_huge_line_and_token_flood_stop_at_the_budget() -> None:
    flood = "wget " + "a " * 3_000_000 + "\nollama pull llama3\n"
    items = run(ShellScanner(), "big.sh", flood.encode())
    assert [i.code for i in items if isinstance(i, ScanWarning)] == [BUDGET_CODE]
    long_word = "wget https://example.com/" + "x" * 5_000_000 + ".pth\nwget https://example.com/" + \
        "y" * 1_000 + ".pth # " + "z" * 1_000_000 + "\n"
    refs = run(ShellScanner(), "long.sh", long_word.encode())  # an address past 2,000 characters is no id
    assert [(r.line, len(r.evidence)) for r in refs if isinstance(r, Reference)] == [(2, 300)]


def test_expansion_products_are_capped_and_budgeted() -> None:
    loops = "".join(f"for v{i} in a b c d e f; do\n" for i in range(8))
    body = "wget https://example.com/" + "".join(f"${{v{i}}}" for i in range(8)) + ".pth\n"
    refs = shell(loops + body + "done\n" * 8)
    assert 0 < len(refs) <= 24  # BUDGETS.candidates values per word
    meter = Meter(50, "shell steps")
    shell("for m in a b c; do wget https://example.com/$m.pth; done\n" * 100, meter=meter)
    assert meter.exhausted


def test_unterminated_quotes_and_substitutions_do_not_raise() -> None:
    script = "wget \"https://example.com/a.pth\nwget 'x\ncurl $(echo \"$(\nollama pull ${X:-\n" + "$(" * 10_000
    assert [(r.id, r.line) for r in shell(script)] == [("url:https://example.com/a.pth", 1)]


def test_env_values_are_the_documented_type() -> None:
    ctx = ScanContext(root=Path("/nonexistent-root"),
                      project_env={"OLLAMA_MODEL": (EnvValue("phi3", ".env", 1, "env-file"),)})
    items = run(ShellScanner(), "up.sh", b"ollama run $OLLAMA_MODEL\n", ctx)
    assert [(i.id, i.line) for i in items if isinstance(i, Reference)] == [("ollama:phi3", 1)]


# ------------------------------------------------------------------------------- CI workflows


def test_ci_workflow_steps_are_shell_scripts(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "tests.yml").write_text(textwrap.dedent("""\
        name: tests
        on: [push, pull_request]
        env:
          BASE_MODEL: Qwen/Qwen2.5-0.5B
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - uses: actions/setup-python@v5
                with:
                  python-version: ${{ matrix.python }}
              - name: Download nltk data
                run: wget https://s3.amazonaws.com/textblob/nltk_data-0.11.0.tar.gz
              - name: Fetch the test checkpoint
                run: |
                  mkdir -p checkpoints
                  huggingface-cli download $BASE_MODEL --local-dir checkpoints/base
                  # wget https://example-lab.org/old/detector.pth
              - run: python -m pip install tox
              - run: curl -sSL https://install.python-poetry.org | python3 -
        """), encoding="utf-8")
    (tmp_path / ".gitlab-ci.yml").write_text(textwrap.dedent("""\
        stages: [test]
        variables:
          WEIGHTS: https://example-lab.org/releases/v2/seg-r101.pth
        test:
          image: python:3.11
          before_script:
            - pip install -r requirements.txt
            - wget -q $WEIGHTS -O weights.pth
          script:
            - pytest -q
        """), encoding="utf-8")
    (tmp_path / "config.yml").write_text("run: wget https://example-lab.org/releases/v2/not-ci.pth\n",
                                         encoding="utf-8")
    result = scan_path(tmp_path, ScanOptions(jobs=1))
    found = {(r.path, r.line, r.id) for r in result.references if r.loader.startswith("shell:")}
    assert found == {
        (".github/workflows/tests.yml", 14, "url:https://s3.amazonaws.com/textblob/nltk_data-0.11.0.tar.gz"),
        (".github/workflows/tests.yml", 18, "hf:Qwen/Qwen2.5-0.5B"),
        (".gitlab-ci.yml", 8, "url:https://example-lab.org/releases/v2/seg-r101.pth"),
    }
    assert not result.warnings


def test_option_value_of_a_project_script_selects_the_branch_that_loads(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    (tmp_path / "train.py").write_text(textwrap.dedent("""\
        import argparse

        from datasets import load_dataset
        from transformers import AutoModelForCausalLM


        def load_data(dataset_name):
            if dataset_name == 'alpaca':
                return load_dataset("tatsu-lab/alpaca")
            elif dataset_name in ('oasst1', 'guanaco'):
                return load_dataset("timdettmers/openassistant-guanaco")
            elif dataset_name == 'local':
                return load_dataset("json", data_files="data/train.jsonl")
            raise NotImplementedError(dataset_name)


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--dataset", default="alpaca")
            parser.add_argument("--model_size", default="7b")
            parser.add_argument("--output_dir", default="out")
            args = parser.parse_args()
            if args.model_size == "13b":
                model = AutoModelForCausalLM.from_pretrained("huggyllama/llama-13b")
            data = load_data(args.dataset)
        """), encoding="utf-8")
    (tmp_path / "scripts" / "finetune.sh").write_text(textwrap.dedent("""\
        #!/bin/bash
        python train.py \\
            --model_size 13b \\
            --dataset oasst1 \\
            --output_dir alpaca \\
            --run_name guanaco
        accelerate launch --num_processes 2 train.py --dataset=alpaca
        python other.py --dataset oasst1
        """), encoding="utf-8")
    result = scan_path(tmp_path, ScanOptions(jobs=1))
    found = {(r.line, r.id) for r in result.references if r.path == "scripts/finetune.sh"}
    assert found == {
        (3, "hf:huggyllama/llama-13b"),
        (4, "hf-dataset:timdettmers/openassistant-guanaco"),
        (7, "hf-dataset:tatsu-lab/alpaca"),
    }


def test_drive_file_fetched_by_id_is_the_archive_the_next_command_unpacks() -> None:
    found = ids_at("""
        pip install -U gdown
        gdown --id 1AbCdEfGhIjKlMnOpQrStUvWxYz012345 && unzip -q checkpoints_v2.zip -d weights
        gdown 1ZyXwVuTsRqPoNmLkJiHgFeDcBa987654
        wget https://example-lab.org/data/val_images.zip
        unzip val_images.zip
        gdown --id 1QqQqQqQqQqQqQqQqQqQqQqQqQqQqQqQq
        python train.py
    """)
    assert found == {
        ("url:https://drive.google.com/uc?id=1AbCdEfGhIjKlMnOpQrStUvWxYz012345", 2),
        ("url:https://example-lab.org/data/val_images.zip", 4),
    }
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                     "source": ["!pip install --upgrade gdown -qq\n", "!gdown --id 1oeukDq54YMV5xWFMq0j1VN25HQQAd9ei\n",
                                "!unzip -q 1000_val_images_sampled.zip\n"]}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    refs = [r for r in run(NotebookScanner(), "probe.ipynb", json.dumps(nb).encode()) if isinstance(r, Reference)]
    drive = "url:https://drive.google.com/uc?id=1oeukDq54YMV5xWFMq0j1VN25HQQAd9ei"
    assert [(r.id, r.line) for r in refs] == [(drive, 2)]


def test_option_value_of_a_project_script_in_place_of_the_default_it_loads(tmp_path: Path) -> None:
    (tmp_path / "diarize.py").write_text(textwrap.dedent("""\
        import argparse

        from faster_whisper import WhisperModel

        parser = argparse.ArgumentParser()
        parser.add_argument("-a", "--audio", required=True)
        parser.add_argument("--whisper-model", dest="model_name", default="medium.en")
        parser.add_argument("--language", default="en")
        args = parser.parse_args()

        model = WhisperModel(args.model_name, device="cpu")
        """), encoding="utf-8")
    (tmp_path / "test_run.sh").write_text(
        'python diarize.py -a "./tests/assets/test.opus" --whisper-model tiny.en --language de\n', encoding="utf-8")
    result = scan_path(tmp_path, ScanOptions(jobs=1))
    assert {(r.line, r.id) for r in result.references if r.path == "test_run.sh"} == {
        (1, "hf:Systran/faster-whisper-tiny.en")}
    assert ("diarize.py", "hf:Systran/faster-whisper-medium.en") in {(r.path, r.id) for r in result.references}


def test_dataset_folder_flags_of_training_and_eval_scripts() -> None:
    """A training script's ``--image_folder`` laid out as COCO is COCO; an output folder named like it is not."""
    script = textwrap.dedent("""\
        #!/bin/bash
        deepspeed llava/train/train_mem.py \\
            --model_name_or_path ./checkpoints/$MODEL_VERSION \\
            --data_path ./playground/data/llava_instruct_80k.json \\
            --image_folder /path/to/coco/train2017 \\
            --vision_tower openai/clip-vit-large-patch14 \\
            --output_dir ./checkpoints/coco/val2017

        python -m llava.eval.model_vqa_loader \\
            --question-file ./playground/data/eval/pope/llava_pope_test.jsonl \\
            --image-folder=./playground/data/eval/pope/val2014 \\
            --answers-file ./playground/data/eval/pope/answers/val2014.jsonl
        """)
    refs = [r for r in scan_shell(list(enumerate(script.splitlines(), start=1)), "scripts/finetune.sh")
            if isinstance(r, Reference)]
    assert sorted((r.line, r.id) for r in refs) == [
        (5, "dataset:coco"), (6, "hf:openai/clip-vit-large-patch14"), (11, "dataset:coco")]
    coco = next(r for r in refs if r.line == 5)
    assert coco.kind is Kind.DATASET and coco.confidence == "low" and coco.loader == "shell:--image_folder"


def test_replicate_pget_downloads_in_a_cog_setup() -> None:
    """Cog predictors fetch weights with Replicate's ``pget`` (``-x`` extracts a tar: a flag, not a proxy)."""
    script = textwrap.dedent("""\
        #!/bin/bash
        curl -o /usr/local/bin/pget -L "https://github.com/replicate/pget/releases/download/v0.0.3/pget"
        chmod +x /usr/local/bin/pget
        pget -x https://weights.replicate.delivery/default/sdxl/safety-1.0.tar /src/safety-cache
        pget https://weights.replicate.delivery/default/TencentARC--PhotoMaker/photomaker-v1.bin checkpoints/pm.bin
        """)
    refs = [r for r in scan_shell(list(enumerate(script.splitlines(), start=1)), "script/download-weights")
            if isinstance(r, Reference)]
    base = "url:https://weights.replicate.delivery/default/"
    assert sorted((r.line, r.id, r.loader) for r in refs) == [
        (4, base + "sdxl/safety-1.0.tar", "shell:pget"),
        (5, base + "TencentARC--PhotoMaker/photomaker-v1.bin", "shell:pget")]


def test_backslash_at_the_end_of_a_comment_line_continues_nothing() -> None:
    # A comment runs to the end of its line, backslash included: the commented-out alternative launcher
    # does not swallow the real command that follows it (SimCSE's run_sup_example.sh).
    found = ids_at("""
        # If you only want to use one card, uncomment the following line
        # python train.py \\
        python -m torch.distributed.launch --nproc_per_node $NUM_GPU train.py \\
            --model_name_or_path bert-base-uncased \\
            --fp16
        """)
    assert found == {("hf:bert-base-uncased", 4)}
    # an indented comment too
    assert ids_at("""
        if true; then
            # wget https://example.com/old.bin \\
            wget https://huggingface.co/gpt2/resolve/main/model.safetensors
        fi
        """) == {("hf:gpt2", 3)}
