"""The frontend asset server: ``/.greenroom/dynamic-features/remotes`` over raw ASGI.

``GET <REMOTES_PATH>`` lists the remotes; ``GET <REMOTES_PATH>/<name>/<asset>``
serves an asset of one. Both are public, as in Backstage. Every answer carries
``X-Content-Type-Options: nosniff`` and the CORS headers of ``backend.cors``.
A path that tries to leave a plugin's folder gets the same 404 as a missing
file, and a warning on the ``greenroom.dynamic`` logger says what was tried.

Raw ASGI rather than Starlette's ``StaticFiles``: that one sends weak,
mtime-based ETags, knows nothing of precompressed siblings or hashed names,
and answers a symlink leaving the folder as if it were inside.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from starlette.types import Receive, Scope, Send

from greenroom._dynamic.frontend_assets import (
    Representation,
    cache_control,
    contained,
    content_type,
    refusal,
    representation,
)
from greenroom._dynamic.frontend_remotes import FrontendRemotes
from greenroom._services.cors import CorsPolicy
from greenroom._services.responses import error_body, send_json, send_json_value

__all__ = ["FrontendRemotesApp"]

_log = logging.getLogger("greenroom.dynamic")

_ALLOW: Final = "GET, HEAD, OPTIONS"
_CHUNK: Final = 256 * 1024
_NOSNIFF: Final = {"x-content-type-options": "nosniff"}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _etag_matches(header: str | None, etag: str) -> bool:
    """``If-None-Match`` uses the weak comparison: ``W/`` prefixes are ignored."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


class FrontendRemotesApp:
    """The ASGI app mounted at :data:`~greenroom._dynamic.frontend.REMOTES_PATH`.

    ``hold_seconds`` says how long a request made while the backend starts
    waits for the remotes to be resolved before it gets 503.
    """

    def __init__(
        self, remotes: FrontendRemotes, cors: CorsPolicy, hold_seconds: Callable[[], float]
    ) -> None:
        self._remotes = remotes
        self._cors = cors
        self._hold_seconds = hold_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        origin = _header(scope, b"origin")
        headers = {**_NOSNIFF, **self._cors.headers(origin)}
        method = scope["method"]
        if method == "OPTIONS":
            request_method = _header(scope, b"access-control-request-method")
            if origin is not None and request_method is not None:
                headers = self._cors.preflight_headers(
                    origin, _header(scope, b"access-control-request-headers")
                )
            await self._empty(send, 204, {**_NOSNIFF, **headers, "allow": _ALLOW})
            return
        if method not in ("GET", "HEAD"):
            await self._error(
                send,
                405,
                "MethodNotAllowedError",
                f"{method} is not allowed",
                {**headers, "allow": _ALLOW},
            )
            return
        if not self._remotes.resolved:
            try:
                async with asyncio.timeout(self._hold_seconds()):
                    await self._remotes.wait_resolved()
            except TimeoutError:
                message = "the backend is starting"
                retry = {**headers, "retry-after": "5"}
                await self._error(send, 503, "ServiceUnavailableError", message, retry)
                return
        root_path: str = scope.get("root_path", "")
        path: str = scope["path"]
        rest = path[len(root_path) :] if path.startswith(root_path) else path
        if rest in ("", "/"):
            rows = [remote.as_json() for remote in self._remotes.remotes()]
            await send_json_value(send, 200, rows, {**headers, "cache-control": "no-cache"})
            return
        await self._serve_asset(scope, send, rest[1:].split("/"), headers)

    async def _serve_asset(
        self, scope: Scope, send: Send, segments: list[str], headers: dict[str, str]
    ) -> None:
        shown = "/".join(segments)
        if segments[-1] == "" and refusal(segments[:-1]) is None:
            await self._not_found(send, shown, headers)  # a folder: there is no index
            return
        why = refusal(segments)
        if why is not None:
            _log.warning("refused frontend asset path %r: it contains %s", shown, why)
            await self._not_found(send, shown, headers)
            return
        remote = self._remotes.remote(segments[0])
        asset = segments[1:]
        # Dot files (``.config-schema.json``, ``.env``) are never assets, as with
        # express.static's default ``dotfiles: 'ignore'`` in Backstage.
        if remote is None or not asset or any(s.startswith(".") for s in asset):
            await self._not_found(send, shown, headers)
            return
        file = contained(remote.assets_dir, asset)
        if file is None:
            _log.warning(
                "refused frontend asset path %r: it leaves %s through a symlink",
                shown,
                remote.assets_dir,
            )
            await self._not_found(send, shown, headers)
            return
        chosen = await asyncio.to_thread(
            representation, remote.assets_dir, asset, file, _header(scope, b"accept-encoding")
        )
        if chosen is None:
            await self._not_found(send, shown, headers)
            return
        headers = {
            **headers,
            "etag": chosen.etag,
            "cache-control": cache_control(asset[-1]),
            "vary": ", ".join(v for v in ("Accept-Encoding", headers.get("vary")) if v),
        }
        if _etag_matches(_header(scope, b"if-none-match"), chosen.etag):
            await self._empty(send, 304, headers)
            return
        headers["content-type"] = content_type(asset[-1])
        headers["content-length"] = str(chosen.size)
        if chosen.encoding is not None:
            headers["content-encoding"] = chosen.encoding
        await self._send_body(send, headers, chosen, head=scope["method"] == "HEAD")

    async def _send_body(
        self, send: Send, headers: dict[str, str], chosen: Representation, *, head: bool
    ) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": _raw(headers)})
        if head:
            await send({"type": "http.response.body", "body": b""})
        elif chosen.body is not None:
            await send({"type": "http.response.body", "body": chosen.body})
        else:
            assert chosen.path is not None
            await _stream(send, chosen.path)

    async def _not_found(self, send: Send, shown: str, headers: dict[str, str]) -> None:
        message = f"no frontend asset {shown!r}"
        await self._error(send, 404, "NotFoundError", message, headers)

    async def _error(
        self, send: Send, status: int, name: str, message: str, headers: dict[str, str]
    ) -> None:
        await send_json(send, status, error_body(status, name, message), headers)

    async def _empty(self, send: Send, status: int, headers: dict[str, str]) -> None:
        await send({"type": "http.response.start", "status": status, "headers": _raw(headers)})
        await send({"type": "http.response.body", "body": b""})


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


async def _stream(send: Send, path: Path) -> None:
    """Send the file in chunks, reading each in a thread so the loop never blocks."""
    file: Any = await asyncio.to_thread(path.open, "rb")
    try:
        while True:
            chunk = await asyncio.to_thread(file.read, _CHUNK)
            more = len(chunk) == _CHUNK
            await send({"type": "http.response.body", "body": chunk, "more_body": more})
            if not more:
                return
    finally:
        await asyncio.to_thread(file.close)
