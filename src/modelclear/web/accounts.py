"""Accounts (issue 13, item 5): who may see and decide what in the team service.

Roles, each including the one before: ``viewer`` (projects, inventory, reviews), ``reviewer``
(approves or rejects artifacts), ``admin`` (adds users, projects and CI tokens). Passwords are hashed
with Argon2id (``argon2-cffi``); a sign-in makes a session whose cookie (``HttpOnly``,
``SameSite=Strict``, ``Secure`` except over plain http to this machine) holds a random token stored as
its SHA-256, for :data:`SESSION_HOURS`. Every form carries the session's CSRF token, checked on POST
(:meth:`Auth.check_csrf`); the sign-in form, before there is a session, a double-submit cookie.

Behind a reverse proxy that authenticates people (``--trust-user-header X-Forwarded-User``) the header
names the user instead: a name the database knows has its role, any other is a viewer; sessions are
still made, for the CSRF token. Only use that mode when every request passes through the proxy.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from modelclear.web.db import Database, utcnow
from modelclear.web.forms import BadInput, lang_of
from modelclear.web.models import AuditEvent, LoginSession, User
from modelclear.web.projects import token_digest
from modelclear.web.site import Site

ROLES = ("viewer", "reviewer", "admin")
SESSION_HOURS = 12
SESSION_COOKIE = "mc_session"
LOGIN_COOKIE = "mc_login"
USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9@._+-]{0,99}$")
MIN_PASSWORD, MAX_PASSWORD = 8, 1024
#: Host names ``--allowed-host`` defaults to.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


class AccountError(ValueError):
    """A user that cannot be added (``code`` names the ``web.error.*`` message)."""

    def __init__(self, code: str) -> None:
        """``code`` is a ``web.error.*`` suffix."""
        super().__init__(code)
        self.code = code


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def add_user(session: Session, name: str, role: str, password: str | None, actor: str = "cli") -> User:
    """A new user (``password`` None: known only through the proxy header), recorded in the audit log."""
    if not USER_NAME.match(name):
        raise AccountError("bad_user_name")
    if role not in ROLES:
        raise AccountError("bad_role")
    if password is not None and not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError("bad_password")
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise AccountError("user_exists")
    user = User(name=name, role=role, password_hash=_hasher().hash(password) if password is not None else None)
    session.add(user)
    audit(session, actor, "user.add", name, f"role={role}")
    session.flush()
    return user


def verify_password(session: Session, name: str, password: str) -> User | None:
    """The user if ``password`` is theirs (the same work is done for an unknown name)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    user = session.scalar(select(User).where(User.name == name)) if USER_NAME.match(name) else None
    stored = user.password_hash if user is not None else None
    try:
        if stored is None:
            hasher.verify(_DUMMY[0] or _dummy(), password + "x")
            return None
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return user


_DUMMY: list[str] = [""]


def _dummy() -> str:
    _DUMMY[0] = _hasher().hash(secrets.token_urlsafe(16))
    return _DUMMY[0]


def audit(session: Session, actor: str, action: str, target: str, detail: str = "") -> None:
    """Record one event in the audit log."""
    session.add(AuditEvent(actor=actor[:100], action=action[:40], target=target[:600], detail=detail[:4000]))


def at_least(role: str, needed: str) -> bool:
    """Whether ``role`` includes ``needed``."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


@dataclass(frozen=True)
class Viewer:
    """Who is asking: the signed-in user, their role and their session's CSRF token."""

    name: str
    role: str
    csrf: str


class NeedSignIn(Exception):
    """No one is signed in (pages answer with the sign-in page, the API with 401)."""


class Forbidden(Exception):
    """The signed-in user's role does not allow this."""


class BadCsrf(Exception):
    """A form posted without the session's CSRF token (answered 403 with ``web.error.csrf``)."""


def host_name(header: str) -> str:
    """The name in a ``Host`` header, without the port; an IPv6 literal without its brackets, lower-cased."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else ""
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class HostAllowList:
    """ASGI middleware: HTTP requests whose ``Host`` is not in the list get 400 (IPv6 literals understood)."""

    def __init__(self, app: Any, allowed_hosts: tuple[str, ...]) -> None:
        """Names as given to ``--allowed-host`` (``::1`` or ``[::1]`` alike)."""
        self.app = app
        self.allowed = {h.strip().lower().strip("[]") for h in allowed_hosts}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Pass the request on, or answer 400."""
        if scope["type"] in ("http", "websocket"):
            headers = dict(scope.get("headers") or [])
            name = host_name(headers.get(b"host", b"").decode("latin-1"))
            if name not in self.allowed and "*" not in self.allowed:
                from starlette.responses import PlainTextResponse

                await PlainTextResponse("Invalid host header", status_code=400)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _is_loopback(host: str) -> bool:
    host = host_name(host)
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_LOCAL_PATH = re.compile(r"^/(?![/\\])[A-Za-z0-9/_.~%?&=:@+,;!$*'()-]*$")


