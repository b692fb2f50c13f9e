"""The ``modelclear`` command line.

Exit codes (stable; see docs/cli.md):
  0  allowed or conditional (every artifact), or every failing verdict waived or in the baseline
  1  prohibited (at least one artifact, or denied by the policy's licence list), or an expired waiver
  2  uncertain or unknown (at least one artifact, none prohibited)
  3  usage, input or output error (bad id, jurisdiction, option, policy or baseline file, unreadable
     scan root, missing extra, unwritable output, closed standard output): one line on stderr
  4  internal error (a bug: please report it; the traceback with --debug)

No error ever exits 1: CI reads 1 as "prohibited".

The policy's ``fail-on`` (or ``--fail-on``) chooses which verdicts fail: ``uncertain`` (default:
uncertain, unknown and prohibited), ``unknown`` (unknown and prohibited) or ``prohibited``.

Heavy modules are imported inside the command handlers so that ``--help`` starts fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_PROHIBITED, EXIT_UNCERTAIN, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3, 4

class CliError(Exception):
    """A usage error to report in one line with exit code 3."""


from modelclear.cli_args import ACTIVITIES, PURPOSES, build_parser  # noqa: E402  (light: --help stays fast)

__all__ = ["ACTIVITIES", "PURPOSES", "CliError", "build_parser", "main"]


def _check_output(output: str | None) -> None:
    """Fail early (exit 3) when ``-o FILE`` cannot be written: no such folder, or a folder itself."""
    if not output:
        return
    path = Path(output)
    if path.is_dir():
        raise CliError(f"cannot write the report to {_shown(output)}: it is a folder")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise CliError(f"cannot write the report to {_shown(output)}: no such folder {_shown(str(parent))}")


def _write(text: str, output: str | None) -> None:
    if output:
        try:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise CliError(f"cannot write the report to {_shown(output)}: {exc.strerror or exc}") from None
    else:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:  # e.g. standard output redirected to a full disk
            raise CliError(f"cannot write the report to standard output: {exc.strerror or exc}") from None


def _shown(text: str) -> str:
    """A user-given path or value, printable in one line of an error message."""
    from modelclear.safetext import printable

    return printable(text)


def _print_report(report: Any, fmt: str, output: str | None) -> None:
    from modelclear import report as report_mod

    if fmt == "text" and not output and sys.stdout.isatty():
        from rich.console import Console

        from modelclear.report.text import print_report

        print_report(Console(highlight=False), report)
        return
    try:
        formatter = report_mod.get(fmt)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    _write(formatter.render(report), output)


def _output(args: argparse.Namespace, report: Any) -> None:
    """The report (to ``-o`` or standard output); with ``--quiet``, only the gate's line on standard output."""
    quiet = bool(getattr(args, "quiet", False))
    if not quiet or args.output:
        _print_report(report, args.format, args.output)
    if quiet:
        _write(_gate_line(report) + "\n", None)


def _gate_line(report: Any) -> str:
    """The CI gate's result in one line, naming what fails the run (``--quiet``)."""
    from modelclear.report.data import translator
    from modelclear.report.view import failing_ids

    t = translator(report)
    code = report.gate.exit_code
    line = f"modelclear: {t('ui.gate.title')}: " + (t("ui.gate.passed") if code == 0 else
                                                     t("ui.gate.failed", code=str(code)))
    failing = failing_ids(report)
    return line + (f" · {t('ui.gate.failing', ids=', '.join(failing))}" if failing else "")


def _check_format(fmt: str) -> None:
    from modelclear import report as report_mod

    if fmt not in report_mod.names():
        raise CliError(f"unknown format {fmt!r}; choose one of: {', '.join(report_mod.names())}")
    missing = report_mod.missing_extra(fmt)
    if missing is not None:
        extra, module = missing
        raise CliError(f"--format {fmt} needs the '{extra}' extra ({module} is not installed): "
                       f"pip install 'modelclear[{extra}]'")


