"""The `attendwise` command."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attendwise.web.settings")
    import django
    from django.conf import settings

    settings.HOME.mkdir(parents=True, exist_ok=True)
    django.setup()


def _manage(args: Sequence[str]) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["attendwise manage", *args])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="attendwise",
        description="Run a school's attendance-intervention policy.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    manage = commands.add_parser("manage", help="Django's management commands")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    commands.add_parser("demo", help="build the demo school and replay its autumn term")
    _add_school_commands(commands)
    return parser


def _add_school_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    school = commands.add_parser("create-school", help="create a school")
    school.add_argument("slug", metavar="SLUG", help="short name, such as oakfield")
    school.add_argument("--name", required=True, help="the school's name")
    school.add_argument(
        "--calendar", required=True, metavar="FILE", help="calendar file (TOML)"
    )
    school.add_argument("--policy", metavar="FILE", help="policy file (TOML)")

    for name, what, layouts in (
        ("import-pupils", "the pupils file", ["sims"]),
        ("import-contacts", "the contacts file", ["sims"]),
        ("import-register", "a register file", ["canonical", "sims"]),
    ):
        command = commands.add_parser(
            name,
            help=f"import {what}: all of it, or (on any error) nothing",
            description=f"Import {what}. Layouts: docs/import-formats.md.",
        )
        command.add_argument("file", metavar="FILE")
        command.add_argument("--school", required=True, metavar="SLUG")
        command.add_argument(
            "--layout",
            choices=layouts,
            required=len(layouts) > 1,
            default=layouts[0] if len(layouts) == 1 else None,
        )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_django()
    if args.command == "manage":
        return _manage(args.args)
    from attendwise.commands import run_command

    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
