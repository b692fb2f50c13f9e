"""The knowledge base as a page: a raw record as a tree of texts, links, lists and mappings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from modelclear.catalog import KnowledgeBase


@dataclass(frozen=True)
class Node:
    """One value of a knowledge record, ready to render: text, link, list or mapping."""

    kind: str  # text | link | list | map
    text: str = ""
    href: str = ""
    items: tuple[tuple[str, Node], ...] = field(default_factory=tuple)


_LINK_KEYS_LICENSE = frozenset({"license", "licence", "terms", "licenses", "license_id", "spdx"})
_SKIP_KEYS = frozenset({"id", "name", "summary", "_file"})


def explain_href(item: str) -> str:
    """The page of a knowledge item (``license:MIT``, ``law:JP``, an artifact id)."""
    return "/explain/" + quote(item, safe=":/@+")


def record_tree(value: Any, lang: str, kb: KnowledgeBase, key: str = "", kind: str = "") -> Node:
    """A raw knowledge record as a :class:`Node` tree, bilingual texts in ``lang`` and references linked."""
    # One dispatch over the value's type and key: which strings become links is a flat list of cases.
    if isinstance(value, Mapping):
        if set(value) <= {"en", "ja"} and "en" in value:
            return Node("text", str(value.get(lang) or value["en"]))
        items = tuple((str(k), record_tree(v, lang, kb, str(k), kind)) for k, v in value.items()
                      if v not in (None, "", [], {}) and not str(k).startswith("_"))
        return Node("map", items=items)
    if isinstance(value, (list, tuple)):
        return Node("list", items=tuple(("", record_tree(v, lang, kb, key, kind)) for v in value))
    if isinstance(value, bool):
        return Node("text", "true" if value else "false")
    text = str(value)
    if text.startswith(("https://", "http://")):
        return Node("link", text, href=text)
    if key in _LINK_KEYS_LICENSE and kb.license_key(text):
        return Node("link", text, href=explain_href(f"license:{kb.license_key(text)}"))
    if kind == "law" and key in ("parent", "jurisdiction") and kb.law_code(text):
        return Node("link", text, href=explain_href(f"law:{kb.law_code(text)}"))
    if ":" in text and " " not in text and len(text) < 300 and key not in ("url", "clause", "quote"):
        cid = kb.canonical(text)
        if cid is not None and kb.raw_artifact(cid) is not None:
            return Node("link", text, href=explain_href(cid))
    return Node("text", text)


def explain_view(kb: KnowledgeBase, item: str, lang: str) -> dict[str, Any] | None:
    """The page model of one knowledge entry (``None`` when the knowledge base has no such entry)."""
    from modelclear.explain import lookup

    found = lookup(kb, item)
    if found is None:
        return None
    kind, record = found
    name = record.get("name")
    if isinstance(name, Mapping):
        name = name.get(lang) or name.get("en")
    summary = record.get("summary")
    if isinstance(summary, Mapping):
        summary = summary.get(lang) or summary.get("en")
    rid = str(record.get("id", item))
    if kind == "law":
        display = f"law:{record.get('jurisdiction', rid)}"
    elif kind in ("license", "platform"):
        display = f"{kind}:{rid}"
    else:
        display = rid
    where = str(record.get("_file", ""))
    body = {k: v for k, v in record.items() if k not in _SKIP_KEYS}
    return {
        "kind": kind,
        "id": display,
        "name": str(name or ""),
        "summary": str(summary or ""),
        "file": where if where and not os.path.isabs(where) else "",
        "tree": record_tree(body, lang, kb, kind=kind),
        "checkable": kind == "artifact",
    }
