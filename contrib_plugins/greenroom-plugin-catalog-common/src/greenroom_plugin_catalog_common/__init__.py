"""The catalog's entity model, shared by the catalog backend, its modules and tools.

A common library: attrs values and cattrs serialization, no dependency on
the framework, so that clients and command-line tools can use it too.
"""

from greenroom_plugin_catalog_common.model import (
    API_VERSION,
    API_VERSIONS,
    KINDS,
    Entity,
    EntityMetadata,
    entity_ref,
)
from greenroom_plugin_catalog_common.serialization import (
    entity_from_dict,
    entity_from_json,
    entity_to_dict,
    entity_to_json,
)
from greenroom_plugin_catalog_common.validation import (
    EntityIssue,
    EntityValidationError,
    entity_issues,
)

__all__ = [
    "API_VERSION",
    "API_VERSIONS",
    "KINDS",
    "Entity",
    "EntityIssue",
    "EntityMetadata",
    "EntityValidationError",
    "entity_from_dict",
    "entity_from_json",
    "entity_issues",
    "entity_ref",
    "entity_to_dict",
    "entity_to_json",
]
