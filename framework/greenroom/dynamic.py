"""Dynamic plugins: the public API of installed and dropped-in plugin discovery.

``backend.add(dynamic_plugins_feature_loader)`` enables it (``greenroom
start`` and ``create_app()`` have it on). A separate module from ``greenroom``
so that ``import greenroom`` does not pay for the loader's imports.
"""

from greenroom._dynamic.feature_loader import (
    DynamicPluginsFeatureLoader,
    dynamic_plugins_feature_loader,
    dynamic_plugins_service_ref,
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
from greenroom._errors import PluginPackageError

__all__ = [
    "BundleManifest",
    "DynamicPlugin",
    "DynamicPluginManager",
    "DynamicPluginsFeatureLoader",
    "EntryPointSpec",
    "ModuleLoader",
    "NamespacedModuleLoader",
    "PluginLoadError",
    "PluginPackageError",
    "PrivatePackage",
    "ScannedPluginManifest",
    "ScannedPluginPackage",
    "dynamic_plugins_feature_loader",
    "dynamic_plugins_service_ref",
]
