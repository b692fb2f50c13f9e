"""Reading Hugging Face cards from real files: a real HF cache layout, model folders, hostile cards.

The cache is written in the layout huggingface_hub documents (``blobs/``, ``snapshots/<sha>/``,
``refs/main``) and checked with huggingface_hub's own ``scan_cache_dir`` before we read it. The
only HTTP used is a server on 127.0.0.1 started by the test; the Internet is never contacted.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import http.server
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from huggingface_hub import scan_cache_dir

from modelclear.catalog.hf import (
    MAX_CARD_BYTES,
    CardData,
    artifact_from_card,
    fetch_card,
    find_in_cache,
    hf_hub_cache_dir,
    modelclear_cache_dir,
    parse_card,
    read_cached_card,
    read_card_file,
    read_model_dir,
)
from modelclear.model import Confidence, Kind

LLAMA_CARD = """---
language:
- en
- de
- fr
library_name: transformers
license: llama3.1
pipeline_tag: text-generation
base_model: meta-llama/Llama-3.1-8B
tags:
- facebook
- meta
- pytorch
- llama
- llama-3
extra_gated_prompt: "### LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\\nLlama 3.1 Version Release Date: July 23, 2024"
extra_gated_fields:
  First Name: text
  Last Name: text
  Country: country
  I accept the terms: checkbox
extra_gated_button_content: Submit
---

## Model Information

The Meta Llama 3.1 collection of multilingual large language models is a collection of pretrained
and instruction tuned generative models in 8B, 70B and 405B sizes.
"""

MINILM_CARD = """---
language: en
license: apache-2.0
library_name: sentence-transformers
tags:
  - sentence-transformers
  - feature-extraction
  - sentence-similarity
  - transformers
datasets:
  - s2orc
  - flax-sentence-embeddings/stackexchange_xml
  - ms_marco
  - gooaq
  - snli
  - multi_nli
  - embedding-data/QQP
pipeline_tag: sentence-similarity
---

