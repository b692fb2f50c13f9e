"""Your own models on disk (issue 12): records read from real files made here, verdicts, check PATH and scan."""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from localfiles import safetensors_bytes, write_files, write_gguf

from modelclear.catalog.localmodel import read_local, to_artifact
from modelclear.cli import main
from modelclear.model import Layer, Status
from modelclear.report import Report
from modelclear.service import Question, Service

FIXTURES = Path(__file__).parent / "fixtures" / "projects"
CARD = "---\nlicense: mit\nbase_model: meta-llama/Llama-3.1-8B\ndatasets:\n- tatsu-lab/alpaca\n---\n# Support bot\n"


@pytest.fixture(scope="module")
def service() -> Service:
    return Service()


def _kb_key(service: Service) -> Callable[[str], str | None]:
    return service.kb.license_key


# ------------------------------------------------------------------------------------------ readers


def test_model_folder_card_config_and_weights(tmp_path: Path, service: Service) -> None:
    write_files(tmp_path, {
        "models/support-bot/README.md": CARD,
        "models/support-bot/config.json": {"json": {"_name_or_path": "meta-llama/Llama-3.1-8B"}},
        "models/support-bot/model.safetensors": {"safetensors": {"format": "pt"}},
    })
    rec = read_local(tmp_path / "models/support-bot", tmp_path)
    assert rec.id == "local:models/support-bot"
    assert rec.formats == ("model-card", "config")
    assert rec.relation == "finetune"
    assert rec.license == "mit"
    assert rec.license_evidence is not None and rec.license_evidence.text() == \
        "models/support-bot/README.md: license = mit"
    assert [(b.target, b.evidence.key) for b in rec.bases] == [("hf:meta-llama/Llama-3.1-8B", "base_model")]
    assert [d.target for d in rec.datasets] == ["hf-dataset:tatsu-lab/alpaca"]
    art = to_artifact(rec, _kb_key(service))
    assert art.license == "MIT" and art.origin == "local"
    assert [(r.target, r.relation) for r in art.upstream] == [
        ("hf:meta-llama/Llama-3.1-8B", "finetune"), ("hf-dataset:tatsu-lab/alpaca", "trained_on")]


def test_peft_adapter(tmp_path: Path) -> None:
    write_files(tmp_path, {"lora/adapter_config.json": {"json": {
        "base_model_name_or_path": "mistralai/Mistral-7B-v0.1", "peft_type": "LORA"}}})
    rec = read_local(tmp_path / "lora", tmp_path)
    assert rec.relation == "adapter" and rec.formats == ("peft-adapter",)
    assert rec.bases[0].target == "hf:mistralai/Mistral-7B-v0.1"
    assert rec.bases[0].evidence.key == "base_model_name_or_path"
    assert rec.license is None


def test_kohya_lora_metadata(tmp_path: Path) -> None:
    write_files(tmp_path, {"loras/style.safetensors": {"safetensors": {
        "ss_network_module": "networks.lora", "ss_base_model_version": "sdxl_base_v1-0",
        "ss_sd_model_name": "sd_xl_base_1.0.safetensors", "modelspec.license": "openrail++",
        "modelspec.title": "Product style"}}})
    rec = read_local(tmp_path / "loras/style.safetensors", tmp_path)
    assert rec.relation == "adapter" and "lora" in rec.formats
    assert [(b.target, b.evidence.key) for b in rec.bases] == [
        ("hf:stabilityai/stable-diffusion-xl-base-1.0", "ss_base_model_version")]
    assert rec.license == "openrail++" and rec.name == "Product style"


def test_modelspec_architecture_names_the_base(tmp_path: Path) -> None:
    arch = {"modelspec.architecture": "stable-diffusion-xl-v1-base/lora"}
    write_files(tmp_path, {"l.safetensors": {"safetensors": arch}})
    rec = read_local(tmp_path / "l.safetensors", tmp_path)
    assert rec.relation == "adapter"
    assert rec.bases[0].target == "hf:stabilityai/stable-diffusion-xl-base-1.0"


