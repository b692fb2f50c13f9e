"""Scans in the browser (issue 13, item 1): hostile uploads are refused with a clear message, a good one
is unpacked in a private folder that is gone after the scan, and its report is downloadable in every format.

Archives are built here with :mod:`zipfile` and :mod:`tarfile`, the way an attacker's tools would write them.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from modelclear.web import archive
from modelclear.web.app import create_app
from modelclear.web.archive import ArchiveLimits, UnsafeArchive, unpack, unpacked

APP_PY = b"from transformers import AutoModel\nmodel = AutoModel.from_pretrained('meta-llama/Llama-2-7b-hf')\n"
REQS = b"ultralytics==8.2.0\n"


def _zip(entries: dict[str, bytes], *, links: dict[str, str] | None = None, utf8: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (0o120777 << 16)
            z.writestr(info, target)
    return buffer.getvalue()


def _tar(members: list[tarfile.TarInfo | tuple[str, bytes]], mode: str = "w:gz") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode, format=tarfile.PAX_FORMAT) as t:  # type: ignore[call-overload]
        for m in members:
            if isinstance(m, tarfile.TarInfo):
                t.addfile(m)
            else:
                info = tarfile.TarInfo(m[0])
                info.size = len(m[1])
                t.addfile(info, io.BytesIO(m[1]))
    return buffer.getvalue()


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


# ------------------------------------------------------------------------------------ the archive rules


def test_a_project_zip_and_tarball_unpack_as_data(tmp_path: Path) -> None:
    for i, data in enumerate([_zip({"proj/app.py": APP_PY, "proj/requirements.txt": REQS}),
                              _tar([("./proj/app.py", APP_PY), ("./proj/requirements.txt", REQS)]),
                              _tar([("proj/app.py", APP_PY), ("proj/requirements.txt", REQS)], mode="w:xz"),
                              _tar([("proj/app.py", APP_PY), ("proj/requirements.txt", REQS)], mode="w:bz2"),
                              _tar([("proj/app.py", APP_PY), ("proj/requirements.txt", REQS)], mode="w")]):
        dest = tmp_path / str(i)
        dest.mkdir()
        held = unpack(data, dest)
        assert (held.files, held.bytes) == (2, len(APP_PY) + len(REQS))
        assert (dest / "proj" / "app.py").read_bytes() == APP_PY
        assert oct((dest / "proj" / "app.py").stat().st_mode & 0o777) == oct(0o600)  # no mode bits kept


@pytest.mark.parametrize("name", ["../evil.py", "proj/../../evil.py", "/etc/cron.d/evil", "C:/evil.py",
                                  "proj\\..\\evil.py", "a/" * 60 + "deep.py"])
def test_names_that_escape_the_folder_are_refused(tmp_path: Path, name: str) -> None:
    for data in (_zip({name: b"x = 1\n"}), _tar([(name, b"x = 1\n")])):
        with pytest.raises(UnsafeArchive) as err:
            unpack(data, tmp_path)
        assert err.value.code == "path"
    assert not (tmp_path.parent / "evil.py").exists()


@pytest.mark.parametrize("member", [_link("proj/secret", "/etc/passwd"), _link("proj/up", "../../.."),
                                    _link("proj/hard", "/etc/passwd", tarfile.LNKTYPE),
                                    _link("proj/fifo", "", tarfile.FIFOTYPE),
                                    _link("proj/dev", "", tarfile.CHRTYPE)])
def test_links_and_special_files_in_a_tarball_are_refused(tmp_path: Path, member: tarfile.TarInfo) -> None:
    with pytest.raises(UnsafeArchive) as err:
        unpack(_tar([("proj/app.py", APP_PY), member]), tmp_path)
    assert err.value.code == "link" and err.value.entry == member.name


def test_a_symbolic_link_in_a_zip_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafeArchive) as err:
        unpack(_zip({"proj/app.py": APP_PY}, links={"proj/key": "/root/.ssh/id_rsa"}), tmp_path)
    assert (err.value.code, err.value.entry) == ("link", "proj/key")


def test_compression_bombs_are_refused_while_reading(tmp_path: Path) -> None:
    zeros = b"\0" * (3 * 1024 * 1024)
    small = ArchiveLimits(total_bytes=2 * 1024 * 1024, ratio_floor=1024 * 1024, ratio=50)
    for data in (_zip({"bomb.bin": zeros}), _tar([("bomb.bin", zeros)])):
        assert len(data) < 40_000  # far smaller than what it unpacks to
        with pytest.raises(UnsafeArchive) as err:
            unpack(data, Path(tempfile.mkdtemp(dir=tmp_path)), small)
        assert err.value.code == "bomb"
    # the ratio alone, under the total: 3 MB from a few KB
    with pytest.raises(UnsafeArchive, match="bomb"):
        unpack(_zip({"a.bin": zeros}), Path(tempfile.mkdtemp(dir=tmp_path)),
               ArchiveLimits(ratio_floor=1024 * 1024, ratio=50))


def test_a_header_that_lies_about_the_size_does_not_get_past_the_count(tmp_path: Path) -> None:
    """A zip whose central directory declares a tiny size for a large entry: the bytes read are what count."""
    data = bytearray(_zip({"big.bin": b"\0" * (3 * 1024 * 1024)}))
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (10).to_bytes(4, "little")  # uncompressed size in the central directory
    with pytest.raises(UnsafeArchive) as err:
        unpack(bytes(data), tmp_path, ArchiveLimits(total_bytes=1024 * 1024, ratio_floor=1 << 30))
    assert err.value.code in ("bomb", "corrupt")
    assert sum(f.stat().st_size for f in tmp_path.rglob("*") if f.is_file()) <= 1024 * 1024 + 64 * 1024


def test_too_many_entries_duplicates_and_non_archives_are_refused(tmp_path: Path) -> None:
    many = _zip({f"f{i}.py": b"" for i in range(30)})
    with pytest.raises(UnsafeArchive, match="entries"):
        unpack(many, tmp_path, ArchiveLimits(entries=20))
    for data in (_tar([("a.py", b"1"), ("a.py", b"2")]), _tar([("a", b"1"), ("a/b.py", b"2")])):
        with pytest.raises(UnsafeArchive) as err:
            unpack(data, Path(tempfile.mkdtemp(dir=tmp_path)))
        assert err.value.code == "duplicate"
    with pytest.raises(UnsafeArchive, match="not_archive"):
        unpack(b"#!/bin/sh\nrm -rf /\n", tmp_path)
    with pytest.raises(UnsafeArchive, match="too_large"):
        unpack(_zip({"a.py": b"x" * 5000}), tmp_path, ArchiveLimits(upload_bytes=100))
    with pytest.raises(UnsafeArchive, match="corrupt"):
        whole = _tar([("a.py", APP_PY * 200)])
        unpack(whole[:len(whole) // 2], Path(tempfile.mkdtemp(dir=tmp_path)))


def test_non_utf8_names_are_kept_as_bytes_and_nested_archives_are_not_opened(tmp_path: Path) -> None:
    inner = _zip({"inner/app.py": APP_PY})
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.GNU_FORMAT, encoding="latin-1") as t:
        for name, data in (("proj/caf\xe9.py", APP_PY), ("proj/vendor.zip", inner)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    held = unpack(buffer.getvalue(), tmp_path)
    assert held.undecodable == 1 and held.nested == ("proj/vendor.zip",)
    assert sorted(os.listdir(os.fsencode(tmp_path / "proj"))) == [b"caf\xe9.py", b"vendor.zip"]
    assert not (tmp_path / "proj" / "inner").exists()


def test_the_private_folder_is_removed_even_when_the_archive_is_refused(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with unpacked(_zip({"proj/app.py": APP_PY})) as (root, held):
        assert held.files == 1 and oct(root.parent.stat().st_mode & 0o777) == oct(0o700)
        assert root.parent.parent == tmp_path and (root / "proj" / "app.py").exists()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(UnsafeArchive), unpacked(_tar([("proj/app.py", APP_PY), _link("x", "/etc")])):
        pytest.fail("a refused archive never reaches the block")
    assert list(tmp_path.iterdir()) == []


def test_kind_is_read_from_the_bytes_not_the_name() -> None:
    assert archive.kind_of(_zip({"a": b""})[:512]) == "zip"
    assert archive.kind_of(_tar([("a", b"")], mode="w")[:512]) == "tar"
    assert archive.kind_of(b"<html>") is None


# ------------------------------------------------------------------------------------------ the pages


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(), raise_server_exceptions=True)


def _post(client: TestClient, files: dict | None = None, data: dict | None = None,  # type: ignore[type-arg]
          headers: dict | None = None):  # type: ignore[no-untyped-def,type-arg]
    return client.post("/scan", files=files, data=data or {"jurisdiction": "JP"}, headers=headers or {},
                       follow_redirects=False)


def finished(client: TestClient, location: str, polls: int = 600):  # type: ignore[no-untyped-def]
    """The scan page at ``location`` once its job is no longer queued or running (at most ``polls`` reads)."""
    import time

    for _ in range(polls):
        page = client.get(location)
        if 'id="scan-state"' not in page.text:
            return page
        assert page.headers["refresh"] == "2" and page.status_code == 200
        time.sleep(0.1)
    raise AssertionError(f"{location} still pending after {polls} reads")


def test_upload_a_project_and_download_its_report_in_every_format(client: TestClient) -> None:
    data = _zip({"proj/app.py": APP_PY, "proj/requirements.txt": REQS, "proj/vendor.zip": _zip({"x.py": b""})})
    response = _post(client, files={"archive": ("../../my project.zip", data, "application/zip")},
                     data={"jurisdiction": "JP", "activity": "deploy", "purpose": "commercial"})
    assert response.status_code == 303, response.text
    page = finished(client, response.headers["location"])
    assert page.status_code == 200
    assert "Scan of my project.zip" in page.text and "hf:meta-llama/Llama-2-7b-hf" in page.text
    assert "proj/vendor.zip" in page.text  # listed as not opened
    token = response.headers["location"].split("/scan/", 1)[1].split("?")[0]
    doc = client.get(f"/scan/{token}/report.json").json()
    ids = {r["id"] for r in doc["references"]}
    assert {"hf:meta-llama/Llama-2-7b-hf", "pypi:ultralytics"} <= ids
    assert all("modelclear-upload-" not in json.dumps(r) for r in doc["references"])  # no server path leaks
    html = client.get(f"/scan/{token}/report.html")
    assert html.headers["content-security-policy"].startswith("default-src 'none'")
    assert "hf:meta-llama/Llama-2-7b-hf" in html.text
    for suffix in ("sarif", "md", "txt", "cdx.json", "spdx.json", "notice.txt"):
        assert client.get(f"/scan/{token}/report.{suffix}").status_code == 200, suffix
    notice = client.get(f"/scan/{token}/report.notice.txt").text  # what each artifact's release must ship
    assert "/NOTICE <==" in notice and "Llama 2 Community License Agreement" in notice
    assert client.get(f"/scan/{token}/report.exe").status_code == 404
    assert client.get("/scan/not-a-token").status_code == 404


def test_paste_a_requirements_file(client: TestClient) -> None:
    response = _post(client, data={"jurisdiction": "JP", "kind": "requirements", "text": "ultralytics==8.2.0\n"})
    assert response.status_code == 303
    page = finished(client, response.headers["location"] + "&lang=ja")
    assert "pypi:ultralytics" in page.text and "requirements.txt のスキャン結果" in page.text


@pytest.mark.parametrize(("data", "code", "words"), [
    (b"#!/bin/sh\necho hi\n", 400, "not a zip or tar archive"),
    (_tar([("proj/app.py", APP_PY), _link("proj/k", "/etc/shadow")]), 400, "proj/k"),
    (_zip({"../../etc/passwd": b"root"}), 400, "../../etc/passwd"),
    (_tar([("<script>alert(1)</script>/../x", b"")]), 400, "&lt;script&gt;"),
])
def test_hostile_uploads_get_a_clear_message(client: TestClient, data: bytes, code: int, words: str) -> None:
    response = _post(client, files={"archive": ("p.tgz", data, "application/gzip")})
    if response.status_code == 303:  # refused by the job that unpacks it: its page says why, with the status
        response = finished(client, response.headers["location"])
    assert response.status_code == code
    assert words in response.text and "<script>alert" not in response.text


def test_cross_site_posts_and_empty_forms_are_refused(client: TestClient) -> None:
    data = {"jurisdiction": "JP", "kind": "python", "text": "x = 1\n"}
    assert _post(client, data=data, headers={"Origin": "https://evil.example"}).status_code == 403
    assert _post(client, data=data, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    empty = _post(client, data={"jurisdiction": "JP"})
    assert empty.status_code == 400 and "Choose an archive" in empty.text
    assert _post(client, data={"jurisdiction": "XX", "kind": "python", "text": "x = 1"}).status_code == 400


def test_an_upload_over_the_limit_is_refused_before_it_is_read(client: TestClient) -> None:
    big = b"0" * (archive.ArchiveLimits().upload_bytes + 3 * 1024 * 1024)
    response = _post(client, files={"archive": ("big.zip", big, "application/zip")})
    assert response.status_code == 413 and "larger than 64 MB" in response.text


def test_the_form_is_on_the_navigation(client: TestClient) -> None:
    page = client.get("/scan?lang=ja")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    assert 'href="/scan?lang=en"' in client.get("/").text


def test_a_null_origin_without_fetch_metadata_is_refused(client: TestClient) -> None:
    data = {"jurisdiction": "JP", "kind": "python", "text": "x = 1\n"}
    assert _post(client, data=data, headers={"Origin": "null"}).status_code == 403
    assert _post(client, data=data, headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"}).status_code == 303
    assert _post(client, data=data, headers={"Origin": "http://testserver"}).status_code == 303