def _check_common(args: argparse.Namespace) -> None:
    """Validate the options every command shares, before any work (exit 3 with one line)."""
    for kb_dir in getattr(args, "kb", []) or []:
        if not Path(kb_dir).is_dir():
            raise CliError(f"--kb {_shown(kb_dir)}: no such folder (an overlay is a folder of knowledge files)")
    hf_cache = getattr(args, "hf_cache", None)
    if hf_cache and not Path(hf_cache).is_dir():
        raise CliError(f"--hf-cache {_shown(hf_cache)}: no such folder (give the Hugging Face cache folder, "
                       "e.g. ~/.cache/huggingface/hub)")
    jobs = getattr(args, "jobs", None)
    if jobs is not None and jobs < 1:
        raise CliError(f"--jobs {jobs}: give a number of worker processes of at least 1")
    for accepted in getattr(args, "accepted", []) or []:
        _check_accepted(accepted)
    _check_output(getattr(args, "output", None))


def _check_accepted(text: str) -> None:
    """An ``--accepted`` value is an artifact id (``dataset:imagenet-1k``) or a terms id (``imagenet-terms``)."""
    from modelclear.service import UsageError, check_accepted

    try:
        check_accepted(text)
    except UsageError as exc:
        raise CliError(f"--accepted {_shown(text)}: {exc.detail}") from None


def _load_policy(args: argparse.Namespace, start: Path, kb: Any) -> Any:
    """The policy for this run (``--policy``, else found from ``start`` upward), or ``None``."""
    from modelclear import ids, policy

    path = _policy_path(args, start)
    if path is None:
        return None

    def check_id(text: str) -> None:
        try:
            ids.parse(text)
        except ids.IdError as exc:
            raise ValueError(str(exc)) from None

    try:
        return policy.load(path, license_key=kb.license_key, law_code=kb.law_code, check_id=check_id)
    except policy.PolicyError as exc:
        raise CliError(f"bad policy file {exc}") from None


def _policy_path(args: argparse.Namespace, start: Path) -> Path | None:
    """The policy file of this run (``--policy``, else found from ``start`` upward), or ``None``."""
    from modelclear import policy

    if getattr(args, "no_policy", False):
        return None
    if args.policy and not Path(args.policy).is_file():
        raise CliError(f"no such policy file: {args.policy}")
    return Path(args.policy) if args.policy else policy.find(start)


def _attach_lock(args: argparse.Namespace, service: Any, start: Path) -> Any:
    """The knowledge lock of this run attached to the service's catalog (``None`` without one and offline).

    The lock is ``--lock``, else ``modelclear.lock`` beside the policy file, else in ``start``'s folder
    (see :mod:`modelclear.catalog.lock` for what it holds and its precedence). A lock that cannot be
    used exits 3; a reviewed record whose licence disagrees with the lock is a warning.
    """
    from modelclear.catalog import lock as lockmod

    path = Path(args.lock) if args.lock else lockmod.find_path(start, _policy_path(args, start))
    try:
        lock = lockmod.Lock.load(path)
    except lockmod.LockError as exc:
        raise CliError(f"bad lock file {exc}") from None
    if not lock.existed and not args.online:
        if args.lock:
            raise CliError(f"no such lock file: {_shown(args.lock)} (run once with --online to write it)")
        return None
    source = lockmod.attach(service.catalog, lock, online=args.online)
    for line in lockmod.disagreements(service.kb, lock):
        print(f"modelclear: warning: {line}", file=sys.stderr)
    return source


def _save_lock(source: Any) -> None:
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


def _scenario_values(args: argparse.Namespace, pol: Any = None) -> tuple[list[str], str, str, list[str], Any]:
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


def _domicile(args: argparse.Namespace, pol: Any = None) -> str | None:
    """``--domicile``, else the policy's ``domicile``."""
    return args.domicile or (pol.domicile if pol is not None else None)


def _gate(args: argparse.Namespace, pol: Any, assessments: Any, service: Any) -> Any:
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

    return policy.evaluate(assessments, pol, today=today, baseline=baseline, baseline_path=args.baseline or "",
                           license_key=service.kb.license_key, canonical=service.canonical_id)


