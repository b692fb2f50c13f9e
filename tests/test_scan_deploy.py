"""Deployment files of the kind RAG apps and model servers ship: compose files, dotenv files,
Dockerfiles and Ollama Modelfiles; the project environment index the Python scanner reads; and the
settings, secrets and hosted-API names that must not become references."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from modelclear.model import Reference
from modelclear.scan import ScanOptions, scan_path
from modelclear.scan.base import EnvValue, ScanContext, ScanWarning
from modelclear.scan.budget import BUDGET_CODE
from modelclear.scan.deploy import DeployScanner, classify_variable, file_type, with_project_env

COMPOSE = textwrap.dedent("""\
    name: local-rag
    x-app-env: &app-env
      LOG_LEVEL: info
    services:
      ollama:
        image: ollama/ollama:0.3.12
        ports:
          - "11434:11434"
        volumes:
          - ollama_data:/root/.ollama
      ollama-init:
        image: ollama/ollama:0.3.12
        depends_on: [ollama]
        environment:
          - OLLAMA_HOST=ollama:11434
        entrypoint: ["/bin/sh", "-c", "sleep 3; ollama pull ${CHAT_MODEL:-llama3.1:8b}; ollama pull nomic-embed-text"]
      embeddings:
        image: ghcr.io/huggingface/text-embeddings-inference:cpu-1.5
        command: --model-id BAAI/bge-small-en-v1.5 --revision main
      api:
        build:
          context: ./backend
          args:
            RERANK_MODEL: BAAI/bge-reranker-base
        env_file: .env
        environment:
          <<: *app-env
          CHAT_MODEL: ${CHAT_MODEL:-llama3.1:8b}
          EMBEDDING_MODEL: "${EMBEDDING_MODEL:-nomic-embed-text}"
          OPENAI_MODEL: gpt-4o-mini
          LLM_PROVIDER: ollama
          EMBEDDING_DIM: 768
          CHROMA_PATH: /data/chroma
          HF_TOKEN: ${HF_TOKEN}
          MODEL_CACHE_DIR: /models
          SERVED_MODEL_NAME: my-assistant
    volumes:
      ollama_data:
    """)

DOTENV = textwrap.dedent("""\
    # --- LLM -------------------------------------------------------------
    OLLAMA_BASE_URL=http://localhost:11434
    OLLAMA_MODEL=mistral:7b-instruct
    EMBEDDING_MODEL="sentence-transformers/all-mpnet-base-v2"   # used by ingest.py
    export RERANKER_MODEL=cross-encoder/ms-marco-MiniLM-L-6-v2
    OPENAI_API_KEY=sk-your-key-here
    ANTHROPIC_MODEL=claude-3-5-sonnet-20240620
    TOKENIZERS_PARALLELISM=false
    MODEL_PATH=./models/mistral-7b-instruct.Q4_K_M.gguf
    HF_DATASET=rajpurkar/squad_v2
    WEIGHTS_URL=https://github.com/xinntao/Real-ESRGAN/releases/download/v0.1.0/RealESRGAN_x4plus.pth
    """)

DOCKERFILE = textwrap.dedent("""\
    FROM python:3.11-slim AS base
    ARG EMBED_MODEL=intfloat/multilingual-e5-small
    ENV EMBEDDING_MODEL=${EMBED_MODEL} \\
        HF_HOME=/models
    WORKDIR /app
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    # bake the weights into the image
    RUN python -m pip install "huggingface_hub[cli]" && \\
        huggingface-cli download ${EMBED_MODEL} --local-dir /models/embed && \\
        wget -q https://github.com/ultralytics/assets/releases/download/v8.2.0/yolov8n.pt -O /models/yolov8n.pt
    RUN --mount=type=cache,target=/root/.cache ollama serve & sleep 5 && ollama pull phi3:mini
    RUN ["python", "-m", "vllm.entrypoints.openai.api_server", "--model", "Qwen/Qwen2-1.5B-Instruct"]
    RUN python -c "from sentence_transformers import CrossEncoder; CrossEncoder('cross-encoder/ms-marco-MiniLM-L-6-v2')"
    RUN <<EOT
    set -e
    gsutil cp gs://my-models/detector/ckpt.pth /models/
    EOT
    CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]
    """)


def scan(name: str, text: str | bytes, ctx: ScanContext | None = None) -> list[Reference | ScanWarning]:
    data = text.encode() if isinstance(text, str) else text
    return list(DeployScanner().scan(Path(name), data, ctx or ScanContext(root=Path("/nonexistent-root"))))


def refs(name: str, text: str, ctx: ScanContext | None = None) -> set[tuple[str | None, int]]:
    items = scan(name, text, ctx)
    assert not [i for i in items if isinstance(i, ScanWarning)], items
    return {(i.id, i.line) for i in items if isinstance(i, Reference)}


@pytest.mark.parametrize(("name", "kind"), [
    ("docker-compose.yml", "compose"), ("docker-compose.prod.yaml", "compose"), ("compose.yaml", "compose"),
    (".env", "env"), (".env.example", "env"), ("prod.env", "env"), ("Dockerfile", "dockerfile"),
    ("Dockerfile.gpu", "dockerfile"), ("api.dockerfile", "dockerfile"), ("Modelfile", "modelfile"),
    ("config.yml", ""), ("environment.yml", ""), ("envs.py", ""),
])
def test_file_types(name: str, kind: str) -> None:
    assert file_type(name) == kind
    assert DeployScanner().accepts(Path(name)) is bool(kind)


def test_compose_of_a_rag_app() -> None:
    assert refs("docker-compose.yml", COMPOSE) == {
        ("ollama:llama3.1:8b", 16), ("ollama:nomic-embed-text", 16),  # the init container's pulls
        ("hf:BAAI/bge-small-en-v1.5", 19),                               # TEI --model-id
        ("hf:BAAI/bge-reranker-base", 24),                               # build arg
        ("ollama:llama3.1:8b", 28), ("ollama:nomic-embed-text", 29),      # ${VAR:-default} in an ollama project
    }


def test_dotenv_of_a_rag_app() -> None:
    items = [i for i in scan(".env.example", DOTENV) if isinstance(i, Reference)]
    assert {(i.id, i.line) for i in items} == {
        ("ollama:mistral:7b-instruct", 3),
        ("hf:sentence-transformers/all-mpnet-base-v2", 4),
        ("hf:cross-encoder/ms-marco-MiniLM-L-6-v2", 5),
        ("hf-dataset:rajpurkar/squad_v2", 10),
        ("url:https://github.com/xinntao/Real-ESRGAN/releases/download/v0.1.0/RealESRGAN_x4plus.pth", 11),
    }
    assert all(i.confidence == "medium" and i.loader == "deploy:env-file" for i in items)
    assert next(i for i in items if i.line == 4).evidence == "EMBEDDING_MODEL=sentence-transformers/all-mpnet-base-v2"


def test_dockerfile_env_arg_and_run_lines() -> None:
    assert refs("Dockerfile", DOCKERFILE) == {
        ("hf:intfloat/multilingual-e5-small", 2),    # ARG default
        ("hf:intfloat/multilingual-e5-small", 3),    # ENV from the ARG
        ("hf:intfloat/multilingual-e5-small", 10),   # huggingface-cli download ${EMBED_MODEL}
        ("ultralytics:yolov8n", 11),
        ("ollama:phi3:mini", 12),
        ("hf:Qwen/Qwen2-1.5B-Instruct", 13),         # exec form
        ("hf:cross-encoder/ms-marco-MiniLM-L-6-v2", 14),  # python -c, read by the Python scanner
        ("url:gs://my-models/detector/ckpt.pth", 17),  # RUN <<EOT script
    }


def test_modelfile() -> None:
    assert refs("Modelfile", "FROM llama3.2:3b\nPARAMETER temperature 0.3\nSYSTEM You are terse.\n") == {
        ("ollama:llama3.2:3b", 1)}
    assert refs("Modelfile", "FROM ./mistral-7b-instruct.Q4_K_M.gguf\n") == set()


@pytest.mark.parametrize(("name", "value", "ollama", "expected"), [
    ("EMBEDDING_MODEL", "BAAI/bge-m3", False, "hf:BAAI/bge-m3"),
    ("EMBED_MODEL_NAME", "all-MiniLM-L6-v2", False, "hf:sentence-transformers/all-MiniLM-L6-v2"),
    ("LLM_MODEL", "llama3.1:8b", True, "ollama:llama3.1:8b"),
    ("LLM_MODEL", "llama3.1:8b", False, None),          # no sign of an Ollama server: unknown namespace
    ("OLLAMA_EMBED_MODEL", "mxbai-embed-large", False, "ollama:mxbai-embed-large"),
    ("TRAIN_DATASET", "HuggingFaceFW/fineweb-edu", False, "hf-dataset:HuggingFaceFW/fineweb-edu"),
    ("LLM_MODEL", "gpt-4o-mini", True, None),           # a hosted API's model name
    ("OPENAI_MODEL", "gpt-4o", False, None),
    ("GROQ_MODEL", "llama3-70b-8192", True, None),
    ("OPENROUTER_MODEL", "meta-llama/llama-3-70b-instruct", False, None),
    ("LITELLM_MODEL", "openai/gpt-4o", False, None),
    ("MODEL_PATH", "models/llama", False, None),
    ("MODEL_DIR", "meta-llama/Llama-2-7b", False, None),
    ("EMBEDDING_DIMENSIONS", "1536", False, None),
    ("HF_TOKEN", "hf_abcdefghijklmnop", False, None),
    ("TOKENIZERS_PARALLELISM", "false", False, None),
    ("MODEL", "${MODEL_NAME}", False, None),
    ("APP_NAME", "acme/chatbot", False, None),           # the name says nothing of a model
    ("EMBEDDING_MODEL", "sentence_transformer", True, None),  # a backend selector, not a model
    ("LLM", "llama2", True, "ollama:llama2"),
    ("CHECKPOINT_URL", "https://example.com/release/v2/model_final.pth", False,
     "url:https://example.com/release/v2/model_final.pth"),
    ("MODEL_URL", "http://ollama:11434", True, None),    # a service address
])
def test_classify_variable(name: str, value: str, ollama: bool, expected: str | None) -> None:
    got = classify_variable(name, value, ollama)
    assert (got[0] if got else None) == expected


# --------------------------------------------------------------------------- the environment index


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def index_of(root: Path) -> ScanContext:
    files = [(str(p), p.relative_to(root).as_posix(), p.stat().st_size) for p in sorted(root.rglob("*"))
             if p.is_file() and not p.is_symlink()]
    return with_project_env(ScanContext(root=root), files, 10_000_000)


def test_project_env_index(tmp_path: Path) -> None:
    write(tmp_path, {"docker-compose.yml": COMPOSE, ".env.example": DOTENV, "docker/Dockerfile": DOCKERFILE,
                     "app/settings.py": "import os\nMODEL = os.getenv('EMBEDDING_MODEL', 'x')\n"})
    env = index_of(tmp_path).project_env
    assert env["EMBEDDING_MODEL"] == (  # in path order; one value per (value, file, line)
        EnvValue("sentence-transformers/all-mpnet-base-v2", ".env.example", 4, "env-file"),
        EnvValue("nomic-embed-text", "docker-compose.yml", 29, "compose-default"),
        EnvValue("intfloat/multilingual-e5-small", "docker/Dockerfile", 3, "dockerfile-env"),
    )
    assert env["CHAT_MODEL"] == (EnvValue("llama3.1:8b", "docker-compose.yml", 16, "compose-default"),
                                 EnvValue("llama3.1:8b", "docker-compose.yml", 28, "compose-default"))
    assert env["OLLAMA_HOST"][0] == EnvValue("ollama:11434", "docker-compose.yml", 15, "compose")
    assert env["EMBED_MODEL"][0] == EnvValue("intfloat/multilingual-e5-small", "docker/Dockerfile", 2,
                                             "dockerfile-arg")
    assert "HF_TOKEN" not in env  # ``${HF_TOKEN}`` without a default sets nothing
    assert "MODEL" not in env     # Python files are not deployment files


def test_index_is_empty_without_deployment_files(tmp_path: Path) -> None:
    write(tmp_path, {"main.py": "print('hi')\n"})
    assert index_of(tmp_path).project_env == {}


def test_dotenv_in_an_ollama_project_is_read_with_the_index(tmp_path: Path) -> None:
    write(tmp_path, {".env": "LLM_MODEL=qwen2.5:14b\n", "compose.yaml": "services:\n  llm:\n    environment:\n"
                     "      OLLAMA_BASE_URL: http://ollama:11434\n"})
    ctx = index_of(tmp_path)
    assert refs(".env", "LLM_MODEL=qwen2.5:14b\n", ctx) == {("ollama:qwen2.5:14b", 1)}
    assert refs(".env", "LLM_MODEL=qwen2.5:14b\n") == set()  # alone, a bare tag names nothing we know


def test_scan_path_end_to_end(tmp_path: Path) -> None:
    write(tmp_path, {"docker-compose.yml": COMPOSE, ".env.example": DOTENV,
                     "scripts/pull.sh": "#!/bin/sh\nollama pull \"$OLLAMA_MODEL\"\n"})
    result = scan_path(tmp_path, ScanOptions(jobs=1))
    found = {(r.path, r.line, r.id) for r in result.references}
    assert ("scripts/pull.sh", 2, "ollama:mistral:7b-instruct") in found  # the value from .env.example
    assert ("docker-compose.yml", 19, "hf:BAAI/bge-small-en-v1.5") in found
    assert (".env.example", 4, "hf:sentence-transformers/all-mpnet-base-v2") in found
    assert not [r for r in result.references if r.id and ("gpt-4o" in r.id or "claude" in r.id)]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_env_file_linked_from_outside_the_root_is_not_indexed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    root = tmp_path / "project"
    write(outside, {".env": "EMBEDDING_MODEL=secret-org/private-model\n"})
    write(root, {"run.sh": "huggingface-cli download $EMBEDDING_MODEL\n"})
    (root / ".env").symlink_to(outside / ".env")
    result = scan_path(root, ScanOptions(jobs=1))
    assert not [r for r in result.references if r.id and "secret-org" in r.id]


# ------------------------------------------------------------------------------------ hostile input


def test_not_utf8() -> None:
    items = scan(".env", b"EMBEDDING_MODEL=BAAI/bge-m3\n\xff\xfe\n")
    assert [i.code for i in items if isinstance(i, ScanWarning)] == ["encoding"]


def test_deep_yaml_is_a_budget_warning() -> None:
    deep = "services:\n  x:\n    environment:\n      EMBEDDING_MODEL: BAAI/bge-m3\n" + "a: " + "[" * 5_000 + \
        "]" * 5_000 + "\n"
    items = scan("docker-compose.yml", deep)
    assert ("hf:BAAI/bge-m3", 4) in {(i.id, i.line) for i in items if isinstance(i, Reference)}
    assert [i.code for i in items if isinstance(i, ScanWarning)] == [BUDGET_CODE]


def test_alias_bomb_and_malformed_yaml_do_not_expand_or_raise() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)) + "services:\n  s:\n    environment:\n      RERANK_MODEL: BAAI/bge-reranker-v2-m3\n"
    assert refs("compose.yaml", bomb) == {("hf:BAAI/bge-reranker-v2-m3", 14)}
    assert refs("compose.yaml", "services:\n  s:\n    environment: [\n  - : {\n") == set()


def test_huge_dotenv_and_dockerfile_lines() -> None:
    big = "EMBEDDING_MODEL=" + "a" * 3_000_000 + "\nRERANK_MODEL=BAAI/bge-reranker-base\n"
    assert refs(".env", big) == {("hf:BAAI/bge-reranker-base", 2)}
    items = scan("Dockerfile", "FROM x\nRUN wget " + "b " * 2_500_000 + "\n")
    assert [i.code for i in items if isinstance(i, ScanWarning)] == [BUDGET_CODE]


COMPOSE_WITH_ENV_FILE = """\
services:
  ollama-server:
    image: ollama/ollama:0.3.0
    entrypoint: /bin/bash
    command: -c "set -e; ollama serve & sleep 10 && ollama pull ${OLLAMA_MODEL} && sleep infinity"
  infinity-server:
    image: michaelf34/infinity:0.0.63
    environment:
      - INFINITY_MODEL_ID=${INFINITY_EMBEDDING_MODEL};${INFINITY_RERANKING_MODEL}
      - INFINITY_API_KEY=${INFINITY_API_KEY}
    command: v2
  whisper:
    image: fedirz/faster-whisper-server:latest-cpu
    environment:
      - WHISPER__MODEL=${WHISPER_MODEL}
      - WHISPER__INFERENCE_DEVICE=${DEVICE}
