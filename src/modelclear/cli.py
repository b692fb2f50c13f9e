"""The ``modelclear`` command line.

Exit codes (stable; see docs/cli.md):
  0  allowed or conditional (every artifact)
  1  prohibited (at least one artifact)
  2  uncertain or unknown (at least one artifact, none prohibited)
  3  usage error (bad id, jurisdiction, option or policy file)
  4  internal error (a bug: please report it)

Heavy modules are imported inside the command handlers so that ``--help`` starts fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_PROHIBITED, EXIT_UNCERTAIN, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3, 4

ACTIVITIES = ("train", "finetune", "distill", "evaluate", "deploy", "serve", "distribute", "outputs")
PURPOSES = ("commercial", "research")


class CliError(Exception):
    """A usage error to report in one line with exit code 3."""


def _scenario_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("scenario")
    g.add_argument("-j", "--jurisdiction", help="where the act happens: JP, EU, DE, UK, US, SG, KR, CN, IL, an EU "
                   "member code, or several separated by commas")
    g.add_argument("-a", "--activity", choices=ACTIVITIES, help="what you do with it (default: deploy)")
    g.add_argument("-p", "--purpose", choices=PURPOSES, help="why (default: commercial)")
    g.add_argument("--accepted", action="append", default=[], metavar="ID",
                   help="terms you or your employer accepted, e.g. dataset:imagenet-1k (repeatable)")
    g.add_argument("--obtained-on", metavar="YYYY-MM-DD",
                   help="when you obtained the artifact: picks the licence then in force (default: today)")


def _output_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("output")
    g.add_argument("-f", "--format", default="text", help="text (default), json, markdown, html, sarif, "
                   "cyclonedx, spdx")
    g.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of standard output")
    g.add_argument("--lang", choices=("en", "ja"), default="en", help="report language (default: en)")
    g.add_argument("--kb", action="append", default=[], metavar="DIR",
                   help="an overlay directory of knowledge files in the bundled format (repeatable)")
    g.add_argument("--online", action="store_true", help="read model cards from the Hugging Face Hub when "
                   "the knowledge base and the local cache do not know an id")
    g.add_argument("--hf-cache", metavar="DIR", help="Hugging Face cache directory to read cards from")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (no heavy imports)."""
    parser = argparse.ArgumentParser(
        prog="modelclear",
        description="May we use this model or dataset commercially — and why? Layered verdicts (copyright, "
        "contract, licence, provenance) with reasons and sources. Not legal advice.",
        epilog="Exit codes: 0 allowed/conditional, 1 prohibited, 2 uncertain/unknown, 3 usage error.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("check", help="layered verdict for one model, dataset or package id")
    p.add_argument("id", help="e.g. torchvision:ResNet50_Weights.IMAGENET1K_V2, hf:meta-llama/Llama-2-7b-hf, "
                   "dataset:imagenet-1k")
    _scenario_args(p)
    _output_args(p)

    p = sub.add_parser("scan", help="find every pretrained model and dataset a codebase loads, and judge each")
    p.add_argument("path", nargs="?", default=".", help="directory or file to scan (default: .)")
    _scenario_args(p)
    _output_args(p)
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="skip paths matching GLOB")
    p.add_argument("--include-hf-cache", action="store_true", help="also list what the local HF cache holds")
    p.add_argument("--no-gitignore", action="store_true", help="do not honour .gitignore files")
    p.add_argument("--jobs", type=int, default=0, help="worker processes (default: cores)")

    p = sub.add_parser("explain", help="what the knowledge base holds for an artifact, licence (license:ID), "
                       "law (law:JP) or platform (platform:ID)")
    p.add_argument("id")
    p.add_argument("--lang", choices=("en", "ja"), default="en")
    p.add_argument("-f", "--format", choices=("text", "json"), default="text")
    p.add_argument("--kb", action="append", default=[], metavar="DIR")

    p = sub.add_parser("kb", help="knowledge base statistics and search")
    kb_sub = p.add_subparsers(dest="kb_command", metavar="SUBCOMMAND")
    s = kb_sub.add_parser("stats", help="counts by kind, confidence and age")
    s.add_argument("-f", "--format", choices=("text", "json"), default="text")
    s = kb_sub.add_parser("search", help="search ids, names and aliases")
    s.add_argument("text")
    s.add_argument("--limit", type=int, default=30)
    return parser


