"""Validating a policy table read from a file into a :class:`~modelclear.policy.model.Policy`."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from modelclear.knowledge.vocab import ACTIVITIES
from modelclear.policy.model import FAIL_ON, Policy, PolicyError, Waiver

_TOP_KEYS = ("jurisdictions", "activity", "purpose", "accepted", "obtained-on", "domicile", "fail-on", "licenses",
             "waivers")
_LICENSE_KEYS = ("allow", "deny")
_WAIVER_KEYS = ("id", "reason", "approved-by", "expires")
_ACTIVITIES = ACTIVITIES
_PURPOSES = ("commercial", "research")


def _norm(key: object) -> str:
    return str(key).replace("_", "-")


def _type_name(value: object) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "a table", dt.date: "a date", dt.datetime: "a date-time"}.get(type(value), type(value).__name__)


# Over ~80 lines (and complexity ~40) on purpose: one flat pass over the keys, each checked by the nested helpers that
# share ``fail`` (file, line and key of the error); splitting it would thread that state through
# every piece without making any one key's rule easier to read.
def _validate(shown: str, table: Mapping[str, Any], locate: Callable[[Sequence[str | int]], int],
              license_key: Callable[[str], str | None], law_code: Callable[[str], str | None],
              check_id: Callable[[str], None] | None) -> Policy:
    def fail(keys: Sequence[str | int], problem: str) -> PolicyError:
        label = "".join(f"[{k}]" if isinstance(k, int) else (f".{k}" if i else str(k)) for i, k in enumerate(keys))
        return PolicyError(shown, locate(keys), label, problem)

    def unknown(keys: Sequence[str | int], raw: str, known: Sequence[str]) -> PolicyError:
        close = difflib.get_close_matches(_norm(raw), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(known)}"
        return fail(keys, f"unknown key{hint}")

    def text(keys: Sequence[str | int], value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise fail(keys, f"must be a non-empty string, got {_type_name(value)}")
        return value.strip()

    def strings(keys: Sequence[str | int], value: object, comma: bool = False) -> list[str]:
        if comma and isinstance(value, str):
            return [p.strip() for p in value.split(",") if p.strip()]
        if not isinstance(value, list):
            raise fail(keys, f"must be a list of strings, got {_type_name(value)}")
        return [text((*keys, i), v) for i, v in enumerate(value)]

    def date(keys: Sequence[str | int], value: object) -> dt.date:
        if isinstance(value, dt.datetime):
            raise fail(keys, f"must be a date (YYYY-MM-DD), got a date-time {value.isoformat()}")
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise fail(keys, f"bad date {value!r}; use YYYY-MM-DD") from None
        raise fail(keys, f"must be a date (YYYY-MM-DD), got {_type_name(value)}")

    def choice(keys: Sequence[str | int], value: object, options: Sequence[str]) -> str:
        got = text(keys, value)
        if got not in options:
            raise fail(keys, f"{got!r} is not one of: {', '.join(options)}")
        return got

    values: dict[str, Any] = {}
    for raw_key, value in table.items():
        key = _norm(raw_key)
        if key not in _TOP_KEYS:
            raise unknown((raw_key,), raw_key, _TOP_KEYS)
        values[key] = (raw_key, value)

    out: dict[str, Any] = {}
    if "jurisdictions" in values:
        raw_key, value = values["jurisdictions"]
        codes = strings((raw_key,), value, comma=True)
        for i, code in enumerate(codes):
            if law_code(code) is None:
                raise fail((raw_key, i) if isinstance(value, list) else (raw_key,),
                           f"unknown jurisdiction {code!r}")
        out["jurisdictions"] = tuple(c.upper() for c in codes)
    if "activity" in values:
        raw_key, value = values["activity"]
        out["activity"] = choice((raw_key,), value, _ACTIVITIES)
    if "purpose" in values:
        raw_key, value = values["purpose"]
        out["purpose"] = choice((raw_key,), value, _PURPOSES)
    if "accepted" in values:
        raw_key, value = values["accepted"]
        out["accepted"] = tuple(strings((raw_key,), value))
    if "obtained-on" in values:
        raw_key, value = values["obtained-on"]
        out["obtained_on"] = date((raw_key,), value)
    if "domicile" in values:
        raw_key, value = values["domicile"]
        home = text((raw_key,), value).strip().upper()
        if not (len(home) == 2 and home.isascii() and home.isalpha()):
            raise fail((raw_key,), f"{home!r} is not a two-letter country code or EU")
        out["domicile"] = home
    if "fail-on" in values:
        raw_key, value = values["fail-on"]
        out["fail_on"] = choice((raw_key,), value, FAIL_ON)
    if "licenses" in values:
        raw_key, value = values["licenses"]
        if not isinstance(value, dict):
            raise fail((raw_key,), f"must be a table with 'allow' and/or 'deny', got {_type_name(value)}")
        for sub_raw, ids in value.items():
            sub = _norm(sub_raw)
            if sub not in _LICENSE_KEYS:
                raise unknown((raw_key, sub_raw), sub_raw, _LICENSE_KEYS)
            canon = []
            for i, lid in enumerate(strings((raw_key, sub_raw), ids)):
                known = license_key(lid)
                if known is None:
                    raise fail((raw_key, sub_raw, i), f"unknown licence id {lid!r}: not in the knowledge base "
                               "(try `modelclear kb search` or `modelclear explain license:ID`)")
                canon.append(known)
            out[f"{sub}_licenses"] = tuple(canon)
    if "waivers" in values:
        raw_key, value = values["waivers"]
        if not isinstance(value, list):
            raise fail((raw_key,), f"must be a list of tables (id, reason, approved-by, expires), "
                                   f"got {_type_name(value)}")
        waivers = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise fail((raw_key, i), f"must be a table (id, reason, approved-by, expires), got {_type_name(item)}")
            fields: dict[str, tuple[str, Any]] = {}
            for k, v in item.items():
                nk = _norm(k)
                if nk not in _WAIVER_KEYS:
                    raise unknown((raw_key, i, k), k, _WAIVER_KEYS)
                fields[nk] = (k, v)
            for required in _WAIVER_KEYS:
                if required not in fields:
                    raise fail((raw_key, i), f"missing {required!r} (a waiver needs id, reason, approved-by, expires)")
            wid = text((raw_key, i, fields["id"][0]), fields["id"][1])
            if check_id is not None:
                try:
                    check_id(wid)
                except ValueError as exc:
                    raise fail((raw_key, i, fields["id"][0]), str(exc)) from None
            waivers.append(Waiver(
                id=wid,
                reason=text((raw_key, i, fields["reason"][0]), fields["reason"][1]),
                approved_by=text((raw_key, i, fields["approved-by"][0]), fields["approved-by"][1]),
                expires=date((raw_key, i, fields["expires"][0]), fields["expires"][1]),
                line=locate((raw_key, i)),
            ))
        out["waivers"] = tuple(waivers)
    return Policy(path=shown, **out)