def _gate_messages(report: Any) -> None:
    """Tell the user on standard error about expired and unused waivers (in the report's language)."""
    from modelclear import policy
    from modelclear.report.data import translator

    for line in policy.messages(report.gate, translator(report)):
        print(f"modelclear: {line}", file=sys.stderr)


def _service(args: argparse.Namespace) -> Any:
    """The check service over the bundled knowledge plus ``--kb`` overlays (and the HF cache, the Hub)."""
    from modelclear.service import Service

    return Service.open(tuple(args.kb), online=args.online, hf_cache=Path(args.hf_cache) if args.hf_cache else None)


def cmd_check(args: argparse.Namespace) -> int:
    """``modelclear check``."""
    from modelclear.service import Question

    _check_format(args.format)
    _check_common(args)
    service = _service(args)
    pol = _load_policy(args, Path.cwd(), service.kb)
    locked = _attach_lock(args, service, Path.cwd())
    jurisdictions, activity, purpose, accepted, obtained = _scenario_values(args, pol)
    report = service.check(Question(id=args.id, jurisdictions=tuple(jurisdictions), activity=activity,
                                    purpose=purpose, accepted=tuple(accepted), obtained_on=obtained, lang=args.lang,
                                    domicile=_domicile(args, pol)))
    report = report.with_gate(_gate(args, pol, report.assessments, service))
    _save_lock(locked)
    _output(args, report)
    _gate_messages(report)
    return int(report.gate.exit_code)


def cmd_scan(args: argparse.Namespace) -> int:
    """``modelclear scan``."""
    from modelclear.pipeline import progress_bar
    from modelclear.scan import scan_path
    from modelclear.scan.base import ScanOptions

    _check_format(args.format)
    if args.out and args.format != "notice":
        raise CliError("--out DIR goes with --format notice (a report goes to -o FILE)")
    _check_common(args)
    root = Path(args.path)
    _check_root(root, args.path)
    upload = _upload_target(args)
    service = _service(args)
    pol = _load_policy(args, root, service.kb)
    locked = _attach_lock(args, service, root)
    jurisdictions, activity, purpose, accepted, obtained = _scenario_values(args, pol)
    scenarios = service.scenarios(jurisdictions, activity, purpose, accepted, obtained, domicile=_domicile(args, pol))
    options = ScanOptions(exclude=tuple(args.exclude),
                          include_hf_cache=args.include_hf_cache or args.hf_cache is not None,
                          hf_cache_dir=Path(args.hf_cache) if args.hf_cache else None,
                          follow_gitignore=not args.no_gitignore, jobs=args.jobs or 0,
                          progress=sys.stderr.isatty() and not getattr(args, "quiet", False),
                          loader_documents=service.kb.loader_documents)  # loader files of --kb overlays
    with progress_bar(options.progress) as on_progress:
        result = scan_path(root, options, on_progress=on_progress)
    report = service.assess_scan(root, result, scenarios, lang=args.lang)
    report = report.with_gate(_gate(args, pol, report.assessments, service))
    _save_lock(locked)
    if args.format == "notice" and args.out:
        _write_notices(report, args.out)
    else:
        _output(args, report)
    _gate_messages(report)
    if upload is not None:
        _upload(upload, report)
    return int(report.gate.exit_code)


def _upload_target(args: argparse.Namespace) -> Any:
    """``--upload URL [--project NAME]`` and ``$MODELCLEAR_TOKEN``, checked before the scan (exit 3 if bad)."""
    if not args.upload:
        return None
    from modelclear.web import client

    try:
        where = client.target(args.upload, args.project)
        secret = client.token()
    except client.ClientError as exc:
        raise CliError(f"--upload: {exc}") from None
    warning = client.plain_http_warning(where.base)
    if warning:
        print(f"modelclear: warning: {warning}", file=sys.stderr)
    return where, secret


