"""Serving a backend under uvicorn, with a graceful stop on SIGTERM and SIGINT.

On the first signal readiness answers 503 at once while the listener stays
open, requests in flight finish (up to ``backend.lifecycle.shutdownTimeout``
seconds, default 30), then uvicorn closes and the backend's shutdown hooks
run. A second SIGINT forces the exit. The process exits 0 after a graceful
stop: uvicorn re-raises the signal it caught once it is done, which with the
default handler would end the process with 143, so the handlers that uvicorn
restores before re-raising only note the signal. A signal that arrives before
uvicorn installs its own handlers (while root services are built) is noted the
same way and starts the graceful stop as soon as the server runs.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from types import FrameType
from typing import Any, Final

import uvicorn

from greenroom._api.services.config import ConfigService
from greenroom._api.services.refs import core_services
from greenroom._backend.access_log import AccessLog
from greenroom._backend.app import BackendApp
from greenroom._backend.backend import Backend
from greenroom._errors import ConfigError, ConfigIssue

__all__ = ["ACCESS_LOG_KEY", "listen_address", "serve"]

_log = logging.getLogger("greenroom.server")
#: ``true`` (default) or ``false``: one ``greenroom.access`` log line per HTTP request.
ACCESS_LOG_KEY: Final = "backend.logging.accessLog"
_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def listen_address(config: ConfigService) -> tuple[str, int]:
    """``backend.listen`` as ``(host, port)``: ``{host, port}`` or ``"host:port"``/``":port"``."""
    host, port = "127.0.0.1", 7007
    raw = config.get_optional("backend.listen")
    if isinstance(raw, str):
        text_host, _, text_port = raw.rpartition(":")
        if not text_port.isdigit():
            raise ConfigError(
                ConfigIssue(
                    f"invalid listen address {raw!r}, use 'host:port' or ':port'",
                    "$.backend.listen",
                )
            )
        return text_host or host, int(text_port)
    if raw is not None:
        host = config.get_optional_string("backend.listen.host") or host
        number = config.get_optional_number("backend.listen.port")
        port = port if number is None else int(number)
    if not 0 <= port <= 65535:
        raise ConfigError(
            ConfigIssue(f"port {port} is out of range 0-65535", "$.backend.listen.port")
        )
    return host, port


class _GracefulServer(uvicorn.Server):
    """uvicorn's server, draining requests before it stops accepting them."""

    def __init__(
        self,
        config: uvicorn.Config,
        backend: Backend,
        drain_timeout: float,
        early_signals: list[int],
    ) -> None:
        super().__init__(config)
        self._backend = backend
        self._drain_timeout = drain_timeout
        self._early_signals = early_signals
        self._loop: asyncio.AbstractEventLoop | None = None
        self._drain: asyncio.Task[None] | None = None

    async def serve(self, sockets: Any = None) -> None:
        self._loop = asyncio.get_running_loop()
        await super().serve(sockets)

    async def main_loop(self) -> None:
        # uvicorn's handlers are installed by now, so no signal falls between
        # this check and them; one that came earlier would otherwise be lost.
        if self._early_signals:
            self.handle_exit(self._early_signals[0], None)
        await super().main_loop()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self._drain is not None or self._loop is None:
            super().handle_exit(sig, frame)  # a second signal: stop now
            return
        self._backend.state.draining = True
        _log.info(
            "received %s: draining requests, readiness now answers 503", signal.Signals(sig).name
        )
        self._loop.call_soon_threadsafe(self._begin_drain)

    def _begin_drain(self) -> None:
        self._drain = asyncio.ensure_future(self._wait_and_exit())

    async def _wait_and_exit(self) -> None:
        try:
            await asyncio.wait_for(self._backend.state.idle.wait(), self._drain_timeout)
        except TimeoutError:
            _log.warning(
                "%d request(s) still running after %.0f s; stopping anyway",
                self._backend.state.in_flight,
                self._drain_timeout,
            )
        self.should_exit = True


async def _serve(backend: Backend, early_signals: list[int]) -> None:
    await backend.prepare()
    config: ConfigService = await backend.get_service(core_services.root_config)
    host, port = listen_address(config)
    timeout = config.get_optional_number("backend.lifecycle.shutdownTimeout")
    drain = 30.0 if timeout is None else float(timeout)
    app: Any = BackendApp(backend)
    if config.get_optional_boolean(ACCESS_LOG_KEY) is not False:
        app = AccessLog(app)  # uvicorn's own access log costs ~3x more per request (issue 8)
    server = _GracefulServer(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            lifespan="off",
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=int(drain) or None,
        ),
        backend,
        drain,
        early_signals,
    )
    serving = asyncio.ensure_future(server.serve())
    try:
        await backend.start()
    except BaseException:
        server.should_exit = True  # start() has already stopped what it started
        await serving
        raise
    try:
        await serving
    finally:
        await backend.stop()


def serve(backend: Backend) -> None:
    """Run ``backend`` under uvicorn until a signal stops it gracefully."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        asyncio.run(_serve(backend, received))
        return

    def note_signal(signum: int, frame: FrameType | None) -> None:
        # Stands in for the default handler before uvicorn installs its own
        # and after it restores this one and re-raises the signal it caught.
        received.append(signum)

    previous = {sig: signal.signal(sig, note_signal) for sig in _SIGNALS}
    try:
        asyncio.run(_serve(backend, received))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
