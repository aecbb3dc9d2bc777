"""The boot failure policy: abort (the default) or continue, for plugins and modules."""

from __future__ import annotations

import asyncio
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
    BackendStartupError,
    ConfigError,
    core_services,
    create_backend,
)

pytestmark = pytest.mark.anyio

MakePlugin = Callable[..., BackendPlugin]
MakeModule = Callable[..., BackendModule]
MakeClient = Callable[[Backend], httpx.AsyncClient]


def serving(
    make_plugin: MakePlugin, plugin_id: str, fail: bool = False, events: list[str] | None = None
) -> BackendPlugin:
    """A plugin that mounts GET /ping, then raises in its init when ``fail`` is true."""

    def init(router: Any, lifecycle: Any) -> None:
        router.use([Route("/ping", lambda request: PlainTextResponse(plugin_id))])
        if events is not None:
            lifecycle.add_shutdown_hook(lambda: events.append(f"shutdown {plugin_id}"))
        if fail:
            raise RuntimeError(f"{plugin_id} is broken")

    deps = {"router": core_services.http_router, "lifecycle": core_services.lifecycle}
    return make_plugin(plugin_id, init, deps)


async def test_abort_lists_every_failure_after_stopping_what_started(
    make_plugin: MakePlugin,
) -> None:
    """By default one BackendStartupError lists each failed plugin; started ones are stopped."""
    events: list[str] = []
    both_failed = asyncio.Event()
    failures = 0

    async def failing(plugin_id: str, router: Any, lifecycle: Any) -> None:
        nonlocal failures
        failures += 1
        if failures == 2:
            both_failed.set()
        raise RuntimeError(f"{plugin_id} is broken")

    async def slow_but_fine(lifecycle: Any) -> None:
        await both_failed.wait()  # still starting when the others have failed
        lifecycle.add_shutdown_hook(lambda: events.append("shutdown healthy"))
        events.append("healthy started")

    deps = {"router": core_services.http_router, "lifecycle": core_services.lifecycle}
    backend = create_backend(
        config={},
        features=[
            make_plugin("alpha", lambda **kw: failing("alpha", **kw), deps),
            make_plugin("beta", lambda **kw: failing("beta", **kw), deps),
            make_plugin("healthy", slow_but_fine, {"lifecycle": core_services.lifecycle}),
        ],
    )
    with pytest.raises(BackendStartupError) as info:
        await asyncio.wait_for(backend.start(), timeout=2)
    error = info.value
    assert set(error.causes) == {"plugin 'alpha'", "plugin 'beta'"}
    assert str(error.causes["plugin 'alpha'"]) == "alpha is broken"
    assert str(error).startswith("backend startup failed, 2 feature(s) failed to start:\n  ")
    assert "plugin 'alpha': RuntimeError: alpha is broken" in str(error)
    assert "plugin 'beta': RuntimeError: beta is broken" in str(error)
    assert events == ["healthy started", "shutdown healthy"]
    assert not backend.state.ready


async def test_continue_by_default_serves_the_others_and_503s_the_failed(
    make_plugin: MakePlugin, make_client: MakeClient
) -> None:
    """With onPluginBootFailure: continue the failed plugin answers 503 and the rest serve."""
    config = {"backend": {"startup": {"default": {"onPluginBootFailure": "continue"}}}}
    backend = create_backend(
        config=config,
        features=[
            serving(make_plugin, "broken", fail=True),
            serving(make_plugin, "healthy"),
        ],
    )
    await backend.start()
    async with make_client(backend) as client:
        ok = await client.get("/api/healthy/ping")
        failed = await client.get("/api/broken/ping")
        ready = await client.get("/.greenroom/health/v1/readiness")
    assert (ok.status_code, ok.text) == (200, "healthy")
    assert failed.status_code == 503
    assert failed.json()["error"] == {
        "name": "ServiceUnavailableError",
        "message": "plugin 'broken' failed to start",
    }
    assert ready.status_code == 200
    assert backend.plugins["broken"].phase.value == "failed"
    assert str(backend.plugins["broken"].error) == "broken is broken"
    await backend.stop()


async def test_continue_for_one_plugin_only(
    make_plugin: MakePlugin, make_client: MakeClient
) -> None:
    """A per-plugin policy tolerates that plugin, while the default still aborts others."""
    config = {
        "backend": {"startup": {"plugins": {"optional": {"onPluginBootFailure": "continue"}}}}
    }
    backend = create_backend(
        config=config,
        features=[serving(make_plugin, "optional", fail=True), serving(make_plugin, "healthy")],
    )
    await backend.start()
    async with make_client(backend) as client:
        assert (await client.get("/api/optional/ping")).status_code == 503
        assert (await client.get("/api/healthy/ping")).status_code == 200
    await backend.stop()

    strict = create_backend(
        config=config,
        features=[serving(make_plugin, "optional"), serving(make_plugin, "required", fail=True)],
    )
    with pytest.raises(BackendStartupError) as info:
        await strict.start()
    assert set(info.value.causes) == {"plugin 'required'"}


