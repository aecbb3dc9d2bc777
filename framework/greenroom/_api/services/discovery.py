"""The ``discovery`` service: where to reach a plugin over HTTP."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["DiscoveryService"]


@runtime_checkable
class DiscoveryService(Protocol):
    """Base URLs of plugins: ``<backend.baseUrl>/api/<pluginId>``."""

    async def get_base_url(self, plugin_id: str) -> str:
        """The URL other backends use to reach ``plugin_id``."""

    async def get_external_base_url(self, plugin_id: str) -> str:
        """The URL clients outside the deployment use to reach ``plugin_id``."""
