"""Tests of the model-family extractors (scripts/extract_models.py, tools/extract/).

Snippets below are written for these tests; they imitate the shapes the libraries use, not their
code. The ``network`` tests run the real extractor on a real wheel (from the cache, or fetched with
``pip download`` from PyPI).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from modelclear import ids
from tools.extract import EXTRACTORS, SourceArchive
from tools.extract import keras as keras_x
from tools.extract import open_clip as open_clip_x
from tools.extract import timm as timm_x
from tools.extract import torchhub as torchhub_x
from tools.extract import torchvision as torchvision_x
from tools.extract import ultralytics as ultralytics_x
from tools.extract import whisper as whisper_x
from tools.extract._archive import default_cache, download, find_cached
from tools.extract._ast import ModuleEvaluator, Opaque, OpaqueCall
from tools.extract._common import ModelRecord, check_unique, normalize_license

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "src" / "modelclear" / "data" / "models" / "_generated"
FLOORS = {"torchvision": 160, "timm": 1500, "open_clip": 150, "keras": 30, "ultralytics": 100, "whisper": 10,
          "keras_hub": 400, "mteb": 700, "unsloth": 300, "coqui_tts": 90}


def _eval(code: str) -> ModuleEvaluator:
    return ModuleEvaluator.from_source(textwrap.dedent(code))


# --- the AST evaluator ------------------------------------------------------------------------


def test_evaluator_resolves_helper_functions_defaults_and_unpacking() -> None:
    ev = _eval("""
        from somewhere import MEAN
        BASE = {"license": "mit", "mean": MEAN}
        def _cfg(url="", **kwargs):
            return {"url": url, "crop": 0.9, **BASE, **kwargs}
        def _cfg2(**kwargs):
            return _cfg(license="apache-2.0", **kwargs)
        cfgs = {"a.x": _cfg(hf_hub_id="timm/"), "b.y": _cfg2(url="https://e/b.pth", crop=1.0)}
    """)
    cfgs = ev.env["cfgs"]
    assert cfgs["a.x"] == {"url": "", "crop": 0.9, "license": "mit", "mean": Opaque("MEAN"), "hf_hub_id": "timm/"}
    assert cfgs["b.y"]["license"] == "apache-2.0"
    assert cfgs["b.y"]["crop"] == 1.0
    assert cfgs["b.y"]["url"] == "https://e/b.pth"


def test_evaluator_runs_derivation_loops_and_comprehensions() -> None:
    ev = _eval("""
        import copy
        table = {"A": {"t1": {"q": True}, "t2": {"q": False}}, "B": {"t3": {"q": True}}}
        extra = {}
        for k, v in table.items():
            keep = {}
            for tk, tv in v.items():
                if tv.get("q", False):
                    keep[tk] = copy.deepcopy(tv)
            if keep:
                extra[k + "-q"] = keep
        table.update(extra)
        names = frozenset([f"m{k}{s}.pt" for k in "ab" for s in ("", "-seg")])
    """)
    assert set(ev.env["table"]) == {"A", "B", "A-q", "B-q"}
    assert set(ev.env["table"]["A-q"]) == {"t1"}
    assert ev.env["names"] == {"ma.pt", "ma-seg.pt", "mb.pt", "mb-seg.pt"}


def test_evaluator_never_executes_unknown_calls() -> None:
    ev = _eval("""
        x = open("/etc/passwd").read()
        y = __import__("os").system("echo hacked")
        z = Weights(url="u", meta={"k": 1})
        class C:
            A = 1
        w = C.A
    """)
    assert isinstance(ev.env["x"], OpaqueCall) and ev.env["x"].name == "open().read"
    assert isinstance(ev.env["y"], OpaqueCall)
    assert ev.env["z"].kw == {"url": "u", "meta": {"k": 1}}
    assert ev.env["w"] == Opaque("C.A")


def test_evaluator_skips_statements_outside_the_subset() -> None:
    ev = _eval("""
        a = 1
        while True:
            a = 2
        b = [i for i in UNKNOWN]
        c = a + 1
    """)
    assert ev.env["a"] == 1 and ev.env["c"] == 2
    assert "b" not in ev.env
    assert len(ev.skipped) == 2


def test_normalize_license() -> None:
    assert normalize_license("apache-2.0") == "Apache-2.0"
    assert normalize_license("cc-by-nc-4.0") == "CC-BY-NC-4.0"
    assert normalize_license("unknown") is None
    assert normalize_license("apple-ascl") == "apple-ascl"


def test_check_unique_rejects_shared_alias() -> None:
    with pytest.raises(ValueError):
        check_unique([ModelRecord("timm:a.x", "a", aliases=("timm:a",)),
                      ModelRecord("timm:a.y", "a", aliases=("timm:a",))])


# --- timm ---------------------------------------------------------------------------------------


def test_timm_default_tag_rule() -> None:
    keys = [("m1.a_in1k", False), ("m1.b_in1k", True), ("m1.c_in1k", True),
            ("m2.x", True), ("m2.y*", True), ("m3", True), ("m3.z", True), ("m4.none", False)]
    assert timm_x.default_tags(keys) == {"m1": "b_in1k", "m2": "y", "m3": ""}


def test_timm_records_from_snippet() -> None:
    source = textwrap.dedent("""
        def _cfg(url='', **kwargs):
            return {'url': url, 'num_classes': 1000, 'license': 'apache-2.0', **kwargs}
        default_cfgs = generate_default_cfgs({
            'net.fb_swsl_ig1b_ft_in1k': _cfg(hf_hub_id='timm/', license='cc-by-nc-4.0'),
            'net.augreg_in21k_ft_in1k': _cfg(hf_hub_id='timm/'),
            'net.untrained': _cfg(),
            'clipnet.laion2b': _cfg(hf_hub_id='laion/Some-CLIP', num_classes=0),
        })
    """)
    cfgs = timm_x.module_cfgs(source, "net.py")
    recs = {r.id: r for r in timm_x.records_from_cfgs(cfgs)}
    assert set(recs) == {"timm:net.fb_swsl_ig1b_ft_in1k", "timm:net.augreg_in21k_ft_in1k", "timm:clipnet.laion2b"}
    swsl = recs["timm:net.fb_swsl_ig1b_ft_in1k"]
    assert swsl.license == "CC-BY-NC-4.0"
    assert swsl.hf_hub_id == "timm/net.fb_swsl_ig1b_ft_in1k"
    assert swsl.datasets == ("dataset:ig-3.5b", "dataset:imagenet-1k")
    assert "timm:net" in swsl.aliases
    augreg = recs["timm:net.augreg_in21k_ft_in1k"]
    assert augreg.license == "Apache-2.0" and augreg.datasets == ("dataset:imagenet-21k", "dataset:imagenet-1k")
    clip = recs["timm:clipnet.laion2b"]
    assert clip.hf_hub_id == "laion/Some-CLIP" and clip.facts["task"] == "image-feature-extraction"
    assert clip.datasets == ("dataset:laion-2b-en",)


# --- torchvision ---------------------------------------------------------------------------------


TV_SNIPPET = textwrap.dedent("""
    from ._api import WeightsEnum, Weights, register_model
    from ._meta import _IMAGENET_CATEGORIES
    _COMMON = {"categories": _IMAGENET_CATEGORIES}
    _SWAG = {**_COMMON, "license": "https://github.com/facebookresearch/SWAG/blob/main/LICENSE"}

    class Net_Weights(WeightsEnum):
        IMAGENET1K_V1 = Weights(url="https://e/net-1.pth", meta={**_COMMON, "_metrics": {"ImageNet-1K": {}}})
        IMAGENET1K_SWAG_E2E_V1 = Weights(url="https://e/net-swag.pth", meta={**_SWAG, "_metrics": {"ImageNet-1K": {}}})
        DEFAULT = IMAGENET1K_SWAG_E2E_V1

    class Det_Weights(WeightsEnum):
        COCO_V1 = Weights(url="https://e/det.pth", meta={"_metrics": {"COCO-val2017": {}}})
        DEFAULT = COCO_V1

    class Net_QuantizedWeights(WeightsEnum):
        IMAGENET1K_FBGEMM_V1 = Weights(url="https://e/q.pth", meta={"unquantized": Net_Weights.IMAGENET1K_V1})
        DEFAULT = IMAGENET1K_FBGEMM_V1

    @register_model()
    @handle_legacy_interface(weights=("pretrained", Net_Weights.IMAGENET1K_V1))
    def net(*, weights: Optional[Net_Weights] = None, **kwargs):
        pass

    @register_model()
    @handle_legacy_interface(weights=("pretrained", Det_Weights.COCO_V1),
                             weights_backbone=("pretrained_backbone", Net_Weights.IMAGENET1K_V1))
    def det_net(*, weights: Optional[Det_Weights] = None, weights_backbone: Optional[Net_Weights] = None):
        pass

    @register_model(name="quantized_net")
    def qnet(*, weights: Optional[Union[Net_QuantizedWeights, Net_Weights]] = None, quantize: bool = False):
        pass
