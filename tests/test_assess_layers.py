"""The legal layers' one interface, the declared fact vocabulary, and the checked loading of the rules.

- every bundled rules file loads, and a rules file with a misspelt ``when:`` key (or a bad value, an
  unknown layer, mode or status) fails to load with an error naming the file, the rule and the key;
- every layer is registered, takes a ``Context`` and returns its ``Finding``; the facts the context
  and the layers publish are exactly the declared ones;
- the regulatory duties (EU AI Act Art. 53, CN Interim Measures) come from their own module and are
  still shown under the copyright layer.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelclear import ids, lineage
from modelclear.assess import LAYERS, layers, regulatory, rules
from modelclear.assess.context import Context
from modelclear.assess.facts import FACTS, check_published
from modelclear.catalog import Catalog, KnowledgeBase
from modelclear.catalog.bundled import DATA_DIR
from modelclear.catalog.records import RecordError
from modelclear.knowledge.schema import OverlayError
from modelclear.model import Activity, Finding, Layer, Purpose, Scenario
from modelclear.service import Service

RULES_DIR = DATA_DIR / "rules"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "knowledge-format.md"
AS_OF = dt.date(2026, 12, 1)
LLAMA = "hf:meta-llama/Llama-2-7b-hf"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def _scenario(jurisdiction: str, activity: str = "train", purpose: str = "commercial") -> Scenario:
    return Scenario(jurisdiction=jurisdiction, activity=Activity(activity), purpose=Purpose(purpose), as_of=AS_OF)


def _context(kb: KnowledgeBase, artifact_id: str, scenario: Scenario) -> Context:
    catalog = Catalog(kb=kb)
    artifact = catalog.lookup(catalog.resolve(ids.parse(artifact_id)))
    assert artifact is not None, artifact_id
    graph = lineage.forest(catalog, [artifact.id]).graph(artifact.id)
    return Context(kb=kb, scenario=scenario, artifact=artifact, lineage=graph)


def _interactions() -> dict[str, Any]:
    data = yaml.safe_load((RULES_DIR / "interactions.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _write(tmp_path: Path, name: str, data: Any) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- rules load against the vocabulary -------------------------------------------------------------


def test_every_bundled_rules_file_loads(kb: KnowledgeBase) -> None:
    files = sorted(RULES_DIR.glob("*.yaml"))
    assert {p.stem for p in files} >= {"interactions", "acts"}
    known = {"jurisdictions": frozenset(kb.jurisdictions())}
    for path in files:
        rules.load_file(path, known)  # raises on any problem
    loaded = rules.for_kb(kb)
    assert [r.id for r in loaded] == [r["id"] for r in _interactions()["rules"]]
    assert {"R1", "R2", "R6", "R7"} <= {r.id for r in loaded}
    assert all(set(r.when) <= set(FACTS) for r in loaded)


def test_a_misspelt_when_key_fails_the_load(tmp_path: Path) -> None:
    data = _interactions()
    r1 = data["rules"][0]
    r1["when"] = {("licence_yields" if k == "license_yields" else k): v for k, v in r1["when"].items()}
    path = _write(tmp_path, "interactions.yaml", data)
    with pytest.raises(rules.RuleError) as err:
        rules.load_file(path)
    text = str(err.value)
    assert "rules/interactions.yaml" in text and "'R1'" in text and "'licence_yields'" in text
    assert "did you mean 'license_yields'" in text


@pytest.mark.parametrize(("when", "complaint"), [
    ({"kind": "datasets"}, "'datasets' is not one of"),
    ({"license_yields": "true"}, "expects true or false"),
    ({"exception": ["covers", "covered"]}, "'covered' is not one of"),
    ({"act": "analyse"}, "'analyse' is not one of"),
    ({"jurisdiction": "GB"}, "not a jurisdiction with a law file"),
    ({"jurisdiction": "japan"}, "not a jurisdiction code"),
    ({"contract_status": []}, "empty list"),
])
def test_a_bad_when_value_fails_the_load(kb: KnowledgeBase, when: dict[str, Any], complaint: str) -> None:
    raw = {"rules": [{"id": "X1", "when": when, "then": [{"layer": "license", "mode": "note"}],
                      "summary": {"en": "x", "ja": "x"}}]}
    known = {"jurisdictions": frozenset(kb.jurisdictions())} if when.get("jurisdiction") == "GB" else None
    with pytest.raises(rules.RuleError, match=re.escape(complaint)) as err:
        rules.parse(raw, "rules/test.yaml", known)
    assert "rules/test.yaml: rule 'X1'.when." in str(err.value)


@pytest.mark.parametrize(("rule", "complaint"), [
    ({"then": [{"layer": "licence", "mode": "note"}]}, "'licence' is not one of"),
    ({"then": [{"layer": "license", "mode": "flor", "status": "uncertain"}]}, "'flor' is not one of"),
    ({"then": [{"layer": "license", "mode": "cap", "status": "maybe"}]}, "'maybe' is not one of"),
    ({"then": [{"layer": "license", "mode": "cap"}]}, "needs a status"),
    ({"then": [{"layer": "license", "mode": "note", "staus": "x"}]}, "unknown key 'staus'"),
    ({"then": []}, "'when' and 'then' must both be given"),
    ({"wehn": {"kind": "model"}}, "unknown key 'wehn' (did you mean 'when'?)"),
    ({"summary": None}, "missing text"),
])
def test_a_bad_rule_fails_the_load(rule: dict[str, Any], complaint: str) -> None:
    base = {"id": "X2", "when": {"kind": "model"}, "then": [{"layer": "license", "mode": "note"}],
            "summary": {"en": "x", "ja": "x"}}
    raw = {"rules": [{**base, **rule}]}
    with pytest.raises(rules.RuleError, match=re.escape(complaint)):
        rules.parse(raw, "rules/test.yaml")


def test_a_citation_only_rule_loads_and_never_fires() -> None:
    (r6,) = rules.parse({"rules": [{"id": "R6", "when": {}, "then": [], "summary": {"en": "x", "ja": "y"}}]}, "t")
    assert not r6.when and not r6.then and rules.apply([r6], {}, {}) == []


@pytest.mark.parametrize(("change", "complaint"), [
    (lambda d: d["acts"]["model"].update(deply="use_weights"), "'deply' is not one of"),
    (lambda d: d["acts"]["dataset"].update(train="analyze"), "'analyze' is not one of"),
    (lambda d: d["default_effects"].update(distribute_data="needs_license"), "did you mean 'needs_licence'"),
    (lambda d: d.update(product_activity=["deploy"]), "unknown key 'product_activity'"),
    (lambda d: d.update(derivative_relations=["finetuned"]), "'finetuned' is not one of"),
])
def test_a_bad_acts_file_fails_the_load(tmp_path: Path, change: Any, complaint: str) -> None:
    data = yaml.safe_load((RULES_DIR / "acts.yaml").read_text(encoding="utf-8"))
    change(data)
    with pytest.raises(rules.RuleError, match=re.escape(complaint)) as err:
        rules.load_file(_write(tmp_path, "acts.yaml", data))
    assert str(err.value).startswith("rules/acts.yaml")


def test_an_overlay_with_a_misspelt_key_fails_when_its_rules_load(tmp_path: Path) -> None:
    data = _interactions()
    data["rules"][1]["when"]["jurisdiction_famly"] = data["rules"][1]["when"].pop("jurisdiction_family")
    _write(tmp_path, "interactions.yaml", data)
    # The overlay is checked against the knowledge schema as it loads: the user's data is at fault
    # (exit 3 through the service), and the message names the file, the rule and the key.
    with pytest.raises(OverlayError, match=r"rules/interactions\.yaml: .*rule 'R2'\.when: key 'jurisdiction_famly' "
                                           r"is not a declared fact"):
        KnowledgeBase.load(overlays=[tmp_path], use_cache=False)
    with pytest.raises(rules.RuleError, match=r"rule 'R2'\.when: key 'jurisdiction_famly' is not a declared fact"):
        rules.parse(data, "rules/interactions.yaml")
    # A problem in the knowledge base (reported as such by the CLI), not an internal error.
    assert issubclass(rules.RuleError, RecordError)


# --- one layer interface -----------------------------------------------------------------------------


def test_every_layer_is_registered_in_layer_order() -> None:
    assert layers.load() == tuple(Layer) == LAYERS
    assert set(layers.PLUGINS) >= {"copyright", "contract", "license", "provenance", "regulatory"}


def test_a_layer_has_one_assessment() -> None:
    def impostor(ctx: Context) -> Finding:
        raise AssertionError("never run")

    expected = "'copyright' is already registered by modelclear.assess.copyright.assess"
    with pytest.raises(ValueError, match=re.escape(expected)):
        layers.layer(Layer.COPYRIGHT)(impostor)
    assert layers.load() == tuple(Layer)


@pytest.mark.parametrize(("artifact_id", "jurisdiction", "activity"), [
    ("dataset:imagenet-1k", "JP", "train"),
    (LLAMA, "EU", "train"),
    ("dataset:laion-5b", "US", "distribute"),
])
def test_layers_share_one_interface_and_publish_declared_facts(kb: KnowledgeBase, artifact_id: str,
                                                               jurisdiction: str, activity: str) -> None:
    ctx = _context(kb, artifact_id, _scenario(jurisdiction, activity))
    findings = layers.run(ctx)
    assert list(findings) == list(Layer)
    for which, finding in findings.items():
        assert isinstance(finding, Finding) and finding.layer is which
    # Every declared fact is computed by the context or published by its layer, and nothing else is.
    assert set(ctx.facts) == set(FACTS)
    for name, value in ctx.facts.items():
        assert FACTS[name].check(value, {"jurisdictions": kb.jurisdictions()}) is None, (name, value)
        assert FACTS[name].set_by in ("context", *(x.value for x in Layer))


def test_publishing_an_undeclared_fact_fails(kb: KnowledgeBase) -> None:
    ctx = _context(kb, "dataset:imagenet-1k", _scenario("JP"))
    with pytest.raises(KeyError, match="contract_stauts"):
        ctx.publish(contract_stauts="allowed")
    with pytest.raises(TypeError, match="license_yields"):
        check_published("license_yields", "yes")


def test_every_fact_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [name for name in FACTS if f"`{name}`" not in text]
    assert not missing, f"docs/knowledge-format.md does not list the facts {missing}"


# --- regulatory duties --------------------------------------------------------------------------------


@pytest.mark.parametrize(("jurisdiction", "activity", "citation"), [
    ("EU", "train", "AI Act) Art. 53(1)(c)"),
    ("DE", "distribute", "AI Act) Art. 53(1)(d)"),
    ("CN", "serve", "Interim Measures"),
])
def test_regulatory_duties_come_from_their_module_and_show_under_copyright(
        kb: KnowledgeBase, jurisdiction: str, activity: str, citation: str) -> None:
    ctx = _context(kb, LLAMA, _scenario(jurisdiction, activity))
    caveats, citations = regulatory.caveats(ctx)
    assert caveats and all(c.key == "copyright.regulatory" for c in caveats)
    assert any(citation in str(c.params["citation"]) for c in caveats)
    assert len(citations) == len(caveats)
    found = Service(catalog=Catalog(kb=kb)).assess(ids.parse(LLAMA), [_scenario(jurisdiction, activity)])[0]
    copyright_finding = found.layer(Layer.COPYRIGHT)
    assert all(c in copyright_finding.caveats for c in caveats)
    assert all(c not in f.caveats for f in found.layers if f.layer is not Layer.COPYRIGHT for c in caveats)


def test_no_regulatory_duty_outside_its_scope(kb: KnowledgeBase) -> None:
    assert regulatory.caveats(_context(kb, LLAMA, _scenario("JP")))[0] == []
    assert regulatory.caveats(_context(kb, LLAMA, _scenario("EU", "evaluate")))[0] == []
    before = Scenario(jurisdiction="EU", activity=Activity.TRAIN, purpose=Purpose.COMMERCIAL,
                      as_of=dt.date(2025, 1, 1))
    assert regulatory.caveats(_context(kb, LLAMA, before))[0] == []
