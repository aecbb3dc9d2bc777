"""``greenroom repo test`` and ``greenroom repo lint``: every member, in parallel, one report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = ["lint", "test"]

F = TypeVar("F", bound=Callable[..., Any])


def _shared_options(func: F) -> F:
    func = click.option(
        "--success-cache-dir",
        type=click.Path(file_okay=False, path_type=Path),
        metavar="DIR",
        help="Keep the success cache in DIR (e.g. one your CI caches). "
        "Default: .greenroom-cache/ at the workspace root.",
    )(func)
    func = click.option(
        "--success-cache",
        is_flag=True,
        help="Skip each package whose inputs are unchanged since it last succeeded "
        "(recommended in CI, not needed locally).",
    )(func)
    return click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=1),
        metavar="N",
        help="Run N packages at once. Default: the number of CPUs.",
    )(func)


def _run_repo(ctx: click.Context, command: Any, args: tuple[str, ...], **options: Any) -> None:
    from greenroom._packaging.workspace import load_workspace
    from greenroom._scripts.repo_run import report_failures, run_repo, totals

    workspace = load_workspace()
    outcomes = run_repo(
        workspace,
        command,
        args,
        success_cache=options["success_cache"],
        cache_dir=options["success_cache_dir"],
        jobs=options["jobs"],
        fix=options.get("fix", False),
        echo=click.echo,
    )
    for line in report_failures(outcomes):
        click.echo(line)
    click.echo(totals(outcomes))
    ctx.exit(1 if any(o.status == "failed" for o in outcomes) else 0)


@click.command(
    "test",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@_shared_options
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED, metavar="[PYTEST_ARGS]...")
@click.pass_context
def test(
    ctx: click.Context,
    jobs: int | None,
    success_cache: bool,
    success_cache_dir: Path | None,
    pytest_args: tuple[str, ...],
) -> None:
    """Run every member's tests (`greenroom package test`), in parallel.

    PYTEST_ARGS go to each package's pytest: `greenroom repo test -k catalog`
    runs the matching tests of every package (a package with none passes).
    Prints a line per package, then the output of each failure; exit 1 if a
    package failed.
    """
    _run_repo(
        ctx,
        "test",
        pytest_args,
        jobs=jobs,
        success_cache=success_cache,
        success_cache_dir=success_cache_dir,
    )


@click.command("lint")
@_shared_options
@click.option("--fix", is_flag=True, help="Fix what ruff can fix, and format the files.")
@click.pass_context
def lint(
    ctx: click.Context,
    jobs: int | None,
    success_cache: bool,
    success_cache_dir: Path | None,
    fix: bool,
) -> None:
    """Lint every member (`greenroom package lint`), in parallel.

    Prints a line per package, then the output of each failure; exit 1 if a
    package failed.
    """
    _run_repo(
        ctx,
        "lint",
        (),
        jobs=jobs,
        success_cache=success_cache,
        success_cache_dir=success_cache_dir,
        fix=fix,
    )
