"""The knowledge commands: ``modelclear kb stats|search|refresh``.

Imported by :mod:`modelclear.cli` only when ``kb`` runs (never on the ``--help`` path).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from modelclear.cli import EXIT_OK, EXIT_USAGE, CliError, _shown, _write
from modelclear.cli_policy import policy_path

__all__ = ["cmd_kb"]


def cmd_kb(args: argparse.Namespace) -> int:
    """``modelclear kb stats|search``."""
    from modelclear.explain import kb_stats

    if args.kb_command == "stats":
        sys.stdout.write(kb_stats(fmt=args.format))
        return EXIT_OK
    if args.kb_command == "search":
        _write(_kb_search(args.text, args.limit), None)
        return EXIT_OK
    if args.kb_command == "refresh":
        return _kb_refresh(args)
    raise CliError("usage: modelclear kb {stats,search,refresh}")


def _kb_refresh(args: argparse.Namespace) -> int:
    """``kb refresh``: every lock entry read from the Hub again; changes listed, licence changes first.

    Exit 0 when every entry was read (changed or not), 3 when the lock is missing or unusable or an
    entry could not be read (it is kept as it was, and the rest is still written).
    """
    import json

    from modelclear.catalog import lock as lockmod

    start = Path(args.path)
    if not start.exists():
        raise CliError(f"no such file or directory: {_shown(args.path)}")
    path = Path(args.lock) if args.lock else lockmod.find_path(start, policy_path(args, start))
    try:
        lock = lockmod.Lock.load(path)
    except lockmod.LockError as exc:
        raise CliError(f"bad lock file {exc}") from None
    if not lock.existed:
        raise CliError(f"no lock file at {_shown(str(path))}: run check or scan with --online first")
    changes = lockmod.refresh(lock, args.id)
    if lock.changed:
        try:
            lock.save()
        except OSError as exc:
            raise CliError(f"cannot write {_shown(str(path))}: {exc.strerror or exc}") from None
    failed = [c for c in changes if c.status == "failed"]
    if args.format == "json":
        doc = {"lock": str(path), "entries": len(lock.entries), "changes": [
            {"id": c.id, "status": c.status, "license_changed": c.license_changed, "reason": c.reason,
             "fields": {k: {"old": _plain(old), "new": _plain(new)} for k, (old, new) in c.fields.items()}}
            for c in changes]}
        _write(json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n", None)
    else:
        _write(_refresh_text(str(path), changes), None)
    return EXIT_USAGE if failed else EXIT_OK


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _refresh_text(path: str, changes: Sequence[Any]) -> str:
    """The text of ``kb refresh``: licence changes first, then other changes, failures and a count."""
    lines = []
    order = {"changed": 1, "failed": 2, "unchanged": 3}
    for c in sorted(changes, key=lambda c: (not c.license_changed, order[c.status], c.id.lower())):
        if c.status == "failed":
            lines.append(f"  {c.id}: not refreshed ({c.reason}); kept as it was")
            continue
        if c.status == "unchanged":
            lines.append(f"  {c.id}: unchanged")
            continue
        head = "LICENCE CHANGED" if c.license_changed else "changed"
        parts = [f"{k} {_fact(old)} → {_fact(new)}" for k, (old, new) in c.fields.items()]
        lines.append(f"  {c.id}: {head}: " + "; ".join(parts))
    counts = {s: sum(1 for c in changes if c.status == s) for s in order}
    licences = sum(1 for c in changes if c.license_changed)
    head = (f"{path}: {len(changes)} entries read from the Hub: {counts['changed']} changed ({licences} licence "
            f"changes), {counts['unchanged']} unchanged, {counts['failed']} not refreshed")
    return _shown(head) + "\n" + "\n".join(_shown(line) for line in lines) + ("\n" if lines else "")


def _fact(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    if value in ("", None):
        return "(none)"
    return str(value[:12] if isinstance(value, str) and len(value) == 40 else value)


def _kb_search(text: str, limit: int) -> str:
    """``kb search``: ids, names and aliases matching every word, ranked as the web UI ranks them."""
    from modelclear.service import load_knowledge
    from modelclear.web.search import SearchIndex

    index = SearchIndex.build(load_knowledge())
    hits = index.search(text, limit=len(index))
    lines = [f"{e.id:<60} {e.name}" for e in hits[:max(limit, 0)]]
    if len(hits) > limit:
        lines.append(f"… {len(hits) - max(limit, 0)} more (use --limit)")
    if not hits:
        lines.append(f"nothing matches {_shown(text)!r}")
    return "\n".join(lines) + "\n"
