"""The ``root_lifecycle`` and ``lifecycle`` services: startup and shutdown hooks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol, runtime_checkable

__all__ = ["LifecycleHook", "LifecycleService", "RootLifecycleService"]

#: A hook: a sync or async function without arguments.
LifecycleHook = Callable[[], Awaitable[None] | None]


@runtime_checkable
class LifecycleService(Protocol):
    """Hooks of one plugin's life.

    Startup hooks run once the plugin (with its modules) has initialised;
    shutdown hooks run when the backend stops, plugins in reverse start
    order, before the root shutdown hooks. A failing hook is logged and the
    others still run.
    """

    def add_startup_hook(self, hook: LifecycleHook) -> None: ...
    def add_shutdown_hook(self, hook: LifecycleHook) -> None: ...


@runtime_checkable
class RootLifecycleService(LifecycleService, Protocol):
    """Hooks of the whole backend: startup after every plugin, shutdown last."""