def _upload(upload: Any, report: Any) -> None:
    """Send the report (its JSON form, whatever --format printed) to the team service (docs/service.md)."""
    from modelclear import report as formats
    from modelclear.web import client

    where, secret = upload
    try:
        answer = client.upload_report(where, formats.get("json").render(report), secret)
    except client.ClientError as exc:
        raise CliError(f"--upload: {exc}") from None
    print(f"modelclear: uploaded to {_shown(where.project)} as report {answer.get('report')}, "
          f"{len(answer.get('changes') or [])} change(s) since the previous one: "
          f"{_shown(where.base + str(answer.get('url', '')))}", file=sys.stderr)


def cmd_notice(args: argparse.Namespace) -> int:
    """``modelclear notice``: what a release must ship, for a catalogued id or your own model (exit: its verdict)."""
    from modelclear.model import worst
    from modelclear.service import Question

    _check_common(args)
    service = _service(args)
    jurisdictions, _, purpose, accepted, obtained = _scenario_values(args)
    report = service.check(Question(id=args.id, jurisdictions=tuple(jurisdictions), activity=args.activity or
                                    "distribute", purpose=purpose, accepted=tuple(accepted), obtained_on=obtained,
                                    lang=args.lang, domicile=args.domicile))
    if args.out:
        _write_notices(report, args.out)
    else:
        from modelclear.report.notice import NoticeFormat

        _write(NoticeFormat().render(report), None)
    for a in report.assessments:
        if a.verdict.exit_code:
            print(f"modelclear: notice: {_shown(a.ref.id)} in {a.scenario.jurisdiction} is {a.verdict.value} for "
                  f"this scenario: see modelclear check", file=sys.stderr)
    return int(worst([a.verdict for a in report.assessments]).exit_code)


def _write_notices(report: Any, out: str) -> None:
    """The notice files of ``report`` written under the folder ``out`` (exit 3 when it cannot be written)."""
    from modelclear import notice
    from modelclear.report.notice import files_of

    try:
        notice.write(files_of(report), Path(out))
    except notice.OutputError as exc:
        raise CliError(f"--out {_shown(out)}: {exc}") from None


def _check_root(root: Path, shown: str) -> None:
    """The scan root exists and can be read (a folder listed, a file opened), else exit 3."""
    import os

    try:
        if root.is_dir():
            with os.scandir(root):
                pass
        elif root.exists():
            with open(root, "rb"):
                pass
        else:
            raise CliError(f"no such file or directory: {_shown(shown)}")
    except OSError as exc:
        raise CliError(f"cannot read {_shown(shown)}: {exc.strerror or exc}") from None


def cmd_explain(args: argparse.Namespace) -> int:
    """``modelclear explain``."""
    from modelclear.explain import explain

    _check_common(args)
    text, found = explain(args.id, lang=args.lang, fmt=args.format, overlays=tuple(args.kb))
    sys.stdout.write(text)
    return EXIT_OK if found else EXIT_UNCERTAIN


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
    path = Path(args.lock) if args.lock else lockmod.find_path(start, _policy_path(args, start))
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


def cmd_web(args: argparse.Namespace) -> int:
    """``modelclear web``: serve the web UI and JSON API until interrupted."""
    if not 0 < args.port < 65536:
        raise CliError(f"bad port {args.port}; use 1-65535")
    _check_common(args)
    try:
        import uvicorn

        from modelclear.web.app import create_app
        from modelclear.web.db import DatabaseError, open_database
    except ImportError as exc:
        raise CliError(f"the web UI needs the 'web' extra (pip install 'modelclear[web]'): {exc}") from None
    if getattr(args, "web_command", None):
        from modelclear.web.admin import run

        return run(args)
    try:
        database = open_database(args.db)  # migrations run on every start (docs/service.md)
    except DatabaseError as exc:
        raise CliError(str(exc)) from None
    from modelclear.web.accounts import LOCAL_HOSTS

    app = create_app(tuple(args.kb), online=args.online, hf_cache=Path(args.hf_cache) if args.hf_cache else None,
                     database=database, allowed_hosts=tuple(args.allowed_host) or LOCAL_HOSTS,
                     trust_user_header=args.trust_user_header)
    from modelclear.web.reassess import knowledge_stamp, reassess, summary

    outcome = reassess(database, app.state.service)  # new knowledge: stored reports judged again
    if outcome.reports:
        for line in summary(outcome, knowledge_stamp(app.state.service)):
            print(f"modelclear: {line}", file=sys.stderr)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"modelclear: serving http://{host}:{args.port}/ (Ctrl-C to stop)", file=sys.stderr)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print("modelclear: warning: the web UI has no authentication; anyone who can reach this address can use it",
              file=sys.stderr)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    except SystemExit as exc:  # uvicorn exits 1 when it cannot bind; our 1 means "prohibited"
        if exc.code not in (0, None):
            raise CliError(f"could not serve on {host}:{args.port} (address in use or not available)") from None
    return EXIT_OK


