"""Every command is documented: help with an example, and a mention in the README."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from newsflow.cli import main

README = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{prefix}{name} "))
    return found


@pytest.mark.parametrize(("name", "command"), _commands(main), ids=lambda v: str(v))
def test_command_help_has_an_example(name: str, command: click.Command) -> None:
    assert command.help, f"`newsflow {name}` has no help"
    assert re.search(r"Example: .*\bnewsflow ", command.help), name


@pytest.mark.parametrize("name", sorted(main.commands))
def test_command_is_in_readme(name: str) -> None:
    assert f"newsflow {name}" in README, f"README does not mention `newsflow {name}`"
