"""Default ``lifecycle``: a plugin's startup and shutdown hooks, run by the backend."""

from __future__ import annotations

from typing import Final

from greenroom._api.service_ref import ServiceFactory
from greenroom._api.services.lifecycle import LifecycleHook
from greenroom._api.services.plugin_metadata import PluginMetadataService
from greenroom._api.services.refs import core_services
from greenroom._backend.state import BackendState, backend_state_ref
from greenroom._services.hooks import HookList

__all__ = ["PluginLifecycle", "service_factory"]


class PluginLifecycle:
    """Startup hooks run after the plugin's init; shutdown hooks in reverse start order."""

    def __init__(self, plugin_id: str) -> None:
        self.plugin_id = plugin_id
        self.startup_hooks = HookList(f"startup hook of plugin {plugin_id!r}")
        self.shutdown_hooks = HookList(f"shutdown hook of plugin {plugin_id!r}")

    def add_startup_hook(self, hook: LifecycleHook) -> None:
        """Run ``hook`` once this plugin and its modules have initialised."""
        self.startup_hooks.add(hook)

    def add_shutdown_hook(self, hook: LifecycleHook) -> None:
        """Run ``hook`` when the backend stops."""
        self.shutdown_hooks.add(hook)


def _plugin_lifecycle(metadata: PluginMetadataService, state: BackendState) -> PluginLifecycle:
    lifecycle = PluginLifecycle(metadata.plugin_id)
    state.lifecycles[metadata.plugin_id] = lifecycle
    return lifecycle


service_factory: Final = ServiceFactory(
    service=core_services.lifecycle,
    factory=_plugin_lifecycle,
    deps={"metadata": core_services.plugin_metadata, "state": backend_state_ref},
)
