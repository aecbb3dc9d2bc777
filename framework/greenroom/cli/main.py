"""The root ``greenroom`` command and the error handling every command shares."""

from __future__ import annotations

import sys
from typing import Any

import click

from greenroom._errors import GreenroomError
from greenroom._version import __version__

__all__ = ["GreenroomGroup", "cli", "main"]


class GreenroomGroup(click.Group):
    """A click group that turns Greenroom errors into a message and a hint, exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GreenroomError as exc:
            hint = getattr(exc, "hint", "") or "run with --help for usage"
            message = str(exc)
            if hint and hint in message:
                hint = ""
            click.echo(f"error: {message}", err=True)
            if hint:
                click.echo(f"hint: {hint}", err=True)
            ctx.exit(1)


@click.group(cls=GreenroomGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="greenroom")
def cli() -> None:
    """Greenroom: a Python backend framework in which every capability is a plugin."""


def _register_commands() -> None:
    from greenroom.cli.backend import backend
    from greenroom.cli.build_workspace import build_workspace
    from greenroom.cli.config import config
    from greenroom.cli.new import new
    from greenroom.cli.package import package
    from greenroom.cli.plugins import plugins
    from greenroom.cli.repo import repo
    from greenroom.cli.start import start

    cli.add_command(start)
    cli.add_command(plugins)
    cli.add_command(config)
    cli.add_command(repo)
    cli.add_command(package)
    cli.add_command(new)
    cli.add_command(build_workspace)
    cli.add_command(backend)


_register_commands()


def main(argv: list[str] | None = None) -> None:
    """Run the CLI (the ``greenroom`` console script)."""
    cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="greenroom")
