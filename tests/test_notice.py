"""``modelclear notice`` and ``scan --format notice``: what a release must ship (issue 12 item 5).

Catalogued ids and your own model files (written at test time, tests/localfiles.py) go through the
command line in this process; every expectation is a line of the reviewed ``release`` blocks of
``data/licenses/*.yaml`` with the clause it cites.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelclear.cli import main
from modelclear.service import load_knowledge

LLAMA31 = ("Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc. "
           "All Rights Reserved.")
GEMMA = "Gemma is provided under and subject to the Gemma Terms of Use found at ai.google.dev/gemma/terms"
FLUX = ("The FLUX.1 [dev] Model is licensed by Black Forest Labs. Inc. under the FLUX.1 [dev] Non-Commercial "
        "License. Copyright Black Forest Labs. Inc.")
SCENARIOS = Path(__file__).parent / "scenarios" / "local_models.yaml"
TEXTS = Path(__file__).parent.parent / "src" / "modelclear" / "data" / "licenses" / "texts"


def notice(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, str], str]:
    """Run ``modelclear notice ARGS``: the exit code, the files printed (path → text), standard error."""
    code = main(["notice", *args])
    out = capsys.readouterr()
    return code, split(out.out), out.err


def split(text: str) -> dict[str, str]:
    """Standard output's ``==> PATH <==`` sections as files."""
    parts = re.split(r"(?m)^==> (.+?) <==\n", text)
    assert parts[0] == "", parts[0][:200]
    return {parts[i]: parts[i + 1][:-1] for i in range(1, len(parts), 2)}


def cited(text: str, line: str, clause: str) -> None:
    """``line`` is in the NOTICE text, and the line after it cites ``clause``."""
    lines = text.splitlines()
    assert line in lines, text
    source = lines[lines.index(line) + 1]
    assert source.startswith("  Source: ") and clause in source, source


def section(card: str, title: str) -> str:
    """The body of one ``### title`` section of the model card file ('' when absent)."""
    match = re.search(rf"(?ms)^### {re.escape(title)}\n(.*?)(?=^### |^_Written)", card)
    return match.group(1) if match else ""


# --- catalogued ids ---------------------------------------------------------------------------------


def test_llama_31_distribute_notice_line_built_with_name_prefix_and_aup(capsys: pytest.CaptureFixture[str]) -> None:
    code, files, err = notice(capsys, "hf:meta-llama/Llama-3.1-8B-Instruct", "-j", "JP", "-a", "distribute")
    assert code == 0, err
    assert set(files) == {"NOTICE", "LICENSES/README.md", "MODEL_CARD_LICENSE.md", "LICENSES/llama3.1-LICENSE.txt",
                          "LICENSES/llama3.1-USE_POLICY.txt"}
    assert files["LICENSES/llama3.1-LICENSE.txt"] == (TEXTS / "llama3.1-LICENSE.txt").read_text(encoding="utf-8")
    cited(files["NOTICE"], LLAMA31, "Llama 3.1 Community License Agreement §1.b.iii")
    assert files["NOTICE"].count(LLAMA31) == 1  # once per licence, though two artifacts carry it
    card = files["MODEL_CARD_LICENSE.md"]
    naming = section(card, 'Naming and "Built with" statements')
    assert "**Built with Llama**" in naming and "**Llama** — " in naming
    assert "must have a name beginning with “Llama”" in naming and "§1.b.i" in naming
    pass_on = section(card, "Use restrictions your licence must pass on")
    assert "Llama 3.1 Acceptable Use Policy" in pass_on
    assert "(<https://github.com/meta-llama/llama-models/blob/main/models/llama3_1/USE_POLICY.md>)" in pass_on
    texts = files["LICENSES/README.md"]
    assert "written here, verbatim" in texts and "§1.b.i" in texts
    assert "`LICENSES/llama3.1-USE_POLICY.txt`: Llama 3.1 Acceptable Use Policy ([copied from](<https://github.com/" \
           "meta-llama/llama-models/blob/a9c89c471f793423afd4cc3ca8671d6e56fe64cb/models/llama3_1/USE_POLICY.md>), " \
           "checked 2026-12-07, \\[V\\] verified)" in texts


@pytest.mark.parametrize("artifact", ["hf:meta-llama/Llama-3.1-8B-Instruct", "ultralytics:yolov8n.pt",
                                      "hf:black-forest-labs/FLUX.1-dev", "dataset:alpaca", "hf:google/gemma-2-2b-it",
                                      "hf:colbert-ir/colbertv2.0"])
