"""The knowledge lock (issue 11): ``--online`` against a local Hub, then offline from ``modelclear.lock``.

A real HTTP server bound to 127.0.0.1 serves the routes ``huggingface_hub`` calls, with the headers the
Hub sends (read from ``huggingface_hub``'s source): ``GET /api/models/{repo}`` and
``/api/datasets/{repo}`` (with ``expand`` honoured as the Hub does, and ``/revision/{rev}``), and
``/{repo}/resolve/{rev}/README.md`` and ``/datasets/{repo}/resolve/{rev}/README.md`` with
``X-Repo-Commit`` and the blob's ``ETag``; an unknown repository answers 401 ``RepoNotFound`` and a
missing file 404 ``EntryNotFound``, as the Hub does. The command line runs as a user runs it (a
subprocess with ``HF_ENDPOINT`` pointing at the server). The cards are short front matters modelled on
these repositories' public cards (written without network access, so not byte copies; what matters
here is the route and format, not the licence facts); the commit shas are made up for the test.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from modelclear.catalog import lock as lockmod

EXE = Path(sys.executable).with_name("modelclear")

FELLADRIN = """---
language:
- en
license: apache-2.0
tags:
- text-generation
base_model: JackFram/llama-160m
datasets:
- ehartford/wizard_vicuna_70k_unfiltered
- Open-Orca/SlimOrca-Dedup
- THUDM/webglm-qa
pipeline_tag: text-generation
---

# A Llama Chat Model of 160M Parameters
"""

JACKFRAM = """---
license: apache-2.0
language:
- en
datasets:
- wikipedia
pipeline_tag: text-generation
---

## Model description
This is a LLaMA-like model with only 160M parameters trained on Wikipedia and part of the C4-en and
C4-realnewslike datasets.
"""

SLIMORCA = """---
language:
- en
license: mit
task_categories:
- conversational
- text-classification
pretty_name: SlimOrca Dedup
size_categories:
- 100K<n<1M
---
"""

WEBGLM = """---
language:
- en
license: apache-2.0
---
"""

WIZARD = """---
license: apache-2.0
language:
- en
---
"""

STACK = """---
annotations_creators: []
language_creators:
- crowdsourced
- expert-generated
language:
- code
license:
- other
multilinguality:
- multilingual
pretty_name: The-Stack-v2
extra_gated_prompt: |-
  ## Terms of Use for The Stack v2
  The Stack v2 dataset is a collection of source code in over 600 programming languages.
extra_gated_fields:
  Email: text
  I have read the License and agree with its terms: checkbox
