"""Loader plugins as data: id schemes and call signatures declared per library, `if_missing: default`
uniform across id builders, and the insightface recipe followed for real (one data file)."""

from __future__ import annotations

import importlib
import re
import textwrap
from pathlib import Path

import pytest

from modelclear import api, ids, loaderdata
from modelclear.model import Kind, Reference
from modelclear.scan import builders
from modelclear.scan.base import ScanContext, ScanWarning
from modelclear.scan.builders import BUILDERS
from modelclear.scan.pyloaders import build_table, load_table
from modelclear.scan.python import scan_python_source


def refs(source: str) -> list[Reference]:
    ctx = ScanContext(root=Path("/nonexistent-root"), project_constants={})
    out = scan_python_source(textwrap.dedent(source), "app/faces.py", ctx)
    assert not [w for w in out if isinstance(w, ScanWarning)], out
    return [r for r in out if isinstance(r, Reference)]


# ------------------------------------------------------------------------------------------ schemes


def test_every_scheme_is_declared_by_a_loader_data_file() -> None:
    declared = {s["name"]: stem for stem, doc in loaderdata.documents().items() for s in doc.get("schemes") or ()}
    assert declared.keys() == ids.SCHEMES.keys()
    for name, scheme in ids.SCHEMES.items():
        assert scheme.declared_in == declared[name]
        assert ids.parse(scheme.example).scheme == name, scheme.example


def test_each_loader_template_names_a_declared_scheme() -> None:
    table = load_table()
    specs = {id(s): s for group in table.by_last.values() for s in group} | {id(s): s for s in table.generic}
    for spec in specs.values():
        assert spec.builder in BUILDERS, spec
        if spec.template:
            assert spec.template.split(":", 1)[0] in ids.SCHEMES, spec.template


def test_every_builder_module_is_registered_once() -> None:
    """Each module of scan/builders/ (but base) is listed in FAMILIES, and its builders reach BUILDERS."""
    folder = Path(builders.__file__).parent
    modules = sorted(p.stem for p in folder.glob("*.py") if p.stem not in ("__init__", "base"))
    assert sorted(builders.FAMILIES) == modules
    merged: dict[str, object] = {}
    for family in builders.FAMILIES:
        table = importlib.import_module(f"modelclear.scan.builders.{family}").BUILDERS
        assert table, family
        assert not set(table) & set(merged), family
        merged.update(table)
    assert merged == BUILDERS


def test_a_scheme_declared_twice_fails_the_load() -> None:
    doc = {"schemes": [{"name": "x", "kind": "model", "pattern": "[a-z]+", "example": "x:a"}]}
    with pytest.raises(ValueError, match="declared twice"):
        ids.load_schemes({"a": doc, "b": doc})


@pytest.mark.parametrize("bad", [
    {"name": "x", "kind": "model", "pattern": "[a-z]+"},                         # no example
    {"name": "x", "kind": "weights", "pattern": "[a-z]+", "example": "x:a"},      # unknown kind
    {"name": "x", "kind": "model", "pattern": "[a-z", "example": "x:a"},          # bad regex
    {"name": "X Y", "kind": "model", "pattern": "[a-z]+", "example": "x:a"},      # bad name
])
def test_a_malformed_scheme_fails_the_load(bad: dict[str, str]) -> None:
    with pytest.raises((ValueError, re.error)):
        ids.load_schemes({"lib": {"schemes": [bad]}})


def test_declared_normalisation_and_untyped_forms() -> None:
    assert ids.parse("ultralytics:yolov8n.pt").id == "ultralytics:yolov8n"
    assert ids.parse("pypi:Ultralytics_Pkg").id == "pypi:ultralytics-pkg"
    assert ids.parse("bert-base-uncased").id == "hf:bert-base-uncased"
    assert ids.parse("https://example.org/w.pt").id == "url:https://example.org/w.pt"
    ref = ids.parse("insightface:buffalo_l")
    assert (ref.id, ref.kind, ref.scheme) == ("insightface:buffalo_l", Kind.MODEL, "insightface")
    with pytest.raises(ids.IdError):
        ids.parse("insightface:buffalo/l")


# ----------------------------------------------------------------------- loader declarations checked


def _one(**entry: object) -> dict[str, object]:
    return {"lib": {"loaders": [{"call": ["lib.load"], "id": "template", "template": "x:{value}",
                                 "arg": {"pos": 0}, **entry}]}}


