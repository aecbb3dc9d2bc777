"""``greenroom package build|lint|typecheck|test|clean``: the package scripts, by role.

The Python counterpart of the seed's ``backstage-cli package <script>``:
run inside a package (or with ``--package NAME``), each does what the
package's role calls for, with the workspace's settings and the package's own
overrides in the standard tool tables. Nothing needs to be declared in a
package's ``pyproject.toml`` for them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = ["build", "clean", "lint", "test", "typecheck"]

F = TypeVar("F", bound=Callable[..., Any])


def package_option(func: F) -> F:
    """``--package NAME``: the member to work on instead of the one here."""
    return click.option(
        "--package",
        "package_name",
        metavar="NAME",
        help="The workspace member. Default: the package at or above the working directory.",
    )(func)


def _target(package_name: str | None) -> Any:
    from greenroom._scripts.target import locate_target

    return locate_target(package_name, Path.cwd())


def _run(steps: Any, ctx: click.Context) -> None:
    """Run the steps with their output on the console; exit 1 if one failed."""
    from greenroom._scripts.steps import run_steps

    failed = [r for r in run_steps(steps, capture=False) if not r.ok]
    for result in failed:
        click.echo(f"{result.step.name} failed (exit status {result.code})", err=True)
    ctx.exit(1 if failed else 0)


@click.command("build")
@package_option
@click.option(
    "--skip-check",
    is_flag=True,
    help="Do not run the publish check first (for a build that is not published).",
)
def build(package_name: str | None, skip_check: bool) -> None:
    """Build the package: a wheel and an sdist in dist/, or a backend's production bundle.

    A publishable plugin, module or library (not private) is checked first, as
    `greenroom package check` does. Builds with the standard frontend (uv
    build, else python -m build) and the package's [build-system]. A backend
    package gets dist/skeleton.tar.gz and dist/bundle.tar.gz, as with
    `greenroom backend bundle --build-dependencies`.
    """
    from greenroom._scripts.build import build_package

    target = _target(package_name)
    result = build_package(target, check=not skip_check)
    for note in result.notes:
        click.echo(note, err=True)
    for path in result.files:
        click.echo(f"built: {path}")


@click.command("lint")
@package_option
@click.option("--fix", is_flag=True, help="Fix what ruff can fix, and format the files.")
@click.pass_context
def lint(ctx: click.Context, package_name: str | None, fix: bool) -> None:
    """Lint the package with ruff: `ruff check` and `ruff format --check`.

    ruff reads the nearest [tool.ruff]: the package's own (which may `extend`
    the root's) or the workspace root's. Both checks run; exit 1 if either fails.
    """
    from greenroom._scripts.steps import lint_steps

    _run(lint_steps(_target(package_name), fix=fix), ctx)


@click.command("typecheck")
@package_option
@click.pass_context
def typecheck(ctx: click.Context, package_name: str | None) -> None:
    """Type-check the package's code with mypy, if it is typed.

    Runs when the package has a py.typed marker (and a role with Python code)
    or its own [tool.mypy]; with its [tool.mypy], else the root's, else
    --strict. Otherwise says why it does nothing, and exits 0.
    """
    from greenroom._scripts.steps import typecheck_skip_reason, typecheck_steps

    target = _target(package_name)
    reason = typecheck_skip_reason(target)
    if reason is not None:
        click.echo(f"skipped: {reason}")
        return
    _run(typecheck_steps(target), ctx)


@click.command(
    "test",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@package_option
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED, metavar="[PYTEST_ARGS]...")
@click.pass_context
def test(ctx: click.Context, package_name: str | None, pytest_args: tuple[str, ...]) -> None:
    """Run the package's tests with pytest; PYTEST_ARGS go to pytest (e.g. -k pattern).

    The configuration is the workspace root's [tool.pytest.ini_options], then
    the role's defaults (tests/ as testpaths, the workspace sources on
    pythonpath), then the package's own [tool.pytest.ini_options], each key
    of which wins. A package without tests passes.
    """
    from greenroom._scripts.steps import pytest_steps

    _run(pytest_steps(_target(package_name), pytest_args), ctx)


@click.command("clean")
@package_option
def clean(package_name: str | None) -> None:
    """Remove the package's build output and caches: dist/, build/, __pycache__, ...

    Never sources: a dist/ folder inside the package's code (a frontend
    plugin's assets) stays.
    """
    from greenroom._scripts.clean import clean_package

    target = _target(package_name)
    removed = clean_package(target)
    for path in removed:
        click.echo(f"removed: {path.relative_to(target.directory).as_posix()}/")
    if not removed:
        click.echo("nothing to remove")
