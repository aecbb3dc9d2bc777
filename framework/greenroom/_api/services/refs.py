"""``core_services``: the refs of the services every backend provides.

Each ref's default factory lives in ``greenroom._services.<name>`` and is
imported only when the backend needs it (no work at import time).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Final, final

from greenroom._api.service_ref import ServiceFactory, ServiceRef
from greenroom._api.services.config import ConfigService
from greenroom._api.services.discovery import DiscoveryService
from greenroom._api.services.health import RootHealthService
from greenroom._api.services.http_router import HttpRouterService
from greenroom._api.services.lifecycle import LifecycleService, RootLifecycleService
from greenroom._api.services.logger import LoggerService, RootLoggerService
from greenroom._api.services.plugin_metadata import PluginMetadataService
from greenroom._api.services.root_http_router import RootHttpRouterService

__all__ = ["core_services"]


def _default(module: str) -> Callable[[], ServiceFactory[Any]]:
    """A lazy default factory: ``greenroom._services.<module>.service_factory``."""

    def load() -> ServiceFactory[Any]:
        factory: ServiceFactory[Any] = importlib.import_module(
            f"greenroom._services.{module}"
        ).service_factory
        return factory

    load.__qualname__ = f"default factory from greenroom._services.{module}"
    return load


@final
class _CoreServices:
    """The namespace of core service refs (Backstage's ``coreServices``)."""

    __slots__ = ()

    #: The merged configuration (root).
    root_config: Final = ServiceRef[ConfigService](
        "core.root_config", scope="root", default_factory=_default("root_config")
    )
    #: The backend's root logger (root).
    root_logger: Final = ServiceRef[RootLoggerService](
        "core.root_logger", scope="root", default_factory=_default("root_logger")
    )
    #: A plugin's logger, ``greenroom.plugin.<pluginId>`` (plugin).
    logger: Final = ServiceRef[LoggerService]("core.logger", default_factory=_default("logger"))
    #: Startup and shutdown hooks of the whole backend (root).
    root_lifecycle: Final = ServiceRef[RootLifecycleService](
        "core.root_lifecycle", scope="root", default_factory=_default("root_lifecycle")
    )
    #: Startup and shutdown hooks of one plugin (plugin).
    lifecycle: Final = ServiceRef[LifecycleService](
        "core.lifecycle", default_factory=_default("lifecycle")
    )
    #: The backend's HTTP surface (root).
    root_http_router: Final = ServiceRef[RootHttpRouterService](
        "core.root_http_router", scope="root", default_factory=_default("root_http_router")
    )
    #: A plugin's routes under ``/api/<pluginId>`` (plugin).
    http_router: Final = ServiceRef[HttpRouterService](
        "core.http_router", default_factory=_default("http_router")
    )
    #: Liveness and readiness (root).
    root_health: Final = ServiceRef[RootHealthService](
        "core.root_health", scope="root", default_factory=_default("root_health")
    )
    #: Base URLs of plugins (root).
    discovery: Final = ServiceRef[DiscoveryService](
        "core.discovery", scope="root", default_factory=_default("discovery")
    )
    #: The current plugin's id (plugin; provided by the backend, not overridable).
    plugin_metadata: Final = ServiceRef[PluginMetadataService]("core.plugin_metadata")

    def __iter__(self) -> Any:
        return iter(
            getattr(type(self), name)
            for name in sorted(vars(type(self)))
            if isinstance(getattr(type(self), name), ServiceRef)
        )

    def __repr__(self) -> str:
        return "core_services"


core_services: Final = _CoreServices()