""")


def test_torchvision_members_aliases_licence_and_bases() -> None:
    members, aliases, builders = torchvision_x.parse_module(TV_SNIPPET, "torchvision/models/net.py", "")
    recs = {r.id: r for r in torchvision_x.records(members, aliases, builders)}
    assert set(recs) == {"torchvision:Net_Weights.IMAGENET1K_V1", "torchvision:Net_Weights.IMAGENET1K_SWAG_E2E_V1",
                         "torchvision:Det_Weights.COCO_V1", "torchvision:Net_QuantizedWeights.IMAGENET1K_FBGEMM_V1"}
    swag = recs["torchvision:Net_Weights.IMAGENET1K_SWAG_E2E_V1"]
    assert swag.license == "CC-BY-NC-4.0"
    assert set(swag.datasets) == {"dataset:ig-3.5b", "dataset:imagenet-1k"}
    assert {"torchvision:net", "torchvision:Net_Weights.DEFAULT"} <= set(swag.aliases)
    v1 = recs["torchvision:Net_Weights.IMAGENET1K_V1"]
    assert v1.license is None and v1.facts["legacy_pretrained_for"] == ["net"]
    det = recs["torchvision:Det_Weights.COCO_V1"]
    assert det.datasets == ("dataset:coco",)
    assert [(b.target, b.relation) for b in det.base_models] == [("torchvision:Net_Weights.IMAGENET1K_V1", "finetune")]
    assert "torchvision:det_net" in det.aliases
    quant = recs["torchvision:Net_QuantizedWeights.IMAGENET1K_FBGEMM_V1"]
    quant_bases = [(b.target, b.relation) for b in quant.base_models]
    assert quant_bases == [("torchvision:Net_Weights.IMAGENET1K_V1", "quantized")]
    assert "torchvision:quantized_net" in quant.aliases


# --- open_clip, keras, ultralytics, whisper, torch.hub ------------------------------------------


def test_open_clip_table_with_quickgelu_copies() -> None:
    source = textwrap.dedent("""
        import copy
        def _pcfg(url='', hf_hub='', **kwargs):
            return {'url': url, 'hf_hub': hf_hub, **kwargs}
        _A = dict(openai=_pcfg(url="https://e/a.pt", quick_gelu=True),
                  laion2b_s34b_b79k=_pcfg(hf_hub='laion/A-laion2b/'))
        _PRETRAINED = {"A": _A, "B": dict(datacomp_xl_s13b_b90k=_pcfg(hf_hub='org/B/open_clip.bin'))}
        _q = {}
        for k, v in _PRETRAINED.items():
            tags = {t: copy.deepcopy(c) for t, c in v.items() if c.get('quick_gelu', False)}
            if tags:
                _q[k + '-quickgelu'] = tags
        _PRETRAINED.update(_q)
    """)
    recs = {r.id: r for r in open_clip_x.records_from_table(open_clip_x.pretrained_table(source))}
    assert set(recs) == {"open_clip:A/openai", "open_clip:A/laion2b_s34b_b79k", "open_clip:B/datacomp_xl_s13b_b90k",
                         "open_clip:A-quickgelu/openai"}
    assert recs["open_clip:A/laion2b_s34b_b79k"].hf_hub_id == "laion/A-laion2b"
    assert recs["open_clip:B/datacomp_xl_s13b_b90k"].datasets == ("dataset:datacomp-1b",)
    assert recs["open_clip:A/openai"].datasets == ("dataset:openai-clip-webimagetext",)
    assert recs["open_clip:A/openai"].license is None


def test_keras_applications_snippet() -> None:
    source = textwrap.dedent("""
        WEIGHTS_PATH = "https://storage.example/app/app_weights.h5"
        @keras_export(["keras.applications.app.AppNet", "keras.applications.AppNet"])
        def AppNet(include_top=True, weights="imagenet"):
            pass
        @keras_export("keras.applications.app.preprocess_input")
        def preprocess_input(x):
            pass
        def Helper(weights="imagenet"):
            pass
    """)
    recs = keras_x.applications(source, "keras/src/applications/app.py")
    assert [r.id for r in recs] == ["keras:AppNet"]
    assert recs[0].url == "https://storage.example/app/app_weights.h5"
    assert recs[0].aliases == ("keras:app.AppNet",)


def test_ultralytics_assets_snippet() -> None:
    source = textwrap.dedent("""
        GITHUB_ASSETS_NAMES = frozenset(
            [f"yolov8{k}{s}.pt" for k in "ns" for s in ("", "-cls", "-obb")] + ["sam_b.pt", "calib.npy.zip"]
        )
        def attempt_download_asset(file, repo="ultralytics/assets", release="v9.9.9"):
            pass
    """)
    names, release = ultralytics_x.asset_names(source)
    assert release == "v9.9.9"
    recs = {r.id: r for r in ultralytics_x.records(names, release, "0")}
    assert "ultralytics:calib.npy" not in recs
    assert recs["ultralytics:yolov8n"].datasets == ("dataset:coco",)
    assert recs["ultralytics:yolov8s-cls"].datasets == ("dataset:imagenet-1k",)
    assert recs["ultralytics:yolov8n-obb"].datasets == ("dataset:dota",)
    assert recs["ultralytics:sam_b"].facts["original_publisher"].startswith("Meta")
    assert recs["ultralytics:yolov8n"].url == "https://github.com/ultralytics/assets/releases/download/v9.9.9/yolov8n.pt"
    assert recs["pypi:ultralytics"].kind == "package" and recs["pypi:ultralytics"].license == "AGPL-3.0-only"


def test_whisper_shared_checkpoints_become_aliases() -> None:
    recs = whisper_x.records({"big-v3": "https://e/x/big-v3.pt", "big": "https://e/x/big-v3.pt", "tiny": "https://e/t/tiny.pt"})
    assert {r.id: r.aliases for r in recs} == {"whisper:big-v3": ("whisper:big", "url:https://e/x/big-v3.pt"),
                                               "whisper:tiny": ("url:https://e/t/tiny.pt",)}


def test_ultralytics_asset_addresses_under_every_release_tag_are_aliases() -> None:
    recs = {r.id: r for r in ultralytics_x.records(["yolo11n.pt", "bus.jpg"], "v9.9.9", "0")}
    aliases = recs["ultralytics:yolo11n"].aliases
    assets = "https://github.com/ultralytics/assets/releases/download/"
    assert aliases[0] == f"url:{assets}v9.9.9/yolo11n.pt"
    tags = ("v0.0.0", "v8.1.0", "v8.2.0", "v8.3.0", "v8.4.0")
    assert {f"url:{assets}{tag}/yolo11n.pt" for tag in tags} <= set(aliases)
    assert "ultralytics:bus" not in recs  # not a weights file: no record, so no alias claims the sample image


def test_open_clip_own_release_addresses_are_aliases_of_one_tag() -> None:
    own = "https://github.com/mlfoundations/open_clip/releases/download/v0.2-weights/"
    source = textwrap.dedent(f"""
        def _pcfg(url='', hf_hub='', **kwargs):
            return {{'url': url, 'hf_hub': hf_hub, **kwargs}}
        _PRETRAINED = {{
            "RN50": dict(yfcc15m=_pcfg(url="{own}rn50-quickgelu-yfcc15m-1.pt", quick_gelu=True),
                         openai=_pcfg(url="https://openaipublic.example/RN50.pt")),
            "RN50-quickgelu": dict(yfcc15m=_pcfg(url="{own}rn50-quickgelu-yfcc15m-1.pt", quick_gelu=True)),
            "ViT-B-32": dict(laion400m_e31=_pcfg(url="{own}vit_b_32-laion400m_e31-2.pt")),
        }}
    """)
    recs = {r.id: r for r in open_clip_x.add_url_aliases(
        open_clip_x.records_from_table(open_clip_x.pretrained_table(source)))}
    assert recs["open_clip:ViT-B-32/laion400m_e31"].aliases == (f"url:{own}vit_b_32-laion400m_e31-2.pt",)
    assert recs["open_clip:RN50-quickgelu/yfcc15m"].aliases == (f"url:{own}rn50-quickgelu-yfcc15m-1.pt",)
    assert recs["open_clip:RN50/yfcc15m"].aliases == ()
    assert recs["open_clip:RN50/openai"].aliases == ()  # OpenAI's file is left to the CLIP release's records


def test_torchhub_hubconf_parser() -> None:
    source = textwrap.dedent("""
        dependencies = ["torch", "timm"]
        from models import *
        from hub_models import net_a, net_b as net_c
        def _private():
            pass
        def entry_one(pretrained=True):
            pass
    """)
    conf = torchhub_x.parse_hubconf(source, "org/repo")
    assert conf.entry_points == ("net_a", "net_c", "entry_one")
    assert conf.dependencies == ("torch", "timm") and conf.star_imports == ("models",)
    assert torchhub_x.records(conf)[2].id == "torchhub:org/repo:entry_one"


def test_unsloth_reuploads_inherit_the_original() -> None:
    from tools.extract import unsloth

    table = unsloth.mapper_table(textwrap.dedent("""
        __INT_TO_FLOAT_MAPPER = {
            "unsloth/llama-3-8b-bnb-4bit": ("unsloth/llama-3-8b", "meta-llama/Meta-Llama-3-8B"),
            "unsloth/codellama-34b-bnb-4bit": ("codellama/CodeLlama-34b-hf",),
            "unsloth/Qwen3-8B-unsloth-bnb-4bit": {"16": ("unsloth/Qwen3-8B", "Qwen/Qwen3-8B"),
                                                  "8": ("Qwen/Qwen3-8B-FP8", "unsloth/Qwen3-8B-FP8-Block", None)},
            "unsloth/orphan-bnb-4bit": ("unsloth/orphan",),
        }
        INT_TO_FLOAT_MAPPER = {}
    """))
    pairs = list(unsloth.reuploads(table))
    assert ("unsloth/llama-3-8b-bnb-4bit", "meta-llama/Meta-Llama-3-8B") in pairs
    assert ("unsloth/llama-3-8b", "meta-llama/Meta-Llama-3-8B") in pairs
    assert ("unsloth/Qwen3-8B-FP8-Block", "Qwen/Qwen3-8B") in pairs
    assert not any(name == "unsloth/orphan-bnb-4bit" for name, _ in pairs)  # no original named
    licences = {"hf:meta-llama/Meta-Llama-3-8B": "llama3", "hf:Qwen/Qwen3-8B": "Apache-2.0",
                "hf:codellama/CodeLlama-34b-hf": None}
    models, skipped = unsloth.records(pairs, licences)
    by_id = {m.id: m for m in models}
    assert skipped == 1 and "hf:unsloth/codellama-34b-bnb-4bit" not in by_id  # original not known: left out
    four_bit = by_id["hf:unsloth/llama-3-8b-bnb-4bit"]
    assert four_bit.license == "llama3" and four_bit.facts["quantized"] == "bitsandbytes 4-bit"
    assert [(b.target, b.relation) for b in four_bit.base_models] == [("hf:meta-llama/Meta-Llama-3-8B", "quantized")]
    assert by_id["hf:unsloth/Qwen3-8B"].facts["quantized"] == "16-bit copy"
    assert by_id["hf:unsloth/Qwen3-8B-FP8-Block"].license == "Apache-2.0"


# --- the committed catalogue ---------------------------------------------------------------------


def _catalogues() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(GENERATED.glob("*.json"))}


def test_generated_catalogue_is_consistent() -> None:
    catalogues = _catalogues()
    assert set(FLOORS) <= set(catalogues)
    pins = {e.family: (e.package, e.version) for e in EXTRACTORS}
    seen: dict[str, str] = {}
    for family, doc in catalogues.items():
        assert doc["family"] == family
        assert doc["generator"] == "scripts/extract_models.py"
        assert (doc["package"], doc["version"]) == pins[family]
        assert doc["count"] == len(doc["models"]) >= FLOORS[family]
        model_ids = [m["id"] for m in doc["models"]]
        assert model_ids == sorted(model_ids)
        for model in doc["models"]:
            for name in (model["id"], *model["aliases"]):
                parsed = ids.parse(name)
                assert parsed.id == name, name
                assert ids.key(name) not in seen, f"{name} in {family} and {seen.get(ids.key(name))}"
                seen[ids.key(name)] = family
            assert all(d.startswith("dataset:") and ids.parse(d).id == d for d in model["datasets"])
            assert all(ids.try_parse(b["target"]) for b in model["base_models"])
            assert model["kind"] in ("model", "package")


def test_generated_catalogue_key_facts() -> None:
    by_id = {m["id"]: m for doc in _catalogues().values() for m in doc["models"]}
    swag = by_id["torchvision:ViT_H_14_Weights.IMAGENET1K_SWAG_E2E_V1"]
    assert swag["license"] == "CC-BY-NC-4.0" and "torchvision:vit_h_14" in swag["aliases"]
    assert "torchvision:resnet50" in by_id["torchvision:ResNet50_Weights.IMAGENET1K_V2"]["aliases"]
    assert by_id["timm:resnet50.fb_swsl_ig1b_ft_in1k"]["license"] == "CC-BY-NC-4.0"
    assert by_id["whisper:large-v3"]["license"] == "MIT"
    assert by_id["ultralytics:yolov8n"]["license"] == "AGPL-3.0-only"
    assert by_id["keras:Xception"]["datasets"] == ["dataset:imagenet-1k"]
    assert "dataset:laion-2b-en" in by_id["open_clip:ViT-B-32/laion2b_s34b_b79k"]["datasets"]


def test_hand_entries_point_at_generated_models() -> None:
    yaml = pytest.importorskip("yaml")
    by_id = {m["id"] for doc in _catalogues().values() for m in doc["models"]}
    for family in ("keras", "torchvision"):
        doc = yaml.safe_load((GENERATED.parent / f"{family}.yaml").read_text(encoding="utf-8"))
        for entry in doc.get("models") or []:
            assert entry["id"] in by_id, entry["id"]


# --- real wheels ---------------------------------------------------------------------------------


def _archive(family: str, tmp_path: Path) -> tuple[SourceArchive, str]:
    extractor = next(e for e in EXTRACTORS if e.family == family)
    cached = find_cached(extractor.package, extractor.version, default_cache())
    try:
        path = cached or download(extractor.package, extractor.version, tmp_path)
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:  # pragma: no cover - registry down
        pytest.skip(f"cannot download {extractor.package}: {exc}")
    return SourceArchive.open(path), extractor.version


@pytest.mark.network
@pytest.mark.parametrize("family", ["timm", "open_clip"])
def test_real_wheel_reproduces_committed_catalogue(family: str, tmp_path: Path) -> None:
    archive, version = _archive(family, tmp_path)
    extractor = next(e for e in EXTRACTORS if e.family == family)
    catalogue = extractor.run(archive, version)
    assert len(catalogue.models) >= FLOORS[family]
    committed = json.loads((GENERATED / f"{family}.json").read_text(encoding="utf-8"))
    assert catalogue.to_json() == committed


@pytest.mark.network
def test_script_check_mode_runs(tmp_path: Path) -> None:
    extractor = next(e for e in EXTRACTORS if e.family == "open_clip")  # a small wheel: a quick download
    cache = default_cache() if find_cached(extractor.package, extractor.version, default_cache()) else tmp_path
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "extract_models.py"), "--check",
                             "--cache", str(cache), "open_clip"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
