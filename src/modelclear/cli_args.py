"""The ``modelclear`` argument parser (:func:`build_parser`): commands, options and their help.

Kept apart from :mod:`modelclear.cli` (which runs the commands) and free of heavy imports, so that
``modelclear --help`` and the shell completion (:mod:`modelclear.completion`) start fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

# The vocabularies of modelclear.knowledge.vocab, written out: importing it loads the data model, which
# --help must not wait for (tests/test_cli.py checks the two stay equal).
ACTIVITIES = ("train", "finetune", "distill", "evaluate", "deploy", "serve", "distribute", "outputs")
PURPOSES = ("commercial", "research")

__all__ = ["ACTIVITIES", "PURPOSES", "build_parser"]


def _scenario_args(p: argparse.ArgumentParser, activities: tuple[str, ...] = ACTIVITIES,
                   default: str = "deploy") -> None:
    g = p.add_argument_group("scenario")
    g.add_argument("-j", "--jurisdiction", help="where the act happens: JP, EU, DE, UK, US, SG, KR, CN, IL, an EU "
                   "member code, or several separated by commas")
    g.add_argument("-a", "--activity", choices=activities, help=f"what you do with it (default: {default})")
    g.add_argument("-p", "--purpose", choices=PURPOSES, help="why (default: commercial)")
    g.add_argument("--accepted", action="append", default=[], metavar="ID",
                   help="terms you or your employer accepted, e.g. dataset:imagenet-1k (repeatable)")
    g.add_argument("--obtained-on", metavar="YYYY-MM-DD",
                   help="when you obtained the artifact: picks the licence then in force (default: today)")
    g.add_argument("--domicile", metavar="CODE", help="where you or your company is domiciled (EU, a member "
                   "code, JP…), for licences that key on it, e.g. Llama 3.2/4 multimodal (default: where the act is)")


def _policy_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("policy and CI gate")
    g.add_argument("--policy", metavar="FILE", help="policy file (.toml or .yaml); default: the nearest "
                   "modelclear.toml, or pyproject.toml with [tool.modelclear], from the scanned path upward")
    g.add_argument("--no-policy", action="store_true", help="ignore any policy file")
    g.add_argument("--fail-on", choices=("prohibited", "uncertain", "unknown"),
                   help="lowest verdict that fails the run (default: the policy's, else uncertain)")
    g.add_argument("--baseline", metavar="FILE", help="a previous --format json report: fail only on "
                   "verdicts that are new or worse than in it")
    g.add_argument("--today", metavar="YYYY-MM-DD", help="the date waivers are checked against "
                   "(default: today)")


def _output_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("output")
    g.add_argument("-f", "--format", default="text", help="text (default), json, markdown, html, sarif, "
                   "cyclonedx, spdx, notice (what each artifact's release must ship)")
    g.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of standard output")
    g.add_argument("--lang", choices=("en", "ja"), default="en", help="report language (default: en)")
    g.add_argument("--kb", action="append", default=[], metavar="DIR",
                   help="an overlay directory of knowledge files in the bundled format (repeatable)")
    g.add_argument("--online", action="store_true", help="read model cards from the Hugging Face Hub when "
                   "the knowledge base and the local cache do not know an id")
    g.add_argument("--lock", metavar="FILE", help="the knowledge lock: Hub facts an --online run read, pinned for "
                   "later runs (default: modelclear.lock beside the policy file, else in the scanned or current "
                   "folder)")
    g.add_argument("--hf-cache", metavar="DIR", nargs="?", const="",
                   help="read model cards from the local Hugging Face cache (default location, or DIR); "
                   "with scan, also list every model and dataset the cache holds")


def _db_arg(p: argparse.ArgumentParser, sub: bool = False) -> None:
    p.add_argument("--db", metavar="URL", default=argparse.SUPPRESS if sub else None,
                   help="the team service's database: sqlite:///FILE or postgresql://USER@HOST/NAME "
                   "(default: service.db in the user's data folder, see docs/service.md)")


def _web_service_args(p: argparse.ArgumentParser) -> None:
    """``web``'s team-service options and its ``project`` subcommand (docs/service.md)."""
    _db_arg(p)
    web_sub = p.add_subparsers(dest="web_command", metavar="SUBCOMMAND")
    s = web_sub.add_parser("project", help="manage the team service's projects")
    project_sub = s.add_subparsers(dest="project_command", metavar="ACTION", required=True)
    a = project_sub.add_parser("add", help="add a project and print its CI token (shown once)")
    a.add_argument("name", help="letters, digits, '.', '-', '_' (at most 100)")
    _db_arg(a, sub=True)
    a = project_sub.add_parser("token", help="print a new CI token for a project (shown once)")
    a.add_argument("name")
    _db_arg(a, sub=True)
    s = web_sub.add_parser("user", help="manage the team service's users")
    user_sub = s.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    a = user_sub.add_parser("add", help="add a user; the password is read from standard input (first line) or "
                            "asked for on a terminal")
    a.add_argument("name", help="letters, digits and @ . _ + - (at most 100)")
    a.add_argument("--role", choices=("viewer", "reviewer", "admin"), default="viewer",
                   help="viewer (default): sees projects and reviews; reviewer: also approves and rejects; "
                   "admin: also adds users, projects and CI tokens")
    _db_arg(a, sub=True)
    a = web_sub.add_parser("reassess", help="judge every project's newest report again with this modelclear's "
                           "knowledge and list the projects whose verdicts changed (also done on every start)")
    _db_arg(a, sub=True)
    a.add_argument("--kb", action="append", default=argparse.SUPPRESS, metavar="DIR",
                   help="an overlay directory of knowledge files in the bundled format (repeatable)")
    p.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                   help="a Host header the service answers (repeatable; default: localhost, 127.0.0.1, ::1); "
                   "add the name people use when serving beyond this machine")
    p.add_argument("--trust-user-header", metavar="HEADER",
                   help="take the signed-in user's name from this request header (e.g. X-Forwarded-User), set by "
                   "an authenticating reverse proxy that every request passes through; no passwords then")


