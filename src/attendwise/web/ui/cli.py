"""The web application's commands: `attendwise serve` and `attendwise add-user`.

Registered with the command table of attendwise.commands; their
arguments are declared by `add_arguments`, which that module calls.
"""

from __future__ import annotations

import argparse
import secrets
from importlib import resources
from typing import IO, Any

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction

from attendwise.commands import CommandError, _school, command
from attendwise.web.register.models import School
from attendwise.web.ui.models import StaffMember
from attendwise.web.ui.roles import Role

#: The demo's accounts: one per role, passwords shown by the demo.
DEMO_STAFF = (
    ("officer", Role.OFFICER),
    ("head", Role.HEAD),
    ("dsl", Role.SAFEGUARDING),
    ("governor", Role.READ_ONLY),
    ("admin", Role.ADMIN),
)


def add_user(
    username: str, school: School, role: Role, password: str | None = None
) -> tuple[User, str]:
    """Return the user (created or updated) with `role` at `school`, and password.

    Without `password` a random one is made. A user works for one school:
    their role there is replaced.
    """
    password = password or secrets.token_urlsafe(12)
    with transaction.atomic():
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(password)
        user.save()
        StaffMember.objects.update_or_create(
            user=user, defaults={"school": school, "role": role.value}
        )
    return user, password


def demo_staff(school: School, out: IO[str]) -> None:
    """Create the demo's accounts at `school` and write how to sign in."""
    out.write("Sign in at http://127.0.0.1:8000/ (attendwise serve) as:\n")
    for username, role in DEMO_STAFF:
        _, password = add_user(username, school, role, f"{username}-demo")
        out.write(f"  {username:<9} password {password:<15} {role.label}\n")


@command("add-user")
def add_user_command(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    call_command("migrate", verbosity=0)
    school = _school(args.school)
    try:
        role = Role(args.role)
    except ValueError:
        raise CommandError(
            f"no role {args.role!r}: choose one of {', '.join(r.value for r in Role)}"
        ) from None
    password = (
        args.password_stdin.readline().rstrip("\n") if args.password_stdin else None
    )
    user, password = add_user(args.username, school, role, password)
    out.write(f"{user.username} is now {role.label} at {school.name}.\n")
    if not args.password_stdin:
        out.write(f"Password: {password}\n")
    return 0


def _assets_built() -> bool:
    built = resources.files("attendwise.web.ui").joinpath("static/ui/dist/app.css")
    return built.is_file()


@command("serve")
def serve(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from waitress import serve as waitress_serve

    from attendwise.web.ui.wsgi import application

    if not _assets_built():
        raise CommandError(
            "the web assets are not built: run `make assets` (it runs npm ci)"
        )
    call_command("migrate", verbosity=0)
    out.write(f"Attendwise on http://{args.host}:{args.port}/ (Ctrl+C stops it)\n")
    out.flush()
    waitress_serve(
        application,
        host=args.host,
        port=args.port,
        threads=args.threads,
        ident="attendwise",
        _quiet=True,
    )
    return 0


def add_arguments(commands: Any) -> None:
    """Declare the arguments of `serve` and `add-user` on the CLI's subparsers."""
    serving = commands.add_parser("serve", help="run the staff web application")
    serving.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1")
    serving.add_argument("--port", type=int, default=8000)
    serving.add_argument("--threads", type=int, default=8)

    user = commands.add_parser(
        "add-user", help="create a member of staff, or change their role"
    )
    user.add_argument("username")
    user.add_argument("--school", required=True, help="the school's short name")
    user.add_argument("--role", required=True, choices=[role.value for role in Role])
    user.add_argument(
        "--password-stdin",
        type=argparse.FileType("r"),
        nargs="?",
        const="-",
        help="read the password from standard input (else one is made and shown)",
    )
