"""Greenroom: a Python backend framework in which every capability is a plugin.

The public API; everything else lives in private modules.
"""

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
from greenroom._version import __version__

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
