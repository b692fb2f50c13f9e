"""The Data Provenance Collection importer (``tools/dpc.py``, ``scripts/import_dpc.py``).

It runs on the real shared copy of the collection (``../shared/data/data-provenance-collection``
next to the repository; skipped only when that copy is absent) and on small malformed fixtures
written here, and checks that the committed ``dpc.json`` is exactly what a fresh import produces.
"""

from __future__ import annotations

import importlib.util
import json
import re
import warnings
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelclear import ids
from modelclear.catalog.records import build_artifact
from tools import dpc

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
COLLECTION = SHARED / "data" / "data-provenance-collection"
COMMITTED = REPO / "src" / "modelclear" / "data" / "datasets" / "_imported" / "dpc.json"
HAND_REVIEWED = REPO / "src" / "modelclear" / "data" / "datasets"
LICENSES = REPO / "src" / "modelclear" / "data" / "licenses"

needs_collection = pytest.mark.skipif(
    not COLLECTION.is_dir(), reason=f"the shared Data Provenance Collection is not at {COLLECTION}"
)


@lru_cache(maxsize=1)
def _imported() -> tuple[dict[str, Any], ...]:
    with warnings.catch_warnings():
        warnings.simplefilter("error", dpc.DpcWarning)  # the shared copy itself must import cleanly
        return tuple(dpc.import_collection(COLLECTION))


def _by_id() -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in _imported()}


# --- the real collection ------------------------------------------------------------------------


@needs_collection
def test_imports_about_2500_records_from_all_three_folders() -> None:
    """Text, speech and video summaries are all imported; ids are unique and canonical."""
    records = _imported()
    assert 2400 <= len(records) <= 2700
    assert len({r["id"] for r in records}) == len(records)
    modalities = Counter(r["facts"]["modality"] for r in records)
    assert modalities["text"] > 2000 and modalities["speech"] >= 80 and modalities["video"] >= 90
    for record in records:
        ref = ids.parse(record["id"])
        assert ref.id == record["id"] and record["id"].startswith(dpc.ID_PREFIX)


@needs_collection
def test_every_record_is_sourced_and_loadable() -> None:
    """Each record has one S-graded source naming the collection, and the engine's loader accepts it."""
    for record in _imported():
        assert record["origin"] == "imported:dpc"
        (source,) = record["sources"]
        assert source["confidence"] == "S" and source["note"] == "Data Provenance Collection"
        assert source["checked"] == dpc.CHECKED and source["url"].startswith(("http://", "https://"))
        for note in record["notes"]:
            assert note["en"] and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", note["ja"])
        artifact = build_artifact(record, record["id"])
        assert artifact.origin == "imported:dpc"


@needs_collection
def test_licences_map_to_our_ids_or_dpc_refs() -> None:
    """Licence names map onto our ids; the rest become LicenseRef-dpc-* with DPC's category."""
    known = {yaml.safe_load(p.read_text(encoding="utf-8"))["id"] for p in LICENSES.glob("*.yaml")}
    categories = set(dpc.CATEGORY_RANK)
    for record in _imported():
        facts = record["facts"]
        assert facts["license_category"] in categories
        assert facts["raw_license"] == [lic["raw"] for lic in facts["licenses"]]
        for part in (record["license"] or "").split(" AND "):
            if part:
                assert part in dpc.LICENSE_IDS.values() or part.startswith("LicenseRef-dpc-"), part
    mapped = {lid for r in _imported() for lid in (r["license"] or "").split(" AND ") if lid}
    unknown = {lid for lid in mapped if not lid.startswith("LicenseRef-") and lid not in known}
    # Valid SPDX ids the licences folder may not hold yet; anything else would be a typo here.
    assert unknown <= {"CC-BY-SA-2.0", "OGL-UK-3.0"}


@needs_collection
def test_alpaca_keeps_provider_terms_apart_from_its_licence() -> None:
    """OpenAI's terms are a provider's terms on the creator: not the licence, not the category."""
    alpaca = _by_id()["dataset:dpc.alpaca"]
    assert alpaca["license"] == "CC-BY-NC-4.0"
    assert alpaca["facts"]["provider_terms"] == ["OpenAI"]
    assert alpaca["facts"]["generated_by"] == ["OpenAI GPT-3"]
    assert alpaca["facts"]["hand_reviewed"] == "dataset:alpaca"
    assert "bind the dataset's creator, not you" in alpaca["notes"][0]["en"]
    sharegpt = _by_id()["dataset:dpc.sharegpt-vicuna"]
    assert sharegpt["license"] == "LicenseRef-dpc-unspecified"
    assert sharegpt["facts"]["license_category"] == "unspecified"
    assert sharegpt["facts"]["license_category_with_provider_terms"] == "non-commercial"


