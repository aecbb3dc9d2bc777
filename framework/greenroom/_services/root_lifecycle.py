"""Default ``root_lifecycle``: hooks that run after every plugin started, and last at stop."""

from __future__ import annotations

from typing import Final

from greenroom._api.service_ref import ServiceFactory
from greenroom._api.services.lifecycle import LifecycleHook
from greenroom._api.services.refs import core_services
from greenroom._services.hooks import HookList

__all__ = ["RootLifecycle", "service_factory"]


class RootLifecycle:
    """Startup hooks run once all plugins are up; shutdown hooks after all plugins stopped."""

    def __init__(self) -> None:
        self.startup_hooks = HookList("root startup hook")
        self.shutdown_hooks = HookList("root shutdown hook")

    def add_startup_hook(self, hook: LifecycleHook) -> None:
        """Run ``hook`` once every plugin has started."""
        self.startup_hooks.add(hook)

    def add_shutdown_hook(self, hook: LifecycleHook) -> None:
        """Run ``hook`` when the backend stops, after every plugin's shutdown hooks.

        Root shutdown hooks run in reverse order of registration, like
        :class:`contextlib.ExitStack`: what was set up last is torn down first.
        """
        self.shutdown_hooks.add(hook)


service_factory: Final = ServiceFactory(service=core_services.root_lifecycle, factory=RootLifecycle)
