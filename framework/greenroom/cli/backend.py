"""``greenroom backend bundle``: the deployment archives of a backend package."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["backend"]


@click.group()
def backend() -> None:
    """Work on the backend package (role backend): the deployable app."""


@backend.command("bundle")
@click.option(
    "--package",
    "package_name",
    metavar="NAME",
    help="The backend member. Default: the package at or above the working directory.",
)
@click.option(
    "--build-dependencies",
    is_flag=True,
    help="Build the wheels of the backend and its local packages first (into each dist/).",
)
@click.option(
    "--verbose", is_flag=True, help="Show the tools' output instead of writing it to a log file."
)
def bundle(package_name: str | None, build_dependencies: bool, verbose: bool) -> None:
    """Write dist/skeleton.tar.gz and dist/bundle.tar.gz for a container image.

    skeleton.tar.gz holds the project files, uv.lock and requirements.txt (the
    third-party dependencies, pinned): install it in its own, cached image
    layer. bundle.tar.gz holds the wheels of the backend and of its local
    packages. Without --build-dependencies the wheels must already be in each
    package's dist/. See docs/how-to/deploy-backend-bundle.md for a Dockerfile.
    """
    from greenroom._errors import BundleError
    from greenroom._packaging.backend_bundle import backend_bundle
    from greenroom.cli.package import show_log_tail

    try:
        result = backend_bundle(
            Path.cwd(),
            package_name=package_name,
            build_dependencies=build_dependencies,
            verbose=verbose,
        )
    except BundleError as exc:
        show_log_tail(exc)
        raise
    click.echo(f"skeleton: {result.skeleton}")
    click.echo(f"bundle: {result.bundle}")
