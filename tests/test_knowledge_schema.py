"""The knowledge schema (``modelclear.knowledge``): all bundled data loads through it, and it rejects
each kind of broken record the format forbids, naming the file and the field.

The rejections below are one per rule of the format: every check the earlier hand-written test
validators made (licences, datasets, law, platforms) is now a rule of the schema, and shown here to
fire. Content checks that are not format (a given licence's terms, the EU member list) stay in
``test_licenses_data.py``, ``test_law_data.py`` and ``test_datasets_data.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelclear import ids, loaderdata
from modelclear.catalog.bundled import DATA_DIR, _compile, _data_files, load_file
from modelclear.knowledge import checks, schema, vocab
from modelclear.knowledge.schema import KnowledgeError

ROOT = Path(__file__).resolve().parents[1]
SCHEMES = {name: s.kind.value for name, s in ids.SCHEMES.items()}
FUTURE = dt.date.today() + dt.timedelta(days=400)


def _load(rel: str) -> Any:
    return copy.deepcopy(load_file(DATA_DIR / rel))


def problems(rel: str, record: Any) -> list[str]:
    """The schema's problems with ``record`` as the content of ``rel``."""
    return schema.problems(rel, record, SCHEMES)


# --- (a) the bundled data, strictly ------------------------------------------------------------------


def test_every_bundled_file_follows_the_schema() -> None:
    """Every data file, loader files included, has no problem; the folders' cross-file rules hold."""
    files = list(_data_files(DATA_DIR))
    assert len(files) > 300
    store = _compile(DATA_DIR, files, today=dt.date.today())  # each file and the cross-file rules, or KnowledgeError
    assert len(store.licenses) >= 80 and len(store.laws) >= 9
    loaders = sorted((DATA_DIR / "loaders").glob("*.yaml"))
    assert [p for f in loaders for p in problems(f"loaders/{f.name}", load_file(f))] == []
    assert set(loaderdata.documents()) >= {"transformers", "insightface"}


def test_reference_doc_is_generated_from_the_schema() -> None:
    """docs/knowledge-format.md is exactly what tools/gen_knowledge_doc.py writes from the schema."""
    from tools.gen_knowledge_doc import DOC, render

    assert DOC.read_text(encoding="utf-8") == render(), "run: python -m tools.gen_knowledge_doc"


def test_each_vocabulary_is_declared_once() -> None:
    """The vocabularies the engine uses are the schema's own objects, not copies."""
    from modelclear.assess import facts
    from modelclear.i18n import LANGUAGES
    from modelclear.scan.pyloaders import IF_MISSING

    assert IF_MISSING is vocab.IF_MISSING and LANGUAGES is vocab.LANGUAGES
    assert frozenset(vocab.ACTS) == facts.ACTS and frozenset(vocab.RELATIONS) == facts.RELATIONS
    assert frozenset({*vocab.LICENSE_CATEGORIES, "none"}) == facts.LICENSE_CATEGORIES
    assert schema.LAW_RULE.fields[1].type == schema.Enum(vocab.LAW_ACTS)


# --- (b) each rule rejects what it forbids -------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], Any]


def _term(r: dict[str, Any]) -> dict[str, Any]:
    return r["terms"][0]


