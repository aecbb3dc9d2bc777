"""The in-memory catalog: each provider's entities, merged into one view.

Every entity belongs to the provider that gave it. When two providers give
the same ref, the one added first keeps it and the other's is left out with
a warning (Backstage's "conflicting entity" rule), so that a provider cannot
take over another's entities by accident. Invalid entities (a provider may
build them in code, bypassing ``entity_from_dict``) are left out the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from greenroom_plugin_catalog_common import Entity, entity_issues

from greenroom import LoggerService
from greenroom_plugin_catalog_backend.providers import (
    DeltaMutation,
    FullMutation,
)

__all__ = ["EntityStore"]


class EntityStore:
    """Entities by provider, and the merged view the routes read."""

    def __init__(self, logger: LoggerService | logging.Logger) -> None:
        self._logger = logger
        self._providers: dict[str, dict[str, Entity]] = {}
        self._merged: dict[str, Entity] = {}
        self._conflicts: set[tuple[str, str]] = set()

    def add_provider(self, name: str) -> None:
        """Reserve ``name``; providers added earlier win conflicts."""
        if not isinstance(name, str) or not name:
            raise ValueError(f"an entity provider's name must be a non-empty string, not {name!r}")
        if name in self._providers:
            raise ValueError(
                f"an entity provider named {name!r} was added already: provider names are "
                "unique in the catalog, give each provider its own"
            )
        self._providers[name] = {}

    @property
    def provider_names(self) -> tuple[str, ...]:
        """The providers, in the order they were added."""
        return tuple(self._providers)

    def apply(self, provider: str, mutation: object) -> None:
        """Apply ``mutation`` on behalf of ``provider`` (checked: providers may be untyped)."""
        if provider not in self._providers:
            raise KeyError(f"no entity provider named {provider!r} in the catalog")
        if isinstance(mutation, FullMutation):
            entities: dict[str, Entity] = {}
            self._add(provider, entities, mutation.entities)
        elif isinstance(mutation, DeltaMutation):
            entities = dict(self._providers[provider])
            for ref in mutation.removed:
                entities.pop(ref.lower(), None)
            self._add(provider, entities, mutation.added)
        else:
            raise TypeError(
                f"provider {provider!r} applied {mutation!r}: a mutation is a FullMutation or a "
                "DeltaMutation"
            )
        self._providers[provider] = entities
        self._merge()

    def _add(self, provider: str, into: dict[str, Entity], entities: Iterable[object]) -> None:
        for entity in entities:
            if not isinstance(entity, Entity):
                self._logger.warning(
                    "provider %r gave %r, which is not an Entity; left out", provider, entity
                )
                continue
            issues = entity_issues(entity)
            if issues:
                self._logger.warning(
                    "provider %r gave the invalid entity %s; left out: %s",
                    provider,
                    entity.ref,
                    "; ".join(map(str, issues)),
                )
                continue
            into[entity.ref] = entity

    def _merge(self) -> None:
        merged: dict[str, Entity] = {}
        owners: dict[str, str] = {}
        conflicts: set[tuple[str, str]] = set()
        for provider, entities in self._providers.items():
            for ref, entity in entities.items():
                if ref in merged:
                    conflicts.add((ref, provider))
                    if (ref, provider) not in self._conflicts:  # warn once per conflict
                        self._logger.warning(
                            "entity %s from provider %r is left out: provider %r gave it first",
                            ref,
                            provider,
                            owners[ref],
                        )
                    continue
                merged[ref], owners[ref] = entity, provider
        self._merged, self._conflicts = merged, conflicts

    def get(self, ref: str) -> Entity | None:
        """The entity with ``ref`` (``<kind>:<namespace>/<name>``, any case), if any."""
        return self._merged.get(ref.lower())

    def entities(self, *, kinds: Iterable[str] = (), names: Iterable[str] = ()) -> list[Entity]:
        """The entities, sorted by ref; ``kinds`` and ``names`` (any case) filter them."""
        wanted_kinds = {kind.lower() for kind in kinds}
        wanted_names = {name.lower() for name in names}
        return [
            entity
            for ref, entity in sorted(self._merged.items())
            if (not wanted_kinds or entity.kind.lower() in wanted_kinds)
            and (not wanted_names or entity.metadata.name.lower() in wanted_names)
        ]