def _safe_next(value: str) -> str:
    """A local path to go back to after signing in (never another site: no ``//``, backslash, blank or
    control character, which browsers drop or turn into ``/``)."""
    if len(value) > 1000 or not _LOCAL_PATH.match(value) or "//" in value.split("?", 1)[0]:
        return "/projects"
    return value


class Auth:
    """Sessions and roles over the service's database."""

    def __init__(self, database: Database, trust_user_header: str | None = None) -> None:
        """Password sign-in, or the user named by ``trust_user_header`` (set by a trusted proxy)."""
        self.database = database
        self.header = trust_user_header.lower() if trust_user_header else None

    def _session_user(self, s: Session, cookie: str | None) -> tuple[LoginSession, User] | None:
        if not cookie or len(cookie) > 200:
            return None
        row = s.scalar(select(LoginSession).where(LoginSession.token_sha256 == token_digest(cookie)))
        if row is None or row.expires_at < utcnow():
            return None
        return row, row.user

    def new_session(self, s: Session, user: User) -> tuple[str, str]:
        """A new session for ``user``: its cookie token and CSRF token."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        s.execute(delete(LoginSession).where(LoginSession.expires_at < utcnow()))
        s.add(LoginSession(token_sha256=token_digest(token), user_id=user.id, csrf=csrf,
                           expires_at=utcnow() + dt.timedelta(hours=SESSION_HOURS)))
        return token, csrf

    def resolve(self, request: Request) -> tuple[Viewer | None, str | None]:
        """Who is asking, and a new session cookie to set (proxy mode, first request of a user)."""
        cookie = request.cookies.get(SESSION_COOKIE)
        with self.database.session() as s:
            found = self._session_user(s, cookie)
            if self.header is None:
                return (Viewer(found[1].name, found[1].role, found[0].csrf) if found else None), None
            name = request.headers.get(self.header, "").strip()
            if not USER_NAME.match(name):
                return None, None
            if found is not None and found[1].name == name:
                return Viewer(name, found[1].role, found[0].csrf), None
            user = s.scalar(select(User).where(User.name == name))
            if user is None:
                user = User(name=name, role="viewer", password_hash=None)
                s.add(user)
                audit(s, name, "user.add", name, "role=viewer (first seen through the proxy header)")
                s.flush()
            token, csrf = self.new_session(s, user)
            return Viewer(name, user.role, csrf), token

    @staticmethod
    def viewer(request: Request) -> Viewer | None:
        """Who is asking (set by the middleware)."""
        return getattr(request.state, "viewer", None)

    @classmethod
    def require(cls, request: Request, role: str = "viewer") -> Viewer:
        """The viewer, if their role includes ``role`` (:class:`NeedSignIn`, :class:`Forbidden` otherwise)."""
        viewer = cls.viewer(request)
        if viewer is None:
            raise NeedSignIn()
        if not at_least(viewer.role, role):
            raise Forbidden()
        return viewer

    @staticmethod
    def check_csrf(viewer: Viewer, form: Any) -> None:
        """The form's ``csrf`` field is the session's token (:class:`BadCsrf` otherwise)."""
        sent = str(form.get("csrf") or "")
        if not sent or not hmac.compare_digest(sent.encode(), viewer.csrf.encode()):
            raise BadCsrf()

    @classmethod
    async def form(cls, request: Request, role: str = "viewer", *, fields: int = 4,
                   part_size: int = 1024) -> tuple[Viewer, Any]:
        """The signed-in viewer (at least ``role``) and the form they posted, bounded and CSRF-checked.

        Raises :class:`NeedSignIn`, :class:`Forbidden` or :class:`BadCsrf`, which the application answers.
        """
        viewer = cls.require(request, role)
        form = await request.form(max_files=0, max_fields=fields, max_part_size=part_size)
        cls.check_csrf(viewer, form)
        return viewer, form


def cookie_secure(request: Request) -> bool:
    """Cookies are ``Secure`` except over plain http to this machine (a browser would drop them there)."""
    return request.url.scheme == "https" or not _is_loopback(request.headers.get("host", ""))


def set_cookie(response: Response, request: Request, name: str, value: str, hours: int = SESSION_HOURS) -> None:
    """Set a cookie with the service's flags."""
    response.set_cookie(name, value, max_age=hours * 3600, path="/", httponly=True, samesite="strict",
                        secure=cookie_secure(request))


