"""The rules between fields of knowledge records that a field's type alone cannot state.

Each function is a :data:`modelclear.knowledge.types.Check`: it receives a record whose fields are
already well-typed, its path and the context, and records problems. The schema
(:mod:`modelclear.knowledge.schema`) attaches them to records, with a sentence for the format
reference.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

from modelclear.knowledge.types import Ctx, Where, as_date, at

_CODE = re.compile(r"^[A-Z]{2}$")
#: SPDX ids added to the SPDX License List after the list bundled with ``license-expression``,
#: each with the SPDX release that added it (checked in spdx/license-list-XML).
SPDX_NEWER_THAN_BUNDLED = {"OpenMDW-1.0": "3.28.0"}


@functools.cache
def _real_spdx_ids() -> frozenset[str]:
    """SPDX ids (not ScanCode ``LicenseRef-`` keys) listed in the ScanCode LicenseDB index."""
    index = resources.files("license_expression").joinpath("data/scancode-licensedb-index.json")
    out: set[str] = set()
    for entry in json.loads(index.read_text(encoding="utf-8")):
        for key in [entry.get("spdx_license_key") or "", *entry.get("other_spdx_license_keys", [])]:
            if key and not key.startswith("LicenseRef-"):
                out.add(key)
    return frozenset(out)


@functools.cache
def _licensing() -> Any:
    """The SPDX licensing of ``license-expression`` (built once: it reads a large index)."""
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def spdx_problem(value: str) -> str | None:
    """Why ``value`` is not one real SPDX licence id (``None`` when it is one)."""
    if value in SPDX_NEWER_THAN_BUNDLED:
        return None
    if value.startswith("LicenseRef-"):
        return f"{value!r} is a LicenseRef, not an SPDX id; use spdx: null"
    info = _licensing().validate(value)
    if info.errors:
        return "; ".join(info.errors)
    if value not in _real_spdx_ids():
        return f"{value!r} is not a known SPDX id (check spelling and case)"
    return None


def id_is_file_name(record: Mapping[str, Any], path: Where, ctx: Ctx) -> None:
    """A licence or platform record's ``id`` is its file name."""
    if ctx.stem and record.get("id") != ctx.stem:
        ctx.add(at(path, "id"), f"id {record.get('id')!r} differs from the file name {ctx.stem!r}")


def licence_rules(record: Mapping[str, Any], path: Where, ctx: Ctx) -> None:
    """A real SPDX id; a record without terms grants nothing."""
    spdx = record.get("spdx")
    if isinstance(spdx, str):
        problem = spdx_problem(spdx)
        if problem:
            ctx.add(at(path, "spdx"), problem)
    if not record.get("terms") and record.get("grants") != []:
        ctx.add(at(path, "grants"), "a record without terms must grant nothing (grants: [])")


def licence_text_rules(text: Mapping[str, Any], path: Where, ctx: Ctx) -> None:
    """Bundled texts need a licence text that may be copied."""
    if not text.get("files"):
        return
    copying = text.get("copying")
    if not isinstance(copying, Mapping) or copying.get("allowed") is not True:
        ctx.add(at(path, "copying"), "bundled files need copying.allowed: true (the text itself may be copied)")
    if text.get("bundle") != "verbatim":
        ctx.add(at(path, "bundle"), "bundled files need bundle: verbatim")


def term_rules(term: Mapping[str, Any], path: Where, ctx: Ctx) -> None:
    """An uncertain [U] term may not yield ``allowed``."""
    if term.get("confidence") == "U" and term.get("effect") == "allowed":
        ctx.add(at(path, "effect"), "an uncertain [U] fact may not yield 'allowed'")


def _parse_id(text: str, ctx: Ctx) -> tuple[str, str] | None:
    """(canonical id, scheme kind) of ``text`` through :mod:`modelclear.ids`; ``None`` when malformed."""
    if ctx.schemes is None:
        return None
    from modelclear import ids

    ref = ids.try_parse(text)
    return None if ref is None or ref.kind is None else (ref.id, ref.kind.value)


def artifact_id_rules(record: Mapping[str, Any], path: Where, ctx: Ctx) -> None:
    """The id parses in a known scheme (checked when the id schemes are known)."""
    rid = record.get("id")
    if ctx.schemes is not None and isinstance(rid, str) and _parse_id(rid, ctx) is None:
        ctx.add(at(path, "id"), f"{rid!r} is not a well-formed id in a known scheme")


def dataset_rules(record: Mapping[str, Any], path: Where, ctx: Ctx) -> None:
    """A canonical ``dataset:`` id matching the file name; typed aliases are canonical dataset ids."""
    rid = str(record.get("id"))
    parsed = _parse_id(rid, ctx)
    if ctx.schemes is not None and (parsed is None or parsed[0] != rid or not rid.startswith("dataset:")):
        ctx.add(at(path, "id"), f"id {rid!r} is not a canonical dataset: id")
    elif ctx.stem and rid.removeprefix("dataset:") != ctx.stem:
        ctx.add(at(path, "id"), f"file name does not match id {rid!r}")
    for i, alias in enumerate(record.get("aliases") or ()):
        scheme = alias.split(":", 1)[0] if re.match(r"^[a-z][a-z0-9_-]*:", alias) else ""
        if ctx.schemes is not None and scheme in ctx.schemes:
            found = _parse_id(alias, ctx)
            if found is None or found != (alias, "dataset"):
                ctx.add(at(at(path, "aliases"), i), f"alias {alias!r} is not a canonical dataset id")