LICENCE_CASES: list[tuple[Mutation, str]] = [
    (lambda r: r.pop("sources"), "sources: missing (required)"),
    (lambda r: r.pop("yields_to_exceptions"), "yields_to_exceptions: missing"),
    (lambda r: r.update(id="other-name"), "differs from the file name"),
    (lambda r: r.update(spdx="MIT-License"), "spdx: Unknown license key"),
    (lambda r: r.update(spdx="LicenseRef-scancode-llama-2-license-2023"), "is a LicenseRef"),
    (lambda r: r.update(spdx="mit"), "not a known SPDX id"),
    (lambda r: r.update(name=""), "name: expected non-empty text"),
    (lambda r: r.update(aliases=["ok", " "]), "aliases[1]: expected non-empty text"),
    (lambda r: r.update(aliases=["ex", "ex"]), "aliases[1]: 'ex' is listed twice"),
    (lambda r: r.update(kind="contract"), "kind: unknown value 'contract'"),
    (lambda r: r.update(category="free"), "category: unknown value 'free'"),
    (lambda r: r.update(acceptance="yes"), "acceptance: unknown value 'yes'"),
    (lambda r: r.update(passes_to_derivatives="no"), "passes_to_derivatives: expected true or false"),
    (lambda r: r.update(effective="2020"), "effective: expected an ISO date"),
    (lambda r: r.update(url="opensource.org/license/mit"), "url: expected an http(s) url"),
    (lambda r: r["summary"].update(ja=""), "summary.ja: missing or empty text"),
    (lambda r: r.update(grants=["everything"]), "grants[0]: unknown value 'everything'"),
    (lambda r: r.update(terms={}), "terms: expected a list"),
    (lambda r: r.update(terms=[]), "a record without terms must grant nothing"),
    (lambda r: r["terms"].append(copy.deepcopy(r["terms"][0])), "terms[2]: 'commercial-use' is listed twice"),
    (lambda r: _term(r).pop("clause"), "terms[0].clause: missing (required)"),
    (lambda r: _term(r).update(id=""), "terms[0].id: expected non-empty text"),
    (lambda r: _term(r).update(activities=["trian"]), "terms[0].activities[0]: unknown value 'trian'"),
    (lambda r: _term(r).update(activities=[]), "terms[0].activities: expected 'all' or a non-empty list"),
    (lambda r: _term(r).update(effect="maybe"), "terms[0].effect: unknown value 'maybe'"),
    (lambda r: _term(r).update(purposes=[]), "terms[0].purposes: expected a non-empty list"),
    (lambda r: _term(r).update(purposes=["personal"]), "terms[0].purposes[0]: unknown value 'personal'"),
    (lambda r: _term(r).update(jurisdictions=[""]), "terms[0].jurisdictions[0]: expected non-empty text"),
    (lambda r: _term(r).update(requires_facts=["multimodal"]), "terms[0].requires_facts: expected a mapping"),
    (lambda r: _term(r)["summary"].pop("ja"), "terms[0].summary.ja: missing or empty text"),
    (lambda r: _term(r).update(url="#1"), "terms[0].url: expected an http(s) url"),
    (lambda r: _term(r).update(confidence="X"), "terms[0].confidence: unknown value 'X'"),
    (lambda r: _term(r).update(quote=" "), "terms[0].quote: expected non-empty text"),
    (lambda r: _term(r).update(confidence="U"), "an uncertain [U] fact may not yield 'allowed'"),
    (lambda r: r["sources"][0].update(checked="yesterday"), "sources[0].checked: expected an ISO date"),
    (lambda r: r["sources"][0].update(checked=FUTURE), "sources[0].checked: date"),
    (lambda r: r["sources"][0].update(url="example.org"), "sources[0].url: expected an http(s) url"),
    (lambda r: r["sources"][0].update(confidence="[V]"), "sources[0].confidence: unknown value"),
    (lambda r: r["sources"][0].update(note=3), "sources[0].note: expected text"),
    (lambda r: r.update(sources=[]), "sources: expected a non-empty list"),
]


def test_a_bundled_licence_is_valid_before_each_change() -> None:
    assert problems("licenses/MIT.yaml", _load("licenses/MIT.yaml")) == []


@pytest.mark.parametrize(("mutate", "expected"), LICENCE_CASES, ids=[c[1][:40] for c in LICENCE_CASES])
def test_the_schema_rejects_a_broken_licence(mutate: Mutation, expected: str) -> None:
    record = _load("licenses/MIT.yaml")
    mutate(record)
    found = problems("licenses/MIT.yaml", record)
    assert any(expected in p for p in found), found
    assert all(p.startswith("licenses/MIT.yaml: ") for p in found)


