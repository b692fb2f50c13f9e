"""``modelclear web`` subcommands that manage the team service from a shell (docs/service.md):
``web project add NAME`` and ``web project token NAME`` print a new CI token, once.

Each returns the exit code; a usage or database problem is one line on standard error and exit 3.
"""

from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_USAGE = 0, 3


def _fail(message: str) -> int:
    print(f"modelclear: {message}", file=sys.stderr)
    return EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    """Run ``modelclear web <subcommand>``."""
    from modelclear.web import db, projects

    try:
        database = db.open_database(getattr(args, "db", None))
    except db.DatabaseError as exc:
        return _fail(str(exc))
    try:
        if args.web_command == "project":
            with database.session() as s:
                if args.project_command == "add":
                    _, token = projects.create_project(s, args.name)
                else:
                    project = projects.project_by_name(s, args.name)
                    if project is None:
                        return _fail(f"no project {args.name[:100]!r}")
                    token = projects.new_token(s, project, "cli")
            print(token)
            return EXIT_OK
        return _fail(f"unknown subcommand {args.web_command!r}")
    except projects.ReportError as exc:
        if exc.code == "project_exists":
            return _fail(f"project {exc.detail!r} already exists")
        return _fail(f"bad project name {exc.detail!r}: use letters, digits, '.', '-', '_' (at most 100, "
                     "a letter or digit first)")
    finally:
        database.close()
