"""The README's commands are commands the `attendwise` parser accepts."""

import re
import shlex
from pathlib import Path

import pytest

from attendwise.cli import build_parser

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_commands() -> list[str]:
    """Return each `attendwise ...` line of the README's shell blocks, joined."""
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    text = "\n".join(blocks).replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if words and words[0].endswith("attendwise") and len(words) > 1:
            found.append(" ".join(words[1:]))
    return found


def test_the_readme_shows_commands():
    assert len(readme_commands()) >= 10


@pytest.mark.parametrize("line", readme_commands())
def test_each_command_in_the_readme_parses(line):
    args = build_parser().parse_args(shlex.split(line))

    assert args.command == shlex.split(line)[0]


def test_the_readme_has_each_heading_once():
    headings = re.findall(r"^## .*$", README.read_text(encoding="utf-8"), re.M)

    assert len(headings) == len(set(headings))


def command_rows() -> list[tuple[list[str], list[str]]]:
    """Return each row of the README's command table: its commands, options."""
    text = README.read_text(encoding="utf-8")
    table = text.split("| command | what it does |\n", 1)[1].split("\n\n", 1)[0]
    rows = []
    for line in table.splitlines():
        first = line.removeprefix("| ").partition(" | ")[0]
        if not line.startswith("| `"):
            continue
        names = [code.split()[0] for code in re.findall(r"`([^`]+)`", first)]
        options = re.findall(r"(?<![\w-])--[a-z][a-z-]*", line)
        rows.append((names, options))
    return rows


def options_of(name: str) -> set[str]:
    parser = build_parser()
    commands = next(
        action for action in parser._actions if action.dest == "command"
    ).choices
    assert commands is not None
    return set(commands[name]._option_string_actions)


@pytest.mark.parametrize(
    ("names", "options"),
    [
        pytest.param(names, options, id=" ".join(names))
        for names, options in command_rows()
        if names[0] != "manage"
    ],
)
def test_each_option_in_the_command_table_is_accepted(names, options):
    accepted = set().union(*(options_of(name) for name in names))

    assert sorted(set(options) - accepted) == []
