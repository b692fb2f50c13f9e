"""``modelclear policy pull URL --project NAME``: the team service's approvals, as waivers in the policy file.

The waivers go into one block of the policy file, between two marker comments, replaced on every
pull (the rest of the file is left as it is); a file that does not exist yet is created as
``modelclear.toml``. Only approvals for the policy's own scenario are taken when the policy names one
(its ``jurisdictions``, ``activity``, ``purpose``), since a waiver in the policy applies to every run.
The file is validated after writing, and restored if it no longer loads. Standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
from pathlib import Path
from typing import Any

from modelclear.web import client

BEGIN = "# BEGIN modelclear service waivers (written by `modelclear policy pull`; replaced on every pull)"
END = "# END modelclear service waivers"
_BLOCK = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n?", re.S)
#: Most waivers written.
MAX_WAIVERS = 5000


def toml_string(value: str) -> str:
    """A TOML basic string (quotes, backslashes and control characters escaped)."""
    out = []
    for ch in value:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F or 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(f"\\u{ord(ch):04X}" if not 0xD800 <= ord(ch) <= 0xDFFF else "\\uFFFD")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def block(waivers: list[dict[str, Any]], table: str, source: str) -> str:
    """The marked block of ``[[<table>]]`` entries."""
    lines = [BEGIN, f"# from {source.replace(chr(10), ' ')[:300]} on {dt.date.today().isoformat()}"]
    for w in waivers:
        lines += ["", f"[[{table}]]", f"id = {toml_string(w['id'])}", f"reason = {toml_string(w['reason'])}",
                  f"approved-by = {toml_string(w['approved-by'])}", f"expires = {w['expires']}"]
    lines.append(END)
    return "\n".join(lines) + "\n"


def _valid(w: Any) -> bool:
    if not isinstance(w, dict):
        return False
    if not all(isinstance(w.get(k), str) and w.get(k) for k in ("id", "reason", "approved-by", "expires")):
        return False
    try:
        dt.date.fromisoformat(w["expires"])
    except ValueError:
        return False
    return len(w["id"]) <= 512 and len(w["reason"]) <= 4000 and len(w["approved-by"]) <= 200


def _policy_file(args: argparse.Namespace) -> Path:
    from modelclear import policy

    if args.policy:
        return Path(args.policy)
    return policy.find(Path.cwd()) or Path("modelclear.toml")


def _load(path: Path, kb: Any) -> Any:
    from modelclear import ids, policy

    return policy.load(path, license_key=kb.license_key, law_code=kb.law_code, check_id=ids.check)


def _matches(w: dict[str, Any], pol: Any) -> bool:
    if pol is None:
        return True
    if pol.jurisdictions and w.get("jurisdiction") not in pol.jurisdictions:
        return False
    if pol.activity and w.get("activity") != pol.activity:
        return False
    return not (pol.purpose and w.get("purpose") != pol.purpose)


def run(args: argparse.Namespace) -> int:
    """Pull the project's waivers into the policy file; 0, or 3 with one line on standard error."""
    from modelclear.catalog import KnowledgeBase
    from modelclear.policy import PolicyError

    def fail(message: str) -> int:
        print(f"modelclear: policy pull: {message}", file=sys.stderr)
        return 3

    try:
        where = client.target(args.url, args.project)
        secret = client.token()
        warning = client.plain_http_warning(where.base)
        if warning:
            print(f"modelclear: warning: {warning}", file=sys.stderr)
        answer = client.fetch_waivers(where, secret)
    except client.ClientError as exc:
        return fail(str(exc))
    items = answer.get("waivers")
    if not isinstance(items, list) or len(items) > MAX_WAIVERS or not all(_valid(w) for w in items):
        return fail("the service's answer is not a list of waivers")
    path = _policy_file(args)
    kb = KnowledgeBase.load()
    try:
        original = path.read_text(encoding="utf-8") if path.exists() else None
    except (OSError, UnicodeDecodeError) as exc:
        return fail(f"cannot read {path}: {exc}")
    pol = None
    if original is not None:
        try:
            pol = _load(path, kb)
        except PolicyError as exc:
            return fail(f"the policy file does not load before pulling: {exc}")
    chosen = [w for w in items if _matches(w, pol)]
    table = "tool.modelclear.waivers" if path.name == "pyproject.toml" else "waivers"
    text = block(chosen, table, where.url("waivers"))
    if original is None:
        new = text
    elif _BLOCK.search(original):
        new = _BLOCK.sub(lambda _: text, original, count=1)
    else:
        new = original + ("" if original.endswith("\n") or not original else "\n") + "\n" + text
    tmp = path.with_name(path.name + ".modelclear-tmp")
    try:
        tmp.write_text(new, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        return fail(f"cannot write {path}: {exc}")
    try:
        _load(path, kb)
    except PolicyError as exc:
        if original is None:
            path.unlink()
        else:
            path.write_text(original, encoding="utf-8")
        return fail(f"the pulled waivers do not load, {path} left as it was: {exc}")
    skipped = len(items) - len(chosen)
    print(f"modelclear: wrote {len(chosen)} waiver(s) for {where.project} to {path}"
          + (f" ({skipped} for other scenarios left out)" if skipped else ""), file=sys.stderr)
    return 0
