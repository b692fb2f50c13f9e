"""The knowledge lock in the Python API and the check service (issue 11): ``modelclear.api`` honours
``modelclear.lock`` as the command line does, and a lock entry that the reviewed knowledge overrides is
stated in the report itself (its warnings), not only on stderr.

The online part runs against the real local HTTP server of ``tests/test_lock.py`` (the Hub's API and
file routes), in a subprocess with ``HF_ENDPOINT`` pointing at it, as a user's script would run.
"""

from __future__ import annotations

import datetime as _dt
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_lock import LocalHub, _env, _project, hub, run  # noqa: F401  (hub: the local Hub server fixture)

from modelclear import api
from modelclear.catalog import lock as lockmod
from modelclear.service import UsageError, default_catalog

TINY = "hf:TinyLlama/TinyLlama-1.1B-Chat-v1.0"


def _overridden_entry() -> lockmod.LockEntry:
    """A lock entry whose card licence the reviewed record of TinyLlama (Apache-2.0) overrides."""
    return lockmod.LockEntry(
        id=TINY, repo="TinyLlama/TinyLlama-1.1B-Chat-v1.0", kind="model", revision="f" * 40,
        read_on=_dt.date(2026, 1, 5), license="cc-by-nc-4.0",
        source="https://huggingface.co/TinyLlama/TinyLlama-1.1B-Chat-v1.0/blob/" + "f" * 40 + "/README.md")


def _pinned_entry() -> lockmod.LockEntry:
    """A lock entry for an id the knowledge base does not know."""
    return lockmod.LockEntry(id="hf:someone/pinned-model", repo="someone/pinned-model", kind="model",
                             revision="c" * 40, read_on=_dt.date.today() - _dt.timedelta(days=3), license="mit",
                             source="https://huggingface.co/someone/pinned-model/blob/" + "c" * 40 + "/README.md")


def _python(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True,
                          timeout=180, env=env, cwd=cwd)


SCAN_SCRIPT = """
    from modelclear import api
    result = api.scan(".", policy="modelclear.toml", online={online})
    print(result.render("json"))
"""

CHECK_SCRIPT = """
    from modelclear import api
    print(api.check("hf:Felladrin/Llama-160M-Chat-v1", online={online}).license_in_force)
"""


def test_api_online_once_then_offline_from_the_lock(hub: LocalHub, tmp_path: Path) -> None:  # noqa: F811
    project = _project(tmp_path)
    env = _env(tmp_path, hub.url)
    lock_path = project / "modelclear.lock"
    online = _python(SCAN_SCRIPT.format(online=True), env, project)
    assert online.returncode == 0, online.stderr
    assert "/api/models/Felladrin/Llama-160M-Chat-v1" in hub.hits
    lock = lockmod.Lock.load(lock_path)  # written beside the policy, as the command line writes it
    assert {"hf:Felladrin/Llama-160M-Chat-v1", "hf:JackFram/llama-160m",
            "hf-dataset:bigcode/the-stack-v2-dedup"} <= {e.id for e in lock.entries.values()}
    doc = json.loads(online.stdout)
    felladrin = next(a for a in doc["assessments"] if a["artifact"]["id"] == "hf:Felladrin/Llama-160M-Chat-v1")
    assert felladrin["artifact"]["origin"] == "lock" and felladrin["artifact"]["license"] == "Apache-2.0"
    text = lock_path.read_text()

    hub.stop()
    offline_env = {**env, "HF_HUB_OFFLINE": "1"}
    again = _python(SCAN_SCRIPT.format(online=False), offline_env, project)
    assert again.returncode == 0, again.stderr
    assert again.stdout == online.stdout  # the same report, offline, from the lock
    assert lock_path.read_text() == text  # an offline run never rewrites the lock
    # the API and the command line give the same report from the same lock
    cli = run("scan", ".", "-f", "json", env=offline_env, cwd=project)
    assert cli.returncode in (0, 2), cli.stderr
    assert json.loads(cli.stdout) == json.loads(again.stdout)
    # check() finds the lock from the current folder (beside the policy there)
    checked = _python(CHECK_SCRIPT.format(online=False), offline_env, project)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == "Apache-2.0"