@needs_collection
def test_derived_from_resolves_to_known_records() -> None:
    """Upstream targets exist (imported or hand-reviewed); raw names are kept either way."""
    imported = {r["id"] for r in _imported()}
    reviewed = {yaml.safe_load(p.read_text(encoding="utf-8"))["id"] for p in HAND_REVIEWED.glob("*.yaml")}
    edges = [(r["id"], u["target"]) for r in _imported() for u in r["upstream"]]
    assert len(edges) > 150
    for source, target in edges:
        assert target in imported | reviewed and target != source
    assert ("dataset:snli" in {t for _, t in edges}) and ("dataset:wikipedia" in {t for _, t in edges})
    for record in _imported():
        if record["upstream"]:
            assert record["facts"]["derived_from"]


@needs_collection
def test_aliases_are_unique_and_never_shadow_reviewed_records() -> None:
    """An alias names one record only, and hand-reviewed ids and aliases are never reused."""
    reviewed: set[str] = set()
    for path in HAND_REVIEWED.glob("*.yaml"):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        reviewed |= {str(n).lower() for n in [record["id"], *record["aliases"]]}
    seen: Counter[str] = Counter(a.lower() for r in _imported() for a in r["aliases"])
    assert [a for a, n in seen.items() if n > 1] == []
    assert [a for a in seen if a in reviewed] == []
    by_alias = {a.lower(): r["id"] for r in _imported() for a in r["aliases"]}
    assert by_alias["hf-dataset:ami"] == "dataset:dpc.ami"
    assert "hf-dataset:tatsu-lab/alpaca" not in by_alias  # belongs to dataset:alpaca


@needs_collection
def test_taken_down_video_datasets_are_withdrawn() -> None:
    """Video datasets DPC marks as taken down carry facts.withdrawn with a bilingual template."""
    webvid = _by_id()["dataset:dpc.webvid"]
    assert webvid["facts"]["withdrawn"]["summary"]["en"] == dpc.NOTE_TAKEN_DOWN["en"]
    assert sum(1 for r in _imported() if "withdrawn" in r["facts"]) == 3


@needs_collection
def test_committed_file_is_a_fresh_import() -> None:
    """``dpc.json`` is byte-for-byte what the importer produces now (rerun scripts/import_dpc.py)."""
    assert COMMITTED.read_text(encoding="utf-8") == dpc.dumps(list(_imported()))
    assert dpc.dumps(dpc.import_collection(COLLECTION)) == dpc.dumps(list(_imported()))  # deterministic