# all-MiniLM-L6-v2
This is a sentence-transformers model: it maps sentences to a 384 dimensional dense vector space.
"""

ADAPTER_CARD = """---
base_model: mistralai/Mistral-7B-v0.1
base_model_relation: adapter
library_name: peft
license: apache-2.0
datasets:
- tatsu-lab/alpaca
tags:
- lora
- generated_from_trainer
---
# my-lora
A LoRA adapter trained on Alpaca.
"""

OTHER_CARD = """---
license: other
license_name: flux-1-dev-non-commercial-license
license_link: LICENSE.md
base_model:
- black-forest-labs/FLUX.1-dev
pipeline_tag: text-to-image
---
# a FLUX LoRA
"""

BOMB_CARD = """---
license: mit
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
---
"""

MALFORMED_CARD = """---
license: apache-2.0
tags: [unclosed, list
  datasets:
 - : : bad indentation
---
# broken
"""


# --------------------------------------------------------------------------------------------------
# helpers: a real HF cache on disk


def _write_cached_repo(cache: Path, repo_id: str, files: dict[str, str], *, kind: str = "model",
                       commit: str | None = None, ref: str | None = "main") -> Path:
    """Write one repo in the documented hub cache layout; return its snapshot folder."""
    folder = cache / f"{kind}s--{repo_id.replace('/', '--')}"
    commit = commit or hashlib.sha1(repo_id.encode()).hexdigest()
    snapshot = folder / "snapshots" / commit
    (folder / "blobs").mkdir(parents=True, exist_ok=True)
    snapshot.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        data = text.encode("utf-8")
        blob_name = hashlib.sha256(data).hexdigest()
        (folder / "blobs" / blob_name).write_bytes(data)
        link = snapshot / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(folder / "blobs" / blob_name, link.parent))
    if ref is not None:
        (folder / "refs").mkdir(exist_ok=True)
        (folder / "refs" / ref).write_text(commit)
    return snapshot


@pytest.fixture
def hf_cache(tmp_path: Path) -> Path:
    cache = tmp_path / "hub"
    _write_cached_repo(cache, "meta-llama/Llama-3.1-8B-Instruct",
                       {"README.md": LLAMA_CARD, "config.json": json.dumps({"model_type": "llama"})})
    _write_cached_repo(cache, "sentence-transformers/all-MiniLM-L6-v2",
                       {"README.md": MINILM_CARD,
                        "config.json": json.dumps({"_name_or_path": "nreimers/MiniLM-L6-H384-uncased"}),
                        "1_Pooling/config.json": "{}"})
    # downloaded at a pinned commit: no refs/main, so only a cache scan finds it
    _write_cached_repo(cache, "openai/clip-vit-base-patch32", {"config.json": "{}"}, ref=None,
                       commit="3d74acf9a28c67741b2f4f2ea7635f0aaf6f0268")
    _write_cached_repo(cache, "rajpurkar/squad", {"README.md": "---\nlicense: cc-by-sa-4.0\n---\n"}, kind="dataset")
    return cache


@pytest.fixture
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME", "MODELCLEAR_CACHE",
                "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MODELCLEAR_CACHE", str(tmp_path / "mc-cache"))
    return tmp_path / "mc-cache"


# --------------------------------------------------------------------------------------------------
# parse_card


def test_llama_card_licence_base_and_gating() -> None:
    card = parse_card(LLAMA_CARD)
    assert card.license == "llama3.1"
    assert card.base_models == ("meta-llama/Llama-3.1-8B",)
    assert card.base_model == "meta-llama/Llama-3.1-8B"
    assert card.gated is True
    assert card.pipeline_tag == "text-generation"
    assert card.language == ("en", "de", "fr")
    assert card.library_name == "transformers"
    assert card.warnings == ()


def test_sentence_transformers_card_lists_its_datasets() -> None:
    card = parse_card(MINILM_CARD)
    assert card.license == "apache-2.0"
    assert "ms_marco" in card.datasets and "embedding-data/QQP" in card.datasets
    assert card.language == ("en",)
    assert card.gated is False
    assert card.base_models == ()


def test_other_licence_keeps_name_and_link() -> None:
    card = parse_card(OTHER_CARD)
    assert (card.license, card.license_name, card.license_link) == (
        "other", "flux-1-dev-non-commercial-license", "LICENSE.md")
    assert card.base_models == ("black-forest-labs/FLUX.1-dev",)


def test_gated_flag_in_metadata() -> None:
    assert parse_card("---\nlicense: mit\ngated: manual\n---\n").gated is True
    assert parse_card("---\nlicense: mit\ngated: false\n---\n").gated is False


def test_several_licences_all_apply_with_a_warning() -> None:
    card = parse_card("---\nlicense:\n- mit\n- cc-by-4.0\n---\n")
    assert card.license == "mit AND cc-by-4.0"
    assert any("several licences" in w for w in card.warnings)


def test_malformed_yaml_gives_a_warning_not_an_exception() -> None:
    card = parse_card(MALFORMED_CARD)
    assert card.license is None
    assert card.has_front_matter
    assert any("malformed" in w for w in card.warnings)


@pytest.mark.parametrize("text, expected", [
    ("# just a title\n", "no YAML front matter"),
    ("---\nlicense: mit\nno closing line\n", "not closed"),
    ("---\n---\n", "empty"),
    ("---\n- a\n- b\n---\n", "not a mapping"),
    ("---\nlicense: [mit, {x: 1}]\n---\n", "non-text"),
    ("---\nbase_model: x/y\nbase_model_relation: sideways\n---\n", "unknown base_model_relation"),
])
def test_odd_cards_are_reported(text: str, expected: str) -> None:
    card = parse_card(text)
    assert any(expected in w for w in card.warnings), card.warnings


def test_non_text_input_is_reported() -> None:
    assert parse_card(b"---\nlicense: mit\n---\n").warnings == ("card is not text",)  # type: ignore[arg-type]


def test_yaml_bomb_is_refused_quickly() -> None:
    start = time.perf_counter()
    card = parse_card(BOMB_CARD)
    assert time.perf_counter() - start < 1.0
    assert card.license is None
    assert any("anchors/aliases" in w for w in card.warnings)


def test_deep_nesting_is_refused() -> None:
    card = parse_card("---\nlicense: mit\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n")
    assert card.license is None
    assert any("deeper" in w or "malformed" in w for w in card.warnings)


def test_a_few_anchors_are_still_fine() -> None:
    card = parse_card("---\nlicense: &l apache-2.0\nextra: *l\ntags: [a, b]\n---\n")
    assert card.license == "apache-2.0"
    assert card.warnings == ()


def test_five_megabyte_readme_is_read_only_up_to_the_limit(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    body = ("Lorem ipsum dolor sit amet. " * 40 + "\n") * 4600
    readme.write_text(MINILM_CARD + body, encoding="utf-8")
    assert readme.stat().st_size > 5_000_000
    start = time.perf_counter()
    card = read_card_file(readme)
    assert time.perf_counter() - start < 2.0
    assert card.license == "apache-2.0" and "ms_marco" in card.datasets
    assert parse_card(readme.read_text(encoding="utf-8")).warnings[0].startswith("card truncated")


def test_huge_front_matter_is_not_parsed(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("---\nlicense: mit\ntags:\n" + "- filler\n" * 600_000 + "---\n", encoding="utf-8")
    card = read_card_file(readme)
    assert card.license is None
    assert card.warnings  # either truncated-without-closing or too large


def test_unreadable_card_file(tmp_path: Path) -> None:
    card = read_card_file(tmp_path / "missing" / "README.md")
    assert card.warnings and card.warnings[0].startswith("cannot read card")


# --------------------------------------------------------------------------------------------------
# model folders


def test_model_dir_with_adapter_config(tmp_path: Path) -> None:
    folder = tmp_path / "my-lora"
    folder.mkdir()
    (folder / "README.md").write_text(ADAPTER_CARD, encoding="utf-8")
    (folder / "adapter_config.json").write_text(json.dumps({
        "base_model_name_or_path": "mistralai/Mistral-7B-v0.1", "peft_type": "LORA", "r": 16,
        "target_modules": ["q_proj", "v_proj"], "task_type": "CAUSAL_LM"}), encoding="utf-8")
    local = read_model_dir(folder)
    assert local.card.base_model_relation == "adapter"
    assert local.adapter_base_model == "mistralai/Mistral-7B-v0.1"
    assert local.peft_type == "LORA"
    assert local.base_models == ("mistralai/Mistral-7B-v0.1",)
    assert local.warnings == ()


def test_model_dir_without_card_uses_config_name(tmp_path: Path) -> None:
    folder = tmp_path / "exported"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({
        "_name_or_path": "google-bert/bert-base-uncased", "architectures": ["BertForSequenceClassification"],
        "model_type": "bert"}), encoding="utf-8")
    (folder / "adapter_config.json").write_text("{not json", encoding="utf-8")
    local = read_model_dir(folder)
    assert local.name_or_path == "google-bert/bert-base-uncased"
    assert local.config["model_type"] == "bert"
    assert "no README.md" in local.card.warnings
    assert any("adapter_config.json is not valid JSON" in w for w in local.warnings)
    assert local.adapter_base_model is None


# --------------------------------------------------------------------------------------------------
# the HF cache


def test_fixture_cache_is_valid_for_huggingface_hub(hf_cache: Path) -> None:
    info = scan_cache_dir(hf_cache)
    assert not info.warnings
    assert {r.repo_id for r in info.repos} == {
        "meta-llama/Llama-3.1-8B-Instruct", "sentence-transformers/all-MiniLM-L6-v2",
        "openai/clip-vit-base-patch32", "rajpurkar/squad"}


def test_find_in_cache_follows_refs_main(hf_cache: Path) -> None:
    snapshot = find_in_cache("meta-llama/Llama-3.1-8B-Instruct", cache_dir=hf_cache)
    assert snapshot is not None and snapshot.parent.name == "snapshots"
    assert parse_card((snapshot / "README.md").read_text()).license == "llama3.1"


def test_find_in_cache_scans_for_pinned_commits(hf_cache: Path) -> None:
    snapshot = find_in_cache("openai/clip-vit-base-patch32", cache_dir=hf_cache)
    assert snapshot is not None and snapshot.name == "3d74acf9a28c67741b2f4f2ea7635f0aaf6f0268"
    assert (snapshot / "config.json").is_file()


def test_find_in_cache_kinds_and_misses(hf_cache: Path, tmp_path: Path) -> None:
    assert find_in_cache("rajpurkar/squad", kind="dataset", cache_dir=hf_cache) is not None
    assert find_in_cache("rajpurkar/squad", kind="model", cache_dir=hf_cache) is None
    assert find_in_cache("nobody/nothing", cache_dir=hf_cache) is None
    assert find_in_cache("nobody/nothing", cache_dir=tmp_path / "absent") is None
    with pytest.raises(ValueError):
        find_in_cache("x/y", kind="space", cache_dir=hf_cache)


def test_cache_location_honours_environment(hf_cache: Path, monkeypatch: pytest.MonkeyPatch,
                                            isolated_env: Path, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path))  # tmp_path/hub is the cache
    assert hf_hub_cache_dir() == hf_cache
    assert find_in_cache("sentence-transformers/all-MiniLM-L6-v2") is not None
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "elsewhere"))
    assert hf_hub_cache_dir() == tmp_path / "elsewhere"
    assert find_in_cache("sentence-transformers/all-MiniLM-L6-v2") is None
    monkeypatch.delenv("HF_HUB_CACHE")
    monkeypatch.delenv("HF_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert hf_hub_cache_dir() == tmp_path / "xdg" / "huggingface" / "hub"


def test_read_cached_card(hf_cache: Path) -> None:
    found = read_cached_card("sentence-transformers/all-MiniLM-L6-v2", cache_dir=hf_cache)
    assert found is not None
    local, day = found
    assert local.card.license == "apache-2.0"
    assert local.name_or_path == "nreimers/MiniLM-L6-H384-uncased"
    assert day == _dt.date.today()
    assert read_cached_card("nobody/nothing", cache_dir=hf_cache) is None


# --------------------------------------------------------------------------------------------------
# fetching


def test_offline_fetch_returns_none_with_a_reason_quickly(isolated_env: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.perf_counter()
    result = fetch_card("google-bert/bert-base-uncased")
    assert time.perf_counter() - start < 1.0
    assert result.text is None and not result.ok
    assert "offline" in result.reason


def test_unreachable_hub_returns_none_quickly(isolated_env: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    start = time.perf_counter()
    result = fetch_card("google-bert/bert-base-uncased", endpoint=f"http://127.0.0.1:{port}", timeout=2.0)
    assert time.perf_counter() - start < 5.0
    assert result.text is None
    assert result.reason.startswith("cannot reach the Hub")


def test_bad_repo_id_is_refused_without_a_request(isolated_env: Path) -> None:
    result = fetch_card("not a repo id")
    assert result.text is None and "not a Hub repository id" in result.reason


class _CardServer(http.server.BaseHTTPRequestHandler):
    cards: ClassVar[dict[str, bytes]] = {}
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = self.cards.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def local_hub() -> Iterator[str]:
    _CardServer.cards = {
        "/sentence-transformers/all-MiniLM-L6-v2/resolve/main/README.md": MINILM_CARD.encode(),
        "/datasets/rajpurkar/squad/resolve/main/README.md": b"---\nlicense: cc-by-sa-4.0\n---\n",
        "/big/card/resolve/main/README.md": MINILM_CARD.encode() + b"x" * (3 * MAX_CARD_BYTES),
    }
    _CardServer.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CardServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_fetch_caches_the_card_with_its_date(local_hub: str, isolated_env: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    day = _dt.date(2026, 11, 28)
    first = fetch_card("sentence-transformers/all-MiniLM-L6-v2", endpoint=local_hub, today=day)
    assert first.ok and not first.from_cache and first.fetched_on == day
    assert parse_card(first.text or "").license == "apache-2.0"
    stored = list((modelclear_cache_dir() / "cards" / "models").glob("*.json"))
    assert len(stored) == 1 and json.loads(stored[0].read_text())["fetched_on"] == "2026-11-28"

    again = fetch_card("sentence-transformers/all-MiniLM-L6-v2", endpoint=local_hub, today=day + _dt.timedelta(days=3))
    assert again.from_cache and again.fetched_on == day
    assert len(_CardServer.hits) == 1

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    stale = fetch_card("sentence-transformers/all-MiniLM-L6-v2", endpoint=local_hub, today=day + _dt.timedelta(days=90))
    assert stale.ok and stale.from_cache and stale.fetched_on == day
    assert "offline" in stale.reason and "2026-11-28" in stale.reason


def test_fetch_dataset_card_missing_card_and_size_cap(local_hub: str, isolated_env: Path) -> None:
    squad = fetch_card("rajpurkar/squad", kind="dataset", endpoint=local_hub)
    assert squad.ok and parse_card(squad.text or "").license == "cc-by-sa-4.0"
    missing = fetch_card("nobody/nothing", endpoint=local_hub)
    assert missing.text is None and "404" in missing.reason
    big = fetch_card("big/card", endpoint=local_hub)
    assert big.text is not None and len(big.text.encode()) <= MAX_CARD_BYTES
    assert parse_card(big.text).license == "apache-2.0"


def test_xdg_cache_home_is_honoured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MODELCLEAR_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert modelclear_cache_dir() == tmp_path / "xdg" / "modelclear"
    monkeypatch.setenv("MODELCLEAR_CACHE", str(tmp_path / "mc"))
    assert modelclear_cache_dir() == tmp_path / "mc"


# --------------------------------------------------------------------------------------------------
# artifact_from_card


_OUR_IDS = {"apache-2.0": "Apache-2.0", "llama3.1": "llama3.1", "mit": "MIT",
            "flux-1-dev-non-commercial-license": "flux-1-dev-non-commercial-license"}


def _resolve(text: str) -> str | None:
    return _OUR_IDS.get(text.lower())


def test_artifact_from_sentence_transformers_card() -> None:
    day = _dt.date(2026, 11, 28)
    art = artifact_from_card("hf:sentence-transformers/all-MiniLM-L6-v2", parse_card(MINILM_CARD), "hf-card", day,
                             resolve_license=_resolve)
    assert art.kind is Kind.MODEL and art.license == "Apache-2.0"
    assert art.distributed_via == "huggingface" and art.origin == "hf-card"
    assert "hf-dataset:ms_marco" in {r.target for r in art.datasets}
    assert art.sources[0].url == "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2"
    assert art.sources[0].confidence is Confidence.SECONDARY and art.sources[0].checked == day
    assert "uploader" in art.sources[0].note
    assert art.facts["task"] == "sentence-similarity" and art.facts["generative"] is False


def test_artifact_from_gated_llama_card() -> None:
    art = artifact_from_card("hf:meta-llama/Llama-3.1-8B-Instruct", parse_card(LLAMA_CARD), "hf-cache",
                             _dt.date(2026, 11, 28), resolve_license=_resolve)
    assert art.gated and art.license == "llama3.1"
    (base,) = art.base_models
    assert base.target == "hf:meta-llama/Llama-3.1-8B" and base.relation == "finetune"
    assert base.source is not None and base.source.confidence is Confidence.UNCERTAIN  # relation inferred
    assert art.facts["generative"] is True


def test_artifact_adapter_relation_is_the_cards() -> None:
    art = artifact_from_card("hf:someone/my-lora", parse_card(ADAPTER_CARD), "hf-card", _dt.date(2026, 11, 28),
                             resolve_license=_resolve)
    (base,) = art.base_models
    assert (base.target, base.relation) == ("hf:mistralai/Mistral-7B-v0.1", "adapter")
    assert base.source is not None and base.source.confidence is Confidence.SECONDARY
    assert [r.target for r in art.datasets] == ["hf-dataset:tatsu-lab/alpaca"]


def test_artifact_other_licence_resolved_through_its_name() -> None:
    art = artifact_from_card("hf:someone/flux-lora", parse_card(OTHER_CARD), "hf-card", _dt.date(2026, 11, 28),
                             resolve_license=_resolve)
    assert art.license == "flux-1-dev-non-commercial-license"
    assert art.license_note is not None and "flux-1-dev-non-commercial-license" in art.license_note.en


def test_artifact_unknown_and_missing_licences() -> None:
    day = _dt.date(2026, 11, 28)
    odd = artifact_from_card("hf:x/y", parse_card("---\nlicense: wtfpl-ish\n---\n"), "hf-card", day,
                             resolve_license=_resolve)
    assert odd.license == "unknown" and odd.license_note is not None and "wtfpl-ish" in odd.license_note.ja
    none = artifact_from_card("hf:x/y", CardData(), "hf-card", day, resolve_license=_resolve)
    assert none.license == "unknown"
    raw = artifact_from_card("hf:x/y", parse_card("---\nlicense: wtfpl-ish\n---\n"), "hf-card", day)
    assert raw.license == "wtfpl-ish"  # without a resolver the card's id is kept


def test_artifact_for_a_dataset_card() -> None:
    art = artifact_from_card("hf-dataset:rajpurkar/squad", parse_card("---\nlicense: cc-by-sa-4.0\n---\n"),
                             "hf-card", _dt.date(2026, 11, 28))
    assert art.kind is Kind.DATASET
    assert art.sources[0].url == "https://huggingface.co/datasets/rajpurkar/squad"


def test_artifact_skips_unusable_base_models() -> None:
    card = parse_card("---\nbase_model:\n- ./local/path with spaces\n- org/good\n- hf:org/self\n---\n")
    art = artifact_from_card("hf:org/self", card, "hf-card", _dt.date(2026, 11, 28))
    assert [r.target for r in art.base_models] == ["hf:org/good"]