DATASET_CASES: list[tuple[Mutation, str]] = [
    (lambda r: r.pop("sources"), "sources: missing (required)"),
    (lambda r: r.pop("gated"), "gated: missing (required)"),
    (lambda r: r.update(kind="model"), "kind: unknown value 'model'"),
    (lambda r: r["sources"][0].update(confidence="X"), "sources[0].confidence: unknown value 'X'"),
    (lambda r: r["sources"][0].update(checked="yesterday"), "sources[0].checked: expected an ISO date"),
    (lambda r: r["notes"][0].update(ja=""), "notes[0].ja: missing or empty text"),
    (lambda r: r["notes"][0].update(ja="English only"), "notes[0].ja: contains no Japanese characters"),
    (lambda r: r.update(notes=[]), "notes: expected a non-empty list"),
    (lambda r: r.update(id="dataset:Bad Name"), "is not a canonical dataset: id"),
    (lambda r: r.update(id="dataset:other"), "file name does not match id"),
    (lambda r: r["aliases"].append("hf:bert-base-uncased"), "is not a canonical dataset id"),
    (lambda r: r["aliases"].append(""), "expected non-empty text"),
    (lambda r: r.update(terms="imagenet-terms"), "terms: expected a list"),
    (lambda r: r.update(facts=[]), "facts: expected a mapping"),
    (lambda r: r["facts"].update(content_owner="nobody"), "facts.content_owner: unknown value 'nobody'"),
    (lambda r: r["facts"].pop("technical_measures"), "facts.technical_measures: missing (required)"),
    (lambda r: r["facts"].update(commercial="maybe"),
     "facts.commercial: expected true | false | null or per-item, got 'maybe'"),
    (lambda r: r["facts"].update(withdrawn={"date": "2020"}), "facts.withdrawn.summary: missing (required)"),
    (lambda r: r["facts"].update(withdrawn={"date": "2020", "summary": {"en": "Gone.", "ja": "撤回。"}}),
     "facts.withdrawn.date: expected an ISO date"),
    (lambda r: r.update(upstream=[{"target": "dataset:coco"}]), "upstream[0].relation: missing (required)"),
    (lambda r: r.update(upstream=[{"target": "dataset:coco", "relation": "finetune"}]),
     "upstream[0].relation: unknown value 'finetune'"),
]


def test_a_bundled_dataset_is_valid_before_each_change() -> None:
    assert problems("datasets/mnist.yaml", _load("datasets/mnist.yaml")) == []


@pytest.mark.parametrize(("mutate", "expected"), DATASET_CASES, ids=[c[1][:40] for c in DATASET_CASES])
def test_the_schema_rejects_a_broken_dataset(mutate: Mutation, expected: str) -> None:
    record = _load("datasets/mnist.yaml")
    mutate(record)
    found = problems("datasets/mnist.yaml", record)
    assert any(expected in p for p in found), found


def _good_rule() -> dict[str, Any]:
    return {"id": "xx-rule", "act": "analysis", "purposes": ["commercial"], "effect": "covers",
            "citation": "Act s.1", "url": "https://example.org/act", "effective": dt.date(2020, 1, 1),
            "summary": {"en": "Permits it.", "ja": "これを認める。"}, "conditions": [],
            "sources": [{"url": "https://example.org/act", "checked": dt.date(2026, 1, 1), "confidence": "S"}]}


def _law_with(change: Mutation) -> dict[str, Any]:
    law = _load("law/JP.yaml")
    law["rules"] = [_good_rule()]
    change(law)
    return law


