"""``CatalogPlugin``: the catalog, served under ``/api/catalog``, filled by entity providers.

It needs no config. Its init only wires things up; the providers connect in
a startup hook, once every plugin has initialised, so a slow or broken
provider delays nobody's init and fails alone (logged, the others go on).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from greenroom import (
    BackendPlugin,
    HttpRouterService,
    LifecycleService,
    LoggerService,
    RegistrationEnv,
    core_services,
    hookimpl,
)
from greenroom_plugin_catalog_backend.providers import (
    EntityProvider,
    EntityProviderMutation,
    catalog_processing_extension_point,
)
from greenroom_plugin_catalog_backend.router import catalog_router
from greenroom_plugin_catalog_backend.store import EntityStore

__all__ = ["CatalogPlugin"]


class _Processing:
    """The ``catalog.processing`` implementation: collects providers until the plugin inits."""

    def __init__(self) -> None:
        self.providers: list[EntityProvider] = []
        self.closed = False

    def add_entity_provider(self, *providers: EntityProvider | Iterable[EntityProvider]) -> None:
        if self.closed:
            raise RuntimeError(
                "catalog.processing.add_entity_provider() called after the catalog plugin "
                "initialised: call it from a module's init"
            )
        for item in providers:
            batch: list[object] = (
                [item]
                if isinstance(item, EntityProvider) or not isinstance(item, Iterable)
                else list(item)
            )
            for provider in batch:
                if not isinstance(provider, EntityProvider):
                    raise TypeError(
                        f"{provider!r} is not an entity provider: it needs a provider_name and "
                        "an async connect(connection) method"
                    )
                name = provider.provider_name
                if any(p.provider_name == name for p in self.providers):
                    raise ValueError(
                        f"an entity provider named {name!r} was added already: provider names "
                        "are unique in the catalog"
                    )
                self.providers.append(provider)


class _Connection:
    """One provider's connection to the store."""

    def __init__(self, store: EntityStore, provider_name: str) -> None:
        self._store = store
        self._provider_name = provider_name

    async def apply_mutation(self, mutation: EntityProviderMutation) -> None:
        self._store.apply(self._provider_name, mutation)

    def __repr__(self) -> str:
        return f"<EntityProviderConnection {self._provider_name!r}>"


class CatalogPlugin(BackendPlugin):
    """The catalog backend plugin: entities in memory, as JSON under ``/api/catalog``."""

    plugin_id = "catalog"

    @hookimpl
    def register(self, env: RegistrationEnv) -> None:
        # Made here, not in __init__: register runs once per backend the plugin is added to.
        self._processing = _Processing()
        env.register_extension_point(catalog_processing_extension_point, self._processing)
        env.register_init(
            self.init,
            deps={
                "router": core_services.http_router,
                "logger": core_services.logger,
                "lifecycle": core_services.lifecycle,
            },
        )

    async def init(
        self, router: HttpRouterService, logger: LoggerService, lifecycle: LifecycleService
    ) -> None:
        processing = self._processing
        processing.closed = True
        store = EntityStore(logger)
        for provider in processing.providers:
            store.add_provider(provider.provider_name)
        router.use(catalog_router(store))

        async def connect(provider: EntityProvider) -> None:
            try:
                await provider.connect(_Connection(store, provider.provider_name))
            except Exception:
                logger.exception(
                    "entity provider %r failed to connect; the catalog goes on without it",
                    provider.provider_name,
                )

        async def connect_all() -> None:
            await asyncio.gather(*(connect(p) for p in processing.providers))

        lifecycle.add_startup_hook(connect_all)
