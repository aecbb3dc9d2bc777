"""Fixtures of the frontend asset server tests: a plugins root and backends serving it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from frontend_server import ServedBackend, start_backend


@pytest.fixture
def plugins_root(tmp_path: Path) -> Path:
    """An empty ``dynamicPlugins.rootDirectory``."""
    root = tmp_path / "plugins"
    root.mkdir()
    return root


@pytest.fixture
def serve(tmp_path: Path, plugins_root: Path) -> Iterator[Callable[..., ServedBackend]]:
    """Start backends serving ``plugins_root``; ``serve(config=..., features=..., **options)``."""
    started: list[ServedBackend] = []

    def serve(
        config: Mapping[str, Any] | None = None, features: tuple[Any, ...] = (), **options: Any
    ) -> ServedBackend:
        served = start_backend(tmp_path, plugins_root, config, features, **options)
        started.append(served)
        return served

    yield serve
    for served in started:
        served.stop()
