"""The yaml-files module: entities from the configured files, read again, bad files reported."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from greenroom_plugin_catalog_backend import CatalogPlugin, catalog_processing_extension_point
from greenroom_plugin_catalog_backend_module_yaml_files import (
    CatalogModuleYamlFiles,
    YamlFilesEntityProvider,
    YamlFilesSettings,
)

from greenroom import ConfigError
from greenroom.testing import BackendStarter, mock_services

pytestmark = pytest.mark.anyio

SHOP = """\
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: shop
spec:
  owner: team-a
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: web
  tags: [python]
spec:
  type: website
  lifecycle: production
  owner: team-a
  system: shop
"""

ORDERS = """\
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: orders-api
spec:
  type: openapi
  lifecycle: production
  owner: team-b
  definition: openapi.yaml
"""


def config(*paths: Path, refresh: float = 3600) -> dict[str, Any]:
    """The module's config for ``paths``."""
    return {"catalog": {"yamlFiles": {"paths": [str(p) for p in paths], "refreshSeconds": refresh}}}


async def names(client: Any) -> list[str]:
    """The names of the entities the catalog serves."""
    response = await client.get("/api/catalog/entities")
    assert response.status_code == 200
    return [entity["metadata"]["name"] for entity in response.json()]


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10.0) -> None:
    """Poll ``check`` until it holds, failing after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "the condition never held"
        await asyncio.sleep(0.02)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """Two entity files: a system with a component, and an API."""
    shop, orders = tmp_path / "shop.yaml", tmp_path / "orders.yaml"
    shop.write_text(SHOP, encoding="utf-8")
    orders.write_text(ORDERS, encoding="utf-8")
    return shop, orders


async def test_serves_the_entities_of_every_file_at_start(
    start_test_backend: BackendStarter, files: tuple[Path, Path]
) -> None:
    """Once started, the catalog has every entity of every configured file."""
    client = await start_test_backend(
        features=[CatalogPlugin, CatalogModuleYamlFiles], config=config(*files)
    )
    assert await names(client) == ["orders-api", "web", "shop"]


async def test_needs_no_config(start_test_backend: BackendStarter) -> None:
    """Without catalog.yamlFiles the module starts and provides nothing."""
    client = await start_test_backend(features=[CatalogPlugin, CatalogModuleYamlFiles])
    assert await names(client) == []


async def test_reads_the_files_again_on_the_interval(
    start_test_backend: BackendStarter, files: tuple[Path, Path]
) -> None:
    """An edit shows after refreshSeconds, without a restart."""
    shop, _ = files
    client = await start_test_backend(
        features=[CatalogPlugin, CatalogModuleYamlFiles], config=config(shop, refresh=0.05)
    )
    assert await names(client) == ["web", "shop"]
    shop.write_text(ORDERS, encoding="utf-8")

    async def changed() -> bool:
        return await names(client) == ["orders-api"]

    await eventually(changed)


async def test_a_bad_file_is_reported_and_keeps_its_last_good_read(
    start_test_backend: BackendStarter, files: tuple[Path, Path]
) -> None:
    """A broken edit is logged once, with file and key, and the file's entities stay."""
    shop, orders = files
    logs = mock_services.logger()
    client = await start_test_backend(
        features=[CatalogPlugin, CatalogModuleYamlFiles],
        config=config(shop, orders, refresh=0.05),
        services=[logs],
    )
    orders.write_text(ORDERS.replace("name: orders-api", "name: orders api"), encoding="utf-8")

    async def reported() -> bool:
        return any(r.levelname == "ERROR" for r in logs.records)

    await eventually(reported)
    assert await names(client) == ["orders-api", "web", "shop"]
    (error,) = [r.getMessage() for r in logs.records if r.levelname == "ERROR"]
    assert error == (
        f"{orders} is left as it was (1 entities kept): invalid entity in {orders}: 1 problem:\n"
        "  - name 'orders api' is not valid: use letters, digits and '-', '_' or '.' between "
        "them, starting and ending with a letter or digit @ $.metadata.name"
    )
    orders.write_text(ORDERS.replace("orders-api", "orders-v2"), encoding="utf-8")

    async def recovered() -> bool:
        return await names(client) == ["orders-v2", "web", "shop"]

    await eventually(recovered)
    assert f"{orders} reads again: 1 entities" in logs.messages
    assert len([r for r in logs.records if r.levelname == "ERROR"]) == 1


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param(None, "cannot read {path}: [Errno 2] No such file or directory", id="missing"),
        pytest.param("kind: [", "{path} is not valid YAML: while parsing", id="yaml"),
        pytest.param(
            SHOP + "---\n- a list\n",
            "invalid entity in {path} (document 3): 1 problem:\n"
            "  - an entity must be a mapping, not list @ $",
            id="not-a-mapping",
        ),
    ],
)
async def test_unusable_files_do_not_stop_the_others(
    start_test_backend: BackendStarter,
    files: tuple[Path, Path],
    tmp_path: Path,
    content: str | None,
    problem: str,
) -> None:
    """A missing, unparsable or invalid file is reported; the other files are served."""
    bad = tmp_path / "bad.yaml"
    if content is not None:
        bad.write_text(content, encoding="utf-8")
    logs = mock_services.logger()
    client = await start_test_backend(
        features=[CatalogPlugin, CatalogModuleYamlFiles],
        config=config(bad, files[1]),
        services=[logs],
    )
    assert await names(client) == ["orders-api"]
    (error,) = [r.getMessage() for r in logs.records if r.levelname == "ERROR"]
    assert error.startswith(f"{bad} is left as it was (0 entities kept): ")
    assert problem.format(path=bad) in error


