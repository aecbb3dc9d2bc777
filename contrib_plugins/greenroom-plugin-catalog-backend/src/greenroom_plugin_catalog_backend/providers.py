"""Entity providers and the ``catalog.processing`` extension point through which modules add them.

Backstage's push model (``EntityProvider``, ``EntityProviderConnection``,
``applyMutation``) in Python: a provider has a name and a ``connect``
coroutine; the catalog calls ``connect`` once the backend has started, with a
connection through which the provider replaces all of its entities (a
:class:`FullMutation`) or changes some (a :class:`DeltaMutation`), as often
as it likes. Reading is the provider's business, and so is its schedule: a
provider that polls starts its own task in ``connect`` and stops it in a
shutdown hook.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Protocol, runtime_checkable

import attrs
from greenroom_plugin_catalog_common import Entity

from greenroom import ExtensionPoint

__all__ = [
    "CatalogProcessingExtensionPoint",
    "DeltaMutation",
    "EntityProvider",
    "EntityProviderConnection",
    "EntityProviderMutation",
    "FullMutation",
    "catalog_processing_extension_point",
]


def _entities(values: Iterable[Entity]) -> tuple[Entity, ...]:
    return tuple(values)


def _refs(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen
class FullMutation:
    """The provider's entities are exactly ``entities``: the others it gave before go away."""

    entities: tuple[Entity, ...] = attrs.field(converter=_entities)


@attrs.frozen
class DeltaMutation:
    """Add (or replace) ``added``; remove the entities whose refs are in ``removed``."""

    added: tuple[Entity, ...] = attrs.field(default=(), converter=_entities)
    #: Entity refs, ``<kind>:<namespace>/<name>`` (any case).
    removed: tuple[str, ...] = attrs.field(default=(), converter=_refs)


#: What :meth:`EntityProviderConnection.apply_mutation` takes.
EntityProviderMutation = FullMutation | DeltaMutation


@runtime_checkable
class EntityProviderConnection(Protocol):
    """What a provider is given in ``connect``: its way to change the catalog."""

    async def apply_mutation(self, mutation: EntityProviderMutation) -> None:
        """Apply ``mutation`` to this provider's entities; the catalog serves them at once."""
        ...


@runtime_checkable
class EntityProvider(Protocol):
    """A source of entities. ``provider_name`` is unique in the catalog."""

    @property
    def provider_name(self) -> str:
        """The name that owns the provider's entities, e.g. ``"yaml-files"``."""
        ...

    async def connect(self, connection: EntityProviderConnection) -> None:
        """Called once, after the backend started: keep ``connection`` and apply mutations.

        It runs in a startup hook, so keep it short: a first read is fine,
        a polling loop belongs in a task of its own.
        """
        ...


class CatalogProcessingExtensionPoint(Protocol):
    """What modules get from ``catalog.processing``."""

    def add_entity_provider(self, *providers: EntityProvider | Iterable[EntityProvider]) -> None:
        """Add providers; each name may be used once."""
        ...


#: Modules depend on it to add entity providers to the catalog.
catalog_processing_extension_point: Final = ExtensionPoint[CatalogProcessingExtensionPoint](
    "catalog.processing"
)