---
"""


def _sha(*parts: str) -> str:
    return hashlib.sha1("\0".join(parts).encode()).hexdigest()


class _Repo:
    """One repository as the Hub holds it: its kind, commit, gating and README.md."""

    def __init__(self, repo_id: str, kind: str, card: str | None, gated: Any = False) -> None:
        self.repo_id, self.kind, self.card, self.gated = repo_id, kind, card, gated
        self.sha = _sha(repo_id, card or "")
        self.served_commit = ""  # set to make the file routes name another commit than the API
        self.api_sha = ""  # set to make the API name a commit the file routes do not know

    def info(self) -> dict[str, Any]:
        """The API document (``/api/models/{repo}``), shaped as the Hub returns it."""
        author = self.repo_id.split("/")[0]
        doc: dict[str, Any] = {
            "_id": hashlib.md5(self.repo_id.encode()).hexdigest()[:24], "id": self.repo_id, "author": author,
            "sha": self.api_sha or self.sha, "lastModified": "2024-03-11T09:12:45.000Z", "private": False,
            "disabled": False, "gated": self.gated, "tags": ["license:apache-2.0"], "downloads": 1234, "likes": 5,
            "createdAt": "2023-11-20T12:00:00.000Z",
            "siblings": [{"rfilename": ".gitattributes"}, *([{"rfilename": "README.md"}] if self.card else [])],
        }
        if self.kind == "model":
            doc.update({"modelId": self.repo_id, "pipeline_tag": "text-generation", "library_name": "transformers",
                        "config": {"architectures": ["LlamaForCausalLM"], "model_type": "llama"}})
        return doc


class _Hub(http.server.BaseHTTPRequestHandler):
    repos: ClassVar[dict[tuple[str, str], _Repo]] = {}
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        url = urllib.parse.urlsplit(self.path)
        self.hits.append(url.path)
        path = urllib.parse.unquote(url.path)
        if path.startswith("/api/"):
            self._api(path[len("/api/"):], urllib.parse.parse_qs(url.query), head)
            return
        kind = "model"
        if path.startswith("/datasets/"):
            kind, path = "dataset", path[len("/datasets"):]
        parts = path.strip("/").split("/")
        if len(parts) >= 5 and parts[2] == "resolve":
            repo = self.repos.get((kind, f"{parts[0]}/{parts[1]}"))
            filename = "/".join(parts[4:])
            if repo is None or parts[3] not in ("main", repo.sha):
                self._error(401 if repo is None else 404, "RepoNotFound" if repo is None else "RevisionNotFound")
                return
            if filename != "README.md" or repo.card is None:
                self._error(404, "EntryNotFound", repo.sha)
                return
            body = repo.card.encode()
            blob = hashlib.sha1(b"blob %d\0" % len(body) + body).hexdigest()
            self._send(200, body, "text/plain; charset=utf-8", head,
                       {"X-Repo-Commit": repo.served_commit or repo.sha, "ETag": f'"{blob}"',
                        "Accept-Ranges": "bytes"})
            return
        self._error(404, "EntryNotFound")

    def _api(self, rest: str, query: dict[str, list[str]], head: bool) -> None:
        plural, _, name = rest.partition("/")
        kind = {"models": "model", "datasets": "dataset"}.get(plural)
        name, _, revision = name.partition("/revision/")
        repo = self.repos.get((kind or "", name))
        if repo is None:
            self._error(401, "RepoNotFound")
            return
        if revision and revision not in ("main", repo.sha):
            self._error(404, "RevisionNotFound")
            return
        doc = repo.info()
        expand = query.get("expand")
        if expand:  # the Hub then returns only the fields asked for, with the ids
            doc = {k: v for k, v in doc.items() if k in ("_id", "id", *expand)}
        self._send(200, json.dumps(doc).encode(), "application/json; charset=utf-8", head, {})

    def _error(self, status: int, code: str, commit: str = "") -> None:
        message = {"RepoNotFound": "Repository not found", "EntryNotFound": "Entry not found",
                   "RevisionNotFound": "Invalid rev id"}[code]
        headers = {"X-Error-Code": code, "X-Error-Message": message}
        if commit:
            headers["X-Repo-Commit"] = commit
        self._send(status, json.dumps({"error": message}).encode(), "application/json; charset=utf-8", False, headers)

    def _send(self, status: int, body: bytes, ctype: str, head: bool, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


def _repos() -> dict[tuple[str, str], _Repo]:
    repos = [
        _Repo("Felladrin/Llama-160M-Chat-v1", "model", FELLADRIN),
        _Repo("JackFram/llama-160m", "model", JACKFRAM),
        _Repo("Open-Orca/SlimOrca-Dedup", "dataset", SLIMORCA),
        _Repo("THUDM/webglm-qa", "dataset", WEBGLM),
        _Repo("ehartford/wizard_vicuna_70k_unfiltered", "dataset", WIZARD),
        _Repo("bigcode/the-stack-v2-dedup", "dataset", STACK, gated="auto"),
        _Repo("someone/no-card-model", "model", None),
    ]
    return {(r.kind, r.repo_id): r for r in repos}


class LocalHub:
    """The running server: its address, its repositories (change them to change the Hub) and its log."""

    def __init__(self) -> None:
        _Hub.repos = _repos()
        _Hub.hits = []
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hub)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.running = True

    @property
    def repos(self) -> dict[tuple[str, str], _Repo]:
        return _Hub.repos

    @property
    def hits(self) -> list[str]:
        return _Hub.hits

    def stop(self) -> None:
        if self.running:
            self.server.shutdown()
            self.server.server_close()
            self.running = False


@pytest.fixture
def hub() -> Iterator[LocalHub]:
    server = LocalHub()
    try:
        yield server
    finally:
        server.stop()


def run(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    cmd = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "modelclear.cli"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=180, env=env, cwd=cwd)


def _env(tmp: Path, endpoint: str) -> dict[str, str]:
    """The environment of a user with no token and an empty HF cache, pointed at ``endpoint``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HF_", "HUGGING_FACE", "TRANSFORMERS_")) and k != "MODELCLEAR_CACHE"}
    env.update({"HF_ENDPOINT": endpoint, "HF_HOME": str(tmp / "hf-home"), "MODELCLEAR_CACHE": str(tmp / "mc-cache"),
                "HF_HUB_DISABLE_TELEMETRY": "1", "NO_COLOR": "1"})
    return env