@pytest.mark.parametrize(("entry", "message"), [
    ({"if_missing": "maybe"}, "if_missing must be one of"),
    ({"if_missing": "default"}, "goes with"),
    ({"default": "a"}, "goes with"),
    ({"if_missing": "default", "default": {"A": "a"}}, "default_key"),
])
def test_inconsistent_defaults_fail_the_load(entry: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_table(_one(**entry))  # type: ignore[arg-type]


def test_a_mapping_default_is_chosen_by_the_callee() -> None:
    table = build_table(_one(if_missing="default", default={"A": "a1", "B": "b1"}, default_key="{cls}"))  # type: ignore[arg-type]
    spec = table.generic[0] if table.generic else table.by_last["load"][0]
    assert spec.default_for({"cls": "B"}) == "b1"
    assert spec.default_for({"cls": "C"}) is None
    assert spec.default_for({}) is None


def test_if_missing_default_works_for_every_argument_builder() -> None:
    """The same declaration gives the default through `template`, `hf` and `ultralytics` builders."""
    found = refs("""
        from insightface.app import FaceAnalysis
        from langchain_huggingface import HuggingFaceEmbeddings
        from ultralytics import RTDETR
        a = FaceAnalysis(providers=["CPUExecutionProvider"])
        b = HuggingFaceEmbeddings()
        c = RTDETR()
    """)
    got = {(r.id, r.confidence, r.note) for r in found}
    pack_note = ("default model pack of FaceAnalysis() "
                 "(buffalo_l in current insightface; antelopev2 in earlier releases)")
    assert ("insightface:buffalo_l", "medium", pack_note) in got
    assert ("hf:sentence-transformers/all-mpnet-base-v2", "medium", "library default model") in got
    assert ("ultralytics:rtdetr-l", "medium", "default model of RTDETR()") in got


def test_star_args_are_not_taken_for_a_missing_argument() -> None:
    found = refs("""
        from insightface.app import FaceAnalysis
        def make(**kw):
            return FaceAnalysis(**kw)
    """)
    assert [(r.id, r.confidence) for r in found] == [(None, "low")]


# ---------------------------------------------------------------------------------- insightface recipe


def test_insightface_is_one_data_file() -> None:
    docs = loaderdata.documents()
    assert "insightface" in docs
    assert ids.SCHEMES["insightface"].declared_in == "insightface"
    assert any(s.library == "insightface" for group in load_table().by_last.values() for s in group)


def test_insightface_face_analysis_realistic_snippet() -> None:
    found = refs("""
        import argparse
        import cv2
        import insightface
        from insightface.app import FaceAnalysis

        MODEL_PACK = "antelopev2"

        def build(args):
            detector = FaceAnalysis(name=args.pack, providers=["CUDAExecutionProvider", "CPUExecutionProvider"])
            detector.prepare(ctx_id=0, det_size=(640, 640))
            return detector

        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--pack", default="buffalo_s")
            args = parser.parse_args()
            app = FaceAnalysis(providers=["CPUExecutionProvider"])          # the default pack
            hi_res = FaceAnalysis(MODEL_PACK, root="~/.insightface")
            own = FaceAnalysis(name="company_faces_v3")                      # the user's own folder
            recognizer = insightface.model_zoo.get_model("buffalo_l")
            swapper = insightface.model_zoo.get_model("inswapper_128.onnx", download=True)
            faces = app.get(cv2.imread("t1.jpg"))
            return build(args), hi_res, own, recognizer, swapper, faces
    """)
    by_line = {(r.line, r.id): r for r in found}
    got = sorted((r.line, r.id, r.confidence) for r in found)
    assert got == [
        (10, "insightface:buffalo_s", "medium"),
        (18, "insightface:buffalo_l", "medium"),
        (19, "insightface:antelopev2", "medium"),
        (20, None, "high"),
        (21, "insightface:buffalo_l", "high"),
        (22, None, "high"),
    ], got
    assert by_line[(10, "insightface:buffalo_s")].loader == "insightface.app.FaceAnalysis"
    assert "default model pack" in by_line[(18, "insightface:buffalo_l")].note
    assert by_line[(20, None)].raw == "company_faces_v3" and by_line[(20, None)].note == "local path"
    assert by_line[(21, "insightface:buffalo_l")].loader == "insightface.model_zoo.get_model"


def test_insightface_only_prefiltered_files_are_parsed() -> None:
    assert refs("from mylib import FaceAnalyzer\nx = FaceAnalyzer(name='buffalo_l')\n") == []


def test_every_insightface_pack_has_a_record() -> None:
    kb = api.default_catalog().kb
    for pack in ("antelope", "antelopev2", "buffalo_l", "buffalo_m", "buffalo_s", "buffalo_sc"):
        art = kb.artifact(f"insightface:{pack}")
        assert art is not None, pack
        assert art.license == "insightface-noncommercial-research", pack
        assert art.upstream, pack