def test_gguf_written_by_the_gguf_package(tmp_path: Path) -> None:
    write_gguf(tmp_path / "m.gguf", "gemma2", {
        "general.name": "Gemma 2 2b It", "general.license": "apache-2.0", "general.base_model.count": 2,
        "general.base_model.0.name": "Gemma 2 2b It", "general.base_model.0.organization": "Google",
        "general.base_model.0.repo_url": "https://huggingface.co/google/gemma-2-2b-it",
        "general.base_model.1.name": "gemma-2-2b", "general.base_model.1.organization": "google",
        "general.datasets": ["tatsu-lab/alpaca"]})
    rec = read_local(tmp_path / "m.gguf", tmp_path)
    assert rec.relation == "quantized" and rec.formats == ("gguf",)
    assert rec.license == "apache-2.0" and rec.license_evidence is not None
    assert rec.license_evidence.key == "general.license"
    assert [b.target for b in rec.bases] == ["hf:google/gemma-2-2b-it", "hf:google/gemma-2-2b"]
    assert [d.target for d in rec.datasets] == ["hf-dataset:tatsu-lab/alpaca"]
    assert not rec.warnings


def test_mergekit_yaml_models_slices_and_local_base(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "models/base/config.json": {"json": {"_name_or_path": "mistralai/Mistral-7B-v0.1"}},
        "merge.yml": "slices:\n  - sources:\n      - model: ./models/base\n        layer_range: [0, 32]\n"
                     "      - model: HuggingFaceH4/zephyr-7b-beta\n        layer_range: [0, 32]\n"
                     "merge_method: slerp\nbase_model: ./models/base\n",
    })
    rec = read_local(tmp_path / "merge.yml", tmp_path)
    assert rec.relation == "merge" and rec.facts["merge_method"] == "slerp"
    assert [b.target for b in rec.bases] == ["local:models/base", "hf:HuggingFaceH4/zephyr-7b-beta"]


def test_awq_config_is_a_quantisation(tmp_path: Path) -> None:
    write_files(tmp_path, {"q/config.json": {"json": {
        "_name_or_path": "Qwen/Qwen2.5-7B-Instruct", "quantization_config": {"quant_method": "awq", "bits": 4}}}})
    rec = read_local(tmp_path / "q", tmp_path)
    assert rec.relation == "quantized" and rec.facts["quantization"] == "awq"
    assert rec.bases[0].target == "hf:Qwen/Qwen2.5-7B-Instruct"
    assert rec.relation_evidence is not None and rec.relation_evidence.key == "quantization_config.quant_method"


def _pb_len(field: int, payload: bytes) -> bytes:
    out = bytes([field << 3 | 2])
    n = len(payload)
    while n >= 0x80:
        out += bytes([n & 0x7F | 0x80])
        n >>= 7
    return out + bytes([n]) + payload


def test_onnx_metadata_props(tmp_path: Path) -> None:
    entry = _pb_len(1, b"license") + _pb_len(2, b"llama3.1")
    base = _pb_len(1, b"base_model") + _pb_len(2, b"meta-llama/Llama-3.1-8B")
    (tmp_path / "m.onnx").write_bytes(b"\x08\x09" + _pb_len(14, entry) + _pb_len(14, base))  # ir_version 9
    rec = read_local(tmp_path / "m.onnx", tmp_path)
    assert rec.formats == ("onnx",) and rec.license == "llama3.1"
    assert rec.bases[0].target == "hf:meta-llama/Llama-3.1-8B"


# ------------------------------------------------------------------------------------------ hostile input


@pytest.mark.parametrize("content, needle", [
    (b"\x01\x02", "truncated safetensors header"),
    (struct.pack("<Q", 1 << 40) + b"{}", "not read"),
    (struct.pack("<Q", 20) + b'{"__metadata__": [1', "malformed safetensors header"),
    (struct.pack("<Q", 8) + b"\xff\xfe{}    ", "malformed safetensors header"),
], ids=["truncated-length", "huge-length", "cut-json", "not-utf8"])
def test_hostile_safetensors(tmp_path: Path, content: bytes, needle: str) -> None:
    (tmp_path / "x.safetensors").write_bytes(content)
    rec = read_local(tmp_path / "x.safetensors", tmp_path)
    assert not rec.found
    assert any(needle in w for w in rec.warnings), rec.warnings


