"""The catalog's entities: ``apiVersion``, ``kind``, ``metadata`` and ``spec``.

The shape of a Backstage ``catalog-info.yaml`` entity, so that a Backstage
user's descriptor files read the same here. Values are immutable attrs
classes; :mod:`~greenroom_plugin_catalog_common.serialization` turns them into
JSON-ready dicts and back, and :mod:`~greenroom_plugin_catalog_common.validation`
checks the rules that types alone do not.
"""

from __future__ import annotations

from typing import Any, Final

import attrs

__all__ = [
    "API_VERSION",
    "API_VERSIONS",
    "KINDS",
    "Entity",
    "EntityMetadata",
    "entity_ref",
]

#: The ``apiVersion`` Greenroom writes.
API_VERSION: Final = "greenroom.dev/v1alpha1"
#: Every ``apiVersion`` accepted: Greenroom's, and Backstage's so its descriptors work as they are.
API_VERSIONS: Final = (API_VERSION, "backstage.io/v1alpha1", "backstage.io/v1beta1")
#: The kinds this catalog knows.
KINDS: Final = ("API", "Component", "System")


def entity_ref(kind: str, namespace: str, name: str) -> str:
    """The entity's reference, ``<kind>:<namespace>/<name>``, lower-cased.

    Backstage compares references without regard to case, so the canonical
    form is lower case: ``entity_ref("Component", "default", "Web")`` is
    ``"component:default/web"``.
    """
    return f"{kind}:{namespace}/{name}".lower()


@attrs.frozen(kw_only=True)
class EntityMetadata:
    """``metadata``: the name and the descriptive fields every kind shares."""

    name: str
    namespace: str = "default"
    title: str | None = None
    description: str | None = None
    labels: dict[str, str] = attrs.field(factory=dict)
    annotations: dict[str, str] = attrs.field(factory=dict)
    tags: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Entity:
    """One catalog entity. ``spec`` is the kind's own fields, as read (JSON values).

    Build one from data with :func:`~greenroom_plugin_catalog_common.entity_from_dict`,
    which validates it; the constructor does not.
    """

    api_version: str = API_VERSION
    kind: str
    metadata: EntityMetadata
    spec: dict[str, Any] = attrs.field(factory=dict)

    @property
    def ref(self) -> str:
        """``<kind>:<namespace>/<name>``, lower-cased (see :func:`entity_ref`)."""
        return entity_ref(self.kind, self.metadata.namespace, self.metadata.name)
