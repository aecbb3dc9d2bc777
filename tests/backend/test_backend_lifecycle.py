"""Startup and shutdown hooks of plugins and of the root, and an idempotent stop()."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import pytest

from greenroom import (
    BackendPlugin,
    BackendStartupError,
    DependencyError,
    ServiceFactory,
    ServiceRef,
    core_services,
    create_backend,
)

pytestmark = pytest.mark.anyio

MakePlugin = Callable[..., BackendPlugin]
HOOK_DEPS = {"lifecycle": core_services.lifecycle, "root": core_services.root_lifecycle}


def recording_plugin(
    make_plugin: MakePlugin,
    plugin_id: str,
    events: list[str],
    *,
    after: asyncio.Event | None = None,
    started: asyncio.Event | None = None,
) -> BackendPlugin:
    """A plugin that logs its init and its hooks into ``events``.

    Its init waits for ``after`` when given; its startup hook sets ``started``.
    """

    async def init(lifecycle: Any, root: Any) -> None:
        if after is not None:
            await after.wait()
        events.append(f"init {plugin_id}")

        def on_startup() -> None:
            events.append(f"startup {plugin_id}")
            if started is not None:
                started.set()

        lifecycle.add_startup_hook(on_startup)
        lifecycle.add_shutdown_hook(lambda: events.append(f"shutdown {plugin_id}"))

    return make_plugin(plugin_id, init, HOOK_DEPS)


def root_hooks(events: list[str]) -> ServiceFactory[None]:
    """A root service whose factory adds root startup and shutdown hooks."""

    def build(root: Any) -> None:
        root.add_startup_hook(lambda: events.append("root startup"))
        root.add_shutdown_hook(lambda: events.append("root shutdown"))

    return ServiceFactory(
        ServiceRef("test.root-hooks", scope="root"),
        build,
        deps={"root": core_services.root_lifecycle},
    )


async def test_startup_hooks_run_after_init_and_root_hooks_after_every_plugin(
    make_plugin: MakePlugin,
) -> None:
    """A plugin's startup hooks follow its init; root startup hooks follow every plugin."""
    events: list[str] = []
    alpha_started = asyncio.Event()
    backend = create_backend(
        config={},
        features=[
            root_hooks(events),
            recording_plugin(make_plugin, "alpha", events, started=alpha_started),
            recording_plugin(make_plugin, "beta", events, after=alpha_started),
        ],
    )
    await asyncio.wait_for(backend.start(), timeout=2)
    assert events == ["init alpha", "startup alpha", "init beta", "startup beta", "root startup"]
    await backend.stop()


async def test_shutdown_runs_plugins_in_reverse_start_order_then_root(
    make_plugin: MakePlugin,
) -> None:
    """stop() runs plugin shutdown hooks in reverse start order, then the root's."""
    events: list[str] = []
    alpha_started, beta_started = asyncio.Event(), asyncio.Event()
    backend = create_backend(
        config={},
        features=[
            root_hooks(events),
            # Added in another order than they start, so add order cannot explain the result.
            recording_plugin(make_plugin, "gamma", events, after=beta_started),
            recording_plugin(make_plugin, "alpha", events, started=alpha_started),
            recording_plugin(
                make_plugin, "beta", events, after=alpha_started, started=beta_started
            ),
        ],
    )
    await asyncio.wait_for(backend.start(), timeout=2)
    events.clear()
    await backend.stop()
    assert events == ["shutdown gamma", "shutdown beta", "shutdown alpha", "root shutdown"]


async def test_stop_is_idempotent(make_plugin: MakePlugin) -> None:
    """Calling stop() twice, or concurrently, runs every shutdown hook once."""
    events: list[str] = []
    backend = create_backend(
        config={}, features=[root_hooks(events), recording_plugin(make_plugin, "alpha", events)]
    )
    await backend.start()
    await asyncio.gather(backend.stop(), backend.stop())
    await backend.stop()
    assert events.count("shutdown alpha") == 1
    assert events.count("root shutdown") == 1


async def test_stop_before_start_does_nothing() -> None:
    """stop() on a backend that never started returns quietly."""
    backend = create_backend(config={})
    await backend.stop()
    assert not backend.state.ready


