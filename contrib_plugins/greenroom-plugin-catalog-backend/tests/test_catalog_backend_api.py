"""The catalog serves its providers' entities under /api/catalog, filtered as asked."""

from __future__ import annotations

from typing import Any

import pytest
from greenroom_plugin_catalog_backend import (
    CatalogPlugin,
    CatalogProcessingExtensionPoint,
    EntityProviderConnection,
    FullMutation,
    catalog_processing_extension_point,
)
from greenroom_plugin_catalog_common import entity_from_dict

from greenroom import BackendModule, RegistrationEnv, hookimpl
from greenroom.testing import BackendStarter, start_test_backend

pytestmark = pytest.mark.anyio


def entity(kind: str, name: str, namespace: str = "default", **spec: Any) -> dict[str, Any]:
    """A valid entity of ``kind`` as data."""
    specs = {
        "Component": {"type": "service", "lifecycle": "production", "owner": "team-a"},
        "API": {"type": "openapi", "lifecycle": "production", "owner": "team-a", "definition": "x"},
        "System": {"owner": "team-a"},
    }
    return {
        "apiVersion": "greenroom.dev/v1alpha1",
        "kind": kind,
        "metadata": {"name": name, "namespace": namespace},
        "spec": {**specs[kind], **spec},
    }


ENTITIES = [
    entity("Component", "web", system="shop"),
    entity("Component", "orders"),
    entity("API", "orders-api"),
    entity("System", "shop"),
    entity("System", "shop", namespace="legacy"),
]


class StaticProvider:
    """Gives a fixed list of entities when connected."""

    def __init__(self, name: str, data: list[dict[str, Any]]) -> None:
        self.provider_name = name
        self.entities = [entity_from_dict(item) for item in data]

    async def connect(self, connection: EntityProviderConnection) -> None:
        await connection.apply_mutation(FullMutation(self.entities))


class CatalogModuleStatic(BackendModule):
    """A module adding a StaticProvider of ENTITIES."""

    plugin_id = "catalog"
    module_id = "static"

    @hookimpl
    def register(self, env: RegistrationEnv) -> None:
        env.register_init(self.init, deps={"processing": catalog_processing_extension_point})

    async def init(self, processing: CatalogProcessingExtensionPoint) -> None:
        processing.add_entity_provider(StaticProvider("static", ENTITIES))


def names(response: Any) -> list[str]:
    """``kind:namespace/name`` of each entity in a JSON answer."""
    assert response.status_code == 200, response.text
    return [
        f"{e['kind']}:{e['metadata']['namespace']}/{e['metadata']['name']}" for e in response.json()
    ]


async def test_starts_empty_without_config_or_providers() -> None:
    """With nothing configured and no module, the catalog serves an empty list."""
    async with start_test_backend(features=[CatalogPlugin]) as client:
        response = await client.get("/api/catalog/entities")
    assert response.json() == []


async def test_lists_every_entity_sorted_by_ref(start_test_backend: BackendStarter) -> None:
    """GET /entities lists what the providers gave, sorted by kind, namespace and name."""
    client = await start_test_backend(features=[CatalogPlugin, CatalogModuleStatic])
    response = await client.get("/api/catalog/entities")
    assert names(response) == [
        "API:default/orders-api",
        "Component:default/orders",
        "Component:default/web",
        "System:default/shop",
        "System:legacy/shop",
    ]
    assert response.json()[2] == ENTITIES[0]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?kind=Component", ["Component:default/orders", "Component:default/web"]),
        ("?kind=system&name=SHOP", ["System:default/shop", "System:legacy/shop"]),
        ("?kind=API&kind=System&name=orders-api", ["API:default/orders-api"]),
        ("?name=nothing", []),
    ],
)
async def test_filters_by_kind_and_name(
    start_test_backend: BackendStarter, query: str, expected: list[str]
) -> None:
    """kind and name filter without regard to case; repeating one means 'any of'."""
    client = await start_test_backend(features=[CatalogPlugin, CatalogModuleStatic])
    assert names(await client.get("/api/catalog/entities" + query)) == expected


async def test_gets_one_entity_by_name(start_test_backend: BackendStarter) -> None:
    """GET /entities/by-name/{kind}/{namespace}/{name} answers the entity, any case."""
    client = await start_test_backend(features=[CatalogPlugin, CatalogModuleStatic])
    response = await client.get("/api/catalog/entities/by-name/component/default/WEB")
    assert response.status_code == 200
    assert response.json() == ENTITIES[0]


async def test_unknown_entity_is_a_404_in_backstage_shape(
    start_test_backend: BackendStarter,
) -> None:
    """A missing entity answers 404 with Backstage's error body."""
    client = await start_test_backend(features=[CatalogPlugin, CatalogModuleStatic])
    response = await client.get("/api/catalog/entities/by-name/system/default/nope")
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "name": "NotFoundError",
            "message": "no entity named 'nope' found, with kind 'system' in namespace 'default'",
        },
        "response": {"statusCode": 404},
    }
