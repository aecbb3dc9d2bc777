"""The catalog backend plugin: a software catalog in memory, filled by entity providers.

Modules add providers through :data:`catalog_processing_extension_point`
(``catalog.processing``); the catalog serves the entities as JSON under
``/api/catalog/entities``.
"""

from greenroom_plugin_catalog_backend.plugin import CatalogPlugin
from greenroom_plugin_catalog_backend.providers import (
    CatalogProcessingExtensionPoint,
    DeltaMutation,
    EntityProvider,
    EntityProviderConnection,
    EntityProviderMutation,
    FullMutation,
    catalog_processing_extension_point,
)

__all__ = [
    "CatalogPlugin",
    "CatalogProcessingExtensionPoint",
    "DeltaMutation",
    "EntityProvider",
    "EntityProviderConnection",
    "EntityProviderMutation",
    "FullMutation",
    "catalog_processing_extension_point",
]