def test_every_notice_line_is_followed_by_its_source(capsys: pytest.CaptureFixture[str], artifact: str) -> None:
    _, files, _ = notice(capsys, artifact, "-j", "JP")
    groups = re.split(r"(?m)^== .+ ==\n", files["NOTICE"])[1:]
    assert groups, files["NOTICE"]
    for group in groups:
        lines = group.split("\n")
        if not lines[0].startswith("Applies to: "):  # the list of what is not recorded
            continue
        body = lines[2:]
        footer = [i for i, line in enumerate(body) if line.startswith("Written by modelclear")]
        body = body[:footer[0]] if footer else body
        while body and body[-1] == "":
            body.pop()
        assert body and len(body) % 3 == 2, group  # text, source, blank, …, text, source
        for i in range(0, len(body), 3):
            assert body[i] and not body[i].startswith(" "), group
            assert re.fullmatch(r"  Source: .+, https://\S+, checked \d{4}-\d\d-\d\d, \[[VSU]\] .+",
                                body[i + 1]), body[i + 1]
            assert i + 2 >= len(body) or body[i + 2] == "", group


def test_every_line_cites_a_clause_address_date_and_confidence(capsys: pytest.CaptureFixture[str]) -> None:
    _, files, _ = notice(capsys, "hf:meta-llama/Llama-3.1-8B-Instruct", "-j", "JP")
    for line in files["NOTICE"].splitlines():
        if line.startswith("  Source: "):
            assert re.search(r"§\S+, https://\S+, checked \d{4}-\d\d-\d\d, \[[VSU]\] ", line), line
    for line in files["MODEL_CARD_LICENSE.md"].splitlines():
        if line.startswith("- ") and "modelclear check" not in line and "declares" not in line and \
                "governs" not in line:
            assert re.search(r"\(\[[^]]+\]\(<https://[^>]+>\), checked \d{4}-\d\d-\d\d, \\\[[VSU]\\\] ", line), line


def test_sdxl_openrail_plus_plus_use_restrictions_to_pass_on(capsys: pytest.CaptureFixture[str]) -> None:
    for act in ("distribute", "serve", "deploy"):
        _, files, _ = notice(capsys, "hf:stabilityai/stable-diffusion-xl-base-1.0", "-j", "US", "-a", act)
        pass_on = section(files["MODEL_CARD_LICENSE.md"], "Use restrictions your licence must pass on")
        assert "paragraph 5 use-based restrictions (Attachment A) as an enforceable provision" in pass_on, act
        assert "CreativeML Open RAIL++-M License §4(a), §5, Attachment A" in pass_on
    # deploying is not distributing: no licence copy or notices are asked for (§4(b)-(d) speak of distribution)
    assert "No attribution or copyright line is recorded as required" in files["NOTICE"]


def test_cc_by_nc_dataset_stays_non_commercial(capsys: pytest.CaptureFixture[str]) -> None:
    code, files, err = notice(capsys, "dataset:alpaca", "-j", "US", "-a", "distribute")
    card = files["MODEL_CARD_LICENSE.md"]
    stays = section(card, "Conditions that stay with this release")
    assert "only for NonCommercial purposes" in stays and "§1(i), §2(a)(1)" in stays
    assert "by-nc/4.0/" in files["NOTICE"]  # the CC credit names the licence by its address
    # CC licences may be given by URI (§3(a)(1)(C)); their legal code is CC0, so modelclear bundles it too
    assert "written here, verbatim" in files["LICENSES/README.md"]
    assert "this file is a part of the published text: the legal code only" in files["LICENSES/README.md"]
    assert files["LICENSES/CC-BY-NC-4.0.txt"].startswith(
        "Creative Commons Attribution-NonCommercial 4.0 International Public License\n")
    # shipping it commercially is not allowed: the exit code is the verdict's, and standard error says so
    assert code in (1, 2) and "modelclear: notice: dataset:alpaca in US is " in err


@pytest.mark.parametrize(("artifact", "licence", "recorded", "read_in"), [
    ("hf:colbert-ir/colbertv2.0", "MIT License", "Copyright (c) 2019, 2020 Stanford Future Data Systems",
     "https://github.com/stanford-futuredata/ColBERT/blob/501c29d9e0b7f7b393e36c4177ec2b141a253114/LICENSE"),
    ("hf:FacebookAI/xlm-roberta-large", "MIT License", "Copyright (c) Facebook, Inc. and its affiliates.",  # family's
     "https://github.com/facebookresearch/fairseq/blob/3d262bb25690e4eb2e7d3c1309b1e9c406ca4b99/LICENSE"),
    ("hf:mistralai/Mistral-7B-v0.1", "Apache License 2.0", None, "")])
