"""The parent's side of the development session: the data store's values, and ready signals.

The values live in this process, which outlives every backend it starts, as
the pickled bytes the backends sent: the parent never unpickles them. One
thread accepts backends, one thread per backend answers its requests.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection, Listener
from typing import Any

from greenroom._dev.protocol import LOAD, READY, SAVE, SessionAddress, listener_family

__all__ = ["DevSessionHost", "ReadyHandler"]

_log = logging.getLogger("greenroom.dev")

#: Called with ``(generation, url, plugin_ids)`` when a backend says it has started.
ReadyHandler = Callable[[int, str, tuple[str, ...]], None]


class DevSessionHost:
    """Listens for the backends of one ``package start`` and keeps their values."""

    def __init__(self, on_ready: ReadyHandler | None = None) -> None:
        self._on_ready = on_ready
        self._values: dict[str, bytes] = {}
        self._lock = threading.Lock()
        authkey = secrets.token_bytes(32)
        self._listener = Listener(family=listener_family(), authkey=authkey)
        self.address = SessionAddress(str(self._listener.address), authkey)
        self._closed = False
        self._thread = threading.Thread(target=self._accept, name="dev-session", daemon=True)
        self._thread.start()

    def keys(self) -> list[str]:
        """The keys saved so far, sorted."""
        with self._lock:
            return sorted(self._values)

    def close(self) -> None:
        """Stop listening; the values are dropped with this object."""
        self._closed = True
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                connection = self._listener.accept()
            except OSError:  # closed
                return
            except Exception as exc:  # a peer without the key (AuthenticationError, EOF)
                _log.debug("refused a connection to the dev session: %s", exc)
                continue
            threading.Thread(
                target=self._serve, args=(connection,), name="dev-session-peer", daemon=True
            ).start()

    def _serve(self, connection: Connection) -> None:
        with connection:
            while True:
                try:
                    message = connection.recv()
                except (EOFError, OSError):
                    return
                try:
                    reply: tuple[str, Any] = ("ok", self._handle(message))
                except Exception as exc:
                    reply = ("error", f"{type(exc).__name__}: {exc}")
                try:
                    connection.send(reply)
                except OSError:
                    return

    def _handle(self, message: Any) -> Any:
        if not isinstance(message, tuple) or not message:
            raise ValueError(f"expected a tuple (operation, *arguments), got {message!r}")
        operation, *arguments = message
        if operation == SAVE:
            key, data = arguments
            if not isinstance(key, str) or not isinstance(data, bytes):
                raise TypeError("save takes a str key and bytes")
            with self._lock:
                self._values[key] = data
            return None
        if operation == LOAD:
            (key,) = arguments
            with self._lock:
                return self._values.get(key)
        if operation == READY:
            generation, url, plugin_ids = arguments
            if self._on_ready is not None:
                self._on_ready(int(generation), str(url), tuple(plugin_ids))
            return None
        raise ValueError(f"unknown operation {operation!r}")