def test_hostile_gguf(tmp_path: Path) -> None:
    write_gguf(tmp_path / "ok.gguf", "llama", {"general.license": "mit", "general.base_model.count": 1,
                                               "general.base_model.0.repo_url": "https://huggingface.co/a/b"})
    data = (tmp_path / "ok.gguf").read_bytes()
    (tmp_path / "cut.gguf").write_bytes(data[:40])
    (tmp_path / "magic.gguf").write_bytes(b"GGUX" + data[4:])
    huge = bytearray(data)
    huge[16:24] = struct.pack("<Q", 10**12)  # metadata count
    (tmp_path / "count.gguf").write_bytes(bytes(huge))
    cut = read_local(tmp_path / "cut.gguf", tmp_path)
    assert any("read in part" in w for w in cut.warnings), cut.warnings
    for name in ("magic.gguf", "count.gguf"):
        rec = read_local(tmp_path / name, tmp_path)
        assert not rec.found and any("malformed GGUF header" in w for w in rec.warnings), rec.warnings


def test_bad_utf8_card_and_deep_json(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "README.md").write_bytes(b"---\nlicense: mit\nbase_model: gpt2\n---\n\xff\xfe bad bytes\n")
    (folder / "config.json").write_text("[" * 5000 + "]" * 5000)
    rec = read_local(folder, tmp_path)
    assert rec.license == "mit" and rec.bases[0].target == "hf:gpt2"
    assert any("not valid UTF-8" in w for w in rec.warnings)
    assert any("nested too deeply" in w for w in rec.warnings)


def test_yaml_bomb_merge_config(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(20)) + "merge_method: linear\n"
    (tmp_path / "bomb.yml").write_text(bomb)
    rec = read_local(tmp_path / "bomb.yml", tmp_path)
    assert not rec.found and any("YAML not read" in w for w in rec.warnings)


def test_symlinks_out_of_the_root_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    root = tmp_path / "root"
    write_files(outside, {"README.md": CARD, "secret.gguf": "not read"})
    (root / "m").mkdir(parents=True)
    os.symlink(outside / "README.md", root / "m" / "README.md")
    os.symlink(outside, root / "linked")
    rec = read_local(root / "m", root)
    assert not rec.found and any("link out of the scanned root" in w for w in rec.warnings)
    rec = read_local(root / "linked", root)
    assert not rec.found and any("link out of the scanned root" in w for w in rec.warnings)
    # a base named by a path that leads out of the root is not read either
    write_files(root, {"m2/adapter_config.json": {"json": {"base_model_name_or_path": "../../outside"}}})
    rec = read_local(root / "m2", root)
    assert rec.bases[0].target is None


# ------------------------------------------------------------------------------------------ verdicts


def _check(service: Service, folder: Path, path: str, jurisdiction: str = "US", activity: str = "distribute",
           monkeypatch: pytest.MonkeyPatch | None = None) -> Report:
    assert monkeypatch is not None
    monkeypatch.chdir(folder)
    return service.check(Question(id=path, jurisdictions=(jurisdiction,), activity=activity))


