"""``mock_services.lifecycle()`` and ``root_lifecycle()``: hooks a test can trigger.

In a backend they behave like the defaults (the backend runs the startup hooks
after start and the shutdown hooks at stop); a test may also run them itself
with ``await startup()`` or ``await shutdown()``. Each hook runs at most once,
so a shutdown triggered early by a test is not repeated when the backend stops.
"""

from __future__ import annotations

from typing import Any

from greenroom._api.service_ref import ServiceFactory
from greenroom._api.services.plugin_metadata import PluginMetadataService
from greenroom._api.services.refs import core_services
from greenroom._backend.state import BackendState, backend_state_ref
from greenroom._services.hooks import HookList
from greenroom._services.lifecycle import PluginLifecycle
from greenroom._services.root_lifecycle import RootLifecycle

__all__ = ["MockLifecycle", "MockRootLifecycle"]


class _OnceHooks(HookList):
    """A hook list that forgets each hook once it has run."""

    async def run(self, *, reverse: bool = False) -> dict[str, BaseException]:
        due = HookList(self.label)
        due._hooks, self._hooks = self._hooks, []
        return await due.run(reverse=reverse)


async def _run(hooks: HookList, what: str) -> None:
    failures = await hooks.run()
    if failures:
        raise ExceptionGroup(
            f"{len(failures)} {what} hook(s) failed: {', '.join(failures)}",
            [error for error in failures.values() if isinstance(error, Exception)],
        )


class MockRootLifecycle(RootLifecycle):
    """An in-memory ``RootLifecycleService`` whose hooks a test can run.

    ``service_factory`` provides it as ``core_services.root_lifecycle``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.startup_hooks = _OnceHooks("root startup hook")
        self.shutdown_hooks = _OnceHooks("root shutdown hook")

    async def startup(self) -> None:
        """Run the startup hooks not run yet; raise an ``ExceptionGroup`` if any failed."""
        await _run(self.startup_hooks, "root startup")

    async def shutdown(self) -> None:
        """Run the shutdown hooks not run yet; raise an ``ExceptionGroup`` if any failed."""
        await _run(self.shutdown_hooks, "root shutdown")

    @property
    def service_factory(self) -> ServiceFactory[Any]:
        """Provides this object as ``core_services.root_lifecycle``."""
        return ServiceFactory(service=core_services.root_lifecycle, factory=lambda: self)

    def __repr__(self) -> str:
        pending = len(self.startup_hooks), len(self.shutdown_hooks)
        return f"<MockRootLifecycle pending startup={pending[0]} shutdown={pending[1]}>"


class MockLifecycle(PluginLifecycle):
    """An in-memory ``LifecycleService`` for one plugin, whose hooks a test can run.

    Hand it to an init directly, or put it in ``services=``: then each plugin
    gets its own ``for_plugin(<pluginId>)``, which the backend drives like the
    default, and :meth:`startup` and :meth:`shutdown` here also run those.
    """

    def __init__(self, plugin_id: str = "test") -> None:
        super().__init__(plugin_id)
        self.startup_hooks = _OnceHooks(f"startup hook of plugin {plugin_id!r}")
        self.shutdown_hooks = _OnceHooks(f"shutdown hook of plugin {plugin_id!r}")
        self._plugins: dict[str, MockLifecycle] = {}

    def for_plugin(self, plugin_id: str) -> MockLifecycle:
        """The lifecycle of plugin ``plugin_id`` (made on first use)."""
        if plugin_id not in self._plugins:
            self._plugins[plugin_id] = MockLifecycle(plugin_id)
        return self._plugins[plugin_id]

    async def startup(self) -> None:
        """Run the startup hooks not run yet, this object's then each plugin's."""
        for lifecycle in [self, *self._plugins.values()]:
            await _run(lifecycle.startup_hooks, f"plugin {lifecycle.plugin_id!r} startup")

    async def shutdown(self) -> None:
        """Run the shutdown hooks not run yet, each plugin's (last made first) then this one's."""
        for lifecycle in [*reversed(self._plugins.values()), self]:
            await _run(lifecycle.shutdown_hooks, f"plugin {lifecycle.plugin_id!r} shutdown")

    @property
    def service_factory(self) -> ServiceFactory[Any]:
        """Provides ``core_services.lifecycle``: ``for_plugin(<pluginId>)`` for each plugin."""

        def plugin_lifecycle(metadata: PluginMetadataService, state: BackendState) -> MockLifecycle:
            lifecycle = self.for_plugin(metadata.plugin_id)
            # Registered like the default's, so that the backend runs its hooks.
            state.lifecycles[metadata.plugin_id] = lifecycle
            return lifecycle

        return ServiceFactory(
            service=core_services.lifecycle,
            factory=plugin_lifecycle,
            deps={"metadata": core_services.plugin_metadata, "state": backend_state_ref},
        )

    def __repr__(self) -> str:
        return f"<MockLifecycle {self.plugin_id!r} plugins={list(self._plugins)}>"
