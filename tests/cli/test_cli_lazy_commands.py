"""The root command imports each subcommand's module only when it is used (issue 8)."""

from __future__ import annotations

import subprocess
import sys

import click

from greenroom.cli.main import cli


def test_importing_the_cli_imports_no_command_module() -> None:
    """``greenroom start`` pays for its own command only, not for every other one."""
    code = (
        "import sys; import greenroom.cli.main;"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('greenroom.cli.'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["greenroom.cli.main"]


def test_every_listed_command_loads_under_its_name() -> None:
    """Each registered name gives the command of that name, with its subcommands added."""
    context = click.Context(cli)
    names = cli.list_commands(context)
    assert {"start", "plugins", "config", "repo", "package", "new", "backend"} <= set(names)
    for name in names:
        command = cli.get_command(context, name)
        assert command is not None
        assert command.name == name
    package = cli.get_command(context, "package")
    assert isinstance(package, click.Group)
    assert "start" in package.list_commands(context)
    repo = cli.get_command(context, "repo")
    assert isinstance(repo, click.Group)
    assert {"test", "lint"} <= set(repo.list_commands(context))