def _command(sub: Any, name: str, wanted: set[str] | None, parents: list[argparse.ArgumentParser],
             help: str) -> argparse.ArgumentParser | None:
    """Add command ``name``; return its parser to take options, or ``None`` when this run does not name it.

    A command's options are declared only when ``wanted`` (the words of the command line) names the
    command: every option declared costs argparse a help formatter, about 5 ms of a check for all of
    them, and a run parses one command. Its name and help line are always there, for help and errors.
    """
    if wanted is not None and name not in wanted:
        sub.add_parser(name, help=help)
        return None
    parser: argparse.ArgumentParser = sub.add_parser(name, parents=parents, help=help)
    return parser


# Long on purpose: a flat list of argument declarations sharing one parser and its subparsers (no logic).
def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser (no heavy imports).

    With ``argv``, only the commands named in it get their options: enough to parse ``argv`` (and to
    print any help it asks for); without, every command's (as the shell completion reads them).
    """
    wanted = None if argv is None else set(argv)
    parser = argparse.ArgumentParser(
        prog="modelclear",
        description="May we use this model or dataset commercially — and why? Layered verdicts (copyright, "
        "contract, licence, provenance) with reasons and sources. Not legal advice.",
        epilog="Exit codes: 0 allowed/conditional (or waived), 1 prohibited (or an expired waiver), "
        "2 uncertain/unknown, 3 usage error, 4 internal error. See docs/cli.md.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--debug", action="store_true", help="on an internal error, print the traceback")
    common = argparse.ArgumentParser(add_help=False)  # options every command also takes after its name
    for target, default in ((parser, False), (common, argparse.SUPPRESS)):
        target.add_argument("-q", "--quiet", action="store_true", default=default,
                            help="print only the CI gate's one-line result (a report given with -o is still written)")
        target.add_argument("--no-color", action="store_true", default=default,
                            help="no colours in the terminal (as does the NO_COLOR environment variable)")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="on an internal error, print the traceback")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = _command(sub, "check", wanted, [common], help="layered verdict for one model, dataset or package id, "
                 "or your own model folder or file")
    if p is not None:
        p.add_argument("id", help="e.g. torchvision:ResNet50_Weights.IMAGENET1K_V2, hf:meta-llama/Llama-2-7b-hf, "
                       "dataset:imagenet-1k, or a path: ./models/support-bot (a fine-tune, adapter, merge config, "
                       "GGUF or LoRA file of your own)")
        _scenario_args(p)
        _output_args(p)
        _policy_args(p)

    p = _command(sub, "scan", wanted, [common],
                 help="find every pretrained model and dataset a codebase loads, and judge each")
    if p is not None:
        p.add_argument("path", nargs="?", default=".", help="directory or file to scan (default: .)")
        _scenario_args(p)
        _output_args(p)
        _policy_args(p)
        p.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="skip paths matching GLOB")
        p.add_argument("--include-hf-cache", action="store_true", help="also list what the local HF cache holds")
        p.add_argument("--no-gitignore", action="store_true",
                       help="do not honour .gitignore files (they never hide a file the git index tracks)")
        p.add_argument("--jobs", type=int, default=None, help="worker processes, at least 1 (default: cores); the "
                       "answer is the same for any number")
        p.add_argument("--out", metavar="DIR", help="with --format notice: write each artifact's notice files into "
                       "a folder of DIR instead of standard output")
        p.add_argument("--upload", metavar="URL", help="also send the JSON report to the team service at URL, with "
                       "the project token from $MODELCLEAR_TOKEN (docs/service.md)")
        p.add_argument("--project", metavar="NAME", help="with --upload: the project (unless URL names it)")

    p = _command(sub, "notice", wanted, [common], help="what you must ship to release a model or dataset: "
                 "NOTICE, licence texts, the model card's licence section")
    if p is not None:
        p.add_argument("id", help="a model or dataset id (hf:meta-llama/Llama-3.1-8B-Instruct), or your own model "
                       "folder or file (./models/support-bot)")
        _scenario_args(p, ("distribute", "serve", "deploy"), "distribute")
        g = p.add_argument_group("output")
        g.add_argument("--out", metavar="DIR", help="write NOTICE, LICENSES/ and MODEL_CARD_LICENSE.md into DIR "
                       "(default: print them)")
        g.add_argument("--lang", choices=("en", "ja"), default="en", help="language (default: en)")
        g.add_argument("--kb", action="append", default=[], metavar="DIR",
                       help="an overlay directory of knowledge files in the bundled format (repeatable)")
        g.add_argument("--online", action="store_true", help="read model cards from the Hugging Face Hub when "
                       "the knowledge base and the local cache do not know an id")
        g.add_argument("--hf-cache", metavar="DIR", nargs="?", const="",
                       help="read model cards from the local Hugging Face cache (default location, or DIR)")

    p = _command(sub, "explain", wanted, [common],
                 help="what the knowledge base holds for an artifact, licence (license:ID), "
                 "law (law:JP) or platform (platform:ID)")
    if p is not None:
        p.add_argument("id")
        p.add_argument("--lang", choices=("en", "ja"), default="en")
        p.add_argument("-f", "--format", choices=("text", "json"), default="text")
        p.add_argument("--kb", action="append", default=[], metavar="DIR")

    p = _command(sub, "kb", wanted, [common], help="knowledge base statistics and search")
    if p is not None:
        kb_sub = p.add_subparsers(dest="kb_command", metavar="SUBCOMMAND")
        s = kb_sub.add_parser("stats", help="counts by kind, confidence and age")
        s.add_argument("-f", "--format", choices=("text", "json"), default="text")
        s = kb_sub.add_parser("search", help="search ids, names and aliases")
        s.add_argument("text")
        s.add_argument("--limit", type=int, default=30)
        s = kb_sub.add_parser("refresh", help="read every entry of the knowledge lock (modelclear.lock) from the "
                              "Hugging Face Hub again, update it and report what changed")
        s.add_argument("path", nargs="?", default=".", help="the project folder (default: .); the lock is found "
                       "beside its policy file, else in it")
        s.add_argument("--lock", metavar="FILE", help="the lock file (default: found from PATH)")
        s.add_argument("--policy", metavar="FILE", help="the policy file the lock sits beside (default: found from "
                       "PATH)")
        s.add_argument("--id", action="append", default=[], metavar="ID", help="refresh only this id (repeatable)")
        s.add_argument("-f", "--format", choices=("text", "json"), default="text")

    p = _command(sub, "web", wanted, [common],
                 help="a local web UI and JSON API (needs the 'web' extra: FastAPI and uvicorn)")
    if p is not None:
        p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine "
                       "only)")
        p.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
        p.add_argument("--kb", action="append", default=[], metavar="DIR",
                       help="an overlay directory of knowledge files in the bundled format (repeatable)")
        p.add_argument("--online", action="store_true", help="read model cards from the Hugging Face Hub when "
                       "the knowledge base and the local cache do not know an id")
        p.add_argument("--hf-cache", metavar="DIR", help="Hugging Face cache directory to read cards from")
        p.add_argument("--scan-workers", type=int, default=1, metavar="N",
                       help="scans of uploads this process runs at once (default: 1); on PostgreSQL 0 leaves them "
                       "to 'modelclear worker' processes (docs/service.md)")
        _web_service_args(p)
    p = _command(sub, "worker", wanted, [common], help="run the team service's scans of uploads from the job "
                 "queue on PostgreSQL, until interrupted (needs the 'web' and 'postgres' extras; docs/service.md)")
    if p is not None:
        p.add_argument("--db", metavar="URL", required=True, help="the service's database: "
                       "postgresql://USER@HOST/NAME")
        p.add_argument("--concurrency", type=int, default=1, metavar="N", help="scans run at once (default: 1)")
        p.add_argument("--kb", action="append", default=[], metavar="DIR",
                       help="an overlay directory of knowledge files in the bundled format (repeatable)")
        p.add_argument("--online", action="store_true", help="read model cards from the Hugging Face Hub when "
                       "the knowledge base and the local cache do not know an id")
        p.add_argument("--hf-cache", metavar="DIR", help="Hugging Face cache directory to read cards from")
    p = _command(sub, "policy", wanted, [common],
                 help="the policy file: pull the team service's approvals as waivers")
    if p is not None:
        policy_sub = p.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
        s = policy_sub.add_parser("pull", help="write the project's standing approvals from the team service into "
                                  "the policy file as waivers (token from $MODELCLEAR_TOKEN; docs/service.md)")
        s.add_argument("url", help="the service (http(s)://HOST[:PORT]), or .../api/projects/NAME/waivers")
        s.add_argument("--project", metavar="NAME", help="the project (unless URL names it)")
        s.add_argument("--policy", metavar="FILE", help="the policy file to update (default: the nearest policy "
                       "file from the current folder, else ./modelclear.toml, created)")
    p = _command(sub, "completion", wanted, [],
                 help="print a shell completion script: eval \"$(modelclear completion bash)\"")
    if p is not None:
        p.add_argument("shell", choices=("bash", "zsh", "fish"))
    return parser