LAW_CASES: list[tuple[Mutation, str]] = [
    (lambda r: r["rules"][0].update(act="train"), "rules[0].act: unknown value 'train'"),
    (lambda r: r["rules"][0].update(effect="allowed"), "rules[0].effect: unknown value 'allowed'"),
    (lambda r: r["rules"][0].update(purposes=["personal"]), "rules[0].purposes[0]: unknown value"),
    (lambda r: r["rules"][0].update(citation=" "), "rules[0].citation: expected the provision's name or {en, ja} text"),
    (lambda r: r["rules"][0].update(effective="1 Jan 2020"), "rules[0].effective: expected an ISO date"),
    (lambda r: r["rules"][0].update(until=dt.date(2019, 1, 1)), "rules[0].until: must be an ISO date after"),
    (lambda r: r["rules"][0].update(summary={"en": "Permits it.", "ja": "Permits it."}),
     "rules[0].summary.ja: contains no Japanese"),
    (lambda r: r["rules"][0].update(summary={"en": "Permits it."}), "rules[0].summary.ja: missing or empty"),
    (lambda r: r["rules"][0].update(conditions={}), "rules[0].conditions: expected a list"),
    (lambda r: r["rules"][0].update(sources=[]), "rules[0].sources: expected a non-empty list"),
    (lambda r: r["rules"][0]["sources"][0].update(url="example.org"), "sources[0].url: expected an http(s) url"),
    (lambda r: r["rules"][0]["sources"][0].update(checked=FUTURE), "is in the future"),
    (lambda r: r["rules"][0]["sources"][0].update(confidence="U"), "must not rest only on [U] sources"),
    (lambda r: r["rules"].append(_good_rule() | {"id": "xx-other", "effective": dt.date(2021, 1, 1)}),
     "two rules for ('analysis', 'commercial') overlap in time"),
    (lambda r: r["rules"].append(_good_rule() | {"purposes": ["research"]}), "rules[1]: 'xx-rule' is listed twice"),
    (lambda r: r.update(rules=[]), "rules: expected a non-empty list"),
    (lambda r: r.pop("cases"), "cases: missing (required)"),
    (lambda r: r.update(jurisdiction="XX"), "must equal the file name and be two capitals"),
    (lambda r: r.update(id="JP"), "id: must be 'law:JP'"),
    (lambda r: r["contract_override"].update(value="no"), "contract_override.value: expected true or false"),
    (lambda r: r["contract_override"].update(scope="all"), "contract_override.scope: unknown value 'all'"),
    (lambda r: r["weights_work"].update(likelihood="maybe"), "weights_work.likelihood: unknown value"),
    (lambda r: r["model_copy"].pop("generative_effect"), "model_copy.generative_effect: missing"),
    (lambda r: r["cases"][0].update(date=FUTURE), "cases[0].date: date"),
    (lambda r: r["cases"][0].update(court=""), "cases[0].court: expected the court's name or {en, ja} text"),
    (lambda r: r.update(obligations=[{"id": "o", "applies_to": {"activities": ["sell"], "facts": {}},
                                      "citation": "Art. 1", "effective": dt.date(2025, 1, 1),
                                      "summary": {"en": "Do.", "ja": "する。"}, "sources": _good_rule()["sources"]}]),
     "obligations[0].applies_to.activities[0]: unknown value 'sell'"),
    (lambda r: r.update(members=["fr"]), "members[0]: 'fr' is not a two-letter code"),
]


def test_a_law_with_a_good_rule_is_valid_before_each_change() -> None:
    assert problems("law/JP.yaml", _law_with(lambda r: None)) == []


@pytest.mark.parametrize(("mutate", "expected"), LAW_CASES, ids=[c[1][:40] for c in LAW_CASES])
def test_the_schema_rejects_a_broken_law(mutate: Mutation, expected: str) -> None:
    found = problems("law/JP.yaml", _law_with(mutate))
    assert any(expected in p for p in found), found


@pytest.mark.parametrize(("change", "expected"), [
    ({"acceptance": "maybe"}, "acceptance: unknown value 'maybe'"),
    ({"restricts_commercial": "no"}, "restricts_commercial: expected true or false or null"),
    ({"id": "hf"}, "differs from the file name"),
    ({"name": " "}, "name: expected non-empty text"),
    ({"notes": [{"en": "A note."}]}, "notes[0].ja: missing or empty text"),
])
def test_the_schema_rejects_a_broken_platform(change: dict[str, Any], expected: str) -> None:
    platform = _load("platforms/huggingface.yaml") | change
    found = problems("platforms/huggingface.yaml", platform)
    assert any(expected in p for p in found), found


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda d: d["loaders"][0].update(if_mising="skip"),
     "loaders[0].if_mising: unknown field (did you mean 'if_missing'?)"),
    (lambda d: d["loaders"][0].update(kind="package"), "loaders[0].kind: unknown value 'package'"),
    (lambda d: d["loaders"][0].pop("call"), "loaders[0]: a loader needs call or call_regex"),
    (lambda d: d["loaders"][0].pop("default"), "`default:` goes with `if_missing: default`"),
    (lambda d: d["loaders"][0].update(default={"a": "b"}), "a mapping default needs default_key"),
    (lambda d: d["loaders"][0].update(call_regex="(unclosed"), "loaders[0].call_regex: bad regular expression"),
    (lambda d: d["schemes"][0].update(name="Bad Name"), "schemes[0].name: 'Bad Name' is not a scheme name"),
    (lambda d: d["schemes"][0].update(kind="weights"), "schemes[0].kind: unknown value 'weights'"),
    (lambda d: d["sources"][0].update(checked="soon"), "sources[0].checked: expected an ISO date"),
])
def test_the_schema_rejects_a_broken_loader_file(mutate: Mutation, expected: str) -> None:
    doc = copy.deepcopy(dict(loaderdata.documents()["insightface"]))
    assert problems("loaders/insightface.yaml", doc) == []
    mutate(doc)
    found = problems("loaders/insightface.yaml", doc)
    assert any(expected in p for p in found), found


