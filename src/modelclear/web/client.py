"""The CI side of the team service, standard library only (no web extra needed): ``scan --upload``
posts a report, ``policy pull`` reads a project's waivers (docs/service.md).

The project token comes from ``$MODELCLEAR_TOKEN``, never from the command line (which other users
of the machine can read). Redirects are not followed, so the token goes only to the address given.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

TOKEN_VARIABLE = "MODELCLEAR_TOKEN"
#: Longest answer read from the service.
MAX_ANSWER = 4 * 1024 * 1024
TIMEOUT = 60.0
_ENDPOINT = re.compile(r"/api/projects/([^/]+)/(reports|waivers)/?$")


class ClientError(Exception):
    """The service could not be reached or refused the request (a one-line message)."""


@dataclass(frozen=True)
class Target:
    """Where to send: the service's base URL and the project."""

    base: str
    project: str

    def url(self, what: str) -> str:
        """``{base}/api/projects/{project}/{what}``."""
        return f"{self.base}/api/projects/{urllib.parse.quote(self.project, safe='')}/{what}"


def target(url: str, project: str | None) -> Target:
    """The service and project from ``url`` (a base URL, or a ``/api/projects/NAME/…`` address) and ``--project``."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ClientError(f"bad service URL {url[:200]!r}: use http(s)://HOST[:PORT]")
    path = parts.path
    m = _ENDPOINT.search(path)
    if m:
        named = urllib.parse.unquote(m.group(1))
        if project and project != named:
            raise ClientError(f"the URL names project {named!r} but --project says {project!r}")
        project, path = named, path[:m.start()]
    if not project:
        raise ClientError("which project? give --project NAME (or the URL .../api/projects/NAME/reports)")
    return Target(base=urllib.parse.urlunsplit((parts.scheme, parts.netloc, path.rstrip("/"), "", "")),
                  project=project)


def token() -> str:
    """The project token from ``$MODELCLEAR_TOKEN``."""
    value = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not value:
        raise ClientError(f"set {TOKEN_VARIABLE} to the project's token (shown once when the project was added)")
    return value


def plain_http_warning(url: str) -> str | None:
    """A warning when a token would cross the network unencrypted (http to anything but this machine)."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http":
        return None
    host = parts.hostname or ""
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        if host == "localhost":
            return None
    return f"sending the project token over plain http to {host}; use https"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> None:
        raise ClientError(f"the service answered with a redirect ({code}) to {newurl[:200]}; give its final address")


def _request(method: str, url: str, secret: str, body: bytes | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {secret}", "Accept": "application/json",
               "User-Agent": "modelclear"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(req, timeout=TIMEOUT) as response:
            raw = response.read(MAX_ANSWER + 1)
    except urllib.error.HTTPError as exc:
        raise ClientError(f"{url}: HTTP {exc.code}: {_error_text(exc.read(65536))}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ClientError(f"cannot reach {url}: {reason}") from None
    if len(raw) > MAX_ANSWER:
        raise ClientError(f"{url}: the answer is larger than {MAX_ANSWER >> 20} MB")
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ClientError(f"{url}: the answer is not JSON") from None
    if not isinstance(value, dict):
        raise ClientError(f"{url}: unexpected answer")
    return value


def _error_text(raw: bytes) -> str:
    try:
        err = json.loads(raw.decode("utf-8"))["error"]
        text = str(err.get("message", "")) + (f" ({err['detail']})" if err.get("detail") else "")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        text = raw.decode("utf-8", "replace")
    return "".join(c if c.isprintable() else "?" for c in text)[:300]


def upload_report(where: Target, report_json: str, secret: str) -> dict[str, Any]:
    """Post a ``scan --format json`` report; the service's answer (report id, counts, changes)."""
    return _request("POST", where.url("reports"), secret, report_json.encode("utf-8"))


def fetch_waivers(where: Target, secret: str) -> dict[str, Any]:
    """The project's active approvals, as waivers (``{"project", "waivers": [...]}``)."""
    return _request("GET", where.url("waivers"), secret)
