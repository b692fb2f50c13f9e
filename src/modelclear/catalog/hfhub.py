"""Fetching cards from the Hugging Face Hub (only when the network is allowed): :func:`fetch_card`.

What was fetched is kept, with the date, under ``~/.cache/modelclear/cards/``; a missing network
gives a :class:`CardFetch` with a ``reason``. Part of :mod:`modelclear.catalog.hf`, which
re-exports these names.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelclear.catalog.hfcard import MAX_CARD_BYTES, _read_text
from modelclear.catalog.hfindex import _repo_type
from modelclear.ids import try_parse

#: Seconds to wait for the Hub before giving up (connect and read).
DEFAULT_TIMEOUT = 5.0
#: Fetched cards younger than this are served from the modelclear cache without a request.
DEFAULT_MAX_AGE = _dt.timedelta(days=30)


@dataclass(frozen=True)
class CardFetch:
    """The result of asking for a card: the text and the date it was fetched, or why there is none."""

    repo_id: str
    kind: str
    text: str | None
    fetched_on: _dt.date | None
    reason: str = ""
    from_cache: bool = False

    @property
    def ok(self) -> bool:
        """True when a card text is available."""
        return self.text is not None



def modelclear_cache_dir() -> Path:
    """modelclear's own cache directory.

    ``$MODELCLEAR_CACHE``, else ``$XDG_CACHE_HOME/modelclear``, else ``~/.cache/modelclear``.
    """
    explicit = os.environ.get("MODELCLEAR_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "modelclear"


def _card_cache_path(repo_id: str, kind: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]", "--", repo_id)
    return modelclear_cache_dir() / "cards" / f"{kind}s" / f"{safe}.json"


def _load_cached_fetch(repo_id: str, kind: str) -> CardFetch | None:
    path = _card_cache_path(repo_id, kind)
    try:
        record = json.loads(_read_text(path, limit=MAX_CARD_BYTES + 100_000))
        text = record["text"]
        fetched_on = _dt.date.fromisoformat(record["fetched_on"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(text, str) or record.get("repo_id") != repo_id:
        return None
    return CardFetch(repo_id, kind, text, fetched_on, reason="from the modelclear card cache", from_cache=True)


def _store_fetch(fetch: CardFetch) -> None:
    path = _card_cache_path(fetch.repo_id, fetch.kind)
    record = {"repo_id": fetch.repo_id, "kind": fetch.kind, "text": fetch.text,
              "fetched_on": fetch.fetched_on.isoformat() if fetch.fetched_on else None}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only cache only costs a future request


def _offline() -> bool:
    from huggingface_hub import constants

    env = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    checker = getattr(constants, "is_offline_mode", None)  # huggingface_hub >= 1.0
    flag = checker() if callable(checker) else getattr(constants, "HF_HUB_OFFLINE", False)
    return env.strip().upper() in ("1", "ON", "YES", "TRUE") or bool(flag)


def _get_capped(url: str, timeout: float) -> tuple[int, bytes]:
    """One GET through huggingface_hub's session (httpx in hub >= 1.0, requests before), capped in size."""
    status, body, _ = _get_capped_with_headers(url, timeout)
    return status, body


def _get_capped_with_headers(url: str, timeout: float) -> tuple[int, bytes, dict[str, str]]:
    """:func:`_get_capped` with the response headers (lower-case names), e.g. ``x-repo-commit``."""
    from huggingface_hub import get_session
    from huggingface_hub.utils import build_hf_headers

    session = get_session()
    chunks: list[bytes] = []
    size = 0
    if hasattr(session, "stream"):  # httpx client
        with session.stream("GET", url, headers=build_hf_headers(), timeout=timeout,
                            follow_redirects=True) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            if response.status_code >= 400:
                return response.status_code, b"", headers
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size >= MAX_CARD_BYTES:
                    break
            return response.status_code, b"".join(chunks)[:MAX_CARD_BYTES], headers
    legacy: Any = session  # a requests.Session (huggingface_hub < 1.0); the stubs know only httpx
    response = legacy.get(url, headers=build_hf_headers(), timeout=timeout, stream=True)
    try:
        headers = {k.lower(): v for k, v in response.headers.items()}
        if response.status_code >= 400:
            return response.status_code, b"", headers
        for chunk in response.iter_content(chunk_size=65536):
            chunks.append(chunk)
            size += len(chunk)
            if size >= MAX_CARD_BYTES:
                break
        return response.status_code, b"".join(chunks)[:MAX_CARD_BYTES], headers
    finally:
        response.close()


