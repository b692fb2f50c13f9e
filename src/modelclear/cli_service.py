"""The team-service commands: ``modelclear web`` (with ``web user|project|reassess``), ``worker``, ``policy pull``
and the ``scan --upload`` helpers (docs/service.md).

Imported by :mod:`modelclear.cli` only when one of them runs (never on the ``--help`` path).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from modelclear.cli import EXIT_OK, CliError, _check_common, _shown

__all__ = ["cmd_policy", "cmd_web", "cmd_worker", "upload", "upload_target"]


def cmd_web(args: argparse.Namespace) -> int:
    """``modelclear web``: serve the web UI and JSON API until interrupted."""
    if not 0 < args.port < 65536:
        raise CliError(f"bad port {args.port}; use 1-65535")
    if not 0 <= args.scan_workers <= 64:
        raise CliError(f"--scan-workers {args.scan_workers}: give 0 to 64")
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
                     trust_user_header=args.trust_user_header, scan_workers=args.scan_workers)
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


def cmd_worker(args: argparse.Namespace) -> int:
    """``modelclear worker --db URL``: run the service's scans of uploads from the queue until interrupted."""
    if not 1 <= args.concurrency <= 64:
        raise CliError(f"--concurrency {args.concurrency}: give 1 to 64")
    _check_common(args)
    try:
        from modelclear.service import Service
        from modelclear.web import jobs
        from modelclear.web.db import DatabaseError, engine_url, open_database
    except ImportError as exc:
        raise CliError(f"the worker needs the 'web' and 'postgres' extras (pip install 'modelclear[web,postgres]'): "
                       f"{exc}") from None
    try:
        if not engine_url(args.db).startswith("postgresql"):
            raise CliError("the job queue needs PostgreSQL (--db postgresql://...); on SQLite, modelclear web runs "
                           "the scans itself")
        database = open_database(args.db)
    except DatabaseError as exc:
        raise CliError(str(exc)) from None
    try:
        service = Service.open(tuple(args.kb), online=args.online, hf_cache=Path(args.hf_cache) if args.hf_cache
                               else None)
        print(f"modelclear: worker {jobs.worker_name()} taking scans from the queue (Ctrl-C to stop)",
              file=sys.stderr)
        jobs.serve_worker(database, service, args.concurrency)
    finally:
        database.close()
    return EXIT_OK


def cmd_policy(args: argparse.Namespace) -> int:
    """``modelclear policy pull URL --project NAME``: the team service's approvals as waivers (docs/service.md)."""
    from modelclear.web.pull import run

    return run(args)


def upload_target(args: argparse.Namespace) -> Any:
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


def upload(upload: Any, report: Any) -> None:
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