def test_permissive_licences_ask_for_notices_only(capsys: pytest.CaptureFixture[str], artifact: str,
                                                  licence: str, recorded: str | None, read_in: str) -> None:
    code, files, _ = notice(capsys, artifact, "-j", "JP", "-a", "distribute")
    assert code == 0
    card = files["MODEL_CARD_LICENSE.md"]
    for title in ('Naming and "Built with" statements', "Use restrictions your licence must pass on",
                  "Conditions that stay with this release"):
        assert section(card, title) == "", title
    assert f"== {licence} ==" in files["NOTICE"]
    if recorded is None:  # the copyright line is the work's own: never made up
        assert "[not recorded: copy from " in files["NOTICE"]
    else:  # the recorded line, citing the clause that asks for it and the file it was read in
        assert "[not recorded" not in files["NOTICE"]
        cited(files["NOTICE"], recorded, f"MIT License condition paragraph, {read_in}, checked 2026-12-07, [S]")


def test_agpl_serving_needs_a_source_offer(capsys: pytest.CaptureFixture[str]) -> None:
    _, files, _ = notice(capsys, "ultralytics:yolov8n.pt", "-j", "JP", "-a", "serve")
    stays = section(files["MODEL_CARD_LICENSE.md"], "Conditions that stay with this release")
    assert "Corresponding Source of your version at no charge" in stays and "v3.0 only §13" in stays
    assert "§5(c)" not in stays  # licensing the whole work is a condition of conveying, not of serving
    _, files, _ = notice(capsys, "ultralytics:yolov8n.pt", "-j", "JP", "-a", "distribute")
    stays = section(files["MODEL_CARD_LICENSE.md"], "Conditions that stay with this release")
    assert "§6" in stays and "§5(c)" in stays and "§13" not in stays


def test_japanese_keeps_the_licences_own_words(capsys: pytest.CaptureFixture[str]) -> None:
    _, files, _ = notice(capsys, "hf:meta-llama/Llama-3.1-8B-Instruct", "-j", "JP", "--lang", "ja")
    assert files["NOTICE"].startswith("NOTICE（帰属表示）")
    assert LLAMA31 in files["NOTICE"].splitlines()  # the Notice line is the licence's, never translated
    assert "根拠: Llama 3.1 Community License Agreement §1.b.iii" in files["NOTICE"]
    card = files["MODEL_CARD_LICENSE.md"]
    assert card.startswith("## ライセンスと帰属表示")
    assert "「Built with Llama」と目立つように表示する" in card


def test_output_is_byte_stable_and_out_writes_the_same_files(capsys: pytest.CaptureFixture[str],
                                                              tmp_path: Path) -> None:
    args = ("hf:meta-llama/Llama-3.1-8B-Instruct", "-j", "JP", "-a", "distribute")
    _, first, _ = notice(capsys, *args)
    _, second, _ = notice(capsys, *args)
    assert first == second
    code = main(["notice", *args, "--out", str(tmp_path / "release")])
    assert code == 0 and capsys.readouterr().out == ""
    written = {p.relative_to(tmp_path / "release").as_posix(): p.read_text(encoding="utf-8")
               for p in (tmp_path / "release").rglob("*") if p.is_file()}
    assert written == first


@pytest.mark.parametrize(("args", "needle"), [
    (["hf:meta-llama/Llama-3.1-8B-Instruct", "-j", "XX"], "unknown jurisdiction"),
    (["hf:meta-llama/Llama-3.1-8B-Instruct"], "--jurisdiction is required"),
    (["hf:meta-llama/Llama-3.1-8B-Instruct", "-j", "JP", "-a", "train"], "invalid choice"),
    (["./no/such/model", "-j", "JP"], "no such file or directory"),
    (["foo:bar", "-j", "JP"], "unknown id scheme"),
])
def test_bad_input_exits_3_in_one_line(capsys: pytest.CaptureFixture[str], args: list[str], needle: str) -> None:
    assert main(["notice", *args]) == 3
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


