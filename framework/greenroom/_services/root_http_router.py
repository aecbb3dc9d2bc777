"""Default ``root_http_router``: the backend's ASGI app.

Dispatch looks the request path's prefixes up in a dict, longest first, so
its cost depends on the depth of the path, never on the number of mounts
(Starlette's ``Mount`` list and Express both scan mounts one by one).
Requests under ``/api/<pluginId>`` wait briefly for a plugin that is still
starting and get 503 from one that failed or stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Final

from starlette.types import ASGIApp, Receive, Scope, Send

from greenroom._api.service_ref import ServiceFactory
from greenroom._api.services.health import RootHealthService
from greenroom._api.services.refs import core_services
from greenroom._backend.state import BackendState, PluginPhase, backend_state_ref
from greenroom._services.responses import error_body, send_json

__all__ = ["HEALTH_PREFIX", "RootHttpRouter", "service_factory"]

HEALTH_PREFIX: Final = "/.greenroom/health/v1"


def normalize_mount_path(path: str) -> str:
    """``path`` as ``/a/b``: leading slash, no trailing slash; ``""`` for the root."""
    if not isinstance(path, str) or (path and not path.startswith("/")):
        raise ValueError(f"mount path {path!r} must start with '/'")
    return path.rstrip("/")


class RootHttpRouter:
    """Mounts ASGI apps at path prefixes and serves the health endpoints."""

    def __init__(self, state: BackendState, health: RootHealthService) -> None:
        self._state = state
        self._health = health
        self._mounts: dict[str, ASGIApp] = {}
        self._depth = 0

    def use(self, path: str, app: Any) -> None:
        """Serve ``app`` for every request under ``path`` (``root_path`` set to ``path``)."""
        prefix = normalize_mount_path(path)
        if prefix == HEALTH_PREFIX or prefix.startswith(HEALTH_PREFIX + "/"):
            raise ValueError(f"{path!r} is reserved for the health endpoints")
        if prefix in self._mounts:
            raise ValueError(f"something is already mounted at {path!r}; mount each path once")
        self._mounts[prefix] = app
        self._depth = max(self._depth, prefix.count("/"))

    def mounted(self, path: str) -> bool:
        """Whether an app is mounted exactly at ``path``."""
        return normalize_mount_path(path) in self._mounts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return
        path: str = scope["path"]
        if path.startswith(HEALTH_PREFIX):
            await self._serve_health(path[len(HEALTH_PREFIX) :], scope, send)
            return
        state = self._state
        state.request_started()
        try:
            await self._dispatch(path, scope, receive, send)
        finally:
            state.request_finished()

    async def _dispatch(self, path: str, scope: Scope, receive: Receive, send: Send) -> None:
        segments = path.split("/", self._depth + 1)
        if (
            path.startswith("/api/")
            and len(segments) > 2
            and not await self._plugin_available(segments[2], scope, send)
        ):
            return
        for depth in range(min(self._depth, len(segments) - 1), -1, -1):
            prefix = "/".join(segments[: depth + 1])
            app = self._mounts.get(prefix)
            if app is not None:
                child = dict(scope)
                child["root_path"] = scope.get("root_path", "") + prefix
                await app(child, receive, send)
                return
        if scope["type"] == "http":
            await send_json(send, 404, error_body(404, "NotFoundError", f"no route for {path}"))

    async def _plugin_available(self, plugin_id: str, scope: Scope, send: Send) -> bool:
        status = self._state.plugins.get(plugin_id)
        if status is None:
            return True
        if status.phase is PluginPhase.STARTING:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(status.settled.wait(), self._state.request_hold_seconds)
        if status.phase is PluginPhase.READY:
            return True
        reason = {
            PluginPhase.STARTING: "is still starting",
            PluginPhase.FAILED: "failed to start",
            PluginPhase.STOPPED: "has stopped",
        }[status.phase]
        if scope["type"] == "http":
            await send_json(
                send,
                503,
                error_body(503, "ServiceUnavailableError", f"plugin {plugin_id!r} {reason}"),
                {"retry-after": "5"},
            )
        return False

    async def _serve_health(self, rest: str, scope: Scope, send: Send) -> None:
        if scope["type"] != "http":
            return
        if rest == "/liveness":
            status, body = await self._health.get_liveness()
        elif rest == "/readiness":
            status, body = await self._health.get_readiness()
        else:
            status, body = 404, error_body(404, "NotFoundError", f"no health check {rest!r}")
        await send_json(send, status, body, {"cache-control": "no-store"})


service_factory: Final = ServiceFactory(
    service=core_services.root_http_router,
    factory=RootHttpRouter,
    deps={"state": backend_state_ref, "health": core_services.root_health},
)
