"""Init order: modules before their plugin, providers after consumers, plugins concurrently."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from greenroom import BackendModule, BackendPlugin, ExtensionPoint, create_backend

pytestmark = pytest.mark.anyio

MakePlugin = Callable[..., BackendPlugin]
MakeModule = Callable[..., BackendModule]


async def test_all_modules_init_before_their_plugin(
    make_plugin: MakePlugin, make_module: MakeModule
) -> None:
    """Every module of a plugin has finished its init when the plugin's init runs."""
    order: list[str] = []

    async def slow_module() -> None:
        await asyncio.sleep(0)  # yield, so a plugin not waiting for it would overtake it
        order.append("slow-module")

    backend = create_backend(
        config={},
        features=[
            make_plugin("catalog", lambda: order.append("plugin")),
            make_module("catalog", "slow", slow_module),
            make_module("catalog", "fast", lambda: order.append("fast-module")),
        ],
    )
    await backend.start()
    assert order[-1] == "plugin"
    assert sorted(order[:-1]) == ["fast-module", "slow-module"]
    await backend.stop()


@pytest.mark.parametrize("provider_first", [True, False], ids=["provider-added-first", "last"])
async def test_module_providing_an_extension_point_inits_after_its_consumers(
    provider_first: bool, make_plugin: MakePlugin, make_module: MakeModule
) -> None:
    """A module offering an extension point inits after the modules that add to it."""
    rules = ExtensionPoint[list[str]]("catalog.rules")
    registered: list[str] = []
    seen_by_provider: list[list[str]] = []

    provider = make_module(
        "catalog",
        "rules",
        lambda: seen_by_provider.append(list(registered)),
        extension_points={rules: registered},
    )
    consumers = [
        make_module("catalog", name, lambda ext, name=name: ext.append(name), {"ext": rules})
        for name in ("allow-list", "deny-list")
    ]
    modules = [provider, *consumers] if provider_first else [*consumers, provider]
    backend = create_backend(config={}, features=[make_plugin("catalog"), *modules])
    await backend.start()
    assert seen_by_provider == [["allow-list", "deny-list"]]
    await backend.stop()


async def test_independent_plugins_init_concurrently(make_plugin: MakePlugin) -> None:
    """Two inits that each wait for the other would deadlock if run one after another."""
    a_ready, b_ready = asyncio.Event(), asyncio.Event()

    async def init_a() -> None:
        a_ready.set()
        await b_ready.wait()

    async def init_b() -> None:
        b_ready.set()
        await a_ready.wait()

    backend = create_backend(
        config={}, features=[make_plugin("alpha", init_a), make_plugin("beta", init_b)]
    )
    await asyncio.wait_for(backend.start(), timeout=2)
    assert set(backend.plugins) == {"alpha", "beta"}
    await backend.stop()


async def test_modules_of_one_group_init_concurrently(
    make_plugin: MakePlugin, make_module: MakeModule
) -> None:
    """Modules that do not depend on each other init concurrently too."""
    one_ready, two_ready = asyncio.Event(), asyncio.Event()

    async def init_one() -> None:
        one_ready.set()
        await two_ready.wait()

    async def init_two() -> None:
        two_ready.set()
        await one_ready.wait()

    backend = create_backend(
        config={},
        features=[
            make_plugin("catalog"),
            make_module("catalog", "one", init_one),
            make_module("catalog", "two", init_two),
        ],
    )
    await asyncio.wait_for(backend.start(), timeout=2)
    await backend.stop()


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_sync_and_async_inits_are_both_accepted(
    kind: str, make_plugin: MakePlugin, make_module: MakeModule
) -> None:
    """An init may be a plain function or a coroutine function."""
    calls: list[str] = []

    def sync_init(**_: Any) -> None:
        calls.append("sync")

    async def async_init(**_: Any) -> None:
        await asyncio.sleep(0)
        calls.append("async")

    init = sync_init if kind == "sync" else async_init
    backend = create_backend(
        config={}, features=[make_plugin("catalog", init), make_module("catalog", "extra", init)]
    )
    await backend.start()
    assert calls == [kind, kind]
    await backend.stop()


async def test_start_is_idempotent(make_plugin: MakePlugin) -> None:
    """start() twice (even concurrently) starts the plugins once."""
    calls: list[str] = []
    backend = create_backend(
        config={}, features=[make_plugin("catalog", lambda: calls.append("init"))]
    )
    await asyncio.gather(backend.start(), backend.start())
    await backend.start()
    assert calls == ["init"]
    await backend.stop()


async def test_plugin_status_is_ready_after_start(make_plugin: MakePlugin) -> None:
    """backend.plugins reports each started plugin as ready."""
    backend = create_backend(config={}, features=[make_plugin("catalog")])
    await backend.start()
    assert backend.plugins["catalog"].phase.value == "ready"
    assert backend.state.ready
    await backend.stop()
    assert backend.plugins["catalog"].phase.value == "stopped"
