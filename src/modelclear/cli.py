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

Heavy modules are imported inside the command handlers so that ``--help`` starts fast. So are the
sibling modules: :mod:`modelclear.cli_policy` (policy, lock, scenario and gate of a run),
:mod:`modelclear.cli_kb` (``kb``) and :mod:`modelclear.cli_service` (``web``, ``policy pull``, ``scan --upload``).
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


def _service(args: argparse.Namespace) -> Any:
    """The check service over the bundled knowledge plus ``--kb`` overlays (and the HF cache, the Hub)."""
    from modelclear.service import Service

    return Service.open(tuple(args.kb), online=args.online, hf_cache=Path(args.hf_cache) if args.hf_cache else None)


def cmd_check(args: argparse.Namespace) -> int:
    """``modelclear check``."""
    from modelclear import cli_policy
    from modelclear.service import Question

    _check_format(args.format)
    _check_common(args)
    service = _service(args)
    pol = cli_policy.load_policy(args, Path.cwd(), service.kb)
    locked = cli_policy.attach_lock(args, service, Path.cwd())
    jurisdictions, activity, purpose, accepted, obtained = cli_policy.scenario_values(args, pol)
    report = service.check(Question(id=args.id, jurisdictions=tuple(jurisdictions), activity=activity,
                                    purpose=purpose, accepted=tuple(accepted), obtained_on=obtained, lang=args.lang,
                                    domicile=cli_policy.domicile(args, pol)))
    report = report.with_gate(cli_policy.gate(args, pol, report.assessments, service))
    cli_policy.save_lock(locked)
    _output(args, report)
    cli_policy.gate_messages(report)
    return int(report.gate.exit_code)


def cmd_scan(args: argparse.Namespace) -> int:
    """``modelclear scan``."""
    from modelclear import cli_policy, cli_service
    from modelclear.pipeline import progress_bar
    from modelclear.scan import scan_path
    from modelclear.scan.base import ScanOptions

    _check_format(args.format)
    if args.out and args.format != "notice":
        raise CliError("--out DIR goes with --format notice (a report goes to -o FILE)")
    _check_common(args)
    root = Path(args.path)
    _check_root(root, args.path)
    upload = cli_service.upload_target(args)
    service = _service(args)
    pol = cli_policy.load_policy(args, root, service.kb)
    locked = cli_policy.attach_lock(args, service, root)
    jurisdictions, activity, purpose, accepted, obtained = cli_policy.scenario_values(args, pol)
    scenarios = service.scenarios(jurisdictions, activity, purpose, accepted, obtained,
                                  domicile=cli_policy.domicile(args, pol))
    options = ScanOptions(exclude=tuple(args.exclude),
                          include_hf_cache=args.include_hf_cache or args.hf_cache is not None,
                          hf_cache_dir=Path(args.hf_cache) if args.hf_cache else None,
                          follow_gitignore=not args.no_gitignore, jobs=args.jobs or 0,
                          progress=sys.stderr.isatty() and not getattr(args, "quiet", False),
                          loader_documents=service.kb.loader_documents)  # loader files of --kb overlays
    with progress_bar(options.progress) as on_progress:
        result = scan_path(root, options, on_progress=on_progress)
    report = service.assess_scan(root, result, scenarios, lang=args.lang)
    report = report.with_gate(cli_policy.gate(args, pol, report.assessments, service))
    cli_policy.save_lock(locked)
    if args.format == "notice" and args.out:
        _write_notices(report, args.out)
    else:
        _output(args, report)
    cli_policy.gate_messages(report)
    if upload is not None:
        cli_service.upload(upload, report)
    return int(report.gate.exit_code)


def cmd_notice(args: argparse.Namespace) -> int:
    """``modelclear notice``: what a release must ship, for a catalogued id or your own model (exit: its verdict)."""
    from modelclear import cli_policy
    from modelclear.model import worst
    from modelclear.service import Question

    _check_common(args)
    service = _service(args)
    jurisdictions, _, purpose, accepted, obtained = cli_policy.scenario_values(args)
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
    """``modelclear kb stats|search|refresh`` (in :mod:`modelclear.cli_kb`)."""
    from modelclear.cli_kb import cmd_kb as run

    return run(args)


def cmd_web(args: argparse.Namespace) -> int:
    """``modelclear web``: serve the web UI and JSON API until interrupted (in :mod:`modelclear.cli_service`)."""
    from modelclear.cli_service import cmd_web as run

    return run(args)


def cmd_worker(args: argparse.Namespace) -> int:
    """``modelclear worker --db URL``: run scans of uploads from the queue (in :mod:`modelclear.cli_service`)."""
    from modelclear.cli_service import cmd_worker as run

    return run(args)


def cmd_policy(args: argparse.Namespace) -> int:
    """``modelclear policy pull URL --project NAME`` (in :mod:`modelclear.cli_service`)."""
    from modelclear.cli_service import cmd_policy as run

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
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(words)  # only the named command's options: a run parses one
    try:
        args = parser.parse_args(words)
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
                "web": cmd_web, "worker": cmd_worker, "policy": cmd_policy, "completion": cmd_completion}
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
