"""``mock_services.discovery()``: every plugin at ``<base_url>/api/<pluginId>``."""

from __future__ import annotations

from typing import Any, Final, final

from greenroom._api.service_ref import ServiceFactory
from greenroom._api.services.refs import core_services

__all__ = ["DEFAULT_BASE_URL", "MockDiscovery"]

#: The base URL of the test client, so that discovered URLs are ones it can call.
DEFAULT_BASE_URL: Final = "http://test"


@final
class MockDiscovery:
    """A ``DiscoveryService`` with one base URL for every plugin, internal and external.

    ``service_factory`` provides it as ``core_services.discovery``.
    """

    __slots__ = ("base_url",)

    def __init__(self, base_url: str = DEFAULT_BASE_URL) -> None:
        self.base_url = base_url.rstrip("/")

    async def get_base_url(self, plugin_id: str) -> str:
        """``<base_url>/api/<pluginId>``."""
        return f"{self.base_url}/api/{plugin_id}"

    async def get_external_base_url(self, plugin_id: str) -> str:
        """The same URL as :meth:`get_base_url`."""
        return f"{self.base_url}/api/{plugin_id}"

    @property
    def service_factory(self) -> ServiceFactory[Any]:
        """Provides this object as ``core_services.discovery``."""
        return ServiceFactory(service=core_services.discovery, factory=lambda: self)

    def __repr__(self) -> str:
        return f"MockDiscovery({self.base_url!r})"