def _project(tmp: Path) -> Path:
    project = tmp / "project"
    (project / "src").mkdir(parents=True)
    (project / "modelclear.toml").write_text('jurisdictions = ["JP"]\nfail-on = "prohibited"\n')
    (project / "src" / "train.py").write_text(
        "from datasets import load_dataset\n"
        "from transformers import AutoModelForCausalLM\n\n"
        'model = AutoModelForCausalLM.from_pretrained("Felladrin/Llama-160M-Chat-v1")\n'
        'code = load_dataset("bigcode/the-stack-v2-dedup")\n')
    return project


def _artifacts(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["artifact"]["id"]: a for a in doc["assessments"]}


# --- the round trip ---------------------------------------------------------------------------------------


def test_online_once_then_offline_from_the_lock_gives_identical_reports(hub: LocalHub, tmp_path: Path) -> None:
    project = _project(tmp_path)
    env = _env(tmp_path, hub.url)
    lock_path = project / "modelclear.lock"
    online: dict[str, str] = {}
    for fmt in ("json", "text", "html", "markdown", "sarif"):
        got = run("scan", ".", "--online", "-f", fmt, env=env, cwd=project)
        assert got.returncode in (0, 2), got.stderr
        assert "Traceback" not in got.stderr
        online[fmt] = got.stdout
    check_online = run("check", "hf:Felladrin/Llama-160M-Chat-v1", "--online", "-f", "json", env=env, cwd=project)
    assert check_online.returncode in (0, 2), check_online.stderr

    # huggingface_hub's real routes were called: the API with expand, then the card at the commit it named
    felladrin = hub.repos[("model", "Felladrin/Llama-160M-Chat-v1")]
    assert "/api/models/Felladrin/Llama-160M-Chat-v1" in hub.hits
    assert f"/Felladrin/Llama-160M-Chat-v1/resolve/{felladrin.sha}/README.md" in hub.hits
    assert "/api/datasets/bigcode/the-stack-v2-dedup" in hub.hits
    # the first run wrote the lock beside the policy; later runs read it and ask the Hub nothing new
    lock = lockmod.Lock.load(lock_path)
    assert {e.id for e in lock.entries.values()} == {
        "hf:Felladrin/Llama-160M-Chat-v1", "hf:JackFram/llama-160m", "hf-dataset:Open-Orca/SlimOrca-Dedup",
        "hf-dataset:THUDM/webglm-qa", "hf-dataset:ehartford/wizard_vicuna_70k_unfiltered",
        "hf-dataset:bigcode/the-stack-v2-dedup"}
    entry = lock.get("hf:Felladrin/Llama-160M-Chat-v1")
    assert entry is not None and entry.revision == felladrin.sha and entry.license == "apache-2.0"
    assert entry.base_models == ("JackFram/llama-160m",) and entry.read_on == _dt.date.today()
    assert entry.source == f"{hub.url}/Felladrin/Llama-160M-Chat-v1/blob/{felladrin.sha}/README.md"
    stack = lock.get("hf-dataset:bigcode/the-stack-v2-dedup")
    assert stack is not None and stack.gated == "auto" and stack.license == "other"
    assert stack.source.startswith(f"{hub.url}/datasets/bigcode/the-stack-v2-dedup/blob/")
    api_calls = [h for h in hub.hits if h.startswith("/api/")]
    assert len(api_calls) == len(set(api_calls)) == 6  # each repository read once, by the first run
    text = lock_path.read_text()
    assert text == lock.dumps()  # deterministic: what is read writes back byte for byte

    hub.stop()
    offline_env = {**env, "HF_HUB_OFFLINE": "1"}
    for fmt, before in online.items():
        again = run("scan", ".", "-f", fmt, env=offline_env, cwd=project)
        assert again.returncode in (0, 2), again.stderr
        assert again.stdout == before, fmt  # no clock in these reports: byte-identical
    check_offline = run("check", "hf:Felladrin/Llama-160M-Chat-v1", "-f", "json", env=offline_env, cwd=project)
    assert check_offline.stdout == check_online.stdout
    assert lock_path.read_text() == text  # an offline run never rewrites the lock

    # the reports say where the facts came from and when they were read
    doc = json.loads(online["json"])
    art = _artifacts(doc)["hf:Felladrin/Llama-160M-Chat-v1"]["artifact"]
    today = _dt.date.today().isoformat()
    assert art["origin"] == "lock" and art["license"] == "Apache-2.0"
    assert art["sources"][0]["checked"] == today and "modelclear.lock" in art["sources"][0]["note"]
    pinned = (f"From modelclear.lock: the Hub card of Felladrin/Llama-160M-Chat-v1 at revision {felladrin.sha[:12]}"
              f", read on {today} (today)")
    assert pinned in " ".join(online["text"].split())  # the terminal report wraps lines
    check_text = run("check", "hf:Felladrin/Llama-160M-Chat-v1", env=offline_env, cwd=project).stdout
    assert pinned in " ".join(check_text.split())
    assert "pinned in modelclear.lock" in online["html"] and "From modelclear.lock" in online["html"]
    assert "From modelclear.lock" in online["markdown"]
    base = _artifacts(doc).get("hf:JackFram/llama-160m") or doc["nodes"][
        next(k for k in doc["nodes"] if k.endswith("hf:JackFram/llama-160m"))]
    assert base["artifact"]["origin"] == "lock"