def test_api_reads_the_lock_it_finds_and_ignores_it_when_told(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "modelclear.lock").write_text(lockmod.dumps([_pinned_entry()]))
    monkeypatch.chdir(tmp_path)
    found = api.check("hf:someone/pinned-model")
    assert found.artifact is not None and found.artifact.license == "MIT" and found.verdict.value != "unknown"
    assert api.check("hf:someone/pinned-model", lock=False).verdict.value == "unknown"
    named = api.check("hf:someone/pinned-model", lock=tmp_path / "modelclear.lock")
    assert named.artifact is not None and named.artifact.license == "MIT"
    # a scan finds the lock in the scanned folder
    (tmp_path / "load.py").write_text(
        'from transformers import AutoModel\nAutoModel.from_pretrained("someone/pinned-model")\n')
    result = api.scan(tmp_path)
    assert [a.artifact.license for a in result.assessments if a.artifact is not None] == ["MIT"]
    assert all(a.verdict.value == "unknown" for a in api.scan(tmp_path, lock=False).assessments)


def test_api_lock_does_not_change_the_callers_catalog(tmp_path: Path) -> None:
    (tmp_path / "modelclear.lock").write_text(lockmod.dumps([_pinned_entry()]))
    catalog = default_catalog()
    before = list(catalog.sources)
    got = api.check("hf:someone/pinned-model", catalog=catalog, lock=str(tmp_path / "modelclear.lock"))
    assert got.artifact is not None and got.artifact.license == "MIT"
    assert catalog.sources == before
    assert api.check("hf:someone/pinned-model", catalog=catalog, lock=False).verdict.value == "unknown"


def test_api_bad_or_missing_named_lock_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such lock file"):
        api.check(TINY, lock=tmp_path / "missing.lock")
    bad = tmp_path / "modelclear.lock"
    bad.write_text("this is [not a lock\n")
    with pytest.raises(UsageError, match="bad lock file"):
        api.check(TINY, lock=bad)


def test_a_lock_the_reviewed_knowledge_overrides_is_stated_in_the_report(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "modelclear.lock").write_text(lockmod.dumps([_overridden_entry()]))
    monkeypatch.chdir(tmp_path)
    said = ("hf:TinyLlama/TinyLlama-1.1B-Chat-v1.0: the card read on 2026-01-05 says 'cc-by-nc-4.0', the reviewed "
            "knowledge base says 'Apache-2.0'; the knowledge base is used")
    report = api.check_report(TINY)
    assert report.assessments[0].artifact is not None and report.assessments[0].artifact.license == "Apache-2.0"
    assert [(w.path, w.code, w.message) for w in report.warnings] == [("modelclear.lock", "lock", said)]
    doc = json.loads(api.Result(report).render("json"))
    assert doc["warnings"] == [{"path": "modelclear.lock", "line": 0, "code": "lock", "message": said}]
    assert said in " ".join(api.Result(report).render("text").split())
    assert said in api.Result(report).render("markdown")
    assert not api.check_report(TINY, lock=False).warnings  # without the lock there is nothing to say
    # a scan's report states it too
    (tmp_path / "chat.py").write_text(
        'from transformers import AutoModel\nAutoModel.from_pretrained("TinyLlama/TinyLlama-1.1B-Chat-v1.0")\n')
    scanned = api.scan(tmp_path)
    assert ("modelclear.lock", "lock", said) in [(w.path, w.code, w.message) for w in scanned.report.warnings]

    # the command line's report states it as well (and still warns on stderr)
    env = _env(tmp_path, "http://127.0.0.1:9")
    got = run("check", TINY, "-j", "JP", "-f", "json", env=env, cwd=tmp_path)
    assert got.returncode in (0, 2), got.stderr
    assert json.loads(got.stdout)["warnings"][0]["message"] == said
    assert f"warning: modelclear.lock: {said}" in got.stderr
    text = run("check", TINY, "-j", "JP", env=env, cwd=tmp_path)
    assert said in " ".join(text.stdout.split())


def test_an_id_the_hub_could_not_give_is_stated_in_the_report(hub: LocalHub, tmp_path: Path) -> None:  # noqa: F811
    env = _env(tmp_path, hub.url)
    script = """
        from modelclear import api
        report = api.check_report("hf:someone/does-not-exist", online=True)
        for w in report.warnings:
            print(w.code, w.message)
    """
    got = _python(script, env, tmp_path)
    assert got.returncode == 0, got.stderr
    assert got.stdout.startswith("lock hf:someone/does-not-exist: not read from the Hub: ")
