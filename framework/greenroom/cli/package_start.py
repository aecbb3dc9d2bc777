"""``greenroom package start``: a development backend that restarts when the code changes."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["start"]


@click.command("start")
@click.option(
    "--package",
    "package_name",
    metavar="NAME",
    help="The workspace member to start. Default: the package at or above the working directory.",
)
@click.option(
    "--config",
    "config_paths",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=str),
    metavar="FILE",
    help="Config file to load; repeat to merge several, later files win. Default: "
    "app-config.yaml and app-config.local.yaml of the workspace root, then of the package.",
)
@click.option(
    "--debug",
    is_flag=True,
    help="Run the backend under debugpy and wait for a debugger to attach before each start.",
)
@click.option(
    "--debug-no-wait",
    is_flag=True,
    help="As --debug, but the backend starts at once; attach whenever you like.",
)
@click.option(
    "--debug-address",
    default="127.0.0.1:5678",
    show_default=True,
    metavar="[HOST:]PORT",
    help="Where debugpy listens (implies --debug).",
)
@click.pass_context
def start(
    ctx: click.Context,
    package_name: str | None,
    config_paths: tuple[str, ...],
    debug: bool,
    debug_no_wait: bool,
    debug_address: str,
) -> None:
    """Run the package's backend, restarting it whenever its code changes.

    For a backend-plugin: a development backend with just this plugin and the
    core services. For a backend-plugin-module: the module and its plugin (from
    the workspace, else installed, else an empty stand-in). For a backend: the
    app, as `greenroom start` runs it. The workspace's sources come first on
    sys.path; a change to the code of the package or of the workspace packages
    it needs, to a pyproject.toml or to a config file restarts the backend.

    Values a plugin keeps in the development data store (greenroom.dev)
    survive restarts. Ctrl-C stops the backend gracefully and quits.
    """
    from greenroom._dev.target import dev_target
    from greenroom._dev.watch import run_dev_backend
    from greenroom._scripts.target import locate_target

    target = locate_target(package_name, Path.cwd())
    wants_debug = debug or debug_no_wait or _given(ctx, "debug_address")
    spec = None
    if wants_debug:
        from greenroom._dev.debug import debug_spec

        spec = debug_spec(debug_address, wait=not debug_no_wait)
    dev = dev_target(target, config=config_paths, debug=spec)

    def echo(line: str) -> None:
        click.echo(line, err=True)

    run_dev_backend(dev, target.workspace.root.resolve(), echo)


def _given(ctx: click.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source != click.core.ParameterSource.DEFAULT