def test_the_schema_rejects_broken_rules_and_messages() -> None:
    rules = _load("rules/interactions.yaml")
    rules["rules"][0]["when"]["exceptoin"] = "covers"
    assert any("key 'exceptoin' is not a declared fact (did you mean 'exception'?)" in p
               for p in problems("rules/interactions.yaml", rules))
    acts = _load("rules/acts.yaml")
    acts["acts"]["model"]["train"] = "use_weight"
    assert any("'use_weight' is not one of" in p for p in problems("rules/acts.yaml", acts))
    assert problems("i18n/fr.yaml", {"a": "b"}) == [
        "i18n/fr.yaml: (top level): a message catalogue is named after its language (en, ja), not 'fr'"]
    assert problems("i18n/en.yaml", {"a": ""}) == ["i18n/en.yaml: a: expected non-empty text"]


def test_model_records_need_a_known_id_scheme_and_known_relations() -> None:
    family = {"family": "x", "sources": _good_rule()["sources"],
              "models": [{"id": "nosuch:model"}, {"id": "hf:a/b", "base_models": [{"target": "hf:c/d",
                                                                                    "relation": "merged"}]}]}
    found = problems("models/x.yaml", family)
    assert any("models[0].id: 'nosuch:model' is not a well-formed id" in p for p in found), found
    assert any("models[1].base_models[0]" in p and "'merged'" in p for p in found), found


# --- cross-file rules of one folder ------------------------------------------------------------------


def test_ids_and_aliases_clash_across_licence_files_but_not_within_one() -> None:
    first = {"id": "example", "aliases": ["EXAMPLE", "ex"]}
    assert checks.name_clashes([("licenses/example.yaml", first)]) == []
    clash = checks.name_clashes([("licenses/example.yaml", first),
                                 ("licenses/example-2.yaml", {"id": "example-2", "aliases": ["EX"]})])
    assert clash == ["licenses/example-2.yaml: id: 'EX' is already used by licenses/example.yaml"]
    assert checks.name_clashes([("licenses/a.yaml", {"id": "a", "aliases": ["x", "x"]})])
    assert checks.name_clashes([("licenses/a.yaml", {"id": "a"}), ("licenses/A.yaml", {"id": "A"})])


def test_law_ids_are_unique_across_files_and_parents_exist() -> None:
    jp, de = _load("law/JP.yaml"), _load("law/DE.yaml")
    de["rules"][0]["id"] = jp["rules"][0]["id"]
    clash = checks.law_clashes([("law/JP.yaml", jp), ("law/DE.yaml", de)], check_parents=False)
    assert clash and "is already used by law/JP.yaml" in clash[0]
    assert checks.law_clashes([("law/DE.yaml", _load("law/DE.yaml"))], check_parents=True) == [
        "law/DE.yaml: parent: unknown jurisdiction 'EU'"]


def test_a_store_with_a_clash_fails_to_compile(tmp_path: Path) -> None:
    (tmp_path / "licenses").mkdir()
    for name in ("MIT", "MIT-copy"):
        record = _load("licenses/MIT.yaml") | {"id": name}
        (tmp_path / "licenses" / f"{name}.yaml").write_text(yaml.safe_dump(record), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"licenses/MIT\.yaml: id: 'mit' is already used by licenses/MIT-c"):
        _compile(tmp_path, sorted((tmp_path / "licenses").glob("*.yaml")), overlay=True)