"""

COMPOSE_ENV = """\
OLLAMA_MODEL=qwen2:1.5b
INFINITY_EMBEDDING_MODEL=mixedbread-ai/mxbai-embed-large-v1
INFINITY_RERANKING_MODEL=mixedbread-ai/mxbai-rerank-xsmall-v1
INFINITY_API_KEY='test'
WHISPER_MODEL=Systran/faster-distil-whisper-large-v3
DEVICE=cuda
"""


def test_compose_interpolation_from_the_env_file_and_a_shell_entrypoint(tmp_path: Path) -> None:
    # docker compose --env-file compose.env: each ${VAR} of a service's environment is the env file's value;
    # a shell entrypoint runs the command's -c string (truefoundry/cognita's docker-compose.yaml)
    write(tmp_path, {"docker-compose.yaml": COMPOSE_WITH_ENV_FILE, "compose.env": COMPOSE_ENV})
    ctx = index_of(tmp_path)
    assert refs("docker-compose.yaml", COMPOSE_WITH_ENV_FILE, ctx) == {
        ("ollama:qwen2:1.5b", 5), ("hf:mixedbread-ai/mxbai-embed-large-v1", 9),
        ("hf:mixedbread-ai/mxbai-rerank-xsmall-v1", 9), ("hf:Systran/faster-distil-whisper-large-v3", 15)}
    # without an env file that sets them, the variables name nothing; the pull stays a load to review
    assert refs("docker-compose.yaml", COMPOSE_WITH_ENV_FILE) == {(None, 5)}