def test_without_a_lock_offline_the_same_ids_are_unknown(tmp_path: Path) -> None:
    project = _project(tmp_path)
    got = run("check", "hf:Felladrin/Llama-160M-Chat-v1", "-f", "json",
              env=_env(tmp_path, "http://127.0.0.1:9"), cwd=project)
    doc = json.loads(got.stdout)
    assert doc["artifact"]["known"] is False and doc["verdict"] == "unknown"
    assert not (project / "modelclear.lock").exists()


# --- kb refresh -------------------------------------------------------------------------------------------


def test_refresh_reports_a_licence_change_and_updates_the_lock(hub: LocalHub, tmp_path: Path) -> None:
    project = _project(tmp_path)
    env = _env(tmp_path, hub.url)
    first = run("check", "hf:Felladrin/Llama-160M-Chat-v1", "--online", "-f", "json", env=env, cwd=project)
    assert json.loads(first.stdout)["artifact"]["license"] == "Apache-2.0"
    old_sha = hub.repos[("model", "Felladrin/Llama-160M-Chat-v1")].sha

    # the uploader changes the card's licence: a new commit
    hub.repos[("model", "Felladrin/Llama-160M-Chat-v1")] = _Repo(
        "Felladrin/Llama-160M-Chat-v1", "model", FELLADRIN.replace("license: apache-2.0", "license: cc-by-nc-4.0"))
    new_sha = hub.repos[("model", "Felladrin/Llama-160M-Chat-v1")].sha
    # until refreshed, the lock still answers (even online)
    pinned = run("check", "hf:Felladrin/Llama-160M-Chat-v1", "--online", "-f", "json", env=env, cwd=project)
    assert pinned.stdout == first.stdout

    refreshed = run("kb", "refresh", env=env, cwd=project)
    assert refreshed.returncode == 0, refreshed.stderr
    lines = refreshed.stdout.splitlines()
    assert "1 changed (1 licence changes)" in lines[0]
    assert lines[1] == (f"  hf:Felladrin/Llama-160M-Chat-v1: LICENCE CHANGED: license apache-2.0 → cc-by-nc-4.0; "
                        f"revision {old_sha[:12]} → {new_sha[:12]}")
    assert any(line.endswith("hf:JackFram/llama-160m: unchanged") for line in lines)
    entry = lockmod.Lock.load(project / "modelclear.lock").get("hf:Felladrin/Llama-160M-Chat-v1")
    assert entry is not None and entry.license == "cc-by-nc-4.0" and entry.revision == new_sha

    hub.stop()
    after = run("check", "hf:Felladrin/Llama-160M-Chat-v1", "-f", "json", env={**env, "HF_HUB_OFFLINE": "1"},
                cwd=project)
    assert json.loads(after.stdout)["artifact"]["license"] == "CC-BY-NC-4.0"
    # the Hub is gone: refresh keeps every entry, says why, and exits 3
    failed = run("kb", "refresh", "--format", "json", env=env, cwd=project)
    assert failed.returncode == 3
    doc = json.loads(failed.stdout)
    assert {c["status"] for c in doc["changes"]} == {"failed"} and doc["entries"] == 5
    assert lockmod.Lock.load(project / "modelclear.lock").get("hf:Felladrin/Llama-160M-Chat-v1") == entry


