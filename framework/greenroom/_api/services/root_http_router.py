"""The ``root_http_router`` service: the backend's whole HTTP surface."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

__all__ = ["RootHttpRouterService"]


@runtime_checkable
class RootHttpRouterService(Protocol):
    """Mounts ASGI apps at paths outside ``/api`` (``/.well-known``, ``/metrics``...).

    Plugin routes are not mounted here but through each plugin's
    ``http_router``; ``/api/<pluginId>`` is dispatched by plugin id in O(1).
    """

    def use(self, path: str, app: Any) -> None: ...
