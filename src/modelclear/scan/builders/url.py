"""A download address: ``url:``, or the id the shared weight-host table gives it."""

from __future__ import annotations

from modelclear.scan.builders.base import (
    URL_RE,
    Builder,
    Hit,
    Site,
    local_hit,
    main_arg,
    url_hit,
)
from modelclear.scan.pyvalues import Res


def build_url(site: Site) -> list[Hit]:
    """A download address (``url:``, or the id the shared weight-host table gives it)."""
    res = main_arg(site)
    if not isinstance(res, Res):
        return [site.unresolved(None)] if res is None else []

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if URL_RE.match(text):
            return [url_hit(text, site.spec.kind)]
        return [local_hit(text, site.spec.kind)]

    return site.each(res, one)


#: The id builders of this module, by the name a loader entry gives in ``id:``.
BUILDERS: dict[str, Builder] = {
    "url": build_url,
}