def install(app: Any, site: Site, auth: Auth) -> None:
    """Resolve the viewer on every request, and answer :class:`NeedSignIn` and :class:`Forbidden`."""

    @app.middleware("http")
    async def who(request: Request, call_next: Callable[[Request], Any]) -> Response:
        from fastapi.concurrency import run_in_threadpool

        new_cookie = None
        if not request.url.path.startswith(("/static/", "/api/projects/")):
            viewer, new_cookie = await run_in_threadpool(auth.resolve, request)
            request.state.viewer = viewer
        response: Response = await call_next(request)
        if new_cookie:
            set_cookie(response, request, SESSION_COOKIE, new_cookie)
        return response

    @app.exception_handler(NeedSignIn)
    async def need_sign_in(request: Request, exc: NeedSignIn) -> Response:
        lang = lang_of(request)
        if request.url.path.startswith("/api/"):
            return site.json_error(BadInput("sign_in"), lang, 401)
        if auth.header is not None:
            return site.html_error(request, BadInput("proxy_sign_in"), lang, 401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?lang={lang}&next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return site.error(request, BadInput("forbidden"), lang_of(request), 403)

    @app.exception_handler(BadCsrf)
    async def bad_csrf(request: Request, exc: BadCsrf) -> Response:
        return site.error(request, BadInput("csrf"), lang_of(request), 403)


# Long on purpose: a list of small route handlers, closures sharing ``site`` and ``auth`` (the FastAPI style of web/).
def router(site: Site, auth: Auth) -> APIRouter:
    """Sign-in, sign-out and the administrators' user list."""
    routes = APIRouter()
    site.env.globals["accounts"] = True

    @routes.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/projects") -> Response:
        """The sign-in form (a double-submit CSRF cookie until there is a session)."""
        lang = lang_of(request)
        if auth.header is not None:
            return site.html_error(request, BadInput("proxy_sign_in"), lang, 404)
        token = secrets.token_urlsafe(32)
        response = site.render("team_login.html.j2", request, lang, csrf=token, next=_safe_next(next), failed=False)
        set_cookie(response, request, LOGIN_COOKIE, token, hours=1)
        return response

    @routes.post("/login")
    async def login(request: Request) -> Response:
        """Check the password; a new session and back to where the user was going."""
        from fastapi.concurrency import run_in_threadpool

        lang = lang_of(request)
        if auth.header is not None:
            return site.html_error(request, BadInput("proxy_sign_in"), lang, 404)
        form = await request.form(max_files=0, max_fields=8, max_part_size=4096)
        sent, cookie = str(form.get("csrf") or ""), request.cookies.get(LOGIN_COOKIE, "")
        if not sent or not hmac.compare_digest(sent.encode(), cookie.encode()):
            return site.html_error(request, BadInput("csrf"), lang, 403)
        name, password = str(form.get("name") or "").strip()[:100], str(form.get("password") or "")[:MAX_PASSWORD]
        target = _safe_next(str(form.get("next") or "/projects"))

        def check() -> str | None:
            with auth.database.session() as s:
                user = verify_password(s, name, password)
                if user is None:
                    audit(s, name or "-", "login.failed", name)
                    return None
                token, _ = auth.new_session(s, user)
                audit(s, user.name, "login", user.name)
                return token

        token = await run_in_threadpool(check)
        if token is None:
            fresh = secrets.token_urlsafe(32)
            response: Response = site.render("team_login.html.j2", request, lang, status=401, csrf=fresh,
                                             next=target, failed=True)
            set_cookie(response, request, LOGIN_COOKIE, fresh, hours=1)
            return response
        sep = "&" if "?" in target else "?"
        response = RedirectResponse(target if "lang=" in target else f"{target}{sep}lang={lang}", status_code=303)
        set_cookie(response, request, SESSION_COOKIE, token)
        response.delete_cookie(LOGIN_COOKIE, path="/")
        return response

    @routes.post("/logout")
    async def logout(request: Request) -> Response:
        """End the session."""
        await Auth.form(request)
        cookie = request.cookies.get(SESSION_COOKIE, "")
        with auth.database.session() as s:
            s.execute(delete(LoginSession).where(LoginSession.token_sha256 == token_digest(cookie)))
        response = RedirectResponse(f"/?lang={lang_of(request)}", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @routes.get("/admin/users", response_class=HTMLResponse)
    def users(request: Request) -> Response:
        """Every user and role, and the form to add one (admins)."""
        viewer = Auth.require(request, "admin")
        with auth.database.session() as s:
            rows = [{"name": u.name, "role": u.role, "password": u.password_hash is not None,
                     "created_at": u.created_at.isoformat(" ", "minutes")}
                    for u in s.scalars(select(User).order_by(User.name))]
            events = [{"at": e.at.isoformat(" ", "seconds"), "actor": e.actor, "action": e.action,
                       "target": e.target, "detail": e.detail}
                      for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(100))]
        return site.render("team_users.html.j2", request, lang_of(request), users=rows, roles=ROLES,
                           csrf=viewer.csrf, events=events, proxy=auth.header is not None)

    @routes.post("/admin/users")
    async def add(request: Request) -> Response:
        """Add a user (admins)."""
        viewer, form = await Auth.form(request, "admin", fields=8, part_size=4096)
        lang = lang_of(request)
        name, role = str(form.get("name") or "").strip(), str(form.get("role") or "")
        password = str(form.get("password") or "") or None
        if password is None and auth.header is None:
            return site.html_error(request, BadInput("bad_password"), lang)
        try:
            with auth.database.session() as s:
                add_user(s, name, role, password, actor=viewer.name)
        except AccountError as exc:
            return site.html_error(request, BadInput(exc.code), lang)
        return RedirectResponse(f"/admin/users?lang={lang}", status_code=303)

    return routes