async def test_per_plugin_abort_overrides_a_continue_default(make_plugin: MakePlugin) -> None:
    """backend.startup.plugins.<id> wins over backend.startup.default."""
    config = {
        "backend": {
            "startup": {
                "default": {"onPluginBootFailure": "continue"},
                "plugins": {"required": {"onPluginBootFailure": "abort"}},
            }
        }
    }
    backend = create_backend(config=config, features=[serving(make_plugin, "required", True)])
    with pytest.raises(BackendStartupError, match="plugin 'required'"):
        await backend.start()


async def test_failing_module_aborts_by_default(
    make_plugin: MakePlugin, make_module: MakeModule
) -> None:
    """A module failure aborts the start, named as the module, and its plugin never inits."""
    inits: list[str] = []

    def broken_module() -> None:
        raise ValueError("bad rules")

    backend = create_backend(
        config={},
        features=[
            make_plugin("catalog", lambda: inits.append("catalog")),
            make_module("catalog", "rules", broken_module),
        ],
    )
    with pytest.raises(BackendStartupError) as info:
        await backend.start()
    assert list(info.value.causes) == ["module 'rules' for plugin 'catalog'"]
    assert isinstance(info.value.causes["module 'rules' for plugin 'catalog'"], ValueError)
    assert inits == []
    assert backend.plugins["catalog"].phase.value == "failed"


@pytest.mark.parametrize(
    "startup",
    [
        {"default": {"onPluginModuleBootFailure": "continue"}},
        {"plugins": {"catalog": {"modules": {"rules": {"onPluginModuleBootFailure": "continue"}}}}},
    ],
    ids=["default", "per-module"],
)
async def test_continue_for_modules_starts_the_plugin_without_the_module(
    startup: dict[str, Any],
    make_plugin: MakePlugin,
    make_module: MakeModule,
    make_client: MakeClient,
) -> None:
    """With onPluginModuleBootFailure: continue the plugin starts and serves anyway."""
    inits: list[str] = []

    def broken_module() -> None:
        raise ValueError("bad rules")

    backend = create_backend(
        config={"backend": {"startup": startup}},
        features=[
            serving(make_plugin, "catalog"),
            make_module("catalog", "rules", broken_module),
            make_module("catalog", "other", lambda: inits.append("other")),
        ],
    )
    await backend.start()
    assert inits == ["other"]
    async with make_client(backend) as client:
        assert (await client.get("/api/catalog/ping")).status_code == 200
    await backend.stop()


async def test_per_module_abort_overrides_a_continue_default(
    make_plugin: MakePlugin, make_module: MakeModule
) -> None:
    """The per-module key wins over backend.startup.default.onPluginModuleBootFailure."""

    def broken_module() -> None:
        raise ValueError("bad rules")

    startup = {
        "default": {"onPluginModuleBootFailure": "continue"},
        "plugins": {"catalog": {"modules": {"rules": {"onPluginModuleBootFailure": "abort"}}}},
    }
    backend = create_backend(
        config={"backend": {"startup": startup}},
        features=[make_plugin("catalog"), make_module("catalog", "rules", broken_module)],
    )
    with pytest.raises(BackendStartupError, match="module 'rules' for plugin 'catalog'"):
        await backend.start()


@pytest.mark.parametrize(
    ("startup", "path"),
    [
        (
            {"default": {"onPluginBootFailure": "ignore"}},
            "$.backend.startup.default.onPluginBootFailure",
        ),
        (
            {"default": {"onPluginModuleBootFailure": "skip"}},
            "$.backend.startup.default.onPluginModuleBootFailure",
        ),
        (
            {"plugins": {"catalog": {"onPluginBootFailure": "retry"}}},
            "$.backend.startup.plugins.catalog.onPluginBootFailure",
        ),
        (
            {"plugins": {"catalog": {"modules": {"rules": {"onPluginModuleBootFailure": "no"}}}}},
            "$.backend.startup.plugins.catalog.modules.rules.onPluginModuleBootFailure",
        ),
    ],
    ids=["plugin-default", "module-default", "plugin", "module"],
)
async def test_invalid_policy_is_a_config_error_naming_the_key(
    startup: dict[str, Any], path: str, make_plugin: MakePlugin, make_module: MakeModule
) -> None:
    """An unknown policy value fails the start, naming the key path, even if nothing fails."""
    inits: list[str] = []
    backend = create_backend(
        config={"backend": {"startup": startup}},
        features=[
            make_plugin("catalog", lambda: inits.append("catalog")),
            make_module("catalog", "rules"),
        ],
    )
    with pytest.raises(ConfigError) as info:
        await backend.start()
    (issue,) = info.value.issues
    assert issue.path == path
    assert "invalid boot failure policy" in issue.description
    assert "use 'abort' or 'continue'" in issue.description
    assert str(info.value).endswith(f"@ {path}")
    assert inits == []


async def test_every_invalid_policy_is_reported_at_once(make_plugin: MakePlugin) -> None:
    """Several bad policy values give one ConfigError with one issue each."""
    startup = {
        "default": {"onPluginBootFailure": "ignore"},
        "plugins": {"catalog": {"onPluginBootFailure": 3}},
    }
    backend = create_backend(
        config={"backend": {"startup": startup}}, features=[make_plugin("catalog")]
    )
    with pytest.raises(ConfigError) as info:
        await backend.start()
    assert [issue.path for issue in info.value.issues] == [
        "$.backend.startup.default.onPluginBootFailure",
        "$.backend.startup.plugins.catalog.onPluginBootFailure",
    ]
