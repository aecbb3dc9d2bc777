"""``greenroom new``: scaffold a plugin, a module or a library into the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

__all__ = ["new"]

_KINDS = ("backend-plugin", "backend-module", "frontend-plugin", "library")


@click.command()
@click.argument("kind", type=click.Choice(_KINDS), metavar="KIND")
@click.option("--plugin-id", metavar="ID", help="The plugin's id (kebab-case), e.g. catalog.")
@click.option("--module-id", metavar="ID", help="backend-module: the module's id, e.g. yaml-files.")
@click.option(
    "--role",
    type=click.Choice(["node-library", "web-library", "common-library"]),
    default="node-library",
    show_default=True,
    help="library: its role; named <prefix>-plugin-<id>-node, -react or -common.",
)
@click.option(
    "--name",
    metavar="NAME",
    help="library: a library of no plugin, named <prefix>-<NAME> (instead of --plugin-id).",
)
@click.option(
    "--prefix",
    metavar="PREFIX",
    help="The naming prefix. Default: prefix in the root's [tool.greenroom.workspace].",
)
@click.option(
    "--directory",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to create it. Default: <folder>/<name> for the first members glob '<folder>/*'.",
)
@click.option(
    "--plugin-package",
    metavar="NAME",
    help="backend-module: the plugin's distribution, when it is neither in the workspace "
    "nor a known one.",
)
def new(kind: str, **options: Any) -> None:
    """Create a new package of KIND in the workspace, ready to test.

    KIND is backend-plugin, backend-module, frontend-plugin or library. The
    package is named by the naming scheme, declares its role, plugin id and
    entry point, and has a test and a README. Its generated metadata, and that
    of the other packages of its plugin, is filled as by
    `greenroom repo fix --publish`.
    """
    from greenroom._packaging.scaffold import scaffold

    made = scaffold(kind, **options)
    click.echo(f"created {made.name} ({made.role}) in {made.directory}")
    for name in made.updated:
        click.echo(f"updated the plugin metadata of {name}")
    if made.warning:
        click.echo(f"warning: {made.warning}", err=True)
    click.echo(f"next: pip install -e '{made.directory}[test]' && pytest {made.directory}")
