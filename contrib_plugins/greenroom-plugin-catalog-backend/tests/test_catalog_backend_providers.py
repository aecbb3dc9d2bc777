"""Entity providers: added through catalog.processing, connected after start, kept apart."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from greenroom_plugin_catalog_backend import (
    CatalogPlugin,
    CatalogProcessingExtensionPoint,
    DeltaMutation,
    EntityProviderConnection,
    FullMutation,
    catalog_processing_extension_point,
)
from greenroom_plugin_catalog_common import Entity, EntityMetadata

from greenroom import BackendModule, BackendStartupError, RegistrationEnv, hookimpl
from greenroom.testing import BackendStarter, mock_services

pytestmark = pytest.mark.anyio


def system(name: str, owner: str = "team-a") -> Entity:
    """A System entity built in code."""
    return Entity(kind="System", metadata=EntityMetadata(name=name), spec={"owner": owner})


class Provider:
    """Keeps its connection, so that a test can push mutations through it."""

    def __init__(self, name: str, *initial: Entity, fail: bool = False) -> None:
        self.provider_name = name
        self.initial = initial
        self.fail = fail
        self.connection: EntityProviderConnection | None = None

    async def connect(self, connection: EntityProviderConnection) -> None:
        if self.fail:
            raise OSError("the source is down")
        self.connection = connection
        await connection.apply_mutation(FullMutation(self.initial))


def module_adding(*providers: Any) -> type[BackendModule]:
    """A catalog module class that adds ``providers`` in its init."""

    class CatalogModuleTest(BackendModule):
        plugin_id = "catalog"
        module_id = "test"

        @hookimpl
        def register(self, env: RegistrationEnv) -> None:
            env.register_init(self.init, deps={"processing": catalog_processing_extension_point})

        async def init(self, processing: CatalogProcessingExtensionPoint) -> None:
            processing.add_entity_provider(*providers)

    return CatalogModuleTest


async def owners(client: Any) -> dict[str, str]:
    """Entity name -> spec.owner of what the catalog serves."""
    response = await client.get("/api/catalog/entities")
    return {e["metadata"]["name"]: e["spec"]["owner"] for e in response.json()}


async def test_mutations_change_what_is_served(start_test_backend: BackendStarter) -> None:
    """A full mutation replaces the provider's entities; a delta adds and removes some."""
    provider = Provider("push", system("a"), system("b"))
    client = await start_test_backend(features=[CatalogPlugin, module_adding(provider)])
    assert await owners(client) == {"a": "team-a", "b": "team-a"}
    assert provider.connection is not None
    await provider.connection.apply_mutation(
        DeltaMutation(added=[system("c"), system("a", "team-b")], removed=["SYSTEM:default/b"])
    )
    assert await owners(client) == {"a": "team-b", "c": "team-a"}
    await provider.connection.apply_mutation(FullMutation([system("d")]))
    assert await owners(client) == {"d": "team-a"}


async def test_first_provider_keeps_a_conflicting_entity(
    start_test_backend: BackendStarter,
) -> None:
    """Two providers giving one ref: the first added keeps it, and a warning says so once."""
    logs = mock_services.logger()
    first, second = Provider("first", system("a")), Provider("second", system("a", "team-b"))
    client = await start_test_backend(
        features=[CatalogPlugin, module_adding(first, second)], services=[logs]
    )
    assert await owners(client) == {"a": "team-a"}
    assert second.connection is not None
    await second.connection.apply_mutation(FullMutation([system("a", "team-b"), system("z")]))
    assert await owners(client) == {"a": "team-a", "z": "team-a"}
    conflict = (
        "entity system:default/a from provider 'second' is left out: provider 'first' gave it first"
    )
    assert logs.messages.count(conflict) == 1


async def test_invalid_entities_from_code_are_left_out(
    start_test_backend: BackendStarter,
) -> None:
    """An entity built in code that breaks a rule is not served, and is reported."""
    logs = mock_services.logger()
    provider = Provider("code", system("ok"), system("not ok"))
    client = await start_test_backend(
        features=[CatalogPlugin, module_adding(provider)], services=[logs]
    )
    assert await owners(client) == {"ok": "team-a"}
    assert any("gave the invalid entity system:default/not ok" in m for m in logs.messages)


async def test_a_failing_provider_fails_alone(start_test_backend: BackendStarter) -> None:
    """A provider whose connect raises is logged; the backend starts, the others serve."""
    logs = mock_services.logger()
    providers = Provider("down", fail=True), Provider("up", system("a"))
    client = await start_test_backend(
        features=[CatalogPlugin, module_adding(*providers)], services=[logs]
    )
    assert await owners(client) == {"a": "team-a"}
    (record,) = [r for r in logs.records if r.levelname == "ERROR"]
    assert record.getMessage() == (
        "entity provider 'down' failed to connect; the catalog goes on without it"
    )
    assert record.exc_info is not None


@pytest.mark.parametrize(
    ("providers", "message"),
    [
        pytest.param(
            lambda: [Provider("same"), Provider("same")],
            "an entity provider named 'same' was added already",
            id="duplicate-name",
        ),
        pytest.param(
            lambda: [object()], "is not an entity provider: it needs a provider_name", id="shape"
        ),
    ],
)
async def test_bad_providers_fail_the_module(
    start_test_backend: BackendStarter, providers: Callable[[], list[Any]], message: str
) -> None:
    """A duplicate provider name or a non-provider fails the start, saying why."""
    with pytest.raises(BackendStartupError, match=message):
        await start_test_backend(features=[CatalogPlugin, module_adding(*providers())])


async def test_providers_cannot_be_added_after_init(start_test_backend: BackendStarter) -> None:
    """Keeping the extension point and using it after the plugin's init is an error."""
    kept: list[CatalogProcessingExtensionPoint] = []

    class CatalogModuleKeeper(BackendModule):
        plugin_id = "catalog"
        module_id = "keeper"

        @hookimpl
        def register(self, env: RegistrationEnv) -> None:
            env.register_init(self.init, deps={"processing": catalog_processing_extension_point})

        async def init(self, processing: CatalogProcessingExtensionPoint) -> None:
            kept.append(processing)

    await start_test_backend(features=[CatalogPlugin, CatalogModuleKeeper])
    with pytest.raises(RuntimeError, match=r"called after the catalog plugin initialised"):
        kept[0].add_entity_provider(Provider("late"))
