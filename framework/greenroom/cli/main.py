"""The root ``greenroom`` command and the error handling every command shares."""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Callable
from typing import Any, Final

import click

from greenroom._errors import GreenroomError
from greenroom._version import __version__

__all__ = ["GreenroomGroup", "cli", "main"]


class GreenroomGroup(click.Group):
    """A click group that turns Greenroom errors into a message and a hint, exit 1.

    Its subcommands may be registered lazily (:meth:`add_lazy_command`): the
    module of one is imported when it is used or listed, so that ``greenroom
    start`` does not import every other command's module (issue 8; click's
    documented "lazily loading subcommands" pattern).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lazy: dict[str, Callable[[], click.Command]] = {}

    def add_lazy_command(self, name: str, load: Callable[[], click.Command]) -> None:
        """Register the command ``name``, which ``load()`` imports and returns when needed."""
        self._lazy[name] = load

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        load = self._lazy.get(cmd_name)
        if load is not None:
            command = load()
            if command.name != cmd_name:  # the table and the command disagree: a bug here
                raise RuntimeError(f"lazy command {cmd_name!r} loaded {command.name!r}")
            self.add_command(command)
            del self._lazy[cmd_name]
        return super().get_command(ctx, cmd_name)

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


def _package() -> click.Command:
    # The package scripts (issue 9) live in their own modules.
    from greenroom.cli import package_scripts
    from greenroom.cli.package import package
    from greenroom.cli.package_start import start as package_start

    for command in (package_start, *(getattr(package_scripts, n) for n in package_scripts.__all__)):
        package.add_command(command)
    return package


def _repo() -> click.Command:
    # The repo-wide runs (issue 9) live in their own module.
    from greenroom.cli import repo_scripts
    from greenroom.cli.repo import repo

    repo.add_command(repo_scripts.test)
    repo.add_command(repo_scripts.lint)
    return repo


def _attribute(target: str) -> click.Command:
    """The command ``module:name`` names, its module imported now."""
    module, _, name = target.partition(":")
    command: click.Command = getattr(importlib.import_module(module), name)
    return command


#: The commands that are one module attribute each (``package`` and ``repo`` gather more).
_COMMANDS: Final = {
    "start": "greenroom.cli.start:start",
    "plugins": "greenroom.cli.plugins:plugins",
    "config": "greenroom.cli.config:config",
    "new": "greenroom.cli.new:new",
    "build-workspace": "greenroom.cli.build_workspace:build_workspace",
    "backend": "greenroom.cli.backend:backend",
}


def _register_commands() -> None:
    # Each command's module is imported when the command is used (issue 8).
    assert isinstance(cli, GreenroomGroup)
    for name, target in _COMMANDS.items():
        cli.add_lazy_command(name, functools.partial(_attribute, target))
    cli.add_lazy_command("repo", _repo)
    cli.add_lazy_command("package", _package)


_register_commands()


def main(argv: list[str] | None = None) -> None:
    """Run the CLI (the ``greenroom`` console script)."""
    cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="greenroom")