def test_refresh_without_a_lock_exits_3(tmp_path: Path) -> None:
    got = run("kb", "refresh", env=_env(tmp_path, "http://127.0.0.1:9"), cwd=tmp_path)
    assert got.returncode == 3 and "run check or scan with --online first" in got.stderr


# --- precedence -------------------------------------------------------------------------------------------


def test_a_reviewed_record_wins_over_the_lock_with_a_warning(tmp_path: Path) -> None:
    entry = lockmod.LockEntry(
        id="hf:TinyLlama/TinyLlama-1.1B-Chat-v1.0", repo="TinyLlama/TinyLlama-1.1B-Chat-v1.0", kind="model",
        revision="f" * 40, read_on=_dt.date(2026, 1, 5), license="cc-by-nc-4.0",
        source="https://huggingface.co/TinyLlama/TinyLlama-1.1B-Chat-v1.0/blob/" + "f" * 40 + "/README.md")
    (tmp_path / "modelclear.lock").write_text(lockmod.dumps([entry]))
    env = _env(tmp_path, "http://127.0.0.1:9")
    got = run("check", "hf:TinyLlama/TinyLlama-1.1B-Chat-v1.0", "-j", "JP", "-f", "json", env=env, cwd=tmp_path)
    art = json.loads(got.stdout)["artifact"]
    assert art["license"] == "Apache-2.0" and art["origin"] == "bundled"
    assert ("warning: modelclear.lock: hf:TinyLlama/TinyLlama-1.1B-Chat-v1.0: the card read on 2026-01-05 says "
            "'cc-by-nc-4.0', the reviewed knowledge base says 'Apache-2.0'; the knowledge base is used") in got.stderr
    # the age of a lock fact is shown in days
    other = lockmod.LockEntry(id="hf:someone/old-model", repo="someone/old-model", kind="model", revision="e" * 40,
                              read_on=_dt.date.today() - _dt.timedelta(days=40), license="mit",
                              source="https://huggingface.co/someone/old-model/blob/" + "e" * 40 + "/README.md")
    (tmp_path / "modelclear.lock").write_text(lockmod.dumps([entry, other]))
    old = run("check", "hf:someone/old-model", "-j", "JP", "-f", "markdown", env=env, cwd=tmp_path)
    assert old.returncode == 0, old.stderr
    assert f"read on {other.read_on.isoformat()} (40 days ago)" in old.stdout and "MIT" in old.stdout


# --- the file ---------------------------------------------------------------------------------------------


