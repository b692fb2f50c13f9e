"""The web UI and JSON API (``modelclear web``), through FastAPI's TestClient on the real app and knowledge base."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from modelclear import api, cli
from modelclear.report import Report
from modelclear.report.data import check_document
from modelclear.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "src" / "modelclear" / "web"
SCHEMA = ROOT / "src" / "modelclear" / "report" / "schema" / "check-1.json"

IMAGENET_TRAIN = {"id": "dataset:imagenet-1k", "jurisdiction": "JP", "activity": "train", "purpose": "commercial"}
RESNET_DEPLOY = {"id": "torchvision:ResNet50_Weights.IMAGENET1K_V2", "jurisdiction": "JP", "activity": "deploy",
                 "purpose": "commercial"}
XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(), raise_server_exceptions=True)


def validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")),
                                format_checker=jsonschema.FormatChecker())


def layer(doc: dict, name: str) -> dict:  # type: ignore[type-arg]
    return next(x for x in doc["layers"] if x["layer"] == name)


# --- the two ImageNet cases ------------------------------------------------------------------------


def test_training_on_imagenet_for_a_product_is_prohibited_by_contract(client: TestClient) -> None:
    r = client.get("/api/check", params=IMAGENET_TRAIN)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    doc = r.json()
    validator().validate(doc)
    assert doc["schema"] == "modelclear/check/1"
    assert (doc["verdict"], doc["risk"]) == ("prohibited", "high")
    assert layer(doc, "contract")["status"] == "prohibited"
    assert layer(doc, "copyright")["status"] == "allowed"  # Art. 30-4: not copyright
    assert doc["artifact"]["id"] == "dataset:imagenet-1k"


def test_using_torchvision_imagenet_weights_in_a_product_is_allowed(client: TestClient) -> None:
    doc = client.get("/api/check", params=RESNET_DEPLOY).json()
    validator().validate(doc)
    assert (doc["verdict"], doc["risk"]) == ("allowed", "low")
    assert doc["lineage"]["children"][0]["id"] == "dataset:imagenet-1k"


def test_api_check_is_exactly_the_check_document(client: TestClient) -> None:
    doc = client.get("/api/check", params=RESNET_DEPLOY).json()
    kb = api.load_knowledge()
    a = api.check(RESNET_DEPLOY["id"], "JP", "deploy", "commercial")
    expected = check_document(Report(command="check", assessments=(a,), knowledge_as_of=kb.knowledge_as_of()))
    assert doc == json.loads(json.dumps(expected))


def test_several_jurisdictions_give_one_document_each(client: TestClient) -> None:
    r = client.get("/api/check", params=[("id", "dataset:imagenet-1k"), ("jurisdiction", "JP"),
                                         ("jurisdiction", "EU,US"), ("activity", "train")])
    docs = r.json()
    assert r.status_code == 200 and isinstance(docs, list)
    assert [d["scenario"]["jurisdiction"] for d in docs] == ["JP", "EU", "US"]
    for d in docs:
        validator().validate(d)


def test_accepted_terms_and_obtained_on_reach_the_scenario(client: TestClient) -> None:
    doc = client.get("/api/check", params={**RESNET_DEPLOY, "accepted": "dataset:imagenet-1k",
                                           "obtained_on": "2024-05-01"}).json()
    assert doc["scenario"]["accepted"] == ["dataset:imagenet-1k"]
    assert doc["scenario"]["obtained_on"] == "2024-05-01"
    assert any(r["code"] == "contract.upstream_accepted" for r in layer(doc, "contract")["reasons"])


# --- pages ------------------------------------------------------------------------------------------


def test_check_page_shows_verdict_layers_citations_and_lineage(client: TestClient) -> None:
    r = client.get("/check", params=RESNET_DEPLOY)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert 'data-verdict="allowed"' in html
    for label in ("Copyright", "Contract", "Licence", "Provenance", "Why", "Sources"):
        assert label in html
    assert re.search(r'<a href="https://[^"]+" rel="noreferrer noopener"', html)
    assert '<figure class="graph"' in html and 'data-id="dataset:imagenet-1k"' in html  # the graph.py SVG
    assert "/api/check?id=torchvision%3AResNet50_Weights.IMAGENET1K_V2" in html


def test_imagenet_page_names_the_contract(client: TestClient) -> None:
    html = client.get("/check", params=IMAGENET_TRAIN).text
    assert 'data-verdict="prohibited"' in html
    assert "Decided by: Contract" in html
    assert "ImageNet Terms of Access" in html


def test_japanese_page(client: TestClient) -> None:
    r = client.get("/check", params={**IMAGENET_TRAIN, "lang": "ja"})
    assert r.status_code == 200
    assert '<html lang="ja">' in r.text
    assert "判定" in r.text and "利用不可" in r.text and "契約" in r.text
    assert "法的助言ではありません" in r.text
    front = client.get("/", params={"lang": "ja"}).text
    assert "判定する" in front and "行為を行う法域" in front


def test_front_page_form(client: TestClient) -> None:
    html = client.get("/").text
    assert '<form class="qform" action="/check" method="get"' in html
    assert 'list="id-suggestions"' in html and '<option value="dataset:imagenet-1k">' in html
    select = re.search(r'<select id="f-jurisdiction" name="jurisdiction" multiple.*?</select>', html, re.S)
    assert select is not None
    codes = re.findall(r'<option value="([A-Z]{2})"', select.group(0))
    assert codes == api.load_knowledge().jurisdictions()
    assert '<option value="JP" selected>' in select.group(0)
    for activity in ("train", "finetune", "distill", "evaluate", "deploy", "serve", "distribute", "outputs"):
        assert f'<option value="{activity}"' in html
    assert 'type="date"' in html and 'name="accepted"' in html


def test_form_is_prefilled_from_the_query(client: TestClient) -> None:
    html = client.get("/", params={"id": "dataset:imagenet-1k", "jurisdiction": "EU", "activity": "train"}).text
    assert 'value="dataset:imagenet-1k" required' in html
    assert '<option value="EU" selected>' in html and '<option value="JP" selected>' not in html
    assert '<option value="train" selected>' in html


def test_unknown_id_is_an_answer(client: TestClient) -> None:
    params = {"id": "hf:nobody/no-such-model", "jurisdiction": "JP"}
    r = client.get("/api/check", params=params)
    assert r.status_code == 200
    doc = r.json()
    validator().validate(doc)
    assert doc["verdict"] == "unknown" and doc["artifact"]["known"] is False
    page = client.get("/check", params=params)
    assert page.status_code == 200 and 'data-verdict="unknown"' in page.text
    assert "not in the knowledge base" in page.text


# --- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("params", "code"), [
    ({"id": "not an id", "jurisdiction": "JP"}, "malformed_id"),
    ({"id": "dataset:imagenet-1k", "jurisdiction": "XX"}, "unknown_jurisdiction"),
    ({"id": "dataset:imagenet-1k", "jurisdiction": "JP", "activity": "sell"}, "unknown_activity"),
    ({"id": "dataset:imagenet-1k", "jurisdiction": "JP", "purpose": "fun"}, "unknown_purpose"),
    ({"id": "dataset:imagenet-1k", "jurisdiction": "JP", "obtained_on": "2024-13-01"}, "bad_date"),
    ({"id": "dataset:imagenet-1k", "jurisdiction": "JP", "lang": "fr"}, "bad_lang"),
    ({"id": "", "jurisdiction": "JP"}, "missing_id"),
    ({"id": "dataset:imagenet-1k"}, "missing_jurisdiction"),
    ({"id": "hf:" + "x" * 600, "jurisdiction": "JP"}, "id_too_long"),
])
def test_bad_input_is_a_400_with_a_clear_message(client: TestClient, params: dict, code: str) -> None:  # type: ignore[type-arg]
    r = client.get("/api/check", params=params)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == code and len(error["message"]) > 15
    page = client.get("/check", params=params)
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "The question could not be answered" in page.text and "Traceback" not in page.text
    assert '<form class="qform"' in page.text  # the form is shown again to correct the input


def test_unknown_jurisdiction_message_lists_the_known_ones(client: TestClient) -> None:
    error = client.get("/api/check", params={"id": "dataset:imagenet-1k", "jurisdiction": "XX"}).json()["error"]
    assert "XX" in error["message"] and "JP" in error["message"] and "EU" in error["message"]
    ja = client.get("/api/check", params={"id": "dataset:imagenet-1k", "jurisdiction": "XX", "lang": "ja"})
    assert "不明な法域" in ja.json()["error"]["message"]


def test_an_eu_member_state_is_a_known_jurisdiction(client: TestClient) -> None:
    doc = client.get("/api/check", params={"id": "dataset:imagenet-1k", "jurisdiction": "FR",
                                           "activity": "train"}).json()
    assert doc["scenario"]["jurisdiction"] == "FR" and doc["verdict"] == "prohibited"


def test_missing_pages_are_404_without_traceback(client: TestClient) -> None:
    r = client.get("/no/such/page")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "There is nothing at this address." in r.text
    r = client.get("/api/no-such")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.post("/api/check")
    assert r.status_code == 405 and r.json()["error"]["code"] == "http"


# --- escaping ------------------------------------------------------------------------------------------


def test_script_in_a_malformed_id_is_escaped(client: TestClient) -> None:
    r = client.get("/check", params={"id": XSS, "jurisdiction": "JP"})
    assert r.status_code == 400
    assert XSS not in r.text and "<script>alert" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


def test_script_in_a_wellformed_unknown_id_is_escaped(client: TestClient) -> None:
    evil = 'url:https://example.com/"><script>alert(1)</script>'
    r = client.get("/check", params={"id": evil, "jurisdiction": "JP"})
    assert r.status_code == 200 and 'data-verdict="unknown"' in r.text
    assert "<script>alert" not in r.text and '"><script' not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


def test_script_in_explain_and_search_is_escaped(client: TestClient) -> None:
    for r in (client.get("/explain/" + XSS), client.get("/explain", params={"q": XSS}),
              client.get("/", params={"id": XSS, "accepted": XSS, "obtained_on": XSS}),
              client.get("/check", params={**IMAGENET_TRAIN, "accepted": '"><img src=x onerror=alert(1)>'})):
        assert "<script>alert" not in r.text and "<img src=x" not in r.text


def test_security_headers_and_no_external_resources(client: TestClient) -> None:
    r = client.get("/check", params=RESNET_DEPLOY)
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', r.text)
    assert "<style" not in r.text and " style=" not in r.text and "onclick" not in r.text
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/app.js").status_code == 200
    assert "http" not in (WEB / "static" / "style.css").read_text(encoding="utf-8")


# --- search and explain --------------------------------------------------------------------------------


def test_search_finds_imagenet(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "imagenet"})
    assert r.status_code == 200
    results = r.json()["results"]
    assert results[0] == {"id": "dataset:imagenet-1k", "name": "ImageNet-1k (ILSVRC 2012)", "kind": "dataset"}
    only = client.get("/api/search", params={"q": "imagenet", "kind": "artifact", "limit": 5}).json()["results"]
    assert len(only) == 5 and all(x["kind"] in ("model", "dataset", "package") for x in only)
    assert client.get("/api/search", params={"q": "mit", "kind": "license"}).json()["results"][0]["id"] == "license:MIT"
    assert client.get("/api/search", params={"q": ""}).json()["results"] == []


def test_search_rejects_bad_parameters(client: TestClient) -> None:
    assert client.get("/api/search", params={"q": "x", "limit": "many"}).status_code == 400
    assert client.get("/api/search", params={"q": "x", "limit": "0"}).status_code == 400
    assert client.get("/api/search", params={"q": "x", "kind": "planet"}).json()["error"]["code"] == "bad_kind"


def test_explain_pages(client: TestClient) -> None:
    law = client.get("/explain/law:JP")
    assert law.status_code == 200 and "Art. 30-4" in law.text and "law:JP" in law.text
    mit = client.get("/explain/license:MIT", params={"lang": "ja"})
    assert mit.status_code == 200 and "許諾型ライセンス" in mit.text
    art = client.get("/explain/torchvision:resnet50")
    assert art.status_code == 200 and "ResNet50_Weights.IMAGENET1K_V2" in art.text
    assert 'href="/explain/dataset:imagenet-1k?lang=en"' in art.text  # its training data, linked
    imagenet = client.get("/explain/dataset:imagenet-1k")
    assert 'href="/explain/license:imagenet-terms?lang=en"' in imagenet.text
    assert 'href="https://image-net.org/download.php"' in imagenet.text
    missing = client.get("/explain/nothing-here-xyz")
    assert missing.status_code == 404 and "is not in the knowledge base" in missing.text


def test_explain_search_page(client: TestClient) -> None:
    html = client.get("/explain", params={"q": "imagenet"}).text
    assert 'href="/explain/dataset:imagenet-1k?lang=en"' in html
    assert client.get("/explain", params={"id": "law:JP"}, follow_redirects=False).status_code == 303


def test_api_explain(client: TestClient) -> None:
    r = client.get("/api/explain", params={"id": "law:JP"})
    assert r.status_code == 200 and r.json()["found"] is True and r.json()["kind"] == "law"
    r = client.get("/api/explain", params={"id": "license:MIT"})
    assert r.json()["record"]["spdx"] == "MIT"
    r = client.get("/api/explain", params={"id": "nothing-here-xyz"})
    assert r.status_code == 404 and r.json() == {"found": False, "query": "nothing-here-xyz"}
    assert client.get("/api/explain").status_code == 400


def test_healthz(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and re.fullmatch(r"\d{4}-\d\d-\d\d", body["knowledge_as_of"])


# --- strings and the command -----------------------------------------------------------------------------


def test_every_ui_string_in_the_templates_exists_in_both_languages() -> None:
    cat = api.load_knowledge().i18n
    used: set[str] = set()
    prefixes: set[str] = set()
    for path in (WEB / "templates").glob("*.j2"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r't\("((?:web|ui)\.[a-z_.]+[a-z_])"', text))
        prefixes |= set(re.findall(r't\("((?:web|ui)\.[a-z_.]+\.)" \+', text))
    for path in WEB.glob("*.py"):
        used |= {f"web.error.{c}" for c in re.findall(r'BadInput\("([a-z_]+)"', path.read_text(encoding="utf-8"))}
    assert len(used) > 40
    missing = sorted(k for k in used if k not in cat["en"] or k not in cat["ja"])
    assert not missing, missing
    for prefix in prefixes:
        assert any(k.startswith(prefix) for k in cat["en"]), prefix
    for kind in ("artifact", "license", "law", "platform"):
        assert f"web.explain.kind.{kind}" in cat["ja"]
    for code in ("not_found", "http", "internal"):
        assert f"web.error.{code}" in cat["ja"]


def test_web_command_rejects_a_bad_port() -> None:
    assert cli.main(["web", "--port", "0"]) == cli.EXIT_USAGE
    assert cli.main(["web", "--port", "70000"]) == cli.EXIT_USAGE


def test_explain_page_field_names_are_translated(client: TestClient) -> None:
    """Issue 15: the record's keys read in the page's language (the raw key stays as the title)."""
    import re

    ja = client.get("/explain/dataset:imagenet-1k", params={"lang": "ja"}).text
    keys = re.findall(r"<dt[^>]*>([^<]*)</dt>", ja)
    assert "出典" in keys and "利用条件" in keys and "sources" not in keys and "terms" not in keys
    assert '<dt title="sources">出典</dt>' in ja
    law = client.get("/explain/law:JP", params={"lang": "ja"}).text
    assert not [k for k in re.findall(r"<dt[^>]*>([^<]*)</dt>", law) if re.fullmatch(r"[a-z_]+", k)]
    en = client.get("/explain/dataset:imagenet-1k").text
    assert '<dt title="sources">sources</dt>' in en