def cmd_policy(args: argparse.Namespace) -> int:
    """``modelclear policy pull URL --project NAME``: the team service's approvals as waivers (docs/service.md)."""
    from modelclear.web.pull import run

    return run(args)


def cmd_completion(args: argparse.Namespace) -> int:
    """``modelclear completion bash|zsh|fish``: the shell's completion script on standard output."""
    from modelclear.completion import script

    _write(script(args.shell), None)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``modelclear`` console script.

    Never exits 1 except for a verdict (1 is what CI reads as "prohibited"): usage, input and output
    errors exit 3 with one line on standard error, a bug exits 4 with a short message (the traceback
    only with ``--debug``).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors; our 2 means "uncertain"
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    if args.version:
        from modelclear import __version__

        print(f"modelclear {__version__}")
        return EXIT_OK
    if getattr(args, "no_color", False):
        import os

        os.environ["NO_COLOR"] = "1"  # rich, and anything else this process starts, read it
    handlers = {"check": cmd_check, "scan": cmd_scan, "notice": cmd_notice, "explain": cmd_explain, "kb": cmd_kb,
                "web": cmd_web, "policy": cmd_policy, "completion": cmd_completion}
    if args.command not in handlers:
        parser.print_help()
        return EXIT_USAGE
    debug = bool(getattr(args, "debug", False))
    try:
        return handlers[args.command](args)
    except CliError as exc:
        return _error(str(exc), EXIT_USAGE)
    except BrokenPipeError:
        return _closed_stdout()
    except KeyboardInterrupt:
        print("modelclear: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        return _unexpected(exc, debug)


def _error(message: str, code: int) -> int:
    import contextlib

    with contextlib.suppress(OSError, ValueError):  # standard error closed too: the exit code is all we give
        print(f"modelclear: error: {message}", file=sys.stderr)
    return code


def _closed_stdout() -> int:
    """Standard output was closed by the reader (``| head -c0``): say so once, quietly, exit 3."""
    import contextlib
    import os

    with contextlib.suppress(OSError, ValueError):  # Python flushes stdout again at exit: point it at /dev/null
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return _error("standard output was closed before the report was written", EXIT_USAGE)


def _unexpected(exc: BaseException, debug: bool) -> int:
    """Map an exception that escaped a command: known input problems exit 3, bugs exit 4."""
    from modelclear.catalog.records import RecordError
    from modelclear.service import UsageError

    if isinstance(exc, UsageError):
        return _error(str(exc), EXIT_USAGE)
    if isinstance(exc, BrokenPipeError):
        return _closed_stdout()
    if debug:
        import traceback

        traceback.print_exc()
    if isinstance(exc, RecordError):
        return _error(f"in the knowledge base: {exc}", EXIT_INTERNAL)
    return _error(f"internal error ({type(exc).__name__}: {_shown(str(exc))[:300]}). This is a bug in "
                  "modelclear: please report it with the command you ran and the output of the same command "
                  "with --debug", EXIT_INTERNAL)


if __name__ == "__main__":
    sys.exit(main())
