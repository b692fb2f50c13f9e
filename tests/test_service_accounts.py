"""Accounts (issue 13, item 5): roles, Argon2 passwords, sessions with safe cookies, CSRF on every form,
the Host allow-list, the security headers, the trusted proxy header, and ``web user add``."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from servicedb import csrf_of, db_url, sign_in  # noqa: F401  (fixture)
from sqlalchemy import select

from modelclear.cli import main
from modelclear.web import accounts, db
from modelclear.web.app import create_app
from modelclear.web.models import AuditEvent, LoginSession, User


@pytest.fixture
def database(db_url: str) -> Iterator[db.Database]:  # noqa: F811
    database = db.open_database(db_url)
    yield database
    database.close()


@pytest.fixture
def client(database: db.Database) -> Iterator[TestClient]:
    app = create_app(database=database, allowed_hosts=("testserver", *accounts.LOCAL_HOSTS))
    with TestClient(app, base_url="https://testserver") as c:
        yield c


def test_passwords_are_argon2_hashes(database: db.Database) -> None:
    with database.session() as s:
        accounts.add_user(s, "ada", "admin", "correct horse battery")
        user = s.scalar(select(User).where(User.name == "ada"))
        assert user is not None and user.password_hash is not None
        assert user.password_hash.startswith("$argon2id$") and "correct horse" not in user.password_hash
        assert accounts.verify_password(s, "ada", "correct horse battery") is not None
        assert accounts.verify_password(s, "ada", "wrong password!") is None
        assert accounts.verify_password(s, "nobody", "correct horse battery") is None
        for name, role, password, code in (("a b", "viewer", "longenough", "bad_user_name"),
                                           ("bob", "owner", "longenough", "bad_role"),
                                           ("bob", "viewer", "short", "bad_password"),
                                           ("ada", "viewer", "longenough", "user_exists")):
            with pytest.raises(accounts.AccountError) as err:
                accounts.add_user(s, name, role, password)
            assert err.value.code == code


def test_pages_need_a_session_and_sign_in_sets_a_safe_cookie(client: TestClient, database: db.Database) -> None:
    r = client.get("/projects?lang=ja", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?lang=ja&next=%2Fprojects")
    assert client.get("/artifacts/hf:x/y", follow_redirects=False).status_code == 303

    page = client.get("/login")
    assert page.status_code == 200 and 'name="csrf"' in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    with database.session() as s:
        accounts.add_user(s, "ada", "admin", "correct horse battery")
    r = client.post("/login", data={"name": "ada", "password": "nope nope nope", "csrf": csrf})
    assert r.status_code == 401 and "Wrong user name or password" in r.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    r = client.post("/login", data={"name": "ada", "password": "correct horse battery", "csrf": csrf,
                                    "next": "//evil.example/"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/projects")  # never off-site
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("mc_session="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "samesite=strict" in cookie.lower()
    page = client.get("/projects")
    assert page.status_code == 200 and 'data-user="ada"' in page.text
    for header in ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options"):
        assert header in page.headers
    with database.session() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert actions == ["user.add", "login.failed", "login"]
        assert all(len(x.token_sha256) == 64 for x in s.scalars(select(LoginSession)))


def test_sign_in_form_needs_its_csrf_cookie(client: TestClient, database: db.Database) -> None:
    with database.session() as s:
        accounts.add_user(s, "ada", "admin", "correct horse battery")
    client.get("/login")
    r = client.post("/login", data={"name": "ada", "password": "correct horse battery", "csrf": "forged"})
    assert r.status_code == 403 and "did not come from this site" in r.text
    client.cookies.clear()
    r = client.post("/login", data={"name": "ada", "password": "correct horse battery", "csrf": ""})
    assert r.status_code == 403


def test_every_form_checks_the_session_csrf_token(client: TestClient, database: db.Database) -> None:
    sign_in(client, database, "ada", "admin")
    for path, data in (("/projects", {"name": "web-shop"}), ("/admin/users", {"name": "bo", "role": "viewer",
                                                                              "password": "longenough"}),
                       ("/logout", {})):
        assert client.post(path, data=data).status_code == 403, path
        assert client.post(path, data={**data, "csrf": "x" * 43}).status_code == 403, path
    csrf = csrf_of(client)
    r = client.post("/projects", data={"name": "web-shop", "csrf": csrf})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    token = re.search(r'<code id="token">([^<]+)</code>', r.text).group(1)  # type: ignore[union-attr]
    assert token.startswith("mct_")
    r = client.post("/projects/web-shop/tokens", data={"csrf": csrf})
    assert r.status_code == 200 and token not in r.text
    assert client.post("/projects", data={"name": "../x", "csrf": csrf}).status_code == 400
    assert client.post("/admin/users", data={"name": "bo", "role": "reviewer", "password": "longenough",
                                             "csrf": csrf}, follow_redirects=False).status_code == 303
    page = client.get("/admin/users")
    assert 'data-user="bo"' in page.text and "project.add" in page.text and "token.add" in page.text
    assert client.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert client.get("/projects", follow_redirects=False).status_code == 303  # signed out


def test_roles(client: TestClient, database: db.Database) -> None:
    sign_in(client, database, "vera", "viewer")
    csrf = csrf_of(client)
    assert client.get("/projects").status_code == 200
    assert 'id="project-form"' not in client.get("/projects").text
    assert client.post("/projects", data={"name": "x", "csrf": csrf}).status_code == 403
    r = client.get("/admin/users")
    assert r.status_code == 403 and "Your role does not allow this" in r.text
    assert accounts.at_least("admin", "reviewer") and not accounts.at_least("reviewer", "admin")


def test_host_allow_list_keeps_the_security_headers(database: db.Database) -> None:
    app = create_app(database=database, allowed_hosts=accounts.LOCAL_HOSTS)
    with TestClient(app, base_url="http://evil.example") as c:
        r = c.get("/")
        assert r.status_code == 400
        assert r.headers["x-content-type-options"] == "nosniff" and "content-security-policy" in r.headers
    with TestClient(app, base_url="http://localhost:8000") as c:
        assert c.get("/").status_code == 200
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        assert c.get("/healthz").status_code == 200
    with TestClient(app, base_url="http://[::1]:8000") as c:
        assert c.get("/healthz").status_code == 200
    with TestClient(app, base_url="http://[::2]:8000") as c:
        assert c.get("/healthz").status_code == 400
    for header, name in (("[::1]:8000", "::1"), ("LocalHost:80", "localhost"), ("a.example", "a.example"),
                         ("[::1", ""), ("", "")):
        assert accounts.host_name(header) == name


def test_trusted_proxy_header(database: db.Database) -> None:
    with database.session() as s:
        accounts.add_user(s, "boss", "admin", None)
    app = create_app(database=database, allowed_hosts=("testserver",), trust_user_header="X-Forwarded-User")
    with TestClient(app, base_url="https://testserver") as c:
        r = c.get("/projects")
        assert r.status_code == 401 and "through its proxy" in r.text
        assert c.get("/login").status_code == 404
        r = c.get("/projects", headers={"X-Forwarded-User": "carol@example.com"})
        assert r.status_code == 200 and 'data-user="carol@example.com"' in r.text
        assert c.get("/admin/users", headers={"X-Forwarded-User": "carol@example.com"}).status_code == 403
        r = c.get("/admin/users", headers={"X-Forwarded-User": "boss"})
        assert r.status_code == 200
        csrf = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
        assert c.post("/projects", data={"name": "p1"}, headers={"X-Forwarded-User": "boss"}).status_code == 403
        r = c.post("/projects", data={"name": "p1", "csrf": csrf}, headers={"X-Forwarded-User": "boss"})
        assert r.status_code == 200 and "mct_" in r.text
        assert c.get("/projects", headers={"X-Forwarded-User": "<script>"}).status_code == 401
    with database.session() as s:
        carol = s.scalar(select(User).where(User.name == "carol@example.com"))
        assert carol is not None and carol.role == "viewer" and carol.password_hash is None


def test_cli_user_add_reads_the_password_from_stdin(tmp_path, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert main(["web", "user", "add", "ada", "--role", "admin", "--db", url]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["web", "user", "add", "bo", "--db", url]) == 3
    assert "8 to 1024" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["web", "user", "add", "bo", "--db", url]) == 3
    assert main(["web", "user", "add", "bo", "--role", "owner", "--db", url]) == 3
    database = db.open_database(url)
    with database.session() as s:
        assert accounts.verify_password(s, "ada", "correct horse battery") is not None
        assert [u.role for u in s.scalars(select(User))] == ["admin"]
    database.close()


@pytest.mark.parametrize("target", ["//evil.example/", "/\t/evil.example", "/\\evil.example", "https://evil.example/",
                                    "/ /evil", "javascript:alert(1)", "/projects//x"])
def test_sign_in_never_sends_the_browser_elsewhere(target: str) -> None:
    assert accounts._safe_next(target) == "/projects"


def test_sign_in_goes_back_to_a_local_page() -> None:
    assert accounts._safe_next("/artifacts/hf:black-forest-labs/FLUX.1-dev?lang=ja") == \
        "/artifacts/hf:black-forest-labs/FLUX.1-dev?lang=ja"
