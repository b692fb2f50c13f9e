"""App configs: keys whose words say they name a model or dataset, and example copies of a config
(``config.yaml.sample``) that hold an app's defaults (issue 10, cause 5). Snippets in the style of real apps."""

from __future__ import annotations

from pathlib import Path

from modelclear.scan import ScanOptions, scan_path
from modelclear.scan.config import config_suffix, word_rule

TUNER_SAMPLE = """\
server_name: 0.0.0.0

# Basic Configurations
data_dir: ./data
default_base_model_name: huggyllama/llama-7b
base_model_choices:
  - huggyllama/llama-7b
  - nomic-ai/gpt4all-j
load_8bit: false
output_dir: acme/my-finetune
"""

RAG_SETTINGS = """\
{
  "embeddingModel": "BAAI/bge-small-en-v1.5",
  "llm_model_id": "mistralai/Mistral-7B-Instruct-v0.2",
  "eval_datasets": ["rajpurkar/squad", "./local/eval.jsonl"],
  "model_max_length": 4096,
  "hub_model_id": "acme/pushed-model",
  "llm": {"provider": "openai", "model": "openai/gpt-4o"},
  "model_cache_dir": "models/cache"
}
"""


def _scan(tmp_path: Path, files: dict[str, str]) -> list[tuple[str | None, str, int]]:
    for rel, text in files.items():
        (tmp_path / rel).write_text(text, encoding="utf-8")
    result = scan_path(tmp_path, ScanOptions(jobs=1))
    return sorted((r.id, r.path, r.line) for r in result.references)


def test_example_copy_of_a_config_is_read(tmp_path: Path) -> None:
    found = _scan(tmp_path, {"config.yaml.sample": TUNER_SAMPLE})
    assert found == [("hf:huggyllama/llama-7b", "config.yaml.sample", 5),
                     ("hf:huggyllama/llama-7b", "config.yaml.sample", 7),
                     ("hf:nomic-ai/gpt4all-j", "config.yaml.sample", 8)]


def test_model_and_dataset_words_in_keys(tmp_path: Path) -> None:
    found = _scan(tmp_path, {"settings.json": RAG_SETTINGS})
    assert found == [("hf-dataset:rajpurkar/squad", "settings.json", 4),
                     ("hf:BAAI/bge-small-en-v1.5", "settings.json", 2),
                     ("hf:mistralai/Mistral-7B-Instruct-v0.2", "settings.json", 3)]


def test_word_rules_and_suffixes() -> None:
    assert word_rule("default_base_model_name") is not None
    assert word_rule("embeddingModel") is not None
    assert word_rule("model_max_length") is None  # a number
    assert word_rule("hub_model_id") is None  # where the project pushes its own output
    assert word_rule("output_dir") is None
    assert word_rule("server_name") is None
    assert word_rule("Export Model") is None  # a documentation site's navigation title
    assert config_suffix(Path("config.yaml.sample")) == ".yaml"
    assert config_suffix(Path("settings.json.example")) == ".json"
    assert config_suffix(Path("notes.txt.sample")) == ""
    assert config_suffix(Path(".sample")) == ""
