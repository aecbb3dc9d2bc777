"""The default discovery service: plugin base URLs from backend.baseUrl and discovery.endpoints."""

from __future__ import annotations

from typing import Any

import pytest

from greenroom import (
    ConfigError,
    DiscoveryService,
    ServiceFactoryError,
    core_services,
    create_backend,
)

pytestmark = pytest.mark.anyio


async def discovery_for(config: dict[str, Any]) -> DiscoveryService:
    """The discovery service of a started backend with ``config``."""
    backend = create_backend(config=config)
    await backend.start()
    discovery: DiscoveryService = await backend.get_service(core_services.discovery)
    await backend.stop()
    return discovery


async def test_base_urls_come_from_backend_base_url() -> None:
    """Without endpoints a plugin lives at <backend.baseUrl>/api/<pluginId>."""
    discovery = await discovery_for({"backend": {"baseUrl": "https://backstage.example.com/"}})
    assert isinstance(discovery, DiscoveryService)
    assert await discovery.get_base_url("catalog") == "https://backstage.example.com/api/catalog"
    assert (
        await discovery.get_external_base_url("catalog")
        == "https://backstage.example.com/api/catalog"
    )


@pytest.mark.parametrize(
    ("listen", "base"),
    [
        (None, "http://127.0.0.1:7007"),
        ({"host": "0.0.0.0", "port": 8080}, "http://localhost:8080"),
        ({"host": "internal.example", "port": 9000}, "http://internal.example:9000"),
    ],
    ids=["defaults", "any-address", "host-and-port"],
)
async def test_without_base_url_the_listen_address_is_used(
    listen: dict[str, Any] | None, base: str
) -> None:
    """Without backend.baseUrl the URL is built from backend.listen (0.0.0.0 -> localhost)."""
    config = {"backend": {"listen": listen}} if listen else {}
    discovery = await discovery_for(config)
    assert await discovery.get_base_url("search") == f"{base}/api/search"


async def test_discovery_endpoints_override_per_plugin() -> None:
    """discovery.endpoints maps plugins to targets, with {{pluginId}} and internal/external."""
    discovery = await discovery_for(
        {
            "backend": {"baseUrl": "http://backend:7007"},
            "discovery": {
                "endpoints": [
                    {"target": "http://search-svc/api/{{pluginId}}", "plugins": ["search"]},
                    {
                        "target": {
                            "internal": "http://auth.internal/{{ pluginId }}",
                            "external": "https://auth.example.com/{{pluginId}}",
                        },
                        "plugins": ["auth", "tokens"],
                    },
                ]
            },
        }
    )
    assert await discovery.get_base_url("search") == "http://search-svc/api/search"
    assert await discovery.get_external_base_url("search") == "http://search-svc/api/search"
    assert await discovery.get_base_url("auth") == "http://auth.internal/auth"
    assert await discovery.get_external_base_url("tokens") == "https://auth.example.com/tokens"
    assert await discovery.get_base_url("catalog") == "http://backend:7007/api/catalog"


@pytest.mark.parametrize(
    ("endpoint", "path"),
    [
        ({"target": "http://x"}, "$.discovery.endpoints[0].plugins"),
        (
            {"target": {"internal": "http://x"}, "plugins": ["a"]},
            "$.discovery.endpoints[0].target.external",
        ),
    ],
    ids=["no-plugins", "no-external"],
)
async def test_malformed_endpoint_fails_the_start_naming_the_key(
    endpoint: dict[str, Any], path: str
) -> None:
    """A malformed endpoint fails the start with the config problem and its key path."""
    # ``warn``: past the config schema (which reports the same), to the service's own check.
    backend = create_backend(
        config={
            "backend": {"startup": {"onInvalidConfig": "warn"}},
            "discovery": {"endpoints": [endpoint]},
        }
    )
    with pytest.raises(ServiceFactoryError) as info:
        await backend.start()
    assert info.value.service_id == "core.discovery"
    cause = info.value.__cause__
    assert isinstance(cause, ConfigError)
    assert [issue.path for issue in cause.issues] == [path]
