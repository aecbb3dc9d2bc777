"""``greenroom package``: commands that work on one package."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from greenroom._packaging.bundle import BundleOptions

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


@package.command("bundle")
@click.option(
    "--package",
    "package_names",
    multiple=True,
    metavar="NAME",
    help="The workspace member to bundle; repeat it to bundle several in one run. "
    "Default: the package at or above the working directory.",
)
@click.option(
    "--output-destination",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write the bundle to DIR/<bundle-name>/ (DIR/<bundle-name>.zip with --archive). "
    "Default: dist-bundle/ in the package.",
)
@click.option(
    "--output-name",
    metavar="NAME",
    help="The bundle's name (one package only). Default: the normalized distribution name.",
)
@click.option(
    "--pre-packed-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="DIR",
    help="Take the wheels (and uv.lock) from a `greenroom build-workspace DIR` output "
    "instead of building them.",
)
@click.option("--clean", is_flag=True, help="Replace an existing bundle of the same name.")
@click.option(
    "--no-build",
    "build",
    flag_value=False,
    default=True,
    help="Do not build: take the wheels from each package's dist/ folder.",
)
@click.option(
    "--no-install",
    "install",
    flag_value=False,
    default=True,
    help="Do not install the private dependencies: the host must provide them.",
)
@click.option("--archive", is_flag=True, help="Write DIR/<bundle-name>.zip instead of a folder.")
@click.option(
    "--shared-package",
    "shared_packages",
    multiple=True,
    metavar="NAME",
    help="Another package the host shares (its dynamicPlugins.sharedPackages); repeatable. "
    "Shared packages are never put into the bundle.",
)
@click.option(
    "--verbose", is_flag=True, help="Show the tools' output instead of writing it to a log file."
)
def bundle(
    package_names: tuple[str, ...],
    output_destination: Path | None,
    output_name: str | None,
    pre_packed_dir: Path | None,
    clean: bool,
    build: bool,
    install: bool,
    archive: bool,
    shared_packages: tuple[str, ...],
    verbose: bool,
) -> None:
    """Bundle a plugin with its private dependencies, ready to drop into a root directory.

    The bundle is a `pip install --target` folder (or a zip of it) with
    greenroom-bundle.json and .config-schema.json, loaded by the runtime's own
    loader before it is written. Prints the bundle's path and its sha256, to
    pin in a deployment. Packages the host shares (greenroom, its dependencies,
    --shared-package) are left out and their ranges recorded. Honours
    UV_*/PIP_* (indexes, find-links, offline) and SOURCE_DATE_EPOCH.

    With several --package, each is bundled as it would be alone, several at a
    time (one per CPU; one at a time with --verbose), each progress line
    prefixed with its package. A package that fails does not stop the others:
    every failure is reported at the end, and the exit status is 1.
    """
    from greenroom._errors import BundleError
    from greenroom._packaging.bundle import BundleOptions, bundle_package
    from greenroom._packaging.bundle_batch import unique_names

    names = unique_names(package_names)
    if len(names) > 1 and output_name is not None:
        raise click.BadOptionUsage(
            "output_name",
            f"--output-name names one bundle, but {len(names)} packages were given "
            f"({', '.join(names)}): drop --output-name to name each bundle after its "
            "distribution, or bundle the package to rename on its own",
        )
    options = BundleOptions(
        cwd=Path.cwd(),
        package=names[0] if names else None,
        output_destination=output_destination,
        output_name=output_name,
        pre_packed_dir=pre_packed_dir,
        clean=clean,
        build=build,
        install=install,
        verbose=verbose,
        archive=archive,
        shared_packages=shared_packages,
    )
    if len(names) > 1:
        _bundle_several(options, names)
        return
    try:
        result = bundle_package(options)
    except BundleError as exc:
        show_log_tail(exc)
        raise
    click.echo(f"bundle: {result.path}")
    click.echo(f"sha256: {result.sha256}")


def _bundle_several(options: BundleOptions, names: list[str]) -> None:
    """Bundle every package of ``names``: each result once written, the failures at the end.

    Failures are reported in the order of ``names``, each as one package's
    failure is reported alone: the log's tail, then the error and its hint.
    """
    from greenroom._errors import BundleError
    from greenroom._packaging.bundle_batch import BundleFailure, bundle_each
    from greenroom._packaging.local_deps import canonical

    failures: list[BundleFailure] = []
    for _, outcome in bundle_each(options, names):
        if isinstance(outcome, BundleFailure):
            failures.append(outcome)
            continue
        click.echo(f"bundle: {outcome.path}")
        click.echo(f"sha256: {outcome.sha256}")
    if not failures:
        return
    position = {canonical(name): index for index, name in enumerate(names)}
    failures.sort(key=lambda failure: position.get(canonical(failure.package), len(names)))
    for failure in failures:
        _show_log(failure.log)
        if failure.traceback:
            click.echo(failure.traceback.rstrip("\n"), err=True)
        click.echo(f"error: [{failure.package}] {failure.message}", err=True)
        if failure.hint:
            click.echo(f"hint: {failure.hint}", err=True)
    raise BundleError(
        f"{len(failures)} of {len(names)} packages were not bundled: "
        + ", ".join(failure.package for failure in failures),
        hint="fix what each error above says, then bundle those packages again",
    )


def show_log_tail(exc: Exception) -> None:
    """After a failed bundle: where the tools' log is, and its last lines (on stderr)."""
    _show_log(getattr(exc, "log", None))


def _show_log(log: Path | None) -> None:
    from greenroom._packaging.tools import TAIL_LINES, ToolLog

    if log is None:
        return
    lines = ToolLog(log).tail()
    click.echo(f"log: {log} (last {min(len(lines), TAIL_LINES)} lines below)", err=True)
    for line in lines:
        click.echo(f"  | {line}", err=True)