async def test_a_ref_in_two_files_is_kept_from_the_first(
    start_test_backend: BackendStarter, files: tuple[Path, Path], tmp_path: Path
) -> None:
    """The same entity in two files: the file listed first wins, with a warning."""
    shop, _ = files
    copy = tmp_path / "copy.yaml"
    copy.write_text(SHOP.replace("owner: team-a\n---", "owner: team-z\n---"), encoding="utf-8")
    logs = mock_services.logger()
    client = await start_test_backend(
        features=[CatalogPlugin, CatalogModuleYamlFiles],
        config=config(shop, copy),
        services=[logs],
    )
    response = await client.get("/api/catalog/entities/by-name/system/default/shop")
    assert response.json()["spec"]["owner"] == "team-a"
    assert f"system:default/shop in {copy} is left out: {shop} has it first" in logs.messages


@pytest.mark.parametrize(
    ("section", "message"),
    [
        pytest.param(
            {"refreshSeconds": 0},
            "0 is less than or equal to the minimum of 0 (schema of "
            "greenroom-plugin-catalog-backend-module-yaml-files) "
            "@ $.catalog.yamlFiles.refreshSeconds",
            id="interval",
        ),
        pytest.param(
            {"paths": ["a.yaml"], "refresh": 5},
            "Additional properties are not allowed ('refresh' was unexpected) (schema of "
            "greenroom-plugin-catalog-backend-module-yaml-files) @ $.catalog.yamlFiles",
            id="typo",
        ),
    ],
)
async def test_the_config_schema_checks_the_keys(
    start_test_backend: BackendStarter, section: dict[str, Any], message: str
) -> None:
    """The shipped config schema stops a start with wrong settings, naming package and key."""
    with pytest.raises(ConfigError) as caught:
        await start_test_backend(
            features=[CatalogPlugin, CatalogModuleYamlFiles],
            config={"catalog": {"yamlFiles": section}},
        )
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"refreshSeconds": -1}, "must be a positive number of seconds, not -1"),
        ({"paths": "shop.yaml"}, "catalog.yamlFiles.paths"),
    ],
)
def test_settings_check_what_they_read(section: dict[str, Any], message: str) -> None:
    """Read without a schema (as with onInvalidConfig: warn), wrong settings still fail."""
    config = mock_services.root_config({"catalog": {"yamlFiles": section}})
    with pytest.raises(ConfigError, match=re.escape(message)):
        YamlFilesSettings.from_config(config)


def test_settings_default_and_resolve_paths() -> None:
    """No section: no files, a minute between reads; relative paths become absolute."""
    assert YamlFilesSettings.from_config(mock_services.root_config()) == YamlFilesSettings()
    config = mock_services.root_config({"catalog": {"yamlFiles": {"paths": ["a.yaml"]}}})
    assert YamlFilesSettings.from_config(config).paths == (Path.cwd() / "a.yaml",)


async def test_the_module_alone_adds_its_provider_and_stops_it(
    start_test_backend: BackendStarter, files: tuple[Path, Path]
) -> None:
    """Tested without the catalog: it adds one provider, whose task ends at shutdown."""
    added: list[Any] = []

    class Processing:
        def add_entity_provider(self, *providers: Any) -> None:
            added.extend(providers)

    lifecycle = mock_services.lifecycle()
    await start_test_backend(
        features=[CatalogModuleYamlFiles],
        config=config(*files),
        services=[lifecycle],
        extension_points={catalog_processing_extension_point: Processing()},
    )
    (provider,) = added
    assert isinstance(provider, YamlFilesEntityProvider)
    applied: list[Any] = []

    class Connection:
        async def apply_mutation(self, mutation: Any) -> None:
            applied.append(mutation)

    await provider.connect(Connection())
    assert [e.metadata.name for e in applied[0].entities] == ["shop", "web", "orders-api"]
    task = provider._task
    assert task is not None
    assert not task.done()
    await lifecycle.shutdown()
    assert task.cancelled()