def test_lock_text_is_deterministic_sorted_and_escaped() -> None:
    day = _dt.date(2026, 12, 1)
    odd = lockmod.LockEntry(id="hf:b/x", repo="b/x", kind="model", revision="a" * 40, read_on=day,
                            source="https://huggingface.co/b/x/blob/" + "a" * 40 + "/README.md",
                            license="other", license_name='My "licence" \\ v1\n\u202eevil\x7f', gated="manual",
                            tags=("zé", "\U0001d11e"), card_warnings=("ignored a non-text entry in 'tags'",))
    plain = lockmod.LockEntry(id="hf-dataset:A/y", repo="A/y", kind="dataset", revision="b" * 40, read_on=day,
                              source="https://huggingface.co/datasets/A/y/blob/" + "b" * 40 + "/README.md")
    text = lockmod.dumps([odd, plain])
    assert text == lockmod.dumps([plain, odd])
    assert text.index('[artifact."hf-dataset:A/y"]') < text.index('[artifact."hf:b/x"]')
    assert "\\u202E" in text and "\\u007F" in text and "\u202e" not in text and "zé" in text
    assert 'gated = "manual"' in text and "gated = false" in text and "read_on = 2026-12-01" in text
    parsed = lockmod.parse(text)
    assert parsed == {"hf:b/x": odd, "hf-dataset:a/y": plain}
    assert text.startswith("# modelclear.lock") and "\nschema = 1\n" in text


_SHA = "0" * 40
_GOOD = ('schema = 1\n[artifact."hf:a/b"]\nrepo = "a/b"\nkind = "model"\nrevision = "' + _SHA + '"\n'
         'read_on = 2026-12-01\nsource = "https://huggingface.co/a/b"\n')

