"""The command implementations, once Django is set up."""

from __future__ import annotations

import argparse
import sys
from importlib import resources

from django.core.management import call_command


def demo(args: argparse.Namespace) -> int:
    from attendwise.core.calendar import load_calendar

    call_command("migrate", verbosity=0)
    text = (
        resources.files("attendwise.calendars")
        .joinpath("reference-2025-26.toml")
        .read_text(encoding="utf-8")
    )
    calendar = load_calendar(text)
    sys.stdout.write(
        f"{calendar.name}: {len(calendar.school_days)} school days, "
        f"{calendar.first_day:%d %b %Y} to {calendar.last_day:%d %b %Y}\n"
    )
    return 0


COMMANDS = {"demo": demo}


def run_command(args: argparse.Namespace) -> int:
    return COMMANDS[args.command](args)
