"""The ``http_router`` service: a plugin's own HTTP surface under ``/api/<pluginId>``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

__all__ = ["HttpRouterService"]


@runtime_checkable
class HttpRouterService(Protocol):
    """Mounts ASGI apps under ``/api/<pluginId>``.

    ``use`` takes any ASGI app (a Starlette app or ``Router``, a FastAPI app)
    or a sequence of Starlette routes. The mounted app sees the full path
    with ``root_path`` set to ``/api/<pluginId>``, as under Starlette's
    ``Mount``. With several apps, each is tried in the order added and a 404
    from one falls through to the next, as with Express routers.
    """

    def use(self, app: Any | Sequence[Any]) -> None: ...
