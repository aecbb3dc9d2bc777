"""``dynamic_plugins_feature_loader``: one line enables installed and dropped-in plugins.

``backend.add(dynamic_plugins_feature_loader)`` (on by default in
``greenroom start`` and ``create_app()``) discovers every plugin, provides
``dynamic_plugins_service_ref`` (the :class:`DynamicPluginManager`), serves
``GET /.greenroom/dynamic-features/plugins``, and adds each loaded feature.
It also provides ``dynamic_plugins_frontend_service_ref``, which serves the
frontend plugins' assets under ``/.greenroom/dynamic-features/remotes``.
A discovered plugin that fails to register is recorded, never fatal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from greenroom._api.feature_loader import FeatureLoader
from greenroom._api.service_ref import ServiceFactory, ServiceRef
from greenroom._api.services.config import ConfigService
from greenroom._api.services.lifecycle import RootLifecycleService
from greenroom._api.services.refs import core_services
from greenroom._api.services.root_http_router import RootHttpRouterService
from greenroom._backend.state import BackendState, backend_state_ref
from greenroom._dynamic.frontend import ResolverOption
from greenroom._dynamic.frontend_remotes import frontend_remotes_factory
from greenroom._dynamic.manager import DynamicPluginManager, record_failure

__all__ = [
    "PLUGINS_PATH",
    "DynamicPluginsFeatureLoader",
    "dynamic_plugins_feature_loader",
    "dynamic_plugins_service_ref",
]

#: Where a running backend lists its dynamic plugins.
PLUGINS_PATH: Final = "/.greenroom/dynamic-features/plugins"

#: The :class:`DynamicPluginManager` of the backend (root scope); provided by the loader.
dynamic_plugins_service_ref: Final = ServiceRef[DynamicPluginManager](
    "greenroom.dynamic_plugins", scope="root"
)


class PluginsListApp:
    """``GET /.greenroom/dynamic-features/plugins``: the listing plus init results."""

    def __init__(self, manager: DynamicPluginManager, state: BackendState) -> None:
        self._manager = manager
        self._state = state

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        from greenroom._services.responses import send_json_value

        if scope["type"] != "http":
            return
        rows = []
        for plugin in self._manager.plugins(include_failed=True):
            row = plugin.as_json()
            status = self._state.plugins.get(plugin.plugin_id or "")
            row["init"] = status.phase.value if status and plugin.state == "loaded" else None
            row["init_failure"] = (
                str(status.error) if status and status.error and plugin.state == "loaded" else None
            )
            rows.append(row)
        await send_json_value(send, 200, rows)


class DynamicPluginsFeatureLoader(FeatureLoader):
    """The feature loader; call it with options for a configured copy.

    ``module_loader`` replaces the namespaced module loader for root
    directory plugins (the seed's ``moduleLoader`` option);
    ``include_installed=False`` ignores installed entry points;
    ``frontend_remote_resolver`` (a ``FrontendRemoteResolver``, or a function
    of the plugin returning one) changes how frontend remotes are read.
    """

    __slots__ = ("_frontend_resolver", "_options")

    def __init__(
        self,
        *,
        frontend_remote_resolver: ResolverOption = None,
        **options: Any,
    ) -> None:
        self._options = options
        self._frontend_resolver = frontend_remote_resolver
        super().__init__(
            self._load,
            deps={
                "config": core_services.root_config,
                "root_router": core_services.root_http_router,
                "root_lifecycle": core_services.root_lifecycle,
                "state": backend_state_ref,
            },
            name="dynamic_plugins_feature_loader",
            on_registration_failure=record_failure,
        )

    def __call__(
        self,
        *,
        module_loader: Any = None,
        include_installed: bool = True,
        frontend_remote_resolver: ResolverOption = None,
    ) -> DynamicPluginsFeatureLoader:
        """A loader with these options."""
        return DynamicPluginsFeatureLoader(
            module_loader=module_loader,
            include_installed=include_installed,
            frontend_remote_resolver=frontend_remote_resolver,
        )

    def _load(
        self,
        config: ConfigService,
        root_router: RootHttpRouterService,
        root_lifecycle: RootLifecycleService,
        state: BackendState,
    ) -> Iterator[Any]:
        manager = DynamicPluginManager(config, **self._options)
        # Registered before any plugin's root hooks, so it runs after them (LIFO):
        # the plugins' namespaces are unloaded last, and a new backend can load them.
        root_lifecycle.add_shutdown_hook(manager.close)
        manager.load()
        root_router.use(PLUGINS_PATH, PluginsListApp(manager, state))
        yield ServiceFactory(service=dynamic_plugins_service_ref, factory=lambda: manager)
        yield frontend_remotes_factory(manager, self._frontend_resolver)
        yield from manager.features()


#: Add to a backend to load installed and dropped-in plugins.
dynamic_plugins_feature_loader: Final = DynamicPluginsFeatureLoader()
