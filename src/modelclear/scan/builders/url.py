"""A download address: ``url:``, or the id the shared weight-host table gives it."""

from __future__ import annotations

import re
from dataclasses import replace

from modelclear.scan.builders.base import (
    URL_RE,
    Builder,
    Hit,
    Site,
    local_hit,
    main_arg,
    string_values,
    url_hit,
)
from modelclear.scan.builders.hf import hf_one
from modelclear.scan.pyvalues import Res
from modelclear.scan.urls import file_kind, match_url

#: A single picture, sound or video file: a sample input fetched for a demo, not a model or a dataset.
_SAMPLE_MEDIA = re.compile(r"\.(?:jpe?g|png|gif|bmp|webp|svg|tiff?|mp3|wav|flac|ogg|mp4|avi|mov|webm)$", re.IGNORECASE)


def build_url(site: Site) -> list[Hit]:
    """A download address (``url:``, or the id the shared weight-host table gives it)."""
    res = main_arg(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if URL_RE.match(text):
            if _SAMPLE_MEDIA.search(text.split("?", 1)[0].split("#", 1)[0]):
                return []
            return [url_hit(text, site.spec.kind)]
        if text.startswith("hf://"):  # a Hub file handle (cached_path): its repository ORG/REPO
            parts = [p for p in text[len("hf://"):].split("/") if p]
            if len(parts) < 2:
                return [Hit(None, value, site.spec.kind, note="not a Hub id")]
            return [replace(hit, raw=value) for hit in hf_one(site, "/".join(parts[:2]), "hf", site.spec.kind)]
        if site.options.get("remote_only"):  # a loader mostly given the user's own local exports
            return []
        return [local_hit(text, site.spec.kind)]

    return site.each(res, one)


def build_download(site: Site) -> list[Hit]:
    """A generic HTTP fetch (``requests.get``, ``urlretrieve``, ``wget.download`` ...) of a model or data file.

    Such calls fetch anything (API endpoints, pages, pictures), so only an address whose path names a
    weight, archive or data file counts; any other value, or one not known statically, is no reference
    (and no dynamic load). A weight format is a model, other files a dataset, unless the weight-host table
    knows the address; any other file on a host that table knows counts as that host's kind.
    """
    res = main_arg(site)
    if not isinstance(res, Res):
        return []

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if not URL_RE.match(text):
            return []
        path = text.split("?", 1)[0].split("#", 1)[0]
        kind = file_kind(path)  # weights, archive or data file, by the table shell downloads use too
        if kind is None:
            # another file of a release on a known weight host (a model's config.yaml beside its weights) is
            # what the address scanner reports for the same literal (issue 10)
            hosted = match_url(text)
            return [url_hit(text, hosted.kind)] if hosted is not None else []
        return [url_hit(text, kind)]

    hits: list[Hit] = []
    for value in string_values(res):
        hits.extend(one(value))
    return hits


#: The id builders of this module, by the name a loader entry gives in ``id:``.
BUILDERS: dict[str, Builder] = {
    "url": build_url,
    "download": build_download,
}
