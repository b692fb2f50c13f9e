"""``modelclear web`` subcommands that manage the team service from a shell (docs/service.md):
``web project add NAME`` and ``web project token NAME`` print a new CI token, once;
``web user add NAME --role ROLE`` adds a user (the first administrator, typically), the password read
from standard input's first line, or asked for twice on a terminal; ``web reassess`` judges every
project's newest report again with this modelclear's knowledge (:mod:`modelclear.web.reassess`).

Each returns the exit code; a usage or database problem is one line on standard error and exit 3.
"""

from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_USAGE = 0, 3


def _fail(message: str) -> int:
    print(f"modelclear: {message}", file=sys.stderr)
    return EXIT_USAGE


_ACCOUNT_ERRORS = {
    "bad_user_name": "bad user name: use letters, digits and @ . _ + - (at most 100, a letter or digit first)",
    "bad_password": "a password has 8 to 1024 characters",
    "user_exists": "that user already exists",
    "bad_role": "the role is viewer, reviewer or admin",
}


def _password() -> str | None:
    """The new password: asked twice on a terminal, else standard input's first line."""
    if sys.stdin is not None and sys.stdin.isatty():
        import getpass

        first = getpass.getpass("password: ")
        return first if first and getpass.getpass("again: ") == first else None
    line = sys.stdin.readline(4096) if sys.stdin is not None else ""
    return line.rstrip("\r\n") or None


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
        if args.web_command == "user":
            from modelclear.web import accounts

            password = _password()
            if password is None:
                return _fail("no password given (standard input was empty, or the two entries differ)")
            try:
                with database.session() as s:
                    accounts.add_user(s, args.name, args.role, password, actor="cli")
            except accounts.AccountError as exc:
                return _fail(_ACCOUNT_ERRORS.get(exc.code, exc.code))
            print(f"modelclear: added {args.name} ({args.role})", file=sys.stderr)
            return EXIT_OK
        if args.web_command == "reassess":
            from modelclear.service import Service
            from modelclear.web.reassess import knowledge_stamp, reassess, summary

            service = Service.open(tuple(getattr(args, "kb", None) or ()))
            for line in summary(reassess(database, service), knowledge_stamp(service)):
                print(line)
            return EXIT_OK
        return _fail(f"unknown subcommand {args.web_command!r}")
    except projects.ReportError as exc:
        if exc.code == "project_exists":
            return _fail(f"project {exc.detail!r} already exists")
        return _fail(f"bad project name {exc.detail!r}: use letters, digits, '.', '-', '_' (at most 100, "
                     "a letter or digit first)")
    finally:
        database.close()