def test_out_that_is_a_file_exits_3(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("x", encoding="utf-8")
    assert main(["notice", "hf:mistralai/Mistral-7B-v0.1", "-j", "JP", "--out", str(target)]) == 3
    assert "is not a folder" in capsys.readouterr().err
    (tmp_path / "out").mkdir()
    (tmp_path / "elsewhere").write_text("keep", encoding="utf-8")
    (tmp_path / "out" / "NOTICE").symlink_to(tmp_path / "elsewhere")
    assert main(["notice", "hf:mistralai/Mistral-7B-v0.1", "-j", "JP", "--out", str(tmp_path / "out")]) == 3
    assert (tmp_path / "elsewhere").read_text(encoding="utf-8") == "keep"  # never written through a link


def test_every_licence_the_issue_names_records_what_a_release_ships() -> None:
    kb = load_knowledge()
    for lid in ("llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "gemma", "openrail",
                "CreativeML-OpenRAIL-M", "openrail++", "bigscience-bloom-rail-1.0", "CC-BY-4.0", "CC-BY-SA-4.0",
                "CC-BY-NC-4.0", "flux-1-dev-non-commercial-license", "stabilityai-community", "AGPL-3.0-only",
                "Apache-2.0", "MIT", "BSD-3-Clause"):
        lic = kb.license(lid)
        assert lic is not None and lic.release, lid
        assert lic.release["ship"] and lic.release["sources"], lid


def test_a_licence_without_a_release_block_is_said_to_be_unknown() -> None:
    kb = load_knowledge()
    lic = kb.license("CC-BY-NC-ND-4.0")
    assert lic is not None and not lic.release  # if this is ever recorded, pick another unrecorded licence here
    from modelclear import notice as notice_mod
    from modelclear.model import Activity, Artifact, ArtifactRef, Assessment, Kind, Purpose, Risk, Scenario, Status

    art = Artifact(id="hf:example/nd-model", kind=Kind.MODEL, name="nd-model", license="CC-BY-NC-ND-4.0")
    sc = Scenario(jurisdiction="JP", activity=Activity.DISTRIBUTE, purpose=Purpose.COMMERCIAL)
    a = Assessment(ref=ArtifactRef(kind=Kind.MODEL, id=art.id), artifact=art, scenario=sc, verdict=Status.UNKNOWN,
                   risk=Risk.HIGH, layers=(), license_in_force=art.license)
    text = notice_mod.render_notice(notice_mod.build(a, kb), kb)
    assert f"What {lic.name} requires of a release is not recorded (unknown): read {lic.url}." in text


# --- your own models (tests/scenarios/local_models.yaml) ----------------------------------------------


def _case(name: str) -> dict[str, Any]:
    cases = yaml.safe_load(SCENARIOS.read_text(encoding="utf-8"))
    return next(c for c in cases if c["name"].startswith(name))


def local_notice(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                 *extra: str) -> tuple[int, dict[str, str], str]:
    from localfiles import write_files

    case = _case(name)
    write_files(tmp_path, case["input"]["local"]["files"])
    monkeypatch.chdir(tmp_path)
    return notice(capsys, "./" + case["input"]["local"]["path"], "-j", case["input"]["jurisdiction"],
                  "-a", "distribute", "-p", case["input"]["purpose"], *extra)


def test_lora_on_a_non_commercial_base(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    code, files, err = local_notice(capsys, tmp_path, monkeypatch, "kohya LoRA on FLUX.1-dev")
    text = files["NOTICE"]
    cited(text, FLUX, "FLUX.1 [dev] Non-Commercial License §3(b)")
    cited(text, "loras/pixel-style.safetensors is an adapter of FLUX.1-dev, modified from it.", "§3(c)")
    card = files["MODEL_CARD_LICENSE.md"]
    assert "non-commercial whatever licence you put on it" in section(card, "Conditions that stay with this release")
    assert "MIT License cannot be granted" in card
    assert code == 1 and "prohibited" in err


def test_llama_31_fine_tune_claiming_mit(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    code, files, _ = local_notice(capsys, tmp_path, monkeypatch, "fine-tune of Llama 3.1 whose card claims MIT")
    cited(files["NOTICE"], LLAMA31, "§1.b.iii")
    assert "Applies to: Llama-3.1-8B (hf:meta-llama/Llama-3.1-8B): models/support-bot is a fine-tune of it" in \
        files["NOTICE"]
    card = files["MODEL_CARD_LICENSE.md"]
    governed = section(card, "Licences that govern this release")
    assert "Llama 3.1 Community License Agreement" in governed and "a fine-tune of `hf:meta-llama/Llama-3.1-8B`" in \
        governed
    assert "The release declares MIT License (`models/support-bot/README.md: license = mit`)." in governed
    assert "MIT License cannot be granted" in governed
    naming = section(card, 'Naming and "Built with" statements')
    assert "**Built with Llama**" in naming
    assert "The release's name `support-bot` does not begin with “Llama”." in naming
    assert "Llama 3.1 Acceptable Use Policy" in section(card, "Use restrictions your licence must pass on")
    assert code == 1


def test_sdxl_fine_tune(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, files, _ = local_notice(capsys, tmp_path, monkeypatch, "SDXL fine-tune under OpenRAIL++")
    cited(files["NOTICE"], "models/sdxl-product-shots is a fine-tune of stable-diffusion-xl-base-1.0, modified "
          "from it.", "CreativeML Open RAIL++-M License §4(c)")
    cited(files["NOTICE"], "Copyright (c) 2023 Stability AI", "CreativeML Open RAIL++-M License §4(d)")  # recorded
    assert "[not recorded" not in files["NOTICE"]
    card = files["MODEL_CARD_LICENSE.md"]
    assert "Attachment A" in section(card, "Use restrictions your licence must pass on")
    assert "cannot be granted" not in card  # it declares the base's own licence
    assert code == 0


def test_permissive_and_non_commercial_merge(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    code, files, _ = local_notice(capsys, tmp_path, monkeypatch, "mergekit merge of an Apache-2.0 and a CC BY-NC")
    text = files["NOTICE"]
    assert "== Apache License 2.0 ==" in text and "== Creative Commons Attribution-NonCommercial 4.0" in text
    cited(text, "merges/vit-blend.yml is a merge of vit-base-patch16-224-in21k, modified from it.",
          "Apache License 2.0 §4(b)")
    assert re.search(r"(?m)^vit-mae-base by .+ \(https://huggingface\.co/facebook/vit-mae-base\), licensed under "
                     r"CC BY-NC 4\.0: https://creativecommons\.org/licenses/by-nc/4\.0/$", text), text
    stays = section(files["MODEL_CARD_LICENSE.md"], "Conditions that stay with this release")
    assert "only for NonCommercial purposes" in stays
    assert code == 1


def test_gemma_gguf_claiming_apache(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    code, files, _ = local_notice(capsys, tmp_path, monkeypatch, "GGUF quantisation of Gemma")
    text = files["NOTICE"]
    cited(text, GEMMA, "Gemma Terms of Use §3.1")
    modified = [line for line in text.splitlines() if line.endswith("modified from it.")]
    assert modified == ["gemma-2-2b-it-Q4_K_M.gguf is a quantisation of gemma-2-2b-it, modified from it."]
    card = files["MODEL_CARD_LICENSE.md"]
    assert "Apache License 2.0 cannot be granted" in card
    assert "Section 3.2 use restrictions" in section(card, "Use restrictions your licence must pass on")
    assert code == 1


def test_adapter_on_a_permissive_base(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    code, files, _ = local_notice(capsys, tmp_path, monkeypatch, "PEFT adapter on a permissive base")
    text = files["NOTICE"]
    cited(text, "adapters/support-lora is an adapter of Mistral-7B-v0.1, modified from it.",
          "Apache License 2.0 §4(b)")
    assert "[not recorded: copy from Mistral-7B-v0.1's own files] If the work includes a NOTICE text file" in text
    card = files["MODEL_CARD_LICENSE.md"]
    for title in ('Naming and "Built with" statements', "Use restrictions your licence must pass on",
                  "Conditions that stay with this release"):
        assert section(card, title) == "", title
    assert code == 0


# --- untrusted strings --------------------------------------------------------------------------------


def test_names_and_card_text_cannot_inject_markdown(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from localfiles import write_files

    folder = "models/x`<img src=x onerror=alert(1)>*[pwn](javascript:alert(1))_|"
    write_files(tmp_path, {
        f"{folder}/README.md": "---\nlicense: mit\nbase_model: meta-llama/Llama-3.1-8B\n---\n# <script>x</script>\n",
        f"{folder}/config.json": {"json": {"_name_or_path": "meta-llama/Llama-3.1-8B"}},
    })
    monkeypatch.chdir(tmp_path)
    _, files, _ = notice(capsys, "./" + folder, "-j", "JP")
    from markdown_it import MarkdownIt  # CommonMark with raw HTML on: what a model card page would render

    for name in ("MODEL_CARD_LICENSE.md", "LICENSES/README.md"):
        html = MarkdownIt("commonmark").render(files[name])
        assert "<img" not in html and "javascript:alert(1)\"" not in html and "<script" not in html, html
        assert "<a href=\"javascript" not in html, html
    html = MarkdownIt("commonmark").render(files["MODEL_CARD_LICENSE.md"])
    assert "governs models/x`&lt;img src=x onerror=alert(1)&gt;*[pwn](javascript:alert(1))_|: its terms" in html
    card = files["MODEL_CARD_LICENSE.md"]
    assert "x\\`\\<img src=x onerror=alert(1)\\>\\*\\[pwn\\](javascript:alert(1))\\_\\|" in card
    assert all(line.isprintable() for name in files if not name.endswith(".txt") for line in files[name].splitlines())


def test_scan_format_notice_writes_a_folder_per_artifact(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from localfiles import write_files

    case = _case("fine-tune of Llama 3.1 whose card claims MIT")
    write_files(tmp_path / "proj", case["input"]["local"]["files"])
    monkeypatch.chdir(tmp_path)
    main(["scan", "proj", "-j", "JP", "-a", "distribute", "--no-policy", "--format", "notice"])
    printed = split(capsys.readouterr().out)
    notices = {k: v for k, v in printed.items() if k.endswith("/NOTICE")}
    assert any(LLAMA31 in v for v in notices.values()), sorted(printed)
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+-[0-9a-f]{8}/(NOTICE|LICENSES/README\.md|MODEL_CARD_LICENSE\.md|"
                            r"LICENSES/llama3\.1-(LICENSE|USE_POLICY)\.txt)", k) for k in printed), sorted(printed)
    main(["scan", "proj", "-j", "JP", "-a", "distribute", "--no-policy", "--format", "notice", "--out", "out"])
    capsys.readouterr()
    written = {p.relative_to(tmp_path / "out").as_posix(): p.read_text(encoding="utf-8")
               for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert written == printed


def test_scan_out_needs_the_notice_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["scan", str(tmp_path), "-j", "JP", "--no-policy", "--out", str(tmp_path / "o")]) == 3
    assert "--out DIR goes with --format notice" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_stability_community_notice_powered_by_and_revenue_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    _, files, _ = notice(capsys, "hf:stabilityai/stable-diffusion-3.5-large", "-j", "JP", "-a", "serve")
    cited(files["NOTICE"], "This Stability AI Model is licensed under the Stability AI Community License, Copyright © "
          "Stability AI Ltd. All Rights Reserved", "Stability AI Community License Agreement §IV.a")
    card = files["MODEL_CARD_LICENSE.md"]
    assert "**Powered by Stability AI**" in section(card, 'Naming and "Built with" statements')
    assert "less than US$1,000,000 in annual revenue" in section(card, "Conditions that stay with this release")
    _, files, _ = notice(capsys, "hf:stabilityai/stable-diffusion-3.5-large", "-j", "JP", "-p", "research")
    assert "US$1,000,000" not in files["MODEL_CARD_LICENSE.md"]  # the threshold binds commercial use only


def test_serving_llama_needs_built_with_but_no_notice_file(capsys: pytest.CaptureFixture[str]) -> None:
    _, files, _ = notice(capsys, "hf:meta-llama/Llama-3.1-8B-Instruct", "-j", "JP", "-a", "serve")
    assert LLAMA31 not in files["NOTICE"]  # §1.b.iii: the Notice file goes with copies you distribute
    card = files["MODEL_CARD_LICENSE.md"]
    assert "**Built with Llama**" in card  # §1.b.i: distributing or making available, a service included
    assert "written here, verbatim" in files["LICENSES/README.md"]  # §1.b.i(A)
    assert "LICENSES/llama3.1-LICENSE.txt" in files


def test_python_api_gives_the_same_files(capsys: pytest.CaptureFixture[str]) -> None:
    import modelclear.api

    _, printed, _ = notice(capsys, "hf:meta-llama/Llama-3.1-8B-Instruct", "-j", "JP", "--lang", "ja")
    assert modelclear.api.notice("hf:meta-llama/Llama-3.1-8B-Instruct", "JP", lang="ja") == printed
    with pytest.raises(modelclear.api.UsageError, match="activity is one of distribute, serve, deploy"):
        modelclear.api.notice("hf:meta-llama/Llama-3.1-8B-Instruct", "JP", "train")


def test_a_base_the_knowledge_base_does_not_know_is_unknown(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from localfiles import write_files

    write_files(tmp_path, {"adapters/x/adapter_config.json": {"json": {
        "base_model_name_or_path": "nobody-knows/no-such-base", "peft_type": "LORA"}}})
    monkeypatch.chdir(tmp_path)
    code, files, _ = notice(capsys, "./adapters/x", "-j", "JP")
    unknown = ("hf:nobody-knows/no-such-base is not in the knowledge base (unknown): what its release requires is "
               "unknown.")
    assert unknown in files["NOTICE"].splitlines() and unknown in files["MODEL_CARD_LICENSE.md"], files["NOTICE"]
    assert "No attribution or copyright line is recorded as required for what is known; what is not recorded is " \
        "listed below." in files["NOTICE"]
    assert code == 2


def test_the_schema_rejects_a_release_item_of_an_unknown_kind() -> None:
    from modelclear.knowledge import schema

    raw = yaml.safe_load((Path(__file__).parents[1] / "src/modelclear/data/licenses/MIT.yaml").read_text("utf-8"))
    raw["release"]["ship"][0]["kind"] = "attribution-ish"
    del raw["release"]["ship"][0]["clause"]
    problems = schema.problems("licenses/MIT.yaml", raw)
    assert any("release.ship[0].kind" in p and "attribution-ish" in p for p in problems), problems
    assert any("release.ship[0]" in p and "clause" in p for p in problems), problems


def test_the_name_check_ignores_case_and_separators() -> None:
    from modelclear.notice import _begins

    assert _begins("llama-3-8b-support", "Llama 3") and _begins("Llama_3.1_bot", "Llama")
    assert not _begins("support-bot", "Llama") and not _begins("my-llama", "Llama")


def test_cc_by_sa_3_dataset_keeps_share_alike(capsys: pytest.CaptureFixture[str]) -> None:
    _, files, _ = notice(capsys, "dataset:dolly-15k", "-j", "JP", "-a", "distribute")
    assert "licensed under CC BY-SA 3.0: https://creativecommons.org/licenses/by-sa/3.0/" in files["NOTICE"]
    stays = section(files["MODEL_CARD_LICENSE.md"], "Conditions that stay with this release")
    assert "Creative Commons Compatible License" in stays and "§4(b)" in stays


# --- licence texts bundled (data/licenses/texts/) ----------------------------------------------------


def test_every_bundled_text_has_a_record_a_source_and_may_be_copied() -> None:
    kb = load_knowledge()
    named: dict[str, str] = {}
    for lid in kb.license_ids():
        lic = kb.license(lid)
        assert lic is not None
        text = (lic.release or {}).get("text") or {}
        for f in text.get("files") or ():
            assert f["file"] not in named, f"{f['file']} is named by {named.get(f['file'])} and {lid}"
            named[f["file"]] = lid
            assert text["bundle"] == "verbatim" and text["copying"]["allowed"] is True, lid
            src = f["copied_from"]
            assert src["url"].startswith("https://") and src["checked"] and src["confidence"] in "VS", (lid, src)
            if src["url"].startswith("https://github.com/"):  # a pinned file: a commit or a release tag
                assert re.search(r"/blob/([0-9a-f]{40}|v\d+\.\d+\.\d+)/", src["url"]), src["url"]
    on_disk = {p.name for p in TEXTS.iterdir()}
    assert on_disk == set(named), (sorted(on_disk - set(named)), sorted(set(named) - on_disk))
    for name in on_disk:
        data = (TEXTS / name).read_bytes()
        assert len(data) > 500 and b"\r" not in data and data.decode("utf-8")
    assert {"MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0",
            "CC-BY-NC-SA-4.0", "CreativeML-OpenRAIL-M", "openrail++", "llama2", "llama3", "llama3.1", "llama3.2",
            "llama3.3", "flux-1-dev-non-commercial-license", "AGPL-3.0-only", "GPL-3.0-only"} <= set(named.values())


def test_a_copy_of_the_text_is_written_byte_for_byte(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["notice", "hf:black-forest-labs/FLUX.1-dev", "-j", "US", "-a", "distribute", "-p", "research",
                 "--out", str(tmp_path / "release")])
    capsys.readouterr()
    written = tmp_path / "release" / "LICENSES" / "flux-1-dev-non-commercial-license.txt"
    assert written.read_bytes() == (TEXTS / "flux-1-dev-non-commercial-license.txt").read_bytes(), code
    readme = (tmp_path / "release" / "LICENSES" / "README.md").read_text(encoding="utf-8")
    assert "`LICENSES/flux-1-dev-non-commercial-license.txt`: FLUX.1 \\[dev\\] Non-Commercial License" in readme


def test_texts_not_held_are_to_be_copied_or_linked(capsys: pytest.CaptureFixture[str]) -> None:
    _, files, _ = notice(capsys, "hf:google/gemma-2-2b-it", "-j", "JP", "-a", "distribute")
    assert not [name for name in files if name.endswith(".txt")]  # modelclear holds no Gemma terms text
    assert "copy verbatim into LICENSES/" in files["LICENSES/README.md"]


def test_a_text_is_written_only_when_the_scenario_asks_a_copy(capsys: pytest.CaptureFixture[str]) -> None:
    _, files, _ = notice(capsys, "hf:mistralai/Mistral-7B-v0.1", "-j", "JP", "-a", "deploy")
    assert not [name for name in files if name.endswith(".txt")]  # Apache §4(a) speaks of redistribution
    _, files, _ = notice(capsys, "hf:mistralai/Mistral-7B-v0.1", "-j", "JP", "-a", "distribute")
    assert files["LICENSES/Apache-2.0.txt"].lstrip().startswith("Apache License\n")


# --- recorded copyright lines (models' `notices`) -----------------------------------------------------


def test_a_base_models_copyright_line_reaches_the_notice_of_its_fine_tune(capsys: pytest.CaptureFixture[str],
                                                                         tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from localfiles import write_files

    write_files(tmp_path, {"models/product-xl/README.md": "---\nlicense: openrail++\n"
                           "base_model: stabilityai/stable-diffusion-xl-base-1.0\n---\n"})
    monkeypatch.chdir(tmp_path)
    _, files, _ = notice(capsys, "./models/product-xl", "-j", "US", "-a", "distribute")
    cited(files["NOTICE"], "Copyright (c) 2023 Stability AI", "CreativeML Open RAIL++-M License §4(d), https://github"
          ".com/Stability-AI/generative-models/blob/0ad7de9a5cb53fd63d6d30a4f385485e72e08597/model_licenses/"
          "LICENSE-SDXL1.0, checked 2026-12-07, [V] verified")
    attributions = section(files["MODEL_CARD_LICENSE.md"], "Attributions")
    assert "- Copyright (c) 2023 Stability AI ([CreativeML Open RAIL++-M License §4(d)]" in attributions
    assert "[the line as read](<https://github.com/Stability-AI/generative-models/blob/0ad7de9" in attributions


def test_recorded_lines_come_from_the_record_else_its_family(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelclear import ids
    from modelclear.catalog import KnowledgeBase
    from modelclear.notice.collect import recorded_lines

    monkeypatch.setenv("MODELCLEAR_CACHE", str(tmp_path / "cache"))
    for name in ("SCHEMES", "_COMPILED", "_REWRITES", "_UNTYPED"):
        monkeypatch.setattr(ids, name, getattr(ids, name).copy())
    source = {"url": "https://example.org/acme/LICENSE", "checked": "2026-01-01", "confidence": "V"}
    family = {"family": "acme", "publisher": "ACME", "license": "MIT",
              "notices": [{"line": "Copyright (c) 2024 ACME", "kind": "copyright", "source": source}],
              "sources": [source],
              "models": [{"id": "hf:acme/m0"},
                         {"id": "hf:acme/m1", "notices": [{"line": "Copyright (c) 2025 ACME Labs", "kind": "copyright",
                                                            "source": source}]}]}
    (tmp_path / "kb" / "models").mkdir(parents=True)
    (tmp_path / "kb" / "models" / "acme.yaml").write_text(yaml.safe_dump(family), encoding="utf-8")
    kb = KnowledgeBase.load(overlays=[tmp_path / "kb"])
    assert [ln.text for ln in recorded_lines(kb, kb.artifact("hf:acme/m0"))] == ["Copyright (c) 2024 ACME"]
    m1 = recorded_lines(kb, kb.artifact("hf:acme/m1"))
    assert [(ln.text, ln.url, ln.confidence) for ln in m1] == [
        ("Copyright (c) 2025 ACME Labs", "https://example.org/acme/LICENSE", "V")]
    assert recorded_lines(kb, kb.artifact("hf:mistralai/Mistral-7B-v0.1")) == ()


def test_a_notice_line_needs_its_source() -> None:
    from modelclear.knowledge.schema import problems

    family = {"family": "acme", "models": [{"id": "hf:acme/m0", "notices": [{"line": "Copyright ACME",
                                                                             "kind": "copyright"}]}]}
    found = problems("models/acme.yaml", family, today=None)
    assert any("models[0].notices[0]" in p and "source" in p for p in found), found
    bad_kind = {"family": "acme", "models": [{"id": "hf:acme/m0", "notices": [{
        "line": "x", "kind": "copyrite", "source": {"url": "https://example.org/x", "checked": "2026-01-01",
                                                     "confidence": "V"}}]}]}
    assert any("copyrite" in p for p in problems("models/acme.yaml", bad_kind, today=None))


def test_a_bundled_text_needs_leave_to_copy_it() -> None:
    from modelclear.knowledge.schema import problems

    record = yaml.safe_load((TEXTS.parent / "MIT.yaml").read_text(encoding="utf-8"))
    assert problems("licenses/MIT.yaml", record, today=None) == []
    record["release"]["text"]["copying"]["allowed"] = False
    assert any("copying" in p and "allowed: true" in p for p in problems("licenses/MIT.yaml", record, today=None))
    record["release"]["text"]["copying"]["allowed"] = True
    record["release"]["text"]["bundle"] = "link"
    assert any("bundle: verbatim" in p for p in problems("licenses/MIT.yaml", record, today=None))
    del record["release"]["text"]["copying"]
    record["release"]["text"]["bundle"] = "verbatim"
    assert any("copying" in p for p in problems("licenses/MIT.yaml", record, today=None))
    record["release"]["text"]["files"][0]["file"] = "../MIT.yaml"  # a file name, never a path
    assert any("files[0].file" in p for p in problems("licenses/MIT.yaml", record, today=None))
