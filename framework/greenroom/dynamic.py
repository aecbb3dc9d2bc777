"""Dynamic plugins: the public API of installed and dropped-in plugin discovery.

``backend.add(dynamic_plugins_feature_loader)`` enables it (``greenroom
start`` and ``create_app()`` have it on). A separate module from ``greenroom``
so that ``import greenroom`` does not pay for the loader's imports.
"""

from greenroom._config.schema import ConfigSchema, SchemaProblem, SchemaSource
from greenroom._dynamic.feature_loader import (
    DynamicPluginsFeatureLoader,
    dynamic_plugins_feature_loader,
    dynamic_plugins_service_ref,
)
from greenroom._dynamic.frontend import (
    DynamicPluginsFrontendRemotesService,
    FrontendRemote,
    FrontendRemoteResolver,
    FrontendRemoteResolverProvider,
    RemoteEntryType,
    dynamic_plugins_frontend_service_ref,
)
from greenroom._dynamic.manager import DynamicPlugin, DynamicPluginManager
from greenroom._dynamic.models import (
    BundleManifest,
    EntryPointSpec,
    PrivatePackage,
    ScannedPluginManifest,
    ScannedPluginPackage,
)
from greenroom._dynamic.module_loader import ModuleLoader, NamespacedModuleLoader, PluginLoadError
from greenroom._dynamic.schemas import (
    DynamicPluginsSchemas,
    DynamicPluginsSchemasService,
    dynamic_plugins_schemas_service_factory,
    dynamic_plugins_schemas_service_ref,
)
from greenroom._errors import PluginPackageError

__all__ = [
    "BundleManifest",
    "ConfigSchema",
    "DynamicPlugin",
    "DynamicPluginManager",
    "DynamicPluginsFeatureLoader",
    "DynamicPluginsFrontendRemotesService",
    "DynamicPluginsSchemas",
    "DynamicPluginsSchemasService",
    "EntryPointSpec",
    "FrontendRemote",
    "FrontendRemoteResolver",
    "FrontendRemoteResolverProvider",
    "ModuleLoader",
    "NamespacedModuleLoader",
    "PluginLoadError",
    "PluginPackageError",
    "PrivatePackage",
    "RemoteEntryType",
    "ScannedPluginManifest",
    "ScannedPluginPackage",
    "SchemaProblem",
    "SchemaSource",
    "dynamic_plugins_feature_loader",
    "dynamic_plugins_frontend_service_ref",
    "dynamic_plugins_schemas_service_factory",
    "dynamic_plugins_schemas_service_ref",
    "dynamic_plugins_service_ref",
]
