"""Builders for the small plugins and modules the backend tests start."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx
import pytest

from greenroom import Backend, BackendModule, BackendPlugin, ExtensionPoint, hookimpl

Init = Callable[..., Any]


def _noop(**_: Any) -> None:
    """An init that does nothing."""


def plugin(
    plugin_id: str,
    init: Init = _noop,
    deps: Mapping[str, Any] | None = None,
    extension_points: Mapping[ExtensionPoint[Any], Any] | None = None,
) -> BackendPlugin:
    """A plugin whose ``register`` offers ``extension_points`` then registers ``init``."""

    class Plugin(BackendPlugin):
        @hookimpl
        def register(self, env: Any) -> None:
            for ext_point, impl in (extension_points or {}).items():
                env.register_extension_point(ext_point, impl)
            env.register_init(init, deps=deps)

    Plugin.plugin_id = plugin_id
    return Plugin()


def module(
    plugin_id: str,
    module_id: str,
    init: Init = _noop,
    deps: Mapping[str, Any] | None = None,
    extension_points: Mapping[ExtensionPoint[Any], Any] | None = None,
) -> BackendModule:
    """A module of ``plugin_id``, built like :func:`plugin`."""

    class Module(BackendModule):
        @hookimpl
        def register(self, env: Any) -> None:
            for ext_point, impl in (extension_points or {}).items():
                env.register_extension_point(ext_point, impl)
            env.register_init(init, deps=deps)

    Module.plugin_id = plugin_id
    Module.module_id = module_id
    return Module()


def client(backend: Backend) -> httpx.AsyncClient:
    """An HTTP client talking to the backend's ASGI app in process."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=backend.http_app), base_url="http://testserver"
    )


@pytest.fixture
def make_plugin() -> Callable[..., BackendPlugin]:
    """Build a plugin: ``make_plugin(id, init, deps, extension_points)``."""
    return plugin


@pytest.fixture
def make_module() -> Callable[..., BackendModule]:
    """Build a module: ``make_module(plugin_id, module_id, init, deps, extension_points)``."""
    return module


@pytest.fixture
def make_client() -> Callable[[Backend], httpx.AsyncClient]:
    """Build an in-process HTTP client for a started (or preparing) backend."""
    return client
