"""End to end: an artifact known only from the local Hugging Face cache (a real cache layout on disk)."""

from __future__ import annotations

import json
from pathlib import Path

from hflayout import cache_repo

from modelclear import cli

CARD = """---
license: cc-by-nc-4.0
base_model: google-bert/bert-base-uncased
base_model_relation: finetune
datasets:
- imdb
pipeline_tag: text-classification
---
# acme/bert-imdb-sentiment
A fine-tune of BERT on IMDB reviews.
"""


def test_check_reads_the_cached_card(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    cache = tmp_path / "hub"
    cache_repo(cache, "acme/bert-imdb-sentiment", {"README.md": CARD, "config.json": json.dumps({})})
    code = cli.main(["check", "hf:acme/bert-imdb-sentiment", "-j", "JP", "--hf-cache", str(cache),
                     "--format", "json", "--no-policy"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["artifact"]["known"] and doc["artifact"]["origin"] == "hf-cache"
    assert doc["artifact"]["license"] == "CC-BY-NC-4.0"
    assert doc["verdict"] == "prohibited" and code == 1
    assert doc["lineage"]["children"][0]["id"] == "hf:google-bert/bert-base-uncased"


def test_scan_lists_what_the_cache_holds(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    cache = tmp_path / "hub"
    cache_repo(cache, "acme/bert-imdb-sentiment", {"README.md": CARD})
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text('from transformers import pipeline\n'
                                    'clf = pipeline("text-classification", model="acme/bert-imdb-sentiment")\n')
    cli.main(["scan", str(project), "-j", "JP", "--hf-cache", str(cache), "--format", "json", "--no-policy"])
    doc = json.loads(capsys.readouterr().out)
    ids = {r["id"] for r in doc["references"]}
    assert "hf:acme/bert-imdb-sentiment" in ids
    from_code = [r for r in doc["references"] if r["path"].endswith("app.py")]
    assert from_code and from_code[0]["line"] == 2 and from_code[0]["verdict"] == "prohibited"
