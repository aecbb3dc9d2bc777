"""Default ``http_router``: a plugin's apps under ``/api/<pluginId>``.

With several apps, each is tried in the order added and a 404 from one falls
through to the next (the request body is replayed), as with Express routers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from starlette.routing import BaseRoute, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from greenroom._api.service_ref import ServiceFactory
from greenroom._api.services.plugin_metadata import PluginMetadataService
from greenroom._api.services.refs import core_services
from greenroom._api.services.root_http_router import RootHttpRouterService
from greenroom._services.responses import error_body, send_json

__all__ = ["PluginHttpRouter", "service_factory"]


class PluginHttpRouter:
    """The ASGI app mounted at ``/api/<pluginId>``, holding the apps the plugin uses."""

    def __init__(self, plugin_id: str) -> None:
        self.plugin_id = plugin_id
        self._apps: list[ASGIApp] = []

    def use(self, app: Any | Sequence[Any]) -> None:
        """Mount an ASGI app, or a sequence of Starlette routes, under ``/api/<pluginId>``."""
        if isinstance(app, Sequence) and not callable(app):
            routes = list(app)
            bad = [route for route in routes if not isinstance(route, BaseRoute)]
            if bad:
                raise TypeError(
                    f"plugin {self.plugin_id!r}: http_router.use() got {bad[0]!r} in a "
                    "sequence: pass an ASGI app or a sequence of Starlette routes"
                )
            app = Router(routes=routes)
        elif not callable(app):
            raise TypeError(
                f"plugin {self.plugin_id!r}: http_router.use() got {app!r}, which is not an "
                "ASGI app: pass a Starlette app or Router, a FastAPI app, or a list of routes"
            )
        self._apps.append(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        apps = self._apps
        if not apps:
            if scope["type"] == "http":
                await send_json(
                    send,
                    404,
                    error_body(404, "NotFoundError", f"plugin {self.plugin_id!r} has no routes"),
                )
            return
        if len(apps) == 1 or scope["type"] != "http":
            await apps[0](scope, receive, send)
            return
        replay = _ReplayReceive(receive)
        for app in apps[:-1]:
            fallthrough = _FallthroughSend(send)
            await app(scope, replay.rewound(), fallthrough)
            if not fallthrough.not_found:
                return
        await apps[-1](scope, replay.rewound(), send)


class _ReplayReceive:
    """Records the request messages so that the next app can read the body again."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self._seen: list[Message] = []

    def rewound(self) -> Receive:
        position = 0

        async def receive() -> Message:
            nonlocal position
            if position < len(self._seen):
                position += 1
                return self._seen[position - 1]
            message = await self._receive()
            if message["type"] == "http.request":
                self._seen.append(message)
                position += 1
            return message

        return receive


class _FallthroughSend:
    """Swallows a 404 response so that the next app gets the request."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.not_found = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 404:
            self.not_found = True
        if not self.not_found:
            await self._send(message)


def _plugin_router(
    metadata: PluginMetadataService, root: RootHttpRouterService
) -> PluginHttpRouter:
    router = PluginHttpRouter(metadata.plugin_id)
    root.use(f"/api/{metadata.plugin_id}", router)
    return router


service_factory: Final = ServiceFactory(
    service=core_services.http_router,
    factory=_plugin_router,
    deps={"metadata": core_services.plugin_metadata, "root": core_services.root_http_router},
)
