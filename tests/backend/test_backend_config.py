"""Config that shapes the start: disabling plugins and modules, and tracing hook calls."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from greenroom import (
    Backend,
    BackendModule,
    BackendPlugin,
    ServiceRef,
    core_services,
    create_backend,
)

pytestmark = pytest.mark.anyio

MakePlugin = Callable[..., BackendPlugin]
MakeModule = Callable[..., BackendModule]
MakeClient = Callable[[Backend], httpx.AsyncClient]


def pinging(make_plugin: MakePlugin, plugin_id: str, inits: list[str]) -> BackendPlugin:
    """A plugin serving GET /ping that records its init in ``inits``."""

    def init(router: Any) -> None:
        inits.append(plugin_id)
        router.use([Route("/ping", lambda request: PlainTextResponse("pong"))])

    return make_plugin(plugin_id, init, {"router": core_services.http_router})


async def test_disabled_plugin_and_its_modules_are_not_started(
    make_plugin: MakePlugin,
    make_module: MakeModule,
    make_client: MakeClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """backend.plugins.<id>.enabled: false skips the plugin and its modules; routes 404."""
    inits: list[str] = []
    backend = create_backend(
        config={"backend": {"plugins": {"catalog": {"enabled": False}}}},
        features=[
            pinging(make_plugin, "catalog", inits),
            make_module("catalog", "github", lambda: inits.append("github")),
            pinging(make_plugin, "search", inits),
        ],
    )
    with caplog.at_level(logging.INFO, logger="greenroom"):
        await backend.start()
    assert inits == ["search"]
    assert "catalog" not in backend.plugins
    async with make_client(backend) as client:
        assert (await client.get("/api/catalog/ping")).status_code == 404
        assert (await client.get("/api/search/ping")).status_code == 200
    messages = [r.getMessage() for r in caplog.records]
    assert (
        "plugin 'catalog' is disabled by backend.plugins.catalog.enabled: false (catalog skipped)"
    ) in messages
    # A module of a disabled plugin is not an orphan: no warning about it.
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    await backend.stop()


async def test_disabled_plugin_is_not_checked_for_dependencies(make_plugin: MakePlugin) -> None:
    """A disabled plugin's missing dependencies do not fail the start."""
    backend = create_backend(
        config={"backend": {"plugins": {"catalog": {"enabled": False}}}},
        features=[make_plugin("catalog", lambda db: None, {"db": ServiceRef("test.db")})],
    )
    await backend.start()
    assert dict(backend.plugins) == {}
    await backend.stop()


async def test_disabled_module_is_skipped_and_its_plugin_starts(
    make_plugin: MakePlugin, make_module: MakeModule
) -> None:
    """backend.plugins.<id>.modules.<moduleId>.enabled: false skips only that module."""
    inits: list[str] = []
    backend = create_backend(
        config={"backend": {"plugins": {"catalog": {"modules": {"github": {"enabled": False}}}}}},
        features=[
            make_plugin("catalog", lambda: inits.append("catalog")),
            make_module("catalog", "github", lambda: inits.append("github")),
            make_module("catalog", "gitlab", lambda: inits.append("gitlab")),
        ],
    )
    await backend.start()
    assert inits == ["gitlab", "catalog"]
    await backend.stop()


async def test_enabled_true_is_the_default(make_plugin: MakePlugin) -> None:
    """enabled: true, or no key at all, starts the plugin."""
    inits: list[str] = []
    backend = create_backend(
        config={"backend": {"plugins": {"catalog": {"enabled": True}}}},
        features=[
            make_plugin("catalog", lambda: inits.append("catalog")),
            make_plugin("search", lambda: inits.append("search")),
        ],
    )
    await backend.start()
    assert sorted(inits) == ["catalog", "search"]
    await backend.stop()


async def test_trace_hooks_env_logs_hook_calls(
    make_plugin: MakePlugin,
    make_module: MakeModule,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """GREENROOM_TRACE_HOOKS=1 logs each register call and each init to greenroom.hooks."""
    monkeypatch.setenv("GREENROOM_TRACE_HOOKS", "1")
    backend = create_backend(
        config={}, features=[make_plugin("catalog"), make_module("catalog", "github")]
    )
    with caplog.at_level(logging.INFO, logger="greenroom.hooks"):
        await backend.start()
    traced = [r.getMessage() for r in caplog.records if r.name == "greenroom.hooks"]
    assert traced == [
        "register(env) -> plugin 'catalog'",
        "register(env) -> module 'github' for plugin 'catalog'",
        "init -> module 'github' for plugin 'catalog'",
        "init -> plugin 'catalog'",
    ]
    await backend.stop()


async def test_trace_hooks_config_flag_logs_hook_calls(
    make_plugin: MakePlugin, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """backend.traceHooks: true traces like the environment variable does."""
    monkeypatch.delenv("GREENROOM_TRACE_HOOKS", raising=False)
    backend = create_backend(
        config={"backend": {"traceHooks": True}}, features=[make_plugin("catalog")]
    )
    with caplog.at_level(logging.INFO, logger="greenroom.hooks"):
        await backend.start()
    assert "init -> plugin 'catalog'" in [
        r.getMessage() for r in caplog.records if r.name == "greenroom.hooks"
    ]
    await backend.stop()


async def test_hooks_are_not_traced_by_default(
    make_plugin: MakePlugin, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Without the flag nothing is logged to greenroom.hooks."""
    monkeypatch.delenv("GREENROOM_TRACE_HOOKS", raising=False)
    backend = create_backend(config={}, features=[make_plugin("catalog")])
    with caplog.at_level(logging.DEBUG, logger="greenroom.hooks"):
        await backend.start()
    assert not [r for r in caplog.records if r.name == "greenroom.hooks"]
    await backend.stop()