@needs_collection
def test_script_check_mode(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """``import_dpc.py --check`` passes on the committed file and fails on a stale one."""
    spec = importlib.util.spec_from_file_location("import_dpc", REPO / "scripts" / "import_dpc.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main([str(COLLECTION), "--check"]) == 0
    stale = tmp_path / "dpc.json"
    stale.write_text("[]\n", encoding="utf-8")
    assert module.main([str(COLLECTION), "--output", str(stale), "--check"]) == 1
    assert module.main([str(COLLECTION), "--output", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8")
    assert module.main([str(tmp_path / "absent")]) == 2
    capsys.readouterr()


# --- small fixtures -----------------------------------------------------------------------------


def _entry(uid: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "Unique Dataset Identifier": uid,
        "Dataset Name": uid.title(),
        "Collection": "Fixture",
        "Hugging Face URL": "",
        "GitHub URL": "",
        "Licenses": [],
        "Creators": ["Example Lab"],
        "Model Generated": [],
        "Derived from Datasets": [],
    }
    base.update(fields)
    return base


def _write(path: Path, content: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")


@pytest.fixture()
def malformed(tmp_path: Path) -> Path:
    """A tiny collection with good entries, broken files and a missing folder."""
    root = tmp_path / "dpc"
    _write(root / "constants" / "license_classes.json", {
        "CC BY 4.0": ["All", "1", "0"], "CC BY-NC 4.0": ["NC", "1", "0"], "OpenAI": ["NC", "?", "?"],
        "Unspecified": ["Unspecified", "0", "0"], "Academic Research Purposes Only": ["Acad", "1", "1"],
        "No License": ["All", "0", "0"], "Broken": "not a list",
    })
    _write(root / "constants" / "license_paraphrases.json", {"CC BY 4.0": ["cc-by-4.0"]})
    _write(root / "constants" / "custom_license_classes.json", {"https://example.org/terms": ["Acad", "0", "0"]})
    summaries = root / "data_summaries"
    _write(summaries / "Good.json", {
        "good-one": _entry("good-one", **{
            "Hugging Face URL": "https://huggingface.co/datasets/example/good-one/viewer/default",
            "Licenses": [{"License": "cc-by-4.0", "License URL": "https://example.org/l"},
                         {"License": "OpenAI", "License URL": ""}],
            "Model Generated": ["OpenAI GPT-4", "templates"],
            "Derived from Datasets": ["Parent Set", "Nowhere", "SNLI"],
        }),
        "parent-set": _entry("parent-set", **{"Dataset Name": "Parent Set",
                                             "Licenses": [{"License": "Custom",
                                                           "License URL": "https://example.org/terms"}]}),
        "weird": _entry("Weird ID/With Spaces", **{"Licenses": [{"License": "Made-up Licence"}],
                                                   "Creators": "not a list"}),
        "nolicence": _entry("nolicence", **{"Licenses": [{"License": "No License"}]}),
        "not-a-dict": ["oops"],
    })
    _write(summaries / "Twice.json", {"good-one": _entry("good-one", **{
        "Licenses": [{"License": "CC BY-NC 4.0"}]})})  # same uid, different content
    _write(summaries / "Broken.json", "{ this is not json")
    _write(summaries / "List.json", [1, 2, 3])
    _write(summaries / "_template.json", {"x": {"Unique Dataset Identifier": "template"}})
    _write(root / "data_summaries-video" / "Clips.json", {
        "Clips": _entry("Clips", **{"Taken Down": "True", "Licenses": [{"License": "Unspecified"}]})})
    return root  # data_summaries-speech is missing on purpose


def test_malformed_collection_warns_and_keeps_the_good_entries(malformed: Path, tmp_path: Path) -> None:
    """Broken files, non-object entries and a missing folder warn; nothing crashes."""
    with pytest.warns(dpc.DpcWarning) as caught:
        records = dpc.import_collection(malformed, hand_reviewed=None)
    messages = " | ".join(str(w.message) for w in caught)
    for fragment in ("Broken.json", "List.json", "not-a-dict", "data_summaries-speech"):
        assert fragment in messages
    got = {r["id"]: r for r in records}
    assert sorted(got) == ["dataset:dpc.clips", "dataset:dpc.good-one", "dataset:dpc.good-one-2",
                           "dataset:dpc.nolicence", "dataset:dpc.parent-set", "dataset:dpc.weird-id-with-spaces"]
    assert [r["id"] for r in records] == sorted(got)

    good = got["dataset:dpc.good-one"]
    assert good["license"] == "CC-BY-4.0"  # paraphrase cc-by-4.0 -> CC BY 4.0 -> our id
    assert good["facts"]["license_category"] == "commercial" and good["facts"]["commercial"] is True
    assert good["facts"]["provider_terms"] == ["OpenAI"]
    assert good["facts"]["generated_by"] == ["OpenAI GPT-4"]  # "templates" is no model
    assert good["aliases"] == ["hf-dataset:example/good-one"]  # "good-one" is claimed twice: dropped
    assert good["upstream"] == [{"target": "dataset:dpc.parent-set", "relation": "derived_from"}]
    assert good["facts"]["derived_from"] == ["Parent Set", "Nowhere", "SNLI"]
    assert good["sources"][0]["url"].startswith("https://huggingface.co/datasets/example/good-one")

    parent = got["dataset:dpc.parent-set"]
    assert parent["license"] == "LicenseRef-dpc-custom" and parent["facts"]["license_category"] == "academic"
    assert parent["facts"]["commercial"] is False
    assert parent["sources"][0]["url"] == dpc.DPC_URL  # no URL at all: cite the collection

    weird = got["dataset:dpc.weird-id-with-spaces"]
    assert weird["license"] == "LicenseRef-dpc-made-up-licence"
    assert weird["facts"]["license_category"] == "unspecified" and weird["facts"]["commercial"] is None
    assert weird["publisher"] == "not a list"

    assert got["dataset:dpc.nolicence"]["facts"]["license_category"] == "unspecified"  # no grant
    assert got["dataset:dpc.good-one-2"]["license"] == "CC-BY-NC-4.0"
    clips = got["dataset:dpc.clips"]
    assert clips["facts"]["modality"] == "video" and "withdrawn" in clips["facts"]
    assert "template" not in {r["facts"]["dpc_uid"] for r in records}


def test_hand_reviewed_records_win_names_and_resolve_first(malformed: Path, tmp_path: Path) -> None:
    """A name a hand-reviewed record claims is not given away, and derived-from resolves to it."""
    reviewed = tmp_path / "reviewed"
    _write(reviewed / "snli.yaml", yaml.safe_dump({"id": "dataset:snli",
                                                   "aliases": ["snli", "hf-dataset:example/good-one"]}))
    _write(reviewed / "broken.yaml", "id: [unclosed")
    with pytest.warns(dpc.DpcWarning) as caught:
        records = {r["id"]: r for r in dpc.import_collection(malformed, hand_reviewed=reviewed)}
    assert any("broken.yaml" in str(w.message) for w in caught)
    good = records["dataset:dpc.good-one"]
    assert good["aliases"] == []
    assert good["facts"]["hand_reviewed"] == "dataset:snli"
    assert "hand_reviewed" not in records["dataset:dpc.parent-set"]["facts"]
    targets = [u["target"] for u in good["upstream"]]
    assert targets == ["dataset:dpc.parent-set", "dataset:snli"]


def test_identical_duplicates_merge_and_missing_root_warns(tmp_path: Path) -> None:
    """The same entry in two files is imported once; an absent collection warns and yields nothing."""
    root = tmp_path / "dpc"
    entry = {"dup": _entry("dup", **{"Licenses": [{"License": "MIT"}]})}
    _write(root / "data_summaries" / "A.json", entry)
    _write(root / "data_summaries" / "B.json", entry)
    for folder in ("data_summaries-speech", "data_summaries-video"):
        (root / folder).mkdir()
    with pytest.warns(dpc.DpcWarning, match="constants"):
        records = dpc.import_collection(root, hand_reviewed=None)
    assert [r["id"] for r in records] == ["dataset:dpc.dup"]
    assert records[0]["license"] == "MIT"  # mapped by our table even without DPC's constants
    with pytest.warns(dpc.DpcWarning, match="not found"):
        assert dpc.import_collection(tmp_path / "nowhere") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://huggingface.co/datasets/tatsu-lab/alpaca", ["hf-dataset:tatsu-lab/alpaca"]),
        ("https://huggingface.co/datasets/ami", ["hf-dataset:ami"]),
        ("https://huggingface.co/datasets/winogrande/", ["hf-dataset:winogrande"]),
        ("https://huggingface.co/datasets/THUDM/AgentInstruct/viewer/default/os", ["hf-dataset:THUDM/AgentInstruct"]),
        ("https://hf.co/datasets/arbml/CIDAR", ["hf-dataset:arbml/CIDAR"]),
        ("https://huggingface.co/datasets/winograd_wsc; https://github.com/x/y", ["hf-dataset:winograd_wsc"]),
        ("https://huggingface.co/datasets/a/b/blob/main/c.csv https://huggingface.co/datasets/a/b", ["hf-dataset:a/b"]),
        ("https://huggingface.co/project-baize", []),
        ("", []),
    ],
)
def test_hf_dataset_ids(text: str, expected: list[str]) -> None:
    """Hugging Face dataset URLs in the forms the collection uses become hf-dataset: ids."""
    assert dpc.hf_dataset_ids(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Weird ID/With Spaces", "weird-id-with-spaces"), ("commitpackft-c++", "commitpackft-c++"),
     ("fc-sni-xl_wic", "fc-sni-xl-wic"), ("***", "unnamed"), ("MegaWika-en", "megawika-en")],
)
def test_slugify(text: str, expected: str) -> None:
    """Slugs are lowercase and valid in dataset: ids."""
    assert dpc.slugify(text) == expected
    assert ids.parse(dpc.ID_PREFIX + expected).id == dpc.ID_PREFIX + expected
