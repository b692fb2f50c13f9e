"""Extractors of Hub-model registries in libraries' wheels (issue 11): MTEB's ``ModelMeta`` table.

Snippets are written here in the shape the wheel uses; the committed catalogue is checked against
facts read from the wheel (mteb 2.26.24) and against the knowledge base it loads into.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from modelclear.service import load_knowledge
from tools.extract import mteb

GENERATED = Path(__file__).resolve().parent.parent / "src" / "modelclear" / "data" / "models" / "_generated"

SNIPPET = '''
from mteb.models.model_meta import ModelMeta, ScoringFunction
from mteb.models.sentence_transformer_wrapper import SentenceTransformerEncoderWrapper

common = dict(loader=SentenceTransformerEncoderWrapper, languages=["eng-Latn"], framework=["PyTorch"])

small = ModelMeta(
    **common,
    name="org/small-embed",
    open_weights=True,
    revision="abc",
    release_date="2024-01-02",
    n_parameters=33_000_000,
    license="apache-2.0",
    reference="https://huggingface.co/org/small-embed",
    model_type=["dense"],
    training_datasets=None,
)
tuned = ModelMeta(
    **common,
    name="other/tuned-embed",
    open_weights=True,
    revision=None,
    release_date=None,
    n_parameters=None,
    license="https://ai.google.dev/gemma/terms",
    reference="https://huggingface.co/other/tuned-embed",
    adapted_from="org/small-embed",
    model_type=["cross-encoder"],
)
api_only = ModelMeta(**common, name="vendor/api-embed", open_weights=False, license=None, reference=None)
not_a_repo = ModelMeta(**common, name="mteb/baseline-bm25s", open_weights=True, license="mit",
                       reference="https://github.com/xhluca/bm25s")
unspecified = ModelMeta(**common, name="x/y", open_weights=True, license="not specified", reference=None,
                        adapted_from="someone/elsewhere")
listed = [ModelMeta(**common, name=f"fam/m-{i}", open_weights=True, license="cc-by-nc-4.0",
                    reference=f"https://huggingface.co/fam/m-{i}") for i in range(2)]
'''


def test_mteb_records_from_snippet() -> None:
    found = mteb.metas(textwrap.dedent(SNIPPET), "snippet.py")
    got = {m.id: m for m in mteb.records(found)}
    assert sorted(got) == ["hf:fam/m-0", "hf:fam/m-1", "hf:org/small-embed", "hf:other/tuned-embed", "hf:x/y"]
    small = got["hf:org/small-embed"]
    assert small.license == "Apache-2.0" and small.url == "https://huggingface.co/org/small-embed"
    assert small.facts["params"] == 33_000_000 and small.facts["task"] == "sentence-similarity"
    tuned = got["hf:other/tuned-embed"]
    assert tuned.license == "gemma"  # a link that names a licence this knowledge base records
    assert [(b.target, b.relation) for b in tuned.base_models] == [("hf:org/small-embed", "finetune")]
    assert tuned.facts["task"] == "text-ranking"
    other = got["hf:x/y"]
    assert other.license == "unknown" and other.base_models == ()  # a base outside the catalogue stays a fact
    assert other.facts["adapted_from"] == "someone/elsewhere" and other.facts["mteb_license"] == "not specified"
    assert got["hf:fam/m-1"].license == "CC-BY-NC-4.0"


def test_mteb_license_ids() -> None:
    assert mteb.license_id("mit") == "MIT"
    assert mteb.license_id("cc-by-nc-sa-4.0") == "CC-BY-NC-SA-4.0"
    assert mteb.license_id("https://huggingface.co/some/model/blob/main/LICENSE") == "unknown"
    assert mteb.license_id("multiple") == "unknown"
    assert mteb.license_id(None) == "unknown"
    assert mteb.license_id("no-such-licence") == "unknown"


def test_committed_mteb_catalogue_loads_and_is_judged() -> None:
    doc = json.loads((GENERATED / "mteb.json").read_text(encoding="utf-8"))
    by_id = {m["id"]: m for m in doc["models"]}
    assert doc["package"] == "mteb" and len(by_id) >= 700
    # facts read in the wheel: bge_models.py (license="mit"), nvidia_models.py (NV-Embed-v2: cc-by-nc-4.0)
    assert by_id["hf:BAAI/bge-small-en-v1.5"]["license"] == "MIT"
    assert by_id["hf:nvidia/NV-Embed-v2"]["license"] == "CC-BY-NC-4.0"
    assert not any(m["id"].startswith("hf:mteb/") for m in doc["models"])  # MTEB's own baselines are not models
    kb = load_knowledge()
    stella = kb.artifact("hf:NovaSearch/stella_en_1.5B_v5")
    assert stella is not None and stella.license == "MIT"
    assert any(s.confidence.value == "S" and "mteb" in s.url for s in stella.sources)
    # a base outside MTEB's registry that the reviewed knowledge holds (KNOWN_BASES) is linked, so its terms count
    sfr = kb.artifact("hf:Salesforce/SFR-Embedding-Code-2B_R")
    assert sfr is not None and [b.target for b in sfr.base_models] == ["hf:google/gemma-2-2b-it"]
    # a reviewed record of the same id wins over the generated one
    reviewed = kb.artifact("hf:sentence-transformers/all-MiniLM-L6-v2")
    assert reviewed is not None and all("pypi.org/project/mteb" not in s.url for s in reviewed.sources)


TASKS_SNIPPET = '''
from mteb.abstasks.task_metadata import TaskMetadata
from mteb.abstasks.retrieval import AbsTaskRetrieval

_LANGS = ["eng-Latn"]


class NFCorpus(AbsTaskRetrieval):
    metadata = TaskMetadata(
        name="NFCorpus",
        dataset={"path": "mteb/nfcorpus", "revision": "ec0fa4f"},
        reference="https://www.cl.uni-heidelberg.de/statnlpgroup/nfcorpus/",
        eval_langs=_LANGS,
        domains=["Medical", "Academic"],
        license="not specified",
    )


class STSB(AbsTaskRetrieval):
    metadata = TaskMetadata(name="STSBenchmark", dataset={"path": "org/stsb", "revision": "1"},
                            license="cc-by-sa-4.0", sample_creation="found")


class STSBMulti(AbsTaskRetrieval):
    metadata = TaskMetadata(name="STSBenchmarkMulti", dataset={"path": "org/stsb", "revision": "1"},
                            license="cc-by-sa-4.0")


class Disagree(AbsTaskRetrieval):
    metadata = TaskMetadata(name="A", dataset={"path": "x/both", "revision": "1"}, license="mit")


class Disagree2(AbsTaskRetrieval):
    metadata = TaskMetadata(name="B", dataset={"path": "x/both", "revision": "1"}, license="cc-by-nc-4.0")
'''


def test_mteb_task_records_from_snippet() -> None:
    from tools.extract import mteb_tasks

    found = list(mteb_tasks.task_metadata(textwrap.dedent(TASKS_SNIPPET), "snippet.py"))
    got = {r["id"]: r for r in mteb_tasks.records(found)}
    assert sorted(got) == ["hf-dataset:mteb/nfcorpus", "hf-dataset:org/stsb", "hf-dataset:x/both"]
    nf = got["hf-dataset:mteb/nfcorpus"]
    assert nf["license"] == "unknown" and nf["facts"]["mteb_domains"] == ["Academic", "Medical"]
    assert [s["confidence"] for s in nf["sources"]] == ["S", "U"]
    stsb = got["hf-dataset:org/stsb"]
    assert stsb["license"] == "CC-BY-SA-4.0" and stsb["facts"]["mteb_tasks"] == ["STSBenchmark", "STSBenchmarkMulti"]
    assert got["hf-dataset:x/both"]["license"] == "unknown"  # tasks that disagree decide nothing


def test_committed_mteb_task_datasets_load_and_shadow_nothing() -> None:
    from modelclear.catalog.bundled import DATA_DIR, load_raw

    path = GENERATED.parent.parent / "datasets" / "_generated" / "mteb_tasks.json"
    items = json.loads(path.read_text(encoding="utf-8"))
    assert len(items) >= 1500 and all(r["id"].startswith("hf-dataset:") for r in items)
    mine = {r["id"].lower() for r in items}
    raw = load_raw(DATA_DIR, use_cache=False)
    aliases = {str(a).lower(): w for w, e, _ in raw.artifacts if "mteb_tasks" not in w for a in e.get("aliases") or ()}
    assert not mine & set(aliases), sorted(mine & set(aliases))[:5]  # an id here would take over another's alias
    kb = load_knowledge()
    rec = kb.artifact("hf-dataset:BASF-AI/ChemHotpotQARetrieval")
    assert rec is not None and rec.kind.value == "dataset" and rec.sources[0].confidence.value == "S"


def test_spacy_records_from_metas() -> None:
    from tools.extract import spacy_models

    metas = [
        ("meta/en_core_web_sm-2.0.0.json", {"lang": "en", "name": "core_web_sm", "version": "2.0.0",
                                            "license": "CC BY-SA 3.0"}, "2017-11-07"),
        ("meta/en_core_web_sm-3.8.0.json", {"lang": "en", "name": "core_web_sm", "version": "3.8.0", "license": "MIT",
                                            "author": "Explosion",
                                            "sources": [{"name": "OntoNotes 5", "license": "commercial"}]},
         "2024-09-30"),
        ("meta/en_core_web_sm-3.7.1.json", {"lang": "en", "name": "core_web_sm", "version": "3.7.1", "license": "MIT"},
         "2023-10-16"),
        ("meta/xx_odd-1.0.0.json", {"lang": "xx", "name": "odd", "version": "1.0.0", "license": "Custom terms"}, ""),
    ]
    got = {r["id"]: r for r in spacy_models.records("c" * 40, metas)}
    sm = got["spacy:en_core_web_sm"]
    assert sm["license"] == "MIT" and sm["name"].endswith("3.8.0")
    changes = [(h["since"], h["license"]) for h in sm["history"]]
    assert changes == [("2017-11-07", "CC-BY-SA-3.0"), ("2023-10-16", "MIT")]
    assert sm["facts"]["training_sources"] == [{"name": "OntoNotes 5", "license": "commercial"}]
    assert got["spacy:xx_odd"]["license"] == "unknown" and "history" not in got["spacy:xx_odd"]


def test_committed_spacy_catalogue_is_judged() -> None:
    kb = load_knowledge()
    sm = kb.artifact("spacy:en_core_web_sm")
    assert sm is not None and sm.license == "MIT" and sm.sources[0].confidence.value == "V"
    ja = kb.artifact("spacy:ja_core_news_sm")
    assert ja is not None and ja.license == "CC-BY-SA-4.0"
    es = kb.artifact("spacy:es_core_news_sm")
    assert es is not None and es.license == "GPL-3.0-only"


def test_tfhub_pages_with_a_licence_become_handles() -> None:
    from tools.extract import tfhub

    page = "# Module pub/deit_base/1\n\nDeiT.\n\n<!-- task: image-classification -->\n<!-- license: mit -->\n"
    doc = tfhub.parse_doc("assets/docs/pub/deit_base/1.md", page)
    assert doc is not None and doc["handle"] == "pub/deit_base/1" and doc["license"] == "MIT"
    google = "# Module google/imagenet/x/classification/5\n\n<!-- module-type: image-classification -->\n"
    assert tfhub.parse_doc("assets/docs/google/models/imagenet/x/classification/5.md", google) is None  # no licence
    other = "# Module pub/other/1\n<!-- license: mit -->\n"
    assert tfhub.parse_doc("assets/docs/pub/deit_base/1.md", other) is None  # the handle must match its path
    custom = tfhub.parse_doc("assets/docs/pub/m/2.md", "# Placeholder pub/m/2\n<!-- license: custom -->\n")
    assert custom is not None and custom["license"] == "unknown"
    (rec,) = tfhub.records("c" * 40, [("assets/docs/pub/deit_base/1.md", doc)])
    assert rec["id"] == "url:https://tfhub.dev/pub/deit_base/1"
    assert "url:gs://tfhub-modules/pub/deit_base/1/uncompressed" in rec["aliases"]


def test_committed_tfhub_catalogue_resolves_storage_addresses() -> None:
    kb = load_knowledge()
    for handle in ("url:https://tfhub.dev/sayakpaul/deit_base_patch16_224/1",
                   "url:gs://tfhub-modules/sayakpaul/deit_base_patch16_224/1/uncompressed"):
        art = kb.artifact(handle)
        assert art is not None and art.license == "MIT", handle


def test_onnx_zoo_addresses_and_licence_lines() -> None:
    from tools.extract import onnx_zoo

    readme = "# ResNet\n\ntext\n\n## License\n\nApache 2.0\n\n## Contributors\n"
    assert onnx_zoo.license_line(readme) == "Apache 2.0" and onnx_zoo.license_line("# x\n") == ""
    path = "validated/vision/classification/resnet/model/resnet50-v2-7.onnx"
    found = {"validated/vision/classification/resnet": ("Apache 2.0", [path]),
             "validated/vision/x/nolicence": ("", ["validated/vision/x/nolicence/model/a.onnx"])}
    (rec,) = onnx_zoo.records("c" * 40, found)
    assert rec["id"] == f"url:https://github.com/onnx/models/raw/main/{path}" and rec["license"] == "Apache-2.0"
    assert ("url:https://github.com/onnx/models/raw/master/vision/classification/resnet/model/resnet50-v2-7.onnx"
            in rec["aliases"])


def test_committed_onnx_zoo_catalogue_resolves_old_addresses() -> None:
    kb = load_knowledge()
    old = "url:https://github.com/onnx/models/raw/main/vision/classification/resnet/model/resnet50-v2-7.onnx"
    art = kb.artifact(old)
    assert art is not None and art.license == "Apache-2.0"
