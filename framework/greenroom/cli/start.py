"""``greenroom start``: run the backend under uvicorn on ``backend.listen``."""

from __future__ import annotations

import click

from greenroom.cli.options import config_option

__all__ = ["start"]


@click.command()
@config_option
def start(config_paths: tuple[str, ...]) -> None:
    """Start the backend and serve it on backend.listen (default 127.0.0.1:7007).

    Loads every installed plugin (entry points) and every plugin in
    dynamicPlugins.rootDirectory.

    SIGTERM or Ctrl-C stops it gracefully: readiness answers 503, requests in
    flight finish, shutdown hooks run, and the process exits 0.
    """
    from greenroom._backend.backend import create_backend
    from greenroom._config import load_config
    from greenroom._dynamic.feature_loader import dynamic_plugins_feature_loader

    config = load_config(list(config_paths) or None)
    create_backend(config, [dynamic_plugins_feature_loader]).run()
