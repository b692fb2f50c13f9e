"""The general builder: an id from a template over the argument value and the callee's regex groups
(``map`` of known names, ``names`` / ``value_regex`` filters, ``unmapped: local``)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from modelclear import ids
from modelclear.scan.builders.base import (
    URL_RE,
    Builder,
    Hit,
    Site,
    local_hit,
    looks_local,
    main_arg,
    url_hit,
)
from modelclear.scan.pyvalues import Res


def build_template(site: Site) -> list[Hit]:
    """An id from a template over the argument value and/or the callee's regex groups."""
    excluded = site.options.get("exclude_names") or ()
    if site.groups.get("name") in excluded:  # type: ignore[operator]
        return []
    kind = site.spec.kind
    if site.spec.arg is None:
        ref = ids.try_parse(site.spec.template.format(**site.groups))
        return [Hit(ref.id, site.qualname, kind)] if ref else []
    res = main_arg(site)
    if res == "skip":
        return []
    if res is None:
        return [site.unresolved(None, what="no name argument")]
    assert isinstance(res, Res)
    mapping: Mapping[str, str] = site.options.get("map") or {}  # type: ignore[assignment]
    names = site.options.get("names")
    value_regex = site.options.get("value_regex")

    def one(value: str) -> list[Hit]:
        text = value.strip()
        if URL_RE.match(text):
            return [url_hit(text, kind)]
        if mapping:
            if text not in mapping:
                return [local_hit(text, kind)] if site.options.get("unmapped") == "local" else [
                    Hit(None, value, kind, note="unknown name")]
            text = mapping[text]
        elif names is not None and text not in names:  # type: ignore[operator]
            return [local_hit(text, kind)] if looks_local(text) or "/" in text or "." in text else [
                Hit(None, value, kind, note="unknown name")]
        elif value_regex and not re.match(str(value_regex), text):
            return [local_hit(text, kind)]
        ref = ids.try_parse(site.spec.template.format(value=text, **site.groups))
        return [Hit(ref.id, value, kind)] if ref else [Hit(None, value, kind, note="not a valid id")]

    return site.each(res, one)


#: The id builders of this module, by the name a loader entry gives in ``id:``.
BUILDERS: dict[str, Builder] = {
    "template": build_template,
}
