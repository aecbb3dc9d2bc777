"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

__all__ = ["config_option"]

F = TypeVar("F", bound=Callable[..., Any])


def config_option(func: F) -> F:
    """``--config FILE`` (repeatable): replaces ``app-config.yaml`` + ``app-config.local.yaml``."""
    return click.option(
        "--config",
        "config_paths",
        multiple=True,
        type=click.Path(dir_okay=False, path_type=str),
        metavar="FILE",
        help=(
            "Config file to load; repeat to merge several, later files win. "
            "Default: app-config.yaml and app-config.local.yaml in the working directory."
        ),
    )(func)
