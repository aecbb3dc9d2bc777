"""``greenroom plugins list``: what ``greenroom start`` would load, and why not."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from typing import Any

import click

from greenroom.cli.options import config_option

__all__ = ["plugins"]

_COLUMNS = ("name", "version", "role", "plugin_id", "source", "state", "failure")


@click.group()
def plugins() -> None:
    """Inspect installed and dropped-in plugins."""


@plugins.command("list")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print only a JSON list on stdout.")
@click.option("--include-failed", is_flag=True, help="Also list plugins and entries that failed.")
def list_plugins(config_paths: tuple[str, ...], as_json: bool, include_failed: bool) -> None:
    """List every plugin found, with its state: loaded, failed or disabled.

    Runs the same code as `greenroom start` up to and including each
    plugin's register hook (no init runs), so what it says is what start
    will do. Logs go to stderr.
    """
    # Plugin code runs in register (and at import): whatever it prints must not
    # reach stdout, which --json promises holds only the list.
    with contextlib.redirect_stdout(sys.stderr):
        rows = asyncio.run(_collect(config_paths))
    if not include_failed:
        rows = [row for row in rows if row["state"] != "failed"]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    _print_table(rows)


async def _collect(config_paths: tuple[str, ...]) -> list[dict[str, Any]]:
    from greenroom._backend.backend import create_backend
    from greenroom._config import load_config
    from greenroom._dynamic.feature_loader import (
        dynamic_plugins_feature_loader,
        dynamic_plugins_service_ref,
    )
    from greenroom._services.root_logger import configure_logging

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    configure_logging("warning", "text")
    backend = create_backend(load_config(list(config_paths) or None))
    backend.add(dynamic_plugins_feature_loader)
    await backend.inspect()
    manager = await backend.get_service(dynamic_plugins_service_ref)
    return [plugin.as_json() for plugin in manager.plugins(include_failed=True)]


def _print_table(rows: list[dict[str, Any]]) -> None:
    """Plain columns (click only), nothing cut short: sources and failures are read in full."""
    cells = [list(_COLUMNS)] + [
        [" ".join(str(row[c]).split()) if row[c] is not None else "" for c in _COLUMNS]
        for row in rows
    ]
    widths = [max(len(cell) for cell in column) for column in zip(*cells, strict=True)]
    for line in cells:
        padded = (cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        click.echo("  ".join(padded).rstrip())
    click.echo(f"{len(rows)} plugin(s)")