def test_conflict_cites_both_sources_in_english_and_japanese(tmp_path: Path, service: Service,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(tmp_path, {"models/support-bot/README.md": CARD})
    report = _check(service, tmp_path, "./models/support-bot", monkeypatch=monkeypatch)
    a = report.assessments[0]
    assert a.ref.id == "local:models/support-bot" and a.verdict is Status.PROHIBITED
    assert a.license_in_force == "llama3.1"  # the base's licence governs, not the card's MIT
    licence = a.layer(Layer.LICENSE)
    conflict = next(m for m in licence.reasons if m.key == "license.local_conflict")
    assert str(conflict.params["declared"]) == "MIT License"
    assert "README.md: license = mit" in str(conflict.params["where"])
    assert "base_model = meta-llama/Llama-3.1-8B" in str(conflict.params["base_where"])
    assert "Llama 3.1" in str(conflict.params["governing"])
    urls = {c.url for c in licence.citations}
    assert "models/support-bot/README.md" in urls
    assert any("llama" in u for u in urls)
    from dataclasses import replace

    from modelclear.report import get

    en = get("text").render(report)
    assert "models/support-bot declares MIT License" in en and "MIT License cannot be granted" in en
    ja = get("text").render(replace(report, lang="ja"))
    assert "を許諾することはできない" in ja


def test_inherits_from_every_base_and_own_licence_is_not_needed(tmp_path: Path, service: Service,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(tmp_path, {"merge.yml": "models:\n  - model: google/vit-base-patch16-224-in21k\n"
                                        "  - model: facebook/vit-mae-base\nmerge_method: linear\n",
                           "mine/README.md": "---\nlicense: cc-by-nc-4.0\nlibrary_name: transformers\n---\n",
                           "mine/config.json": {"json": {"model_type": "vit"}}})
    merged = _check(service, tmp_path, "./merge.yml", activity="deploy", monkeypatch=monkeypatch).assessments[0]
    assert merged.layer(Layer.LICENSE).status is Status.PROHIBITED  # CC BY-NC reaches the merge
    via = [m for m in merged.layer(Layer.LICENSE).reasons if m.key == "license.via"]
    assert any("vit-mae-base" in str(m.params["via"]) for m in via)
    # your own model under a non-commercial licence you chose: you need no licence for your own work
    own = _check(service, tmp_path, "./mine", activity="deploy", monkeypatch=monkeypatch).assessments[0]
    assert own.layer(Layer.LICENSE).status is Status.ALLOWED


def test_training_by_you_is_judged_in_your_jurisdiction(tmp_path: Path, service: Service,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(tmp_path, {"m/README.md": "---\nlicense: apache-2.0\nbase_model: mistralai/Mistral-7B-v0.1\n"
                                          "datasets:\n- tatsu-lab/alpaca\n---\n"})
    a = _check(service, tmp_path, "./m", activity="deploy", monkeypatch=monkeypatch).assessments[0]
    for layer in (Layer.COPYRIGHT, Layer.CONTRACT, Layer.LICENSE):
        keys = [m.key for m in a.layer(layer).reasons]
        assert "local.trained_by_you" in keys, (layer, keys)
    reason = next(m for m in a.layer(Layer.LICENSE).reasons if m.key == "local.trained_by_you")
    assert reason.params["jurisdiction"] == "US"
    assert "m/README.md: datasets = tatsu-lab/alpaca" in str(reason.params["where"])
    # Alpaca is CC BY-NC: training on it commercially is not simply allowed, and the model says so
    assert a.layer(Layer.LICENSE).status is not Status.ALLOWED
    dataset = next(u for u in a.upstream if u.ref.id == "dataset:alpaca")
    assert dataset.scenario.activity.value == "train"
    # not "its terms bind whoever accepted them, not users of the trained model": you trained it
    assert "provenance.nc_data" not in [m.key for m in a.layer(Layer.PROVENANCE).reasons]


# ------------------------------------------------------------------------------------------ command line and scan


def test_cli_check_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    adapter = {"base_model_name_or_path": "mistralai/Mistral-7B-v0.1", "peft_type": "LORA"}
    write_files(tmp_path, {"models/support-bot/README.md": CARD, "adapter/adapter_config.json": {"json": adapter}})
    monkeypatch.chdir(tmp_path)
    code = main(["check", "./models/support-bot", "-j", "US", "-a", "distribute", "--no-policy", "-f", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1, doc["gate"]
    assert doc["artifact"]["id"] == "local:models/support-bot" and doc["artifact"]["origin"] == "local"
    assert doc["lineage"]["children"][0]["relation"] == "finetune"
    assert main(["check", "./adapter", "-j", "JP", "--no-policy", "-q"]) == 0
    capsys.readouterr()
    assert main(["check", "./no-such-folder", "-j", "JP", "--no-policy"]) == 3
    (tmp_path / "empty").mkdir()
    assert main(["check", "./empty", "-j", "JP", "--no-policy"]) == 3
    assert "no model card" in capsys.readouterr().err


def test_scan_gives_local_models_a_verdict(service: Service) -> None:
    root = FIXTURES / "model_folder_project"
    scenarios = service.scenarios(["JP"], "distribute")
    report = service.scan(root, scenarios)
    by_id = {e.reference.id: e for e in report.entries if e.reference.id}
    for local_id in ("local:models/support-bot", "local:models/support-bot-lora",
                     "local:models/gguf/support-bot-7B-Q4_K_M.gguf"):
        assert by_id[local_id].assessment is not None, local_id
    lora = by_id["local:models/support-bot-lora"].assessment
    assert lora is not None and lora.artifact is not None
    assert {(r.target, r.relation) for r in lora.artifact.base_models} >= {
        ("hf:meta-llama/Llama-2-7b-hf", "adapter")}
    unresolved = [e.reference.path for e in report.entries if e.assessment is None]
    assert "models/support-bot/README.md" not in unresolved
    assert "data/reviews/README.md" in unresolved  # a local dataset folder is not a model


def test_lineage_shows_local_artifacts_with_their_relation(tmp_path: Path, service: Service,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(tmp_path, {"base/README.md": "---\nlicense: llama3.1\nbase_model: meta-llama/Llama-3.1-8B\n---\n",
                           "base/config.json": {"json": {"model_type": "llama"}},
                           "lora/adapter_config.json": {"json": {"base_model_name_or_path": "./base",
                                                                 "peft_type": "LORA"}}})
    report = _check(service, tmp_path, "./lora", monkeypatch=monkeypatch)
    a = report.assessments[0]
    assert a.lineage is not None
    child = a.lineage.children[0]
    assert (child.id, child.relation) == ("local:base", "adapter")
    assert (child.children[0].id, child.children[0].relation) == ("hf:meta-llama/Llama-3.1-8B", "finetune")
    from modelclear.report import get

    text = get("text").render(report)
    assert "local:base" in text and "hf:meta-llama/Llama-3.1-8B" in text
    # the path that decides the licence in force (the base's Llama licence) is marked in every format
    assert a.license_in_force == "llama3.1"
    marked = [line for line in text.splitlines() if "decides the licence in force" in line]
    assert len(marked) == 1 and "local:base" in marked[0]
    doc = json.loads(get("json").render(report))
    tree = doc["lineage"]
    assert tree["decides"] is True and tree["children"][0]["decides"] is True
    assert "decides" not in tree["children"][0]["children"][0]  # Llama 3.1 itself: the path ends at local:base
    html = get("html").render(report)
    assert "local:base" in html and "mc-decides" in html
    # the adapter declares nothing and the base declares the Llama licence: no conflict, the licence reaches it
    assert a.layer(Layer.LICENSE).status is Status.CONDITIONAL


def test_safetensors_helper_writes_a_valid_header() -> None:
    data = safetensors_bytes({"a": "b"})
    (length,) = struct.unpack("<Q", data[:8])
    assert json.loads(data[8:8 + length])["__metadata__"] == {"a": "b"}


def test_training_script_links_its_datasets_to_the_folder_it_writes(tmp_path: Path, service: Service) -> None:
    write_files(tmp_path, {
        "models/support-bot/README.md": "---\nlicense: apache-2.0\nbase_model: mistralai/Mistral-7B-v0.1\n---\n",
        "models/support-bot/config.json": {"json": {"_name_or_path": "mistralai/Mistral-7B-v0.1"}},
        "models/other/config.json": {"json": {"_name_or_path": "gpt2"}},
        "train.py": 'from datasets import load_dataset\nfrom transformers import Trainer\n\n'
                    'OUT = "models/support-bot"\n'
                    'data = load_dataset("tatsu-lab/alpaca")\ntrainer = Trainer(train_dataset=data)\n'
                    "trainer.train()\ntrainer.save_model(OUT)\n",
    })
    report = service.scan(tmp_path, service.scenarios(["US"], "deploy"))
    by_id = {e.reference.id: e.assessment for e in report.entries if e.reference.id}
    bot = by_id["local:models/support-bot"]
    assert bot is not None and bot.artifact is not None
    edge = next(r for r in bot.artifact.upstream if r.relation == "trained_on")
    assert edge.target == "hf-dataset:tatsu-lab/alpaca"
    assert edge.source is not None and edge.source.url == "train.py" and "train.py:8: trainer.save_model(OUT)" in \
        edge.source.note
    assert "local.trained_by_you" in [m.key for m in bot.layer(Layer.LICENSE).reasons]
    other = by_id["local:models/other"]
    assert other is not None and other.artifact is not None
    assert not [r for r in other.artifact.upstream if r.relation == "trained_on"]  # the script does not write it


def test_hostile_files_are_warnings_in_check_and_scan(tmp_path: Path, service: Service,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "cut.safetensors").write_bytes(struct.pack("<Q", 4000) + b'{"__metadata__": {"license": "mi')
    write_files(tmp_path, {"m/README.md": CARD})
    (tmp_path / "m" / "broken.gguf").write_bytes(b"GGUF\x03\x00\x00\x00" + b"\xff" * 30)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "./cut.safetensors", "-j", "JP", "--no-policy"]) == 3
    err = capsys.readouterr().err
    assert "no model card" in err and "Traceback" not in err
    report = service.scan(tmp_path, service.scenarios(["JP"], "deploy"))
    local = [w for w in report.warnings if getattr(w, "code", "") == "local"]
    assert any("malformed GGUF header" in w.message for w in local), local
    by_id = {e.reference.id for e in report.entries}
    assert "local:m" in by_id  # the card still makes the folder a model with a verdict


def test_paths_of_the_machine_that_wrote_the_file(tmp_path: Path) -> None:
    cache = "/home/alice/.cache/huggingface/hub/models--meta-llama--Llama-3.1-8B/snapshots/0e9e39f249a16976918f"
    write_files(tmp_path, {"a/adapter_config.json": {"json": {"base_model_name_or_path": cache}},
                           "b/adapter_config.json": {"json": {"base_model_name_or_path": "/data/runs/base-7b"}}})
    assert read_local(tmp_path / "a", tmp_path).bases[0].target == "hf:meta-llama/Llama-3.1-8B"
    rec = read_local(tmp_path / "b", tmp_path)
    assert rec.bases[0].target is None
    assert any("not found under the root" in w for w in rec.warnings), rec.warnings


def test_config_name_is_a_base_only_when_nothing_else_names_one(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "m/README.md": "---\nbase_model: mistralai/Mistral-7B-v0.1\n---\n",
        "m/config.json": {"json": {"_name_or_path": "acme/support-bot"}},  # its own repo, pushed after training
        "n/config.json": {"json": {"_name_or_path": "mistralai/Mistral-7B-v0.1"}},
    })
    assert [b.target for b in read_local(tmp_path / "m", tmp_path).bases] == ["hf:mistralai/Mistral-7B-v0.1"]
    assert [b.target for b in read_local(tmp_path / "n", tmp_path).bases] == ["hf:mistralai/Mistral-7B-v0.1"]


def test_a_diffusers_pipeline_is_one_artifact_in_a_scan(tmp_path: Path, service: Service) -> None:
    write_files(tmp_path, {
        "models/sdxl-shots/README.md": "---\nlicense: openrail++\nbase_model: stabilityai/stable-diffusion-xl-base-1.0"
                                       "\npipeline_tag: text-to-image\n---\n",
        "models/sdxl-shots/model_index.json": {"json": {"_class_name": "StableDiffusionXLPipeline"}},
        "models/sdxl-shots/unet/config.json": {"json": {"_name_or_path": "stabilityai/stable-diffusion-xl-base-1.0"}},
        "models/sdxl-shots/unet/diffusion_pytorch_model.safetensors": {"safetensors": None},
        "models/sdxl-shots/vae/config.json": {"json": {"_name_or_path": "madebyollin/sdxl-vae-fp16-fix"}},
    })
    report = service.scan(tmp_path, service.scenarios(["JP"], "distribute"))
    local = {e.reference.id for e in report.entries if e.reference.id and e.reference.id.startswith("local:")}
    assert local == {"local:models/sdxl-shots"}


def test_check_a_path_under_home(tmp_path: Path, service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(tmp_path, {"m/adapter_config.json": {"json": {"base_model_name_or_path": "mistralai/Mistral-7B-v0.1"}}})
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    a = service.check(Question(id="~/m", jurisdictions=("JP",))).assessments[0]
    assert a.ref.id == "local:m" and a.artifact is not None and a.artifact.origin == "local"


def test_file_names_that_are_not_text(tmp_path: Path, service: Service) -> None:
    root = os.fsencode(tmp_path)
    for name in (b"m\xff", b"n\x1b[31mred"):
        os.makedirs(root + b"/" + name)
        with open(root + b"/" + name + b"/adapter_config.json", "w") as fh:
            fh.write('{"base_model_name_or_path": "mistralai/Mistral-7B-v0.1", "peft_type": "LORA"}')
    report = service.scan(tmp_path, service.scenarios(["JP"], "deploy"))
    local = [e for e in report.entries if e.reference.id and e.reference.id.startswith("local:")]
    assert len(local) == 1 and str(local[0].reference.id).startswith("local:m")  # a control character: no id
    assert local[0].assessment is not None
    from modelclear.report import get

    for fmt in ("text", "json", "html", "sarif", "markdown"):
        out = get(fmt).render(report)
        assert "\x1b" not in out and "\udcff" not in out, fmt


@pytest.mark.parametrize(("files", "where"), [
    ({"scripts/train.sh": "#!/bin/sh\nOUT=models/support-bot\naccelerate launch train.py \\\n"
                          "  --dataset_name tatsu-lab/alpaca \\\n  --output_dir \"$OUT\"\n"},
     "scripts/train.sh:5: --output_dir \"$OUT\" (the script that writes it names tatsu-lab/alpaca at line 4)"),
    ({"run.sh": "accelerate launch train.py --output_dir=./models/support-bot/checkpoint-final\n",
      "train.py": "import sys\nfrom datasets import load_dataset\nds = load_dataset('tatsu-lab/alpaca')\n"},
     "run.sh:1: accelerate launch train.py --output_dir=./models/support-bot/checkpoint-final (the script that "
     "writes it runs train.py, which loads tatsu-lab/alpaca at line 3)"),
    ({"configs/sft.yaml": "model_name_or_path: mistralai/Mistral-7B-v0.1\ndataset_name: tatsu-lab/alpaca\n"
                          "training:\n  output_dir: models/support-bot\n"},
     "configs/sft.yaml:4: output_dir: models/support-bot (the training config that writes it names "
     "tatsu-lab/alpaca at line 2)"),
    ({"configs/sft.json": '{"dataset_name": "tatsu-lab/alpaca",\n "output_dir": "models/support-bot"}\n'},
     "configs/sft.json:2: \"output_dir\": \"models/support-bot\"} (the training config that writes it names "
     "tatsu-lab/alpaca at line 1)"),
])
def test_shell_scripts_and_training_configs_link_the_folder_they_write(tmp_path: Path, service: Service,
                                                                       files: dict[str, str], where: str) -> None:
    write_files(tmp_path, {
        "models/support-bot/README.md": "---\nlicense: apache-2.0\nbase_model: mistralai/Mistral-7B-v0.1\n---\n",
        "models/support-bot/config.json": {"json": {"_name_or_path": "mistralai/Mistral-7B-v0.1"}},
        "models/other/config.json": {"json": {"_name_or_path": "gpt2"}}, **files})
    report = service.scan(tmp_path, service.scenarios(["US"], "deploy"))
    by_id = {e.reference.id: e.assessment for e in report.entries if e.reference.id}
    bot = by_id["local:models/support-bot"]
    assert bot is not None and bot.artifact is not None
    edges = [r for r in bot.artifact.upstream if r.relation == "trained_on"]
    assert [(r.target, r.source.note if r.source else "") for r in edges] == [("hf-dataset:tatsu-lab/alpaca", where)]
    other = by_id["local:models/other"]
    assert other is not None and other.artifact is not None
    assert not [r for r in other.artifact.upstream if r.relation == "trained_on"]


def test_a_shell_output_dir_set_elsewhere_names_nothing(tmp_path: Path, service: Service) -> None:
    write_files(tmp_path, {
        "models/support-bot/config.json": {"json": {"_name_or_path": "mistralai/Mistral-7B-v0.1"}},
        "train.sh": "accelerate launch train.py --dataset_name tatsu-lab/alpaca --output_dir $1\n"
                    "python other.py --output-dir \"$(date)/models/support-bot\"\n"})
    report = service.scan(tmp_path, service.scenarios(["US"], "deploy"))
    bot = next(e.assessment for e in report.entries if e.reference.id == "local:models/support-bot")
    assert bot is not None and bot.artifact is not None
    assert not [r for r in bot.artifact.upstream if r.relation == "trained_on"]


@pytest.mark.parametrize(("meta", "base", "assumed"), [
    ({"ss_base_model_version": "flux1", "modelspec.architecture": "flux-1-dev/lora"},
     "hf:black-forest-labs/FLUX.1-dev", False),
    ({"ss_base_model_version": "flux1", "modelspec.architecture": "flux-1-schnell/lora"},
     "hf:black-forest-labs/FLUX.1-schnell", False),
    ({"ss_base_model_version": "flux1", "ss_sd_model_name": "flux1-schnell.safetensors"},
     "hf:black-forest-labs/FLUX.1-schnell", False),
    ({"ss_base_model_version": "flux1", "modelspec.architecture": "flux-1/lora"},
     "hf:black-forest-labs/FLUX.1-dev", True),
    ({"ss_base_model_version": "flux1"}, "hf:black-forest-labs/FLUX.1-dev", True),
])
def test_kohya_flux1_maps_to_its_family_member(tmp_path: Path, service: Service, meta: dict[str, str], base: str,
                                               assumed: bool) -> None:
    write_files(tmp_path, {"loras/flux-style.safetensors": {"safetensors": {
        "ss_network_module": "networks.lora_flux", **meta}}})
    rec = read_local(tmp_path / "loras/flux-style.safetensors", tmp_path)
    assert rec.relation == "adapter"
    assert [b.target for b in rec.bases] == [base]
    warned = [w for w in rec.warnings if "names the FLUX.1 family" in w]
    assert bool(warned) is assumed, rec.warnings
    if assumed:
        assert "flux-1-dev (hf:black-forest-labs/FLUX.1-dev), the more restrictive, is assumed" in warned[0]
    report = service.check(Question(id=str(tmp_path / "loras/flux-style.safetensors"), jurisdictions=("US",),
                                    activity="deploy", purpose="commercial"))
    a = report.assessments[0]
    dev = base.endswith("FLUX.1-dev")
    assert (a.layer(Layer.LICENSE).status is Status.PROHIBITED) is dev, a.layer(Layer.LICENSE)


def test_a_base_that_names_nothing_known_is_an_unknown_base(tmp_path: Path, service: Service) -> None:
    write_files(tmp_path, {"lora/adapter_config.json": {"json": {
        "base_model_name_or_path": "/home/bob/models/llama-3-8b", "peft_type": "LORA"}}})
    report = service.check(Question(id=str(tmp_path / "lora"), jurisdictions=("US",), activity="distribute",
                                    purpose="commercial"))
    a = report.assessments[0]
    assert a.artifact is not None
    [edge] = a.artifact.upstream
    assert edge.relation == "adapter" and edge.target.endswith("#unresolved-base=/home/bob/models/llama-3-8b")
    assert edge.source is not None and edge.source.note == \
        "lora/adapter_config.json: base_model_name_or_path = /home/bob/models/llama-3-8b"
    licence = a.layer(Layer.LICENSE)
    assert licence.status is Status.UNKNOWN and "license.base_unknown" in [m.key for m in licence.reasons]
    assert a.verdict is Status.UNKNOWN  # not "allowed": an adapter of an unknown base is not base-less