def fetch_card(repo_id: str, kind: str = "model", *, timeout: float = DEFAULT_TIMEOUT,
               endpoint: str | None = None, max_age: _dt.timedelta = DEFAULT_MAX_AGE,
               today: _dt.date | None = None) -> CardFetch:
    """Fetch the README.md card of ``repo_id`` from the Hub; never raises, never waits past ``timeout``.

    A card fetched within ``max_age`` is served from the modelclear card cache. Otherwise one GET of
    ``README.md`` is made through ``huggingface_hub``'s HTTP session (its headers, token and offline
    switch), with no retries, reading at most :data:`MAX_CARD_BYTES`. A fetched card is cached with
    its date. When offline (``HF_HUB_OFFLINE=1``) or on any network error, a previously cached card
    is returned with its original date; with none, ``text`` is ``None`` and ``reason`` says why.
    """
    repo_type = _repo_type(kind)
    if not isinstance(repo_id, str) or try_parse(f"hf:{repo_id}") is None:
        return CardFetch(str(repo_id), kind, None, None, reason=f"not a Hub repository id: {repo_id!r}")
    day = today or _dt.date.today()
    cached = _load_cached_fetch(repo_id, kind)
    if cached is not None and cached.fetched_on is not None and day - cached.fetched_on <= max_age:
        return cached

    def fallback(reason: str) -> CardFetch:
        if cached is not None:
            return CardFetch(repo_id, kind, cached.text, cached.fetched_on,
                             reason=f"{reason}; using the card cached on {cached.fetched_on}", from_cache=True)
        return CardFetch(repo_id, kind, None, None, reason=reason)

    if _offline():
        return fallback("offline mode (HF_HUB_OFFLINE) is on")
    try:
        from huggingface_hub import hf_hub_url

        url = hf_hub_url(repo_id, "README.md", repo_type=repo_type, endpoint=endpoint)
        status, body = _get_capped(url, timeout)
    except Exception as exc:  # any transport failure means "no network", never a crash
        return fallback(f"cannot reach the Hub: {type(exc).__name__}")
    if status == 404:
        return fallback(f"{kind} {repo_id} has no README.md on the Hub (HTTP 404)")
    if status in (401, 403):
        return fallback(f"the Hub refused access to {repo_id} (HTTP {status})")
    if status >= 400:
        return fallback(f"the Hub answered HTTP {status}")
    text = body.decode("utf-8", errors="replace")
    fetch = CardFetch(repo_id, kind, text, day, reason="fetched from the Hub")
    _store_fetch(fetch)
    return fetch



_SHA = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class RepoRead:
    """What the Hub says about one repository at its current revision, or why it could not be read.

    ``revision`` is the commit sha the card was read at, ``gated`` is ``""`` (not gated), ``"auto"``
    or ``"manual"`` as the Hub's API gives it, ``text`` the card (``""`` when the repository has no
    README.md), ``source_url`` the card's page at that revision and ``read_on`` the date it was read.
    """

    repo_id: str
    kind: str
    revision: str = ""
    gated: str = ""
    last_modified: str = ""
    text: str | None = None
    source_url: str = ""
    read_on: _dt.date | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """True when the repository's revision and card were read."""
        return self.text is not None and bool(self.revision)


def read_repo(repo_id: str, kind: str = "model", *, timeout: float = DEFAULT_TIMEOUT,
              endpoint: str | None = None, today: _dt.date | None = None) -> RepoRead:
    """Read a repository's current revision, gating and card from the Hub; never raises.

    Two requests, both through ``huggingface_hub``: the repository's API document
    (``HfApi.model_info``/``dataset_info``, ``GET /api/models/{repo}?expand=sha&expand=gated&expand=lastModified``)
    for its commit sha and gating, then ``README.md`` at that very commit (``/{repo}/resolve/{sha}/README.md``),
    read through the HTTP session with at most :data:`MAX_CARD_BYTES`; a response whose ``X-Repo-Commit``
    names another commit is refused. No card cache is used: what is read is what the Hub serves now.
    """
    repo_type = _repo_type(kind)
    if not isinstance(repo_id, str) or try_parse(f"hf:{repo_id}") is None:
        return RepoRead(str(repo_id), kind, reason=f"not a Hub repository id: {repo_id!r}")
    if _offline():
        return RepoRead(repo_id, kind, reason="offline mode (HF_HUB_OFFLINE) is on")
    try:
        from huggingface_hub import HfApi, constants, hf_hub_url

        base = (endpoint or constants.ENDPOINT).rstrip("/")
        api = HfApi(endpoint=base)
        info: Any = (api.dataset_info(repo_id, timeout=timeout, expand=["sha", "gated", "lastModified"])
                     if repo_type == "dataset" else
                     api.model_info(repo_id, timeout=timeout, expand=["sha", "gated", "lastModified"]))
    except Exception as exc:  # not found, refused, no network: a reason, never a crash
        status = getattr(getattr(exc, "response", None), "status_code", None)
        what = f"HTTP {status}" if isinstance(status, int) else type(exc).__name__
        return RepoRead(repo_id, kind, reason=f"cannot read {kind} {repo_id} from the Hub ({what})")
    sha = getattr(info, "sha", None)
    if not isinstance(sha, str) or not _SHA.fullmatch(sha):
        return RepoRead(repo_id, kind, reason=f"the Hub gave no commit sha for {repo_id}")
    gated_raw = getattr(info, "gated", None)
    gated = gated_raw if gated_raw in ("auto", "manual") else ""
    modified = getattr(info, "last_modified", None)
    last_modified = modified.isoformat() if isinstance(modified, _dt.datetime) else ""
    try:
        url = hf_hub_url(repo_id, "README.md", repo_type=repo_type, revision=sha, endpoint=base)
        status, body, headers = _get_capped_with_headers(url, timeout)
    except Exception as exc:  # any transport failure means "no network", never a crash
        return RepoRead(repo_id, kind, reason=f"cannot reach the Hub: {type(exc).__name__}")
    if status == 404 and headers.get("x-error-code", "EntryNotFound") == "EntryNotFound":
        text = ""  # a repository without a card: its facts are that it declares nothing
    elif status >= 400:
        return RepoRead(repo_id, kind, reason=f"the Hub answered HTTP {status} for the card of {repo_id}")
    else:
        commit = headers.get(constants.HUGGINGFACE_HEADER_X_REPO_COMMIT.lower(), sha)
        if commit != sha:
            return RepoRead(repo_id, kind, reason=f"the Hub served the card of {repo_id} at another commit")
        text = body.decode("utf-8", errors="replace")
    page = f"{base}/datasets/{repo_id}" if repo_type == "dataset" else f"{base}/{repo_id}"
    return RepoRead(repo_id, kind, revision=sha, gated=gated, last_modified=last_modified, text=text,
                    source_url=f"{page}/blob/{sha}/README.md", read_on=today or _dt.date.today(),
                    reason="read from the Hub")
