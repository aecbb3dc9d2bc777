"""``greenroom package``: commands that work on one package."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["package"]


@click.group()
def package() -> None:
    """Work on one package of the workspace."""


@package.command("check")
@click.argument(
    "path",
    required=False,
    default=".",
    type=click.Path(exists=True, path_type=Path),
)
def check(path: Path) -> None:
    """Check that the package at PATH (default: here) has the metadata publishing needs.

    The rules that `greenroom repo fix` checks, and: a plugin or module has a
    plugin-id, a plugin (or a plugin's library) has plugin-packages, a module
    has plugin-package. Exit 1 listing every problem.
    """
    from greenroom._packaging.check import check_package

    checked = check_package(path)
    role = checked.role or "?"
    click.echo(f"{checked.label} ({role}): ready to publish")
