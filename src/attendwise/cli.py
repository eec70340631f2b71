"""The `attendwise` command."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attendwise.web.settings")
    import django

    django.setup()


def build_parser() -> argparse.ArgumentParser:
    from attendwise import data_commands
    from attendwise.commands import add_arguments

    parser = argparse.ArgumentParser(
        prog="attendwise",
        description="Run a school's attendance-intervention policy.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    manage = commands.add_parser("manage", help="Django's management commands")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    add_arguments(commands)
    data_commands.add_arguments(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from attendwise.web.secretkey import SecretKeyError

    try:
        _setup_django()
    except SecretKeyError as error:
        sys.stderr.write(f"attendwise: {error}\n")
        return 1
    args = build_parser().parse_args(argv)
    if args.command == "manage":
        from django.conf import settings
        from django.core.management import execute_from_command_line

        settings.HOME.mkdir(parents=True, exist_ok=True)
        execute_from_command_line(["attendwise manage", *args.args])
        return 0
    from attendwise.commands import run_command

    try:
        return run_command(args)
    except BrokenPipeError:
        # The reader went away (`attendwise measures ... | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