HOSTILE = {
    "syntax": ("schema = 1\n[artifact.\n", "not valid TOML"),
    "schema-missing": ('[artifact."hf:a/b"]\nrepo = "a/b"\n', "no 'schema' version"),
    "schema-unknown": (_GOOD.replace("schema = 1", "schema = 2"), "lock schema 2 is not supported"),
    "schema-type": (_GOOD.replace("schema = 1", 'schema = "1"'), "'schema' must be an integer"),
    "schema-bool": (_GOOD.replace("schema = 1", "schema = true"), "'schema' must be an integer"),
    "top-key": (_GOOD + "extra = 1\n", "unknown key 'extra'"),
    "artifact-type": ("schema = 1\nartifact = 3\n", "'artifact' must be a table"),
    "entry-type": ('schema = 1\n[artifact]\n"hf:a/b" = 3\n', "must be a table"),
    "bad-id": (_GOOD.replace('"hf:a/b"', '"torchvision:resnet"'), "not a Hub id"),
    "bad-revision": (_GOOD.replace(_SHA, "main"), "40-character commit sha"),
    "license-type": (_GOOD + "license = 3\n", "'license' must be a string, not an integer"),
    "list-type": (_GOOD + 'datasets = "wikipedia"\n', "'datasets' must be a list of strings"),
    "list-items": (_GOOD + "datasets = [1, 2]\n", "'datasets' must be a list of strings"),
    "date-type": (_GOOD.replace("read_on = 2026-12-01", 'read_on = "2026-12-01"'), "'read_on' must be a date"),
    "datetime": (_GOOD.replace("read_on = 2026-12-01", "read_on = 2026-12-01T00:00:00"), "'read_on' must be a date"),
    "gated": (_GOOD + "gated = true\n", "'gated' must be false"),
    "missing": (_GOOD.replace('repo = "a/b"\n', ""), "'repo' is missing"),
    "repo-mismatch": (_GOOD.replace('repo = "a/b"', 'repo = "c/d"'), "'repo' must be the id's repository"),
    "kind-mismatch": (_GOOD.replace('kind = "model"', 'kind = "dataset"'), "'kind' must be 'model'"),
    "source": (_GOOD.replace("https://huggingface.co/a/b", "javascript:alert(1)"), "'source' must be an http"),
    "entry-key": (_GOOD + "licence = \"mit\"\n", "unknown key 'licence'"),
    "duplicate": (_GOOD + _GOOD.split("\n", 1)[1].replace('"hf:a/b"', '"hf:A/B"').replace('"a/b"', '"A/B"'),
                  "appears twice"),
    "nested": ("schema = 1\nx = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    "nested-tables": ("schema = 1\nx = " + "{a=" * 3000 + "1" + "}" * 3000 + "\n", "nested too deeply"),
    "long": (_GOOD + 'license = "' + "x" * 5000 + '"\n', "longer than 4000"),
    "not-utf8": (None, "not UTF-8"),
    "huge": (None, "larger than 4 MiB"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_lock_files_exit_3_with_one_line(case: str, tmp_path: Path) -> None:
    text, expected = HOSTILE[case]
    path = tmp_path / "modelclear.lock"
    if case == "not-utf8":
        path.write_bytes(b"schema = 1\n# \xff\xfe\n")
    elif case == "huge":
        path.write_text(_GOOD + "#" * (lockmod.MAX_LOCK_BYTES + 10) + "\n")
    else:
        assert text is not None
        path.write_text(text)
    with pytest.raises(lockmod.LockError) as caught:
        lockmod.Lock.load(path)
    assert expected in str(caught.value) and "\n" not in str(caught.value)
    if case in ("syntax", "schema-unknown", "license-type", "huge"):  # and the command line: exit 3, no traceback
        got = run("check", "hf:a/b", "-j", "JP", env=_env(tmp_path, "http://127.0.0.1:9"), cwd=tmp_path)
        assert got.returncode == 3 and "Traceback" not in got.stderr
        assert got.stderr.startswith("modelclear: error: bad lock file modelclear.lock: ") and expected in got.stderr
        assert got.stdout == ""


def test_too_many_entries_are_refused(tmp_path: Path) -> None:
    body = "".join(f'[artifact."hf:a/m{i}"]\n' for i in range(lockmod.MAX_ENTRIES + 1))
    with pytest.raises(lockmod.LockError, match="more than 5000 entries"):
        lockmod.parse("schema = 1\n" + body)


def test_explicit_lock_option(tmp_path: Path) -> None:
    env = _env(tmp_path, "http://127.0.0.1:9")
    missing = run("check", "hf:a/b", "-j", "JP", "--lock", "nowhere.lock", env=env, cwd=tmp_path)
    assert missing.returncode == 3 and "no such lock file: nowhere.lock" in missing.stderr
    (tmp_path / "elsewhere.lock").write_text(_GOOD + 'license = "mit"\n')
    got = run("check", "hf:a/b", "-j", "JP", "-f", "json", "--lock", "elsewhere.lock", env=env, cwd=tmp_path)
    art = json.loads(got.stdout)["artifact"]
    assert got.returncode == 0 and art["origin"] == "lock" and art["license"] == "MIT"
    assert "pinned in elsewhere.lock" in art["sources"][0]["note"]


# --- the Hub reader ---------------------------------------------------------------------------------------


def test_missing_repository_and_missing_card(hub: LocalHub, tmp_path: Path) -> None:
    project = _project(tmp_path)
    env = _env(tmp_path, hub.url)
    missing = run("check", "hf:nobody/missing-model", "--online", "-f", "json", env=env, cwd=project)
    assert json.loads(missing.stdout)["artifact"]["known"] is False
    assert ("modelclear: warning: hf:nobody/missing-model: cannot read model nobody/missing-model from the Hub "
            "(HTTP 401)") in missing.stderr
    assert not (project / "modelclear.lock").exists()  # nothing read, nothing pinned

    bare = run("check", "hf:someone/no-card-model", "--online", "-f", "json", env=env, cwd=project)
    art = json.loads(bare.stdout)["artifact"]
    assert art["origin"] == "lock" and art["license"] == "unknown"  # a repository without a card declares nothing
    entry = lockmod.Lock.load(project / "modelclear.lock").get("hf:someone/no-card-model")
    assert entry is not None and entry.license == "" and entry.card_warnings == ("card has no YAML front matter",)
    assert "/someone/no-card-model/resolve/" + hub.repos[("model", "someone/no-card-model")].sha + "/README.md" \
        in hub.hits


def test_read_repo_refuses_a_card_of_another_commit(hub: LocalHub, monkeypatch: pytest.MonkeyPatch) -> None:
    from modelclear.catalog.hfhub import read_repo

    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    good = read_repo("JackFram/llama-160m", endpoint=hub.url, today=_dt.date(2026, 12, 1))
    repo = hub.repos[("model", "JackFram/llama-160m")]
    assert good.ok and good.revision == repo.sha and good.read_on == _dt.date(2026, 12, 1)
    assert good.text == JACKFRAM and good.gated == "" and good.last_modified == "2024-03-11T09:12:45+00:00"
    assert good.source_url == f"{hub.url}/JackFram/llama-160m/blob/{repo.sha}/README.md"
    gated = read_repo("bigcode/the-stack-v2-dedup", "dataset", endpoint=hub.url)
    assert gated.ok and gated.gated == "auto"

    # the API names one commit, the file route says it served another: refused, not mixed
    repo.served_commit = "1" * 40
    moved = read_repo("JackFram/llama-160m", endpoint=hub.url)
    assert not moved.ok and moved.reason == "the Hub served the card of JackFram/llama-160m at another commit"
    # a commit the API names but the file routes do not know (404 RevisionNotFound) is a failure, not "no card"
    repo.served_commit, repo.api_sha = "", "2" * 40
    gone = read_repo("JackFram/llama-160m", endpoint=hub.url)
    assert not gone.ok and gone.reason == "the Hub answered HTTP 404 for the card of JackFram/llama-160m"
    assert f"/JackFram/llama-160m/resolve/{'2' * 40}/README.md" in hub.hits

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    offline = read_repo("JackFram/llama-160m", endpoint=hub.url)
    assert not offline.ok and "offline" in offline.reason


def test_every_format_and_japanese_mark_lock_facts(tmp_path: Path) -> None:
    day = _dt.date.today() - _dt.timedelta(days=3)
    entry = lockmod.LockEntry(id="hf:someone/pinned-model", repo="someone/pinned-model", kind="model",
                              revision="c" * 40, read_on=day, license="mit",
                              source="https://huggingface.co/someone/pinned-model/blob/" + "c" * 40 + "/README.md")
    (tmp_path / "modelclear.lock").write_text(lockmod.dumps([entry]))
    env = _env(tmp_path, "http://127.0.0.1:9")
    pinned = (f"From modelclear.lock: the Hub card of someone/pinned-model at revision cccccccccccc, read on {day} "
              "(3 days ago)")

    def out(*args: str) -> str:
        got = run("check", "hf:someone/pinned-model", "-j", "JP", *args, env=env, cwd=tmp_path)
        assert got.returncode == 0, got.stderr
        return got.stdout

    assert pinned in " ".join(out().split())
    sarif = json.loads(out("-f", "sarif"))
    assert sarif["runs"][0]["results"][0]["properties"]["lock"].startswith(pinned)
    bom = json.loads(out("-f", "cyclonedx"))
    props = {p["name"]: p["value"] for c in bom["components"] for p in c.get("properties", [])}
    assert props["modelclear:lock"].startswith(pinned)
    ja = " ".join(out("--lang", "ja").split())
    assert (f"modelclear.lock による：Hub 上の someone/pinned-model のカード（リビジョン cccccccccccc）を "
            f"{day}（3日前）") in ja


def test_a_lock_too_large_to_read_back_is_not_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    lock = lockmod.Lock(tmp_path / "modelclear.lock")
    for i in range(3):
        lock.put(lockmod.LockEntry(id=f"hf:a/m{i}", repo=f"a/m{i}", kind="model", revision="d" * 40,
                                   read_on=_dt.date(2026, 12, 1), source=f"https://huggingface.co/a/m{i}"))
    monkeypatch.setattr(lockmod, "MAX_ENTRIES", 2)
    with pytest.raises(OSError) as caught:
        lock.save()
    assert caught.value.errno == errno.EFBIG and "more than a lock may be" in str(caught.value.strerror)
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary file left
    monkeypatch.setattr(lockmod, "MAX_ENTRIES", 3)
    lock.save()
    assert len(lockmod.Lock.load(tmp_path / "modelclear.lock").entries) == 3