def _write(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _exit_for(statuses: list[Any]) -> int:
    codes = [s.exit_code for s in statuses]
    if EXIT_PROHIBITED in codes:
        return EXIT_PROHIBITED
    if EXIT_UNCERTAIN in codes:
        return EXIT_UNCERTAIN
    return EXIT_OK


def _print_report(report: Any, fmt: str, output: str | None) -> None:
    from modelclear import report as report_mod

    if fmt == "text" and not output and sys.stdout.isatty():
        from rich.console import Console

        from modelclear.report.text import renderables

        console = Console(highlight=False)
        for r in renderables(report):
            console.print(r, soft_wrap=report.lang == "ja")
        return
    try:
        formatter = report_mod.get(fmt)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    _write(formatter.render(report), output)


def _scenario_values(args: argparse.Namespace) -> tuple[list[str], str, str]:
    if not args.jurisdiction:
        raise CliError("--jurisdiction is required (e.g. --jurisdiction JP)")
    jurisdictions = [j.strip() for j in args.jurisdiction.split(",") if j.strip()]
    return jurisdictions, args.activity or "deploy", args.purpose or "commercial"


def cmd_check(args: argparse.Namespace) -> int:
    """``modelclear check``."""
    from modelclear import api, ids
    from modelclear.assess import assess_artifact
    from modelclear.report import Report

    jurisdictions, activity, purpose = _scenario_values(args)
    kb = api.load_knowledge(tuple(args.kb))
    catalog = api.default_catalog(kb, online=args.online, hf_cache=Path(args.hf_cache) if args.hf_cache else None)
    try:
        ref = ids.parse(args.id)
    except ids.IdError as exc:
        raise CliError(str(exc)) from None
    assessments = []
    for j in jurisdictions:
        scenario = api.make_scenario(j, activity, purpose, args.accepted, args.obtained_on, kb=kb)
        assessments.append(assess_artifact(catalog.resolve(ref), catalog, scenario))
    report = Report(command="check", assessments=tuple(assessments), knowledge_as_of=kb.knowledge_as_of(),
                    lang=args.lang)
    if args.format != "text" and len(assessments) > 1 and args.format == "json":
        import json

        from modelclear.report.data import check_document

        docs = [check_document(Report("check", (a,), report.knowledge_as_of, args.lang)) for a in assessments]
        _write(json.dumps(docs, ensure_ascii=False, indent=2) + "\n", args.output)
    else:
        _print_report(report, args.format, args.output)
    return _exit_for([a.verdict for a in assessments])


def cmd_scan(args: argparse.Namespace) -> int:
    """``modelclear scan``."""
    from modelclear import api
    from modelclear.pipeline import scan_and_assess

    jurisdictions, activity, purpose = _scenario_values(args)
    root = Path(args.path)
    if not root.exists():
        raise CliError(f"no such file or directory: {args.path}")
    kb = api.load_knowledge(tuple(args.kb))
    scenario = api.make_scenario(jurisdictions[0], activity, purpose, args.accepted, args.obtained_on, kb=kb)
    report = scan_and_assess(
        root,
        scenario,
        kb=kb,
        lang=args.lang,
        exclude=tuple(args.exclude),
        include_hf_cache=args.include_hf_cache,
        hf_cache=Path(args.hf_cache) if args.hf_cache else None,
        gitignore=not args.no_gitignore,
        jobs=args.jobs,
        online=args.online,
        progress=sys.stderr.isatty(),
    )
    _print_report(report, args.format, args.output)
    return _exit_for([a.verdict for a in report.assessments])


def cmd_explain(args: argparse.Namespace) -> int:
    """``modelclear explain``."""
    from modelclear.explain import explain

    text, found = explain(args.id, lang=args.lang, fmt=args.format, overlays=tuple(args.kb))
    sys.stdout.write(text)
    return EXIT_OK if found else EXIT_UNCERTAIN


def cmd_kb(args: argparse.Namespace) -> int:
    """``modelclear kb stats|search``."""
    from modelclear.explain import kb_search, kb_stats

    if args.kb_command == "stats":
        sys.stdout.write(kb_stats(fmt=args.format))
        return EXIT_OK
    if args.kb_command == "search":
        sys.stdout.write(kb_search(args.text, limit=args.limit))
        return EXIT_OK
    raise CliError("usage: modelclear kb {stats,search}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``modelclear`` console script."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors; our 2 means "uncertain"
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    if args.version:
        from modelclear import __version__

        print(f"modelclear {__version__}")
        return EXIT_OK
    handlers = {"check": cmd_check, "scan": cmd_scan, "explain": cmd_explain, "kb": cmd_kb}
    if args.command not in handlers:
        parser.print_help()
        return EXIT_USAGE
    try:
        return handlers[args.command](args)
    except CliError as exc:
        print(f"modelclear: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        from modelclear.api import UsageError

        if isinstance(exc, UsageError):
            print(f"modelclear: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        from modelclear.catalog.records import RecordError

        if isinstance(exc, RecordError):
            print(f"modelclear: error in the knowledge base: {exc}", file=sys.stderr)
            return EXIT_INTERNAL
        raise


if __name__ == "__main__":
    sys.exit(main())