def law_rules(record: Mapping[str, Any], path: Where, ctx: Ctx) -> None:
    """Jurisdiction = file name (two capitals), ``id: law:CODE``, rules for one act never overlap."""
    code = record.get("jurisdiction")
    if (ctx.stem and code != ctx.stem) or not _CODE.match(str(code)):
        ctx.add(at(path, "jurisdiction"), f"{code!r} must equal the file name and be two capitals")
    if record.get("id") != f"law:{code}":
        ctx.add(at(path, "id"), f"must be 'law:{code}'")
    seen: dict[tuple[str, str], list[tuple[dt.date, dt.date]]] = {}
    for i, rule in enumerate(record.get("rules") or ()):
        start = as_date(rule.get("effective"))
        if start is None:
            continue
        end = as_date(rule.get("until")) or dt.date.max
        for purpose in rule.get("purposes") or ():
            key = (str(rule.get("act")), str(purpose))
            if any(start < other_end and other_start < end for other_start, other_end in seen.get(key, ())):
                ctx.add(at(at(path, "rules"), i), f"two rules for {key} overlap in time ({rule.get('id')})")
            seen.setdefault(key, []).append((start, end))


def law_rule_rules(rule: Mapping[str, Any], path: Where, ctx: Ctx) -> None:
    """``until`` after ``effective``; a ``covers`` rule does not rest only on [U] sources."""
    if "until" in rule:
        start, end = as_date(rule.get("effective")), as_date(rule.get("until"))
        if start is None or end is None or end <= start:
            ctx.add(at(path, "until"), "must be an ISO date after 'effective'")
    if rule.get("effect") == "covers" and all(s.get("confidence") == "U" for s in rule.get("sources") or ()):
        ctx.add(at(path, "effect"), "a 'covers' rule must not rest only on [U] sources")


def loader_rules(raw: Mapping[str, Any], path: Where, ctx: Ctx) -> None:
    """``call`` or ``call_regex``; ``default`` exactly with ``if_missing: default``; a mapping default
    needs ``default_key``."""
    if not raw.get("call") and not raw.get("call_regex"):
        ctx.add(path, "a loader needs call or call_regex")
    has_default = raw.get("default") is not None
    if (raw.get("if_missing") == "default") != has_default:
        ctx.add(at(path, "default"), "`default:` goes with `if_missing: default` (and only with it)")
    if isinstance(raw.get("default"), Mapping) and not raw.get("default_key"):
        ctx.add(at(path, "default_key"), "a mapping default needs default_key")


def interaction_rules(raw: Mapping[str, Any], path: Where, ctx: Ctx) -> None:
    """The rules' ``when:`` facts and ``then:`` actions (:mod:`modelclear.assess.rules`)."""
    from modelclear.assess.rules import RuleError, check_acts, parse

    if ctx.stem == "reuploads":  # its fields are checked by the schema alone
        return
    try:
        if ctx.stem == "acts":
            check_acts(raw, "")
        else:
            parse(raw, "")
    except RuleError as exc:
        ctx.add(path, str(exc).removeprefix(": "))


def messages_rules(raw: Mapping[str, Any], path: Where, ctx: Ctx) -> None:
    """A message catalogue is named after its language."""
    from modelclear.knowledge.vocab import LANGUAGES

    if ctx.stem and ctx.stem not in LANGUAGES:
        ctx.add(path, f"a message catalogue is named after its language ({', '.join(LANGUAGES)}), not {ctx.stem!r}")


def name_clashes(records: Sequence[tuple[str, Mapping[str, Any]]], label: str = "id") -> list[str]:
    """Ids or aliases (case-insensitive) claimed by two records of one folder, or listed twice in one.

    An alias may repeat its own record's id in another case (a Hub id such as ``afl-3.0`` next to the
    SPDX id ``AFL-3.0``): it names the same record, so it is no clash.
    """
    owner: dict[str, str] = {}
    out: list[str] = []
    for rel, record in records:
        aliases = [a for a in record.get("aliases") or () if isinstance(a, str)]
        if len(aliases) != len(set(aliases)):
            out.append(f"{rel}: aliases: an alias is listed twice")
        names = {n.strip().lower(): n for n in [record.get(label), *aliases] if isinstance(n, str)}
        for key, name in names.items():
            if key in owner and owner[key] != rel:
                out.append(f"{rel}: {label}: {name!r} is already used by {owner[key]}")
            else:
                owner[key] = rel
    return out


def law_clashes(laws: Sequence[tuple[str, Mapping[str, Any]]], check_parents: bool) -> list[str]:
    """Rule, case and obligation ids unique across law files; parents exist and form no cycle."""
    out: list[str] = []
    seen: dict[str, str] = {}
    for rel, law in laws:
        for key in ("rules", "cases", "obligations"):
            for i, item in enumerate(law.get(key) or ()):
                iid = item.get("id") if isinstance(item, Mapping) else None
                if isinstance(iid, str) and seen.setdefault(iid, rel) != rel:
                    out.append(f"{rel}: {key}[{i}].id: {iid!r} is already used by {seen[iid]}")
    if check_parents:
        parents = {str(law.get("jurisdiction")): (rel, law.get("parent")) for rel, law in laws}
        for code, (rel, parent) in parents.items():
            chain = {code}
            while parent is not None:
                if parent not in parents:
                    out.append(f"{rel}: parent: unknown jurisdiction {parent!r}")
                    break
                if parent in chain:
                    out.append(f"{rel}: parent: {parent!r} makes a cycle")
                    break
                chain.add(parent)
                parent = parents[parent][1]
    return out
