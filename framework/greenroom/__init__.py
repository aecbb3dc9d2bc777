"""Greenroom: a Python backend framework in which every capability is a plugin.

The public API; everything else lives in private modules. Each name is
imported from its module on first use (PEP 562), so that ``import greenroom``,
and every CLI command with it, does not pay for the server stack (Starlette,
uvicorn, pluggy, attrs: ~100 ms) before it needs it (issue 8).
"""

# Only private names at module level: the test of the public surface lists the rest.
import importlib as _importlib
import typing as _typing

from greenroom._version import __version__

if _typing.TYPE_CHECKING:
    from greenroom._api.extension_points import ExtensionPoint
    from greenroom._api.feature_loader import FeatureLoader
    from greenroom._api.features import BackendModule, BackendPlugin
    from greenroom._api.hookspecs import hookimpl
    from greenroom._api.registration import RegistrationEnv
    from greenroom._api.service_ref import ServiceFactory, ServiceRef
    from greenroom._api.services.config import ConfigService
    from greenroom._api.services.discovery import DiscoveryService
    from greenroom._api.services.health import RootHealthService
    from greenroom._api.services.http_router import HttpRouterService
    from greenroom._api.services.lifecycle import LifecycleService, RootLifecycleService
    from greenroom._api.services.logger import LoggerService, RootLoggerService
    from greenroom._api.services.plugin_metadata import PluginMetadataService
    from greenroom._api.services.refs import core_services
    from greenroom._api.services.root_http_router import RootHttpRouterService
    from greenroom._backend.app import create_app
    from greenroom._backend.backend import Backend, create_backend
    from greenroom._config import Config, load_config
    from greenroom._config.redaction import RedactingFilter
    from greenroom._config.validation import ConfigSchemaIssue
    from greenroom._errors import (
        BackendStartupError,
        ConfigError,
        ConfigIssue,
        DependencyError,
        FeatureRegistrationError,
        GreenroomError,
        PackageMetadataError,
        PluginPackageError,
        ServiceFactoryError,
    )

#: Each public name (but ``__version__``) and the private module that defines it.
_SOURCES: dict[str, str] = {
    "Backend": "greenroom._backend.backend",
    "BackendModule": "greenroom._api.features",
    "BackendPlugin": "greenroom._api.features",
    "BackendStartupError": "greenroom._errors",
    "Config": "greenroom._config",
    "ConfigError": "greenroom._errors",
    "ConfigIssue": "greenroom._errors",
    "ConfigSchemaIssue": "greenroom._config.validation",
    "ConfigService": "greenroom._api.services.config",
    "DependencyError": "greenroom._errors",
    "DiscoveryService": "greenroom._api.services.discovery",
    "ExtensionPoint": "greenroom._api.extension_points",
    "FeatureLoader": "greenroom._api.feature_loader",
    "FeatureRegistrationError": "greenroom._errors",
    "GreenroomError": "greenroom._errors",
    "HttpRouterService": "greenroom._api.services.http_router",
    "LifecycleService": "greenroom._api.services.lifecycle",
    "LoggerService": "greenroom._api.services.logger",
    "PackageMetadataError": "greenroom._errors",
    "PluginMetadataService": "greenroom._api.services.plugin_metadata",
    "PluginPackageError": "greenroom._errors",
    "RedactingFilter": "greenroom._config.redaction",
    "RegistrationEnv": "greenroom._api.registration",
    "RootHealthService": "greenroom._api.services.health",
    "RootHttpRouterService": "greenroom._api.services.root_http_router",
    "RootLifecycleService": "greenroom._api.services.lifecycle",
    "RootLoggerService": "greenroom._api.services.logger",
    "ServiceFactory": "greenroom._api.service_ref",
    "ServiceFactoryError": "greenroom._errors",
    "ServiceRef": "greenroom._api.service_ref",
    "core_services": "greenroom._api.services.refs",
    "create_app": "greenroom._backend.app",
    "create_backend": "greenroom._backend.backend",
    "hookimpl": "greenroom._api.hookspecs",
    "load_config": "greenroom._config",
}


if not _typing.TYPE_CHECKING:  # type checkers see the imports above, and no catch-all

    def __getattr__(name: str) -> _typing.Any:
        source = _SOURCES.get(name)
        if source is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_importlib.import_module(source), name)
        globals()[name] = value  # later lookups find it directly
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *_SOURCES})


__all__ = [
    "Backend",
    "BackendModule",
    "BackendPlugin",
    "BackendStartupError",
    "Config",
    "ConfigError",
    "ConfigIssue",
    "ConfigSchemaIssue",
    "ConfigService",
    "DependencyError",
    "DiscoveryService",
    "ExtensionPoint",
    "FeatureLoader",
    "FeatureRegistrationError",
    "GreenroomError",
    "HttpRouterService",
    "LifecycleService",
    "LoggerService",
    "PackageMetadataError",
    "PluginMetadataService",
    "PluginPackageError",
    "RedactingFilter",
    "RegistrationEnv",
    "RootHealthService",
    "RootHttpRouterService",
    "RootLifecycleService",
    "RootLoggerService",
    "ServiceFactory",
    "ServiceFactoryError",
    "ServiceRef",
    "__version__",
    "core_services",
    "create_app",
    "create_backend",
    "hookimpl",
    "load_config",
]
