"""``create_app()``: the backend as an ASGI app whose lifespan starts and stops it.

``uvicorn --factory greenroom:create_app`` serves it. Requests that arrive
before the backend has started get 503, except the health endpoints.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from greenroom._api.services.config import ConfigService
from greenroom._backend.backend import Backend, create_backend

__all__ = ["BackendApp", "create_app"]

_log = logging.getLogger("greenroom.backend")

Scope = dict[str, Any]


class BackendApp:
    """An ASGI app around a :class:`Backend` (lifespan start/stop, then its HTTP router)."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        router = self.backend.http_app
        if router is not None:
            await router(scope, receive, send)
        elif scope["type"] == "http":
            from greenroom._services.responses import error_body, send_json

            message = "the backend is starting"
            await send_json(send, 503, error_body(503, "ServiceUnavailableError", message))

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.backend.start()
                except Exception as exc:
                    _log.error("%s", exc)
                    await send({"type": "lifespan.startup.failed", "message": _describe(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    await self.backend.stop()
                except Exception as exc:
                    await send({"type": "lifespan.shutdown.failed", "message": _describe(exc)})
                    return
                await send({"type": "lifespan.shutdown.complete"})
                return


def _describe(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(exc)).strip()


def create_app(
    config: ConfigService | Mapping[str, Any] | None = None,
    features: Iterable[Any] = (),
    *,
    config_paths: Sequence[str | Path] | None = None,
    dynamic_plugins: bool = True,
) -> BackendApp:
    """An ASGI app serving a new backend with ``features``.

    ``config`` is a config object or mapping; without it, ``config_paths``
    (or, without those, ``app-config.yaml`` and ``app-config.local.yaml`` in
    the working directory) are loaded. Installed and dropped-in plugins are
    loaded too unless ``dynamic_plugins`` is false.
    """
    if config is None and config_paths is not None:
        from greenroom._config import load_config

        config = load_config(config_paths)
    backend = create_backend(config, features)
    if dynamic_plugins:
        from greenroom._dynamic.feature_loader import dynamic_plugins_feature_loader

        backend.add(dynamic_plugins_feature_loader)
    return BackendApp(backend)