async def test_sync_and_async_hooks_are_both_run(make_plugin: MakePlugin) -> None:
    """Lifecycle hooks may be plain functions or coroutine functions."""
    events: list[str] = []

    async def async_hook(name: str) -> None:
        await asyncio.sleep(0)
        events.append(name)

    def init(lifecycle: Any, root: Any) -> None:
        lifecycle.add_startup_hook(lambda: events.append("sync startup"))
        lifecycle.add_startup_hook(lambda: async_hook("async startup"))
        lifecycle.add_shutdown_hook(lambda: events.append("sync shutdown"))
        lifecycle.add_shutdown_hook(lambda: async_hook("async shutdown"))
        root.add_startup_hook(lambda: async_hook("async root startup"))
        root.add_shutdown_hook(lambda: async_hook("async root shutdown"))

    backend = create_backend(config={}, features=[make_plugin("alpha", init, HOOK_DEPS)])
    await backend.start()
    await backend.stop()
    assert events == [
        "sync startup",
        "async startup",
        "async root startup",
        "sync shutdown",
        "async shutdown",
        "async root shutdown",
    ]


async def test_failing_shutdown_hook_is_logged_and_the_others_still_run(
    make_plugin: MakePlugin, caplog: pytest.LogCaptureFixture
) -> None:
    """A shutdown hook that raises is logged with its plugin; later hooks still run."""
    events: list[str] = []

    def explode() -> None:
        raise RuntimeError("disk full")

    def init(lifecycle: Any, root: Any) -> None:
        lifecycle.add_shutdown_hook(explode)
        lifecycle.add_shutdown_hook(lambda: events.append("alpha after failure"))
        root.add_shutdown_hook(lambda: events.append("root"))

    backend = create_backend(
        config={},
        features=[
            make_plugin("alpha", init, HOOK_DEPS),
            recording_plugin(make_plugin, "beta", events),
        ],
    )
    await backend.start()
    with caplog.at_level(logging.ERROR, logger="greenroom"):
        await backend.stop()
    assert "alpha after failure" in events
    assert "shutdown beta" in events
    assert events[-1] == "root"
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.getMessage().startswith("shutdown hook of plugin 'alpha' ")
    assert record.getMessage().endswith("explode failed: disk full")
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)


async def test_hooks_must_be_callable(make_plugin: MakePlugin) -> None:
    """add_startup_hook refuses what cannot be called, naming whose hook it is."""
    backend = create_backend(
        config={},
        features=[
            make_plugin("alpha", lambda lifecycle, root: lifecycle.add_startup_hook("x"), HOOK_DEPS)
        ],
    )
    with pytest.raises(BackendStartupError) as info:
        await backend.start()
    error = info.value.causes["plugin 'alpha'"]
    assert isinstance(error, TypeError)
    assert str(error) == "startup hook of plugin 'alpha': 'x' is not callable; pass a function"


async def test_failed_start_runs_the_root_shutdown_hooks(make_plugin: MakePlugin) -> None:
    """A start that fails after root services were built still stops them."""
    events: list[str] = []
    backend = create_backend(
        config={},
        features=[
            root_hooks(events),
            make_plugin("alpha", lambda db: None, {"db": ServiceRef("test.missing")}),
        ],
    )
    with pytest.raises(DependencyError):
        await backend.start()
    assert events == ["root shutdown"]
    await backend.stop()
    assert events == ["root shutdown"]


async def test_stop_during_a_failing_start_runs_hooks_once(make_plugin: MakePlugin) -> None:
    """stop() called while a start is failing waits for it; every hook still runs once."""
    events: list[str] = []
    release = asyncio.Event()

    async def fail_later(lifecycle: Any, root: Any) -> None:
        await release.wait()
        raise RuntimeError("late failure")

    backend = create_backend(
        config={},
        features=[
            root_hooks(events),
            recording_plugin(make_plugin, "alpha", events),
            make_plugin("beta", fail_later, HOOK_DEPS),
        ],
    )
    starting = asyncio.ensure_future(backend.start())
    await backend.prepare()
    stopping = asyncio.ensure_future(backend.stop())
    release.set()
    with pytest.raises(BackendStartupError):
        await asyncio.wait_for(starting, timeout=2)
    await asyncio.wait_for(stopping, timeout=2)
    assert events.count("shutdown alpha") == 1
    assert events.count("root shutdown") == 1
