"""Settings kept as class attributes of another project module (issue 10, values across modules): a
`Config` class with nested classes per concern (`Config.Model.EMBEDDINGS`), a flat settings class
(`Settings.RERANKER`), read by factory functions of the application's other modules. Small project trees
in the style of LangChain / Streamlit apps, scanned as a whole (real files, one job)."""

from __future__ import annotations

from pathlib import Path

from projecttree import found, write

RAG_APP = {
    "ragapp/__init__.py": "",
    "ragapp/config.py": '''
        import os
        from pathlib import Path


        class Config:
            class Path:
                APP_HOME = Path(os.getenv("APP_HOME", Path(__file__).parent.parent))
                DATABASE_DIR = APP_HOME / "docs-db"

            class Model:
                EMBEDDINGS = "BAAI/bge-base-en-v1.5"
                LOCAL_LLM = "llama3.1:8b"
                TEMPERATURE = 0.0

            DEBUG = False
        ''',
    "ragapp/model.py": '''
        from langchain_community.chat_models import ChatOllama
        from langchain_community.embeddings.fastembed import FastEmbedEmbeddings

        from ragapp.config import Config


        def create_llm():
            return ChatOllama(model=Config.Model.LOCAL_LLM, temperature=Config.Model.TEMPERATURE)


        def create_embeddings() -> FastEmbedEmbeddings:
            return FastEmbedEmbeddings(model_name=Config.Model.EMBEDDINGS)
        ''',
    "ragapp/settings.py": '''
        class Settings:
            RERANKER: str = "BAAI/bge-reranker-base"
            TOP_K = 5
        ''',
    "ragapp/rerank.py": '''
        from sentence_transformers import CrossEncoder

        from ragapp import settings


        class Reranker:
            def __init__(self):
                self.model = CrossEncoder(settings.Settings.RERANKER)
        ''',
}


def test_nested_settings_class_of_another_module(tmp_path: Path) -> None:
    write(tmp_path, RAG_APP)
    refs = found(tmp_path)
    assert ("ragapp/model.py", 8, "ollama:llama3.1:8b") in refs
    assert ("ragapp/model.py", 12, "hf:BAAI/bge-base-en-v1.5") in refs
    assert ("ragapp/rerank.py", 8, "hf:BAAI/bge-reranker-base") in refs


def test_settings_module_without_module_level_constants_is_indexed(tmp_path: Path) -> None:
    """A module whose only string constants are indented class attributes is read by the project index."""
    write(tmp_path, {k: v for k, v in RAG_APP.items() if k in ("ragapp/__init__.py", "ragapp/config.py",
                                                              "ragapp/model.py")})
    refs = [r for r in found(tmp_path) if r[0] == "ragapp/model.py"]
    assert [r[2] for r in refs] == ["ollama:llama3.1:8b", "hf:BAAI/bge-base-en-v1.5"]


SETTINGS_APP = {
    "api/__init__.py": "",
    "api/config.py": '''
        from pydantic_settings import BaseSettings

        APP_NAME = "doc-search"


        class Settings(BaseSettings):
            embedding_model: str = "BAAI/bge-small-en-v1.5"
            llm_model: str = "mistralai/Mistral-7B-Instruct-v0.2"
            chunk_size: int = 512


        settings = Settings()
        ''',
    "api/embed.py": '''
        from sentence_transformers import SentenceTransformer
        from transformers import AutoModelForCausalLM

        from api.config import settings


        def embedder():
            return SentenceTransformer(settings.embedding_model)


        def llm():
            return AutoModelForCausalLM.from_pretrained(settings.llm_model)
        ''',
}


def test_field_of_a_settings_object_another_module_builds(tmp_path: Path) -> None:
    """`from api.config import settings` (`settings = Settings()`): `settings.embedding_model` is the
    field's default in that module."""
    write(tmp_path, SETTINGS_APP)
    refs = [r for r in found(tmp_path) if r[0] == "api/embed.py"]
    assert refs == [("api/embed.py", 8, "hf:BAAI/bge-small-en-v1.5"),
                    ("api/embed.py", 12, "hf:mistralai/Mistral-7B-Instruct-v0.2")]


def test_settings_module_of_annotated_fields_only_is_indexed(tmp_path: Path) -> None:
    """A pydantic settings module with no module-level string constant (only `field: str = "..."` in the
    class) is read by the project index, so the field's default reaches the loader in another module."""
    files = dict(SETTINGS_APP)
    files["api/config.py"] = '''
        from pydantic_settings import BaseSettings


        class Settings(BaseSettings):
            embedding_model: str = "BAAI/bge-small-en-v1.5"
            llm_model: str = "mistralai/Mistral-7B-Instruct-v0.2"


        settings = Settings()
        '''
    write(tmp_path, files)
    refs = [r for r in found(tmp_path) if r[0] == "api/embed.py"]
    assert refs == [("api/embed.py", 8, "hf:BAAI/bge-small-en-v1.5"),
                    ("api/embed.py", 12, "hf:mistralai/Mistral-7B-Instruct-v0.2")]
