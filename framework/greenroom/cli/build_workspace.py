"""``greenroom build-workspace DIR [PACKAGE...]``: wheels for bundling many plugins at once."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["build_workspace"]


@click.command("build-workspace")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.argument("packages", nargs=-1)
@click.option(
    "--verbose", is_flag=True, help="Show the tools' output instead of writing it to a log file."
)
def build_workspace(directory: Path, packages: tuple[str, ...], verbose: bool) -> None:
    """Build the wheels of PACKAGEs and the workspace packages they need into DIRECTORY.

    Every member when no PACKAGE is named. Wheels are built once each,
    several at a time (one per CPU), and the workspace's uv.lock is copied beside them;
    `greenroom package bundle --pre-packed-dir DIRECTORY` then bundles each
    plugin from there without building anything again.
    """
    from greenroom._errors import BundleError
    from greenroom._packaging.build_workspace import build_workspace as build
    from greenroom.cli.package import show_log_tail

    try:
        result = build(directory, packages, cwd=Path.cwd(), verbose=verbose)
    except BundleError as exc:
        show_log_tail(exc)
        raise
    for wheel in result.wheels:
        click.echo(str(wheel))
    if result.lock is not None:
        click.echo(str(result.lock))
