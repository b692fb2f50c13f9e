"""The policy, knowledge lock, scenario and CI gate of a ``check`` or ``scan`` run.

Imported by :mod:`modelclear.cli` inside the command handlers (never on the ``--help`` path). Every
problem with the user's files exits 3 through :class:`modelclear.cli.CliError`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from modelclear.cli import CliError, _shown

__all__ = ["attach_lock", "domicile", "gate", "gate_messages", "load_policy", "policy_path", "save_lock",
           "scenario_values"]


def load_policy(args: argparse.Namespace, start: Path, kb: Any) -> Any:
    """The policy for this run (``--policy``, else found from ``start`` upward), or ``None``."""
    from modelclear import ids, policy

    path = policy_path(args, start)
    if path is None:
        return None

    try:
        return policy.load(path, license_key=kb.license_key, law_code=kb.law_code, check_id=ids.check)
    except policy.PolicyError as exc:
        raise CliError(f"bad policy file {exc}") from None


def policy_path(args: argparse.Namespace, start: Path) -> Path | None:
    """The policy file of this run (``--policy``, else found from ``start`` upward), or ``None``."""
    from modelclear import policy

    if getattr(args, "no_policy", False):
        return None
    if args.policy and not Path(args.policy).is_file():
        raise CliError(f"no such policy file: {args.policy}")
    return Path(args.policy) if args.policy else policy.find(start)


def attach_lock(args: argparse.Namespace, service: Any, start: Path) -> Any:
    """The knowledge lock of this run attached to the service's catalog (``None`` without one and offline).

    The lock is ``--lock``, else ``modelclear.lock`` beside the policy file, else in ``start``'s folder
    (see :mod:`modelclear.catalog.lock` for what it holds and its precedence). A lock that cannot be
    used exits 3; a reviewed record whose licence disagrees with the lock is a warning.
    """
    from modelclear.catalog.lockfile import find_path

    path = Path(args.lock) if args.lock else find_path(start, policy_path(args, start))
    if not args.lock and not args.online and not _may_exist(path):
        return None  # no lock here and none to write: the lock module is not even imported
    from modelclear.catalog import lock as lockmod

    try:
        lock = lockmod.Lock.load(path)
    except lockmod.LockError as exc:
        raise CliError(f"bad lock file {exc}") from None
    if not lock.existed and not args.online:
        if args.lock:
            raise CliError(f"no such lock file: {_shown(args.lock)} (run once with --online to write it)")
        return None
    source = service.use_lock(lock, online=args.online)  # the report states the disagreements too
    for line in source.disagreements:
        print(f"modelclear: warning: {line}", file=sys.stderr)
    return source


def _may_exist(path: Path) -> bool:
    """Whether ``path`` exists (or cannot be told: then :class:`~modelclear.catalog.lock.Lock` says why)."""
    try:
        return path.exists()
    except OSError:
        return True


def save_lock(source: Any) -> None:
    """Write what an ``--online`` run added to the lock; say what the Hub could not give."""
    if source is None:
        return
    for artifact_id, reason in source.failures:
        print(f"modelclear: warning: {_shown(artifact_id)}: {_shown(reason)}", file=sys.stderr)
    lock = source.lock
    if not lock.changed:
        return
    try:
        lock.save()
    except OSError as exc:
        print(f"modelclear: warning: cannot write {_shown(str(lock.path))}: {exc.strerror or exc}", file=sys.stderr)
        return
    print(f"modelclear: {_shown(str(lock.path))}: {len(lock.entries)} entries pinned (review and commit it)",
          file=sys.stderr)


def scenario_values(args: argparse.Namespace, pol: Any = None) -> tuple[list[str], str, str, list[str], Any]:
    if args.jurisdiction:
        jurisdictions = [j.strip() for j in args.jurisdiction.split(",") if j.strip()]
    else:
        jurisdictions = list(pol.jurisdictions) if pol is not None else []
    if not jurisdictions:
        raise CliError("--jurisdiction is required (e.g. --jurisdiction JP), or set jurisdictions in the policy")
    activity = args.activity or (pol.activity if pol is not None else None) or "deploy"
    purpose = args.purpose or (pol.purpose if pol is not None else None) or "commercial"
    accepted = [*(pol.accepted if pol is not None else ()), *args.accepted]
    obtained = args.obtained_on or (pol.obtained_on if pol is not None else None)
    return jurisdictions, activity, purpose, accepted, obtained


def domicile(args: argparse.Namespace, pol: Any = None) -> str | None:
    """``--domicile``, else the policy's ``domicile``."""
    return args.domicile or (pol.domicile if pol is not None else None)


def gate(args: argparse.Namespace, pol: Any, assessments: Any, service: Any) -> Any:
    """Apply the policy, ``--fail-on`` and ``--baseline`` to the assessments."""
    import dataclasses
    import datetime as dt

    from modelclear import policy

    today = dt.date.today()
    if args.today:
        try:
            today = dt.date.fromisoformat(args.today)
        except ValueError:
            raise CliError(f"bad date {args.today!r} for --today; use YYYY-MM-DD") from None
    pol = pol or policy.Policy()
    if args.fail_on:
        pol = dataclasses.replace(pol, fail_on=args.fail_on)
    baseline = None
    if args.baseline:
        try:
            baseline = policy.load_baseline(Path(args.baseline))
        except policy.BaselineError as exc:
            raise CliError(str(exc)) from None

    return service.gate(assessments, pol, today=today, baseline=baseline, baseline_path=args.baseline or "")


def gate_messages(report: Any) -> None:
    """Tell the user on standard error about expired and unused waivers (in the report's language)."""
    from modelclear import policy
    from modelclear.report.data import translator

    for line in policy.messages(report.gate, translator(report)):
        print(f"modelclear: {line}", file=sys.stderr)
